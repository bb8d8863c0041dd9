// SPDX-License-Identifier: EUPL-1.2
// Data safety of the data folder (issue 18): a `keys rotate` killed at any point leaves the
// keys usable — the server starts, the status list of credentials issued before answers and
// verifies, the DID document lists the keys, `keys list` and `keys rotate` keep working.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  BIN, DEMO, DEMO_PASSWORD, ENGINE, PG_WRITE_LOCK, ROOT, assertNoSanitizerReport, client, sqlText, startServer,
} from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 5 s) until the server's stderr matches re: log lines arrive through a pipe,
 * possibly after the answer they belong to. */
async function logged(server, re) {
  for (let i = 0; i < 100 && !re.test(server.stderr()); i++) await sleep(50);
  assert.match(server.stderr(), re);
}

/** Runs `passport ARGS --data DIR` and returns {status, out}. */
function cli(dataDir, args, env = {}) {
  const r = spawnSync(BIN, [...args, '--data', dataDir], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  assertNoSanitizerReport(out, `passport ${args.join(' ')}`);
  return { status: r.status, out };
}

/** Starts `passport keys rotate` and kills it with SIGKILL when `when` resolves. */
async function killedRotate(dataDir, env, when) {
  const child = spawn(BIN, ['keys', 'rotate', '--data', dataDir], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  await when(child);
  child.kill('SIGKILL');
  return exited;
}

describe('a crash during keys rotate', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { PASSPORT_PUBLIC_URL: 'https://passport.example.test' } });
  });
  after(async () => { await server?.stop(); });

  test('keys stay usable; status list and DID document keep being served', async () => {
    const keysDir = path.join(server.dataDir, 'keys');
    const admin = client(server);
    await admin.loginOk(DEMO.admin);
    const csrf = await admin.csrf('/admin/badges', '/admin/badges/award');
    const award = await admin.post('/admin/badges/award', { _csrf: csrf, email: DEMO.agent, slug: 'donnees-personnelles', narrative: 'Atelier' });
    assert.equal(award.status, 303, award.body.slice(0, 500));
    const before = await client(server).get('/status/1');
    assert.equal(before.status, 200);

    // Killed between the complete temporary file and its rename (the test hook pauses there).
    const r = await killedRotate(server.dataDir, { PASSPORT_TEST_ATOMIC_PAUSE_MS: '20000' }, async () => {
      for (let i = 0; i < 400 && !fs.readdirSync(keysDir).some((f) => f.includes('.tmp-')); i++) await sleep(25);
    });
    assert.equal(r.signal, 'SIGKILL');
    const left = fs.readdirSync(keysDir);
    assert.ok(left.some((f) => f.startsWith('.') && f.includes('.tmp-')), `a temporary file is left: ${left}`);
    assert.equal(left.filter((f) => f.endsWith('.pem') && !f.startsWith('.')).length, 1, `no new key file: ${left}`);
    // What the older in-place writer left when killed: an empty key file.
    fs.writeFileSync(path.join(keysDir, 'key-0002-20261205T000000Z-deadbeef.pem'), '', { mode: 0o600 });
    // A few more kills at random points of a rotation, without the pause.
    for (let round = 0; round < 3; round++) {
      await killedRotate(server.dataDir, {}, () => sleep(5 + Math.floor(Math.random() * 120)));
    }

    const list = cli(server.dataDir, ['keys', 'list']);
    assert.equal(list.status, 0, list.out);
    assert.match(list.out, /warning: issuer key .*key-0002-20261205T000000Z-deadbeef\.pem ignored/);
    assert.match(list.out, /temporary file left by a crash, ignored/);
    const rot = cli(server.dataDir, ['keys', 'rotate']);
    assert.equal(rot.status, 0, rot.out);
    assert.match(rot.out, /new signing key z6Mk/);

    await server.restart();
    const anon = client(server);
    const status = await anon.get('/status/1');
    assert.equal(status.status, 200, status.body.slice(0, 500));
    const list1 = JSON.parse(status.body);
    assert.equal(list1.credentialSubject.encodedList, JSON.parse(before.body).credentialSubject.encodedList);
    const did = await anon.get('/.well-known/did.json');
    assert.equal(did.status, 200, did.body.slice(0, 500));
    const listed = cli(server.dataDir, ['keys', 'list']).out.match(/^[* ] \S+\.pem {2}(z6Mk\w+)/gm) || [];
    assert.ok(listed.length >= 2, listed.join('\n'));
    assert.equal(JSON.parse(did.body).verificationMethod.length, listed.length);
    // The credential issued before the crash still verifies on the server (proof + status).
    const agent = client(server);
    await agent.loginOk(DEMO.agent);
    const mine = await agent.get('/api/v1/badges');
    assert.equal(mine.status, 200);
    const again = await admin.csrf('/admin/badges', '/admin/badges/award');
    const award2 = await admin.post('/admin/badges/award', { _csrf: again, email: DEMO.agent2, slug: 'donnees-personnelles', narrative: 'Après' });
    assert.equal(award2.status, 303, 'issuance works with the key made after the crash');
  });
});

/** A function writing the signed-in agent's bio through the API (one write transaction). */
function profileWriter(agent, csrf) {
  return (bio) => agent.request('POST', '/api/v1/me/profile', {
    headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ bio, interests: '', languages: '' }),
  });
}

/** Holds the write lock of server's database from another process until release() is
 * called: SQLite's (BEGIN IMMEDIATE in sqlite3), or on PostgreSQL the advisory lock every
 * Passport write transaction takes (in psql). */
async function holdWriteLock(server) {
  const pg = ENGINE === 'postgresql';
  const child = pg
    ? spawn('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', server.database], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('sqlite3', [server.database], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { out += d; });
  child.stdin.write(pg ? `BEGIN;\nSELECT pg_advisory_xact_lock(${PG_WRITE_LOCK});\nSELECT 'locked';\n`
    : '.timeout 5000\nBEGIN IMMEDIATE;\nSELECT \'locked\';\n');
  for (let i = 0; i < 200 && !out.includes('locked'); i++) await sleep(25);
  assert.match(out, /locked/, `${pg ? 'psql' : 'sqlite3'} holds the lock: ${out}`);
  const exited = new Promise((r) => child.on('exit', r));
  return async () => { child.stdin.end(pg ? 'ROLLBACK;\n\\q\n' : 'ROLLBACK;\n.quit\n'); await exited; };
}

describe('another process holds the write lock', () => {
  let server;
  before(async () => { server = await startServer({ env: { PASSPORT_WRITE_WAIT_MS: '250' } }); }); // serve's default
  after(async () => { await server?.stop(); });

  test('/healthz stays fast, writes answer 503 with Retry-After promptly, then work again', async () => {
    const agent = client(server);
    await agent.loginOk(DEMO.agent);
    const csrf = await agent.csrf('/me/profile', '/me/profile');
    const write = profileWriter(agent, csrf);
    const release = await holdWriteLock(server);
    try {
      const t0 = Date.now();
      // two writes at once (as many as the server has workers here), and health checks meanwhile
      const writes = [write('un'), write('deux')];
      await sleep(20);
      const health = [];
      for (let i = 0; i < 3; i++) {
        const h0 = Date.now();
        const h = await client(server).get('/healthz');
        health.push([h.status, Date.now() - h0]);
      }
      const answers = await Promise.all(writes);
      const took = Date.now() - t0;
      for (const [status, ms] of health) {
        assert.equal(status, 200);
        assert.ok(ms < 1500, `/healthz took ${ms} ms while writes waited`);
      }
      for (const r of answers) {
        assert.equal(r.status, 503, r.body.slice(0, 300));
        assert.equal(r.headers.get('retry-after'), '1');
        assert.equal(r.json().error.status, 503);
      }
      assert.ok(took < 3000, `the writes answered 503 after ${took} ms`);
      // reads do not wait for the writer
      const r0 = Date.now();
      const page = await agent.get('/api/v1/me/profile');
      assert.equal(page.status, 200);
      assert.ok(Date.now() - r0 < 1000);
    } finally {
      await release();
    }
    const ok = await write('trois');
    assert.equal(ok.status, 200, ok.body.slice(0, 300));
    assert.equal(ok.json().bio, 'trois');
  });
});

/** Mounts a tmpfs of `size` on a new folder; null when the platform does not allow it. */
function smallDisk(size) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    remount(opts) { return spawnSync('mount', ['-o', `remount,${opts}`, dir], { encoding: 'utf8' }).status === 0; },
    fill() {
      // a filler file up to the last byte (dd stops with ENOSPC)
      spawnSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'filler')}`, 'bs=64k'], { encoding: 'utf8' });
    },
    unfill() { fs.rmSync(path.join(dir, 'filler'), { force: true }); },
    remove() {
      spawnSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL: takes the server's role's rights to write (grant: true gives them back), a
 * database refusing writes as a full disk refuses them to SQLite. */
function pgWrites(server, grant) {
  sqlText(server, grant ? 'GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO CURRENT_USER'
    : 'REVOKE INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public FROM CURRENT_USER');
}

describe('database failures are visible', () => {
  test('a corrupt sessions table answers 500 and logs it, not 401', async () => {
    const server = await startServer();
    try {
      const agent = client(server);
      await agent.loginOk(DEMO.agent);
      assert.equal((await agent.get('/api/v1/me/profile')).status, 200);
      if (ENGINE === 'sqlite') {
        const db = server.database;
        await server.restart({ whileStopped: () => {
          const q = spawnSync('sqlite3', [db, "PRAGMA wal_checkpoint(TRUNCATE); SELECT rootpage FROM sqlite_schema WHERE name = 'sessions'; PRAGMA page_size;"], { encoding: 'utf8' });
          const [, root, pageSize] = q.stdout.trim().split('\n').map(Number);
          const fd = fs.openSync(db, 'r+');
          fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (root - 1) * pageSize);
          fs.closeSync(fd);
        } });
      } else {
        // no file to damage on PostgreSQL: the sessions table becomes unreadable instead
        // (after a restart, as on SQLite: the server remembers the sessions it has read)
        await server.restart();
        sqlText(server, 'REVOKE SELECT ON sessions FROM CURRENT_USER');
      }
      const r = await agent.get('/api/v1/me/profile', { headers: { Accept: 'application/json' } });
      assert.equal(r.status, 500, r.body.slice(0, 300));
      await logged(server, ENGINE === 'sqlite' ? /database error: .*malformed/ : /database error: .*permission denied for table sessions/);
    } finally {
      await server.stop().catch(() => {});
    }
  });

  // Without root (no tmpfs of a chosen size), a file size limit makes every write that
  // grows a file fail as a full disk does (SQLITE_FULL, or an I/O error when the write
  // starts past the limit). SIGXFSZ is ignored
  // by serve, so the limit is an error to log, not a killed server. On PostgreSQL, whose
  // files the server does not write, the database refuses the writes (rights revoked).
  test('a file size limit reached: writes, in a transaction or alone, answer 500 with the database error logged under their request id', async (t) => {
    const pg = ENGINE === 'postgresql';
    if (!pg && spawnSync('sh', ['-c', 'command -v prlimit']).status !== 0) { t.skip('prlimit is not installed'); return; }
    const server = await startServer();
    const limit = (value) => {
      if (pg) { pgWrites(server, value === 'unlimited'); return; }
      const r = spawnSync('prlimit', ['--pid', String(server.pid()), `--fsize=${value}:`], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    const refused = pg ? 'permission denied' : '(full|I/O error)';
    try {
      const agent = client(server);
      await agent.loginOk(DEMO.agent);
      const csrf = await agent.csrf('/me/profile', '/me/profile');
      const write = profileWriter(agent, csrf);
      limit(4096);
      const r = await write('too big');
      assert.equal(r.status, 500, r.body.slice(0, 300));
      await logged(server, new RegExp(`database error: .*${refused}.* id=${r.headers.get('x-request-id')}`));
      // a single statement's implicit commit (the session of a login) fails the same way
      const other = client(server);
      const l = await other.login(DEMO.manager, DEMO_PASSWORD);
      assert.equal(l.status, 500, l.body.slice(0, 300));
      await logged(server, new RegExp(`database error: .*${refused}.* id=${l.headers.get('x-request-id')}`));
      assert.ok(server.running(), 'the server lives');
      assert.equal((await client(server).get('/healthz')).status, 200);
      // (PostgreSQL: the write probe writes no table, the revoked rights do not stop it)
      if (!pg) assert.equal((await client(server).get('/readyz')).status, 503, 'not ready: the write probe fails');
      limit('unlimited');
      const ok = await write('room again');
      assert.equal(ok.status, 200, ok.body.slice(0, 300));
      await other.loginOk(DEMO.manager);
    } finally {
      await server.stop();
    }
  });

  test('a full disk: writes answer 5xx with a logged error, and work again once there is room', {
    skip: ENGINE === 'postgresql' && 'the data folder holds no database on PostgreSQL (its refused writes: the test above)',
  }, async (t) => {
    const disk = smallDisk('8m');
    if (!disk) { t.skip('cannot mount a small tmpfs here (needs root)'); return; }
    let server;
    try {
      server = await startServer({ dataParent: disk.dir });
      const agent = client(server);
      await agent.loginOk(DEMO.agent);
      const csrf = await agent.csrf('/me/profile', '/me/profile');
      const write = profileWriter(agent, csrf);
      disk.fill();
      let r;
      for (let i = 0; i < 20; i++) {
        r = await write('x'.repeat(400) + i);
        if (r.status !== 200) break;
      }
      assert.ok(r.status >= 500, `a write on a full disk: ${r.status}`);
      await logged(server, /database error: .*(full|No space)/i);
      const h = await client(server).get('/healthz');
      assert.equal(h.status, 200, 'liveness stays up');
      disk.unfill();
      r = await write('room again');
      assert.equal(r.status, 200, r.body.slice(0, 300));
      // start-up on a read-only data folder says so
      let s;
      await server.restart({ whileStopped: () => {
        assert.ok(disk.remount('ro'));
        s = spawnSync(BIN, ['serve', '--data', server.dataDir, '--listen', '127.0.0.1:0'], { encoding: 'utf8', timeout: 30_000 });
        assert.ok(disk.remount('rw'));
      } });
      assert.notEqual(s.status, 0);
      assert.match(s.stderr, /the data folder .* is read-only/, s.stderr);
    } finally {
      await server?.stop().catch(() => {});
      disk.remove();
    }
  });
});

describe('backup and restore', () => {
  test('on PostgreSQL, backup and restore send to pg_dump and pg_restore, and write nothing', {
    skip: ENGINE !== 'postgresql' && 'a SQLite store: the next test',
  }, () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-backup-'));
    const env = { PASSPORT_DATABASE: process.env.PASSPORT_TEST_PG };
    try {
      const archive = path.join(work, 'nightly.tar.gz');
      const b = cli(path.join(work, 'data'), ['backup', archive], env);
      assert.equal(b.status, 1, b.out);
      assert.match(b.out, /PostgreSQL database: back it up with pg_dump/);
      const r = cli(path.join(work, 'data'), ['restore', archive], env);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /PostgreSQL database: restore it with pg_restore/);
      assert.deepEqual(fs.readdirSync(work), []);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('a backup taken while the server writes restores into a server with the data and keys', {
    skip: ENGINE === 'postgresql' && 'backup and restore copy a SQLite store (PostgreSQL: pg_dump, the test above)',
  }, async () => {
    const server = await startServer();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-backup-'));
    let restored;
    try {
      const admin = client(server);
      await admin.loginOk(DEMO.admin);
      const csrf = await admin.csrf('/admin/badges', '/admin/badges/award');
      const award = await admin.post('/admin/badges/award', { _csrf: csrf, email: DEMO.agent, slug: 'donnees-personnelles', narrative: 'Avant' });
      assert.equal(award.status, 303);
      const statusBefore = JSON.parse((await client(server).get('/status/1')).body);
      const agent = client(server);
      await agent.loginOk(DEMO.agent);
      const write = profileWriter(agent, await agent.csrf('/me/profile', '/me/profile'));
      // writes go on during the backup; remember what was acknowledged when
      let n = 0, ackedBefore = -1, sentAfter = -1, backupRunning = false, done = false;
      const writer = (async () => {
        while (!done) {
          const i = n++;
          const r = await write(`bio ${i}`);
          assert.equal(r.status, 200, r.body.slice(0, 200));
          if (!backupRunning && sentAfter < 0) ackedBefore = i;
        }
      })();
      while (ackedBefore < 5) await sleep(10);
      const archive = path.join(work, 'nightly.tar.gz');
      backupRunning = true;
      const b = await new Promise((resolve) => {
        const child = spawn(BIN, ['backup', archive, '--data', server.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { out += d; });
        child.on('exit', (code) => resolve({ code, out }));
      });
      sentAfter = n;
      backupRunning = false;
      await sleep(100);
      done = true;
      await writer;
      assertNoSanitizerReport(b.out, 'passport backup');
      assert.equal(b.code, 0, b.out);
      assert.match(b.out, /backup .*: database \(schema \d+, integrity ok\), 1 issuer key/);
      assert.equal(fs.statSync(archive).mode & 0o777, 0o600);
      const listing = spawnSync('tar', ['-tzf', archive], { encoding: 'utf8' }).stdout.split('\n');
      for (const f of ['BACKUP', 'passport.db', 'quiz-nonce.key', 'keys/']) assert.ok(listing.includes(f), listing.join(' '));

      // refused into a folder that is not empty; a damaged archive leaves nothing behind
      const busy = cli(server.dataDir, ['restore', archive]);
      assert.equal(busy.status, 1);
      assert.match(busy.out, /is not empty/);
      const broken = path.join(work, 'broken.tar.gz');
      fs.writeFileSync(broken, fs.readFileSync(archive).subarray(0, 2000));
      const target0 = path.join(work, 'data0');
      const bad = cli(target0, ['restore', broken]);
      assert.equal(bad.status, 1, bad.out);
      assert.match(bad.out, /truncated or damaged/);
      assert.deepEqual(fs.readdirSync(target0), []);

      const target = path.join(work, 'data');
      const r = cli(target, ['restore', archive]);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /restored .* database schema \d+ \(integrity ok\), 1 issuer key/);
      restored = await startServer({ dataDir: target });
      const again = client(restored);
      await again.loginOk(DEMO.agent);
      const bio = (await again.get('/api/v1/me/profile')).json().bio;
      const i = Number(bio.replace('bio ', ''));
      assert.ok(i >= ackedBefore && i <= sentAfter, `restored ${bio}: acknowledged before the backup ${ackedBefore}, sent by its end ${sentAfter}`);
      const status = await client(restored).get('/status/1');
      assert.equal(status.status, 200);
      assert.equal(JSON.parse(status.body).credentialSubject.encodedList, statusBefore.credentialSubject.encodedList);
      assert.equal(JSON.parse(status.body).issuer.id ?? JSON.parse(status.body).issuer, statusBefore.issuer.id ?? statusBefore.issuer);
      const badges = (await again.get('/api/v1/badges')).json();
      assert.ok(JSON.stringify(badges).includes('donnees-personnelles'));
    } finally {
      await restored?.stop();
      await server.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('passport --version names a release of CHANGELOG.md', () => {
    const r = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    const m = r.stdout.match(/^passport (\d+\.\d+\.\d+(?:-[\w.]+)?) \(database schema \d+\)$/m);
    assert.ok(m, r.stdout);
    const changelog = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
    assert.ok(changelog.includes(`## ${m[1]} `), `CHANGELOG.md has a section for ${m[1]}`);
  });
});
