// SPDX-License-Identifier: EUPL-1.2
// kill -9 under a write load: each round starts `passport serve` on the same data folder,
// runs concurrent writers (a manager's attestations, one evidence row each, every one with
// its own comment), kills the server with SIGKILL at a random moment, then checks with the
// database's shell (sqlite3, psql) that every write the server acknowledged (201) is in the
// database and, on SQLite, that the file is intact. On the engine of PASSPORT_E2E_ENGINE (a
// new PostgreSQL database per run there). Used by crash.test.mjs (a few rounds, in `make
// test`) and by scripts/crash-loop (many rounds): `node crash-load.mjs` runs CRASH_ROUNDS rounds.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  BIN, DEMO, DEMO_PASSWORD, ENGINE, ROOT, assertNoSanitizerReport, client, engineDatabase, freePort, sqlText,
} from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** query's rows on db (engineDatabase's), one per line. */
export const sql = (db, query) => sqlText(db, query);

/** Throws unless db's SQLite file is intact. On PostgreSQL only the Passport server was
 * killed, not the database server: what it stores is its own (nothing to check here). */
export function assertIntact(db) {
  if (ENGINE === 'sqlite') assert.equal(sql(db, 'PRAGMA integrity_check').trim(), 'ok');
}

/** `passport serve` on dataDir and db (engineDatabase's) on port, once /healthz answers. */
export async function serve(dataDir, port, db) {
  const child = spawn(BIN, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`, '--quiet',
    '--web', path.join(ROOT, 'web'), '--courses', path.join(ROOT, 'courses')],
  { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...db.env } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  for (let i = 0; i < 400; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return { child, exited, stderr: () => stderr };
    } catch { /* not yet */ }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start: ${stderr}`);
}

/**
 * Runs `rounds` kill -9 rounds on a new data folder; writers: concurrent write loops;
 * returns {rounds, acknowledged, found} totals. Throws on a lost write or a damaged database.
 */
export async function crashRounds({ rounds = 3, writers = 4, log = () => {} } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-crash-'));
  const db = engineDatabase(dataDir);
  let acknowledged = 0;
  try {
    const init = spawnSync(BIN, ['init', '--data', dataDir, '--courses', path.join(ROOT, 'courses')],
      { encoding: 'utf8', env: { ...process.env, ...db.env, PASSPORT_DEMO_PASSWORD: DEMO_PASSWORD } });
    assert.equal(init.status, 0, init.stderr);
    const agentId = Number(sql(db, `SELECT id FROM users WHERE email = '${DEMO.agent}'`).trim());
    const acked = new Set();
    const port = await freePort();
    for (let round = 0; round < rounds; round++) {
      const server = await serve(dataDir, port, db);
      const manager = client(`http://127.0.0.1:${port}`, { timeoutMs: 10_000 });
      await manager.loginOk(DEMO.manager);
      const csrf = await manager.csrf('/me/profile', '/me/profile');
      let stop = false;
      const loop = async (w) => {
        for (let i = 0; !stop; i++) {
          const comment = `crash-${round}-${w}-${i}`;
          try {
            const r = await manager.request('POST', `/api/v1/users/${agentId}/attestations`, {
              headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json', Accept: 'application/json' },
              body: JSON.stringify({ code: 'CRCN-1.1', level: '2', comment }),
            });
            if (r.status === 201) acked.add(comment);
            else if (r.status !== 503) throw new Error(`attestation answered ${r.status}: ${r.body.slice(0, 300)}`);
          } catch (e) {
            if (stop) return; // the connection died with the server: not acknowledged
            throw e;
          }
        }
      };
      const loops = Array.from({ length: writers }, (_, w) => loop(w));
      // the kill comes once the round has a few acknowledged writes (a wait on them, not a
      // time: under load a write may take a second), at a random moment after that
      const from = acked.size;
      for (let i = 0; i < 1200 && acked.size < from + 4; i++) await sleep(25);
      await sleep(Math.floor(Math.random() * 500));
      server.child.kill('SIGKILL');
      stop = true;
      await server.exited;
      await Promise.allSettled(loops);
      // the server's own report first: a server that crashed also fails its writers
      assertNoSanitizerReport(server.stderr(), 'server');
      for (const l of loops) {
        await l.catch((e) => { throw new Error(`${e.message}; server stderr:\n${server.stderr().slice(-8000)}`); });
      }
      const stored = new Set(sql(db, "SELECT comment FROM evidence WHERE comment LIKE 'crash-%'").split('\n').filter(Boolean));
      const lost = [...acked].filter((c) => !stored.has(c));
      assert.deepEqual(lost, [], `round ${round}: acknowledged writes lost after kill -9`);
      assertIntact(db);
      log(`round ${round + 1}/${rounds}: ${acked.size} acknowledged writes so far, all present${ENGINE === 'sqlite' ? ', integrity ok' : ''}`);
    }
    acknowledged = acked.size;
    assert.ok(acknowledged > 0, 'the load wrote something');
    return { rounds, acknowledged };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    db.drop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.env.CRASH_ROUNDS || 60);
  const t0 = Date.now();
  const r = await crashRounds({ rounds, writers: Number(process.env.CRASH_WRITERS || 8), log: console.log });
  console.log(`${r.rounds} kill -9 rounds, ${r.acknowledged} acknowledged writes, none lost (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
