// SPDX-License-Identifier: EUPL-1.2
// End-to-end journeys of issue 17 that need an organisation of their own, in Chromium:
// a manager assigns a path first, then the agent's home "Continuer" and the result page's
// "Module suivant" follow the path's order (not the course's); a refused assign form keeps
// the agents ticked beyond the 200 it lists (re-listed, still ticked); a refused new-user
// form keeps the unit and the language chosen; the counts of the assignment, agent and
// import pages in their plural forms. axe-core on each state, at 1280 and 390 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  BIN, DEMO, DEMO_PASSWORD, client, findForm, formatViolations, launchBrowser, newContext, runAxe, startServer,
} from './helpers.mjs';
import { answerFields, formQuestions, moduleFileById, parseModule, rightAnswers } from './quiz-files.mjs';

const NUMERIQUE = 'Direction générale / Direction du numérique';
const LOT = `${NUMERIQUE} / Cellule des lots`;
const PATH_AGENT = 'nina.parcours@demo.passport.test';
// the path's order crosses two courses and goes back in the first one: after each module,
// the course's own next module differs from the path's
const PATH_MODULES = ['minimisation-conservation', 'tableur-trier-filtrer-formules', 'rgpd-agent'];

let server;
let browser;
const as = {};

function cli(args, input) {
  const r = spawnSync(BIN, [...args, '--data', server.dataDir], { encoding: 'utf8', input, timeout: 60_000, env: server.cliEnv });
  assert.equal(r.status, 0, `passport ${args.join(' ')}: ${r.stdout}${r.stderr}`);
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // 205 agents in a unit of the manager's scope, after the demo's: with them the assign
  // form lists its first 200 agents only; "Zoé Zzz" sorts last
  const csv = ['email,name,unit,roles,locale'];
  for (let i = 1; i <= 205; i++) csv.push(`lot.${i}@demo.passport.test,Agent Lot ${String(i).padStart(3, '0')},${LOT},agent,fr`);
  csv.push(`zoe.zzz@demo.passport.test,Zoé Zzz,${LOT},agent,fr`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-')), 'lot.csv');
  fs.writeFileSync(file, `${csv.join('\n')}\n`);
  cli(['import-users', file]);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  cli(['user', 'add', PATH_AGENT, '--role', 'agent', '--unit', `${NUMERIQUE} / Service des usages`, '--name', 'Nina Parcours'],
    `${DEMO_PASSWORD}\n`);
  for (const [role, email] of [['manager', DEMO.manager], ['admin', DEMO.admin], ['nina', PATH_AGENT]]) {
    as[role] = client(server);
    await as[role].loginOk(email);
  }
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** JSON request with the session's CSRF token. */
async function api(c, method, url, body) {
  const token = await c.csrf('/');
  const res = await c.request(method, url, {
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token, Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: res.body ? JSON.parse(res.body) : null, body: res.body };
}

function isoDay(offsetDays) {
  return new Date(Date.now() + offsetDays * 86400_000).toISOString().slice(0, 10);
}

/** A Chromium page with c's session, at width px. */
async function pageAs(c, width = 1280) {
  const context = await newContext(browser, { viewport: { width, height: 900 } });
  await context.addCookies([{ name: 'pp_session', value: c.cookie('pp_session'), url: server.url }]);
  return { context, page: await context.newPage() };
}

/** axe on the page as it is, at 1280 then 390 px. */
async function axeBoth(page, where) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const v = await runAxe(page);
    assert.equal(v.length, 0, formatViolations(v, `${where} at ${width} px`));
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Passes module id as c's user through the form; returns the result URL. */
async function pass(c, id) {
  const page = await c.get(`/modules/${id}`);
  assert.equal(page.status, 200);
  const form = findForm(page.body, `/modules/${id}/attempts`);
  const answers = rightAnswers(parseModule(moduleFileById(id)), formQuestions(page.body));
  const r = await c.post(`/modules/${id}/attempts`, answerFields(form.hidden, answers));
  assert.equal(r.status, 303);
  return r.location;
}

describe('a path assigned first leads the agent', () => {
  test('Continuer and Module suivant follow the path, not the course', async () => {
    const made = await api(as.manager, 'POST', '/api/v1/paths', { title: 'Parcours des données', modules: PATH_MODULES });
    assert.equal(made.status, 201, made.body.slice(0, 300));
    const pathId = made.json.id;
    const ninaId = (await api(as.nina, 'GET', '/api/v1/me/profile')).json.user_id;
    const csrf = await as.manager.csrf(`/paths/${pathId}`, `/paths/${pathId}/assign`);
    const assigned = await as.manager.post(`/paths/${pathId}/assign`, { _csrf: csrf, user: String(ninaId), due_on: isoDay(30) });
    assert.equal(assigned.status, 303, assigned.body.slice(0, 300));

    const { context, page } = await pageAs(as.nina);
    try {
      // the home offers the path's first module, named with the path
      await page.goto(`${server.url}/`);
      const card = page.locator('section[aria-labelledby="h-continue"]');
      assert.match(await card.innerText(), /Parcours des données/);
      await axeBoth(page, 'home, path assigned');
      await Promise.all([page.waitForURL(`${server.url}/modules/${PATH_MODULES[0]}`), card.getByRole('link').click()]);

      // after each module passed, the home and "Module suivant" offer the path's next one
      // (the course's own next module would be another)
      for (let i = 0; i + 1 < PATH_MODULES.length; i++) {
        const result = await pass(as.nina, PATH_MODULES[i]);
        await page.goto(`${server.url}/`);
        assert.equal(await card.getByRole('link').getAttribute('href'), `/modules/${PATH_MODULES[i + 1]}`);
        const res = await page.goto(`${server.url}${result}`);
        assert.equal(res.status(), 200);
        assert.match(await page.locator('main').innerText(), /Parcours des données/);
        if (i === 0) await axeBoth(page, 'result, path next');
        await Promise.all([page.waitForURL(`${server.url}/modules/${PATH_MODULES[i + 1]}`),
          page.getByRole('link', { name: /^Module suivant/ }).click()]);
      }
    } finally {
      await context.close();
    }
  });
});

describe('form state after a refusal', () => {
  test('the assign form keeps the agents ticked beyond the 200 it lists', async () => {
    const paths = (await api(as.manager, 'GET', '/api/v1/paths')).json.paths;
    const pathId = paths.find((p) => p.title === 'Parcours des données').id;
    const full = (await as.manager.get(`/paths/${pathId}`)).body;
    assert.match(full, /Seuls les 200 premiers agents sont affichés/);
    const zoe = Number((await as.manager.get(`/paths/${pathId}?q=zzz`)).body.match(/name="user" value="(\d+)"/)[1]);
    assert.ok(!full.includes(`value="${zoe}"`), 'Zoé Zzz is beyond the first 200');
    const first = Number(full.match(/name="user" value="(\d+)"/)[1]);

    const { context, page } = await pageAs(as.manager);
    try {
      // ticked after a search, then the form is refused (an unknown e-mail address)
      await page.goto(`${server.url}/paths/${pathId}?q=zzz`);
      await page.check(`#user-${zoe}`);
      await page.fill('#due_on', isoDay(20));
      await page.fill('#emails', 'personne@nulle-part.test');
      await Promise.all([page.waitForNavigation(), page.click('form[action$="/assign"] button[type=submit]')]);
      assert.match(await page.locator('[role=alert]').innerText(), /personne@nulle-part\.test/);
      // the page lists everyone again (200 agents), and Zoé still ticked above them
      assert.ok(await page.locator(`#user-${zoe}`).isChecked(), 'the tick beyond the list is kept');
      assert.match(await page.locator('fieldset.paths-agents legend').first().innerText(), /déjà cochés/);
      await axeBoth(page, 'assign form refused');
      // fixed and sent again: Zoé is assigned, with an agent ticked from the list
      await page.fill('#emails', '');
      await page.check(`#user-${first}`);
      await Promise.all([page.waitForNavigation(), page.click('form[action$="/assign"] button[type=submit]')]);
      assert.match(page.url(), /\/team\/assignments\/\d+\?assigned=1$/);
      const text = await page.locator('main').innerText();
      assert.match(text, /Zoé Zzz/);
      // the counts of the assignment page in their plural forms (2 agents, 3 modules each)
      assert.match(text, /0 sur 3 modules/);
      await axeBoth(page, 'assignment page');
      await page.goto(`${server.url}/team/agents/${zoe}`);
      assert.match(await page.locator('main').innerText(), /0 module terminé sur 3/);
      await axeBoth(page, 'agent page');
    } finally {
      await context.close();
    }
  });

  test('the import summary gives each count its plural form', async () => {
    const { context, page } = await pageAs(as.admin);
    try {
      await page.goto(`${server.url}/admin/import`);
      const csv = `email,name,unit,roles,locale\nimport.seul@demo.passport.test,Ines Seule,${LOT},agent,fr\n`;
      await page.setInputFiles('#file', { name: 'un.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await Promise.all([page.waitForNavigation(), page.click('form.form button[type=submit]')]);
      const text = await page.locator('[role=status]').innerText();
      assert.match(text, /1 compte créé\s+0 compte mis à jour\s+0 unité créée/);
      await axeBoth(page, 'import done');
    } finally {
      await context.close();
    }
  });

  test('the new-user form keeps the unit and the language chosen', async () => {
    const { context, page } = await pageAs(as.admin);
    try {
      await page.goto(`${server.url}/admin/users/new`);
      const unit = await page.locator('#unit_id option', { hasText: LOT }).getAttribute('value');
      await page.fill('#email', DEMO.agent); // taken: refused by the server
      await page.fill('#name', 'Nouvelle Personne');
      await page.selectOption('#unit_id', unit);
      await page.selectOption('#locale', 'en');
      await Promise.all([page.waitForNavigation(), page.click('form.form button[type=submit]')]);
      assert.match(await page.locator('#error-summary').innerText(), /1 problème/);
      assert.equal(await page.inputValue('#unit_id'), unit, 'the unit chosen is kept');
      assert.equal(await page.inputValue('#locale'), 'en', 'the language chosen is kept');
      assert.equal(await page.inputValue('#name'), 'Nouvelle Personne');
      await axeBoth(page, 'new user refused');
      // corrected: the account is made in that unit
      await page.fill('#email', 'nouvelle.personne@demo.passport.test');
      await Promise.all([page.waitForNavigation(), page.click('form.form button[type=submit]')]);
      const list = (await as.admin.get('/admin/users?q=nouvelle.personne')).body;
      assert.match(list, /Cellule des lots/);
    } finally {
      await context.close();
    }
  });
});
