// SPDX-License-Identifier: EUPL-1.2
// Verifiable badges end to end: an agent passes every module of a course -> the badge
// appears -> its JSON verifies with the independent verifier (vc-verify: proof, schema,
// status) -> a tampered copy fails -> after revocation the verifier reports the status
// bit -> the CLR verifies with every badge inside -> /verify shows each verdict ->
// axe-core finds no violation on the badges, share and verify pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  BIN, DEMO, ROOT, client, findForm, formatViolations, launchBrowser, newContext, pageText, runAxe, sqlText, startServer,
} from './helpers.mjs';
import { answerFields, formQuestions, parseModule, rightAnswers } from './quiz-files.mjs';

const VC_VERIFY_DIR = process.env.VC_VERIFY_DIR || path.join(ROOT, 'build', 'vc-verify');
const VC_DATA = process.env.VC_DATA || path.resolve(ROOT, '..', 'shared', 'vc');
const COURSE = 'securite-numerique';

let server;
let work;

/** Runs verify.mjs on files; resolves {status, results: [{file, verified, errors}]}.
 * Asynchronous: a synchronous run of more than the server's 15 s idle timeout (a loaded
 * machine) left the clients' keep-alive sockets closed under them ("fetch failed"). */
function vcVerify(...files) {
  return new Promise((resolve) => {
    execFile('node', [path.join(VC_VERIFY_DIR, 'verify.mjs'), ...files],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, VC_DATA } }, (error, stdout, stderr) => {
        const results = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        resolve({ status: error ? (error.code ?? 1) : 0, results, stderr });
      });
  });
}

/** Passes every module of the course through the quiz forms. */
async function passCourse(c) {
  const dir = path.join(ROOT, 'courses', COURSE);
  const files = fs.readdirSync(dir).filter((f) => /^\d.*\.md$/.test(f)).sort();
  for (const f of files) {
    const id = fs.readFileSync(path.join(dir, f), 'utf8').match(/^id: *(\S+)/m)[1];
    const page = await c.get(`/modules/${id}`);
    assert.equal(page.status, 200, `${id}: ${page.body.slice(0, 300)}`);
    const form = findForm(page.body, `/modules/${id}/attempts`);
    const answers = rightAnswers(parseModule(path.join(dir, f)), formQuestions(page.body));
    const r = await c.post(`/modules/${id}/attempts`, answerFields(form.hidden, answers));
    assert.equal(r.status, 303, `${id}: ${r.body.slice(0, 500)}`);
    assert.match(pageText((await c.get(r.location)).body), /Quiz réussi/, id);
  }
}

async function login(email) {
  const c = client(server);
  await c.loginOk(email);
  return c;
}

function badgeIds(html) {
  return [...html.matchAll(/\/badges\/(\d+)\/credential\.json/g)].map((m) => m[1]);
}

let agent, admin, badgeId, shareToken;

before(async () => {
  server = await startServer();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-badges-'));
  agent = await login(DEMO.agent);
  admin = await login(DEMO.admin);
});

after(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await server?.stop();
});

describe('badges', () => {
  test('passing every module of the course awards the badge, once', async () => {
    let page = await agent.get('/badges');
    assert.equal(page.status, 200);
    assert.equal(badgeIds(page.body).length, 0);
    await passCourse(agent);
    page = await agent.get('/badges');
    const ids = badgeIds(page.body);
    assert.equal(ids.length, 1, 'exactly one badge after the course');
    assert.match(page.body, /Sécurité numérique au quotidien/);
    badgeId = ids[0];
    await passCourse(agent); // passing again does not issue it again
    assert.equal(badgeIds((await agent.get('/badges')).body).length, 1);
  });

  test('the JSON verifies with vc-verify (proof, schema, status); a tampered copy fails', async () => {
    const r = await agent.get(`/badges/${badgeId}/credential.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers['content-disposition'] || r.headers.get?.('content-disposition') || '', /attachment/);
    const doc = JSON.parse(r.body);
    assert.deepEqual(doc['@context'].slice(0, 2), ['https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    assert.ok(!r.body.includes(DEMO.agent), 'no plain email inside');
    assert.ok(doc.credentialStatus.statusListCredential.startsWith(server.url));
    fs.writeFileSync(path.join(work, 'badge.json'), r.body);
    const t = structuredClone(doc);
    t.credentialSubject.achievement.name = 'Expert en tout';
    fs.writeFileSync(path.join(work, 'tampered.json'), JSON.stringify(t));
    const v = await vcVerify(path.join(work, 'badge.json'), path.join(work, 'tampered.json'));
    assert.equal(v.results[0].verified, true, JSON.stringify(v.results[0]) + v.stderr);
    assert.equal(v.results[1].verified, false);
    assert.notEqual(v.status, 0);
  });

  test('baked SVG carries the credential; the status list has an ETag', async () => {
    const svg = await agent.get(`/badges/${badgeId}/badge.svg`);
    assert.equal(svg.status, 200);
    assert.match(svg.body, /xmlns:openbadges="https:\/\/purl\.imsglobal\.org\/ob\/v3p0"/);
    const inner = svg.body.match(/<openbadges:credential><!\[CDATA\[([\s\S]*?)\]\]><\/openbadges:credential>/);
    assert.ok(inner);
    assert.equal(inner[1], fs.readFileSync(path.join(work, 'badge.json'), 'utf8'));
    const s1 = await client(server).get('/status/1');
    assert.equal(s1.status, 200);
    const etag = s1.headers.etag ?? s1.headers.get?.('etag');
    assert.ok(etag);
    const s2 = await client(server).get('/status/1', { headers: { 'If-None-Match': etag } });
    assert.equal(s2.status, 304);
  });

  test('share link: public page verifies live; the agent can turn it off', async () => {
    const csrf = await agent.csrf('/badges', `/badges/${badgeId}/share`);
    let r = await agent.post(`/badges/${badgeId}/share`, { _csrf: csrf });
    assert.equal(r.status, 303);
    const page = await agent.get('/badges');
    shareToken = page.body.match(/\/s\/([A-Za-z0-9_-]{43})/)[1];
    r = await client(server).get(`/s/${shareToken}`);
    assert.equal(r.status, 200);
    assert.match(r.body, /Attestation valide/);
    r = await client(server).get(`/verify?link=${encodeURIComponent(`${server.url}/s/${shareToken}`)}`);
    assert.match(r.body, /Attestation valide/);
    // turned off: the page is gone; a new link is another token
    r = await agent.post(`/badges/${badgeId}/unshare`, { _csrf: csrf });
    assert.equal(r.status, 303);
    assert.equal((await client(server).get(`/s/${shareToken}`)).status, 404);
    r = await agent.post(`/badges/${badgeId}/share`, { _csrf: csrf });
    const again = (await agent.get('/badges')).body.match(/\/s\/([A-Za-z0-9_-]{43})/)[1];
    assert.notEqual(again, shareToken);
    shareToken = again;
    // someone else cannot share or see the agent's badge
    const other = await login(DEMO.agent2);
    assert.equal((await other.get(`/badges/${badgeId}/credential.json`)).status, 404);
  });

  test('/verify and /api/v1/verify give a verdict naming the failed check', async () => {
    const anon = client(server);
    const good = fs.readFileSync(path.join(work, 'badge.json'), 'utf8');
    const tampered = fs.readFileSync(path.join(work, 'tampered.json'), 'utf8');
    const api = async (body) => JSON.parse((await anon.request('POST', '/api/v1/verify',
      { headers: { 'Content-Type': 'text/plain' }, body })).body);
    let v = await api(good);
    assert.equal(v.verified, true);
    v = await api(tampered);
    assert.equal(v.verified, false);
    assert.equal(v.checks.find((c) => c.name === 'proof').ok, false);
    v = await api('{"nope":');
    assert.equal(v.checks.find((c) => c.name === 'json').ok, false);
    const huge = await anon.request('POST', '/api/v1/verify',
      { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ a: 'x'.repeat(300_000) }) });
    assert.equal(huge.status, 413);
    const other = JSON.parse(good);
    other.issuer.id = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    v = await api(JSON.stringify(other));
    assert.equal(v.checks.find((c) => c.name === 'issuer').ok, false);
    // the HTML form: paste and upload
    const csrf = await anon.csrf('/verify', '/verify');
    let r = await anon.postMultipart('/verify', { _csrf: csrf, credential: tampered });
    assert.equal(r.status, 200);
    assert.match(r.body, /Attestation non valide/);
    assert.match(r.body, /La signature ne correspond pas/);
    r = await anon.postMultipart('/verify', { _csrf: csrf }, { file: { filename: 'b.json', content: good, type: 'application/json' } });
    assert.match(r.body, /Attestation valide/);
  });

  test('the CLR verifies with every badge inside', async () => {
    const csrf = await admin.csrf('/admin/badges', '/admin/badges/award');
    const r = await admin.post('/admin/badges/award', {
      _csrf: csrf, email: DEMO.agent, slug: 'donnees-personnelles', narrative: 'Atelier en présentiel',
    });
    assert.equal(r.status, 303, r.body.slice(0, 500));
    const clr = await agent.get('/badges/clr.json');
    assert.equal(clr.status, 200);
    const doc = JSON.parse(clr.body);
    assert.ok(doc.type.includes('ClrCredential'));
    assert.equal(doc.credentialSubject.verifiableCredential.length, 2);
    fs.writeFileSync(path.join(work, 'clr.json'), clr.body);
    const v = await vcVerify(path.join(work, 'clr.json'));
    assert.equal(v.results[0].verified, true, JSON.stringify(v.results[0]) + v.stderr);
  });

  test('after revocation vc-verify and /verify report the status bit', async () => {
    const csrf = await admin.csrf(`/admin/badges/${badgeId}/revoke`, `/admin/badges/${badgeId}/revoke`); // the confirmation page
    let r = await admin.post(`/admin/badges/${badgeId}/revoke`, { _csrf: csrf, reason: '', confirm: '1' });
    assert.equal(r.status, 422); // a reason is required
    r = await admin.post(`/admin/badges/${badgeId}/revoke`, { _csrf: csrf, reason: 'Attribué par erreur', confirm: '1' });
    assert.equal(r.status, 303);
    const v = await vcVerify(path.join(work, 'badge.json'));
    assert.equal(v.results[0].verified, false);
    assert.match(JSON.stringify(v.results[0].errors), /status|revoc/i);
    const api = JSON.parse((await client(server).request('POST', '/api/v1/verify',
      { headers: { 'Content-Type': 'text/plain' }, body: fs.readFileSync(path.join(work, 'badge.json')) })).body);
    assert.equal(api.checks.find((c) => c.name === 'status').ok, false);
    const cli = spawnSync(BIN, ['verify', '--data', server.dataDir, '--public-url', server.url, path.join(work, 'badge.json')],
      { encoding: 'utf8', env: server.cliEnv });
    assert.equal(cli.status, 1, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /FAILED status/);
    const page = await agent.get('/badges');
    assert.match(page.body, /Révoqué/);
  });
});

describe('badges pages in Chromium', () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('axe-core: no violation on the badges, share, verify and admin pages', async () => {
    const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const check = async (url) => {
      const res = await page.goto(`${server.url}${url}`);
      assert.equal(res.status(), 200, url);
      const violations = await runAxe(page);
      assert.equal(violations.length, 0, formatViolations(violations, url));
    };
    try {
      await check(`/s/${shareToken}`);
      await check('/verify');
      await page.getByLabel(/Attestation à vérifier/).fill('{"pas": "une attestation"');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Vérifier', exact: true }).click()]);
      await page.waitForSelector('.badge-verdict');
      let violations = await runAxe(page);
      assert.equal(violations.length, 0, formatViolations(violations, 'verify verdict'));
      for (const [who, urls] of [[DEMO.agent, ['/badges']], [DEMO.admin, ['/admin/badges']]]) {
        await context.clearCookies();
        await page.goto(`${server.url}/login`);
        await page.getByLabel(/Adresse électronique|Email/i).fill(who);
        await page.getByLabel(/Mot de passe|Password/i).fill((await import('./helpers.mjs')).DEMO_PASSWORD);
        await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')),
          page.locator('form[action="/login"] button[type="submit"]').click()]);
        for (const u of urls) await check(u);
      }
    } finally {
      await context.close();
    }
  });
});

// A database from before awards joined the attempt's transaction (or an award lost): every
// module passed, the badge row missing. serve issues it at its next start, and logs it.
describe('repair at start', () => {
  /* waits (up to 20 s) for the server's line saying the repair at start has ended */
  const repairDone = async (server) => {
    for (let i = 0; i < 400 && !/badges: repair at start done/.test(server.stderr()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(server.stderr(), /badges: repair at start done/);
  };
  test('a badge whose rule is met but whose row is gone is issued again at start, once', async () => {
    const own = await startServer();
    try {
      const c = client(own);
      await c.loginOk(DEMO.agent);
      await passCourse(c);
      assert.equal(badgeIds((await c.get('/badges')).body).length, 1, 'awarded with the last attempt');
      await own.restart({ whileStopped: () => {
        sqlText(own, `DELETE FROM credentials WHERE user_id = (SELECT id FROM users WHERE email = '${DEMO.agent}');`);
      } });
      // the repair runs once the server listens: /healthz answered before it ended
      await repairDone(own);
      const log = own.stderr();
      assert.match(log, /badge securite-numerique issued to user \d+/);
      assert.match(log, /badges: 1 issued at start/);
      assert.ok(log.indexOf(' listening on ') >= 0 && log.indexOf(' listening on ') < log.indexOf('badges: 1 issued at start'),
        'the server listens before the repair issues anything');
      const again = await client(own);
      await again.loginOk(DEMO.agent);
      assert.equal(badgeIds((await again.get('/badges')).body).length, 1, 'issued again');
      await own.restart();
      await repairDone(own);
      assert.doesNotMatch(own.stderr(), /issued at start|badge .* issued to/, 'once: nothing to repair the second time');
    } finally {
      await own.stop();
    }
  });
});
