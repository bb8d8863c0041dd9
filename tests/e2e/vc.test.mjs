// SPDX-License-Identifier: EUPL-1.2
// Interoperability of the credentials Passport signs (`passport vc-demo`) with the
// independent Digital Bazaar verifier, shared/tools/vc-verify/verify.mjs.

// It must accept the proofs, the OB 3.0 schema and the status (the list is served here on
// 127.0.0.1), report the revoked badge, refuse tampered copies; and the canonical forms
// must match jsonld.js with the proofs in place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BIN, VC_DATA, VC_VERIFY_DIR, jsonldCanonizer } from './vc-jsonld.mjs';

const run = promisify(execFile);
let dir, server, statusUrl;

// verify.mjs must run asynchronously: it fetches the status list from this process.
async function verify(...files) {
  let stdout;
  try {
    ({ stdout } = await run('node', [path.join(VC_VERIFY_DIR, 'verify.mjs'), ...files],
      { env: { ...process.env, VC_DATA }, maxBuffer: 1 << 24 }));
  } catch (e) {
    stdout = e.stdout;
  }
  return stdout.trim().split('\n').map(l => JSON.parse(l));
}

function tampered(name, change) {
  const doc = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  change(doc);
  const f = path.join(dir, 'tampered-' + name);
  fs.writeFileSync(f, JSON.stringify(doc, null, 2));
  return f;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-vc-'));
  server = http.createServer((req, res) => {
    if (req.url === '/status/1') {
      res.writeHead(200, { 'content-type': 'application/vc+ld+json' });
      res.end(fs.readFileSync(path.join(dir, 'status-list.json')));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  statusUrl = `http://127.0.0.1:${server.address().port}/status/1`;
  const r = spawnSync(BIN, ['vc-demo', '--out', dir, '--status-url', statusUrl], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^did:key:z6Mk\w+\n$/);
});

after(() => {
  server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the issuer key file is private (0600)', () => {
  assert.equal(fs.statSync(path.join(dir, 'issuer.pem')).mode & 0o777, 0o600);
});

test('verify.mjs accepts the badge, its status list and the CLR (proof, schema, status, dates)', async () => {
  const res = await verify(...['badge.json', 'status-list.json', 'clr.json'].map(f => path.join(dir, f)));
  for (const r of res) assert.equal(r.verified, true, `${r.file}: ${JSON.stringify(r.errors)}`);
  const badge = JSON.parse(fs.readFileSync(path.join(dir, 'badge.json'), 'utf8'));
  assert.deepEqual(badge.type, ['VerifiableCredential', 'OpenBadgeCredential']);
  assert.ok(Array.isArray(badge.proof) && badge.proof.length === 1);
  assert.equal(badge.proof[0].cryptosuite, 'eddsa-rdfc-2022');
  assert.equal(badge.credentialStatus.statusListCredential, statusUrl);
});

test('verify.mjs reports the revoked badge: its proof is fine, its status bit is set', async () => {
  const [r] = await verify(path.join(dir, 'badge-revoked.json'));
  assert.equal(r.verified, false);
  assert.equal(r.errors.proof, undefined, JSON.stringify(r.errors));
  assert.match(r.errors.status, /revocation bit is set/);
});

test('verify.mjs refuses tampered copies', async () => {
  const files = [
    tampered('badge.json', d => { d.credentialSubject.achievement.name = 'Expert en tout'; }),
    tampered('status-list.json', d => { d.credentialSubject.statusPurpose = 'suspension'; }),
    tampered('clr.json', d => { d.credentialSubject.verifiableCredential[0].name = 'Autre badge'; }),
  ];
  const res = await verify(...files);
  assert.match(res[0].errors.proof, /./);
  assert.match(res[1].errors.proof, /./);
  // the CLR's own proof breaks and so does the inner badge's
  assert.match(res[2].errors.proof, /./);
  assert.match(res[2].errors['clr[0]'], /proof/);
  for (const r of res) assert.equal(r.verified, false);
});

test('passport canon equals jsonld.js on the signed documents, proofs included', async () => {
  const canonize = await jsonldCanonizer();
  for (const f of ['badge.json', 'badge-revoked.json', 'status-list.json', 'clr.json']) {
    const file = path.join(dir, f);
    const r = spawnSync(BIN, ['canon', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(r.stdout, await canonize(doc, { stripProof: false }), f);
  }
});
