// SPDX-License-Identifier: EUPL-1.2
// kill -9 under a write load, a few rounds (crash-load.mjs; scripts/crash-loop runs many):
// every acknowledged write is in the database after the crash, and the database is intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { crashRounds } from './crash-load.mjs';

test('kill -9 under a write load loses no acknowledged write', async () => {
  const r = await crashRounds({ rounds: 3, writers: 4 });
  assert.equal(r.rounds, 3);
  assert.ok(r.acknowledged > 10, `${r.acknowledged} acknowledged writes`);
});
