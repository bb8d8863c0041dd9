// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of the adaptive positioning test (docs/positioning.md): taken from start
// to finish in Chromium with JavaScript off, resumed after a server restart, never showing a
// right answer or an explanation; a replayed answer and an answer for an item not presented
// are refused (409) with nothing recorded; the result becomes measured evidence with its
// uncertainty and recommends modules; the 30-day cooldown; with PASSPORT_CLOCK_OFFSET the
// levels come due for a re-check (one notice per level, even after a second start) and a
// re-check of at most 6 items ends the due entry; axe-core on /positioning and /me/rechecks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  BIN, DEMO, DEMO_PASSWORD, ROOT, assertNoSanitizerReport, client, formatViolations, freePort, launchBrowser,
  newContext, runAxe, startServer,
} from './helpers.mjs';

const DAY = 86400;
let server;
let browser;

/** Every item of the bank: id -> {explanation lines} (French and English files). */
function bankExplanations() {
  const out = new Map();
  const dirs = [path.join(ROOT, 'courses', 'positioning'), path.join(ROOT, 'courses', 'positioning', 'en')];
  for (const dir of dirs) {
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith('.md') || f === 'README.md') continue;
      let id = null;
      for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
        const h = /^## (\S+)/.exec(line);
        if (h) id = h[1];
        else if (id && line.startsWith('>')) {
          const text = line.replace(/^>\s*/, '').trim();
          if (text.length > 20) (out.get(id) || out.set(id, []).get(id)).push(text.slice(0, 60));
        }
      }
    }
  }
  return out;
}

/** An option's words, as a file writes them or a page shows them (Markdown, HTML and case set aside). */
const words = (t) => t.replace(/\]\([^)]*\)/g, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** The French items: id -> {level, right: [option numbers from 1] or text, options: [their words]}. */
function bankKeys() {
  const out = new Map();
  const dir = path.join(ROOT, 'courses', 'positioning');
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.md') || f === 'README.md') continue;
    let cur = null;
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const h = /^## (\S+)/.exec(line);
      if (h) { cur = { level: 0, right: [], option: 0, options: [] }; out.set(h[1], cur); continue; }
      if (!cur) continue;
      const l = /^level: *(\d)/.exec(line);
      if (l) cur.level = Number(l[1]);
      const choice = /^[-*+]\s+\[([([])([ xX])[)\]]\]/.exec(line.trim());
      if (choice) {
        cur.option++;
        cur.options.push(words(line.trim().replace(/^[-*+]\s+\[[([][ xX][)\]]\]/, '')));
        if (choice[2] !== ' ') cur.right.push(String(cur.option));
      }
      const typed = /^\[\[(.+)\]\]$/.exec(line.trim());
      if (typed) cur.right = typed[1].split('|')[0].trim();
    }
  }
  return out;
}

async function login(email, base = server) {
  const c = client(base);
  await c.loginOk(email);
  return c;
}

async function loginByForm(page, base, email) {
  await page.goto(`${base}/login`);
  await page.getByLabel(/Adresse électronique|Email/i).fill(email);
  await page.getByLabel(/Mot de passe|Password/i).fill(DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('form[action="/login"] button[type="submit"]').click(),
  ]);
}

/**
 * Answers the item shown on page as an agent of level 2 would: right up to level 2 (from
 * the bank's files), wrong above (the first wrong option, or "x"). Returns its id.
 */
async function answerShown(page, keys) {
  const id = await page.locator('input[name="item"]').getAttribute('value');
  const kind = await page.locator('input[name="kind"]').getAttribute('value');
  const key = keys.get(id);
  const right = key.level <= 2;
  if (kind === 'text') await page.locator('#answer-text').fill(right ? key.right : 'x');
  else {
    // options are shown shuffled: each is known by its words
    const boxes = page.locator('input[name="answer"]');
    const n = await boxes.count();
    for (let k = 0; k < n; k++) {
      const label = await page.locator(`label[for="${await boxes.nth(k).getAttribute('id')}"]`).innerText();
      const option = String(key.options.indexOf(words(label)) + 1);
      assert.notEqual(option, '0', `${id}: "${label}" is no option of the file`);
      if (right ? key.right.includes(option) : !key.right.includes(option)) {
        await boxes.nth(k).check();
        if (!right) break;
      }
    }
  }
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Valider ma réponse' }).click()]);
  return id;
}

async function apiState(c) {
  const r = await c.get('/api/v1/me/positioning');
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body);
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('positioning test', () => {
  test('from start to finish with JavaScript off, resumed after a restart, no answer shown', async () => {
    const explanations = bankExplanations();
    const keys = bankKeys();
    assert.ok(explanations.size >= 128, `bank too small: ${explanations.size}`);
    const context = await newContext(browser, { javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await loginByForm(page, server.url, DEMO.agent);
      await page.goto(`${server.url}/positioning`);
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Commencer le test' }).click()]);
      const seen = [];
      let restarted = false;
      for (let i = 0; i < 40 && new URL(page.url()).pathname === '/positioning'; i++) {
        const html = await page.content();
        const id = await page.locator('input[name="item"]').getAttribute('value');
        assert.ok(!seen.includes(id), `item ${id} shown twice`);
        for (const e of explanations.get(id) || []) assert.ok(!html.includes(e), `explanation of ${id} shown`);
        assert.doesNotMatch(html, /\bcorrect\b|\[\(X\)\]|\[\[X\]\]/i);
        assert.match(html, new RegExp(`Question ${i + 1} sur 32 au plus`));
        if (i === 10 && !restarted) {
          // the state lives on the server: after a restart the same item is presented
          await server.restart();
          restarted = true;
          await page.goto(`${server.url}/positioning`);
          assert.equal(await page.locator('input[name="item"]').getAttribute('value'), id);
        }
        seen.push(await answerShown(page, keys));
      }
      assert.ok(restarted);
      assert.ok(seen.length >= 16 && seen.length <= 32, `${seen.length} items`);
      assert.match(new URL(page.url()).pathname, /^\/positioning\/results\/\d+$/);
      const result = await page.content();
      for (const id of seen) for (const e of explanations.get(id) || []) assert.ok(!result.includes(e));
      assert.equal(await page.locator('tbody tr').count(), 16);
      assert.match(result, /± \d,\d/);
      assert.match(result, /Modules recommandés/);
      // the passport lists the measured evidence with its uncertainty
      await page.goto(`${server.url}/passport`);
      const passport = await page.content();
      assert.match(passport, /positioning:\d+/);
      assert.match(passport, /± \d\.\d/);
      // the cooldown: no start button, the date it ends
      await page.goto(`${server.url}/positioning`);
      assert.equal(await page.getByRole('button', { name: 'Commencer le test' }).count(), 0);
      assert.match(await page.content(), /pourrez le repasser à partir du/);
    } finally {
      await context.close();
    }
    const c = await login(DEMO.agent);
    const st = await apiState(c);
    assert.equal(st.state, 'cooldown');
    assert.equal(st.last.competences.length, 16);
    assert.ok(st.last.recommendations.modules.length > 0);
    const csrf = await c.csrf('/me/rechecks');
    const start = await c.request('POST', '/api/v1/me/positioning', {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ action: 'start' }),
    });
    assert.equal(start.status, 429);
  });

  test('a replayed answer and an answer for an item not presented: 409, nothing recorded', async () => {
    const c = await login(DEMO.agent2);
    const started = await c.submit('/positioning', '/positioning/start');
    assert.equal(started.status, 303);
    const page = await c.form('/positioning', '/positioning/answer');
    const item = page.hidden.item;
    // an item that was not presented
    const other = [...bankExplanations().keys()].find((k) => k !== item);
    const forged = await c.post('/positioning/answer', { ...page.hidden, item: other, answer: '1' });
    assert.equal(forged.status, 409);
    assert.match(forged.body, /ne correspond pas à la question posée/);
    assert.equal((await apiState(c)).test.answered, 0);
    const ok = await c.post('/positioning/answer', { ...page.hidden, answer: '1' });
    assert.equal(ok.status, 303);
    assert.equal((await apiState(c)).test.answered, 1);
    const replay = await c.post('/positioning/answer', { ...page.hidden, answer: '1' });
    assert.equal(replay.status, 409);
    const st = await apiState(c);
    assert.equal(st.test.answered, 1);
    assert.notEqual(st.test.item.id, item);
    // the API refuses the same way, in English for an English reader
    const api = await c.request('POST', '/api/v1/me/positioning', {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': page.hidden._csrf, 'Accept-Language': 'en' },
      body: JSON.stringify({ item, position: 0, answer: 1 }),
    });
    assert.equal(api.status, 409);
    assert.equal((await apiState(c)).test.answered, 1);
    // the JSON view never carries an answer: no such member at any depth (the item's own
    // words may say "correctement")
    const keys = [];
    const walk = (v) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { keys.push(k); walk(x); }
    };
    walk(st);
    assert.ok(keys.includes('options'), 'the walk reaches the item');
    for (const k of keys) assert.doesNotMatch(k, /correct|explanation|answers|solution/i, `member ${k}`);
  });

  test('axe finds no violation on /positioning (an item) and /me/rechecks', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await loginByForm(page, server.url, DEMO.agent2);
      for (const where of ['/positioning', '/me/rechecks']) {
        await page.goto(`${server.url}${where}`);
        const violations = await runAxe(page);
        assert.equal(violations.length, 0, formatViolations(violations, where));
      }
    } finally {
      await context.close();
    }
  });

  test('with the clock 700 days later, the levels come due for a re-check, once; a re-check ends it', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const spawnLate = () => {
      const child = spawn(BIN, ['serve', '--data', server.dataDir, '--listen', `127.0.0.1:${port}`,
        '--web', path.join(ROOT, 'web'), '--courses', path.join(ROOT, 'courses'), '--quiet'], {
        env: { ...server.cliEnv, PASSPORT_CLOCK_OFFSET: String(700 * DAY) }, stdio: ['ignore', 'ignore', 'pipe'],
      });
      const s = { child, stderr: '' };
      child.stderr.setEncoding('utf8').on('data', (d) => { s.stderr += d; });
      s.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
      return s;
    };
    const up = async (s) => {
      for (let i = 0; i < 200; i++) {
        try { if ((await fetch(`${url}/healthz`)).status === 200) return; } catch { /* not yet */ }
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail(`late server did not start: ${s.stderr}`);
    };
    const stop = async (s) => {
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
      assertNoSanitizerReport(s.stderr, 'late server');
    };
    let s = spawnLate();
    try {
      await up(s);
      const c = await login(DEMO.agent, url);
      const notices = async () => JSON.parse((await c.get('/api/v1/me/inbox')).body).items.filter((m) => m.kind === 'recheck');
      // the sweep runs once the server listens (slower on PostgreSQL): wait for its commit
      let due = [];
      for (let i = 0; i < 100 && !due.length; i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        due = JSON.parse((await c.get('/api/v1/me/rechecks')).body).rechecks.filter((r) => r.due);
      }
      assert.ok(due.length >= 1, 'no re-check due');
      const first = await notices();
      assert.equal(first.length, due.length);
      assert.match(first[0].text, /sera à actualiser le/);
      const page = await c.get('/me/rechecks');
      assert.match(page.body, new RegExp(`Passer le re-contrôle ${due[0].competency.replace('.', '\\.')}`));
      // a second start of the server (the sweep runs again): no new notice
      await stop(s);
      s = spawnLate();
      await up(s);
      assert.equal((await notices()).length, first.length);
      // the re-check: at most 6 items of that competence
      const target = due.reduce((best, r) => (r.level > best.level ? r : best), due[0]);
      const code = target.competency;
      const started = await c.submit('/me/rechecks', `/me/rechecks/${code}/start`);
      assert.equal(started.status, 303);
      let st = await apiState(c);
      assert.equal(st.test.kind, 'recheck');
      assert.equal(st.test.max_items, 6);
      const csrf = await c.csrf('/positioning', '/positioning/answer');
      let n = 0;
      let res;
      while (st.test) {
        assert.equal(st.test.item.competency, code);
        res = await c.request('POST', '/api/v1/me/positioning', {
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify({ item: st.test.item.id, position: st.test.item.position, answer: null }),
        });
        assert.equal(res.status, 201, res.body);
        st = JSON.parse(res.body);
        n++;
        assert.ok(n <= 6);
      }
      assert.ok(n >= 3);
      assert.equal(st.finished.kind, 'recheck');
      assert.equal(st.finished.passed, false); // nothing answered: the level is not confirmed
      const after_ = JSON.parse((await c.get('/api/v1/me/rechecks')).body).rechecks.find((r) => r.competency === code);
      assert.equal(after_.due, false);
      assert.equal(after_.outcome, 'failed');
      // the failed re-check lowers the verified level (never below level 1)
      const passport = JSON.parse((await c.get('/api/v1/me/passport')).body);
      const comp = passport.areas.flatMap((a) => a.competencies).find((x) => x.code === code);
      assert.equal(comp.verified, Math.max(1, st.finished.competences[0].level));
      if (target.level > 1) assert.ok(comp.verified < target.level, `${comp.verified} < ${target.level}`);
    } finally {
      await stop(s);
    }
  });

  test('passport calibrate writes its files for review and nothing to the database', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-calibrate-'));
    try {
      const c = await login(DEMO.agent);
      const before_ = await c.get('/api/v1/me/positioning');
      const r = spawnSync(BIN, ['calibrate', out, '--data', server.dataDir, '--courses', path.join(ROOT, 'courses')],
        { encoding: 'utf8', timeout: 60_000, env: server.cliEnv });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /answers from \d+ tests; 0 of \d+ items fitted/);
      const csv = fs.readFileSync(path.join(out, 'calibration.csv'), 'utf8').trim().split('\n');
      assert.equal(csv[0], 'item,competency,level,responses,p_right,a,b,default_b,outfit,fitted,misfit');
      assert.ok(csv.length > 128);
      // too few answers to fit anything: the copies are the files as they are
      for (const f of ['CRCN-1.1.md', 'CRCN-4.1.md']) {
        assert.equal(fs.readFileSync(path.join(out, 'positioning', f), 'utf8'),
          fs.readFileSync(path.join(ROOT, 'courses', 'positioning', f), 'utf8'));
      }
      assert.equal((await c.get('/api/v1/me/positioning')).body, before_.body);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
