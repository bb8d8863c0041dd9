// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of personal API tokens: made at /me/tokens without JavaScript and
// shown once, used as "Authorization: Bearer" on /api/v1/ (no CSRF token, never on HTML
// pages), refused for making tokens and erasure, revoked, stopped by a disabled account,
// and axe-core on the page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEMO, client, findForm, formatViolations, launchBrowser, newContext, pageText, runAxe, startServer,
} from './helpers.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** A client that sends only the token (no cookie). */
function bearer(token) {
  const c = client(server);
  c.headers = { ...c.headers, Authorization: `Bearer ${token}` };
  return c;
}

/** Makes a token through the page's form; returns {token, page}. */
async function makeToken(c, name) {
  const res = await c.submit('/me/tokens', '/me/tokens', { name });
  assert.equal(res.status, 201, res.body.slice(0, 500));
  const m = res.body.match(/id="new-token"[^>]*value="(ppt_[0-9a-f]{64})"/);
  assert.ok(m, 'the new token is shown in the page');
  return { token: m[1], page: res };
}

describe('personal API tokens', () => {
  test('made in the page without JavaScript, shown once, then used as a Bearer token', async () => {
    const c = client(server);
    await c.loginOk(DEMO.agent);
    const { token } = await makeToken(c, 'Tableau de suivi');
    const again = await c.get('/me/tokens');
    assert.equal(again.status, 200);
    assert.ok(!again.body.includes(token), 'the token is never shown again');
    assert.match(pageText(again.body), /Tableau de suivi/);
    assert.ok(again.body.includes(`${token.slice(0, 8)}…`), 'its first characters identify it');

    const api = bearer(token);
    const me = await api.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json().email, DEMO.agent);
    const list = (await api.get('/api/v1/me/tokens')).json().tokens;
    assert.equal(list.length, 1);
    assert.ok(list[0].last_used_at > 0, 'the use is recorded');
    assert.ok(!JSON.stringify(list).includes(token));
    // HTML pages ignore the header: a token is for programs, not for browsing
    assert.equal((await api.get('/me/tokens')).status, 303);
  });

  test('a Bearer request writes without a CSRF token; making tokens and erasure need a session', async () => {
    const c = client(server);
    await c.loginOk(DEMO.agent2);
    const { token } = await makeToken(c, 'script');
    const api = bearer(token);
    const mod = (await api.get('/api/v1/modules/phishing-basics')).json();
    const r = await api.request('POST', '/api/v1/modules/phishing-basics/attempts', {
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ nonce: mod.nonce, answers: { [mod.questions[0].name]: mod.questions[0].kind === 'text' ? 'x' : 1 } }),
    });
    assert.equal(r.status, 201, r.body);
    const before_ = (await api.get('/api/v1/me/tokens')).json().tokens.map((t) => t.id);
    const made = await api.request('POST', '/api/v1/me/tokens', {
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'another' }),
    });
    assert.equal(made.status, 403, 'a token cannot make tokens');
    assert.doesNotMatch(made.body, /ppt_[0-9a-f]{64}/, 'no token in the refusal');
    const after_ = (await api.get('/api/v1/me/tokens')).json().tokens;
    assert.deepEqual(after_.map((t) => t.id), before_, 'and none was made');
    assert.ok(!after_.some((t) => t.name === 'another'));
    const erase = await api.request('POST', '/api/v1/me/erase', {
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ confirm: 'yes' }),
    });
    assert.equal(erase.status, 403, 'a token cannot erase the account');
    assert.equal((await api.get('/api/v1/me')).status, 200, 'the account is still there');
    // with a session, the API makes tokens (CSRF token required, as for every POST)
    const csrf = (await c.get('/api/v1/me')).json().csrf;
    const viaApi = await c.request('POST', '/api/v1/me/tokens', {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ name: 'par API' }),
    });
    assert.equal(viaApi.status, 201, viaApi.body);
    assert.match(viaApi.json().token, /^ppt_[0-9a-f]{64}$/);
    assert.equal((await bearer(viaApi.json().token).get('/api/v1/me')).status, 200);
  });

  test('bad, revoked and disabled-account tokens get 401', async () => {
    assert.equal((await bearer(`ppt_${'0'.repeat(64)}`).get('/api/v1/me')).status, 401);
    assert.equal((await bearer('nonsense').get('/api/v1/me')).status, 401);
    const c = client(server);
    await c.loginOk(DEMO.manager);
    const { token } = await makeToken(c, 'à retirer');
    const api = bearer(token);
    assert.equal((await api.get('/api/v1/me')).status, 200);
    const page = await c.get('/me/tokens');
    const id = page.body.match(/action="\/me\/tokens\/(\d+)\/revoke"/)[1];
    const f = findForm(page.body, `/me/tokens/${id}/revoke`);
    const res = await c.post(`/me/tokens/${id}/revoke`, f.hidden);
    assert.equal(res.status, 303);
    assert.equal(res.location, '/me/tokens?done=revoked');
    assert.equal((await api.get('/api/v1/me')).status, 401, 'revoked: refused at once');
    assert.equal((await c.post(`/me/tokens/${id}/revoke`, f.hidden)).status, 404, 'already revoked');

    // an admin disables an account: its tokens stop working too
    const hr = client(server);
    await hr.loginOk(DEMO.hr);
    const t2 = (await makeToken(hr, 'rh')).token;
    assert.equal((await bearer(t2).get('/api/v1/me')).status, 200);
    const admin = client(server);
    await admin.loginOk(DEMO.admin);
    const found = await admin.get(`/admin/users?q=${encodeURIComponent(DEMO.hr)}`);
    const id2 = found.body.match(/<a href="\/admin\/users\/(\d+)">/)[1];
    const edit = await admin.form(`/admin/users/${id2}`, `/admin/users/${id2}`);
    const off = await admin.post(`/admin/users/${id2}`, {
      ...edit.hidden, name: 'RH', unit_id: '0', role_hr: '1', locale: 'fr', disabled: '1',
    });
    assert.equal(off.status, 303, pageText(off.body).slice(0, 300));
    assert.equal((await bearer(t2).get('/api/v1/me')).status, 401);
  });

  test('bad names are refused with a message in French', async () => {
    const c = client(server);
    await c.loginOk(DEMO.agent);
    const res = await c.submit('/me/tokens', '/me/tokens', { name: '   ' });
    assert.equal(res.status, 422);
    assert.match(pageText(res.body), /Donnez au jeton un nom/);
  });

  test('axe-core finds no violation on the tokens page, with a new token shown', async () => {
    const c = client(server);
    await c.loginOk(DEMO.agent2);
    const browser = await launchBrowser();
    try {
      const ctx = await newContext(browser);
      const u = new URL(server.url);
      await ctx.addCookies([{ name: 'pp_session', value: c.cookie('pp_session'), domain: u.hostname, path: '/' }]);
      const page = await ctx.newPage();
      await page.goto(`${server.url}/me/tokens`);
      await page.fill('#name', 'Essai axe');
      await Promise.all([page.waitForLoadState('load'), page.click('form[action="/me/tokens"] button[type="submit"]')]);
      assert.match(await page.inputValue('#new-token'), /^ppt_[0-9a-f]{64}$/);
      const v = await runAxe(page);
      assert.equal(v.length, 0, formatViolations(v, '/me/tokens'));
      await ctx.close();
    } finally {
      await browser.close();
    }
  });
});
