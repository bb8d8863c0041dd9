// Data safety of the data folder (issue 18): a `keys rotate` killed at any point leaves the
// keys usable — the server starts, the status list of credentials issued before answers and
// verifies, the DID document lists the keys, `keys list` and `keys rotate` keep working.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { BIN, DEMO, assertNoSanitizerReport, client, startServer } from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
