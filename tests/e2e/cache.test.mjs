// SPDX-License-Identifier: EUPL-1.2
// The caches under writes (docs/performance.md): a write by one agent leaves another's
// cached pages intact and is seen by its own next request; the command line disabling an
// account, changing roles or resetting a password is seen by the very next request; no
// write after a cache hit brings back a stale field. Counters of /metrics tell a page
// served from the cache (hits) from one rendered (misses).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, DEMO, DEMO_PASSWORD, client, htmlLang, sqlText, startServer } from './helpers.mjs';

describe('page cache and change log', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  const counters = async () => {
    const m = (await client(server).get('/metrics')).body;
    const read = (name) => Number((m.match(new RegExp(`^${name} (\\d+)$`, 'm')) || [])[1]);
    return { hits: read('passport_page_cache_hits'), misses: read('passport_page_cache_misses') };
  };
  // the change in the counters over one call of fn
  const delta = async (fn) => {
    const c0 = await counters();
    const out = await fn();
    const c1 = await counters();
    return { hits: c1.hits - c0.hits, misses: c1.misses - c0.misses, out };
  };
  const cli = (...args) => {
    const r = spawnSync(BIN, ['user', ...args, '--data', server.dataDir], { encoding: 'utf8', input: `${DEMO_PASSWORD}\n`, env: server.cliEnv });
    assert.equal(r.status, 0, `passport user ${args.join(' ')}: ${r.stderr}`);
  };
  const sql = (q) => {
    return sqlText(server, q);
  };
  const signedIn = async (email) => {
    const c = client(server);
    await c.loginOk(email, DEMO_PASSWORD);
    return c;
  };
  const declare = async (c, code) => {
    const csrf = await c.csrf('/me/profile', '/me/profile');
    const r = await c.request('POST', '/api/v1/me/self-assessments', {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ code, level: 3, comment: 'cache test' }),
    });
    assert.ok(r.status === 200 || r.status === 201, `self-assessment: ${r.status} ${r.body.slice(0, 200)}`);
  };

  test("one agent's write leaves another's cached pages intact and is seen by its own next request", async () => {
    const a = await signedIn(DEMO.agent);
    const b = await signedIn(DEMO.agent2);
    const pages = ['/courses', '/passport', '/'];
    const before_ = {};
    for (const p of pages) {
      for (const c of [a, b]) assert.equal((await c.get(p)).status, 200, p); // rendered and kept
      before_[p] = (await a.get(p)).body;
    }
    for (const p of pages) {
      const d = await delta(() => b.get(p));
      assert.equal(d.out.status, 200);
      assert.deepEqual([d.hits, d.misses], [1, 0], `${p} of agent 2 is served from the cache`);
    }
    await declare(a, 'CRCN-2.1');
    for (const p of pages) {
      const d = await delta(() => b.get(p));
      assert.deepEqual([d.hits, d.misses], [1, 0], `${p} of agent 2 stays cached after agent 1's write`);
    }
    const d = await delta(() => a.get('/passport'));
    assert.deepEqual([d.hits, d.misses], [0, 1], "agent 1's passport is rendered again");
    assert.notEqual(d.out.body, before_['/passport'], 'and shows the self-assessment');
    const home = await delta(() => a.get('/'));
    assert.deepEqual([home.hits, home.misses], [0, 1], "agent 1's home page is rendered again");
    assert.notEqual(home.out.body, before_['/'], 'its passport counts moved');
  });

  test('a change everyone sees (a renamed person) empties every agent\'s pages', async () => {
    const b = await signedIn(DEMO.agent2);
    await b.get('/courses');
    assert.deepEqual(Object.values(await delta(() => b.get('/courses'))).slice(0, 2), [1, 0]);
    sql(`UPDATE users SET display_name = 'Manager renommé' WHERE email = '${DEMO.manager}'`);
    const d = await delta(() => b.get('/courses'));
    assert.deepEqual([d.hits, d.misses], [0, 1]);
  });

  test('the command line disabling an account is seen by the very next request', async () => {
    const email = 'cache-disabled@demo.passport.test';
    cli('add', email, '--role', 'agent', '--name', 'Agent cache');
    const c = await signedIn(email);
    assert.equal((await c.get('/courses')).status, 200);
    const warm = await delta(() => c.get('/courses'));
    assert.deepEqual([warm.out.status, warm.hits], [200, 1], 'served from the cache before');
    cli('disable', email);
    const r = await c.get('/courses');
    assert.equal(r.status, 303, 'signed out at the next request');
    assert.equal((await c.get('/api/v1/me')).status, 401);
  });

  test('the command line changing roles is seen by the very next request', async () => {
    const email = 'cache-roles@demo.passport.test';
    cli('add', email, '--role', 'agent,manager', '--name', 'Manager cache');
    const c = await signedIn(email);
    for (let i = 0; i < 2; i++) {
      const r = await c.get('/courses');
      assert.match(r.body, /href="\/team/, 'the manager sees the team link');
    }
    assert.equal((await c.get('/team/people')).status, 200);
    cli('roles', email, '--role', 'agent');
    const r = await c.get('/courses');
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.body, /href="\/team/, 'the cached page with the team link is not served');
    assert.equal((await c.get('/team/people')).status, 403, 'the removed role takes effect');
  });

  test('the command line resetting a password ends the session at the very next request', async () => {
    const email = 'cache-passwd@demo.passport.test';
    cli('add', email, '--role', 'agent', '--name', 'Agent mot de passe');
    const c = await signedIn(email);
    await c.get('/');
    assert.equal((await c.get('/')).status, 200);
    cli('passwd', email);
    const r = await c.get('/');
    assert.equal(r.status, 303);
    assert.equal(r.location, '/login?next=%2F');
  });

  test('no write after a cache hit restores a stale field (locale, profile, notifications, self-assessment)', async () => {
    const email = 'cache-writes@demo.passport.test';
    cli('add', email, '--role', 'agent,manager', '--name', 'Agent formulaires');
    const c = await signedIn(email);
    const warm = async () => {
      for (const p of ['/', '/me/profile', '/passport', '/courses']) { await c.get(p); await c.get(p); }
    };
    const row = () => sql(`SELECT roles || '|' || locale || '|' || CASE WHEN disabled_at IS NULL THEN 1 ELSE 0 END FROM users WHERE email = '${email}'`);
    await warm();
    // another process changes the roles; every form of the account or profile follows
    cli('roles', email, '--role', 'agent');
    let r = await c.submit('/me/profile', '/locale', { locale: 'en', next: '/' });
    assert.equal(r.status, 303);
    assert.equal(row(), '1|en|1', '/locale wrote the locale alone');
    assert.equal(htmlLang((await c.get('/')).body), 'en', 'the next page is in English, not the cached French one');
    await warm();
    sql(`UPDATE users SET roles = 3 WHERE email = '${email}'`);
    r = await c.submit('/me/profile', '/me/profile', { bio: 'Écrit après un cache', interests: 'cartes', languages: 'fr' });
    assert.equal(r.status, 303, r.body.slice(0, 300));
    assert.equal(row(), '3|en|1', 'the profile form kept the roles another process set');
    await warm();
    const id = sql(`SELECT id FROM users WHERE email = '${email}'`);
    sql(`UPDATE profiles SET interests = 'changé ailleurs' WHERE user_id = ${id}`);
    const csrf = await c.csrf('/me/profile', '/me/profile');
    r = await c.request('POST', '/api/v1/me/profile', {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ bio: 'Seule la bio' }),
    });
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.equal(sql(`SELECT interests FROM profiles WHERE user_id = ${id}`), 'changé ailleurs',
      'a field the request does not carry keeps the stored value, not a cached one');
    await warm();
    cli('roles', email, '--role', 'agent');
    r = await c.submit('/me/notifications', '/me/notifications', { pref: 'digest' });
    assert.equal(r.status, 303, r.body.slice(0, 300));
    await declare(c, 'CRCN-1.1');
    assert.equal(row(), '1|en|1', 'the notifications form and a self-assessment kept the roles');
    await c.submit('/me/profile', '/locale', { locale: 'fr', next: '/' });
    assert.equal(row(), '1|fr|1');
    assert.equal(htmlLang((await c.get('/')).body), 'fr');
  });
});
