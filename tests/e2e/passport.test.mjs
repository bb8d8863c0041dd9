// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of the competency passport: self-assessment, attestation by the right
// and the wrong manager, the radar's SVG values against the levels, the CRCN/DigComp switch,
// the API, the JSON download, bad input writing nothing, and axe-core in Chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEMO, DEMO_PASSWORD, attrs, client, formatViolations, htmlDecode, launchBrowser,
  newContext, runAxe, sqlRows, startServer,
} from './helpers.mjs';

let server;
const ids = {};

/** Rows of an SQL query on the server's database through the engine's shell (the audit
 * log has no page yet: this is how tests read it). */
function sql(query) {
  const rows = sqlRows(server, query);
  assert.ok(rows, `query failed: ${query}`);
  return rows;
}

async function login(email) {
  const c = client(server);
  await c.loginOk(email);
  return c;
}

/** The competencies of a passport page: {code: {verified, declared}} from data attributes. */
function competencies(html) {
  const out = {};
  for (const m of html.matchAll(/<article class="competency"[^>]*>/g)) {
    const a = attrs(m[0]);
    out[a['data-code']] = { verified: Number(a['data-verified']), declared: Number(a['data-declared']) };
  }
  return out;
}

/** The radar's points: [{domain, level}] read from the SVG's circles. */
function radarPoints(html) {
  const svg = html.match(/<svg class="radar-svg"[\s\S]*?<\/svg>/);
  assert.ok(svg, 'the page has the radar SVG');
  assert.match(svg[0], /role="img"/);
  assert.match(svg[0], /<title id="radar-title">/);
  return [...svg[0].matchAll(/<circle class="radar-point"[^>]*>/g)].map((m) => {
    const a = attrs(m[0]);
    return { domain: Number(a['data-domain']), level: a['data-level'] };
  });
}

/** The radar's data table: {domain: value}, read back from the French form ("2,7", "0") as "2.7", "0.0". */
function radarTable(html) {
  const t = html.match(/<table class="table radar-table">[\s\S]*?<\/table>/);
  assert.ok(t, 'a data table beside the radar');
  const out = {};
  for (const m of t[0].matchAll(/<tr data-domain="(\d+)">[\s\S]*?<td class="radar-value">([^<]*)<\/td>/g)) {
    assert.match(m[2], /^\d(,\d)?$/, 'written the French way');
    out[m[1]] = Number(m[2].replace(',', '.')).toFixed(1);
  }
  return out;
}

/** Expected radar values from the API: the average verified level per area, one decimal. */
function expectedRadar(api) {
  const out = {};
  for (const a of api.areas) {
    const levels = a.competencies.map((c) => c.verified);
    out[a.area] = (Math.round((levels.reduce((x, y) => x + y, 0) / levels.length) * 10) / 10).toFixed(1);
  }
  return out;
}

async function evidenceCount(c, userId) {
  const r = await c.get(userId ? `/api/v1/users/${userId}/passport?reason=test` : '/api/v1/me/passport');
  assert.equal(r.status, 200);
  return r.json().summary.evidence;
}

before(async () => {
  server = await startServer(); // init and serve load courses/frameworks (skills_sync_frameworks)
  const admin = await login(DEMO.admin);
  for (const [k, email] of Object.entries({ agent: DEMO.agent, agent2: DEMO.agent2, manager: DEMO.manager })) {
    const c = await login(email);
    ids[k] = (await c.get('/api/v1/me/passport')).json().subject.id;
  }
  // A second manager, of "Service formation": the wrong manager for the agent.
  const page = await admin.get('/admin/users/new');
  const opt = [...page.body.matchAll(/<option value="(\d+)"[^>]*>([^<]*)<\/option>/g)]
    .find((m) => htmlDecode(m[2]).includes('Service formation'));
  assert.ok(opt, 'unit Service formation');
  const r = await admin.submit('/admin/users/new', '/admin/users', {
    email: 'manager2@demo.passport.test', name: 'Paul Autre', unit_id: opt[1], role_agent: '1', role_manager: '1',
    password: DEMO_PASSWORD, locale: 'fr',
  });
  assert.equal(r.status, 303, r.body.slice(0, 500));
});
after(async () => {
  await server?.stop();
});

describe('passport pages and levels', () => {
  test('a new agent sees every CRCN competency at no level and a flat radar', async () => {
    const c = await login(DEMO.agent);
    const r = await c.get('/passport');
    assert.equal(r.status, 200);
    const comps = competencies(r.body);
    assert.equal(Object.keys(comps).length, 16);
    assert.deepEqual(comps['CRCN-4.1'], { verified: 0, declared: 0 });
    assert.deepEqual(radarPoints(r.body), [1, 2, 3, 4, 5].map((d) => ({ domain: d, level: '0.0' })));
  });

  test('self-assessment: saved, shown apart as declared, editable, never verified', async () => {
    const c = await login(DEMO.agent);
    let r = await c.submit('/passport/self-assessment/CRCN-4.1', '/passport/self-assessment/CRCN-4.1',
      { level: '5', comment: "Je gère les mots de passe de l'équipe" });
    assert.equal(r.status, 303);
    assert.match(r.location, /^\/passport\?saved=1#CRCN-4\.1$/);
    r = await c.get('/passport');
    assert.deepEqual(competencies(r.body)['CRCN-4.1'], { verified: 0, declared: 5 });
    assert.match(r.body, /Déclaré/);
    // The form shows the current answer; a new answer replaces it.
    const form = await c.get('/passport/self-assessment/CRCN-4.1');
    assert.match(form.body, /id="level-5" name="level" value="5" required checked/);
    assert.match(htmlDecode(form.body), /Je gère les mots de passe de l'équipe/);
    r = await c.submit('/passport/self-assessment/CRCN-4.1', '/passport/self-assessment/CRCN-4.1', { level: '4', comment: '' });
    assert.equal(r.status, 303);
    const api = (await c.get('/api/v1/me/passport')).json();
    const c41 = api.areas[3].competencies.find((x) => x.code === 'CRCN-4.1');
    assert.equal(c41.declared, 4);
    assert.equal(c41.verified, 0);
    assert.equal(api.timeline.length, 2, 'history keeps both answers');
  });

  test('self-assessment bad input: clear error, nothing written', async () => {
    const c = await login(DEMO.agent);
    const before_ = await evidenceCount(c);
    for (const level of ['0', '9', 'x', '']) {
      const r = await c.submit('/passport/self-assessment/CRCN-1.1', '/passport/self-assessment/CRCN-1.1', { level });
      assert.equal(r.status, 422, `level ${level}`);
      assert.match(r.body, /role="alert"/);
      assert.match(htmlDecode(r.body), /Choisissez un niveau entre 1 et 8/);
    }
    const csrf = await c.csrf('/passport/self-assessment/CRCN-1.1');
    let r = await c.post('/passport/self-assessment/CRCN-9.9', { _csrf: csrf, level: '3' });
    assert.equal(r.status, 404);
    r = await c.post('/api/v1/me/self-assessments', { code: 'CRCN-9.9', level: '3' }, { headers: { 'X-CSRF-Token': csrf } });
    assert.equal(r.status, 422);
    assert.match(r.json().error.message, /n.existe pas/);
    r = await c.post('/passport/self-assessment/CRCN-1.1', { level: '3' }); // no CSRF token
    assert.equal(r.status, 403);
    assert.equal(await evidenceCount(c), before_);
  });

  test('the right manager attests (audited), the level counts; the wrong one gets 404', async (t) => {
    const m = await login(DEMO.manager);
    const team = await m.get('/team/people');
    assert.equal(team.status, 200);
    assert.match(team.body, new RegExp(`href="/people/${ids.agent}/passport"`));
    assert.doesNotMatch(team.body, new RegExp(`href="/people/${ids.agent2}/passport"`), 'agent2 is outside the scope');
    const page = `/people/${ids.agent}/passport`;
    const view = await m.get(page);
    assert.equal(view.status, 200);
    const r = await m.submit(page, `/people/${ids.agent}/attestations?framework=CRCN`,
      { code: 'CRCN-4.1', level: '3', comment: 'Constaté lors du renouvellement des mots de passe' });
    assert.equal(r.status, 303);
    const after_ = await m.get(page);
    assert.deepEqual(competencies(after_.body)['CRCN-4.1'], { verified: 3, declared: 4 });
    assert.match(after_.body, /Karim Benali/, 'the attesting manager is named');

    const admin = await login(DEMO.admin);
    // The audit log
    const rows = sql(`SELECT actor_id, detail FROM audit WHERE action = 'evidence.attest' AND target_id = ${ids.agent}`);
    assert.deepEqual(rows, [`${ids.manager}|CRCN-4.1@3`]);

    // Wrong manager (another unit), an agent, and the manager on someone outside the scope.
    const csrfOf = async (c) => c.csrf('/passport');
    const m2 = await login('manager2@demo.passport.test');
    const agent = await login(DEMO.agent);
    const before_ = await evidenceCount(admin, ids.agent);
    const fields = { code: 'CRCN-4.2', level: '6', comment: 'x' };
    let res = await m2.post(`/people/${ids.agent}/attestations`, { ...fields, _csrf: await csrfOf(m2) });
    assert.equal(res.status, 404, 'out of scope answers as an absent account');
    res = await m2.get(page);
    assert.equal(res.status, 404, 'the wrong manager cannot view either (as if absent)');
    res = await m2.get(`/api/v1/users/${ids.agent}/passport`);
    assert.equal(res.status, 404);
    res = await agent.post(`/people/${ids.agent2}/attestations`, { ...fields, _csrf: await csrfOf(agent) });
    assert.equal(res.status, 403);
    res = await m.post(`/people/${ids.agent2}/attestations`, { ...fields, _csrf: await csrfOf(m) });
    assert.equal(res.status, 404);
    res = await m.post(`/people/${ids.manager}/attestations`, { ...fields, _csrf: await csrfOf(m) });
    assert.equal(res.status, 403, 'no self-attestation');
    assert.equal(await evidenceCount(admin, ids.agent), before_);
  });

  test('attestation bad input: level, unknown code, missing comment; nothing written', async () => {
    const m = await login(DEMO.manager);
    const admin = await login(DEMO.admin);
    const before_ = await evidenceCount(admin, ids.agent);
    const csrf = await m.csrf(`/people/${ids.agent}/passport`);
    for (const [fields, text] of [
      [{ code: 'CRCN-4.1', level: '9', comment: 'x' }, /Choisissez un niveau entre 1 et 8/],
      [{ code: 'CRCN-4.1', level: '0', comment: 'x' }, /Choisissez un niveau entre 1 et 8/],
      [{ code: 'CRCN-7.7', level: '3', comment: 'x' }, /n.existe pas/],
      [{ code: 'CRCN-4.1', level: '3', comment: '' }, /Ajoutez un commentaire/],
    ]) {
      const r = await m.post(`/people/${ids.agent}/attestations`, { ...fields, _csrf: csrf });
      assert.equal(r.status, 422, JSON.stringify(fields));
      assert.match(r.body, /role="alert"/);
      assert.match(htmlDecode(r.body), text);
    }
    const api = await m.post(`/api/v1/users/${ids.agent}/attestations`, { code: 'NOPE-1', level: '3', comment: 'x' },
      { headers: { 'X-CSRF-Token': csrf } });
    assert.equal(api.status, 422);
    assert.equal(await evidenceCount(admin, ids.agent), before_);
  });

  test("the radar's SVG values match the levels", async () => {
    const m = await login(DEMO.manager);
    const csrf = await m.csrf(`/people/${ids.agent}/passport`);
    for (const [code, level] of [['CRCN-1.1', '6'], ['CRCN-1.2', '2'], ['CRCN-3.4', '8']]) {
      const r = await m.post(`/people/${ids.agent}/attestations`, { code, level, comment: 'vu', _csrf: csrf });
      assert.equal(r.status, 303);
    }
    const c = await login(DEMO.agent);
    for (const fw of ['CRCN', 'DIGCOMP']) {
      const html = (await c.get(`/passport?framework=${fw}`)).body;
      const api = (await c.get(`/api/v1/me/passport?framework=${fw}`)).json();
      const want = expectedRadar(api);
      const points = radarPoints(html);
      assert.equal(points.length, 5);
      for (const p of points) assert.equal(p.level, want[p.domain], `${fw} area ${p.domain}`);
      assert.deepEqual(radarTable(html), want);
      // and the API's levels are those of the page
      const comps = competencies(html);
      for (const a of api.areas) for (const x of a.competencies) assert.equal(comps[x.code].verified, x.verified, x.code);
    }
    const crcn = expectedRadar((await c.get('/api/v1/me/passport')).json());
    assert.deepEqual(crcn, { 1: '2.7', 2: '0.0', 3: '2.0', 4: '1.0', 5: '0.0' }); // (6+2+0)/3, 8/4, 3/3
  });

  test('CRCN/DigComp switch: the same evidence through the mapping', async () => {
    const c = await login(DEMO.agent);
    const r = await c.get('/passport?framework=DIGCOMP');
    assert.equal(r.status, 200);
    const comps = competencies(r.body);
    assert.equal(Object.keys(comps).length, 21);
    assert.ok(Object.keys(comps).every((k) => k.startsWith('DIGCOMP-')));
    assert.equal(comps['DIGCOMP-4.1'].verified, 3, 'CRCN-4.1 maps to DIGCOMP-4.1');
    assert.equal(comps['DIGCOMP-4.1'].declared, 4);
    assert.equal(comps['DIGCOMP-1.1'].verified, 6, 'CRCN-1.1 -> DIGCOMP-1.1');
    assert.equal(comps['DIGCOMP-1.2'].verified, 6, 'CRCN-1.1 -> DIGCOMP-1.2');
    assert.equal(comps['DIGCOMP-1.3'].verified, 2, 'CRCN-1.2 -> DIGCOMP-1.3');
    assert.equal(comps['DIGCOMP-4.2'].verified, 0);
    assert.match(htmlDecode(r.body), /par correspondance avec CRCN-4\.1/);
    assert.match(r.body, /href="\/passport\?framework=DIGCOMP" aria-current="page"/);
    const crcn = await c.get('/passport');
    assert.match(crcn.body, /href="\/passport\?framework=CRCN" aria-current="page"/);
    assert.equal((await c.get('/passport?framework=NOPE')).status, 404);
  });

  test('API scope, JSON download, English', async (t) => {
    const hr = await login(DEMO.hr);
    // hidden (the default): HR is answered as for an absent account (docs/privacy.md)
    let r = await hr.get(`/api/v1/users/${ids.agent}/passport`);
    assert.equal(r.status, 404);
    const owner = await login(DEMO.agent);
    const ownerCsrf = await owner.csrf('/me/profile', '/me/profile');
    r = await owner.request('POST', '/api/v1/me/profile', { headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': ownerCsrf }, body: JSON.stringify({ visibility: 'hr', only: 'visibility' }) });
    assert.equal(r.status, 200, r.body);
    r = await hr.get(`/api/v1/users/${ids.agent}/passport`);
    assert.equal(r.status, 200);
    assert.equal(r.json().subject.id, ids.agent);
    const views = sql(`SELECT detail FROM audit WHERE action = 'profile.view' AND target_id = ${ids.agent} ORDER BY id`);
    assert.equal(views.pop(), 'passport', 'an HR view is in the audit log');
    const seen = (await owner.get('/api/v1/me/profile-views')).json().views;
    assert.ok(seen.some((v) => v.context === 'passport' && v.viewer !== ''), JSON.stringify(seen));
    const a2 = await login(DEMO.agent2);
    assert.equal((await a2.get(`/api/v1/users/${ids.agent}/passport`)).status, 404);
    assert.equal((await a2.get(`/people/${ids.agent}/passport`)).status, 404);
    assert.equal((await a2.get('/team/people')).status, 403);
    assert.equal((await a2.get('/api/v1/users/999999/passport')).status, 404);
    assert.equal((await client(server).get('/api/v1/me/passport')).status, 401);
    const c = await login(DEMO.agent);
    r = await c.get('/passport.json');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-disposition'), /^attachment; filename="passport-\d+\.json"$/);
    const data = r.json();
    assert.equal(data.framework.code, 'CRCN');
    assert.ok(data.timeline.length >= 5);
    assert.equal(data.radar, undefined);
    // JSON API writes, with the session's CSRF token in a header
    const token = await c.csrf('/passport/self-assessment/CRCN-5.1');
    const json = (body) => ({ headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token }, body: JSON.stringify(body) });
    r = await c.request('POST', '/api/v1/me/self-assessments', json({ code: 'CRCN-5.1', level: 2, comment: 'api' }));
    assert.equal(r.status, 201, r.body);
    assert.deepEqual(r.json(), { status: 'created', code: 'CRCN-5.1', level: 2 });
    r = await c.request('POST', '/api/v1/me/self-assessments', json({ code: 'CRCN-5.1', level: 12 }));
    assert.equal(r.status, 422);
    const c51 = (await c.get('/api/v1/me/passport')).json().areas[4].competencies.find((x) => x.code === 'CRCN-5.1');
    assert.equal(c51.declared, 2);
    const m = await login(DEMO.manager);
    const mt = await m.csrf('/team/people');
    r = await m.request('POST', `/api/v1/users/${ids.agent}/attestations`, {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': mt },
      body: JSON.stringify({ code: 'DIGCOMP-5.3', level: 1, comment: 'vu en atelier' }),
    });
    assert.equal(r.status, 201, r.body);
    const en = await login(DEMO.agent2);
    r = await en.submit('/passport', '/locale', { locale: 'en' });
    assert.equal(r.status, 303);
    r = await en.get('/passport');
    assert.equal(r.status, 200);
    assert.match(r.body, /<html lang="en">/);
    assert.match(r.body, /<h1>My passport<\/h1>/);
    assert.match(r.body, /Information and data/);
  });
});

describe('passport pages in Chromium', () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  async function loginByForm(page, email) {
    await page.goto(`${server.url}/login`);
    await page.getByLabel(/Adresse électronique|Email/i).fill(email);
    await page.getByLabel(/Mot de passe|Password/i).fill(DEMO_PASSWORD);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/login')),
      page.locator('form[action="/login"] button[type="submit"]').click(),
    ]);
  }

  async function assertAccessible(page, url) {
    const res = await page.goto(`${server.url}${url}`);
    assert.equal(res.status(), 200, url);
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    const violations = await runAxe(page);
    assert.equal(violations.length, 0, formatViolations(violations, url));
  }

  test('axe-core: no violation on the passport pages (agent and manager)', async () => {
    const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await loginByForm(page, DEMO.agent);
      for (const url of ['/passport', '/passport?framework=DIGCOMP', '/passport/self-assessment',
        '/passport/self-assessment/CRCN-4.1']) await assertAccessible(page, url);
      // The self-assessment form works in the browser, without JavaScript needed.
      await page.goto(`${server.url}/passport/self-assessment/CRCN-2.1`);
      await page.getByLabel(/niveau 3 sur 8/).check();
      await page.getByLabel(/Justification/).fill('Je fais des visios chaque semaine');
      await Promise.all([page.waitForURL(/\/passport\?saved=1/), page.getByRole('button', { name: 'Enregistrer' }).click()]);
      assert.match(await page.locator('[role="status"]').innerText(), /enregistrée/);
      const violations = await runAxe(page);
      assert.equal(violations.length, 0, formatViolations(violations, 'after saving'));
    } finally {
      await context.close();
    }
    const mctx = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    const mpage = await mctx.newPage();
    try {
      await loginByForm(mpage, DEMO.manager);
      for (const url of ['/team/people', `/people/${ids.agent}/passport`, `/people/${ids.agent}/passport?framework=DIGCOMP`])
        await assertAccessible(mpage, url);
      // An error summary after a refused attestation is accessible too.
      await mpage.goto(`${server.url}/people/${ids.agent}/passport`);
      await mpage.getByLabel('Niveau constaté').selectOption('2');
      await mpage.getByLabel('Commentaire').fill(' ');
      await mpage.locator('#attest-comment').evaluate((t) => { t.value = ''; t.removeAttribute('required'); });
      await Promise.all([mpage.waitForLoadState('load'), mpage.getByRole('button', { name: /Enregistrer l.attestation/ }).click()]);
      await mpage.waitForSelector('[role="alert"]');
      const violations = await runAxe(mpage);
      assert.equal(violations.length, 0, formatViolations(violations, 'attestation error'));
    } finally {
      await mctx.close();
    }
  });
});
