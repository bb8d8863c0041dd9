// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of the managers', HR's and admins' journeys (issue 17): a path made with
// the target picker (no syntax to type; the API keeps "CRCN-4.1@2"), named levels, the
// agent's self-assessment as a manager reads it, the assign form's filter; HR publishing a
// call with a button, inviting and shortlisting a suggested profile (a hidden one answers
// as absent), the talent profile's names and way back; an admin moving a unit (a cycle is
// refused with a message naming both units), deleting one (refused unless empty), the
// issued badges searched and paged, a revocation confirmed on its own page, every problem
// of the user form at once; axe-core on every page touched, at 1280 and 390 px wide.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import {
  BIN, DEMO, ROOT, client, findForm, formatViolations, launchBrowser, newContext, pageText, parseForms, runAxe,
  startServer,
} from './helpers.mjs';

let server;
const as = {};
const tokens = {};
const ids = {};

async function api(role, method, url, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = tokens[role];
    headers['Content-Type'] = 'application/json';
  }
  const res = await as[role].request(method, url, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let json = null;
  try { json = JSON.parse(res.body); } catch { /* not JSON */ }
  return { status: res.status, json, body: res.body };
}

async function apiOk(role, method, url, body, status = 200) {
  const r = await api(role, method, url, body);
  assert.equal(r.status, status, `${role} ${method} ${url}: ${r.body.slice(0, 500)}`);
  return r.json;
}

function isoDay(offsetDays) {
  return new Date(Date.now() + offsetDays * 86400_000).toISOString().slice(0, 10);
}

/** A browser page logged in as role (the session cookie of its client). */
async function pageAs(browser, role, opts = {}) {
  const ctx = await newContext(browser, opts);
  await ctx.addCookies([{ name: 'pp_session', value: as[role].cookie('pp_session'), url: server.url }]);
  return { ctx, page: await ctx.newPage() };
}

async function axeAt(page, url, where) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    if (url) {
      const res = await page.goto(server.url + url);
      assert.equal(res.status(), 200, `${url}: ${res.status()}`);
    }
    const v = await runAxe(page);
    assert.equal(v.length, 0, formatViolations(v, `${where || url} at ${width} px`));
  }
}

before(async () => {
  server = await startServer();
  for (const f of ['crcn.csv', 'digcomp.csv', 'mapping.csv']) {
    const r = spawnSync(BIN, ['import-framework', '--data', server.dataDir, path.join(ROOT, 'courses', 'frameworks', f)],
      { encoding: 'utf8', env: server.cliEnv });
    assert.equal(r.status, 0, `import-framework ${f}: ${r.stderr}`);
  }
  for (const role of ['admin', 'hr', 'manager', 'agent', 'agent2']) {
    as[role] = client(server);
    await as[role].loginOk(DEMO[role]);
    tokens[role] = await as[role].csrf('/me/profile', '/me/profile');
    ids[role] = (await apiOk(role, 'GET', '/api/v1/me/profile')).user_id;
  }
});
after(async () => { await server?.stop(); });

let pathId;
let callId;
let unitIds;
let assignmentId;

describe('managers', () => {
  test('a path is made with the picker: competences by name, a level chosen for each', async () => {
    const form = (await as.manager.get('/paths/new')).body;
    assert.doesNotMatch(form, /CRCN-4\.1@2/, 'no syntax to type');
    assert.match(form, /<label for="target-CRCN-4\.2">Protéger les données personnelles et la vie privée<\/label>/);
    assert.match(form, /<option value="3">3 — Intermédiaire : tâches bien définies<\/option>/);
    const browser = await launchBrowser();
    try {
      // without JavaScript, as with it: the form is plain selects and checkboxes
      const { ctx, page } = await pageAs(browser, 'manager', { javaScriptEnabled: false });
      await page.goto(`${server.url}/paths/new`);
      await page.fill('#title', 'Données personnelles : les bases');
      await page.check('input[name=module][value=rgpd-agent]');
      await page.check('input[name=module][value=minimisation-conservation]');
      await page.selectOption('#target-CRCN-4\\.2', '3');
      await page.selectOption('#target-CRCN-1\\.2', '2');
      await Promise.all([page.waitForURL(/\/paths\/\d+\?saved=1/), page.click('form.form button[type=submit]')]);
      pathId = Number(new URL(page.url()).pathname.split('/')[2]);
      const text = await page.textContent('main');
      assert.match(text, /Protéger les données personnelles et la vie privée\s*CRCN-4\.2\s*— niveau 3 sur 8/);
      assert.match(text, /Gérer des données\s*CRCN-1\.2\s*— niveau 2 sur 8/);
      // the edit form reads the levels back
      await page.goto(`${server.url}/paths/${pathId}/edit`);
      assert.equal(await page.inputValue('#target-CRCN-4\\.2'), '3');
      assert.equal(await page.inputValue('#target-CRCN-1\\.1'), '');
      await ctx.close();
    } finally {
      await browser.close();
    }
    const p = await apiOk('manager', 'GET', `/api/v1/paths/${pathId}`);
    assert.deepEqual(p.targets.map((t) => [t.code, t.level]), [['CRCN-1.2', 2], ['CRCN-4.2', 3]]);
    // the API keeps the text syntax
    const q = await apiOk('manager', 'POST', '/api/v1/paths',
      { title: 'Par l’API', modules: ['rgpd-agent'], targets: 'CRCN-4.1@2, CRCN-4.2@3' }, 201);
    assert.deepEqual(q.targets.map((t) => [t.code, t.level]), [['CRCN-4.1', 2], ['CRCN-4.2', 3]]);
    // a level out of range is refused, the form shown again with the choice kept
    const csrf = await as.manager.csrf('/paths/new', '/paths');
    const bad = await as.manager.post('/paths', { _csrf: csrf, title: 'X', module: 'rgpd-agent', 'target_CRCN-4.2': '9' });
    assert.equal(bad.status, 422);
    assert.match(bad.body, /role="alert"/);
  });

  test('the assign form lists the agents in scope, filtered by unit or name, and assigns the ticked ones', async () => {
    const page = (await as.manager.get(`/paths/${pathId}?q=dubois`)).body;
    const boxes = [...page.matchAll(/name="user" value="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(boxes, [ids.agent], 'the name filter keeps Léa Dubois only');
    assert.match(page, /Service des usages/);
    // out of the manager's scope (Service formation, under the DRH): never listed
    const all = (await as.manager.get(`/paths/${pathId}`)).body;
    assert.ok(!all.includes(DEMO.agent2), 'an agent outside the scope is not listed');
    const csrf = await as.manager.csrf(`/paths/${pathId}`, `/paths/${pathId}/assign`);
    const r = await as.manager.post(`/paths/${pathId}/assign`, { _csrf: csrf, user: String(ids.agent), due_on: isoDay(20), message: '' });
    assert.equal(r.status, 303, r.body.slice(0, 300));
    assignmentId = Number(r.location.match(/\/team\/assignments\/(\d+)/)[1]);
    const members = (await apiOk('agent', 'GET', '/api/v1/me/assignments')).assignments || [];
    assert.ok(JSON.stringify(members).includes('Données personnelles : les bases'), JSON.stringify(members).slice(0, 300));
    // ticking an agent outside the scope is refused, as an unknown id is (issue 13: the
    // answer does not tell that the account exists)
    const csrf2 = await as.manager.csrf(`/paths/${pathId}`, `/paths/${pathId}/assign`);
    const out = await as.manager.post(`/paths/${pathId}/assign`, { _csrf: csrf2, user: String(ids.agent2), due_on: isoDay(20) });
    assert.equal(out.status, 422);
    const csrf3 = await as.manager.csrf(`/paths/${pathId}`, `/paths/${pathId}/assign`);
    const unknown = await as.manager.post(`/paths/${pathId}/assign`, { _csrf: csrf3, user: '987654', due_on: isoDay(20) });
    assert.equal(unknown.status, 422);
    assert.equal(pageText(out.body), pageText(unknown.body), 'the same page for an id outside the scope and an unknown one');
  });

  test('a manager reads the agent\'s self-assessment as theirs, and attests with named levels', async () => {
    await apiOk('agent', 'POST', '/api/v1/me/self-assessments', { code: 'CRCN-1.1', level: 3, comment: 'à l’aise' }, 201);
    const html = (await as.manager.get(`/people/${ids.agent}/passport`)).body;
    assert.doesNotMatch(html, /Votre auto-évaluation/);
    assert.match(html, /Auto-évaluation de l’agent/);
    assert.match(html, /<select id="attest-level"[\s\S]*?<option value="5">5 — Avancé : accompagne les autres<\/option>/);
    // the agent's own page keeps "your" words
    assert.match((await as.agent.get('/passport')).body, /Votre auto-évaluation/);
  });
});

describe('HR', () => {
  test('a draft is published with a button; its author sees no application block of their own', async () => {
    // the agent is visible to HR with verified levels (attested by the manager)
    await apiOk('agent', 'POST', '/api/v1/me/profile', { visibility: 'hr', bio: 'Référente RGPD', interests: '', languages: '' });
    for (const [code, level] of [['CRCN-4.2', 4], ['CRCN-1.2', 3]])
      await apiOk('manager', 'POST', `/api/v1/users/${ids.agent}/attestations`, { code, level: String(level), comment: 'Vu en atelier' }, 201);
    const created = await apiOk('hr', 'POST', '/api/v1/calls', {
      title: 'Un registre des traitements lisible', description: 'Rendre le registre RGPD lisible par tous.',
      opens_on: isoDay(0), closes_on: isoDay(30), needs: [{ code: 'CRCN-4.2', min_level: 3, weight: 2 }],
    }, 201);
    callId = created.id;
    const page = (await as.hr.get(`/calls/${callId}`)).body;
    assert.doesNotMatch(page, /<select id="state"/, 'no select to publish');
    assert.doesNotMatch(page, /Votre score|Votre candidature|Your score/);
    const form = findForm(page, `/calls/${callId}/state`);
    assert.equal(form.hidden.state, 'open');
    assert.match(form.html, /Publier l’appel/);
    const r = await as.hr.post(form.action, { ...form.hidden });
    assert.equal(r.status, 303);
    assert.equal((await apiOk('hr', 'GET', `/api/v1/calls/${callId}`)).state, 'open');
    assert.match((await as.hr.get(`/calls/${callId}`)).body, /Clore l’appel/);
  });

  test('HR invites a suggested profile to the call and shortlists it; the agent is told once', async () => {
    const browser = await launchBrowser();
    try {
      const { ctx, page } = await pageAs(browser, 'hr');
      await page.goto(`${server.url}/calls/${callId}`);
      const row = page.locator('tr', { hasText: 'Léa Dubois' }).last();
      await Promise.all([page.waitForURL(/done=1/), row.getByRole('button', { name: /^Inviter à candidater/ }).click()]);
      const prospects = await page.textContent('#prospects + table');
      assert.match(prospects, /Léa Dubois/);
      assert.match(prospects, /Invité le \d{1,2}(er)? \p{L}+ \d{4}/u, 'the date in words');
      await Promise.all([page.waitForURL(/done=1/),
        page.locator('tr', { hasText: 'Léa Dubois' }).last().getByRole('button', { name: /^Retenir/ }).click()]);
      assert.match(await page.textContent('#prospects + table'), /Retenu/);
      await axeAt(page, `/calls/${callId}`);
      await ctx.close();
    } finally {
      await browser.close();
    }
    const inbox = await apiOk('agent', 'GET', '/api/v1/me/inbox');
    const invites = inbox.items.filter((m) => m.key === 'talent.inbox.invited');
    assert.equal(invites.length, 1, JSON.stringify(inbox.items.map((m) => m.key)));
    assert.equal(invites[0].link, `/calls/${callId}`);
    // inviting again sends nothing more
    await apiOk('hr', 'POST', `/api/v1/calls/${callId}/prospects`, { user_id: String(ids.agent), action: 'invite' });
    assert.equal((await apiOk('agent', 'GET', '/api/v1/me/inbox')).items.filter((m) => m.key === 'talent.inbox.invited').length, 1);
  });

  test('a hidden profile cannot be invited: the answer is that of an absent one', async () => {
    const hidden = await api('hr', 'POST', `/api/v1/calls/${callId}/prospects`, { user_id: String(ids.agent2), action: 'invite' });
    const absent = await api('hr', 'POST', `/api/v1/calls/${callId}/prospects`, { user_id: '987654', action: 'invite' });
    assert.equal(hidden.status, 404);
    assert.equal(absent.status, 404);
    assert.equal(hidden.body, absent.body);
    assert.equal((await apiOk('agent2', 'GET', '/api/v1/me/inbox')).items.filter((m) => m.key === 'talent.inbox.invited').length, 0);
    // an agent cannot invite anyone
    assert.equal((await api('agent2', 'POST', `/api/v1/calls/${callId}/prospects`, { user_id: String(ids.agent), action: 'shortlist' })).status, 403);
  });

  test('the talent profile names competences, says "non évalué", leads back and invites to a call', async () => {
    const html = (await as.hr.get(`/talent/people/${ids.agent}?from=call&call=${callId}`)).body;
    const text = pageText(html);
    assert.match(text, /Protéger les données personnelles et la vie privée CRCN-4\.2/);
    assert.doesNotMatch(text, /\bniveau 0\b/);
    assert.match(html, new RegExp(`href="/calls/${callId}"`));
    assert.match((await as.hr.get(`/talent/people/${ids.agent}?from=search`)).body, /href="\/talent">← Retour à la recherche/);
    const form = findForm(html, '/calls/prospects');
    assert.match(form.html, new RegExp(`<option value="${callId}"`));
  });

  test('the badge filter lists badges by name; the heatmap names its columns', async () => {
    const search = (await as.hr.get('/talent')).body;
    assert.match(search, /<select id="badge" name="badge">[\s\S]*?<option value="securite-numerique">Sécurité numérique au quotidien<\/option>/);
    const heat = (await as.hr.get('/talent/heatmap')).body;
    assert.doesNotMatch(heat, /Domaine \d/);
    assert.match(heat, />Communication<title>Communication et collaboration<\/title>/);
  });
});

describe('admins', () => {
  before(async () => {
    unitIds = {};
    const html = (await as.admin.get('/admin/units')).body;
    for (const m of html.matchAll(/<td class="depth-\d">([^<]+)<\/td><td>\d+<\/td><td><a href="\/admin\/units\/(\d+)"/g))
      unitIds[m[1].replace(/&#39;/g, "'")] = Number(m[2]);
  });

  test('GET /admin/units/{id} is an edit page; a unit is renamed and moved', async () => {
    const id = unitIds['Direction générale / Direction du numérique / Service des usages'];
    assert.ok(id, JSON.stringify(unitIds));
    const page = await as.admin.get(`/admin/units/${id}`);
    assert.equal(page.status, 200);
    const form = findForm(page.body, `/admin/units/${id}`);
    const r = await as.admin.post(form.action, { ...form.hidden, name: 'Service des usages numériques',
      parent_id: String(unitIds['Direction générale / Direction du numérique']) });
    assert.equal(r.status, 303);
    assert.match((await as.admin.get('/admin/units')).body, /Direction du numérique \/ Service des usages numériques/);
  });

  test('moving a unit under its own sub-unit is refused, with a message naming both', async () => {
    const dg = unitIds['Direction générale'];
    const drh = unitIds['Direction générale / Direction des ressources humaines'];
    const page = (await as.admin.get(`/admin/units/${dg}`)).body;
    assert.ok(!new RegExp(`<option value="${drh}"`).test(page), 'the form does not offer a sub-unit');
    const form = findForm(page, `/admin/units/${dg}`);
    const r = await as.admin.post(form.action, { ...form.hidden, name: 'Direction générale', parent_id: String(drh) });
    assert.equal(r.status, 422);
    assert.match(pageText(r.body), /« Direction générale » ne peut pas être placée sous « Direction générale \/ Direction des ressources humaines » : c’est l’une de ses propres sous-unités/);
    assert.match((await as.admin.get('/admin/units')).body, /<td class="depth-0">Direction générale<\/td>/, 'nothing moved');
  });

  test('a unit is deleted only when empty', async () => {
    const drh = unitIds['Direction générale / Direction des ressources humaines'];
    const page = (await as.admin.get(`/admin/units/${drh}`)).body;
    const del = findForm(page, `/admin/units/${drh}/delete`);
    const refused = await as.admin.post(del.action, { ...del.hidden });
    assert.equal(refused.status, 409);
    assert.match(pageText(refused.body), /n’est pas supprimée : elle contient des sous-unités/);
    const formation = unitIds['Direction générale / Direction des ressources humaines / Service formation'];
    const f2 = findForm((await as.admin.get(`/admin/units/${formation}`)).body, `/admin/units/${formation}/delete`);
    const r2 = await as.admin.post(f2.action, { ...f2.hidden });
    assert.equal(r2.status, 409);
    assert.match(pageText(r2.body), /des comptes y sont rattachés/);
    // an empty one goes
    const add = findForm((await as.admin.get('/admin/units')).body, '/admin/units');
    assert.equal((await as.admin.post(add.action, { ...add.hidden, name: 'Cellule éphémère', parent_id: String(drh) })).status, 303);
    const id = Number((await as.admin.get('/admin/units')).body.match(/Cellule éphémère<\/td><td>0<\/td><td><a href="\/admin\/units\/(\d+)"/)[1]);
    const f3 = findForm((await as.admin.get(`/admin/units/${id}`)).body, `/admin/units/${id}/delete`);
    const r3 = await as.admin.post(f3.action, { ...f3.hidden });
    assert.equal(r3.status, 303);
    assert.equal((await as.admin.get(`/admin/units/${id}`)).status, 404);
  });

  test('issued badges are searched by holder or badge name, and paged', async () => {
    const award = async (email, slug) => {
      const f = findForm((await as.admin.get('/admin/badges')).body, '/admin/badges/award');
      const r = await as.admin.post(f.action, { ...f.hidden, email, slug, narrative: 'Démonstration' });
      assert.equal(r.status, 303, r.body.slice(0, 300));
    };
    await award(DEMO.agent, 'securite-numerique');
    await award(DEMO.agent, 'donnees-tableurs');
    await award(DEMO.agent2, 'securite-numerique');
    const byHolder = pageText((await as.admin.get('/admin/badges?q=petit')).body);
    assert.match(byHolder, /1 badge trouvé pour « petit »/);
    const byBadge = (await as.admin.get('/admin/badges?q=securite')).body; // accents folded
    const found = Number(pageText(byBadge).match(/(\d+) badges trouvés pour « securite »/)[1]);
    assert.ok(found >= 2, pageText(byBadge).slice(0, 300));
    assert.equal([...byBadge.matchAll(/<td>Sécurité numérique au quotidien<\/td>/g)].length, Math.min(found, 50));
    const p1 = (await as.admin.get('/admin/badges?per=2')).body;
    const total = Number(pageText(p1).match(/(\d+) badges délivrés/)[1]);
    assert.ok(total >= 3, pageText(p1).slice(0, 300));
    assert.equal([...p1.matchAll(/href="\/admin\/badges\/\d+\/revoke"/g)].length, 2);
    assert.match(p1, /href="\/admin\/badges\?q=&amp;per=2&amp;page=2#issued"/);
    const last = Math.ceil(total / 2);
    const pn = (await as.admin.get(`/admin/badges?per=2&page=${last}`)).body;
    assert.match(pageText(pn), new RegExp(`page ${last} sur ${last}`));
    assert.doesNotMatch(pn, /Suivant|page=\d+#issued">Page suivante/);
  });

  test('revoking asks for confirmation on its own page, with the reason', async () => {
    const list = (await as.admin.get('/admin/badges?q=petit')).body;
    const id = Number(list.match(/href="\/admin\/badges\/(\d+)\/revoke"/)[1]);
    const confirm = await as.admin.get(`/admin/badges/${id}/revoke`);
    assert.equal(confirm.status, 200);
    assert.match(pageText(confirm.body), /Marc Petit/);
    const form = findForm(confirm.body, `/admin/badges/${id}/revoke`);
    assert.equal(form.hidden.confirm, '1');
    // a post without the confirmation (an old form) only shows the confirmation page
    const early = await as.admin.post(form.action, { _csrf: form.hidden._csrf, reason: 'erreur' });
    assert.equal(early.status, 200);
    assert.match(early.body, /Confirmer la révocation/);
    assert.doesNotMatch((await as.admin.get('/admin/badges?q=petit')).body, /Révoqué/);
    const noReason = await as.admin.post(form.action, { ...form.hidden, reason: '' });
    assert.equal(noReason.status, 422);
    const done = await as.admin.post(form.action, { ...form.hidden, reason: 'Attribué par erreur' });
    assert.equal(done.status, 303);
    assert.match(pageText((await as.admin.get('/admin/badges?q=petit')).body), /Attribué par erreur/);
  });

  test('the user form reports every problem at once', async () => {
    const f = findForm((await as.admin.get('/admin/users/new')).body, '/admin/users');
    const r = await as.admin.post(f.action, { ...f.hidden, email: 'pas-une-adresse', name: '', password: 'court' });
    assert.equal(r.status, 422);
    const text = pageText(r.body);
    assert.match(text, /3 problèmes à corriger|4 problèmes à corriger/);
    assert.match(r.body, /href="#email"/);
    assert.match(r.body, /href="#name"/);
    assert.match(r.body, /href="#password"/);
    const dup = await as.admin.post(f.action, { ...f.hidden, email: DEMO.agent, name: 'Double', role_agent: '1' });
    assert.equal(dup.status, 422);
    assert.match(pageText(dup.body), /1 problème à corriger/);
  });
});

describe('accessibility', () => {
  test('axe-core finds no violation on the pages touched, at 1280 and 390 px', async () => {
    const badge = Number((await as.admin.get('/admin/badges?q=lea')).body.match(/href="\/admin\/badges\/(\d+)\/revoke"/)[1]);
    const pages = {
      manager: ['/paths/new', `/paths/${pathId}?q=dubois`, `/paths/${pathId}/edit`,
        `/people/${ids.agent}/passport`, `/team/assignments/${assignmentId}`],
      hr: ['/talent', '/talent/heatmap', `/talent/people/${ids.agent}?from=call&call=${callId}`, `/calls/${callId}`],
      admin: ['/admin/units', `/admin/units/${unitIds['Direction générale']}`, '/admin/badges?q=lea&per=2',
        `/admin/badges/${badge}/revoke`, '/admin/users/new'],
    };
    const browser = await launchBrowser();
    try {
      for (const [role, urls] of Object.entries(pages)) {
        const { ctx, page } = await pageAs(browser, role);
        for (const u of urls) await axeAt(page, u);
        if (role === 'admin') { // the error states
          await page.goto(`${server.url}/admin/users/new`);
          await page.fill('#email', 'x@y.z');
          await page.uncheck('#role_agent');
          await page.fill('#name', 'Nom');
          await page.click('form.form button[type=submit]');
          await page.waitForLoadState();
          assert.match(await page.content(), /error-summary/);
          await axeAt(page, null, '/admin/users (errors)');
          await page.goto(`${server.url}/admin/units/${unitIds['Direction générale / Direction des ressources humaines']}`);
          await page.click('form[action$="/delete"] button');
          await page.waitForLoadState();
          await axeAt(page, null, '/admin/units/{id} (refused)');
        }
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  });
});
