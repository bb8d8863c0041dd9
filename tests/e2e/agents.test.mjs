// SPDX-License-Identifier: EUPL-1.2
// The agent's journeys of issue 17, end to end: the home's "Continuer" after passing
// modules (in two languages), the result page as its own URL (reload, direct opening with
// the menu, "Module suivant"), names before codes (catalog filter, passport history, each
// module's <title>), dates and numbers per locale, the CSV export, self-assessments not
// counted as evidence, and the folded mobile header (height at 390 px, keyboard), with
// axe on every page touched at 1280 and 390 px.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEMO, client, findForm, formatViolations, newContext, pageText, runAxe, serverAndBrowserHooks,
} from './helpers.mjs';
import { answerFields, formQuestions, moduleFileById, parseModule, rightAnswers } from './quiz-files.mjs';

let server;
let browser;
serverAndBrowserHooks((s, b) => { server = s; browser = b; });

async function agent(email) {
  const c = client(server);
  await c.loginOk(email);
  return c;
}

/** Passes module `id` through the form (right answers to the questions drawn); returns the result URL. */
async function pass(c, id) {
  const page = await c.get(`/modules/${id}`);
  assert.equal(page.status, 200);
  const form = findForm(page.body, `/modules/${id}/attempts`);
  const mod = parseModule(moduleFileById(id));
  const r = await c.post(`/modules/${id}/attempts`, answerFields(form.hidden, rightAnswers(mod, formQuestions(page.body))));
  assert.equal(r.status, 303);
  assert.match(r.location, new RegExp(`^/modules/${id}/attempts/\\d+$`));
  return r.location;
}

/** The text of the home page's "Continuer" card. */
async function continueCard(c) {
  const home = await c.get('/');
  const card = home.body.match(/<section class="card" aria-labelledby="h-continue">([\s\S]*?)<\/section>/);
  assert.ok(card, 'the home has a Continuer card');
  return card[1];
}

const FR_DATE = /\b\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}\b/;
const EN_DATE = /\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b/;

describe("the agent's journeys", () => {
  test('Continuer follows the modules passed and never offers the other language of one', async () => {
    const c = await agent(DEMO.agent2);
    assert.match(await continueCard(c), /pas encore commencé/);
    await pass(c, 'phishing-basics');
    await pass(c, 'mots-de-passe');
    let card = await continueCard(c);
    assert.doesNotMatch(card, /pas encore commencé/);
    assert.match(card, /href="\/modules\/authentification-multifacteur"/);
    // the third module passed in English: neither copy is offered again, the course goes on
    await pass(c, 'authentification-multifacteur-en');
    card = await continueCard(c);
    assert.doesNotMatch(card, /href="\/modules\/authentification-multifacteur(-en)?"/);
    assert.doesNotMatch(card, /href="\/modules\/(phishing-basics|mots-de-passe)(-en)?"/);
    assert.match(card, /href="\/modules\/mises-a-jour-sauvegarde"/);
    // the API says the same
    const api = (await c.get('/api/v1/me/progress')).json();
    assert.equal(api.continue.module_id, 'mises-a-jour-sauvegarde');
  });

  test('the result page is its own URL: reload, direct opening with the menu, module suivant', async () => {
    const c = await agent(DEMO.agent);
    const url = await pass(c, 'phishing-basics');
    for (let i = 0; i < 2; i++) { // the first view and a reload
      const r = await c.get(url);
      assert.equal(r.status, 200);
      assert.match(r.body, /<nav class="main-nav"/, 'the menu is there');
      assert.match(r.body, /<title>Résultat : Reconnaître et signaler un hameçonnage · Passport<\/title>/);
      assert.match(r.body, /<a class="button" href="\/modules\/mots-de-passe">Module suivant : /);
    }
    // another agent cannot open it
    const other = await agent(DEMO.agent2);
    assert.equal((await other.get(url)).status, 404);
    // in the browser: open the URL directly, reload, follow "Module suivant"
    const { context, page } = await pageAs(c, 1280);
    try {
      let res = await page.goto(`${server.url}${url}`);
      assert.equal(res.status(), 200);
      res = await page.reload();
      assert.equal(res.status(), 200);
      assert.ok(await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mon passeport' }).isVisible());
      await assertAccessible(page, 'result 1280');
      await Promise.all([page.waitForURL(`${server.url}/modules/mots-de-passe`), page.getByRole('link', { name: /^Module suivant/ }).click()]);
      assert.equal(await page.title(), `${await page.locator('h1').innerText()} · Passport`);
    } finally {
      await context.close();
    }
  });

  test('names before codes: the catalog filter, the passport history, each module its own <title>', async () => {
    const c = await agent(DEMO.agent);
    const catalog = (await c.get('/courses')).body;
    const select = catalog.match(/<select id="competency"[\s\S]*?<\/select>/)[0];
    assert.match(select, /<option value="CRCN-1\.1">Mener une recherche et une veille d(&#39;|’)information \(CRCN 1\.1\)<\/option>/);
    assert.match(select, /<option value="">Toutes les compétences<\/option>/);
    assert.doesNotMatch(select, />CRCN-/, 'no option is a bare code');
    // the module passed in the test before is named in the history, linked, never as module:slug@hash
    const passport = (await c.get('/passport')).body;
    const timeline = passport.match(/<ol class="timeline">[\s\S]*?<\/ol>/)[0];
    assert.match(timeline, /<a href="\/modules\/phishing-basics">Reconnaître et signaler un hameçonnage<\/a>/);
    assert.doesNotMatch(passport, /module:[a-z-]+@[0-9a-f]{8}/);
    assert.match(pageText(timeline), FR_DATE, 'dates written in French');
    // titles differ per module and are the module's
    const t1 = (await c.get('/modules/phishing-basics')).body.match(/<title>([^<]*)<\/title>/)[1];
    const t2 = (await c.get('/modules/mots-de-passe')).body.match(/<title>([^<]*)<\/title>/)[1];
    assert.equal(t1, 'Reconnaître et signaler un hameçonnage · Passport');
    assert.notEqual(t1, t2);
    assert.match(t2, /^Des mots de passe/);
  });

  test('the passport: named radar axes, competence → modules, CSV export, self-assessment not counted', async () => {
    const c = await agent(DEMO.agent);
    let html = (await c.get('/passport')).body;
    const svg = html.match(/<svg class="radar-svg"[\s\S]*?<\/svg>/)[0];
    assert.match(svg, /<text class="radar-label"[^>]*>4\. Protection<tspan [^>]*>et sécurité<\/tspan><\/text>/);
    assert.match(html, /href="\/courses\?competency=CRCN-4\.1&amp;lang=all">Modules pour progresser en « Sécuriser/);
    const evidence = (h) => Number(pageText(h).match(/Preuves enregistrées : (\d+)/)[1]);
    const before = evidence(html);
    assert.ok(before >= 1, 'the passed quiz is evidence');
    // a self-assessment: shown, not counted as evidence
    const csrf = await c.csrf('/passport/self-assessment/CRCN-1.1');
    const r = await c.post('/passport/self-assessment/CRCN-1.1', { level: '3', comment: 'je cherche souvent', _csrf: csrf });
    assert.equal(r.status, 303);
    html = (await c.get('/passport')).body;
    assert.match(pageText(html), /Compétences auto-évaluées : 1/);
    assert.equal(evidence(html), before);
    // the competence's link leads to modules that train it
    const train = await c.get('/courses?competency=CRCN-4.1&lang=all');
    assert.match(train.body, /href="\/modules\/phishing-basics"/);
    // CSV: a header, one row per competence, the levels
    const csv = await c.get('/passport.csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'Domaine;Code;Compétence;Niveau vérifié;Date de la preuve la plus récente;Auto-évaluation;Date de l’auto-évaluation;Preuves');
    assert.equal(lines.length, 1 + 16, 'one row per CRCN competence');
    assert.match(lines.find((l) => l.includes(';CRCN-1.1;')), /;;3;\d{4}-\d{2}-\d{2};1$/);
    assert.match(lines.find((l) => l.includes(';CRCN-4.1;')), /;2;\d{4}-\d{2}-\d{2};;;\d+$/);
  });

  test('dates and numbers per locale; the menu says what the pages say', async () => {
    const c = await agent(DEMO.agent);
    const fr = (await c.get('/passport')).body;
    assert.match(fr, /<td class="radar-value">\d(,\d)?<\/td>/);
    assert.doesNotMatch(fr, /<td class="radar-value">\d\.\d<\/td>/);
    const home = (await c.get('/')).body;
    for (const [href, word] of [['/courses', 'Formations'], ['/calls', 'Appels à intrapreneurs'], ['/me/assignments', 'Mes parcours']]) {
      assert.match(home, new RegExp(`<a href="${href}">${word}</a>`));
      const page = (await c.get(href)).body;
      assert.match(page, new RegExp(`<h1>${word}`), `${href} is titled ${word}`);
    }
    const csrf = await c.csrf('/');
    await c.post('/locale', { locale: 'en', next: '/passport', _csrf: csrf });
    const en = (await c.get('/passport')).body;
    assert.match(pageText(en.match(/<ol class="timeline">[\s\S]*?<\/ol>/)[0]), EN_DATE);
    assert.match(en, /DigComp 2\.2: the European Digital Competence Framework/);
    // plural forms agree with their count, in English too
    const mod = pageText((await c.get('/modules/phishing-basics')).body);
    assert.match(mod, /At most (1 failed attempt|([02-9]|\d\d+) failed attempts) in any period of \d+ (min|h|days?)\./);
    assert.match(mod, /(1 attempt|([02-9]|\d\d+) attempts), best score \d+ %/);
    await c.post('/locale', { locale: 'fr', next: '/', _csrf: await c.csrf('/') });
    assert.match(fr, /DigComp 2\.2 : le cadre européen/);
  });
});

/** Asserts that axe finds no WCAG A/AA violation on the page now shown. */
async function assertAccessible(page, where) {
  const violations = await runAxe(page);
  assert.equal(violations.length, 0, formatViolations(violations, where));
}

/** A browser page signed in with client c's session, at the given viewport width. */
async function pageAs(c, width) {
  const context = await newContext(browser, { viewport: { width, height: width < 600 ? 844 : 800 } });
  await context.addCookies([{ name: 'pp_session', value: c.cookie('pp_session'), url: server.url }]);
  return { context, page: await context.newPage() };
}

describe('the header on a phone, and axe on the pages agents see', () => {
  const pages = ['/', '/courses', '/modules/phishing-basics', '/passport', '/badges', '/me/inbox', '/me/profile', '/me/assignments', '/calls'];

  test('at 390 px the header is at most 120 px high; the menu opens with the keyboard', async () => {
    const c = await agent(DEMO.agent);
    const { context, page } = await pageAs(c, 390);
    try {
      for (const p of pages) {
        await page.goto(`${server.url}${p}`);
        const h = await page.locator('header.site-header').evaluate((e) => e.getBoundingClientRect().height);
        assert.ok(h <= 120, `${p}: header ${h} px high at 390 px`);
        await assertAccessible(page, `${p} at 390`);
      }
      await page.goto(`${server.url}/`);
      const link = page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mon passeport' });
      assert.equal(await link.isVisible(), false, 'folded');
      await page.locator('.site-menu > summary').focus();
      await page.keyboard.press('Enter');
      assert.equal(await link.isVisible(), true, 'unfolded with Enter');
      await assertAccessible(page, 'menu open at 390');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '/');
      await Promise.all([page.waitForURL(`${server.url}/passport`), link.click()]);
    } finally {
      await context.close();
    }
  });

  test('at 1280 px the menu is shown without a click; axe on every page', async () => {
    const c = await agent(DEMO.agent);
    const { context, page } = await pageAs(c, 1280);
    try {
      for (const p of pages) {
        await page.goto(`${server.url}${p}`);
        assert.equal(await page.locator('.site-menu > summary').isVisible(), false, `${p}: no Menu button`);
        assert.ok(await page.getByRole('link', { name: 'Mon passeport' }).first().isVisible(), `${p}: the menu is shown`);
        await assertAccessible(page, `${p} at 1280`);
      }
    } finally {
      await context.close();
    }
  });
});
