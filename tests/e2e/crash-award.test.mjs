// SPDX-License-Identifier: EUPL-1.2
// kill -9 while agents pass the last module of a course: the badge is awarded in the
// passing attempt's transaction, so after the crash, and before any restart could repair
// anything, every agent has either both the last passed attempt and the badge, or neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { assertIntact, serve, sql } from './crash-load.mjs';
import {
  BIN, DEMO, DEMO_PASSWORD, ROOT, assertNoSanitizerReport, client, engineDatabase, findForm, freePort,
} from './helpers.mjs';
import { answerFields, formQuestions, parseModule, rightAnswers } from './quiz-files.mjs';

const COURSE = 'securite-numerique';
const DIR = path.join(ROOT, 'courses', COURSE);
const FILES = fs.readdirSync(DIR).filter((f) => /^\d.*\.md$/.test(f)).sort();
const ids = FILES.map((f) => fs.readFileSync(path.join(DIR, f), 'utf8').match(/^id: *(\S+)/m)[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The passing answers of module index k, from its quiz form. */
async function passingForm(c, k) {
  const page = await c.get(`/modules/${ids[k]}`);
  assert.equal(page.status, 200, `${ids[k]}: ${page.body.slice(0, 300)}`);
  const form = findForm(page.body, `/modules/${ids[k]}/attempts`);
  return answerFields(form.hidden, rightAnswers(parseModule(path.join(DIR, FILES[k])), formQuestions(page.body)));
}

test('kill -9 during the attempts that earn a badge: attempt and badge are both there or both absent', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-crash-award-'));
  const db = engineDatabase(dataDir);
  const people = [DEMO.agent, DEMO.agent2, DEMO.manager, DEMO.hr];
  const last = ids.length - 1;
  try {
    const init = spawnSync(BIN, ['init', '--data', dataDir, '--courses', path.join(ROOT, 'courses')],
      { encoding: 'utf8', env: { ...process.env, ...db.env, PASSPORT_DEMO_PASSWORD: DEMO_PASSWORD, PASSPORT_DEMO_STORY: '0' } });
    assert.equal(init.status, 0, init.stderr);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let server = await serve(dataDir, port, db);
    // everyone passes every module but the last
    for (const email of people) {
      const c = client(url, { timeoutMs: 20_000 });
      await c.loginOk(email);
      for (let k = 0; k < last; k++) {
        const r = await c.post(`/modules/${ids[k]}/attempts`, await passingForm(c, k));
        assert.equal(r.status, 303, `${email} ${ids[k]}: ${r.body.slice(0, 300)}`);
      }
    }
    let inFlightKills = 0;
    for (let round = 0; round < 4; round++) {
      const agents = [];
      for (const email of people) {
        const c = client(url, { timeoutMs: 20_000 });
        await c.loginOk(email);
        agents.push({ email, c, fields: await passingForm(c, last) });
      }
      const posts = agents.map((a) => a.c.post(`/modules/${ids[last]}/attempts`, a.fields).then((r) => r.status, () => 'cut'));
      await sleep(round * 7); // 0, 7, 14, 21 ms: before, during and after the transactions
      server.child.kill('SIGKILL');
      await server.exited;
      const answered = await Promise.all(posts);
      assertNoSanitizerReport(server.stderr(), 'server');
      // the database as the crash left it, read before any restart (which repairs)
      let passed = 0;
      for (const { email } of agents) {
        const uid = Number(sql(db, `SELECT id FROM users WHERE email = '${email}'`).trim());
        const done = Number(sql(db, `SELECT count(*) FROM attempts WHERE user_id = ${uid} AND module_id = '${ids[last]}' AND passed = 1`).trim());
        const badges = Number(sql(db, `SELECT count(*) FROM credentials c JOIN achievements a ON a.id = c.achievement_id WHERE c.user_id = ${uid} AND a.slug = '${COURSE}'`).trim());
        assert.equal(badges, done > 0 ? 1 : 0, `round ${round}, ${email}: ${done} passing attempt(s) of the last module, ${badges} badge(s)`);
        passed += done > 0;
      }
      assertIntact(db);
      if (passed > 0 && passed < agents.length) inFlightKills++;
      // the next round starts again from "every module but the last"
      sql(db, `DELETE FROM attempts WHERE module_id = '${ids[last]}'; DELETE FROM credentials;`);
      server = await serve(dataDir, port, db);
      assert.ok(answered.every((s) => s === 303 || s === 'cut'), `answers: ${answered}`);
    }
    server.child.kill('SIGKILL');
    await server.exited;
    console.log(`# ${inFlightKills} of 4 kills landed while some of the agents' attempts had committed and others not`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    db.drop();
  }
});
