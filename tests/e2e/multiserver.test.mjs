// SPDX-License-Identifier: EUPL-1.2
// Two `passport serve` on one database (docs/deployment.md, "Several servers"): a session
// made on one is used on the other; a write through one is seen by the next request on the
// other (the page cache and the talent index learn of it from the change log); the periodic
// work runs once across both, and goes on when one of them is killed; a server with another
// course library, or other secrets, is refused; a key rotated on one server makes the
// other "not ready" until it has the key, and so does a published library.
//
// On PostgreSQL when PASSPORT_TEST_PG holds the URL of a running database server
// (scripts/pg-harness url): each run makes its own database there (CREATE DATABASE) and
// each server has its own data folder with copies of the first one's keys. Skipped
// otherwise, unless MULTISERVER_SQLITE=1: both servers then share one data folder and its
// SQLite file (the same logic, one machine).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, DEMO, ROOT, client, htmlLang, startServer } from './helpers.mjs';

// In `make test`, once: in the PostgreSQL pass (PASSPORT_E2E_ENGINE=postgresql).
const PG = (process.env.PASSPORT_E2E_ENGINE === 'postgresql' && process.env.PASSPORT_TEST_PG) || '';
const SQLITE = !PG && process.env.MULTISERVER_SQLITE === '1';
const skip = !PG && !SQLITE ? 'PASSPORT_TEST_PG is not set (MULTISERVER_SQLITE=1 runs it on one SQLite file)' : false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const PERIOD = 2; // PASSPORT_HOUSEKEEPING_SECONDS
const ENV = { PASSPORT_TICK_SECONDS: '1', PASSPORT_HOUSEKEEPING_SECONDS: String(PERIOD) };

/** A new database on the server of PASSPORT_TEST_PG: {url, drop()}. */
function pgDatabase() {
  const name = `passport_multi_${process.pid}_${Date.now() % 100000}`;
  const psql = (sql) => {
    const r = spawnSync('psql', [PG, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `psql ${sql}: ${r.stderr}`);
  };
  psql(`CREATE DATABASE ${name}`);
  const u = new URL(PG);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** A data folder with copies of from's secrets (keys/, quiz-nonce.key), for another server. */
function secretsCopy(from) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-e2e-'));
  fs.cpSync(path.join(from, 'keys'), path.join(dir, 'keys'), { recursive: true });
  fs.copyFileSync(path.join(from, 'quiz-nonce.key'), path.join(dir, 'quiz-nonce.key'));
  return dir;
}

async function metric(server, name) {
  const m = (await client(server).get('/metrics')).body;
  return Number((m.match(new RegExp(`^${name} (\\d+)$`, 'm')) || [])[1]);
}

async function ready(server) {
  const r = await client(server).get('/readyz');
  return { status: r.status, checks: JSON.parse(r.body).checks };
}

/** `passport serve` that must refuse to start: its exit status and stderr. */
function serveRefused(dataDir, env, courses) {
  const r = spawnSync(BIN, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--web', path.join(ROOT, 'web'),
    '--courses', courses, '--quiet'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

/** A copy of the course library with one module's text changed: another library version. */
function changedLibrary() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-courses-'));
  fs.cpSync(path.join(ROOT, 'courses'), dir, { recursive: true });
  const course = fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'course.md'))).sort()[0];
  const mod = fs.readdirSync(path.join(dir, course)).filter((f) => /^\d\d-.*\.md$/.test(f)).sort()[0];
  fs.appendFileSync(path.join(dir, course, mod), '\n');
  return dir;
}

describe('two servers on one database', { skip }, () => {
  let a, b, db, env;
  const dirs = [];
  before(async () => {
    db = PG ? pgDatabase() : null;
    env = { ...ENV, ...(db ? { PASSPORT_DATABASE: db.url } : {}) };
    a = await startServer({ env });
    b = await startServer({ env, dataDir: SQLITE ? a.dataDir : secretsCopy(a.dataDir) });
  });
  after(async () => {
    await b?.stop(); // in SQLite mode this removes the shared folder under a: a still stops cleanly
    await a?.stop();
    db?.drop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test('a session made on one server is used on the other, and a write on one is seen at once on the other', async () => {
    const ca = client(a);
    await ca.loginOk(DEMO.agent);
    const cb = ca.via(b.url); // one browser, two servers
    let r = await cb.get('/me/profile');
    assert.equal(r.status, 200, 'the session of server A works on server B');
    assert.equal(htmlLang(r.body), 'fr');
    await cb.get('/me/profile'); // kept in B's page cache
    r = await ca.submit('/me/profile', '/locale', { locale: 'en', next: '/' }); // CSRF token of A's page
    assert.equal(r.status, 303);
    r = await cb.get('/me/profile');
    assert.equal(htmlLang(r.body), 'en', "B's next request sees the locale written through A");
    assert.equal(ca.cookies.has('pp_sync'), Boolean(PG), 'a write sets the read-your-writes cookie where servers listen (PostgreSQL)');
    r = await cb.submit('/me/profile', '/locale', { locale: 'fr', next: '/' }); // and back, through B
    assert.equal(r.status, 303);
    assert.equal(htmlLang((await ca.get('/me/profile')).body), 'fr');
  });

  test("a browser's own write is seen by its next request on the other server, before the commit's notification",
    { skip: SQLITE && 'PostgreSQL only' }, async () => {
      const ca = client(a);
      await ca.loginOk(DEMO.agent);
      const cb = ca.via(b.url);
      await cb.get('/me/profile');
      assert.equal(htmlLang((await cb.get('/me/profile')).body), 'fr', "kept in B's page cache");
      // No notification at all while the trigger is off: only the cookie can make B look.
      const trigger = (on) => {
        const r = spawnSync('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-qAtc',
          `ALTER TABLE changes ${on ? 'ENABLE' : 'DISABLE'} TRIGGER changes_notify`], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      };
      trigger(false);
      try {
        const n0 = await metric(b, 'passport_store_notifications');
        const r = await ca.submit('/me/profile', '/locale', { locale: 'en', next: '/' });
        assert.equal(r.status, 303);
        assert.ok(ca.cookies.has('pp_sync'), 'the write set the cookie');
        assert.equal(htmlLang((await cb.get('/me/profile')).body), 'en', "B's next request sees the browser's write");
        assert.equal(await metric(b, 'passport_store_notifications'), n0, 'with no notification');
        assert.equal((await cb.submit('/me/profile', '/locale', { locale: 'fr', next: '/' })).status, 303);
        assert.equal(htmlLang((await ca.get('/me/profile')).body), 'fr', 'and back, through B, seen on A');
      } finally {
        trigger(true);
      }
    });

  test("a server learns of the other's commits by notification, and asks the database while it cannot listen",
    { skip: SQLITE && 'PostgreSQL only' }, async () => {
      assert.equal(await metric(b, 'passport_store_listening'), 1, 'B listens for the commits of others');
      const ca = client(a);
      await ca.loginOk(DEMO.agent);
      // The writer and the reader are two browsers of the agent: the reader has no
      // read-your-writes cookie, so B sees the write through the notification alone (or,
      // while it cannot listen, by asking the database at each request).
      const cb = client(b);
      await cb.loginOk(DEMO.agent);
      const listening = () => metric(b, 'passport_store_listening');
      const until = async (what, ok) => {
        for (let i = 0; i < 100; i++) {
          if (ok(await what())) return true;
          await sleep(50);
        }
        return false;
      };
      const write = async (locale) => {
        await cb.get('/me/profile');
        await cb.get('/me/profile'); // kept in B's page cache
        const r = await ca.submit('/me/profile', '/locale', { locale, next: '/' });
        assert.equal(r.status, 303);
      };
      const seen = async () => htmlLang((await cb.get('/me/profile')).body);
      assert.equal(await listening(), 1, 'B listens for the commits of others');
      const n0 = await metric(b, 'passport_store_notifications');
      await write('en');
      // the notification may still be on its way when A answers (docs/performance.md)
      assert.ok(await until(() => metric(b, 'passport_store_notifications'), (n) => n > n0),
        'B learned of the write by a notification');
      assert.equal(await seen(), 'en', "B's next request after the notification sees A's write");
      // Both servers' listening connections cut (a restart of PostgreSQL, a network failure):
      // the backends are gone when psql returns; each request asks the database until B
      // listens again, a second later at the earliest. A read counts as one made without
      // the listener when B was still not listening after it (a loaded machine may take
      // longer than that second: cut again, up to three times).
      const cut = () => {
        const r = spawnSync('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-qAtc',
          "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE application_name = 'passport-listen'" +
          ' AND datname = current_database()'], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout.trim();
      };
      let locale = 'en';
      let unlistened = 0;
      for (let i = 0; i < 3 && !unlistened; i++) {
        assert.ok(await until(listening, (v) => v === 1), 'B listens');
        assert.equal(cut(), '2', 'one listening connection per server');
        await cb.get('/me/profile'); // B reads what its listening socket still held, and its end
        const n1 = await metric(b, 'passport_store_notifications');
        await write(locale = locale === 'en' ? 'fr' : 'en');
        const got = await seen();
        if ((await listening()) !== 0) continue;
        assert.equal(await metric(b, 'passport_store_notifications'), n1, 'no notification while cut');
        assert.equal(got, locale, 'seen while B cannot listen');
        unlistened++;
      }
      assert.equal(unlistened, 1, 'a read made while B could not listen (3 tries)');
      assert.ok(await until(listening, (v) => v === 1), 'B listens again');
      const n2 = await metric(b, 'passport_store_notifications');
      await write(locale = locale === 'en' ? 'fr' : 'en');
      assert.ok(await until(() => metric(b, 'passport_store_notifications'), (n) => n > n2), 'notified again');
      assert.equal(await seen(), locale, 'seen once B listens again');
    });

  test("the talent index of one server learns of the other's writes", async () => {
    const as = {};
    const tokens = {};
    for (const [role, srv] of [['hr', b], ['agent', a], ['manager', a]]) {
      as[role] = client(srv);
      await as[role].loginOk(DEMO[role]);
      tokens[role] = await as[role].csrf('/me/profile', '/me/profile');
    }
    const api = async (role, method, p, body) => {
      const headers = { Accept: 'application/json' };
      if (method !== 'GET') Object.assign(headers, { 'X-CSRF-Token': tokens[role], 'Content-Type': 'application/json' });
      const res = await as[role].request(method, p, { headers, body: body && JSON.stringify(body) });
      assert.ok(res.status < 300, `${role} ${method} ${p}: ${res.status} ${res.body.slice(0, 300)}`);
      return res.json();
    };
    const agent = (await api('agent', 'GET', '/api/v1/me/profile')).user_id;
    await api('agent', 'POST', '/api/v1/me/profile', { visibility: 'hidden' });
    await api('manager', 'POST', `/api/v1/users/${agent}/attestations`, { code: 'CRCN-4.1', level: '5', comment: 'Observé' });
    const found = async () => (await api('hr', 'GET', '/api/v1/talent/search?needs=CRCN-4.1:5')).results
      .some((x) => x.user_id === agent);
    assert.equal(await found(), false, 'hidden: not found on B');
    await api('agent', 'POST', '/api/v1/me/profile', { visibility: 'hr' }); // through A
    assert.equal(await found(), true, "B's index applied A's write before answering");
  });

  test('the periodic work runs once across the servers, not once per server', async () => {
    const total = async () => (await metric(a, 'passport_housekeeping_runs')) + (await metric(b, 'passport_housekeeping_runs'));
    const t0 = Date.now();
    const n0 = await total();
    await sleep(8000);
    const n1 = await total();
    const periods = (Date.now() - t0) / 1000 / PERIOD;
    assert.ok(n1 - n0 >= 1, 'it runs');
    assert.ok(n1 - n0 <= Math.floor(periods) + 1, `${n1 - n0} runs in ${periods.toFixed(1)} periods: more than once a period`);
  });

  test('a course library that differs from the current one is refused at start, with what to do', async () => {
    const lib = changedLibrary();
    dirs.push(lib);
    const data = SQLITE ? a.dataDir : secretsCopy(a.dataDir);
    if (!SQLITE) dirs.push(data);
    const r = serveRefused(data, env, lib);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /the course library in .* differs from the current one .*served by .*publish-courses/);
  });

  test('a server whose issuer keys differ is refused at start', { skip: SQLITE && 'one shared data folder' }, async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-e2e-')); // new keys, new quiz-form key
    dirs.push(data);
    const r = serveRefused(data, env, path.join(ROOT, 'courses'));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /issuer keys or the quiz-form key .* differ from those of server/);
  });

  test('a key rotated on one server is adopted by it; the other is not ready until it has the key', async () => {
    const r = spawnSync(BIN, ['keys', 'rotate', '--data', b.dataDir], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    await b.restart(); // its key set holds every current key plus the new one: it becomes current
    let state;
    for (let i = 0; i < 50; i++) {
      state = await ready(a);
      if (state.status === 503) break;
      await sleep(200);
    }
    assert.equal(state.status, 503, 'A signs with a key B does not publish, or the reverse: A is taken out');
    assert.match(state.checks.shared_files.detail, /issuer keys differ/);
    assert.equal((await ready(b)).status, 200);
  });

  test('one server killed, the other keeps serving and takes the periodic work over', async () => {
    const cb = client(b);
    await cb.loginOk(DEMO.hr);
    a.signal('SIGKILL');
    await a.exited();
    const n0 = await metric(b, 'passport_housekeeping_runs');
    await sleep(PERIOD * 2000 + 1500);
    assert.ok((await metric(b, 'passport_housekeeping_runs')) > n0, 'B runs the housekeeping alone');
    assert.equal((await cb.get('/me/profile')).status, 200);
    assert.equal((await ready(b)).status, 200);
    if (!SQLITE) dirs.push(a.dataDir);
    a.stop = async () => {}; // killed on purpose: no clean exit to check
  });

  test('a published library makes the server that lacks it not ready', async () => {
    const lib = changedLibrary();
    dirs.push(lib);
    const data = SQLITE ? b.dataDir : secretsCopy(b.dataDir);
    if (!SQLITE) dirs.push(data);
    const r = spawnSync(BIN, ['publish-courses', lib, '--data', data], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    let state;
    for (let i = 0; i < 50; i++) {
      state = await ready(b);
      if (state.status === 503) break;
      await sleep(200);
    }
    assert.equal(state.status, 503);
    assert.equal(state.checks.shared_files.ok, false);
    assert.match(state.checks.shared_files.detail, /course library differs/);
    assert.equal((await client(b).get('/healthz')).status, 200, 'alive, not ready');
  });
});
