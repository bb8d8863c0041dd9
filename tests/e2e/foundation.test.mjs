// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of the foundation: login/logout, throttling, CSRF, error statuses,
// static files, security headers, health, /api/v1/me and locale negotiation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { spawnSync } from 'node:child_process';

import {
  BIN, DEMO, DEMO_PASSWORD, ROOT, client, findForm, htmlLang, pageText, parseForms, rawRequest,
  startServer, textOf,
} from './helpers.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** Text of the first role="alert" element of a page, or null. */
function alertText(html) {
  const m = html.match(/<(\w+)\b[^>]*role="alert"[^>]*>([\s\S]*?)<\/\1>/i);
  return m ? pageText(m[2]) : null;
}

function rolesOf(me) {
  return Array.isArray(me.roles) ? me.roles : String(me.roles).split(/[,\s]+/).filter(Boolean);
}

/** Asserts the security headers every response must carry. */
function assertSecurityHeaders(headers, what) {
  const get = (k) => (typeof headers.get === 'function' ? headers.get(k) : headers[k.toLowerCase()]);
  const csp = get('content-security-policy');
  assert.ok(csp, `${what}: Content-Security-Policy missing`);
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim()).filter(Boolean)
    .map((d) => { const [k, ...v] = d.split(/\s+/); return [k.toLowerCase(), v]; }));
  assert.ok(directives['script-src'], `${what}: CSP without script-src: ${csp}`);
  assert.ok(directives['script-src'].includes("'self'"), `${what}: script-src lacks 'self': ${csp}`);
  assert.ok(!directives['script-src'].includes("'unsafe-inline'"), `${what}: script-src allows 'unsafe-inline': ${csp}`);
  assert.deepEqual(directives['frame-ancestors'], ["'none'"], `${what}: frame-ancestors is not 'none': ${csp}`);
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.ok(get('referrer-policy'), `${what}: Referrer-Policy missing`);
  assert.equal(get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
}

describe('health', () => {
  test('GET /healthz answers 200 JSON with status, version and schema (no database call: /readyz checks it)', async () => {
    const res = await client(server).get('/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const h = res.json();
    assert.equal(h.status, 'ok');
    assert.equal(typeof h.version, 'string');
    assert.ok(h.version.length > 0);
    assert.ok(Number.isInteger(h.schema) && h.schema >= 1, `schema: ${h.schema}`);
  });
});

describe('login and logout', () => {
  test('GET /login renders the form with _csrf, next, email and password, and sets pp_csrf', async () => {
    const c = client(server);
    const res = await c.get('/login');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/i);
    const form = findForm(res.body, '/login');
    assert.equal(form.method, 'post');
    assert.match(form.hidden._csrf, /^\S{16,}$/);
    assert.equal(form.hidden.next, '/');
    assert.match(form.html, /<input\b[^>]*name="email"/);
    assert.match(form.html, /<input\b[^>]*name="password"[^>]*type="password"|<input\b[^>]*type="password"[^>]*name="password"/);
    const csrf = res.setCookies.find((k) => k.name === 'pp_csrf');
    assert.ok(csrf, 'pp_csrf cookie set on the first page');
    assert.equal(csrf.attrs.httponly, true, 'pp_csrf HttpOnly');
    assert.match(String(csrf.attrs.samesite), /^lax$/i);
    assert.equal(csrf.attrs.path, '/');
    // A visitor who already has the cookie does not get a new one.
    const again = await c.get('/login');
    assert.equal(again.setCookies.find((k) => k.name === 'pp_csrf'), undefined);
  });

  test('anonymous GET / redirects to /login?next=%2F', async () => {
    const res = await client(server).get('/');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/login?next=%2F');
  });

  test('the right password logs in: 303 to /, HttpOnly SameSite=Lax session cookie, greeting by name', async () => {
    const c = client(server);
    const res = await c.login(DEMO.agent, DEMO_PASSWORD);
    assert.equal(res.status, 303, res.body.slice(0, 500));
    assert.equal(res.location, '/');
    const sess = res.setCookies.find((k) => k.name === 'pp_session');
    assert.ok(sess && sess.value.length >= 32, 'pp_session set');
    assert.equal(sess.attrs.httponly, true);
    assert.match(String(sess.attrs.samesite), /^lax$/i);
    assert.equal(sess.attrs.path, '/');
    const me = (await c.get('/api/v1/me')).json();
    const home = await c.get('/');
    assert.equal(home.status, 200);
    assert.ok(me.name && pageText(textOf(home.body, 'h1') || '').includes(me.name),
      `home page h1 greets ${me.name}: ${textOf(home.body, 'h1')}`);
    // Logged in, /login sends home.
    const again = await c.get('/login');
    assert.equal(again.status, 303);
  });

  test('login honours a local next and ignores another site', async () => {
    const c1 = client(server);
    const r1 = await c1.login(DEMO.agent, DEMO_PASSWORD, { next: '/api/v1/me' });
    assert.equal(r1.status, 303);
    assert.equal(r1.location, '/api/v1/me');
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const c = client(server);
      const r = await c.login(DEMO.agent2, DEMO_PASSWORD, { next: evil });
      assert.equal(r.status, 303, `next=${evil}`);
      assert.equal(r.location, '/', `next=${evil} must not leave the site`);
    }
    // The form carries the next of the redirect that led there.
    const page = await client(server).get('/login?next=%2Fapi%2Fv1%2Fme');
    assert.equal(findForm(page.body, '/login').hidden.next, '/api/v1/me');
  });

  test('POST /logout ends the session: 303 /login, the old cookie no longer works', async () => {
    const c = client(server);
    await c.loginOk(DEMO.agent);
    const oldCookie = c.cookie('pp_session');
    const stale = client(server);
    stale.cookies.set('pp_session', oldCookie);
    assert.equal((await stale.get('/')).status, 200, 'session works before logout');
    const res = await c.submit('/', '/logout');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/login');
    const after1 = await stale.get('/');
    assert.equal(after1.status, 303);
    assert.equal(after1.location, '/login?next=%2F');
    assert.equal((await stale.get('/api/v1/me')).status, 401);
    assert.equal((await c.get('/')).status, 303, 'the browser that logged out is anonymous');
  });

  test('an account disabled from the command line while the server runs loses its session within seconds', async () => {
    // The server remembers what a session cookie stands for while nothing of its account
    // changed (docs/performance.md); a change made by another process must take effect
    // too (tests/e2e/cache.test.mjs checks it is the very next request).
    const email = 'cli-disabled@demo.passport.test';
    const cli = (...args) => spawnSync(BIN, [...args, '--data', server.dataDir],
      { encoding: 'utf8', input: `${DEMO_PASSWORD}\n`, env: server.cliEnv });
    const added = cli('user', 'add', email, '--role', 'agent', '--name', 'Agent CLI');
    assert.equal(added.status, 0, added.stderr);
    const c = client(server);
    await c.loginOk(email, DEMO_PASSWORD);
    assert.equal((await c.get('/')).status, 200);
    assert.equal((await c.get('/')).status, 200, 'a second request, served from the memo');
    const disabled = cli('user', 'disable', email);
    assert.equal(disabled.status, 0, disabled.stderr);
    const t0 = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - t0 < 5000) {
      status = (await c.get('/')).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 303, 'the session still works 5 s after the account was disabled');
  });

  test('a wrong password gives 401 with an alert and no session', async () => {
    const c = client(server);
    const res = await c.login(DEMO.manager, 'not-the-password-123');
    assert.equal(res.status, 401);
    assert.ok(alertText(res.body), 'role="alert" message');
    assert.equal(res.setCookies.find((k) => k.name === 'pp_session' && k.value), undefined);
    assert.equal((await c.get('/')).status, 303);
  });

  test('an unknown email gets exactly the same answer as a wrong password', async () => {
    const c = client(server);
    const known = await c.login(DEMO.hr, 'not-the-password-123');
    const unknown = await c.login('nobody-here@demo.passport.test', 'not-the-password-123');
    assert.equal(unknown.status, known.status);
    assert.equal(known.status, 401);
    assert.ok(alertText(known.body));
    assert.equal(alertText(unknown.body), alertText(known.body));
    // The pages differ only by the echoed email.
    assert.equal(unknown.body.replaceAll('nobody-here@demo.passport.test', 'X'),
      known.body.replaceAll(DEMO.hr, 'X'));
  });
});

describe('throttling (fresh server per test)', () => {
  test('after 5 failures for one email: 429 even with the right password; others unaffected', async () => {
    const s = await startServer();
    try {
      const c = client(s);
      for (let i = 1; i <= 5; i++) {
        const r = await c.login(DEMO.agent, `wrong-password-${i}`);
        assert.equal(r.status, 401, `failure ${i}`);
      }
      const blocked = await c.login(DEMO.agent, DEMO_PASSWORD);
      assert.equal(blocked.status, 429, 'right password after 5 failures');
      assert.ok(alertText(blocked.body), '429 page explains');
      assert.equal(c.cookie('pp_session'), undefined, 'no session when throttled');
      // Another account from the same address still logs in.
      const other = await client(s).login(DEMO.agent2, DEMO_PASSWORD);
      assert.equal(other.status, 303);

      // The same for an email that has no account.
      const ghost = 'ghost@demo.passport.test';
      for (let i = 1; i <= 5; i++) {
        assert.equal((await c.login(ghost, `wrong-password-${i}`)).status, 401, `ghost failure ${i}`);
      }
      assert.equal((await c.login(ghost, DEMO_PASSWORD)).status, 429);
    } finally {
      await s.stop();
    }
  });

  test('after 20 failures from one address: 429 for any email', async () => {
    const s = await startServer();
    try {
      const c = client(s);
      for (let i = 1; i <= 20; i++) {
        const r = await c.login(`someone${i}@demo.passport.test`, `wrong-password-${i}`);
        assert.equal(r.status, 401, `failure ${i}`);
      }
      const blocked = await c.login(DEMO.admin, DEMO_PASSWORD);
      assert.equal(blocked.status, 429, 'right password after 20 failures from this address');
      assert.equal(c.cookie('pp_session'), undefined);
    } finally {
      await s.stop();
    }
  });
});

describe('CSRF', () => {
  test('POST /login without or with a wrong _csrf: 403, no session', async () => {
    const c = client(server);
    const form = await c.form('/login');
    // the last one differs from the real token in its last digit (whatever that digit is)
    const last = form.hidden._csrf.slice(-1) === '0' ? '1' : '0';
    for (const csrf of [undefined, '', 'f'.repeat(64), `${form.hidden._csrf.slice(0, -1)}${last}`]) {
      const fields = { next: '/', email: DEMO.agent, password: DEMO_PASSWORD };
      if (csrf !== undefined) fields._csrf = csrf;
      const res = await c.post('/login', fields);
      assert.equal(res.status, 403, `_csrf=${csrf}`);
      assert.match(res.headers.get('content-type'), /^text\/html/);
      assert.equal(res.setCookies.find((k) => k.name === 'pp_session'), undefined);
    }
    assert.equal((await c.get('/')).status, 303, 'still anonymous');
    // A token but no pp_csrf cookie (a cross-site form): refused too.
    const bare = client(server);
    const res = await bare.post('/login', { _csrf: form.hidden._csrf, email: DEMO.agent, password: DEMO_PASSWORD });
    assert.equal(res.status, 403);
  });

  test('POST /logout without _csrf: 403 and the session stays', async () => {
    const c = client(server);
    await c.loginOk(DEMO.agent);
    const res = await c.post('/logout', {});
    assert.equal(res.status, 403);
    assert.equal((await c.get('/')).status, 200, 'still logged in');
    // The anonymous token is not the session's token.
    const anon = client(server);
    const anonToken = (await anon.form('/login')).hidden._csrf;
    assert.equal((await c.post('/logout', { _csrf: anonToken })).status, 403);
    assert.equal((await c.get('/')).status, 200);
  });

  test('an admin POST without _csrf is refused and writes nothing', async () => {
    const c = client(server);
    await c.loginOk(DEMO.admin);
    const email = 'csrf-victim@demo.passport.test';
    const res = await c.post('/admin/users', {
      email, name: 'Victime CSRF', unit_id: '0', role_agent: '1', locale: 'fr', password: 'Long-enough-password-1',
    });
    assert.equal(res.status, 403);
    const wrong = await c.post('/admin/users', {
      _csrf: 'a'.repeat(64), email, name: 'Victime CSRF', unit_id: '0', role_agent: '1', locale: 'fr',
    });
    assert.equal(wrong.status, 403);
    const list = await c.get(`/admin/users?q=${encodeURIComponent('csrf-victim')}`);
    assert.equal(list.status, 200);
    assert.ok(!list.body.includes(email), 'the refused POST created no user');
    assert.equal((await client(server).login(email, 'Long-enough-password-1')).status, 401);
  });

  test('POST /locale without _csrf: 403 and no pp_lang', async () => {
    const c = client(server);
    await c.get('/login');
    const res = await c.post('/locale', { locale: 'en', next: '/login' });
    assert.equal(res.status, 403);
    assert.equal(c.cookie('pp_lang'), undefined);
    assert.equal(htmlLang((await c.get('/login')).body), 'fr');
  });
});

describe('errors', () => {
  test('unknown path: 404 HTML page; under /api/: 404 JSON error', async () => {
    const c = client(server);
    const page = await c.get('/no-such-page');
    assert.equal(page.status, 404);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(page.body, /<html\b/);
    const api = await c.get('/api/v1/no-such-thing');
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type'), /^application\/json/);
    const e = api.json();
    assert.equal(e.error.status, 404);
    assert.equal(typeof e.error.message, 'string');
  });

  test('known path, wrong method: 405 with Allow', async () => {
    const c = client(server);
    const del = await c.request('DELETE', '/login');
    assert.equal(del.status, 405);
    const allow = (del.headers.get('allow') || '').split(/\s*,\s*/);
    assert.ok(allow.includes('GET') && allow.includes('POST'), `Allow: ${del.headers.get('allow')}`);
    const put = await c.request('PUT', '/', { body: 'x', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(put.status, 405);
    assert.ok((put.headers.get('allow') || '').split(/\s*,\s*/).includes('GET'), `Allow: ${put.headers.get('allow')}`);
  });

  test('a body over the route limit: 413 (Content-Length and chunked), and the server keeps serving', async () => {
    const c = client(server);
    const csrf = (await c.form('/login')).hidden._csrf;
    const big = `_csrf=${csrf}&email=${'a'.repeat(20 * 1024)}&password=x`;
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: c.cookieHeader() };
    const r1 = await rawRequest(server.url, '/login', { method: 'POST', headers: { ...headers, 'Content-Length': Buffer.byteLength(big) }, body: big });
    assert.equal(r1.status, 413);
    assertSecurityHeaders(r1.headers, '413');
    // No Content-Length: the limit is enforced while reading.
    const chunks = [];
    for (let i = 0; i < 20; i++) chunks.push(i === 0 ? `_csrf=${csrf}&email=` : 'a'.repeat(1024));
    const r2 = await rawRequest(server.url, '/login', { method: 'POST', headers, chunks });
    assert.equal(r2.status, 413);
    assert.equal((await client(server).get('/healthz')).status, 200, 'healthz after 413');
    assert.equal((await client(server).login(DEMO.agent2, DEMO_PASSWORD)).status, 303, 'login after 413');
  });

  test('invalid UTF-8 in a form: 400', async () => {
    const c = client(server);
    const csrf = (await c.form('/login')).hidden._csrf;
    const body = `_csrf=${csrf}&next=%2F&email=%FF&password=x`;
    const res = await c.request('POST', '/login', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body,
    });
    assert.equal(res.status, 400);
    assert.equal(c.cookie('pp_session'), undefined);
  });

  test('malformed JSON under /api/: 400 JSON error', async (t) => {
    // Any /api/ route that takes a body must refuse malformed JSON before its handler
    // runs. The first candidate the server knows (neither 404 nor 405) is checked.
    const c = client(server);
    await c.loginOk(DEMO.agent);
    const csrf = await c.csrf('/');
    const candidates = [['POST', '/api/v1/me/inbox/read'], ['PATCH', '/api/v1/me'], ['POST', '/api/v1/me']];
    for (const [method, p] of candidates) {
      const res = await c.request(method, p, {
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: '{"ids": [1, 2',
      });
      if (res.status === 404 || res.status === 405) continue;
      assert.equal(res.status, 400, `${method} ${p} with malformed JSON`);
      assert.match(res.headers.get('content-type'), /^application\/json/);
      assert.equal(res.json().error.status, 400);
      const dup = await c.request(method, p, {
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: '{"a": 1, "a": 2}',
      });
      assert.equal(dup.status, 400, `${method} ${p} with a duplicate key`);
      return;
    }
    t.skip(`no /api/ route takes a JSON body yet (tried ${candidates.map((x) => x.join(' ')).join(', ')})`);
  });
});

describe('static files', () => {
  const cssFile = fs.readFileSync(path.join(ROOT, 'web', 'static', 'css', 'app.css'));

  test('GET /static/css/app.css: text/css, ETag, revalidated cache, 304 on If-None-Match', async () => {
    const c = client(server);
    const res = await c.get('/static/css/app.css');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.ok(res.bytes.equals(cssFile), 'served bytes equal web/static/css/app.css');
    const etag = res.headers.get('etag');
    assert.ok(etag, 'ETag');
    assert.equal(res.headers.get('cache-control'), 'public, no-cache');
    const again = await c.get('/static/css/app.css', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.bytes.length, 0);
    assertSecurityHeaders(again.headers, '304');
    const other = await c.get('/static/css/app.css', { headers: { 'If-None-Match': '"not-it"' } });
    assert.equal(other.status, 200);
  });

  test('the page links a fingerprinted stylesheet served as immutable', async () => {
    const c = client(server);
    const page = await c.get('/login');
    const link = page.body.match(/<link\b[^>]*rel="stylesheet"[^>]*>/i);
    assert.ok(link, 'stylesheet link');
    const href = link[0].match(/href="([^"]+)"/)[1];
    assert.match(href, /^\/static\/css\/app\.[0-9a-f]{8}\.css$/);
    const res = await c.get(href);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.ok(res.bytes.equals(cssFile), 'fingerprinted URL serves app.css');
    // A wrong fingerprint is not the file.
    const wrong = await c.get('/static/css/app.00000000.css');
    assert.notEqual(wrong.status, 200);
    const script = page.body.match(/<script\b[^>]*src="([^"]+)"/i);
    if (script) {
      const js = await c.get(script[1]);
      assert.equal(js.status, 200, script[1]);
      assert.match(js.headers.get('content-type'), /^(text|application)\/javascript/);
    }
  });

  test('path traversal attempts all answer 404 and never a file', async () => {
    const makefile = fs.readFileSync(path.join(ROOT, 'Makefile'), 'utf8');
    const mainC = fs.readFileSync(path.join(ROOT, 'passport', 'main.c'), 'utf8');
    const probes = ['/static/../Makefile', '/static/%2e%2e/Makefile', '/static/..%2fMakefile',
      '/static/css/../../passport/main.c', '/static/%2e%2e%2fMakefile', '/static/css/..%2f..%2fMakefile',
      '/static/.%2e/Makefile', '/static//etc/passwd', '/static/css/%2e%2e/%2e%2e/passport/main.c'];
    for (const p of probes) {
      const res = await rawRequest(server.url, p);
      assert.equal(res.status, 404, `${p}: ${res.status}`);
      assert.ok(!res.body.includes(makefile.slice(0, 60)) && !res.body.includes(mainC.slice(0, 60)), `${p} leaked a file`);
      assert.ok(!res.body.includes('root:x:0:0'), `${p} leaked /etc/passwd`);
    }
  });
});

describe('security headers', () => {
  test('on pages, redirects, errors, static files and JSON', async () => {
    const c = client(server);
    const cases = [
      ['login page', await c.get('/login')],
      ['redirect', await c.get('/')],
      ['404 page', await c.get('/nope')],
      ['404 JSON', await c.get('/api/v1/nope')],
      ['401 JSON', await c.get('/api/v1/me')],
      ['405', await c.request('DELETE', '/login')],
      ['403', await c.post('/login', { email: 'x', password: 'y' })],
      ['static', await c.get('/static/css/app.css')],
      ['static 404', await c.get('/static/css/nope.css')],
      ['healthz', await c.get('/healthz')],
    ];
    await c.loginOk(DEMO.agent);
    cases.push(['home', await c.get('/')], ['me JSON', await c.get('/api/v1/me')]);
    for (const [what, res] of cases) assertSecurityHeaders(res.headers, `${what} (${res.status})`);
  });
});

describe('/api/v1/me', () => {
  test('logged in: the account as JSON', async () => {
    const c = client(server);
    await c.loginOk(DEMO.manager);
    const res = await c.get('/api/v1/me');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const me = res.json();
    for (const k of ['id', 'email', 'name', 'unit', 'roles', 'locale']) assert.ok(k in me, `me.${k}`);
    assert.equal(me.email, DEMO.manager);
    assert.ok(Number.isInteger(me.id));
    assert.deepEqual(rolesOf(me).sort(), ['agent', 'manager']);
    assert.equal(me.locale, 'fr');
    assert.equal(typeof me.name, 'string');
    assert.ok(me.name.length > 0);
  });

  test('anonymous: 401 JSON error', async () => {
    const res = await client(server).get('/api/v1/me');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const e = res.json();
    assert.equal(e.error.status, 401);
    assert.equal(typeof e.error.message, 'string');
    assert.ok(e.error.message.length > 0);
  });
});

describe('locale', () => {
  test('French by default, English with Accept-Language: en', async () => {
    const fr = await client(server).get('/login');
    assert.equal(htmlLang(fr.body), 'fr');
    assert.match(fr.body, /Se connecter/);
    for (const al of ['en', 'en-GB,en;q=0.9', 'en-US,en;q=0.8,fr;q=0.5']) {
      const en = await client(server, { headers: { 'Accept-Language': al } }).get('/login');
      assert.equal(htmlLang(en.body), 'en', `Accept-Language: ${al}`);
      assert.match(en.body, /Log in/);
    }
    for (const al of ['fr-FR,fr;q=0.9,en;q=0.8', 'de-DE,de;q=0.9', 'fr;q=1, en;q=0.5']) {
      const page = await client(server, { headers: { 'Accept-Language': al } }).get('/login');
      assert.equal(htmlLang(page.body), 'fr', `Accept-Language: ${al}`);
    }
  });

  test('the language switch sets pp_lang, which wins over Accept-Language', async () => {
    const c = client(server, { headers: { 'Accept-Language': 'fr' } });
    const form = parseForms((await c.get('/login')).body).find((f) => f.action === '/locale');
    assert.ok(form, 'language switch form');
    const res = await c.post('/locale', { ...form.hidden, locale: 'en' });
    assert.equal(res.status, 303);
    assert.equal(c.cookie('pp_lang'), 'en');
    const page = await c.get('/login');
    assert.equal(htmlLang(page.body), 'en');
    assert.match(page.body, /Log in/);
  });
});

describe('load and slow clients', () => {
  test('200 concurrent requests of every kind all succeed; each visitor gets its own CSRF token', async () => {
    const agent = client(server);
    await agent.loginOk(DEMO.agent);
    const jobs = [];
    for (let i = 0; i < 200; i++) {
      const kind = i % 4;
      if (kind === 0) jobs.push(client(server).get('/login').then((r) => ['login', r]));
      else if (kind === 1) jobs.push(client(server).get('/static/css/app.css').then((r) => ['css', r]));
      else if (kind === 2) jobs.push(client(server).get('/healthz').then((r) => ['healthz', r]));
      else jobs.push(agent.get('/api/v1/me').then((r) => ['me', r]));
    }
    const results = await Promise.all(jobs);
    const tokens = new Set();
    for (const [kind, r] of results) {
      assert.equal(r.status, 200, `${kind}: ${r.status}`);
      if (kind === 'login') tokens.add(r.setCookies.find((k) => k.name === 'pp_csrf')?.value);
      if (kind === 'me') assert.equal(r.json().email, DEMO.agent);
    }
    assert.equal(tokens.size, 50, 'one distinct pp_csrf per anonymous visitor');
    assert.ok(!tokens.has(undefined));
  });

  test('slow clients (unfinished headers or bodies) do not hold the workers', async () => {
    const sockets = [];
    try {
      for (let i = 0; i < 150; i++) {
        const so = net.connect(server.port, '127.0.0.1');
        so.on('error', () => {});
        so.write(i % 3 === 0
          ? 'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail='
          : 'GET /login HTTP/1.1\r\nHost: x\r\n');
        sockets.push(so);
      }
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      assert.equal((await client(server).get('/healthz')).status, 200);
      assert.ok(Date.now() - t0 < 2000, `healthz took ${Date.now() - t0} ms beside 150 slow clients`);
      assert.equal((await client(server).login(DEMO.agent2, DEMO_PASSWORD)).status, 303);
    } finally {
      for (const so of sockets) so.destroy();
    }
  });
});
