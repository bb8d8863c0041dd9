// End-to-end tests of the privacy guarantees of docs/privacy.md, run as an attacker would:
// the talent search and the call page give no yes/no answer about a hidden agent (two
// twin servers that differ only in the probed properties answer every probe with the
// same bytes).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { BIN, DEMO, ROOT, client, startServer } from './helpers.mjs';

/** Adds the JSON API helpers to a world. */
function withApi(w) {
  w.api = (role, method, p, body) => {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['X-CSRF-Token'] = w.csrf[role];
      headers['Content-Type'] = 'application/json';
    }
    return w.as[role].request(method, p, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  w.ok = async (role, method, p, body, status = 200) => {
    const res = await w.api(role, method, p, body);
    assert.equal(res.status, status, `${role} ${method} ${p}: ${res.body.slice(0, 400)}`);
    return res.json();
  };
  return w;
}

/** A server with the demo organisation, the frameworks, logged-in clients by role, their
 * CSRF tokens and user ids. */
async function makeWorld() {
  const w = withApi({ server: await startServer() });
  for (const f of ['crcn.csv', 'digcomp.csv', 'mapping.csv']) {
    const r = spawnSync(BIN, ['import-framework', '--data', w.server.dataDir, path.join(ROOT, 'courses', 'frameworks', f)], { encoding: 'utf8' });
    assert.equal(r.status, 0, `import-framework ${f}: ${r.stderr}`);
  }
  w.as = {}; w.csrf = {}; w.ids = {};
  for (const role of ['admin', 'hr', 'manager', 'agent', 'agent2']) {
    w.as[role] = client(w.server);
    await w.as[role].loginOk(DEMO[role]);
    w.csrf[role] = await w.as[role].csrf('/me/profile', '/me/profile');
    w.ids[role] = (await w.ok(role, 'GET', '/api/v1/me/profile')).user_id;
  }
  return w;
}

/** The page's bytes without what differs by session (the CSRF token). */
function sessionFree(body) {
  return body.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="X"');
}

const BIO = 'cryptographie quantique';

describe('no oracle: a hidden agent is invisible to the talent search, whatever is asked', () => {
  let A; // the hidden agent has the properties probed
  let B; // the twin: the same organisation, the agent without them
  before(async () => {
    [A, B] = [await makeWorld(), await makeWorld()];
    // A: verified CRCN-1.1 at 5 (attested by the manager), declared CRCN-3.2 at 6,
    // available, a bio; the agent stays hidden (the default)
    await A.ok('manager', 'POST', `/api/v1/users/${A.ids.agent}/attestations`, { code: 'CRCN-1.1', level: '5', comment: 'Vu en situation' }, 201);
    await A.ok('agent', 'POST', '/api/v1/me/self-assessments', { code: 'CRCN-3.2', level: '6', comment: '' }, 201);
    await A.ok('agent', 'POST', '/api/v1/me/profile', { visibility: 'hidden', bio: BIO, interests: 'escalade', languages: 'français', available: 'true' });
    // B: nothing of that
    await B.ok('agent', 'POST', '/api/v1/me/profile', { visibility: 'hidden', bio: 'jardinage', interests: 'lecture', languages: 'français', available: 'false' });
    for (const w of [A, B]) assert.equal((await w.ok('agent', 'GET', '/api/v1/me/profile')).visibility, 'hidden');
  });
  after(async () => { await A?.server.stop(); await B?.server.stop(); });

  /** GETs p as role on both twins; the bodies (and statuses) must be byte-identical. */
  async function same(role, p, { json = true } = {}) {
    const headers = json ? { Accept: 'application/json' } : {};
    const [ra, rb] = [await A.as[role].get(p, { headers }), await B.as[role].get(p, { headers })];
    assert.equal(ra.status, rb.status, `${role} ${p}: status`);
    assert.equal(sessionFree(ra.body), sessionFree(rb.body), `${role} ${p}: the answer depends on the hidden agent`);
    return ra;
  }

  for (const role of ['hr', 'manager']) {
    test(`${role}: the binary search over levels learns nothing (verified, declared, available, unit)`, async () => {
      const unit = (await A.ok('agent', 'GET', '/api/v1/me/profile')).unit_id;
      // the attacker's loop: the answer of each probe decides the next one
      for (const code of ['CRCN-1.1', 'CRCN-3.2']) {
        for (const extra of ['', '&declared=1', '&available=1', `&unit=${unit}`, '&declared=1&available=1&fresh=12']) {
          let lo = 0;
          let hi = 8;
          const first = (await same(role, `/api/v1/talent/search?needs=${code}:1${extra}`)).json();
          while (lo < hi) {
            const mid = Math.ceil((lo + hi) / 2);
            const r = (await same(role, `/api/v1/talent/search?needs=${code}:${mid}${extra}`)).json();
            if (JSON.stringify(r.hidden) !== JSON.stringify(first.hidden) || r.hidden_total !== first.hidden_total) lo = mid;
            else hi = mid - 1;
          }
          // and every level, both ways the page offers it
          for (let l = 1; l <= 8; l++) {
            await same(role, `/api/v1/talent/search?c1=${code}&l1=${l}${extra}`);
          }
        }
      }
      // the page and the CSV say the same
      await same(role, `/talent?needs=CRCN-1.1:5&declared=1&available=1&unit=${unit}`, { json: false });
      await same(role, '/talent/export.csv?needs=CRCN-1.1:5', { json: false });
    });

    test(`${role}: the prefix search over the words of a bio learns nothing`, async () => {
      const probes = new Set();
      for (const word of [...BIO.split(' '), 'escalade', 'jardinage', 'lecture']) {
        for (let i = 1; i <= word.length; i++) probes.add(word.slice(0, i));
      }
      for (const c of 'abcdefghijklmnopqrstuvwxyz') probes.add(c);
      for (const q of probes) {
        await same(role, `/api/v1/talent/search?q=${encodeURIComponent(q)}`);
        await same(role, `/api/v1/talent/search?q=${encodeURIComponent(q)}&needs=CRCN-1.1:1&declared=1`);
      }
      await same(role, `/talent?q=${encodeURIComponent('cryptographie')}`, { json: false });
    });
  }

  test('the call page\'s suggestions and hidden count do not depend on the hidden agent', async () => {
    const day = (d) => new Date(Date.now() + d * 86400e3).toISOString().slice(0, 10);
    for (const owner of ['hr', 'manager']) {
      for (let l = 1; l <= 8; l++) {
        const parts = [];
        for (const w of [A, B]) {
          const c = await w.ok(owner, 'POST', '/api/v1/calls', {
            title: `Appel ${l}`, description: 'x', opens_on: day(-1), closes_on: day(30),
            needs: [{ code: 'CRCN-1.1', min_level: l, weight: 1 }, { code: 'CRCN-3.2', min_level: 1, weight: 1 }],
          }, 201);
          await w.ok(owner, 'POST', `/api/v1/calls/${c.id}/state`, { state: 'open' });
          const seen = await w.ok(owner, 'GET', `/api/v1/calls/${c.id}`);
          parts.push(JSON.stringify([seen.suggested, seen.suggested_hidden, seen.applications]));
          const page = await w.as[owner].get(`/calls/${c.id}`);
          const hiddenLine = page.body.match(/<p class="help">[^<]*<\/p>\s*<\/section>/g);
          parts.push(JSON.stringify(hiddenLine));
        }
        assert.equal(parts[0], parts[2], `${owner} level ${l}: suggestions differ`);
        assert.equal(parts[1], parts[3], `${owner} level ${l}: the page's hidden count differs`);
      }
    }
  });
});
