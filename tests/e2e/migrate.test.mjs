// SPDX-License-Identifier: EUPL-1.2
// `passport migrate-to-postgresql --from DATA --to URL` (docs/deployment.md): the demo
// database and a seeded organisation copied, every table identical (rows and checksum read
// back on both sides); a server on the copy signs the demo agent in and makes new rows past
// the copied ids; a second run and a non-empty target are refused.
//
// The target is a new database on the PostgreSQL server of PASSPORT_TEST_PG when it is set
// (scripts/pg-harness url), else a SQLite file: the command writes through the store API
// and does not know the engine. MIGRATE_SEED_AGENTS (default 1000) sizes the seeded case
// (10000 for the figure: about a minute under ASan).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, DEMO, DEMO_PASSWORD, ENGINE, ROOT, client, startServer } from './helpers.mjs';

const PG = process.env.PASSPORT_TEST_PG || '';
const AGENTS = process.env.MIGRATE_SEED_AGENTS || '1000';
const dirs = [];
const dbs = [];

function run(args, env = {}, input = '') {
  const r = spawnSync(BIN, args, {
    env: { ...process.env, PASSPORT_DEMO_PASSWORD: DEMO_PASSWORD, ...env }, encoding: 'utf8', timeout: 600_000, input,
  });
  return { status: r.status, out: r.stdout || '', err: r.stderr || '' };
}

/** An empty target: {url, env (for a server or a command on it)}. */
function target() {
  if (PG) {
    const name = `passport_migrate_${process.pid}_${dbs.length}_${Date.now() % 100000}`;
    const r = spawnSync('psql', [PG, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    dbs.push(name);
    const u = new URL(PG);
    u.pathname = `/${name}`;
    return { url: u.toString(), env: { PASSPORT_DATABASE: u.toString() } };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-migrate-'));
  dirs.push(dir);
  return { url: path.join(dir, 'passport.db'), env: {}, dir };
}

/** A source data folder: init (the demo organisation, or none and then `seed N`). */
function source({ demo = true, seed } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-migrate-'));
  dirs.push(dir);
  const env = demo ? {} : { PASSPORT_DEMO_STORY: '0' };
  let r = run(['init', '--data', dir, '--courses', path.join(ROOT, 'courses'), ...(demo ? [] : ['--no-demo'])], env);
  assert.equal(r.status, 0, r.err);
  if (seed) {
    r = run(['seed', seed, '--data', dir, '--courses', path.join(ROOT, 'courses')]);
    assert.equal(r.status, 0, r.err);
  }
  return dir;
}

/** Runs the copy; asserts success and that every table line says identical. Returns the lines. */
function migrateOk(from, to) {
  const r = run(['migrate-to-postgresql', '--from', from, '--to', to.url]);
  assert.equal(r.status, 0, `${r.out}\n${r.err}`);
  const lines = r.out.trim().split('\n');
  assert.ok(lines.length > 40, 'every table is listed');
  for (const l of lines) assert.match(l, /^\S+ +\d+ rows +[0-9a-f]{16} +(identical|change log: left empty)$/, l);
  assert.deepEqual(lines.filter((l) => l.endsWith('left empty')).map((l) => l.split(' ')[0]).sort(),
    ['changes', 'talent_changes']);
  assert.match(r.err, new RegExp(`${lines.length} tables copied and identical`));
  return lines;
}

const rows = (lines, table) => Number(lines.find((l) => l.startsWith(`${table} `)).split(/ +/)[1]);

after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  for (const name of dbs) spawnSync('psql', [PG, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
});

describe('migrate-to-postgresql', { skip: ENGINE === 'postgresql' && 'runs once, in the SQLite pass: its source is a SQLite store' }, () => {
  let from, to, lines;
  before(() => {
    from = source();
    to = target();
    lines = migrateOk(from, to);
  });

  test('the demo database is copied whole: rows and checksums equal on both sides', () => {
    assert.ok(rows(lines, 'users') >= 20);
    assert.ok(rows(lines, 'credentials') > 0);
    assert.ok(rows(lines, 'changes') > 0, 'the source has a change log (left out of the copy)');
  });

  test('a server on the copy signs the demo agent in; new rows get ids past the copied ones', async () => {
    // a server on the copy needs the source's secrets (the keys that signed its credentials)
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-e2e-'));
    fs.cpSync(path.join(from, 'keys'), path.join(data, 'keys'), { recursive: true });
    if (!PG) fs.copyFileSync(to.url, path.join(data, 'passport.db'));
    const r = run(['user', 'add', 'after-copy@example.test', '--role', 'agent', '--name', 'Après la copie', '--data', data],
      to.env, `${DEMO_PASSWORD}\n`);
    assert.equal(r.status, 0, `a new account on the copy: ${r.err}`);
    const server = await startServer({ dataDir: data, env: to.env });
    try {
      const c = client(server);
      await c.loginOk(DEMO.agent);
      const page = await c.get('/badges');
      assert.equal(page.status, 200);
      assert.equal((await client(server).get('/readyz')).status, 200);
    } finally {
      await server.stop();
    }
  });

  test('the data folder remembers where its database went: commands refuse its old file without --database', async () => {
    const label = to.url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    assert.equal(fs.readFileSync(path.join(from, 'database-moved'), 'utf8'), `${label}\n`);
    let r = run(['user', 'disable', 'nobody@example.test', '--data', from]);
    assert.equal(r.status, 1);
    assert.ok(r.err.includes(`was moved to ${label} (passport migrate-to-postgresql): give it with --database`), r.err);
    // serve too: it stops before listening
    r = run(['serve', '--data', from, '--listen', '127.0.0.1:0', '--courses', path.join(ROOT, 'courses')]);
    assert.notEqual(r.status, 0);
    assert.match(r.err, /was moved to .*give it with --database/);
    // backup too: the SQLite file left there is stale, an archive of it would be a false backup
    const archive = path.join(from, 'moved-backup.tar.gz');
    r = run(['backup', archive, '--data', from]);
    assert.equal(r.status, 1);
    assert.ok(r.err.includes(`was moved to ${label} (migrate-to-postgresql): its old file is not backed up`), r.err);
    assert.match(r.err, /pg_dump -Fc, the secrets with `tar czf keys\.tar\.gz -C .* keys quiz-nonce\.key`/);
    assert.equal(fs.existsSync(archive), false);
    // the database given: the command runs (on the copy)
    r = run(['user', 'disable', 'nobody@example.test', '--data', from, '--database', PG ? to.url : `sqlite:${to.url}`]);
    assert.equal(r.status, 1);
    assert.match(r.err, /no account for nobody@example.test/);
    assert.doesNotMatch(r.err, /was moved/);
  });

  test('a second run is refused, and so is a target that has rows', () => {
    let r = run(['migrate-to-postgresql', '--from', from, '--to', to.url]);
    assert.equal(r.status, 1);
    assert.match(r.err, /already filled by a copy .*runs once/);
    const other = target(); // SQLite: its folder is a data folder
    const data = other.dir || fs.mkdtempSync(path.join(os.tmpdir(), 'passport-migrate-'));
    if (!other.dir) dirs.push(data);
    r = run(['init', '--no-demo', '--data', data, '--courses', path.join(ROOT, 'courses')], other.env);
    assert.equal(r.status, 0, r.err);
    r = run(['migrate-to-postgresql', '--from', from, '--to', other.url]);
    assert.equal(r.status, 1);
    assert.match(r.err, /the target is not empty \(table \w+ has rows\)/);
  });

  test(`a seeded organisation of ${AGENTS} agents is copied whole`, () => {
    const seeded = source({ demo: false, seed: AGENTS });
    const t0 = Date.now();
    const l = migrateOk(seeded, target());
    assert.ok(rows(l, 'users') >= Number(AGENTS));
    assert.ok(rows(l, 'evidence') > Number(AGENTS));
    console.log(`# ${AGENTS} agents: ${l.length} tables copied and checked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
});
