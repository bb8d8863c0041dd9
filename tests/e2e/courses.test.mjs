// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of the microlearning area: the catalog and its accent-folded search,
// the module player (no right answers in the page), grading on the server (fail, then
// pass, with JavaScript off and on in Chromium), the evidence in the passport, the JSON
// API, refused submissions writing nothing (422, 409, 413, 429), course assets, and
// axe-core on the catalog, player and result pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
  BIN, DEMO, ROOT, attrs, client, findForm, formatViolations, launchBrowser, newContext, pageText, runAxe,
  startServer,
} from './helpers.mjs';
import { answerFields, formQuestions, leaks, moduleFileById, parseModule, rightAnswers } from './quiz-files.mjs';

let server;

/** Loads the shipped frameworks so that passed quizzes can write evidence. */
function importFrameworks(srv) {
  for (const f of ['crcn.csv', 'digcomp.csv', 'mapping.csv']) {
    const r = spawnSync(BIN, ['import-framework', '--data', srv.dataDir, path.join(ROOT, 'courses', 'frameworks', f)],
      { encoding: 'utf8', timeout: 60_000, env: srv.cliEnv });
    assert.equal(r.status, 0, `import-framework ${f}: ${r.stdout}${r.stderr}`);
  }
}

async function agent(email = DEMO.agent) {
  const c = client(server);
  await c.loginOk(email);
  return c;
}

/** The quiz form of a module page: {action, hidden: {_csrf, nonce}}. */
async function quizForm(c, id) {
  const page = await c.get(`/modules/${id}`);
  assert.equal(page.status, 200, page.body.slice(0, 500));
  return { page, form: findForm(page.body, `/modules/${id}/attempts`) };
}

const fields = answerFields;

function count(c, body) {
  const m = body.match(/class="learn-count">(\d+)/);
  assert.ok(m, 'no module count on the catalog page');
  return Number(m[1]);
}

before(async () => {
  server = await startServer();
  importFrameworks(server);
});

after(async () => {
  if (server) await server.stop();
});

describe('catalog and search', () => {
  test('lists courses and modules with duration, competencies, language and progress', async () => {
    const c = await agent();
    const r = await c.get('/courses');
    assert.equal(r.status, 200);
    assert.match(r.body, /href="\/modules\/phishing-basics"/);
    assert.match(r.body, /Sécuriser l(&#39;|’)environnement numérique \(CRCN-4\.1\), niveau 2/, 'the competence by its name, then its code');
    assert.match(r.body, /9 min/);
    assert.match(r.body, /Pas commencé/);
    assert.ok(count(c, r.body) >= 20);
  });

  test('search folds accents and case both ways', async () => {
    const c = await agent();
    const accented = await c.get('/courses?q=' + encodeURIComponent('sécurité'));
    const plain = await c.get('/courses?q=securite');
    const upper = await c.get('/courses?q=SECURITE');
    const n = count(c, accented.body);
    assert.ok(n > 0);
    assert.equal(count(c, plain.body), n);
    assert.equal(count(c, upper.body), n);
    const phish = await c.get('/courses?q=' + encodeURIComponent('hameçonnage'));
    assert.match(phish.body, /href="\/modules\/phishing-basics"/);
    const phish2 = await c.get('/courses?q=hameconnage');
    assert.match(phish2.body, /href="\/modules\/phishing-basics"/);
    const none = await c.get('/courses?q=zzzyxwv');
    assert.equal(count(c, none.body), 0);
    // FTS syntax in the query is treated as words, never as an error
    const odd = await c.get('/courses?q=' + encodeURIComponent('"NEAR( * OR -'));
    assert.equal(odd.status, 200);
  });

  // the modules of a search, in the order shown
  const hits = (body) => [...body.matchAll(/<th scope="row"><a href="\/modules\/([^"]+)"/g)].map((m) => m[1]);

  test('search ranks title matches first, in one list, not grouped by course', async () => {
    const c = await agent();
    const r = await c.get('/courses?q=' + encodeURIComponent('mot de passe'));
    const ids = hits(r.body);
    assert.ok(ids.length > 1, 'several modules mention passwords');
    assert.equal(ids[0], 'mots-de-passe');
    assert.match(r.body, /class="table learn-modules learn-results"/);
    assert.doesNotMatch(r.body, /class="learn-course"/);
    // the count agrees with its number, French style (0 and 1 singular)
    assert.match(r.body, new RegExp(`class="learn-count">${ids.length} modules trouvés<`));
    assert.match((await c.get('/courses?q=zzzyxwv')).body, /class="learn-count">0 module trouvé</);
    assert.doesNotMatch(r.body, /\(s\)/);
  });

  test('search folds French plurals: "tableurs" finds what "tableur" finds', async () => {
    const c = await agent();
    const one = hits((await c.get('/courses?q=tableur')).body);
    const many = hits((await c.get('/courses?q=tableurs')).body);
    assert.ok(one.length >= 5, `tableur finds ${one.length}`);
    assert.deepEqual([...many].sort(), [...one].sort());
  });

  test("search defaults to the agent's language, others on request", async () => {
    const c = await agent();
    const fr = await c.get('/courses?q=phishing');
    assert.ok(hits(fr.body).includes('phishing-basics'));
    assert.ok(!hits(fr.body).includes('phishing-basics-en'), 'an English module in French results');
    assert.match(fr.body, /<option value="fr" selected>/);
    const all = await c.get('/courses?q=phishing&lang=all');
    assert.ok(hits(all.body).includes('phishing-basics-en'));
    const en = await c.get('/courses?q=phishing&lang=en');
    assert.deepEqual(hits(en.body).filter((id) => !id.endsWith('-en')), []);
  });

  test('filters by competency, level and language', async () => {
    const c = await agent();
    const all = count(c, (await c.get('/courses')).body);
    const en = await c.get('/courses?lang=en');
    assert.ok(count(c, en.body) > 0 && count(c, en.body) < all);
    assert.doesNotMatch(en.body, /href="\/modules\/phishing-basics"/);
    const comp = await c.get('/courses?competency=CRCN-4.1&level=2');
    assert.match(comp.body, /href="\/modules\/phishing-basics"/);
    assert.ok(count(c, comp.body) < all);
    const api = await c.get('/api/v1/courses?competency=CRCN-4.1');
    assert.equal(api.status, 200);
    const json = JSON.parse(api.body);
    for (const course of json.courses) {
      for (const m of course.modules) assert.ok(m.competencies.some((x) => x.code === 'CRCN-4.1'), m.id);
    }
  });

  test('needs a login', async () => {
    const anon = client(server);
    assert.equal((await anon.get('/courses')).status, 303);
    assert.equal((await anon.get('/api/v1/courses')).status, 401);
  });
});

describe('module player and grading', () => {
  test('the page and the API never carry the right answers', async () => {
    const c = await agent();
    const { page, form } = await quizForm(c, 'phishing-basics');
    assert.match(form.hidden.nonce, /^\d+\.\d+\.[0-9a-f]{16}\.[0-9a-f]{32}$/);
    assert.doesNotMatch(page.body, /\[\(X\)\]|\[\[X\]\]|correct|data-answer/i);
    assert.match(page.body, /<fieldset class="quiz-question">/);
    const api = JSON.parse((await c.get('/api/v1/modules/phishing-basics')).body);
    assert.equal(api.module.id, 'phishing-basics');
    assert.doesNotMatch(JSON.stringify(api), /"correct"|"answers"|verification-compte\.info"/);
    // a bank (courses/securite-numerique/01-hameconnage.md) with `draw: N`: an attempt shows N
    const mod = parseModule(moduleFileById('phishing-basics'));
    assert.equal(api.questions.length, Number(mod.front.draw || mod.questions.length));
  });

  test('bad submissions: 422, 409 forged, 413, 404; a second submit leads to the same result', async () => {
    const c = await agent(DEMO.agent2);
    const before = JSON.parse((await c.get('/api/v1/me/progress')).body).modules['mots-de-passe'];
    const { page, form } = await quizForm(c, 'mots-de-passe');
    const first = formQuestions(page.body)[0];
    let r = await c.post('/modules/mots-de-passe/attempts', fields(form.hidden, { [first.name]: '42' }));
    assert.equal(r.status, 422);
    assert.match(pageText(r.body), /Question \d+ : la réponse choisie n.existe pas|Question \d+ : la réponse attendue est un texte/, 'the reason, in French');
    r = await c.post('/modules/mots-de-passe/attempts', fields(form.hidden, { q99: '1' }));
    assert.equal(r.status, 422);
    // a rejected answer does not consume the nonce: the same form can still be sent once;
    // sent again, it leads to the result it made (nothing recorded)
    const answer = first.kind === 'text' ? 'x' : '1';
    r = await c.post('/modules/mots-de-passe/attempts', fields(form.hidden, { [first.name]: answer }));
    assert.equal(r.status, 303, r.body.slice(0, 300));
    const again = await c.post('/modules/mots-de-passe/attempts', fields(form.hidden, { [first.name]: answer }));
    assert.equal(again.status, 303);
    assert.equal(again.location, r.location);
    r = await c.post('/modules/mots-de-passe/attempts', fields({ ...form.hidden, nonce: form.hidden.nonce.replace(/.$/, (x) => (x === '0' ? '1' : '0')) }, {}));
    assert.equal(r.status, 409);
    assert.match(pageText(r.body), /Ce formulaire a déjà été envoyé/);
    r = await c.post('/modules/mots-de-passe/attempts', fields(form.hidden, { q3: 'x'.repeat(40_000) }));
    assert.equal(r.status, 413);
    r = await c.post('/modules/no-such-module/attempts', fields(form.hidden, {}));
    assert.equal(r.status, 404);
    const progress = JSON.parse((await c.get('/api/v1/me/progress')).body).modules['mots-de-passe'];
    assert.equal(progress.attempts, (before?.attempts || 0) + 1);
  });

  test('a quiz form opened before a restart is still accepted after it, once', async () => {
    // The key that signs quiz forms lives in the data folder (quiz-nonce.key, 0600), not
    // in the process: an agent answering while the server is redeployed loses nothing.
    const s = await startServer();
    try {
      const c = client(s);
      await c.loginOk(DEMO.agent2);
      const page = await c.get('/modules/phishing-basics');
      assert.equal(page.status, 200);
      const form = findForm(page.body, '/modules/phishing-basics/attempts');
      const key = fs.statSync(path.join(s.dataDir, 'quiz-nonce.key'));
      assert.equal(key.size, 32);
      assert.equal(key.mode & 0o777, 0o600);
      await s.restart();
      let r = await c.post('/modules/phishing-basics/attempts', fields(form.hidden, {}));
      assert.equal(r.status, 303, r.body.slice(0, 300));
      const url = r.location;
      r = await c.post('/modules/phishing-basics/attempts', fields(form.hidden, {}));
      assert.equal(r.status, 303, 'still one use only: the same result');
      assert.equal(r.location, url);
      assert.equal(JSON.parse((await c.get('/api/v1/me/progress')).body).modules['phishing-basics'].attempts, 1);
    } finally {
      await s.stop();
    }
  });

  test('JSON API: grade, replay and rate limit', async () => {
    const c = await agent(DEMO.manager);
    const csrf = await c.csrf('/courses');
    const id = 'mises-a-jour-sauvegarde';
    const mod = parseModule(moduleFileById(id));
    const post = (body) => c.request('POST', `/api/v1/modules/${id}/attempts`, {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body),
    });
    const form = async () => JSON.parse((await c.get(`/api/v1/modules/${id}`)).body);
    const f1 = await form();
    const single = f1.questions.find((q) => q.kind === 'single');
    let r = await post({ nonce: f1.nonce, answers: { [single.name]: [1, 2] } });
    assert.equal(r.status, 422, r.body);
    r = await post({ nonce: f1.nonce, answers: 'x' });
    assert.equal(r.status, 422);
    r = await post({ nonce: f1.nonce, answers: {} });
    assert.equal(r.status, 201, r.body);
    const res = JSON.parse(r.body);
    assert.equal(res.passed, false);
    assert.equal(res.score, 0);
    // which questions were wrong, never what was right
    assert.ok(res.questions.every((q) => q.right === false && !('answer_html' in q) && !('explanation_html' in q)));
    r = await post({ nonce: f1.nonce, answers: {} });
    assert.equal(r.status, 409);
    // passing attempts are not limited by the cooldown, but by the hourly rate limit
    for (let i = 1; i < 10; i++) {
      const f = await form();
      r = await post({ nonce: f.nonce, answers: rightAnswers(mod, f.questions) });
      assert.equal(r.status, 201, `attempt ${i + 1}: ${r.body}`);
    }
    const f = await form();
    r = await post({ nonce: f.nonce, answers: rightAnswers(mod, f.questions) });
    assert.equal(r.status, 429);
    assert.match(JSON.parse(r.body).error.message, /Trop d.essais/);
    const p = JSON.parse((await c.get('/api/v1/me/progress')).body);
    assert.equal(p.modules[id].attempts, 10);
    assert.equal(p.modules[id].status, 'passed');
  });

  test('a blank attempt on every module of the library gives nothing away (checked against the files)', async () => {
    const c = await agent(DEMO.hr);
    const csrf = await c.csrf('/courses');
    const root = path.join(ROOT, 'courses');
    let checked = 0;
    for (const course of fs.readdirSync(root).sort()) {
      const dir = path.join(root, course);
      if (!fs.existsSync(path.join(dir, 'course.md'))) continue;
      for (const f of fs.readdirSync(dir).filter((x) => /^\d.*\.md$/.test(x)).sort()) {
        const mod = parseModule(path.join(dir, f));
        const id = mod.front.id;
        const m = JSON.parse((await c.get(`/api/v1/modules/${id}`)).body);
        const r = await c.request('POST', `/api/v1/modules/${id}/attempts`, {
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ nonce: m.nonce, answers: {} }),
        });
        assert.equal(r.status, 201, `${id}: ${r.body.slice(0, 200)}`);
        const res = JSON.parse(r.body);
        assert.equal(res.passed, false);
        for (const q of res.questions) assert.deepEqual(Object.keys(q).sort(), ['given', 'number', 'prompt_html', 'right'], id);
        const texts = res.questions.map((q) => `${q.prompt_html} | ${q.given}`).join(' | ');
        const found = leaks(mod, texts);
        assert.deepEqual(found, [], `${id} gives away ${JSON.stringify(found)}`);
        const page = await c.get(`/modules/${id}/attempts/${res.attempt_id}`);
        assert.equal(page.status, 200);
        const list = /<ol class="quiz-results">[\s\S]*?<\/ol>/.exec(page.body)[0];
        assert.deepEqual(leaks(mod, list), [], `${id} (HTML) gives away ${JSON.stringify(leaks(mod, list))}`);
        checked++;
      }
    }
    assert.ok(checked >= 40, `${checked} modules`);
  });

  test('course images are served from the course folder only', async () => {
    const c = await agent();
    assert.equal((await c.get('/courses/securite-numerique/assets/01-hameconnage.md')).status, 404);
    assert.equal((await c.get('/courses/securite-numerique/assets/..%2Fcourse.md')).status, 404);
    assert.equal((await c.get('/courses/securite-numerique/assets/course.png')).status, 404);
    assert.equal((await c.get('/courses/nope/assets/x.png')).status, 404);
    assert.equal((await c.get('/courses/badges/assets/securite-numerique.svg')).status, 404);
  });
});

describe('in Chromium', () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { if (browser) await browser.close(); });

  async function loggedIn(javaScriptEnabled) {
    const ctx = await newContext(browser, { javaScriptEnabled });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/login`);
    await page.fill('#email', DEMO.agent);
    await page.fill('#password', (await import('./helpers.mjs')).DEMO_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type="submit"]')]);
    return { ctx, page };
  }

  /** axe-core needs JavaScript: pages are checked in the JavaScript-on run. */
  async function axeClean(page, where, js) {
    if (!js) return;
    const v = await runAxe(page);
    assert.equal(v.length, 0, formatViolations(v, where));
  }

  /** Answers the quiz on the page with `answers` ({q1: ['2'], q3: 'x'}, values as shown) and submits. */
  async function answer(page, answers) {
    for (const [q, v] of Object.entries(answers)) {
      if (Array.isArray(v)) for (const o of v) await page.check(`#${q}-${o}`);
      else await page.fill(`#${q}`, v);
    }
    await Promise.all([page.waitForNavigation(), page.click('#quiz button[type="submit"]')]);
  }

  test('search results pass axe at 1280 and 390 px', async () => {
    const { ctx, page } = await loggedIn(true);
    try {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`${server.url}/courses?q=${encodeURIComponent('mots de passe')}`);
        assert.equal(await page.locator('table.learn-results tbody tr').first().locator('a').first().getAttribute('href'),
          '/modules/mots-de-passe');
        await axeClean(page, `search results at ${width} px`, true);
        await page.goto(`${server.url}/courses?q=zzzyxwv`);
        await axeClean(page, `empty search at ${width} px`, true);
      }
    } finally {
      await ctx.close();
    }
  });

  for (const js of [false, true]) {
    test(`take a module with JavaScript ${js ? 'on' : 'off'}: fail, retry, pass, evidence`, async () => {
      const id = js ? 'mots-de-passe' : 'phishing-basics';
      const file = js ? 'securite-numerique/02-mots-de-passe.md' : 'securite-numerique/01-hameconnage.md';
      const mod = parseModule(file);
      const { ctx, page } = await loggedIn(js);
      try {
        await page.goto(`${server.url}/courses`);
        await axeClean(page, 'catalog', js);
        await page.fill('#q', js ? 'mots de passe' : 'hameconnage');
        await Promise.all([page.waitForNavigation(), page.click('form[role="search"] button[type="submit"]')]);
        await Promise.all([page.waitForNavigation(), page.click(`a[href="/modules/${id}"]`)]);
        assert.equal(await page.locator('h1').count(), 1);
        await axeClean(page, 'player', js);
        // fail: nothing answered
        await answer(page, {});
        assert.match(await page.textContent('h1'), /Résultat/);
        assert.match(await page.textContent('main'), /Quiz non réussi/);
        await axeClean(page, 'result (failed)', js);
        assert.match(page.url(), new RegExp(`/modules/${id}/attempts/\\d+$`));
        await Promise.all([page.waitForNavigation(), page.click('main a[href$="#quiz"]')]);
        // pass
        const shown = formQuestions(await page.content());
        const answers = rightAnswers(mod, shown);
        for (const [k, v] of Object.entries(answers)) if (typeof v === 'string' && shown.find((q) => q.name === k).kind !== 'text') answers[k] = [v];
        await answer(page, answers);
        const main = await page.textContent('main');
        assert.match(main, /Quiz réussi/);
        assert.match(main, /Score : 100 %/);
        assert.match(main, /Explication/);
        await axeClean(page, 'result (passed)', js);
        await page.goto(`${server.url}/passport`);
        const code = 'CRCN-4.1';
        const article = await page.locator(`article[data-code="${code}"]`).first();
        const verified = Number(await article.getAttribute('data-verified'));
        assert.ok(verified >= (js ? 1 : 2), `verified level of ${code}: ${verified}`);
        await page.goto(`${server.url}/courses/securite-numerique`);
        assert.match(await page.textContent('main'), /Réussi/);
        await axeClean(page, 'course page', js);
      } finally {
        await ctx.close();
      }
    });
  }
});
