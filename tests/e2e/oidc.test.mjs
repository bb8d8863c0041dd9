// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of single sign-on against a real OpenID provider on loopback
// (tests/e2e/idp.mjs: npm oidc-provider, started and stopped here): sign-in creating an
// account (default unit, name from given_name + usual_name), matching an existing one by
// verified e-mail then by its stable subject, ID tokens signed RS256, ES256 and EdDSA and
// a userinfo answered as a signed JWT, wrong state, replayed code, wrong nonce, expired
// ID token, wrong audience, the provider rotating its keys, unverified e-mail refused,
// roles from a claim, logout at both ends, and --password-login off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { DEMO, client, findForm, pageText, sqlRows, sqlText, startServer, storeFault } from './helpers.mjs';
import { CLIENT_ID, CLIENT_SECRET, startProvider } from './idp.mjs';

const ACCOUNTS = {
  nadia: { email: 'nadia.nouvelle@demo.passport.test', email_verified: true, given_name: 'Nadia', usual_name: 'Nouvelle' },
  agent: { email: DEMO.agent, email_verified: true, given_name: 'Autre', family_name: 'Nom' },
  unverified: { email: 'pas.verifie@demo.passport.test', email_verified: false, given_name: 'Pas', usual_name: 'Vérifié' },
  squatter: { email: DEMO.hr, email_verified: false, given_name: 'Faux', usual_name: 'RH' },
  panne: { email: 'panne.sso@demo.passport.test', email_verified: true, given_name: 'Paul', usual_name: 'Panne' },
  chef: { email: 'chef.sso@demo.passport.test', email_verified: true, given_name: 'Chef', usual_name: 'Sso', roles: ['agent', 'manager'] },
};

let idp;
let server;
let work;

function oidcEnv(extra = {}) {
  return {
    PASSPORT_OIDC_ISSUER: idp.issuer,
    PASSPORT_OIDC_CLIENT_ID: CLIENT_ID,
    PASSPORT_OIDC_CLIENT_SECRET_FILE: path.join(work, 'client-secret'),
    PASSPORT_OIDC_SCOPES: 'openid email given_name usual_name family_name roles',
    PASSPORT_OIDC_ROLES_CLAIM: 'roles',
    PASSPORT_OIDC_CREATE_ACCOUNTS: '1',
    PASSPORT_OIDC_DEFAULT_UNIT: 'Direction générale / Nouveaux arrivants',
    PASSPORT_OIDC_LABEL: 'Se connecter avec ProConnect',
    ...extra,
  };
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-oidc-'));
  fs.writeFileSync(path.join(work, 'client-secret'), `${CLIENT_SECRET}\n`, { mode: 0o600 });
  idp = await startProvider({ accounts: ACCOUNTS });
  server = await startServer({ env: oidcEnv() });
  idp.register(server.url);
});

after(async () => {
  await server?.stop();
  await idp?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Starts a sign-in at Passport: the provider's authorization URL (the client keeps pp_oidc). */
async function begin(c, next = '/') {
  const r = await c.get(`/oidc/login?next=${encodeURIComponent(next)}`);
  assert.equal(r.status, 303, r.body.slice(0, 300));
  const url = new URL(r.headers.get('location'));
  assert.equal(url.origin, idp.issuer);
  return url;
}

/** Signs in at the provider as accountId; returns Passport's callback path and query. */
async function atProvider(authUrl, accountId) {
  const back = new URL(await idp.signIn(authUrl.toString(), accountId));
  return back.pathname + back.search;
}

/** A whole sign-in for accountId through a new client; returns {c, res} (res: the callback's answer). */
async function signIn(accountId, { next = '/' } = {}) {
  const c = client(server);
  idp.forget();
  const res = await c.get(await atProvider(await begin(c, next), accountId));
  return { c, res };
}

async function me(c) {
  const r = await c.get('/api/v1/me');
  return r.status === 200 ? r.json() : null;
}

/** Runs fn with the provider rewriting its ID tokens with edit. */
async function tampered(edit, fn) {
  idp.tamper = edit;
  try { return await fn(); } finally { idp.tamper = null; }
}

describe('single sign-on', () => {
  test('the login page shows the provider\'s button above the password form', async () => {
    const page = await client(server).get('/login?next=/passport');
    assert.equal(page.status, 200);
    assert.match(page.body, /<a class="button" id="sso-login" href="\/oidc\/login\?next=%2Fpassport">Se connecter avec ProConnect<\/a>/);
    assert.ok(findForm(page.body, '/login'), 'the password form stays');
  });

  test('a first sign-in makes the account in the default unit, PKCE and nonce sent', async () => {
    const c = client(server);
    const auth = await begin(c, '/passport');
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.match(auth.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
    assert.ok(auth.searchParams.get('nonce') && auth.searchParams.get('state'));
    assert.equal(auth.searchParams.get('redirect_uri'), `${server.url}/oidc/callback`);
    const res = await c.get(await atProvider(auth, 'nadia'));
    assert.equal(res.status, 303, res.body.slice(0, 500));
    assert.equal(res.headers.get('location'), '/passport');
    const who = await me(c);
    assert.equal(who.email, 'nadia.nouvelle@demo.passport.test');
    assert.equal(who.name, 'Nadia Nouvelle');
    const admin = client(server);
    await admin.loginOk(DEMO.admin);
    const list = pageText((await admin.get('/admin/users?q=nadia')).body);
    assert.match(list, /Nadia Nouvelle.*Direction générale \/ Nouveaux arrivants|Nadia Nouvelle.*Nouveaux arrivants/);
    assert.match(list, /Nadia Nouvelle.*Actif/, 'an account of the provider is active without a password');
    // the second time, the same account
    const again = await signIn('nadia');
    assert.equal((await me(again.c)).id, who.id);
  });

  test('an existing account is matched by verified e-mail, then by its subject', async () => {
    const pw = client(server);
    await pw.loginOk(DEMO.agent);
    const agentId = (await me(pw)).id;
    const { c, res } = await signIn('agent');
    assert.equal(res.status, 303);
    assert.equal((await me(c)).id, agentId);
    assert.equal((await me(c)).email, DEMO.agent);
  });

  test('ID tokens signed ES256 and EdDSA; a userinfo answered as a signed JWT', async () => {
    try {
      for (const [idAlg, userinfoAlg] of [['ES256', null], ['EdDSA', 'ES256'], ['RS256', 'EdDSA']]) {
        idp.configure({ idAlg, userinfoAlg });
        const { c, res } = await signIn('nadia');
        assert.equal(res.status, 303, `${idAlg}/${userinfoAlg}: ${pageText(res.body).slice(0, 300)}; why (audit): ${
          sqlText(server, "SELECT detail FROM audit WHERE action = 'login.sso_failed'")}`);
        assert.equal((await me(c)).email, 'nadia.nouvelle@demo.passport.test');
        assert.equal(idp.seen.idAlg, idAlg);
        assert.match(idp.seen.userinfoType, userinfoAlg ? /^application\/jwt/ : /^application\/json/);
      }
    } finally {
      idp.configure();
    }
  });

  test('a signed userinfo is verified: a changed claim, another key, another audience are refused', async () => {
    idp.configure({ idAlg: 'RS256', userinfoAlg: 'ES256' });
    const forge = (edit) => (jws, { key, signJws, decodePayload }) => edit(jws, key, signJws, decodePayload);
    const cases = [
      // the claims changed, the signature left as it was (someone in between)
      ['jwt.signature', forge((jws, key, sign, decode) => {
        const [h, , sig] = jws.split('.');
        const body = Buffer.from(JSON.stringify({ ...decode(jws), email: DEMO.admin })).toString('base64url');
        return `${h}.${body}.${sig}`;
      })],
      // signed by a key the provider never published (after one fetch of the key set again)
      ['jwt.unknown_kid', forge((jws, key, sign, decode) => sign({ ...key, kid: 'not-published' }, decode(jws)))],
      // a userinfo meant for another client
      ['oidc.userinfo', forge((jws, key, sign, decode) => sign(key, { ...decode(jws), aud: ['another-client'] }))],
      ['oidc.userinfo', forge((jws, key, sign, decode) => sign(key, { ...decode(jws), iss: 'http://127.0.0.1:1' }))],
    ];
    try {
      for (const [why, edit] of cases) {
        idp.tamperUserinfo = edit;
        const logged = server.stderr().length;
        const { c, res } = await signIn('nadia');
        assert.equal(res.status, 401, why);
        assert.equal(await me(c), null, why);
        assert.match(server.stderr().slice(logged), new RegExp(`sign-in refused: ${why.replace('.', '\\.')}`), why);
      }
      // the hook re-signing the same claims with the real key passes: the refusals are the checks'
      idp.tamperUserinfo = forge((jws, key, sign, decode) => sign(key, decode(jws)));
      assert.equal((await signIn('nadia')).res.status, 303);
    } finally {
      idp.tamperUserinfo = null;
      idp.configure();
    }
  });

  test('an unverified e-mail is refused, for a new account and for an existing one', async () => {
    for (const who of ['unverified', 'squatter']) {
      const { c, res } = await signIn(who);
      assert.equal(res.status, 403, who);
      assert.match(pageText(res.body), /ne garantit pas votre adresse/);
      assert.equal(await me(c), null);
    }
  });

  test('a store failure during sign-in answers 503 with a message, not a refusal', async () => {
    // linking the identity fails in the store
    const repair = storeFault(server, 'oidc_identities');
    let res;
    try {
      ({ res } = await signIn('panne'));
    } finally {
      repair();
    }
    assert.equal(res.status, 503, pageText(res.body).slice(0, 300));
    assert.match(pageText(res.body), /problème technique/);
    assert.deepEqual(sqlRows(server, "SELECT id FROM users WHERE email = 'panne.sso@demo.passport.test'"), []);
    const again = await signIn('panne');
    assert.equal(again.res.status, 303, 'the same sign-in works once the store does');
  });

  test('roles come from the roles claim', async () => {
    const { c } = await signIn('chef');
    assert.equal((await me(c)).roles, 'agent,manager');
  });

  test('the page a sign-in comes back to is a path of this site only', async () => {
    // a tab or a newline is skipped by browsers: "/\t/evil.example" would be "//evil.example"
    for (const evil of ['/\t/evil.example', '/\n/evil.example', '//evil.example', '/\\evil.example', 'https://evil.example/']) {
      const { res } = await signIn('nadia', { next: evil });
      assert.equal(res.status, 303, JSON.stringify(evil));
      assert.equal(res.headers.get('location'), '/', `next=${JSON.stringify(evil)} must not leave the site`);
    }
  });

  test('a wrong state, or a state from another browser, is refused', async () => {
    const c = client(server);
    const back = await atProvider(await begin(c), 'nadia');
    const wrong = back.replace(/state=[^&]+/, 'state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    let r = await c.get(wrong);
    assert.equal(r.status, 400);
    assert.equal(await me(c), null);
    // the right state, but in a browser that did not start this sign-in
    r = await client(server).get(back);
    assert.equal(r.status, 400);
  });

  test('a replayed code is refused', async () => {
    const c = client(server);
    const back = await atProvider(await begin(c), 'nadia');
    const code = new URL(back, server.url).searchParams.get('code');
    assert.equal((await c.get(back)).status, 303);
    // the same callback again: its state was used
    const d = client(server);
    const auth = await begin(d);
    const state = auth.searchParams.get('state');
    // the old code with a fresh state of this browser: the provider refuses the code
    const r = await d.get(`/oidc/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`);
    assert.equal(r.status, 401);
    assert.equal(await me(d), null);
    assert.match(server.stderr(), /oidc\.token/);
  });

  test('a wrong nonce, an expired ID token and a wrong audience are refused', async () => {
    const cases = [
      ['jwt.nonce', (p) => ({ ...p, nonce: 'not-the-one-sent' })],
      ['jwt.expired', (p) => ({ ...p, iat: p.iat - 7200, exp: p.iat - 3600 })],
      ['jwt.aud', (p) => ({ ...p, aud: 'another-client' })],
      ['jwt.iss', (p) => ({ ...p, iss: 'http://127.0.0.1:1' })],
      ['jwt.iat', (p) => ({ ...p, iat: p.iat + 3600, exp: p.exp + 3600 })],
    ];
    for (const [why, edit] of cases) {
      const logged = server.stderr().length;
      const { c, res } = await tampered(edit, () => signIn('nadia'));
      assert.equal(res.status, 401, why);
      assert.equal(await me(c), null, why);
      assert.match(server.stderr().slice(logged), new RegExp(`sign-in refused: ${why.replace('.', '\\.')}`), why);
    }
    // the same tampering hook without a change passes: the refusals above are the checks'
    const { res } = await tampered((p) => p, () => signIn('nadia'));
    assert.equal(res.status, 303);
  });

  test('after the provider rotates its keys the new key set is fetched and sign-in works', async () => {
    const before_ = idp.jwksFetches;
    assert.equal((await signIn('nadia')).res.status, 303);
    assert.equal(idp.jwksFetches, before_, 'the key set is kept between sign-ins');
    idp.rotate();
    // the server fetches the key set at most once a second (OIDC_JWKS_MIN_INTERVAL), and the
    // unpublished-key case above made it fetch: past that second, the unknown kid is fetched
    await new Promise((r) => setTimeout(r, 1100));
    const { c, res } = await signIn('nadia');
    assert.equal(res.status, 303, pageText(res.body).slice(0, 300));
    assert.ok(await me(c));
    assert.equal(idp.jwksFetches, before_ + 1, 'fetched again once, for the unknown kid');
  });

  test('logout ends the session at Passport and at the provider', async () => {
    const { c } = await signIn('nadia');
    const form = await c.form('/', '/logout');
    const out = await c.post('/logout', form.hidden);
    assert.equal(out.status, 303);
    const loc = new URL(out.headers.get('location'));
    assert.equal(loc.origin, idp.issuer);
    assert.ok(loc.searchParams.get('id_token_hint'), 'id_token_hint sent');
    assert.equal(loc.searchParams.get('post_logout_redirect_uri'), `${server.url}/login`);
    assert.equal(await me(c), null, 'Passport\'s session ended');
    const back = await idp.followLogout(loc.toString());
    assert.ok(back.startsWith(`${server.url}/login`), back);
    // the provider asks who signs in again: its session ended too
    assert.ok(await idp.asksToSignIn((await begin(client(server))).toString()));
  });

  test('a password session logs out locally only', async () => {
    const c = client(server);
    await c.loginOk(DEMO.agent2);
    const out = await c.post('/logout', (await c.form('/', '/logout')).hidden);
    assert.equal(out.headers.get('location'), '/login');
  });
});

describe('sign-ins begun from one client', () => {
  // last on this server: its allowance for 127.0.0.1 is used up after it
  test('are limited (429 with Retry-After, a page saying why); nothing written past the limit', async () => {
    const c = client(server);
    const pending = () => Number(sqlText(server, 'SELECT count(*) FROM oidc_logins'));
    let r;
    for (let n = 0; n < 120; n++) {
      r = await c.get('/oidc/login?next=/');
      if (r.status !== 303) break;
    }
    assert.equal(r.status, 429, r.body.slice(0, 300));
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.match(pageText(r.body), /Trop de connexions commencées/);
    const written = pending();
    assert.equal((await c.get('/oidc/login?next=/')).status, 429);
    assert.equal(pending(), written, 'a refused start writes no pending sign-in');
  });
});

describe('--password-login off, without --oidc-create-accounts', () => {
  let only;
  before(async () => {
    only = await startServer({ env: oidcEnv({ PASSPORT_PASSWORD_LOGIN: 'off', PASSPORT_OIDC_CREATE_ACCOUNTS: '' }) });
    idp.register(only.url); // the provider now sends its sign-ins back to this server
  });
  after(async () => { await only?.stop(); });

  test('only accounts that exist sign in, matched by verified e-mail; nobody is made', async () => {
    const signInAt = async (accountId) => {
      const c = client(only);
      idp.forget();
      const r = await c.get(`/oidc/login?next=${encodeURIComponent('/passport')}`);
      assert.equal(r.status, 303);
      const back = new URL(await idp.signIn(r.headers.get('location'), accountId));
      return { c, res: await c.get(back.pathname + back.search) };
    };
    const stranger = await signInAt('nadia'); // verified, but no account on this server
    assert.equal(stranger.res.status, 403);
    assert.equal(await me(stranger.c), null);
    assert.deepEqual(sqlRows(only, "SELECT id FROM users WHERE email = 'nadia.nouvelle@demo.passport.test'"), []);
    const known = await signInAt('agent');
    assert.equal(known.res.status, 303, pageText(known.res.body).slice(0, 300));
    assert.equal((await me(known.c)).email, DEMO.agent);
  });

  test('the login page has only the provider\'s button; passwords are refused', async () => {
    const c = client(only);
    const page = await c.get('/login');
    assert.match(page.body, /id="sso-login"[^>]*>Se connecter avec ProConnect</);
    assert.ok(!/name="password"/.test(page.body), 'no password field');
    assert.ok(!/\/forgot/.test(page.body));
    const csrf = await c.csrf('/login');
    const r = await c.post('/login', { _csrf: csrf, email: DEMO.admin, password: 'E2e-Demo-Password-2026!' });
    assert.equal(r.status, 403);
    assert.equal(await me(c), null);
    // an invitation or reset link from an e-mail, or "mot de passe oublié", leads to the
    // provider's button; posting a password anyway is refused
    for (const url of ['/forgot', '/password/set?t=0123456789abcdef']) {
      const r2 = await c.get(url);
      assert.equal(r2.status, 303, url);
      assert.equal(r2.headers.get('location'), '/login', url);
    }
    assert.equal((await c.post('/forgot', { _csrf: csrf, email: DEMO.agent })).status, 404);
  });
});
