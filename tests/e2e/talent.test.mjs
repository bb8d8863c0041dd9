// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of talent profiles, intrapreneur calls and privacy: consent (a hidden
// agent is never found, then found once visible), logged profile views, explained
// scores, the call flow, small-count suppression, export and erasure, authorisation of
// every new route for each role, and axe-core on every new page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import {
  BIN, DEMO, ROOT, client, formatViolations, launchBrowser, newContext, runAxe, startServer, DEMO_PASSWORD,
} from './helpers.mjs';

let server;
const as = {}; // role -> logged-in Client
const ids = {}; // role -> user id
const tokens = {}; // role -> CSRF token of the session

async function csrfOf(c) {
  return c.csrf('/me/profile', '/me/profile');
}

/** A JSON API call with the session's CSRF header; returns the response. */
async function api(role, method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = tokens[role];
    headers['Content-Type'] = 'application/json';
  }
  return as[role].request(method, path, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function apiOk(role, method, path, body, status = 200) {
  const res = await api(role, method, path, body);
  assert.equal(res.status, status, `${role} ${method} ${path}: ${res.body.slice(0, 500)}`);
  return res.json();
}

before(async () => {
  server = await startServer();
  // the competency frameworks (idempotent when serve already loaded them)
  for (const f of ['crcn.csv', 'digcomp.csv', 'mapping.csv']) {
    const r = spawnSync(BIN, ['import-framework', '--data', server.dataDir, path.join(ROOT, 'courses', 'frameworks', f)], { encoding: 'utf8', env: server.cliEnv });
    assert.equal(r.status, 0, `import-framework ${f}: ${r.stderr}`);
  }
  for (const role of ['admin', 'hr', 'manager', 'agent', 'agent2']) {
    as[role] = client(server);
    await as[role].loginOk(DEMO[role]);
    tokens[role] = await csrfOf(as[role]);
    ids[role] = (await apiOk(role, 'GET', '/api/v1/me/profile')).user_id;
  }
  // the manager (Direction du numérique) attests the agent (Service des usages, below it)
  for (const [code, level] of [['CRCN-1.1', 4], ['CRCN-3.2', 2], ['CRCN-4.1', 5]]) {
    await apiOk('manager', 'POST', `/api/v1/users/${ids.agent}/attestations`,
      { code, level: String(level), comment: 'Observé en situation de travail' }, 201);
  }
});
after(async () => { await server?.stop(); });

const NEEDS = 'CRCN-1.1:3,CRCN-4.1:4:2';

function sumOfPoints(result) {
  return result.needs.reduce((s, n) => s + n.points, 0);
}

describe('consent and search', () => {
  test('a hidden agent is not found; the aggregate counts every hidden agent, whatever the query', async () => {
    const r = await apiOk('hr', 'GET', `/api/v1/talent/search?needs=${NEEDS}`);
    assert.ok(!r.results.some((x) => x.user_id === ids.agent), 'hidden agent not in results');
    const usages = r.hidden.find((h) => h.unit === 'Service des usages');
    assert.ok(usages, JSON.stringify(r.hidden));
    const nobody = await apiOk('hr', 'GET', '/api/v1/talent/search?needs=CRCN-1.1:8&q=astrophysique');
    assert.deepEqual([nobody.hidden, nobody.hidden_total], [r.hidden, r.hidden_total], 'no oracle');
    assert.ok(!JSON.stringify(r).includes(DEMO.agent), 'no email leaks');
  });

  test('once visible to HR, the agent is found with explained points adding up to the score', async () => {
    await apiOk('agent', 'POST', '/api/v1/me/profile',
      { visibility: 'hr', bio: 'J’anime des ateliers sur la sécurité numérique', interests: 'données ouvertes', languages: 'français, anglais', available: 'true' });
    const r = await apiOk('hr', 'GET', `/api/v1/talent/search?needs=${NEEDS}`);
    const hit = r.results.find((x) => x.user_id === ids.agent);
    assert.ok(hit, JSON.stringify(r));
    assert.equal(hit.needs.length, 2);
    const n11 = hit.needs.find((n) => n.code === 'CRCN-1.1');
    assert.deepEqual([n11.level, n11.required, n11.weight, n11.points], [4, 3, 1, 133]); // 100*1*4/3
    const n41 = hit.needs.find((n) => n.code === 'CRCN-4.1');
    assert.deepEqual([n41.level, n41.required, n41.weight, n41.points], [5, 4, 2, 250]); // 100*2*5/4
    assert.equal(hit.score, sumOfPoints(hit));
    assert.equal(hit.score, 383);
    // the visibility change is recorded
    const x = await apiOk('agent', 'GET', '/api/v1/me/export');
    assert.ok(x.audit.some((e) => e.action === 'profile.visibility' && e.detail === 'hidden -> hr'));
  });

  test('free text folds accents and case; a required level above the agent excludes them', async () => {
    let r = await apiOk('hr', 'GET', `/api/v1/talent/search?q=${encodeURIComponent('SECURITE numerique')}`);
    assert.ok(r.results.some((x) => x.user_id === ids.agent), 'found by folded text');
    r = await apiOk('hr', 'GET', `/api/v1/talent/search?q=${encodeURIComponent('astrophysique')}`);
    assert.equal(r.results.length, 0);
    r = await apiOk('hr', 'GET', '/api/v1/talent/search?needs=CRCN-4.1:6');
    assert.ok(!r.results.some((x) => x.user_id === ids.agent));
    r = await apiOk('hr', 'GET', '/api/v1/talent/search?needs=CRCN-4.1:5&available=1');
    assert.ok(r.results.some((x) => x.user_id === ids.agent));
  });

  test('bad filters answer 400 and write nothing', async () => {
    for (const q of ['needs=NOPE-9.9:3', 'needs=CRCN-1.1:9', 'needs=CRCN-1.1:0', 'needs=CRCN-1.1', 'c1=CRCN-1.1&l1=12', 'unit=999999', 'fresh=abc']) {
      const res = await api('hr', 'GET', `/api/v1/talent/search?${q}`);
      assert.equal(res.status, 400, `${q}: ${res.body}`);
      assert.ok(res.json().error.message, q);
    }
    const page = await as.hr.get('/talent?needs=CRCN-1.1:42');
    assert.equal(page.status, 400);
    assert.match(page.body, /role="alert"/);
  });

  test('the CSV export is an attachment with the visible results only', async () => {
    const res = await as.hr.get(`/talent/export.csv?needs=${NEEDS}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition'), /^attachment/);
    assert.match(res.body, /Service des usages/);
    assert.match(res.body, /383/);
    // the CSV holds names, not e-mails: the hidden agent2's name must not be there
    const hiddenName = (await apiOk('agent2', 'GET', '/api/v1/me/profile')).name;
    assert.ok(hiddenName && res.body.includes((await apiOk('agent', 'GET', '/api/v1/me/profile')).name), 'names are what the CSV holds');
    assert.ok(!res.body.includes(hiddenName), 'a hidden agent is not in the CSV');
  });
});

describe('profile views', () => {
  test('an HR view is logged and shown to the agent with its context', async () => {
    const page = await as.hr.get(`/talent/people/${ids.agent}?from=search`);
    assert.equal(page.status, 200);
    const v = await apiOk('agent', 'GET', '/api/v1/me/profile-views');
    assert.equal(v.views.length, 1);
    assert.equal(v.views[0].context, 'search');
    assert.equal(v.views[0].viewer_id, ids.hr);
    const mine = await as.agent.get('/me/profile');
    assert.match(mine.body, /Recherche de talents/);
  });

  test('a hidden profile by URL answers exactly like an absent one, and logs nothing', async () => {
    const hidden = await as.hr.get(`/talent/people/${ids.agent2}`);
    const absent = await as.hr.get('/talent/people/999999');
    assert.equal(hidden.status, 404);
    assert.equal(absent.status, 404);
    // the same page but for the requested path (the language switch links back to it)
    assert.equal(hidden.body.replaceAll(`/talent/people/${ids.agent2}`, 'PATH'), absent.body.replaceAll('/talent/people/999999', 'PATH'));
    const apiHidden = await api('hr', 'GET', `/api/v1/talent/people/${ids.agent2}`);
    const apiAbsent = await api('hr', 'GET', '/api/v1/talent/people/999999');
    assert.equal(apiHidden.status, 404);
    assert.equal(apiHidden.body, apiAbsent.body);
    const v = await apiOk('agent2', 'GET', '/api/v1/me/profile-views');
    assert.equal(v.views.length, 0);
  });

  test('a manager sees visible profiles in scope only', async () => {
    await apiOk('agent2', 'POST', '/api/v1/me/profile', { visibility: 'hr', bio: '', interests: '', languages: '' });
    let r = await apiOk('manager', 'GET', '/api/v1/talent/search');
    assert.ok(r.results.some((x) => x.user_id === ids.agent), 'agent in scope');
    assert.ok(!r.results.some((x) => x.user_id === ids.agent2), 'agent2 out of scope');
    assert.equal((await as.manager.get(`/talent/people/${ids.agent}`)).status, 200);
    assert.equal((await as.manager.get(`/talent/people/${ids.agent2}`)).status, 404);
    r = await apiOk('hr', 'GET', '/api/v1/talent/search');
    assert.ok(r.results.some((x) => x.user_id === ids.agent2), 'HR sees agent2 once visible');
    // a second manager, of "Service formation": agent2 is in scope, the agent is not
    const form = await as.admin.form('/admin/users/new', '/admin/users');
    const unit = [...form.html.matchAll(/<option value="(\d+)"[^>]*>([^<]*)<\/option>/g)].find((m) => m[2].includes('Service formation'));
    assert.ok(unit, 'Service formation option');
    const created = await as.admin.post('/admin/users', {
      ...form.hidden, email: 'manager2@demo.passport.test', name: 'Maud Formation', unit_id: unit[1],
      role_agent: '1', role_manager: '1', locale: 'fr', password: 'Une-phrase-de-passe-longue-2',
    });
    assert.equal(created.status, 303);
    const m2 = client(server);
    await m2.loginOk('manager2@demo.passport.test', 'Une-phrase-de-passe-longue-2');
    const m2r = (await m2.get('/api/v1/talent/search', { headers: { Accept: 'application/json' } })).json();
    assert.ok(m2r.results.some((x) => x.user_id === ids.agent2), 'agent2 in the second manager\'s scope');
    assert.ok(!m2r.results.some((x) => x.user_id === ids.agent), 'the agent out of the second manager\'s scope');
    assert.equal((await m2.get(`/talent/people/${ids.agent}`)).status, 404);
    assert.equal((await m2.get(`/talent/people/${ids.agent2}`)).status, 200);
    assert.equal((await m2.get('/talent/heatmap')).status, 403);
    await apiOk('agent2', 'POST', '/api/v1/me/profile', { visibility: 'hidden', only: 'visibility' });
    r = await apiOk('hr', 'GET', '/api/v1/talent/search');
    assert.ok(!r.results.some((x) => x.user_id === ids.agent2), 'hidden again at once');
  });
});

describe('intrapreneur calls', () => {
  let callId;
  const call = {
    title: 'Laboratoire données ouvertes',
    description: '## Mission\nOuvrir les **données** du service.\n\n<script>alert(1)</script>',
    opens_on: new Date(Date.now() - 86400e3).toISOString().slice(0, 10),
    closes_on: new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10),
  };

  test('a call with no need, an unknown competency or bad dates is refused and nothing is written', async () => {
    const before = (await apiOk('hr', 'GET', '/api/v1/calls')).managed.length;
    for (const body of [{ ...call, needs: [] }, { ...call, needs: [{ code: 'NOPE', min_level: 2 }] },
      { ...call, needs: [{ code: 'CRCN-1.1', min_level: 9 }] }, { ...call, closes_on: '2020-01-01', needs: [{ code: 'CRCN-1.1', min_level: 2 }] }]) {
      const res = await api('hr', 'POST', '/api/v1/calls', body);
      assert.equal(res.status, 422, res.body);
    }
    assert.equal((await apiOk('hr', 'GET', '/api/v1/calls')).managed.length, before);
  });

  test('from draft to decision', async () => {
    const created = await apiOk('hr', 'POST', '/api/v1/calls', {
      ...call, needs: [{ code: 'CRCN-1.1', min_level: 3, weight: 1 }, { code: 'CRCN-4.1', min_level: 4, weight: 2 }],
    }, 201);
    callId = created.id;
    assert.equal(created.state, 'draft');
    assert.ok(!created.description_html.includes('<script'), created.description_html);
    assert.match(created.description_html, /<strong>données<\/strong>/);
    // a draft is invisible to agents and cannot be applied to
    assert.equal((await api('agent', 'GET', `/api/v1/calls/${callId}`)).status, 404);
    assert.equal((await api('agent', 'POST', `/api/v1/calls/${callId}/applications`, { motivation: 'x' })).status, 404);
    await apiOk('hr', 'POST', `/api/v1/calls/${callId}/state`, { state: 'open' });
    const list = await apiOk('agent', 'GET', '/api/v1/calls');
    const open = list.open.find((c) => c.id === callId);
    assert.ok(open && open.fit.meets, JSON.stringify(list.open));
    assert.equal(open.fit.score, 383);
    await apiOk('agent', 'POST', `/api/v1/calls/${callId}/applications`, { motivation: 'J’ai déjà ouvert deux jeux de données.' }, 201);
    assert.equal((await api('agent', 'POST', `/api/v1/calls/${callId}/applications`, { motivation: 'again' })).status, 409);
    // withdraw then apply again
    await apiOk('agent', 'POST', `/api/v1/calls/${callId}/applications`, { action: 'withdraw' });
    await apiOk('agent', 'POST', `/api/v1/calls/${callId}/applications`, { motivation: 'Je reviens.' }, 201);
    // the owner sees the applicant with the same explained score, and suggestions
    const seen = await apiOk('hr', 'GET', `/api/v1/calls/${callId}`);
    const ap = seen.applications.find((x) => x.user_id === ids.agent);
    assert.equal(ap.state, 'applied');
    assert.equal(ap.fit.score, 383);
    assert.equal(ap.fit.score, ap.fit.needs.reduce((s, n) => s + n.points, 0));
    assert.ok(seen.suggested.some((x) => x.user_id === ids.agent));
    // the agent cannot manage
    assert.equal((await api('agent', 'POST', `/api/v1/calls/${callId}/decisions`, { user_id: String(ids.agent), decision: 'shortlisted' })).status, 403);
    await apiOk('hr', 'POST', `/api/v1/calls/${callId}/decisions`, { user_id: String(ids.agent), decision: 'shortlisted' });
    const inbox = await apiOk('agent', 'GET', '/api/v1/me/inbox');
    assert.ok(inbox.items.some((m) => m.key === 'talent.inbox.shortlisted' && m.text.includes(call.title)), JSON.stringify(inbox));
    const csv = await as.hr.get(`/calls/${callId}/shortlist.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition'), /^attachment/);
    assert.match(csv.body, new RegExp(DEMO.agent.replace('.', '\\.')));
    // closed: no more applications
    await apiOk('hr', 'POST', `/api/v1/calls/${callId}/state`, { state: 'closed' });
    const late = await api('agent2', 'POST', `/api/v1/calls/${callId}/applications`, { motivation: 'trop tard' });
    assert.equal(late.status, 409);
    assert.equal((await apiOk('hr', 'GET', `/api/v1/calls/${callId}`)).applications.length, 1);
    assert.equal((await api('hr', 'POST', `/api/v1/calls/${callId}/state`, { state: 'draft' })).status, 409);
    await apiOk('hr', 'POST', `/api/v1/calls/${callId}/state`, { state: 'archived' });
  });

  test('a manager owns their calls; another manager cannot manage HR calls', async () => {
    const mine = await apiOk('manager', 'POST', '/api/v1/calls', { ...call, title: 'Appel du manager', needs: [{ code: 'CRCN-1.1', min_level: 2 }] }, 201);
    await apiOk('manager', 'POST', `/api/v1/calls/${mine.id}/state`, { state: 'open' });
    const hrs = await apiOk('hr', 'POST', '/api/v1/calls', { ...call, title: 'Appel RH', needs: [{ code: 'CRCN-2.1', min_level: 1 }] }, 201);
    await apiOk('hr', 'POST', `/api/v1/calls/${hrs.id}/state`, { state: 'open' });
    assert.equal((await api('manager', 'POST', `/api/v1/calls/${hrs.id}/state`, { state: 'closed' })).status, 403);
    assert.equal((await api('manager', 'POST', `/api/v1/calls/${hrs.id}/decisions`, { user_id: '1', decision: 'declined' })).status, 403);
    // the archived call now answers as absent to those who cannot manage it
    assert.equal((await api('manager', 'GET', `/api/v1/calls/${callId}`)).status, 404);
    assert.equal((await api('hr', 'GET', `/api/v1/calls/${callId}`)).status, 200);
  });
});

describe('heatmap', () => {
  test('units below 5 agents are suppressed, in the SVG, the table and the CSV', async () => {
    const h = await apiOk('hr', 'GET', '/api/v1/talent/heatmap');
    // the demo's services have 5 agents or more (its story), its direction 1
    assert.ok(h.rows.some((row) => row.headcount === '< 5'), JSON.stringify(h.rows));
    assert.ok(h.rows.some((row) => row.headcount !== '< 5'), 'the demo shows cells');
    for (const row of h.rows) {
      if (row.headcount === '< 5') {
        assert.ok(row.cells.every((c) => c.average === null && c.suppressed));
      } else {
        assert.ok(row.headcount >= 5);
        assert.ok(row.cells.every((c) => typeof c.average === 'number' && !c.suppressed));
      }
    }
    const page = await as.hr.get('/talent/heatmap');
    assert.match(page.body, /<svg role="img" aria-labelledby="heatmap-title heatmap-desc"/);
    assert.match(page.body, /<caption>/);
    const csv = await as.hr.get('/talent/heatmap.csv');
    assert.match(csv.headers.get('content-disposition'), /^attachment/);
    assert.match(csv.body, /< 5/);
  });
});

describe('authorisation of every new route', () => {
  const roles = ['agent', 'manager', 'hr', 'admin'];
  // expected status per role: agent, manager, hr, admin (admin demo is admin+agent)
  const table = [
    ['GET', '/talent', [403, 200, 200, 403]],
    ['GET', '/talent/export.csv', [403, 200, 200, 403]],
    ['GET', '/api/v1/talent/search', [403, 200, 200, 403]],
    ['GET', '/talent/heatmap', [403, 403, 200, 403]],
    ['GET', '/talent/heatmap.csv', [403, 403, 200, 403]],
    ['GET', '/api/v1/talent/heatmap', [403, 403, 200, 403]],
    ['GET', '/calls', [200, 200, 200, 200]],
    ['GET', '/api/v1/calls', [200, 200, 200, 200]],
    ['GET', '/calls/new', [403, 200, 200, 403]],
    ['GET', '/me/profile', [200, 200, 200, 200]],
    ['GET', '/api/v1/me/profile-views', [200, 200, 200, 200]],
    ['GET', '/api/v1/me/export', [200, 200, 200, 200]],
    ['GET', '/me/erase', [200, 200, 200, 200]],
  ];
  for (const [method, path, expect] of table) {
    test(`${method} ${path}`, async () => {
      for (let i = 0; i < roles.length; i++) {
        const res = await as[roles[i]].request(method, path);
        assert.equal(res.status, expect[i], `${roles[i]} ${path}`);
      }
      const anon = await client(server).request(method, path);
      assert.ok(anon.status === 401 || anon.status === 303, `anonymous ${path}: ${anon.status}`);
    });
  }
  test('writes: creating calls, erasing others', async () => {
    assert.equal((await api('agent', 'POST', '/api/v1/calls', { title: 't' })).status, 403);
    for (const role of ['agent', 'manager', 'hr']) {
      const res = await api(role, 'POST', `/admin/users/${ids.agent2}/erase`, {});
      assert.equal(res.status, 403, role);
    }
    // a POST without the CSRF token is refused
    const res = await as.agent.request('POST', '/api/v1/me/erase', { headers: { 'Content-Type': 'application/json' }, body: '{"confirm":"yes"}' });
    assert.equal(res.status, 403);
  });
});

describe('accessibility', () => {
  test('axe-core finds no violation on the new pages', async () => {
    const browser = await launchBrowser();
    try {
      const pages = {
        hr: [`/talent?needs=${NEEDS}`, '/talent?c1=CRCN-1.1&l1=2', '/talent/heatmap', '/calls', '/calls/new', '/calls/1', `/talent/people/${ids.agent}`],
        agent: ['/me/profile', '/me/erase', '/calls', '/calls/3'],
      };
      for (const [role, paths] of Object.entries(pages)) {
        const ctx = await newContext(browser);
        const u = new URL(server.url);
        await ctx.addCookies([{ name: 'pp_session', value: as[role].cookie('pp_session'), domain: u.hostname, path: '/' }]);
        const page = await ctx.newPage();
        for (const p of paths) {
          const res = await page.goto(server.url + p);
          assert.equal(res.status(), 200, `${role} ${p}`);
          const v = await runAxe(page);
          assert.equal(v.length, 0, formatViolations(v, `${role} ${p}`));
        }
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  });
});

describe('privacy', () => {
  test('the export holds every table\'s rows for the agent', async () => {
    const res = await as.agent.get('/me/export.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition'), /^attachment/);
    const x = res.json();
    assert.equal(x.account.email, DEMO.agent);
    assert.equal(x.profile.visibility, 'hr');
    assert.ok(x.evidence.length >= 3);
    assert.ok(x.evidence.every((e) => e.kind === 'attested'));
    assert.ok(Array.isArray(x.attempts) && Array.isArray(x.badges) && Array.isArray(x.module_visits));
    assert.equal(x.applications.length, 1);
    assert.ok(x.profile_views.length >= 1);
    assert.ok(x.inbox.some((m) => m.key === 'talent.inbox.shortlisted'));
  });

  test('the agent erases their account after confirming; data, sessions and visibility are gone', async () => {
    let applied = null; // the (archived) call the agent applied to; the demo has its own call too
    for (let id = 1; id <= 10 && !applied; id++) {
      const r = await api('hr', 'GET', `/api/v1/calls/${id}`);
      if (r.status === 200) applied = r.json().applications.find((x) => x.user_id === ids.agent);
    }
    assert.ok(applied, 'the owner sees the application before the erasure');
    const noConfirm = await api('agent', 'POST', '/api/v1/me/erase', {});
    assert.equal(noConfirm.status, 422);
    assert.equal((await api('agent', 'GET', '/api/v1/me/profile')).status, 200, 'nothing erased without confirmation');
    await apiOk('agent', 'POST', '/api/v1/me/erase', { confirm: 'yes' });
    assert.equal((await api('agent', 'GET', '/api/v1/me/profile')).status, 401);
    const again = client(server);
    const login = await again.login(DEMO.agent, DEMO_PASSWORD);
    assert.notEqual(login.status, 303);
    const r = await apiOk('hr', 'GET', '/api/v1/talent/search');
    assert.ok(!r.results.some((x) => x.user_id === ids.agent));
    assert.equal((await as.hr.get(`/talent/people/${ids.agent}`)).status, 404);
    const seen = await apiOk('hr', 'GET', '/api/v1/calls/1');
    assert.equal(seen.applications.find((x) => x.user_id === ids.agent), undefined, 'the application is gone');
    assert.ok(!JSON.stringify(seen).includes(DEMO.agent));
  });

  test('an admin erases another account', async () => {
    const unconfirmed = await as.admin.post(`/admin/users/${ids.agent2}/erase`, { _csrf: tokens.admin });
    assert.equal(unconfirmed.status, 422, 'erasure needs the confirmation box');
    assert.equal((await api('agent2', 'GET', '/api/v1/me/profile')).status, 200, 'nothing erased without it');
    const res = await as.admin.post(`/admin/users/${ids.agent2}/erase`, { _csrf: tokens.admin, confirm: 'yes' });
    assert.equal(res.status, 303);
    assert.equal((await api('agent2', 'GET', '/api/v1/me/profile')).status, 401);
    assert.equal((await as.admin.post('/admin/users/999999/erase', { _csrf: tokens.admin, confirm: 'yes' })).status, 404);
  });
});
