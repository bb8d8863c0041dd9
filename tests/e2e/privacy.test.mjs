// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of the privacy guarantees of docs/privacy.md, run as an attacker would:
// the talent search and the call page give no yes/no answer about a hidden agent (two
// twin servers that differ only in the probed properties answer every probe with the
// same bytes); a hidden passport is hidden from HR, and every look by a manager or an
// admin is shown to the agent, who cannot be made to "view" anything from another site.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  BIN, DEMO, ENGINE, PG_WRITE_LOCK, client, formatViolations, freePort, htmlDecode, launchBrowser, newContext, runAxe,
  sqlText, startServer, storeFault,
} from './helpers.mjs';
import { CLIENT_ID, CLIENT_SECRET, startProvider } from './idp.mjs';
import { linkIn, mailEnv, mailFiles, startMailbox, to } from './mailbox.mjs';

/** Adds the JSON API helpers to a world. */
function withApi(w) {
  w.api = (role, method, p, body) => {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['X-CSRF-Token'] = w.csrf[role];
      headers['Content-Type'] = 'application/json';
    }
    return w.as[role].request(method, p, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  w.ok = async (role, method, p, body, status = 200) => {
    const res = await w.api(role, method, p, body);
    assert.equal(res.status, status, `${role} ${method} ${p}: ${res.body.slice(0, 400)}`);
    return res.json();
  };
  return w;
}

/** A server with the demo organisation, the frameworks, logged-in clients by role, their
 * CSRF tokens and user ids. */
async function makeWorld(env = {}) {
  const w = withApi({ server: await startServer({ env }) }); // (init loads the frameworks)
  w.as = {}; w.csrf = {}; w.ids = {};
  await Promise.all(['admin', 'hr', 'manager', 'agent', 'agent2'].map(async (role) => {
    w.as[role] = client(w.server);
    await w.as[role].loginOk(DEMO[role]);
    w.csrf[role] = await w.as[role].csrf('/me/profile', '/me/profile');
    w.ids[role] = (await w.ok(role, 'GET', '/api/v1/me/profile')).user_id;
  }));
  return w;
}

/** The page's bytes without what differs by session (the CSRF token). */
function sessionFree(body) {
  return body.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="X"');
}

const BIO = 'cryptographie quantique';

describe('no oracle: a hidden agent is invisible to the talent search, whatever is asked', () => {
  let A; // the hidden agent has the properties probed
  let B; // the twin: the same organisation, the agent without them
  before(async () => {
    [A, B] = [await makeWorld(), await makeWorld()];
    // A: verified CRCN-1.1 at 5 (attested by the manager), declared CRCN-3.2 at 6,
    // available, a bio; the agent stays hidden (the default)
    await A.ok('manager', 'POST', `/api/v1/users/${A.ids.agent}/attestations`, { code: 'CRCN-1.1', level: '5', comment: 'Vu en situation' }, 201);
    await A.ok('agent', 'POST', '/api/v1/me/self-assessments', { code: 'CRCN-3.2', level: '6', comment: '' }, 201);
    await A.ok('agent', 'POST', '/api/v1/me/profile', { visibility: 'hidden', bio: BIO, interests: 'escalade', languages: 'français', available: 'true' });
    // B: nothing of that
    await B.ok('agent', 'POST', '/api/v1/me/profile', { visibility: 'hidden', bio: 'jardinage', interests: 'lecture', languages: 'français', available: 'false' });
    for (const w of [A, B]) assert.equal((await w.ok('agent', 'GET', '/api/v1/me/profile')).visibility, 'hidden');
  });
  after(async () => { await A?.server.stop(); await B?.server.stop(); });

  /** GETs p as role on both twins; the bodies (and statuses) must be byte-identical. */
  async function same(role, p, { json = true } = {}) {
    const headers = json ? { Accept: 'application/json' } : {};
    const [ra, rb] = [await A.as[role].get(p, { headers }), await B.as[role].get(p, { headers })];
    assert.equal(ra.status, rb.status, `${role} ${p}: status`);
    assert.equal(sessionFree(ra.body), sessionFree(rb.body), `${role} ${p}: the answer depends on the hidden agent`);
    return ra;
  }

  for (const role of ['hr', 'manager']) {
    test(`${role}: the binary search over levels learns nothing (verified, declared, available, unit)`, async () => {
      const unit = (await A.ok('agent', 'GET', '/api/v1/me/profile')).unit_id;
      // the attacker's loop: the answer of each probe decides the next one
      for (const code of ['CRCN-1.1', 'CRCN-3.2']) {
        for (const extra of ['', '&declared=1', '&available=1', `&unit=${unit}`, '&declared=1&available=1&fresh=12']) {
          let lo = 0;
          let hi = 8;
          const first = (await same(role, `/api/v1/talent/search?needs=${code}:1${extra}`)).json();
          while (lo < hi) {
            const mid = Math.ceil((lo + hi) / 2);
            const r = (await same(role, `/api/v1/talent/search?needs=${code}:${mid}${extra}`)).json();
            if (JSON.stringify(r.hidden) !== JSON.stringify(first.hidden) || r.hidden_total !== first.hidden_total) lo = mid;
            else hi = mid - 1;
          }
          // and every level, both ways the page offers it
          for (let l = 1; l <= 8; l++) {
            await same(role, `/api/v1/talent/search?c1=${code}&l1=${l}${extra}`);
          }
        }
      }
      // the page and the CSV say the same
      await same(role, `/talent?needs=CRCN-1.1:5&declared=1&available=1&unit=${unit}`, { json: false });
      await same(role, '/talent/export.csv?needs=CRCN-1.1:5', { json: false });
    });

    test(`${role}: the prefix search over the words of a bio learns nothing`, async () => {
      const probes = new Set();
      for (const word of [...BIO.split(' '), 'escalade', 'jardinage', 'lecture']) {
        for (let i = 1; i <= word.length; i++) probes.add(word.slice(0, i));
      }
      for (const c of 'abcdefghijklmnopqrstuvwxyz') probes.add(c);
      for (const q of probes) {
        await same(role, `/api/v1/talent/search?q=${encodeURIComponent(q)}`);
        await same(role, `/api/v1/talent/search?q=${encodeURIComponent(q)}&needs=CRCN-1.1:1&declared=1`);
      }
      await same(role, `/talent?q=${encodeURIComponent('cryptographie')}`, { json: false });
    });
  }

  test('the call page\'s suggestions and hidden count do not depend on the hidden agent', async () => {
    const day = (d) => new Date(Date.now() + d * 86400e3).toISOString().slice(0, 10);
    for (const owner of ['hr', 'manager']) {
      for (let l = 1; l <= 8; l++) {
        const parts = [];
        for (const w of [A, B]) {
          const c = await w.ok(owner, 'POST', '/api/v1/calls', {
            title: `Appel ${l}`, description: 'x', opens_on: day(-1), closes_on: day(30),
            needs: [{ code: 'CRCN-1.1', min_level: l, weight: 1 }, { code: 'CRCN-3.2', min_level: 1, weight: 1 }],
          }, 201);
          await w.ok(owner, 'POST', `/api/v1/calls/${c.id}/state`, { state: 'open' });
          const seen = await w.ok(owner, 'GET', `/api/v1/calls/${c.id}`);
          parts.push(JSON.stringify([seen.suggested, seen.suggested_hidden, seen.applications]));
          const page = await w.as[owner].get(`/calls/${c.id}`);
          const hiddenLine = page.body.match(/<p class="help">[^<]*<\/p>\s*<\/section>/g);
          parts.push(JSON.stringify(hiddenLine));
        }
        assert.equal(parts[0], parts[2], `${owner} level ${l}: suggestions differ`);
        assert.equal(parts[1], parts[3], `${owner} level ${l}: the page's hidden count differs`);
      }
    }
  });
});

describe('hidden means hidden; every look is shown to the agent', () => {
  let W;
  before(async () => { W = await makeWorld(); });
  after(async () => { await W?.server.stop(); });
  const views = async () => (await W.ok('agent', 'GET', '/api/v1/me/profile-views')).views;

  test('HR: a hidden agent\'s passport answers exactly as an absent account\'s', async () => {
    for (const [page, api] of [[`/people/${W.ids.agent}/passport`, `/api/v1/users/${W.ids.agent}/passport`]]) {
      const hidden = await W.as.hr.get(page);
      const absent = await W.as.hr.get('/people/999999/passport');
      assert.equal(hidden.status, 404);
      assert.equal(hidden.body.replaceAll(page, 'P'), absent.body.replaceAll('/people/999999/passport', 'P'));
      const ha = await W.api('hr', 'GET', api);
      const aa = await W.api('hr', 'GET', '/api/v1/users/999999/passport');
      assert.equal(ha.status, 404);
      assert.equal(ha.body, aa.body);
    }
    // another agent and a manager out of scope: the same
    assert.equal((await W.as.agent2.get(`/people/${W.ids.agent}/passport`)).status, 404);
    assert.equal((await W.api('agent2', 'GET', `/api/v1/users/${W.ids.agent}/passport`)).status, 404);
    assert.deepEqual(await views(), []);
  });

  test('a manager in scope sees the passport; the agent sees the view', async () => {
    const res = await W.as.manager.get(`/people/${W.ids.agent}/passport`);
    assert.equal(res.status, 200);
    const v = await views();
    assert.equal(v.length, 1);
    assert.deepEqual([v[0].viewer_id, v[0].context, v[0].reason], [W.ids.manager, 'passport', '']);
  });

  test('an admin gives a reason first; the agent sees who, when and why', async () => {
    const form = await W.as.admin.get(`/people/${W.ids.agent}/passport`);
    assert.equal(form.status, 200);
    assert.match(form.body, /name="reason"/);
    assert.doesNotMatch(form.body, /class="radar|CRCN-1\.1/, 'no passport data before the reason');
    assert.equal((await views()).length, 1, 'asking for the reason records nothing');
    const csrf = (await W.as.admin.form(`/people/${W.ids.agent}/passport`, `/people/${W.ids.agent}/passport`)).hidden._csrf;
    let r = await W.as.admin.post(`/people/${W.ids.agent}/passport`, { _csrf: csrf, reason: '  ' });
    assert.equal(r.status, 422);
    r = await W.as.admin.post(`/people/${W.ids.agent}/passport`, { _csrf: csrf, reason: 'bidi \u202Eevil' });
    assert.equal(r.status, 422);
    r = await W.as.admin.post(`/people/${W.ids.agent}/passport`, { reason: 'Ticket 4521' });
    assert.equal(r.status, 403, 'no CSRF token, no view');
    assert.equal((await views()).length, 1);
    r = await W.as.admin.post(`/people/${W.ids.agent}/passport`, { _csrf: csrf, reason: 'Ticket 4521' });
    assert.equal(r.status, 200);
    assert.equal((await W.api('admin', 'GET', `/api/v1/users/${W.ids.agent}/passport`)).status, 422, 'the API needs ?reason= too');
    assert.equal((await W.api('admin', 'GET', `/api/v1/users/${W.ids.agent}/passport?reason=${encodeURIComponent('Ticket 4522')}`)).status, 200);
    const v = await views();
    assert.deepEqual(v.slice(0, 2).map((x) => [x.viewer_id, x.context, x.reason]),
      [[W.ids.admin, 'support', 'Ticket 4522'], [W.ids.admin, 'support', 'Ticket 4521']]);
  });

  test('a link on another site records nothing and answers the same for every id', async () => {
    const cross = { headers: { 'Sec-Fetch-Site': 'cross-site' } };
    const before_ = (await views()).length;
    for (const role of ['manager', 'hr', 'admin']) {
      const real = await W.as[role].get(`/people/${W.ids.agent}/passport`, cross);
      const absent = await W.as[role].get('/people/999999/passport', cross);
      assert.equal(real.status, 200);
      assert.equal(real.body.replaceAll(`/people/${W.ids.agent}/passport`, 'P'), absent.body.replaceAll('/people/999999/passport', 'P'));
      assert.match(real.body, new RegExp(`href="/people/${W.ids.agent}/passport"`), 'a link to open it on purpose');
      const sameSite = await W.as[role].get(`/talent/people/${W.ids.agent}?from=search`, { headers: { 'Sec-Fetch-Site': 'same-site' } });
      assert.equal(sameSite.status, 200);
      const api = await W.as[role].get(`/api/v1/users/${W.ids.agent}/passport?reason=x`, { headers: { ...cross.headers, Accept: 'application/json' } });
      assert.equal(api.status, 403);
    }
    assert.equal((await views()).length, before_);
    // the same page opened from Passport itself (or typed) records the view
    const own = await W.as.manager.get(`/people/${W.ids.agent}/passport`, { headers: { 'Sec-Fetch-Site': 'same-origin' } });
    assert.equal(own.status, 200);
    assert.equal((await views()).length, before_ + 1);
  });

  test('a call context is kept only for a call the viewer owns and the agent applied to', async () => {
    await W.ok('agent', 'POST', '/api/v1/me/profile', { visibility: 'hr', only: 'visibility' });
    const day = (d) => new Date(Date.now() + d * 86400e3).toISOString().slice(0, 10);
    const mk = async (owner) => {
      const c = await W.ok(owner, 'POST', '/api/v1/calls', { title: `Appel de ${owner}`, description: 'x', opens_on: day(-1), closes_on: day(30), needs: [{ code: 'CRCN-1.1', min_level: 1 }] }, 201);
      await W.ok(owner, 'POST', `/api/v1/calls/${c.id}/state`, { state: 'open' });
      return c.id;
    };
    const hrCall = await mk('hr');
    const managerCall = await mk('manager');
    // not applied yet: "direct"
    await W.as.hr.get(`/talent/people/${W.ids.agent}?from=call&call=${hrCall}`);
    await W.ok('agent', 'POST', `/api/v1/calls/${hrCall}/applications`, { motivation: 'Oui' }, 201);
    // applied, but to a call HR does not own: "direct"
    await W.as.hr.get(`/talent/people/${W.ids.agent}?from=call&call=${managerCall}`);
    // applied, HR's own call: "call"
    await W.as.hr.get(`/talent/people/${W.ids.agent}?from=call&call=${hrCall}`);
    const v = (await views()).filter((x) => x.viewer_id === W.ids.hr);
    assert.deepEqual(v.map((x) => [x.context, x.context_id]), [['call', hrCall], ['direct', 0], ['direct', 0]]);
  });

  test('Chromium: the agent reads the list of views on /me/profile', async () => {
    const browser = await launchBrowser();
    try {
      const ctx = await newContext(browser);
      const u = new URL(W.server.url);
      await ctx.addCookies([{ name: 'pp_session', value: W.as.agent.cookie('pp_session'), domain: u.hostname, path: '/' }]);
      const page = await ctx.newPage();
      const res = await page.goto(`${W.server.url}/me/profile`);
      assert.equal(res.status(), 200);
      const table = await page.locator('section[aria-labelledby="views-title"] table').innerText();
      assert.match(table, /Consultation du passeport/);
      assert.match(table, /Accès support \(administrateur\) : Ticket 4522/);
      assert.match(table, /Appel à intrapreneurs : Appel de hr/);
      const violations = await runAxe(page);
      assert.equal(violations.length, 0, formatViolations(violations, '/me/profile'));
      await ctx.close();
    } finally {
      await browser.close();
    }
  });

  test('Chromium: the admin\'s reason form and the page answered to a cross-site link pass axe at 1280 and 390 px', async () => {
    const browser = await launchBrowser();
    try {
      const ctx = await newContext(browser);
      const u = new URL(W.server.url);
      await ctx.addCookies([{ name: 'pp_session', value: W.as.admin.cookie('pp_session'), domain: u.hostname, path: '/' }]);
      const page = await ctx.newPage();
      const target = `${W.server.url}/people/${W.ids.agent}/passport`;
      // a page of another site linking to the passport (served by the browser itself)
      await page.route('http://elsewhere.example/**', (r) => r.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="en"><title>Elsewhere</title><main><a id="go" href="${target}">go</a></main></html>`,
      }));
      const before_ = (await views()).length;
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto('http://elsewhere.example/');
        await Promise.all([page.waitForNavigation(), page.click('#go')]);
        assert.equal(page.url(), target);
        assert.match(await page.locator('main').innerText(), /depuis un autre site/, 'the cross-site page, not the form');
        let violations = await runAxe(page);
        assert.equal(violations.length, 0, formatViolations(violations, `cross-site page at ${width} px`));
        // opened from Passport: the admin is asked for a reason
        await Promise.all([page.waitForNavigation(), page.click('main a.button')]);
        assert.equal(await page.locator('textarea#reason').count(), 1);
        violations = await runAxe(page);
        assert.equal(violations.length, 0, formatViolations(violations, `reason form at ${width} px`));
        // a blank reason: the form again, with its error
        await page.fill('textarea#reason', '   ');
        const [res] = await Promise.all([page.waitForNavigation(), page.click('main form button[type="submit"]')]);
        assert.equal(res.status(), 422);
        assert.equal(await page.locator('[role="alert"]').count(), 1);
        violations = await runAxe(page);
        assert.equal(violations.length, 0, formatViolations(violations, `reason form with its error at ${width} px`));
      }
      assert.equal((await views()).length, before_, 'none of this recorded a view');
      await ctx.close();
    } finally {
      await browser.close();
    }
  });
});

describe('erasure erases: no byte of the person is left in the database (tables, or SQLite\'s files with the WAL)', () => {
  // The person has a row in every table holding personal data: profile, evidence,
  // application, profile view, free-text index, and also mail sent to them (outbox), a
  // reset link (account_links), an identity at an OpenID Connect provider
  // (oidc_identities) and the ID token of a session opened through it (oidc_sessions).
  const SUBJECT = 'sujet-oidc-7c1f9e2a-wombat';
  let W;
  let files;
  let mailbox;
  let idp;
  let work;
  before(async () => {
    files = mailFiles();
    const port = await freePort();
    mailbox = await startMailbox(files, port);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-erase-'));
    fs.writeFileSync(path.join(work, 'client-secret'), `${CLIENT_SECRET}\n`, { mode: 0o600 });
    idp = await startProvider({ accounts: { [SUBJECT]: { email: DEMO.agent, email_verified: true, given_name: 'Léa', usual_name: 'Dubois' } } });
    W = await makeWorld({
      ...mailEnv(files, port),
      PASSPORT_OIDC_ISSUER: idp.issuer,
      PASSPORT_OIDC_CLIENT_ID: CLIENT_ID,
      PASSPORT_OIDC_CLIENT_SECRET_FILE: path.join(work, 'client-secret'),
      PASSPORT_OIDC_SCOPES: 'openid email given_name usual_name',
    });
    idp.register(W.server.url);
  });
  after(async () => {
    await W?.server.stop();
    await idp?.close();
    await mailbox?.close();
    for (const d of [work, files?.dir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });
  const sql = (q) => sqlText(W.server, q);

  test('after erasure, the raw files hold neither email, name, profile words, links nor OIDC subject', async () => {
    const me = await W.ok('agent', 'GET', '/api/v1/me/profile');
    const id = W.ids.agent;
    const words = ['zygomorphe', 'xylophoniste', 'quokkas', 'ornithorynque'];
    await W.ok('agent', 'POST', '/api/v1/me/profile', { visibility: 'hr', bio: `${words[0]} ${words[1]}`, interests: words[2], languages: 'français', available: 'true' });
    await W.ok('agent', 'POST', '/api/v1/me/self-assessments', { code: 'CRCN-2.1', level: '3', comment: `commentaire ${words[3]}` }, 201);
    await W.ok('manager', 'POST', `/api/v1/users/${id}/attestations`, { code: 'CRCN-1.1', level: '3', comment: 'observé' }, 201);
    const day = (d) => new Date(Date.now() + d * 86400e3).toISOString().slice(0, 10);
    const call = await W.ok('hr', 'POST', '/api/v1/calls', { title: 'Appel', description: 'x', opens_on: day(-1), closes_on: day(30), needs: [{ code: 'CRCN-1.1', min_level: 1 }] }, 201);
    await W.ok('hr', 'POST', `/api/v1/calls/${call.id}/state`, { state: 'open' });
    await W.ok('agent', 'POST', `/api/v1/calls/${call.id}/applications`, { motivation: `motivation ${words[3]}` }, 201);
    await W.as.hr.get(`/talent/people/${id}?from=search`);
    const search = await W.ok('hr', 'GET', `/api/v1/talent/search?q=${words[0]}`);
    assert.ok(search.results.some((r) => r.user_id === id), 'the words were indexed');
    // a sign-in through the provider: the identity is linked (matched by verified e-mail)
    const sso = client(W.server);
    const begin = await sso.get('/oidc/login?next=/');
    assert.equal(begin.status, 303, begin.body.slice(0, 300));
    const back = new URL(await idp.signIn(begin.headers.get('location'), SUBJECT));
    const cb = await sso.get(back.pathname + back.search);
    assert.equal(cb.status, 303, cb.body.slice(0, 500));
    assert.equal((await sso.get('/api/v1/me')).json().id, id, 'signed in as the agent');
    // a reset link, mailed to them
    const reset = await client(W.server).submit('/forgot', '/forgot', { email: DEMO.agent });
    assert.equal(reset.status, 200);
    const [mail] = await mailbox.waitFor(to(DEMO.agent));
    const token = new URL(linkIn(mail, '/password/set')).searchParams.get('t');
    assert.ok(token, mail.text);
    const tokenHash = crypto.createHash('sha256').update(token).digest('hex');
    // every table of the list holds a row of theirs
    assert.ok(Number(sql(`SELECT count(*) FROM outbox WHERE user_id = ${id} OR to_addr = '${DEMO.agent}'`)) > 0, 'outbox');
    assert.equal(sql(`SELECT count(*) FROM account_links WHERE user_id = ${id} AND token_hash = '${tokenHash}'`), '1', 'account_links');
    assert.equal(sql(`SELECT subject FROM oidc_identities WHERE user_id = ${id}`), SUBJECT, 'oidc_identities');
    const idToken = sql(`SELECT id_token FROM oidc_sessions o JOIN sessions s ON s.token_hash = o.session_hash WHERE s.user_id = ${id}`);
    assert.match(idToken, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'oidc_sessions');
    // many writes of the account row, so that the WAL holds many copies of it
    for (let i = 0; i < 20; i++) await W.ok('agent', 'POST', '/api/v1/me/profile', { visibility: 'hr', bio: `${words[0]} ${words[1]} ${i}`, interests: words[2], languages: 'français' });
    // SQLite: the raw files (database and WAL, free pages included). PostgreSQL: every
    // table's rows (pg_dump); erased rows stay in dead tuples until VACUUM there
    // (docs/deployment.md), which no table shows.
    const rawFiles = ENGINE === 'sqlite';
    const stores = () => {
      if (!rawFiles) {
        const d = spawnSync('pg_dump', ['--data-only', '--no-owner', '-d', W.server.database], { maxBuffer: 256 << 20 });
        assert.equal(d.status, 0, `pg_dump: ${d.stderr}`);
        return [['tables', d.stdout]];
      }
      return ['passport.db', 'passport.db-wal'].map((f) => path.join(W.server.dataDir, f)).filter((f) => fs.existsSync(f))
        .map((f) => [path.basename(f), fs.readFileSync(f)]);
    };
    // each needle stands for a table: the outbox keeps the address, the name and the link
    // (the token), account_links the token's hash, oidc_identities the subject,
    // oidc_sessions the ID token (its signature: the claims in it are base64url)
    const needles = [DEMO.agent, me.name, ...words, token, tokenHash, SUBJECT, idToken.split('.')[2]];
    const hits = (snapshot, n) => {
      const out = [];
      for (const [where, bytes] of snapshot) {
        for (const v of new Set([n, n.toLowerCase(), n.toUpperCase()])) {
          if (bytes.includes(Buffer.from(v, 'utf8'))) out.push(`${where}: ${v}`);
        }
      }
      return out;
    };
    const beforeErasure = stores();
    // (the outbox blanks a reset link once sent: only SQLite's files still hold the token then)
    const found = rawFiles ? needles : needles.filter((n) => n !== token);
    for (const n of found) assert.ok(hits(beforeErasure, n).length > 0, `the scan finds ${n} before erasure`);
    await W.ok('agent', 'POST', '/api/v1/me/erase', { confirm: 'yes' });
    const afterErasure = stores();
    assert.deepEqual(needles.flatMap((n) => hits(afterErasure, n)), [], 'bytes of the erased person are left');
    const wal = path.join(W.server.dataDir, 'passport.db-wal');
    if (rawFiles && fs.existsSync(wal)) assert.ok(fs.statSync(wal).size <= 4194304, 'the WAL is truncated');
    assert.equal((await sso.get('/api/v1/me')).status, 401, 'the provider\'s session ended');
  });
});

describe('account lifecycle: resets and disabling end every way in, at once', () => {
  let W;
  before(async () => { W = await makeWorld(); });
  after(async () => { await W?.server.stop(); });
  const cli = (args, input) => {
    const r = spawnSync(BIN, ['user', ...args, '--data', W.server.dataDir], { input, encoding: 'utf8', env: W.server.cliEnv });
    assert.equal(r.status, 0, `passport user ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const sql = (q) => sqlText(W.server, q);
  async function tokenOf(role) {
    const res = await W.as[role].submit('/me/tokens', '/me/tokens', { name: 'script' });
    assert.equal(res.status, 201);
    const token = res.body.match(/value="(ppt_[0-9a-f]{64})"/)[1];
    const c = client(W.server);
    c.headers = { Authorization: `Bearer ${token}` };
    assert.equal((await c.get('/api/v1/me')).status, 200);
    return c;
  }
  const me = (c) => c.get('/api/v1/me', { headers: { Accept: 'application/json' } });

  test('`passport user passwd` on a running server: the next request is refused, tokens revoked', async () => {
    const api = await tokenOf('agent');
    assert.equal((await me(W.as.agent)).status, 200); // the session is remembered now
    cli(['passwd', DEMO.agent], 'Un-nouveau-mot-de-passe-2026\n');
    assert.equal((await me(W.as.agent)).status, 401, 'the session ended at once');
    assert.equal((await me(api)).status, 401, 'the token is revoked');
    assert.equal(sql(`SELECT count(*) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = '${DEMO.agent}' AND t.revoked_at IS NULL`), '0');
    await client(W.server).loginOk(DEMO.agent, 'Un-nouveau-mot-de-passe-2026');
  });

  test('`passport user disable`, then re-enabling: the tokens stay revoked', async () => {
    const api = await tokenOf('agent2');
    assert.equal((await me(W.as.agent2)).status, 200);
    cli(['disable', DEMO.agent2]);
    assert.equal((await me(W.as.agent2)).status, 401);
    assert.equal((await me(api)).status, 401);
    const id = W.ids.agent2;
    const form = await W.as.admin.form(`/admin/users/${id}`, `/admin/users/${id}`);
    const page = (await W.as.admin.get(`/admin/users/${id}`)).body;
    const name = page.match(/id="name"[^>]*value="([^"]*)"/)[1];
    const res = await W.as.admin.post(`/admin/users/${id}`, { ...form.hidden, name, role_agent: '1', locale: 'fr' });
    assert.equal(res.status, 303, res.body.slice(0, 400));
    assert.equal(sql(`SELECT CASE WHEN disabled_at IS NULL THEN 1 ELSE 0 END FROM users WHERE id = ${id}`), '1', 're-enabled');
    assert.equal((await me(api)).status, 401, 're-enabling does not bring the token back');
  });

  test('an admin\'s password reset ends the sessions and tokens of the account', async () => {
    const c = client(W.server);
    await c.loginOk(DEMO.hr);
    W.as.hr = c;
    const api = await tokenOf('hr');
    const id = W.ids.hr;
    const form = await W.as.admin.form(`/admin/users/${id}`, `/admin/users/${id}`);
    const page = (await W.as.admin.get(`/admin/users/${id}`)).body;
    const name = page.match(/id="name"[^>]*value="([^"]*)"/)[1];
    const res = await W.as.admin.post(`/admin/users/${id}`, { ...form.hidden, name, role_agent: '1', role_hr: '1', locale: 'fr', password: 'Reinitialise-par-admin-2026' });
    assert.equal(res.status, 303, res.body.slice(0, 400));
    assert.equal((await me(c)).status, 401);
    assert.equal((await me(api)).status, 401);
  });

  test('no write from a cache: a role change by the CLI survives any sequence of requests', async () => {
    const m = client(W.server);
    await m.loginOk(DEMO.manager);
    const csrf = await m.csrf('/me/profile', '/me/profile');
    const roles = () => sql(`SELECT roles FROM users WHERE email = '${DEMO.manager}'`);
    const before_ = roles();
    const requests = () => [
      m.post('/locale', { _csrf: csrf, locale: 'en', next: '/' }),
      m.post('/locale', { _csrf: csrf, locale: 'fr', next: '/' }),
      m.request('POST', '/api/v1/me/profile', { headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ visibility: 'hr', only: 'visibility' }) }),
      m.get('/'),
    ];
    // sequential: the request right after the CLI sees the new roles
    assert.equal((await m.get('/talent')).status, 200);
    cli(['roles', DEMO.manager, '--role', 'agent']);
    assert.equal((await m.get('/talent')).status, 403, 'the next request sees the CLI change');
    for (const r of requests()) await r;
    assert.equal(roles(), '1', 'agent only, after /locale and a profile save');
    // deterministic race: another process holds the write lock while it changes the
    // roles; /locale reads the account before that commit and writes after it
    const { spawn } = await import('node:child_process');
    for (const [want, code] of [[3, 'agent,manager'], [1, 'agent']]) {
      const update = `UPDATE users SET roles = ${want} WHERE email = '${DEMO.manager}';`;
      const held = ENGINE === 'sqlite'
        ? spawn('sqlite3', [W.server.database], { stdio: ['pipe', 'ignore', 'pipe'] })
        : spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', W.server.database], { stdio: ['pipe', 'ignore', 'pipe'] });
      const done = new Promise((resolve) => held.on('exit', resolve));
      held.stdin.write(ENGINE === 'sqlite'
        ? `PRAGMA busy_timeout=5000;\nBEGIN IMMEDIATE;\n${update}\n.shell sleep 1\nCOMMIT;\n`
        : `BEGIN;\nSELECT pg_advisory_xact_lock(${PG_WRITE_LOCK});\n${update}\nSELECT pg_sleep(1);\nCOMMIT;\n`);
      held.stdin.end();
      await new Promise((r) => setTimeout(r, 300)); // the lock is taken
      const r = await m.post('/locale', { _csrf: csrf, locale: want === 1 ? 'en' : 'fr', next: '/' });
      assert.equal(r.status, 303);
      assert.equal(await done, 0);
      assert.equal(roles(), String(want), `the roles committed by the other process (${code}) stand`);
    }
    // concurrent: requests in flight while the CLI writes
    for (let round = 0; round < 4; round++) {
      const want = round % 2 ? 'agent' : 'agent,manager';
      const inflight = [...requests(), ...requests(), ...requests()];
      cli(['roles', DEMO.manager, '--role', want]);
      await Promise.all(inflight);
      await Promise.all([...requests(), ...requests()]);
      assert.equal(roles(), round % 2 ? '1' : before_, `round ${round}: the CLI's roles stand`);
    }
  });
});

describe('login: progressive throttling, aggregated audit, next a local path only', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });
  const sql = (q) => sqlText(server, q);

  test('next: only a path of this site', async () => {
    const ok = ['/api/v1/me', '/talent?q=a%20b', '/calls/1#x'];
    const bad = ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/\tevil.example', '/ /evil',
      ' /x', '/x\r\nSet-Cookie: a=b', 'javascript:alert(1)', '/a//b', '/\u0001x', 'evil.example', ''];
    for (const next of ok) {
      const r = await client(server).login(DEMO.agent, undefined, { next });
      assert.equal(r.status, 303);
      assert.equal(r.location, next);
    }
    for (const next of bad) {
      const r = await client(server).login(DEMO.agent, undefined, { next });
      assert.equal(r.status, 303, JSON.stringify(next));
      assert.equal(r.location, '/', `next=${JSON.stringify(next)} must not leave the site`);
    }
    const page = await client(server).get(`/login?next=${encodeURIComponent('//evil.example')}`);
    assert.match(page.body, /name="next" value="\/"/);
  });

  test('failures slow down, then the owner logs in; the same for an unknown email; few audit rows', async () => {
    const c = client(server);
    const audit0 = Number(sql("SELECT count(*) FROM audit WHERE action = 'login.failed'"));
    for (let i = 1; i <= 5; i++) assert.equal((await c.login(DEMO.agent2, `wrong-${i}`)).status, 401);
    const held = await c.login(DEMO.agent2);
    assert.equal(held.status, 429);
    const wait = Number(held.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}`);
    const ghost = 'nobody@demo.passport.test';
    for (let i = 1; i <= 5; i++) assert.equal((await c.login(ghost, `wrong-${i}`)).status, 401);
    const ghostHeld = await c.login(ghost);
    assert.equal(ghostHeld.status, 429, 'an unknown email is answered the same');
    assert.equal(ghostHeld.body.replaceAll(ghost, 'E').replace(/value="[0-9a-f]{64}"/g, ''),
      held.body.replaceAll(DEMO.agent2, 'E').replace(/value="[0-9a-f]{64}"/g, ''));
    await new Promise((r) => setTimeout(r, (wait + 1) * 1000));
    const owner = await client(server).login(DEMO.agent2);
    assert.equal(owner.status, 303, 'not locked out: after the wait the owner logs in');
    // 10 failures, 4 audit rows per key at most (1st, 2nd, 4th, 8th)
    assert.ok(Number(sql("SELECT count(*) FROM audit WHERE action = 'login.failed'")) - audit0 <= 6);
    assert.equal(sql(`SELECT count(*) FROM login_throttle WHERE key LIKE '%@%'`), '0', 'keys are hashed');
  });
});

describe('input hygiene and existence', () => {
  let W;
  before(async () => { W = await makeWorld(); });
  after(async () => { await W?.server.stop(); });

  test('names and free text refuse control characters and bidi overrides; emails are normalised', async () => {
    const form = await W.as.admin.form('/admin/users/new', '/admin/users');
    const base = { ...form.hidden, role_agent: '1', locale: 'fr', password: 'Une-phrase-de-passe-longue-9' };
    for (const name of ['Eve\u202Egnp.exe', 'Eve\u0007', 'Eve\nSmith', 'Eve\u2066x']) {
      const r = await W.as.admin.post('/admin/users', { ...base, email: `eve${name.length}@demo.passport.test`, name });
      assert.equal(r.status, 422, JSON.stringify(name));
    }
    for (const email of ['e\u200Bve@demo.passport.test', 'eve\u00AD@demo.passport.test', 'eve@demo.passport.test\u202E']) {
      const r = await W.as.admin.post('/admin/users', { ...base, email, name: 'Eve' });
      assert.equal(r.status, 422, JSON.stringify(email));
    }
    // case and compatibility forms are folded: FULLWIDTH letters and @ become plain ones
    const r = await W.as.admin.post('/admin/users', { ...base, email: 'ＥＶＥ＠Demo.Passport.Test', name: 'Eve Normalisée' });
    assert.equal(r.status, 303, r.body.slice(0, 300));
    await client(W.server).loginOk('eve@demo.passport.test', 'Une-phrase-de-passe-longue-9');
    await client(W.server).loginOk('EVE@demo.passport.TEST', 'Une-phrase-de-passe-longue-9');
    const dup = await W.as.admin.post('/admin/users', { ...base, email: 'Eve@demo.passport.test', name: 'Eve 2' });
    assert.equal(dup.status, 422, 'the same address in another case is a duplicate');
    const bio = await W.api('agent', 'POST', '/api/v1/me/profile', { bio: 'ok \u202E kcatta' });
    assert.equal(bio.status, 422);
  });

  test('a store failure saving the profile is a 5xx with a plain message, never the database\'s text', async () => {
    const repair = storeFault(W.server, 'profiles');
    let html;
    let api;
    try {
      html = await W.as.agent.submit('/me/profile', '/me/profile', { bio: 'Bio du jour', interests: 'cartes', languages: 'fr' });
      api = await W.api('agent', 'POST', '/api/v1/me/profile', { bio: 'Bio du jour' });
    } finally {
      repair();
    }
    for (const [what, r] of [['HTML', html], ['API', api]]) {
      assert.ok(r.status >= 500 && r.status < 600, `${what}: ${r.status}`);
      assert.ok(!/injected fault|database error|trigger/i.test(r.body), `${what}: ${r.body.slice(0, 300)}`);
    }
    assert.notEqual(sqlText(W.server, `SELECT bio FROM users WHERE id = ${W.ids.agent}`), 'Bio du jour', 'nothing saved');
    const ok = await W.as.agent.submit('/me/profile', '/me/profile', { bio: 'Bio du jour', interests: 'cartes', languages: 'fr' });
    assert.equal(ok.status, 303, 'saved once the store works');
  });

  test('a store failure creating a call or an account is a 5xx with a plain message, never the database\'s text', async () => {
    const day = (d) => new Date(Date.now() + d * 86400e3).toISOString().slice(0, 10);
    const call = { title: 'Appel en panne', description: 'x', opens_on: day(-1), closes_on: day(30) };
    const user = await W.as.admin.form('/admin/users/new', '/admin/users');
    const person = { ...user.hidden, role_agent: '1', locale: 'fr', email: 'panne@demo.passport.test', name: 'Panne' };
    const answers = [];
    let repair = storeFault(W.server, 'calls');
    try {
      answers.push(['call HTML', await W.as.hr.submit('/calls/new', '/calls', { ...call, c1: 'CRCN-1.1', l1: '2' })]);
      answers.push(['call API', await W.api('hr', 'POST', '/api/v1/calls', { ...call, needs: [{ code: 'CRCN-1.1', min_level: 2 }] })]);
    } finally {
      repair();
    }
    repair = storeFault(W.server, 'account_links'); // its invitation link: the account is not made either
    try {
      answers.push(['account HTML', await W.as.admin.post('/admin/users', person)]);
    } finally {
      repair();
    }
    for (const [what, r] of answers) {
      assert.ok(r.status >= 500 && r.status < 600, `${what}: ${r.status} ${r.body.slice(0, 300)}`);
      assert.ok(!/injected fault|database error|trigger/i.test(r.body), `${what}: ${r.body.slice(0, 300)}`);
    }
    assert.match(W.server.stderr(), /injected fault/, 'the database\'s text is in the log');
    assert.equal(sqlText(W.server, "SELECT count(*) FROM calls WHERE title = 'Appel en panne'"), '0');
    assert.equal(sqlText(W.server, "SELECT count(*) FROM users WHERE email = 'panne@demo.passport.test'"), '0');
  });

  test('evidence comments, path titles, descriptions and messages refuse controls and bidi overrides; nothing stored', async () => {
    const sql = (q) => sqlText(W.server, q);
    const counts = () => sql('SELECT (SELECT count(*) FROM evidence) || \' \' || (SELECT count(*) FROM paths) || \' \' || (SELECT count(*) FROM assignments)');
    const refused = async (res, field, what) => {
      assert.equal(res.status, 422, `${what}: ${res.body.slice(0, 300)}`);
      assert.match(htmlDecode(res.body), field, `${what}: the message names the field`);
    };
    const before_ = counts();
    const bad = ['vu \u202Eeulav', 'vu \u0007', 'vu \u2066x\u2069', 'vu \u0085'];
    for (const comment of bad) {
      await refused(await W.api('agent', 'POST', '/api/v1/me/self-assessments', { code: 'CRCN-2.1', level: 3, comment }), /commentaire/i, `self ${JSON.stringify(comment)}`);
      await refused(await W.api('manager', 'POST', `/api/v1/users/${W.ids.agent}/attestations`, { code: 'CRCN-1.1', level: 3, comment }), /commentaire/i, `attest ${JSON.stringify(comment)}`);
    }
    const selfPage = await W.as.agent.submit('/passport/self-assessment/CRCN-2.1', '/passport/self-assessment/CRCN-2.1', { level: '3', comment: 'vu \u202Eeulav' });
    await refused(selfPage, /commentaire/i, 'self-assessment form');
    assert.match(selfPage.body, /role="alert"/);
    const attestPage = await W.as.manager.post(`/people/${W.ids.agent}/attestations`, { _csrf: W.csrf.manager, code: 'CRCN-1.1', level: '3', comment: 'vu \u202Eeulav' });
    await refused(attestPage, /commentaire/i, 'attestation form');
    for (const title of ['Titre \u202Eeulav', 'Titre\nsur deux lignes', 'Titre\u0001']) {
      await refused(await W.api('manager', 'POST', '/api/v1/paths', { title, modules: ['rgpd-agent'] }), /titre/i, `title ${JSON.stringify(title)}`);
    }
    await refused(await W.api('manager', 'POST', '/api/v1/paths', { title: 'Parcours', description: 'ok \u202Eeulav', modules: ['rgpd-agent'] }), /description/i, 'description');
    assert.equal(counts(), before_, 'nothing stored');
    // TAB and line breaks stay allowed in multi-line text
    const p = await W.ok('manager', 'POST', '/api/v1/paths', { title: 'Parcours propre', description: 'ligne 1\n\tligne 2', modules: ['rgpd-agent'] }, 201);
    await W.ok('manager', 'POST', `/api/v1/users/${W.ids.agent}/attestations`, { code: 'CRCN-1.1', level: 2, comment: 'vu\nen réunion' }, 201);
    await refused(await W.api('manager', 'PUT', `/api/v1/paths/${p.id}`, { title: 'Titre \u202Eeulav', modules: ['rgpd-agent'] }), /titre/i, 'title (edit)');
    const due = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
    await refused(await W.api('manager', 'POST', `/api/v1/paths/${p.id}/assignments`, { users: [W.ids.agent], due_on: due, message: 'à faire \u202Eeulav' }), /message/i, 'assignment message');
    const [ev, paths, assignments] = counts().split(' ').map(Number);
    const [ev0, paths0, assignments0] = before_.split(' ').map(Number);
    assert.deepEqual([ev, paths, assignments], [ev0 + 1, paths0 + 1, assignments0], 'only the clean values were stored');
  });

  test('an id outside the scope answers exactly as an unknown id (assign, attest, drill-down, assignment)', async () => {
    // the demo's agent2 is outside the manager's unit subtree
    const same = (a, b, what, [ra, rb] = ['', '']) => {
      assert.equal(a.status, b.status, `${what}: status`);
      assert.equal(a.headers.get('content-type'), b.headers.get('content-type'), `${what}: type`);
      assert.equal(ra ? a.body.replaceAll(ra, 'ID') : a.body, rb ? b.body.replaceAll(rb, 'ID') : b.body, `${what}: body`);
    };
    const absent = 999999;
    const due = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
    const p = await W.ok('manager', 'POST', '/api/v1/paths', { title: 'Parcours portée', modules: ['rgpd-agent'] }, 201);
    const assign = (id) => W.api('manager', 'POST', `/api/v1/paths/${p.id}/assignments`, { users: [id], due_on: due });
    const out = await assign(W.ids.agent2);
    assert.equal(out.status, 422, out.body);
    same(out, await assign(absent), 'assign by id');
    const attest = (id) => W.api('manager', 'POST', `/api/v1/users/${id}/attestations`, { code: 'CRCN-1.1', level: 3, comment: 'vu' });
    same(await attest(W.ids.agent2), await attest(absent), 'attest (API)');
    const attestForm = (id) => W.as.manager.post(`/people/${id}/attestations`, { _csrf: W.csrf.manager, code: 'CRCN-1.1', level: '3', comment: 'vu' });
    const outForm = await attestForm(W.ids.agent2);
    assert.equal(outForm.status, 404);
    same(outForm, await attestForm(absent), 'attest (form)', [`/people/${W.ids.agent2}/`, `/people/${absent}/`]);
    same(await W.as.manager.get(`/team/agents/${W.ids.agent2}`), await W.as.manager.get(`/team/agents/${absent}`), 'drill-down',
      [`/team/agents/${W.ids.agent2}`, `/team/agents/${absent}`]);
    const other = await W.ok('hr', 'POST', `/api/v1/paths/${p.id}/assignments`, { users: [W.ids.agent2], due_on: due }, 201);
    same(await W.api('manager', 'GET', `/api/v1/assignments/${other.id}/progress`), await W.api('manager', 'GET', `/api/v1/assignments/${absent}/progress`), 'progress');
    same(await W.as.manager.get(`/team/assignments/${other.id}`), await W.as.manager.get(`/team/assignments/${absent}`), 'dashboard',
      [`/team/assignments/${other.id}`, `/team/assignments/${absent}`]);
    // and in scope the same requests are served
    assert.equal((await assign(W.ids.agent)).status, 201);
    assert.equal((await W.as.manager.get(`/team/agents/${W.ids.agent}`)).status, 200);
  });

  test('every CSV cell starting a formula is neutralised', async () => {
    const form = await W.as.admin.form('/admin/users/new', '/admin/users');
    const name = '=HYPERLINK("http://evil.example","x")';
    const r = await W.as.admin.post('/admin/users', { ...form.hidden, email: 'formula@demo.passport.test', name, role_agent: '1', locale: 'fr', password: 'Une-phrase-de-passe-longue-8' });
    assert.equal(r.status, 303, r.body.slice(0, 300));
    const f = client(W.server);
    await f.loginOk('formula@demo.passport.test', 'Une-phrase-de-passe-longue-8');
    const csrf = await f.csrf('/me/profile', '/me/profile');
    const vis = await f.request('POST', '/api/v1/me/profile', { headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ visibility: 'hr', bio: '+33 6 12 34 56 78' }) });
    assert.equal(vis.status, 200, vis.body);
    const csv = await W.as.hr.get('/talent/export.csv');
    assert.equal(csv.status, 200);
    assert.ok(csv.body.includes('"\'=HYPERLINK(""http://evil.example"",""x"")"'), csv.body.slice(0, 500));
    for (const line of csv.body.replace(/^\uFEFF/, '').split('\r\n')) {
      for (const cell of line.split(';')) assert.doesNotMatch(cell, /^"?[=+\-@\t\r]/, `cell ${cell}`);
    }
  });

  test('unsharing someone else\'s badge answers as an absent one', async () => {
    // (tests/unit/test_share.c checks another's real badge against an unknown id)
    const page = await W.as.agent.post('/badges/999999/unshare', { _csrf: W.csrf.agent });
    const res = await W.api('agent', 'POST', '/api/v1/badges/999999/unshare', {});
    assert.equal(page.status, 404);
    assert.equal(res.status, 404);
  });
});
