// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of quizzes that measure, on a fixture library written here: a module
// with a question pool (draw 4 of 8, two competencies, attempts 2, cooldown 1h), an exam
// (reveal: never), a next module, and a module with an English copy. A blank attempt's responses (HTML and API) hold no
// right option, accepted text or explanation of any question of the file; a reload shows
// the same draw and two attempts get different draws; a form older than an attempt is refused; answers to undrawn questions and replayed forms are refused with
// nothing recorded; the cooldown is reached (also across a module's languages), shown with its date, refused, then lifted
// with PASSPORT_CLOCK_OFFSET; passing reveals explanations (not with reveal: never) and
// offers the next module; the result page survives reload, back and a double submit in
// Chromium; axe-core on the module, locked module and result pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  DEMO, DEMO_PASSWORD, ROOT, client, findForm, formatViolations, launchBrowser, newContext, pageText, runAxe,
  startServer,
} from './helpers.mjs';
import { answerFields, formQuestions, leaks, parseModule, rightAnswers } from './quiz-files.mjs';

const POOL = `---
id: quiz-pool
title: Un module à tirage
minutes: 5
lang: fr
competencies: [CRCN-4.1@2, CRCN-4.2@2]
pass: 0.5
draw: 4
attempts: 2
cooldown: 1h
---
# Un module à tirage

Une leçon courte.

## Quiz
Quelle couleur a le ciel par beau temps ?
- [( )] Vert pomme
- [(X)] Bleu azur
- [( )] Rouge vif
> Explication : la diffusion de Rayleigh rend le ciel bleu azur.

Quels fruits sont des agrumes ? (plusieurs réponses)
- [[X]] Le citron jaune
- [[ ]] La pomme reinette
- [[X]] L'orange sanguine
> Explication : citrons et oranges appartiennent au genre Citrus.

Combien de pattes a une araignée ?
[[huit|8]]
> Explication : les arachnides ont quatre paires de pattes.

Quel animal miaule ?
- [(X)] Le chat tigré
- [( )] Le chien loup
> Explication : seul le félin domestique miaule ainsi.

Quelle est la capitale de l'Italie ?
[[Rome]]
> Explication : la ville éternelle est la capitale depuis 1871.

Quel instrument a des touches noires et blanches ?
- [( )] La flûte traversière
- [(X)] Le piano droit
> Explication : le clavier alterne touches noires et blanches.

Quels sont des jours du week-end ? (plusieurs réponses)
- [[X]] Le samedi matin
- [[X]] Le dimanche midi
- [[ ]] Le mercredi soir
> Explication : samedi et dimanche forment le week-end.

Quel métal est liquide à température ambiante ?
- [( )] Le fer forgé
- [(X)] Le mercure liquide
- [( )] Le cuivre rouge
> Explication : le point de fusion de ce métal est sous zéro degré.
`;

const EXAM = `---
id: quiz-exam
title: Un examen
minutes: 3
lang: fr
competencies: [CRCN-4.1@3]
pass: 0.5
reveal: never
---
# Un examen

Sans corrigé.

## Quiz
Quelle planète est la plus proche du Soleil ?
- [(X)] Mercure la brûlante
- [( )] Neptune la lointaine
> Explication : cette planète orbite à 58 millions de kilomètres.

Quel océan borde la Bretagne ?
[[Atlantique]]
> Explication : la côte ouest donne sur cet océan immense.
`;

const NEXT = `---
id: quiz-next
title: La suite
minutes: 3
lang: fr
competencies: [CRCN-4.2@1]
pass: 0.5
---
# La suite

## Quiz
Deux plus deux ?
[[4|quatre]]
`;

// the same module in two languages, one failure allowed an hour: the failures of one copy
// lock the other (switching language gives no extra attempt)
const LANG_FR = `---
id: quiz-lang
title: Un module traduit
minutes: 3
lang: fr
competencies: [CRCN-4.1@1]
pass: 1
attempts: 1
cooldown: 1h
---
# Un module traduit

## Quiz
Trois plus trois ?
[[6|six]]
`;

const LANG_EN = `---
id: quiz-lang-en
translation_of: quiz-lang
title: A translated module
minutes: 3
lang: en
competencies: [CRCN-4.1@1]
pass: 1
attempts: 1
cooldown: 1h
---
# A translated module

## Quiz
Three plus three?
[[6|six]]
`;

let server, coursesDir;
const env = {};

function writeLibrary() {
  coursesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-quiz-courses-'));
  fs.cpSync(path.join(ROOT, 'courses', 'frameworks'), path.join(coursesDir, 'frameworks'), { recursive: true });
  const dir = path.join(coursesDir, 'quiz-fixture');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'course.md'), '---\ntitle: Quiz de test\nlang: fr\nsummary: Pour les tests\n---\nIntro\n');
  fs.writeFileSync(path.join(dir, '01-pool.md'), POOL);
  fs.writeFileSync(path.join(dir, '02-exam.md'), EXAM);
  fs.writeFileSync(path.join(dir, '03-next.md'), NEXT);
  fs.writeFileSync(path.join(dir, '04-lang.md'), LANG_FR);
  const en = path.join(coursesDir, 'quiz-fixture-en');
  fs.mkdirSync(en);
  fs.writeFileSync(path.join(en, 'course.md'),
    '---\ntitle: Test quiz\nlang: en\nsummary: For the tests\ntranslation_of: quiz-fixture\n---\nIntro\n');
  fs.writeFileSync(path.join(en, '01-lang.md'), LANG_EN);
  env.PASSPORT_COURSES = coursesDir;
}

const file = (name) => path.join(coursesDir, 'quiz-fixture', name);

async function agent(email) {
  const c = client(server);
  await c.loginOk(email);
  return c;
}

async function api(c, method, url, body) {
  const token = await c.csrf('/courses');
  const r = await c.request(method, url, {
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try { json = JSON.parse(r.body); } catch { /* not JSON */ }
  return { ...r, json };
}

async function modulePage(c, id) {
  const page = await c.get(`/modules/${id}`);
  assert.equal(page.status, 200, page.body.slice(0, 300));
  return { page, form: findForm(page.body, `/modules/${id}/attempts`) };
}

async function progress(c, id) {
  return JSON.parse((await c.get('/api/v1/me/progress')).body).modules[id]?.attempts || 0;
}

function noLeak(mod, text, where) {
  const found = leaks(mod, text);
  assert.deepEqual(found, [], `${where} gives away: ${found.map((s) => `${s.q} ${s.what} "${s.text}"`).join('; ')}`);
}

before(async () => {
  writeLibrary();
  server = await startServer({ env });
});

after(async () => {
  if (server) await server.stop();
  if (coursesDir) fs.rmSync(coursesDir, { recursive: true, force: true });
});

describe('a failed attempt gives nothing away', () => {
  test('the check itself finds the secrets when they are there', () => {
    const mod = parseModule(file('01-pool.md'));
    assert.equal(mod.questions.length, 8);
    assert.equal(leaks(mod, '<p>Bleu azur</p>').length, 1);
    assert.equal(leaks(mod, '{"x": "huit"}').length, 1);
    assert.equal(leaks(mod, 'Explication : la ville éternelle est la capitale depuis 1871.').length, 1);
    assert.equal(leaks(mod, 'Quelle est la capitale de l&#39;Italie ? Vert pomme').length, 0);
  });

  test('blank attempt, HTML: POST 303 then the result page, score and wrong questions only', async () => {
    const mod = parseModule(file('01-pool.md'));
    const c = await agent(DEMO.agent);
    const { page, form } = await modulePage(c, 'quiz-pool');
    const shown = formQuestions(page.body);
    assert.equal(shown.length, 4, 'draw: 4');
    assert.match(pageText(page.body), /Chaque essai présente 4 questions tirées au hasard parmi 8\. Au plus 2 essais non réussis par période de 1 h\./);
    assert.doesNotMatch(pageText((await c.get('/modules/quiz-exam')).body), /tirées au hasard/);
    const r = await c.post('/modules/quiz-pool/attempts', answerFields(form.hidden, {}));
    assert.equal(r.status, 303, r.body.slice(0, 300));
    assert.match(r.location, /^\/modules\/quiz-pool\/attempts\/\d+$/);
    noLeak(mod, r.body, 'the POST response');
    const res = await c.get(r.location);
    assert.equal(res.status, 200);
    noLeak(mod, res.body, 'the result page');
    const text = pageText(res.body);
    assert.match(text, /Quiz non réussi/);
    assert.match(text, /Score : 0 % \(0 bonne réponse sur 4\)/);
    assert.match(text, /4 questions à revoir, marquées/);
    assert.equal((res.body.match(/class="quiz-result is-wrong"/g) || []).length, 4);
    assert.match(text, /Les explications apparaissent une fois le module réussi/);
    assert.doesNotMatch(res.body, /Réponse attendue|quiz-explanation/);
    assert.match(res.body, /<nav/, 'the normal layout');
    // another agent cannot read it
    const other = await agent(DEMO.manager);
    assert.equal((await other.get(r.location)).status, 404);
    assert.equal((await other.get(`/api/v1${r.location}`)).status, 404);
    assert.equal((await c.get('/modules/quiz-exam' + r.location.slice('/modules/quiz-pool'.length))).status, 404, 'another module');
  });

  test('partial attempt, API: 201 with the result, nothing that gives the answers away', async () => {
    const mod = parseModule(file('01-pool.md'));
    const c = await agent(DEMO.agent2);
    const m = (await api(c, 'GET', '/api/v1/modules/quiz-pool')).json;
    assert.equal(m.questions.length, 4);
    // one right answer, the others blank: 1 of 4, failed (pass 0.5 needs 2)
    const right = rightAnswers(mod, m.questions);
    const first = m.questions[0].name;
    const r = await api(c, 'POST', '/api/v1/modules/quiz-pool/attempts', { nonce: m.nonce, answers: { [first]: right[first] } });
    assert.equal(r.status, 201, r.body);
    assert.match(r.headers.get('location'), /^\/api\/v1\/modules\/quiz-pool\/attempts\/\d+$/);
    assert.equal(r.json.passed, false);
    assert.equal(r.json.right, 1);
    assert.equal(r.json.total, 4);
    assert.deepEqual(r.json.questions.map((q) => q.right), [true, false, false, false]);
    for (const q of r.json.questions) {
      assert.deepEqual(Object.keys(q).sort(), ['given', 'number', 'prompt_html', 'right'], 'no answer nor explanation keys');
    }
    // what the agent gave for the one right question is theirs: leave it out of the check
    const json = JSON.parse(r.body);
    json.questions[0].given = '';
    noLeak(mod, JSON.stringify(json), 'POST /api/v1/modules/quiz-pool/attempts');
    const again = await api(c, 'GET', r.headers.get('location'));
    assert.equal(again.status, 200);
    assert.equal(again.json.result.score, 25);
  });
});

describe('draws bound to the signed form', () => {
  test('a reload shows the same draw, the next attempt another; a form older than an attempt is refused', async () => {
    const mod = parseModule(file('01-pool.md'));
    const c = await agent(DEMO.manager);
    const shape = (qs) => JSON.stringify(qs.map((q) => [q.name, q.options.map((o) => o.html)]));
    const seen = new Set();
    // passed attempts (they do not count against the policy): four draws, each fixed until used
    for (let i = 0; i < 4; i++) {
      const m = (await api(c, 'GET', '/api/v1/modules/quiz-pool')).json;
      const again = (await api(c, 'GET', '/api/v1/modules/quiz-pool')).json;
      assert.notEqual(again.nonce, m.nonce);
      assert.equal(shape(again.questions), shape(m.questions), 'a reload shows the same draw and orders');
      const { page } = await modulePage(c, 'quiz-pool');
      assert.deepEqual(formQuestions(page.body).map((q) => q.name), m.questions.map((q) => q.name), 'the page too');
      seen.add(shape(m.questions));
      const r = await api(c, 'POST', '/api/v1/modules/quiz-pool/attempts', { nonce: m.nonce, answers: rightAnswers(mod, m.questions) });
      assert.equal(r.status, 201, r.body);
      assert.equal(r.json.passed, true);
    }
    assert.ok(seen.size >= 2, 'four attempts, one draw');
    // two forms of the same draw: the first sent, the second is refused, in French, nothing recorded
    const first = await modulePage(c, 'quiz-exam');
    const second = await modulePage(c, 'quiz-exam');
    assert.deepEqual(formQuestions(first.page.body).map((q) => q.name), ['q1', 'q2'], 'no draw: every question');
    let r = await c.post('/modules/quiz-exam/attempts', answerFields(first.form.hidden, {}));
    assert.equal(r.status, 303);
    const before = await progress(c, 'quiz-exam');
    r = await c.post('/modules/quiz-exam/attempts', answerFields(second.form.hidden, {}));
    assert.equal(r.status, 409, r.body.slice(0, 300));
    assert.match(pageText(r.body), /un autre essai de ce module a été enregistré depuis/i);
    assert.equal(await progress(c, 'quiz-exam'), before, 'nothing recorded');
  });

  test('an answer to an undrawn question, a replayed form: 4xx in French, nothing recorded', async () => {
    const mod = parseModule(file('01-pool.md'));
    const c = await agent(DEMO.hr);
    const before = await progress(c, 'quiz-pool');
    const m = (await api(c, 'GET', '/api/v1/modules/quiz-pool')).json;
    const drawn = new Set(m.questions.map((q) => q.name));
    const other = mod.questions.find((q) => !drawn.has(q.name));
    let r = await api(c, 'POST', '/api/v1/modules/quiz-pool/attempts', {
      nonce: m.nonce, answers: { [other.name]: other.kind === 'text' ? 'x' : 1 },
    });
    assert.equal(r.status, 422, r.body);
    assert.match(r.json.error.message, /ne faisait pas partie de votre tirage/);
    const { page, form } = await modulePage(c, 'quiz-pool');
    const shownHtml = new Set(formQuestions(page.body).map((q) => q.name));
    const undrawn = mod.questions.find((q) => !shownHtml.has(q.name));
    r = await c.post('/modules/quiz-pool/attempts', answerFields(form.hidden, { [undrawn.name]: '1' }));
    assert.equal(r.status, 422);
    assert.match(pageText(r.body), /ne faisait pas partie de votre tirage/);
    assert.equal(await progress(c, 'quiz-pool'), before, 'nothing recorded');
    // the API form, sent twice: the second is refused, in French
    const right = rightAnswers(mod, m.questions);
    r = await api(c, 'POST', '/api/v1/modules/quiz-pool/attempts', { nonce: m.nonce, answers: right });
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.passed, true);
    r = await api(c, 'POST', '/api/v1/modules/quiz-pool/attempts', { nonce: m.nonce, answers: right });
    assert.equal(r.status, 409);
    assert.match(r.json.error.message, /déjà été envoyé/);
    assert.equal(await progress(c, 'quiz-pool'), before + 1);
  });
});

describe('attempt policy and reveal', () => {
  test('two failures: the page says until when, a third is refused; lifted an hour later', async () => {
    const c = await agent(DEMO.admin);
    for (let i = 0; i < 2; i++) {
      const { form } = await modulePage(c, 'quiz-pool');
      const r = await c.post('/modules/quiz-pool/attempts', answerFields(form.hidden, {}));
      assert.equal(r.status, 303);
    }
    const m = (await api(c, 'GET', '/api/v1/modules/quiz-pool')).json;
    assert.match(m.locked_until, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const until = Date.parse(m.locked_until);
    assert.ok(until > Date.now() + 3500_000 && until <= Date.now() + 3600_000 + 5000, m.locked_until);
    const page = await c.get('/modules/quiz-pool');
    assert.ok(!page.body.includes('action="/modules/quiz-pool/attempts"'), 'no quiz form while locked');
    const d = new Date(until);
    const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
    const when = `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} à ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    assert.ok(pageText(page.body).includes(`prochain essai possible le ${when}`), pageText(page.body).slice(0, 2000));
    const before = await progress(c, 'quiz-pool');
    const r = await api(c, 'POST', '/api/v1/modules/quiz-pool/attempts', { nonce: m.nonce, answers: {} });
    assert.equal(r.status, 429, r.body);
    assert.match(r.json.error.message, /Prochain essai possible le .* Rien n.a été enregistré/);
    assert.ok(Number(r.headers.get('retry-after')) > 3500);
    assert.equal(await progress(c, 'quiz-pool'), before);
    // an hour later
    env.PASSPORT_CLOCK_OFFSET = '3700';
    try {
      await server.restart();
      const later = (await api(c, 'GET', '/api/v1/modules/quiz-pool')).json;
      assert.equal(later.locked_until, null);
      const ok = await api(c, 'POST', '/api/v1/modules/quiz-pool/attempts', { nonce: later.nonce, answers: {} });
      assert.equal(ok.status, 201, ok.body);
    } finally {
      delete env.PASSPORT_CLOCK_OFFSET;
      await server.restart();
    }
  });

  test('switching language gives no extra attempt: a failure of the French copy locks the English one', async () => {
    const c = await agent(DEMO.manager);
    const fr = (await api(c, 'GET', '/api/v1/modules/quiz-lang')).json;
    assert.equal(fr.locked_until, null);
    let r = await api(c, 'POST', '/api/v1/modules/quiz-lang/attempts', { nonce: fr.nonce, answers: {} });
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.passed, false);
    const en = (await api(c, 'GET', '/api/v1/modules/quiz-lang-en')).json;
    assert.match(en.locked_until || '', /^\d{4}-/, 'the English copy is locked too');
    assert.equal(en.locked_until, (await api(c, 'GET', '/api/v1/modules/quiz-lang')).json.locked_until);
    const page = await c.get('/modules/quiz-lang-en');
    assert.ok(!page.body.includes('action="/modules/quiz-lang-en/attempts"'), 'no quiz form on the English copy');
    const before = await progress(c, 'quiz-lang-en');
    r = await api(c, 'POST', '/api/v1/modules/quiz-lang-en/attempts', { nonce: en.nonce, answers: { q1: '6' } });
    assert.equal(r.status, 429, r.body);
    assert.match(r.json.error.message, /Rien n.a été enregistré/);
    assert.equal(await progress(c, 'quiz-lang-en'), before, 'nothing recorded');
  });

  test('a passed module reveals explanations and offers the next module; reveal: never does not', async () => {
    const pool = parseModule(file('01-pool.md'));
    const exam = parseModule(file('02-exam.md'));
    const c = await agent(DEMO.agent);
    let { page, form } = await modulePage(c, 'quiz-pool');
    let r = await c.post('/modules/quiz-pool/attempts', answerFields(form.hidden, rightAnswers(pool, formQuestions(page.body))));
    assert.equal(r.status, 303);
    let res = await c.get(r.location);
    let text = pageText(res.body);
    assert.match(text, /Quiz réussi/);
    assert.equal((res.body.match(/class="quiz-explanation"/g) || []).length, 4);
    assert.ok(leaks(pool, res.body).some((s) => s.what === 'explanation'), 'explanations shown once passed');
    assert.match(res.body, /<a class="button" href="\/modules\/quiz-exam">Module suivant : Un examen<\/a>/);
    // an earlier failed result of the same agent now shows explanations too (module passed)
    ({ page, form } = await modulePage(c, 'quiz-exam'));
    r = await c.post('/modules/quiz-exam/attempts', answerFields(form.hidden, rightAnswers(exam, formQuestions(page.body))));
    res = await c.get(r.location);
    text = pageText(res.body);
    assert.match(text, /Quiz réussi/);
    assert.doesNotMatch(res.body, /quiz-explanation/);
    assert.match(text, /ne sont jamais affichées/);
    assert.deepEqual(leaks(exam, res.body).filter((s) => s.what === 'explanation'), []);
    assert.match(res.body, /href="\/modules\/quiz-next">Module suivant : La suite/);
  });
});

describe('result page in Chromium', () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { if (browser) await browser.close(); });

  test('reload, back and a second submit never give a conflict; axe on the pages', async () => {
    const ctx = await newContext(browser, { javaScriptEnabled: true });
    const page = await ctx.newPage();
    try {
      await page.goto(`${server.url}/login`);
      await page.fill('#email', DEMO.agent2);
      await page.fill('#password', DEMO_PASSWORD);
      await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type="submit"]')]);
      await page.goto(`${server.url}/modules/quiz-exam`);
      let v = await runAxe(page);
      assert.equal(v.length, 0, formatViolations(v, 'module page'));
      await Promise.all([page.waitForNavigation(), page.click('#quiz button[type="submit"]')]);
      const url = page.url();
      assert.match(url, /\/modules\/quiz-exam\/attempts\/\d+$/);
      assert.match(await page.textContent('main'), /Quiz non réussi/);
      v = await runAxe(page);
      assert.equal(v.length, 0, formatViolations(v, 'result page'));
      const reloaded = await page.reload();
      assert.equal(reloaded.status(), 200);
      assert.match(await page.textContent('main'), /Quiz non réussi/);
      await page.goBack(); // the module page with the form already sent
      assert.match(page.url(), /\/modules\/quiz-exam$/);
      // the form in the back/forward cache or re-rendered: submit it again
      await Promise.all([page.waitForNavigation(), page.click('#quiz button[type="submit"]')]);
      assert.doesNotMatch(await page.title(), /Conflit/);
      assert.match(page.url(), /\/modules\/quiz-exam\/attempts\/\d+$/);
      // opening the result URL directly, in a fresh tab, with the layout and menu
      const tab = await ctx.newPage();
      const direct = await tab.goto(url);
      assert.equal(direct.status(), 200);
      assert.equal(await tab.locator('nav').count() > 0, true);
      await tab.close();
      // the same form posted twice (a double click): one attempt, the same result
      await page.goto(`${server.url}/modules/quiz-exam`);
      const html = await page.content();
      const form = findForm(html, '/modules/quiz-exam/attempts');
      const c = client(server);
      for (const ck of await ctx.cookies()) c.cookies.set(ck.name, ck.value);
      const r1 = await c.post('/modules/quiz-exam/attempts', answerFields(form.hidden, {}));
      const r2 = await c.post('/modules/quiz-exam/attempts', answerFields(form.hidden, {}));
      assert.equal(r1.status, 303);
      assert.equal(r2.status, 303);
      assert.equal(r2.location, r1.location);
      // fail until the default policy (3 failures a day) locks the module: axe on that page
      for (let i = 0; i < 3; i++) {
        const p = await c.get('/modules/quiz-exam');
        if (!p.body.includes('action="/modules/quiz-exam/attempts"')) break;
        const f = findForm(p.body, '/modules/quiz-exam/attempts');
        assert.equal((await c.post('/modules/quiz-exam/attempts', answerFields(f.hidden, {}))).status, 303);
      }
      await page.goto(`${server.url}/modules/quiz-exam`);
      assert.match(await page.textContent('main'), /prochain essai possible le/);
      v = await runAxe(page);
      assert.equal(v.length, 0, formatViolations(v, 'locked module page'));
    } finally {
      await ctx.close();
    }
  });
});
