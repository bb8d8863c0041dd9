// SPDX-License-Identifier: EUPL-1.2
// Credentials through real operations: issue, `passport keys rotate`, restart, issue again,
// revoke one old and one new badge, move the public URL to https (did:web), issue and
// revoke again: every credential verifies or fails exactly as it should, with the
// independent verify.mjs (which checks the status list's issuer and purpose) and with
// Passport's own verifier. Also: CORS headers exactly on the public cookie-free routes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

import { BIN, DEMO, ROOT, client, parseForms, startServer } from './helpers.mjs';

const VC_VERIFY_DIR = process.env.VC_VERIFY_DIR || path.join(ROOT, 'build', 'vc-verify');
const VC_DATA = process.env.VC_DATA || path.resolve(ROOT, '..', 'shared', 'vc');
const SLUG = 'securite-numerique';

let server, work, proxy, agent, admin;
/* the organisation that issues from the move on (new credentials only) */
const ISSUER = {
  PASSPORT_ISSUER_NAME: 'Ministère de l\'Exemple', PASSPORT_ISSUER_URL: 'https://www.exemple.gouv.fr',
  PASSPORT_ISSUER_EMAIL: 'badges@exemple.gouv.fr', PASSPORT_ISSUER_IMAGE: 'https://www.exemple.gouv.fr/logo.png',
};

/** Runs verify.mjs on files; results by file name. The https status lists of the did:web
 * phase are served by the test's own TLS proxy with a throw-away certificate. */
async function vcVerify(files) {
  /* asynchronous: the proxy verify.mjs fetches from lives in this process */
  const r = await new Promise((resolve) => {
    const child = spawn('node', [path.join(VC_VERIFY_DIR, 'verify.mjs'), ...files], {
      env: { ...process.env, VC_DATA, NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_NO_WARNINGS: '1' },
    });
    let stdout = '', stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
  const out = {};
  for (const l of r.stdout.split('\n').filter(Boolean)) {
    const j = JSON.parse(l);
    out[path.basename(j.file)] = j;
  }
  assert.equal(Object.keys(out).length, files.length, `verify.mjs: ${r.stderr}`);
  return out;
}

/**
 * One port speaking both plain http and TLS to the server: a did:web on a loopback host is
 * resolved over http (as verify.mjs does), while the credentials of an https public URL
 * name https status lists. The first byte of a connection tells them apart.
 */
async function dualProxy(targetPort) {
  const key = path.join(work, 'key.pem'), cert = path.join(work, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const pipe = (s) => {
    const up = net.connect(targetPort, '127.0.0.1');
    s.pipe(up).pipe(s);
    up.on('error', () => s.destroy());
    s.on('error', () => up.destroy());
  };
  const tlsServer = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, pipe);
  const srv = net.createServer((sock) => {
    sock.once('readable', () => {
      const first = sock.read(1);
      if (!first) return sock.destroy();
      sock.unshift(first);
      if (first[0] === 0x16) tlsServer.emit('connection', sock);
      else pipe(sock);
    });
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { port: srv.address().port, close: () => srv.close() };
}

async function login(email) {
  const c = client(server);
  await c.loginOk(email);
  return c;
}

/** Awards the badge by hand; returns the new credential's id (the newest on the agent's page). */
async function award() {
  const r = await admin.submit('/admin/badges', '/admin/badges/award',
    { email: DEMO.agent, slug: SLUG, narrative: 'Scénario de rotation' });
  assert.equal(r.status, 303, r.body.slice(0, 500));
  const page = await agent.get('/badges');
  return Number(page.body.match(/\/badges\/(\d+)\/credential\.json/)[1]);
}

async function revoke(id) {
  // the list links to a confirmation page, whose form revokes
  assert.match((await admin.get('/admin/badges')).body, new RegExp(`href="/admin/badges/${id}/revoke"`));
  const f = parseForms((await admin.get(`/admin/badges/${id}/revoke`)).body).find((x) => x.action === `/admin/badges/${id}/revoke`);
  assert.ok(f, `no revoke form for ${id}`);
  const r = await admin.post(f.action, { ...f.hidden, reason: 'erreur de saisie' });
  assert.equal(r.status, 303, r.body.slice(0, 500));
}

/** Saves credential id as <name>.json (as issued) and returns its parsed JSON. */
async function save(id, name) {
  const r = await agent.get(`/badges/${id}/credential.json`);
  assert.equal(r.status, 200);
  fs.writeFileSync(path.join(work, `${name}.json`), r.body);
  return JSON.parse(r.body);
}

/** Passport's own verdict: {verified, status: the key of the status check}. */
async function ownVerdict(name) {
  const r = await client(server).request('POST', '/api/v1/verify', {
    headers: { 'Content-Type': 'application/json' }, body: fs.readFileSync(path.join(work, `${name}.json`)),
  });
  assert.equal(r.status, 200, r.body.slice(0, 300));
  const j = JSON.parse(r.body);
  return { verified: j.verified, status: j.checks.find((c) => c.name === 'status')?.key, checks: j.checks };
}

before(async () => {
  server = await startServer();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-creds-'));
  agent = await login(DEMO.agent);
  admin = await login(DEMO.admin);
});

after(async () => {
  proxy?.close();
  fs.rmSync(work, { recursive: true, force: true });
  await server?.stop();
});

describe('credentials across rotation and moves', () => {
  test('issue, rotate, restart, issue, revoke old and new, move to did:web: each verdict as it should', async () => {
    const ids = {};
    ids.old1 = await award();
    ids.old2 = await award();
    const rot = spawnSync(BIN, ['keys', 'rotate', '--data', server.dataDir], { encoding: 'utf8', env: server.cliEnv });
    assert.equal(rot.status, 0, rot.stderr);
    assert.match(rot.stdout, /new status list/);
    assert.match(rot.stdout, /keep its file/);
    await server.restart();
    ids.new1 = await award();
    ids.new2 = await award();
    await revoke(ids.old1);
    await revoke(ids.new1);

    proxy = await dualProxy(server.port);
    const webUrl = `https://127.0.0.1:${proxy.port}`;
    await server.restart({ env: { PASSPORT_PUBLIC_URL: webUrl, ...ISSUER } });
    ids.web1 = await award();
    ids.web2 = await award();
    await revoke(ids.web1);

    const docs = {};
    for (const [name, id] of Object.entries(ids)) docs[name] = await save(id, name);
    const issuer = (d) => d.issuer.id;
    assert.match(issuer(docs.old1), /^did:key:/);
    assert.notEqual(issuer(docs.old1), issuer(docs.new1), 'the rotation changes the did:key issuer');
    assert.equal(issuer(docs.web1), `did:web:127.0.0.1%3A${proxy.port}`);
    assert.ok(docs.web1.credentialStatus.statusListCredential.startsWith(`${webUrl}/status/`));
    assert.equal(docs.old1.issuer.name, 'Passport', 'issued credentials keep their issuer profile');
    assert.deepEqual(docs.web2.issuer, { id: issuer(docs.web2), type: ['Profile'], name: ISSUER.PASSPORT_ISSUER_NAME,
      url: ISSUER.PASSPORT_ISSUER_URL, email: ISSUER.PASSPORT_ISSUER_EMAIL,
      image: { id: ISSUER.PASSPORT_ISSUER_IMAGE, type: 'Image' } });
    const lists = new Set(Object.values(docs).map((d) => d.credentialStatus.statusListCredential));
    assert.equal(lists.size, 3, 'one status list per issuer and URL');

    // the CLR (signed under did:web) holds the three unrevoked badges of three issuers
    const clr = await agent.get('/badges/clr.json');
    assert.equal(clr.status, 200);
    fs.writeFileSync(path.join(work, 'clr.json'), clr.body);
    assert.equal(JSON.parse(clr.body).credentialSubject.verifiableCredential.length, 3);

    const expected = { old1: false, old2: true, new1: false, new2: true, web1: false, web2: true };
    const ext = await vcVerify([...Object.keys(ids).map((n) => path.join(work, `${n}.json`)), path.join(work, 'clr.json')]);
    for (const [name, ok] of Object.entries(expected)) {
      const v = ext[`${name}.json`];
      assert.equal(v.verified, ok, `verify.mjs ${name}: ${JSON.stringify(v.errors)}`);
      if (!ok) {
        assert.deepEqual(Object.keys(v.errors), ['status'], `${name}: ${JSON.stringify(v.errors)}`);
        assert.match(v.errors.status, /revocation bit is set/);
      }
    }
    assert.equal(ext['clr.json'].verified, true, JSON.stringify(ext['clr.json'].errors));

    for (const [name, ok] of Object.entries(expected)) {
      const v = await ownVerdict(name);
      assert.equal(v.verified, ok, `passport ${name}: ${JSON.stringify(v.checks)}`);
      assert.equal(v.status, ok ? 'badges.check.status_ok' : 'badges.check.revoked', `${name}: ${JSON.stringify(v.checks)}`);
    }
    assert.equal((await ownVerdict('clr')).verified, true);

    // the verify page shows each credential's own issuer profile
    const page = async (name) => {
      const c = client(server);
      const f = await c.form('/verify', '/verify');
      return (await c.post('/verify', { ...f.hidden, credential: fs.readFileSync(path.join(work, `${name}.json`), 'utf8') })).body;
    };
    const newPage = await page('web2');
    assert.match(newPage, /Ministère de l(&#39;|&#x27;|')Exemple/);
    assert.match(newPage, /href="mailto:badges@exemple.gouv.fr"/);
    assert.match(newPage, /src="https:\/\/www.exemple.gouv.fr\/logo.png"/);
    const oldPage = await page('old2');
    assert.doesNotMatch(oldPage, /Exemple/);
    assert.match(oldPage, /Passport/);

    // a second move (another https host): the did:web credentials of the first keep
    // verifying, their DID document served to whoever asks that host
    await server.restart({ env: { PASSPORT_PUBLIC_URL: 'https://passport.nouveau.example' } });
    const didDoc = JSON.parse((await client(`http://127.0.0.1:${proxy.port}`).get('/.well-known/did.json')).body);
    assert.equal(didDoc.id, issuer(docs.web2));
    const again = await vcVerify(['web1', 'web2', 'old2'].map((n) => path.join(work, `${n}.json`)));
    assert.equal(again['web2.json'].verified, true, JSON.stringify(again['web2.json'].errors));
    assert.equal(again['old2.json'].verified, true, JSON.stringify(again['old2.json'].errors));
    assert.match(again['web1.json'].errors.status || '', /revocation bit is set/);
    assert.equal((await ownVerdict('web2')).verified, true);
  });
});

describe('holder pages', () => {
  test('the CLR of an agent without badge: 404 saying so, page and JSON, never 500', async () => {
    const c = await login(DEMO.agent2);
    const page = await c.get('/badges/clr.json');
    assert.equal(page.status, 404);
    assert.match(page.body, /aucun badge valide/);
    const api = await c.get('/api/v1/badges/clr');
    assert.equal(api.status, 404);
    assert.equal(JSON.parse(api.body).error.status, 404);
  });

  test('award and revoke leave inbox messages', async () => {
    const box = JSON.parse((await agent.get('/api/v1/me/inbox')).body);
    const keys = JSON.stringify(box);
    assert.match(keys, /badges\.inbox\.awarded/);
    assert.match(keys, /badges\.inbox\.revoked/);
    const page = await agent.get('/me/inbox');
    assert.match(page.body, /Vous avez reçu le badge/);
    assert.match(page.body, /a été révoqué : erreur de saisie/);
  });

  test("the share page: the holder's name when chosen, dates and checks in the reader's language", async () => {
    const page = await agent.get('/badges');
    const forms = parseForms(page.body).filter((f) => /^\/badges\/\d+\/share$/.test(f.action));
    assert.ok(forms.length >= 2, 'two unshared badges');
    await agent.post(forms[0].action, { ...forms[0].hidden, show_name: '1' });
    await agent.post(forms[1].action, forms[1].hidden);
    const after = (await agent.get('/badges')).body;
    const tokenOf = (action) => after.split('<article').find((a) => a.includes(`action="${action.replace(/share$/, 'unshare')}"`))
      .match(/\/s\/([A-Za-z0-9_-]{43})/)[1];
    const named = tokenOf(forms[0].action), anonymous = tokenOf(forms[1].action);
    const fr = (await client(server, { headers: { 'Accept-Language': 'fr' } }).get(`/s/${named}`)).body;
    assert.match(fr, /Décerné à /);
    assert.match(fr, /\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) 20\d\d/);
    assert.match(fr, /Attestation valide/);
    const en = (await client(server, { headers: { 'Accept-Language': 'en' } }).get(`/s/${anonymous}`)).body;
    assert.doesNotMatch(en, /Awarded to|Décerné/);
    assert.match(en, /\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d/);
    assert.doesNotMatch(en, /décembre|janvier|Attestation valide/);
  });
});

describe('the verifier under abuse', () => {
  const post = (body) => client(server).request('POST', '/api/v1/verify', {
    headers: { 'Content-Type': 'application/json' }, body,
  });

  test('too many nodes or blank nodes are refused before canonicalization', async () => {
    const doc = JSON.parse(fs.readFileSync(path.join(work, 'old2.json'), 'utf8'));
    doc.credentialSubject.achievement.alignment = Array.from({ length: 251 }, (_, i) => ({ type: ['Alignment'], targetName: `n${i}`, targetUrl: `https://x.fr/${i}` }));
    const r = await post(JSON.stringify(doc));
    assert.equal(r.status, 200);
    const j = JSON.parse(r.body);
    assert.equal(j.verified, false);
    assert.deepEqual(j.checks.map((c) => [c.name, c.key]), [['json', 'badges.check.too_complex']]);
  });

  test('a burst from one address gets 429 with Retry-After, the page too', async () => {
    const codes = [];
    let refused;
    for (let i = 0; i < 40 && !refused; i++) {
      const r = await post('{}');
      codes.push(r.status);
      if (r.status === 429) refused = r;
    }
    assert.ok(refused, `no 429 in ${codes.join(' ')}`);
    assert.ok(codes.filter((c) => c === 200).length >= 5, codes.join(' '));
    assert.match(refused.headers.get('retry-after') || '', /^[1-9]\d*$/);
    assert.equal(JSON.parse(refused.body).error.status, 429);
    const page = await client(server).post('/verify', { credential: '{}' });
    assert.ok([403, 429].includes(page.status), String(page.status)); /* CSRF first when no form was loaded */
    const c = client(server);
    const f = await c.form('/verify', '/verify');
    let html; /* the bucket refills meanwhile (one token every 2 s): spend it again */
    for (let i = 0; i < 40 && html?.status !== 429; i++) html = await c.post('/verify', { ...f.hidden, credential: '{}' });
    assert.equal(html.status, 429);
    assert.match(html.headers.get('retry-after') || '', /^[1-9]\d*$/);
    assert.match(html.body, /Trop de vérifications/);
  });
});

/** The costliest credential the verifier accepts to parse (as scripts/bench-badges posts
 * it): name's credential with isomorphic alignments up to CHECK_MAX_BLANK blank nodes. */
function worstCredential(name) {
  const doc = JSON.parse(fs.readFileSync(path.join(work, `${name}.json`), 'utf8'));
  const count = (v, c) => {
    if (Array.isArray(v)) v.forEach((x) => count(x, c));
    else if (v && typeof v === 'object') {
      if (!('id' in v) && !('@id' in v) && !('@value' in v)) c.b++;
      for (const [k, x] of Object.entries(v)) if (k !== '@context') count(x, c);
    }
    return c;
  };
  const al = { type: ['Alignment'], targetName: 'Compétence', targetUrl: 'https://example.fr/c', targetCode: '1.1',
    targetFramework: 'CRCN', targetDescription: 'même objet répété : des nœuds anonymes isomorphes' };
  doc.credentialSubject.achievement.alignment = Array.from({ length: 250 - count(doc, { b: 0 }).b }, () => ({ ...al }));
  return JSON.stringify(doc);
}

/** Sends head (request line and headers) on a raw socket, and no body: resolves with what
 * the server sent and whether it closed the connection, or {timeout} after ms. */
function headersOnly(srv, head, ms) {
  return new Promise((resolve) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); resolve({ data, timeout: true }); }, ms);
    sock.setEncoding('utf8').on('data', (d) => { data += d; });
    sock.on('end', () => { clearTimeout(timer); sock.destroy(); resolve({ data, closed: true }); });
    sock.on('error', () => { clearTimeout(timer); resolve({ data, closed: true }); });
    sock.write(head);
  });
}

describe('the verifier off the HTTP threads', () => {
  /* the verification's own server: one token per address and almost no refill */
  let srv;
  before(async () => {
    srv = await startServer({ demo: false, env: { PASSPORT_VERIFY_BURST: '1', PASSPORT_VERIFY_RATE: '0.01',
      PASSPORT_SHUTDOWN_TIMEOUT: '0.2' } });
  });
  after(async () => { await srv?.stop(); });
  const post = (body) => client(srv).request('POST', '/api/v1/verify', {
    headers: { 'Content-Type': 'application/json' }, body,
  });

  test('a refused request gets its 429 from its headers, its body never sent', async () => {
    assert.equal((await post(fs.readFileSync(path.join(work, 'old2.json')))).status, 200); /* the one token */
    for (const [route, type] of [['/api/v1/verify', 'application/json'], ['/verify', 'application/x-www-form-urlencoded']]) {
      const r = await headersOnly(srv, `POST ${route} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\n` +
        'Content-Length: 200000\r\n\r\n', 10_000);
      assert.ok(!r.timeout, `${route}: no answer without the body: ${r.data.slice(0, 200)}`);
      assert.match(r.data, /^HTTP\/1\.1 429 /, route);
      assert.match(r.data, /\r\nRetry-After: [1-9]\d*\r\n/i, route);
      assert.match(r.data, /\r\nConnection: close\r\n/i, route);
      assert.ok(r.closed, `${route}: the connection stays open`);
    }
    const json = await post('{}');
    assert.equal(json.status, 429);
    assert.match(JSON.parse(json.body).error.message, /vérifications/);
    /* the form and the other pages cost nothing */
    assert.equal((await client(srv).get('/verify')).status, 200);
  });

  test('a burst over the running-verifications cap gets 429 at once, the rest verify as before', async () => {
    const body = worstCredential('old2');
    /* one address per request (Linux answers on all of 127/8): the per-address budget aside */
    const one = (i) => new Promise((resolve) => {
      const t0 = Date.now();
      const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: '/api/v1/verify',
        localAddress: `127.0.0.${10 + i}`, agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        let b = '';
        res.setEncoding('utf8').on('data', (d) => { b += d; });
        res.on('end', () => resolve({ status: res.statusCode, retry: res.headers['retry-after'], body: b, ms: Date.now() - t0 }));
      });
      req.on('error', (e) => resolve({ status: 0, body: String(e) }));
      req.end(body);
    });
    const rs = await Promise.all(Array.from({ length: 16 }, (_, i) => one(i)));
    const codes = rs.map((r) => r.status);
    assert.ok(codes.every((c) => c === 200 || c === 429), codes.join(' '));
    assert.ok(codes.includes(200), codes.join(' '));
    const refused = rs.filter((r) => r.status === 429);
    assert.ok(refused.length > 0, codes.join(' '));
    for (const r of refused) assert.match(r.retry || '', /^[1-9]\d*$/);
    for (const r of rs.filter((x) => x.status === 200)) {
      const j = JSON.parse(r.body);
      assert.equal(typeof j.verified, 'boolean');
      assert.ok(j.checks.some((c) => c.name === 'proof'), r.body.slice(0, 300));
    }
  });

  test('stopping during a verification answers it and exits cleanly', async () => {
    const body = worstCredential('old2');
    const answer = new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: '/api/v1/verify',
        localAddress: '127.0.0.40', agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', () => resolve(0)); /* the connection closed by the stop: no hang */
      /* the body sent, the verification (much longer than 50 ms) is on the worker */
      req.end(body, () => setTimeout(() => srv.signal('SIGTERM'), 50));
    });
    const status = await answer;
    assert.ok([200, 503, 0].includes(status), String(status));
    const timer = new Promise((r) => setTimeout(() => r('timeout'), 15_000));
    assert.notEqual(await Promise.race([srv.exited(), timer]), 'timeout', 'the server did not stop');
    assert.equal((await srv.exited()).code, 0, srv.stderr().slice(-2000));
    assert.doesNotMatch(srv.stderr(), /AddressSanitizer|runtime error|suspended connections/);
  });
});

describe('CORS', () => {
  const parse = (out) => out.trim().split('\n').map((l) => {
    const [method, pattern, ...flags] = l.split(' ');
    return { method, pattern, flags };
  });

  test('Access-Control-Allow-Origin: * exactly on the public cookie-free routes, none reads a session', async () => {
    const r = spawnSync(BIN, ['routes', '--flags'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const routes = parse(r.stdout);
    const cors = routes.filter((x) => x.flags.includes('cors')).map((x) => `${x.method} ${x.pattern}`);
    assert.deepEqual(cors.sort(), [
      'GET /.well-known/did.json', 'GET /achievements/{slug}', 'GET /badges/images/{file}',
      'GET /s/{token}/badge.svg', 'GET /s/{token}/credential.json', 'GET /status/{id}',
    ]);
    for (const x of routes.filter((y) => y.flags.includes('cors'))) assert.ok(x.flags.includes('public'), x.pattern);

    // a shared badge gives the {token} routes a real value
    const page = await agent.get('/badges');
    const share = parseForms(page.body).find((f) => /\/share$/.test(f.action));
    assert.ok(share, 'no share form');
    await agent.post(share.action, share.hidden);
    const token = (await agent.get('/badges')).body.match(/\/s\/([A-Za-z0-9_-]{20,})/)[1];
    const values = { token, id: '1', slug: SLUG, file: `${SLUG}.svg`, code: 'CRCN-1.1', dir: 'x' };
    for (const x of routes.filter((y) => y.method === 'GET')) {
      const p = x.pattern.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? '1');
      const res = await agent.get(p); // with the agent's session cookie
      const acao = res.headers.get('access-control-allow-origin') ?? undefined;
      if (x.flags.includes('cors')) {
        assert.equal(acao, '*', `${p} (${res.status})`);
        assert.equal(res.headers.get('access-control-allow-credentials') ?? undefined, undefined, p);
        assert.equal(res.setCookies.length, 0, `${p} sets a cookie`);
        const anon = await client(server).get(p);
        assert.equal(anon.status, res.status, `${p}: the session changes the answer`);
        assert.equal(anon.body, res.body, `${p}: the session changes the answer`);
      } else {
        assert.equal(acao, undefined, `${p} must not allow other origins`);
      }
    }
  });
});
