// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of administration: accounts, units, CSV import (all or nothing) and
// the refusal of every /admin/ route to users who are not admin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { DEMO, client, findForm, htmlDecode, htmlLang, pageText, startServer } from './helpers.mjs';

let server;
let admin; // a Client logged in as the demo admin
before(async () => {
  server = await startServer();
  admin = client(server);
  await admin.loginOk(DEMO.admin);
});
after(async () => { await server?.stop(); });

/** The unit options of a page's unit select: [{id, path}]. */
function unitOptions(html, selectName) {
  const sel = html.match(new RegExp(`<select\\b[^>]*name="${selectName}"[^>]*>([\\s\\S]*?)</select>`, 'i'));
  assert.ok(sel, `select ${selectName}`);
  return [...sel[1].matchAll(/<option\b[^>]*value="(\d+)"[^>]*>([^<]*)<\/option>/gi)]
    .map((m) => ({ id: m[1], path: htmlDecode(m[2]).trim() }));
}

/** Rows of the /admin/users table: [{id, name, cells (text)}]. */
async function searchUsers(q) {
  const res = await admin.get(`/admin/users?q=${encodeURIComponent(q)}`);
  assert.equal(res.status, 200);
  const body = res.body.match(/<tbody>([\s\S]*?)<\/tbody>/i)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/gi)].map((m) => {
    const link = m[1].match(/<a href="\/admin\/users\/(\d+)">([^<]*)<\/a>/);
    return { id: link?.[1], name: link ? htmlDecode(link[2]) : null, text: pageText(m[1]) };
  }).filter((r) => r.id);
}

function csrfOf(html) {
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  assert.ok(m, '_csrf in page');
  return m[1];
}

describe('accounts', () => {
  test('the admin creates a user who can then log in', async () => {
    const form = await admin.form('/admin/users/new', '/admin/users');
    const units = unitOptions(form.html, 'unit_id');
    const unit = units.find((u) => u.path.endsWith('Service formation'));
    assert.ok(unit, `Service formation among ${JSON.stringify(units)}`);
    const email = 'nouvelle.recrue@demo.passport.test';
    const password = 'Une-phrase-de-passe-longue-1';
    const res = await admin.post('/admin/users', {
      ...form.hidden, email, name: 'Nadia Recrue', unit_id: unit.id,
      role_agent: '1', role_manager: '1', locale: 'en', password,
    });
    assert.equal(res.status, 303, pageText(res.body).slice(0, 500));
    assert.equal(res.location, '/admin/users?done=1');
    const rows = await searchUsers('nouvelle.recrue');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].name, 'Nadia Recrue');
    assert.match(rows[0].text, /Service formation/);

    const u = client(server);
    const login = await u.login(email, password);
    assert.equal(login.status, 303);
    const me = (await u.get('/api/v1/me')).json();
    assert.equal(me.email, email);
    assert.equal(me.name, 'Nadia Recrue');
    assert.equal(me.unit, 'Service formation');
    assert.equal(me.locale, 'en');
    const roles = Array.isArray(me.roles) ? me.roles : String(me.roles).split(',');
    assert.deepEqual([...roles].sort(), ['agent', 'manager']);
    const home = await u.get('/');
    assert.equal(home.status, 200);
    assert.equal(htmlLang(home.body), 'en', 'the account locale wins');
    assert.ok(pageText(home.body).includes('Nadia Recrue'));
    // The new user is not an admin.
    assert.equal((await u.get('/admin/users')).status, 403);
  });

  test('creating a user with an email already taken is refused', async () => {
    const form = await admin.form('/admin/users/new', '/admin/users');
    const res = await admin.post('/admin/users', {
      ...form.hidden, email: DEMO.agent, name: 'Doublon', unit_id: '0', role_agent: '1', locale: 'fr',
    });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.match(res.body, /role="alert"/);
    const rows = await searchUsers(DEMO.agent);
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0].name, 'Doublon');
  });

  test('the admin edits a user: name, roles, password, then disabled: login and session refused', async () => {
    const form = await admin.form('/admin/users/new', '/admin/users');
    const email = 'a.desactiver@demo.passport.test';
    const password = 'Mot-de-passe-assez-long-2';
    assert.equal((await admin.post('/admin/users', {
      ...form.hidden, email, name: 'Paul Temporaire', unit_id: '0', role_agent: '1', locale: 'fr', password,
    })).status, 303);
    const [row] = await searchUsers('a.desactiver');
    assert.ok(row, 'user listed');
    const u = client(server);
    await u.loginOk(email, password);

    const edit = await admin.form(`/admin/users/${row.id}`, `/admin/users/${row.id}`);
    const base = { ...edit.hidden, name: 'Paul Renommé', unit_id: '0', role_agent: '1', locale: 'fr' };
    const renamed = await admin.post(`/admin/users/${row.id}`, base);
    assert.equal(renamed.status, 303, pageText(renamed.body).slice(0, 300));
    assert.equal((await searchUsers('a.desactiver'))[0].name, 'Paul Renommé');
    assert.equal((await u.get('/api/v1/me')).json().name, 'Paul Renommé');

    // New roles and a new password: the old password stops working.
    const newPassword = 'Nouveau-mot-de-passe-long-3';
    const changed = await admin.post(`/admin/users/${row.id}`, { ...base, role_hr: '1', password: newPassword });
    assert.equal(changed.status, 303, pageText(changed.body).slice(0, 300));
    // A password reset by an admin ends the user's sessions.
    assert.equal((await u.get('/api/v1/me')).status, 401, 'sessions end when an admin resets the password');
    assert.equal((await client(server).login(email, password)).status, 401, 'old password refused');
    const v = client(server);
    assert.equal((await v.login(email, newPassword)).status, 303, 'new password accepted');
    const roles = (await v.get('/api/v1/me')).json().roles;
    assert.deepEqual([...(Array.isArray(roles) ? roles : String(roles).split(','))].sort(), ['agent', 'hr']);

    assert.match((await searchUsers('a.desactiver'))[0].text, /Actif/);
    const disabled = await admin.post(`/admin/users/${row.id}`, { ...base, disabled: '1' });
    assert.equal(disabled.status, 303);
    assert.match((await searchUsers('a.desactiver'))[0].text, /Désactivé/, 'the list shows the account disabled');
    assert.equal((await v.get('/')).status, 303, 'the disabled user\'s session no longer works');
    assert.equal((await client(server).login(email, newPassword)).status, 401, 'a disabled user cannot log in');
  });

  test('invalid UTF-8 in an admin form: 400, nothing written', async () => {
    const csrf = csrfOf((await admin.get('/admin/users/new')).body);
    const res = await admin.request('POST', '/admin/users', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${csrf}&email=utf8.casse%40demo.passport.test&name=%FF&unit_id=0&role_agent=1&locale=fr`,
    });
    assert.equal(res.status, 400);
    assert.equal((await searchUsers('utf8.casse')).length, 0);
  });

  test('the admin adds a unit under another one', async () => {
    const page = await admin.get('/admin/units');
    assert.equal(page.status, 200);
    const form = findForm(page.body, '/admin/units');
    const parent = unitOptions(form.html, 'parent_id').find((u) => u.path.endsWith('Direction du numérique'));
    assert.ok(parent);
    const res = await admin.post('/admin/units', { ...form.hidden, name: 'Bureau des essais', parent_id: parent.id });
    assert.ok(res.status === 303 || res.status === 200, `status ${res.status}`);
    const after1 = await admin.get('/admin/units');
    const opts = unitOptions(findForm(after1.body, '/admin/units').html, 'parent_id');
    assert.ok(opts.some((u) => u.path === `${parent.path} / Bureau des essais`),
      `new unit under its parent: ${JSON.stringify(opts)}`);
  });
});

describe('CSV import', () => {
  async function importCsv(text, filename = 'agents.csv') {
    const csrf = csrfOf((await admin.get('/admin/import')).body);
    return admin.postMultipart('/admin/import', { _csrf: csrf }, { file: { filename, content: text, type: 'text/csv' } });
  }

  /** "Ligne N : ..." items of an import page, as {line: text}. */
  function problemLines(html) {
    const out = {};
    for (const m of pageText(html).matchAll(/Ligne (\d+)\s*:\s*(.*?)(?=\s*Ligne \d+\s*:|$)/g)) out[m[1]] = m[2];
    return out;
  }

  test('one bad row: 422, each problem named by line, and no row imported', async () => {
    const csv = [
      'email,name,unit,roles,locale',
      'bon.un@demo.passport.test,Bon Un,Direction générale / Direction du numérique,agent,fr', // 2 good
      'pas-une-adresse,Mauvaise Adresse,Direction générale,agent,fr', // 3 bad email
      'role.inconnu@demo.passport.test,Rôle Inconnu,Direction générale,"agent,astronaute",fr', // 4 unknown role
      'bon.un@demo.passport.test,Bon Un Bis,Direction générale,agent,fr', // 5 duplicate email
      'bon.deux@demo.passport.test,Bon Deux,Direction générale / Nouvelle cellule,agent,en', // 6 good
    ].join('\n');
    const res = await importCsv(csv);
    assert.equal(res.status, 422, pageText(res.body).slice(0, 800));
    assert.match(res.body, /role="alert"/);
    const problems = problemLines(res.body);
    assert.deepEqual(Object.keys(problems).sort(), ['3', '4', '5'], `problems: ${JSON.stringify(problems)}`);
    assert.match(problems['3'], /pas-une-adresse/);
    assert.match(problems['4'], /astronaute/);
    assert.match(problems['5'], /bon\.un@demo\.passport\.test/);
    for (const q of ['bon.un', 'bon.deux', 'role.inconnu']) {
      assert.equal((await searchUsers(q)).length, 0, `${q} must not be imported`);
    }
    const units = await admin.get('/admin/units');
    assert.ok(!units.body.includes('Nouvelle cellule'), 'no unit created by a refused import');
  });

  test('a good file (comma) is imported: 200 "Import terminé", users and units created, existing updated', async () => {
    const csv = [
      'email,name,unit,roles,locale',
      'import.un@demo.passport.test,Irène Import,Direction générale / Direction du numérique / Service des usages,agent,fr',
      'import.deux@demo.passport.test,Hugo Import,Direction générale / Cellule importée,"agent,manager",en',
      `${DEMO.agent2},Marc Petit-Importé,,agent,fr`,
    ].join('\r\n');
    const res = await importCsv(`${csv}\r\n`);
    assert.equal(res.status, 200, pageText(res.body).slice(0, 800));
    assert.match(pageText(res.body), /Import terminé/);
    // each count with its own plural form, French style
    assert.match(pageText(res.body), /2 comptes créés\s*1 compte mis à jour\s*1 unité créée/);
    const one = await searchUsers('import.un');
    assert.equal(one.length, 1);
    assert.equal(one[0].name, 'Irène Import');
    assert.match(one[0].text, /Service des usages/);
    const two = await searchUsers('import.deux');
    assert.equal(two.length, 1);
    assert.match(two[0].text, /Cellule importée/);
    assert.match(two[0].text, /manager/i);
    assert.equal((await searchUsers(DEMO.agent2))[0].name, 'Marc Petit-Importé');
    const units = await admin.get('/admin/units');
    assert.match(pageText(units.body), /Direction générale \/ Cellule importée/);
  });

  test('a good file with ";" separators is imported too', async () => {
    const csv = 'email;name;unit;roles;locale\nimport.trois@demo.passport.test;Zoé Import;Direction générale;agent;fr\n';
    const res = await importCsv(csv);
    assert.equal(res.status, 200, pageText(res.body).slice(0, 800));
    assert.match(pageText(res.body), /Import terminé/);
    assert.equal((await searchUsers('import.trois'))[0]?.name, 'Zoé Import');
  });

  test('a file without the header row is refused', async () => {
    const res = await importCsv('sans.entete@demo.passport.test,Sans Entête,,agent,fr\n');
    assert.equal(res.status, 422);
    assert.ok(Object.keys(problemLines(res.body)).length >= 1);
    assert.equal((await searchUsers('sans.entete')).length, 0);
  });
});

describe('admin pages refuse other roles', () => {
  for (const role of ['agent', 'manager', 'hr']) {
    test(`${role}: 403 on every /admin/ route, GET and POST, and nothing written`, async () => {
      const c = client(server);
      await c.loginOk(DEMO[role]);
      const csrf = csrfOf((await c.get('/')).body); // the session's own token: only the role is wrong
      for (const p of ['/admin/users', '/admin/users?q=a', '/admin/users/new', '/admin/users/1', '/admin/units', '/admin/import']) {
        const res = await c.get(p);
        assert.equal(res.status, 403, `GET ${p} as ${role}`);
        assert.match(res.headers.get('content-type'), /^text\/html/);
        assert.ok(!res.body.includes(DEMO.admin), `GET ${p} as ${role} shows no account data`);
      }
      const email = `intrus.${role}@demo.passport.test`;
      const posts = [
        ['/admin/users', { _csrf: csrf, email, name: 'Intrus', unit_id: '0', role_agent: '1', role_admin: '1', locale: 'fr', password: 'Intrus-password-123' }],
        ['/admin/users/4', { _csrf: csrf, name: 'Renommé par intrus', unit_id: '0', role_agent: '1', role_admin: '1', locale: 'fr' }],
        ['/admin/units', { _csrf: csrf, name: `Unité intruse ${role}`, parent_id: '0' }],
      ];
      for (const [p, fields] of posts) {
        const res = await c.post(p, fields);
        assert.equal(res.status, 403, `POST ${p} as ${role}`);
      }
      const imp = await c.postMultipart('/admin/import', { _csrf: csrf }, {
        file: { filename: 'x.csv', content: `email,name,unit,roles,locale\n${email},Intrus,,admin,fr\n`, type: 'text/csv' },
      });
      assert.equal(imp.status, 403, `POST /admin/import as ${role}`);
      // Nothing was written.
      assert.equal((await searchUsers(`intrus.${role}`)).length, 0);
      assert.notEqual((await searchUsers(DEMO.agent))[0].name, 'Renommé par intrus');
      assert.ok(!(await admin.get('/admin/units')).body.includes(`Unité intruse ${role}`));
      const me = (await c.get('/api/v1/me')).json();
      assert.ok(!String(me.roles).includes('admin'), `${role} did not become admin`);
    });
  }

  test('anonymous: every /admin/ page redirects to the login', async () => {
    for (const p of ['/admin/users', '/admin/users/new', '/admin/units', '/admin/import']) {
      const res = await client(server).get(p);
      assert.equal(res.status, 303, p);
      assert.equal(res.location, `/login?next=${encodeURIComponent(p)}`);
    }
  });
});
