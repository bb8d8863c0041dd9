// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of training paths: a manager creates a path through the form and
// assigns it to a unit; the agent is notified, sees the path, its next module and the
// recommended modules; passing a module moves the dashboard and the recommendations;
// scope refusals and bad input write nothing; with the clock moved past the due date a
// second server shows the assignment overdue and posts the notice once; axe-core finds no
// WCAG A/AA violation on any paths page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
  BIN, DEMO, ROOT, assertNoSanitizerReport, client, findForm, formatViolations, freePort, launchBrowser,
  newContext, runAxe, startServer,
} from './helpers.mjs';
import { moduleFileById, parseModule, rightAnswers } from './quiz-files.mjs';

const DAY = 86400;
let server;
let manager;
let agent;
let pathId;
let assignmentId;

/** Loads the shipped competency frameworks (targets and evidence need them). */
function importFrameworks(srv) {
  for (const f of ['crcn.csv', 'digcomp.csv', 'mapping.csv']) {
    const r = spawnSync(BIN, ['import-framework', '--data', srv.dataDir, path.join(ROOT, 'courses', 'frameworks', f)],
      { encoding: 'utf8', timeout: 60_000, env: srv.cliEnv });
    assert.equal(r.status, 0, `import-framework ${f}: ${r.stdout}${r.stderr}`);
  }
}

/** The right answers of module id for the questions its form shows (tests/e2e/quiz-files.mjs). */
function answersFor(id, questions) {
  return rightAnswers(parseModule(moduleFileById(id)), questions);
}

async function login(email, base = server) {
  const c = client(base);
  await c.loginOk(email);
  return c;
}

/** JSON request with the session's CSRF token in X-CSRF-Token. */
async function api(c, method, url, body) {
  const token = await c.csrf('/');
  const res = await c.request(method, url, {
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try { json = JSON.parse(res.body); } catch { /* not JSON */ }
  return { status: res.status, json, body: res.body };
}

/** Passes module id as c's user through the quiz API. */
async function passModule(c, id) {
  const page = await c.get(`/api/v1/modules/${id}`);
  assert.equal(page.status, 200, page.body.slice(0, 300));
  const { nonce, questions } = JSON.parse(page.body);
  const r = await api(c, 'POST', `/api/v1/modules/${id}/attempts`, { nonce, answers: answersFor(id, questions) });
  assert.ok(r.status === 200 || r.status === 201, `attempt ${id}: ${r.status} ${r.body.slice(0, 300)}`);
  assert.equal(r.json.passed, true, `attempt ${id} not passed: ${r.body.slice(0, 300)}`);
}

/** The value of the <option> whose text is `label` in the select `name` of html. */
function optionValue(html, name, label) {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  assert.ok(select, `no select ${name}`);
  for (const m of select[1].matchAll(/<option value="(\d+)"[^>]*>([^<]*)<\/option>/g)) {
    if (m[2].trim().endsWith(label)) return m[1];
  }
  throw new Error(`no option ${label} in ${name}`);
}

async function progress(c, id) {
  const r = await c.get(`/api/v1/assignments/${id}/progress`);
  assert.equal(r.status, 200, r.body.slice(0, 300));
  return JSON.parse(r.body);
}

async function mine(c) {
  const r = await c.get('/api/v1/me/assignments');
  assert.equal(r.status, 200);
  return JSON.parse(r.body).assignments;
}

async function inbox(c) {
  return JSON.parse((await c.get('/api/v1/me/inbox')).body).items;
}

function isoDay(offsetDays) {
  return new Date(Date.now() + offsetDays * DAY * 1000).toISOString().slice(0, 10);
}

before(async () => {
  server = await startServer({ env: { PASSPORT_DEMO_STORY: '0' } }); // the five demo accounts alone: counts below are exact
  importFrameworks(server);
  manager = await login(DEMO.manager);
  agent = await login(DEMO.agent);
});

after(async () => {
  await server?.stop();
});

describe('paths', () => {
  test('a manager creates a path with the form (modules in the chosen order, targets)', async () => {
    const f = await manager.form('/paths/new', '/paths');
    const res = await manager.post('/paths', [
      ...Object.entries(f.hidden),
      ['title', 'Sécurité : les bons réflexes'],
      ['description', 'Deux modules pour commencer.'],
      ['targets', 'CRCN-4.1@3'],
      ['module', 'phishing-basics'], ['order_phishing-basics', '2'],
      ['module', 'mots-de-passe'], ['order_mots-de-passe', '1'],
    ]);
    assert.equal(res.status, 303, res.body.slice(0, 500));
    const m = /^\/paths\/(\d+)\?saved=1$/.exec(res.headers.get('location'));
    assert.ok(m, res.headers.get('location'));
    pathId = Number(m[1]);
    const p = JSON.parse((await manager.get(`/api/v1/paths/${pathId}`)).body);
    assert.deepEqual(p.modules.map((x) => x.id), ['mots-de-passe', 'phishing-basics']);
    assert.deepEqual(p.targets.map(({ code, level }) => ({ code, level })), [{ code: 'CRCN-4.1', level: 3 }]);
    assert.ok(p.targets[0].title_fr && p.targets[0].title_en, 'competency titles');
    assert.equal(p.owner, 'Karim Benali');
  });

  test('a path with an unknown module or a bad target is refused with 422 and nothing is written', async () => {
    const before_ = JSON.parse((await manager.get('/api/v1/paths')).body).paths.length;
    let r = await api(manager, 'POST', '/api/v1/paths', { title: 'X', modules: ['phishing-basics', 'no-such-module'] });
    assert.equal(r.status, 422);
    assert.match(r.json.error.message, /no-such-module/);
    r = await api(manager, 'POST', '/api/v1/paths', { title: 'X', modules: ['phishing-basics'], targets: 'CRCN-9.9@2' });
    assert.equal(r.status, 422);
    r = await api(manager, 'POST', '/api/v1/paths', { title: '', modules: ['phishing-basics'] });
    assert.equal(r.status, 422);
    const page = await manager.post('/paths', { ...(await manager.form('/paths/new', '/paths')).hidden, title: 'Y' });
    assert.equal(page.status, 422);
    assert.match(page.body, /role="alert"/);
    assert.equal(JSON.parse((await manager.get('/api/v1/paths')).body).paths.length, before_);
  });

  test('the API creates, reads, updates and the page copies a path', async () => {
    let r = await api(manager, 'POST', '/api/v1/paths', {
      title: 'Brouillon', modules: ['rgpd-agent'], targets: [{ code: 'CRCN-4.2', level: 2 }],
    });
    assert.equal(r.status, 201, r.body);
    const id = r.json.id;
    r = await api(manager, 'PUT', `/api/v1/paths/${id}`, { title: 'Données', modules: ['rgpd-agent', 'minimisation-conservation'] });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.modules.length, 2);
    assert.equal(r.json.targets.length, 0);
    const f = await manager.form(`/paths/${id}`, `/paths/${id}/copy`);
    const copy = await manager.post(`/paths/${id}/copy`, f.hidden);
    assert.equal(copy.status, 303);
    const copyId = Number(/\/paths\/(\d+)\/edit/.exec(copy.headers.get('location'))[1]);
    const c = JSON.parse((await manager.get(`/api/v1/paths/${copyId}`)).body);
    assert.equal(c.title, 'Copie de Données');
    assert.equal(c.copied_from, id);
    // HR may edit anyone's path; an agent may not even read paths
    const hr = await login(DEMO.hr);
    assert.equal((await api(hr, 'PUT', `/api/v1/paths/${id}`, { title: 'RH', modules: ['rgpd-agent'] })).status, 200);
    assert.equal((await agent.get('/api/v1/paths')).status, 403);
    assert.equal((await api(agent, 'POST', '/api/v1/paths', { title: 'A', modules: ['rgpd-agent'] })).status, 403);
  });

  test('assignments outside the scope or with a past date are refused and write nothing', async () => {
    const show = await manager.get(`/paths/${pathId}`);
    assert.equal(show.status, 200);
    // the manager's select offers only their subtree
    assert.throws(() => optionValue(show.body, 'unit_id', 'Direction des ressources humaines'));
    let r = await api(manager, 'POST', `/api/v1/paths/${pathId}/assignments`, { emails: [DEMO.agent2], due_on: isoDay(20) });
    const unknown = await api(manager, 'POST', `/api/v1/paths/${pathId}/assignments`, { emails: ['nobody2@demo.passport.test'], due_on: isoDay(20) });
    // out of scope answers exactly as an unknown address (docs/privacy.md)
    assert.equal(r.status, 422);
    assert.equal(JSON.stringify(r.json).replace(DEMO.agent2, 'E'), JSON.stringify(unknown.json).replace('nobody2@demo.passport.test', 'E'));
    r = await api(manager, 'POST', `/api/v1/paths/${pathId}/assignments`, { unit_id: 2, due_on: isoDay(20) });
    assert.equal(r.status, 403);
    r = await api(manager, 'POST', `/api/v1/paths/${pathId}/assignments`, { emails: [DEMO.agent], due_on: isoDay(-2) });
    assert.equal(r.status, 422);
    r = await api(manager, 'POST', `/api/v1/paths/${pathId}/assignments`, { emails: ['nobody@demo.passport.test'], due_on: isoDay(20) });
    assert.equal(r.status, 422);
    r = await api(manager, 'POST', '/api/v1/paths/99999/assignments', { emails: [DEMO.agent], due_on: isoDay(20) });
    assert.equal(r.status, 404);
    const form = findForm(show.body, `/paths/${pathId}/assign`);
    const page = await manager.post(`/paths/${pathId}/assign`, { ...form.hidden, emails: DEMO.agent, due_on: isoDay(-1) });
    assert.equal(page.status, 422);
    assert.match(page.body, /role="alert"/);
    assert.deepEqual(await mine(agent), []);
    assert.equal((await inbox(agent)).filter((m) => m.kind === 'assignment').length, 0);
    const team = await manager.get('/team');
    assert.match(team.body, /Aucune assignation à suivre/);
  });

  test('a manager assigns the path to their unit; the agent is notified and sees it', async () => {
    const show = await manager.get(`/paths/${pathId}`);
    const form = findForm(show.body, `/paths/${pathId}/assign`);
    const unit = optionValue(show.body, 'unit_id', 'Direction du numérique');
    const res = await manager.post(`/paths/${pathId}/assign`, {
      ...form.hidden, unit_id: unit, include_later: '1', due_on: isoDay(20), message: 'Merci de le suivre ce mois-ci.',
    });
    assert.equal(res.status, 303, res.body.slice(0, 500));
    assignmentId = Number(/\/team\/assignments\/(\d+)/.exec(res.headers.get('location'))[1]);
    const notes = (await inbox(agent)).filter((m) => m.kind === 'assignment');
    assert.equal(notes.length, 1);
    assert.match(notes[0].text, /Sécurité : les bons réflexes/);
    // the due date in words, as French readers write it, never as "2026-12-25"
    assert.ok(!notes[0].text.includes(isoDay(20)), notes[0].text);
    assert.match(notes[0].text, /avant le \d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}/);
    assert.equal(notes[0].link, '/me/assignments');
    const [a] = await mine(agent);
    assert.equal(a.id, assignmentId);
    assert.equal(a.status, 'on_track');
    assert.equal(a.done, 0);
    assert.equal(a.next.id, 'mots-de-passe');
    assert.equal(a.message, 'Merci de le suivre ce mois-ci.');
    // the agent of another direction got nothing
    const other = await login(DEMO.agent2);
    assert.deepEqual(await mine(other), []);
    const page = await agent.get('/me/assignments');
    assert.match(page.body, /Continuer : /);
    assert.match(page.body, /Dans les temps/);
  });

  test('recommendations close the known gap, shortest first, and shrink as the agent progresses', async () => {
    let [a] = await mine(agent);
    assert.deepEqual(a.recommendations.gaps, [{ code: 'CRCN-4.1', verified: 0, target: 3 }]);
    let ids = a.recommendations.modules.map((m) => m.id);
    assert.ok(ids.includes('authentification-multifacteur'), ids.join());
    assert.ok(ids.includes('mots-de-passe'), ids.join());
    assert.ok(ids.indexOf('authentification-multifacteur') < ids.indexOf('authentification-multifacteur-en'));
    const fr = a.recommendations.modules.filter((m) => m.lang === 'fr');
    for (let i = 1; i < fr.length; i++) {
      if (fr[i].closes === fr[i - 1].closes) assert.ok(fr[i].minutes >= fr[i - 1].minutes, 'shortest first');
    }
    await passModule(agent, 'mots-de-passe'); // measured CRCN-4.1 at level 2
    [a] = await mine(agent);
    assert.deepEqual(a.recommendations.gaps, [{ code: 'CRCN-4.1', verified: 2, target: 3 }]);
    ids = a.recommendations.modules.map((m) => m.id);
    assert.ok(!ids.includes('mots-de-passe') && !ids.includes('phishing-basics'), ids.join());
    assert.ok(a.recommendations.modules.every((m) => m.closes), 'only level-3 modules are left');
    assert.equal(a.done, 1);
    assert.equal(a.next.id, 'phishing-basics');
  });

  test('the dashboard moves when the agent completes modules', async () => {
    let p = await progress(manager, assignmentId);
    assert.equal(p.summary.agents, 2); // the manager is an agent of the unit too
    assert.equal(p.summary.modules_done, 1);
    assert.equal(p.summary.completed, 0);
    await passModule(agent, 'phishing-basics');
    p = await progress(manager, assignmentId);
    assert.equal(p.summary.modules_done, 2);
    assert.equal(p.summary.completed, 1);
    assert.equal(p.summary.percent, 50);
    assert.equal(p.summary.minutes, 19);
    const me = p.agents.find((x) => x.email === DEMO.agent);
    assert.equal(me.status, 'done');
    assert.equal(p.burndown.points.at(-1).remaining, 2);
    const page = await manager.get(`/team/assignments/${assignmentId}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<svg class="paths-burndown"[^>]*role="img"/);
    assert.match(page.body, /50 % des modules sont terminés/);
    const team = await manager.get('/team');
    assert.match(team.body, /Sécurité : les bons réflexes/);
    assert.match(team.body, /\/team\/people/);
    const csv = await manager.get(`/team/assignments/${assignmentId}/export.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    assert.match(csv.headers.get('content-disposition'), /attachment/);
    assert.match(csv.body, /Léa Dubois;agent@demo\.passport\.test;Service des usages;Terminé;2;2;100;19;/);
    const drill = await manager.get(`/team/agents/${me.id}`);
    assert.equal(drill.status, 200);
    assert.match(drill.body, /Terminé/);
  });

  test('agents and managers outside the scope cannot see the dashboard', async () => {
    assert.equal((await agent.get('/team')).status, 403);
    assert.equal((await agent.get(`/api/v1/assignments/${assignmentId}/progress`)).status, 403);
    assert.equal((await agent.get(`/team/assignments/${assignmentId}/export.csv`)).status, 403);
    const hr = await login(DEMO.hr);
    const other = await api(hr, 'POST', `/api/v1/paths/${pathId}/assignments`, { emails: [DEMO.agent2], due_on: isoDay(30) });
    assert.equal(other.status, 201, other.body);
    assert.equal((await manager.get(`/api/v1/assignments/${other.json.id}/progress`)).status, 404, 'as an absent one');
    const agent2 = JSON.parse((await hr.get(`/api/v1/assignments/${other.json.id}/progress`)).body).agents[0];
    assert.equal((await manager.get(`/team/agents/${agent2.id}`)).status, 404, 'as an absent one');
    assert.equal((await manager.get('/api/v1/assignments/99999/progress')).status, 404);
  });

  test('with the clock past the due date, the assignment is overdue and the notice is posted once', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(BIN, ['serve', '--data', server.dataDir, '--listen', `127.0.0.1:${port}`,
      '--web', path.join(ROOT, 'web'), '--courses', path.join(ROOT, 'courses'), '--quiet'], {
      env: { ...server.cliEnv, PASSPORT_CLOCK_OFFSET: String(25 * DAY) }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let up = false;
      for (let i = 0; i < 200 && !up; i++) {
        try { up = (await fetch(`${url}/healthz`)).status === 200; } catch { await new Promise((r) => setTimeout(r, 50)); }
      }
      assert.ok(up, `second server did not start: ${stderr}`);
      const late = await login(DEMO.agent2, url); // HR's assignment is due in 30 days: not late
      const lateAgent = await login(DEMO.agent, url);
      const mgr = await login(DEMO.manager, url);
      // the manager (an agent of the unit) has not finished: overdue on their own list
      const [mine_] = await mine(mgr);
      assert.equal(mine_.status, 'overdue');
      assert.equal(mine_.days_left < 0, true);
      const [done] = await mine(lateAgent);
      assert.equal(done.status, 'done');
      assert.equal((await mine(late))[0].status, 'due_soon');
      const p = await progress(mgr, assignmentId);
      assert.equal(p.summary.overdue, 1);
      assert.equal(p.assignment.overdue, true);
      assert.equal(p.agents[0].status, 'overdue');
      const page = await mgr.get('/me/assignments');
      assert.match(page.body, /En retard/);
      const overdue = (await inbox(mgr)).filter((m) => m.kind === 'overdue');
      assert.equal(overdue.length, 1);
      assert.match(overdue[0].text, /en retard/);
      assert.equal((await inbox(lateAgent)).filter((m) => m.kind === 'overdue').length, 0);
      await mgr.get('/team');
      assert.equal((await inbox(mgr)).filter((m) => m.kind === 'overdue').length, 1);
      assert.equal((await inbox(late)).filter((m) => m.kind === 'due_soon').length, 1);
    } finally {
      child.kill('SIGTERM');
      await exited;
      assertNoSanitizerReport(stderr, 'second server');
    }
  });

  test('axe-core finds no WCAG A/AA violation on the paths pages', async () => {
    // the server run 25 days ahead purged, at its start, the sessions expired by its clock
    manager = await login(DEMO.manager);
    agent = await login(DEMO.agent);
    const browser = await launchBrowser();
    try {
      const pages = [
        [manager, ['/paths', '/paths/new', `/paths/${pathId}`, `/paths/${pathId}/edit`, '/team',
          `/team/assignments/${assignmentId}`, '/me/assignments']],
        [agent, ['/me/assignments']],
      ];
      const p = JSON.parse((await manager.get(`/api/v1/assignments/${assignmentId}/progress`)).body);
      pages[0][1].push(`/team/agents/${p.agents.find((x) => x.email === DEMO.agent).id}`);
      for (const [c, urls] of pages) {
        const ctx = await newContext(browser);
        await ctx.addCookies([{ name: 'pp_session', value: c.cookie('pp_session'), url: server.url }]);
        const page = await ctx.newPage();
        for (const u of urls) {
          const res = await page.goto(server.url + u);
          assert.equal(res.status(), 200, u);
          const v = await runAxe(page);
          assert.equal(v.length, 0, formatViolations(v, u));
        }
        // the form error state too
        if (c === manager) {
          await page.goto(`${server.url}/paths/new`);
          await page.fill('#title', 'Sans module');
          await page.click('form.form button[type=submit]');
          await page.waitForLoadState();
          assert.match(await page.content(), /role="alert"/);
          const v = await runAxe(page);
          assert.equal(v.length, 0, formatViolations(v, '/paths (error)'));
        }
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  });
});

