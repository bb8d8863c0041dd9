// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests in a real headless Chromium: logging in through the form, and
// axe-core (WCAG 2.0/2.1 A and AA) on the login, home and admin pages; screenshots.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import {
  DEMO, DEMO_PASSWORD, formatViolations, newContext, runAxe, screenshotDir, serverAndBrowserHooks,
} from './helpers.mjs';

let server;
let browser;
serverAndBrowserHooks((s, b) => { server = s; browser = b; });

/** Asserts that axe finds no WCAG A/AA violation on the page now shown. */
async function assertAccessible(page, where) {
  const violations = await runAxe(page);
  assert.equal(violations.length, 0, formatViolations(violations, where));
}

/** Logs in through the form as a person would: typing, then clicking the button. */
async function loginByForm(page, email, password = DEMO_PASSWORD) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel(/Adresse électronique|Email/i).fill(email);
  await page.getByLabel(/Mot de passe|Password/i).fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('form[action="/login"] button[type="submit"]').click(),
  ]);
}

describe('login in the browser', () => {
  test('typing and clicking logs in and lands on the home page; screenshots', async () => {
    const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // Resource failures are checked by URL below (the browser's own /favicon.ico probe aside).
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') errors.push(`${r.status()} ${r.url()}`);
    });
    try {
      const res = await page.goto(`${server.url}/login`);
      assert.equal(res.status(), 200);
      assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
      await page.screenshot({ path: path.join(screenshotDir(), 'login.png'), fullPage: true });
      // The stylesheet applied (the CSP let it through): the body is not the UA default font.
      const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
      assert.notEqual(font, 'Times New Roman', 'app.css applied');

      await page.getByLabel('Adresse électronique').click();
      await page.keyboard.type(DEMO.agent);
      await page.getByLabel('Mot de passe').click();
      await page.keyboard.type(DEMO_PASSWORD);
      await Promise.all([
        page.waitForURL(`${server.url}/`),
        page.getByRole('button', { name: 'Se connecter' }).click(),
      ]);
      const h1 = await page.locator('h1').innerText();
      const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
      assert.ok(h1.includes(me.name), `home greets ${me.name}: ${h1}`);
      const cookies = await context.cookies();
      const sess = cookies.find((c) => c.name === 'pp_session');
      assert.ok(sess, 'pp_session cookie');
      assert.equal(sess.httpOnly, true);
      assert.equal(sess.sameSite, 'Lax');
      assert.equal(await page.evaluate(() => document.cookie.includes('pp_session')), false, 'not readable by scripts');
      await page.screenshot({ path: path.join(screenshotDir(), 'home.png'), fullPage: true });
      assert.deepEqual(errors, [], 'no failed request, script or CSP error');
    } finally {
      await context.close();
    }
  });

  test('a wrong password shows the alert and stays on the login page', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Adresse électronique').fill(DEMO.agent2);
      await page.getByLabel('Mot de passe').fill('pas-le-bon-mot-de-passe');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByRole('alert').waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
      await assertAccessible(page, 'login page with an error');
    } finally {
      await context.close();
    }
  });
});

describe('accessibility (axe-core, WCAG 2.0/2.1 A and AA)', () => {
  for (const [lang, locale] of [['fr', 'fr-FR'], ['en', 'en-GB']]) {
    test(`login page (${lang})`, async () => {
      const context = await newContext(browser, { locale });
      const page = await context.newPage();
      try {
        await page.goto(`${server.url}/login`);
        assert.equal(await page.locator('html').getAttribute('lang'), lang);
        await assertAccessible(page, `login page (${lang})`);
        if (lang === 'en') {
          await page.screenshot({ path: path.join(screenshotDir(), 'login-en.png'), fullPage: true });
        }
      } finally {
        await context.close();
      }
    });
  }

  for (const role of ['agent', 'manager', 'hr', 'admin']) {
    test(`home page of the demo ${role}`, async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      try {
        await loginByForm(page, DEMO[role]);
        assert.equal(new URL(page.url()).pathname, '/');
        await assertAccessible(page, `home page (${role})`);
      } finally {
        await context.close();
      }
    });
  }

  test('admin pages: users, new user, edit user, units, import, import with errors', async () => {
    const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await loginByForm(page, DEMO.admin);
      for (const p of ['/admin/users', '/admin/users?q=demo', '/admin/users/new', '/admin/users/4', '/admin/units', '/admin/import']) {
        const res = await page.goto(`${server.url}${p}`);
        assert.equal(res.status(), 200, p);
        await assertAccessible(page, p);
      }
      await page.goto(`${server.url}/admin/users`);
      await page.screenshot({ path: path.join(screenshotDir(), 'admin-users.png'), fullPage: true });

      // An import with errors, submitted through the page's own form.
      await page.goto(`${server.url}/admin/import`);
      await page.locator('input[type="file"]').setInputFiles({
        name: 'agents.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('email,name,unit,roles,locale\npas-une-adresse,Mauvaise Adresse,,agent,fr\nok.navigateur@demo.passport.test,Ok Navigateur,,chef,fr\n'),
      });
      const [resp] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/admin/import') && r.request().method() === 'POST'),
        page.locator('form[action="/admin/import"] button[type="submit"]').click(),
      ]);
      assert.equal(resp.status(), 422);
      await page.waitForLoadState('load');
      const problems = await page.locator('#import-problems li, [role="alert"] li').allInnerTexts();
      assert.ok(problems.some((t) => /Ligne 2/.test(t)) && problems.some((t) => /Ligne 3/.test(t)), problems.join('\n'));
      await assertAccessible(page, 'import with errors');
      await page.screenshot({ path: path.join(screenshotDir(), 'admin-import-errors.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('error pages (404, 403)', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      const r404 = await page.goto(`${server.url}/cette-page-n-existe-pas`);
      assert.equal(r404.status(), 404);
      await assertAccessible(page, '404 page');
      await loginByForm(page, DEMO.agent);
      const r403 = await page.goto(`${server.url}/admin/users`);
      assert.equal(r403.status(), 403);
      await assertAccessible(page, '403 page');
    } finally {
      await context.close();
    }
  });
});

describe('layout and keyboard', () => {
  test('phone width (360 px): no horizontal scrolling on the login, home and admin pages', async () => {
    const context = await newContext(browser, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    try {
      await page.goto(`${server.url}/login`);
      assert.ok((await overflow()) <= 0, `/login is ${await overflow()} px too wide`);
      await page.screenshot({ path: path.join(screenshotDir(), 'login-phone.png'), fullPage: true });
      await loginByForm(page, DEMO.admin);
      for (const p of ['/', '/admin/users', '/admin/users/new', '/admin/units', '/admin/import']) {
        await page.goto(`${server.url}${p}`);
        assert.ok((await overflow()) <= 0, `${p} is ${await overflow()} px too wide at 360 px`);
      }
    } finally {
      await context.close();
    }
  });

  test('keyboard: the first Tab shows a skip link that moves focus to the main content', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/login`);
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        const st = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return {
          tag: el.tagName, href: el.getAttribute('href'), text: el.textContent.trim(),
          visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 && st.visibility !== 'hidden',
          outline: st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0, shadow: st.boxShadow !== 'none',
        };
      });
      assert.equal(focused.tag, 'A', JSON.stringify(focused));
      assert.ok(focused.href && focused.href.startsWith('#'), JSON.stringify(focused));
      assert.ok(focused.visible, `skip link visible when focused: ${JSON.stringify(focused)}`);
      assert.ok(focused.outline || focused.shadow, `focus indicator: ${JSON.stringify(focused)}`);
      await page.keyboard.press('Enter');
      const target = await page.evaluate(() => document.activeElement.id);
      assert.equal(`#${target}`, focused.href, 'focus moved to the main content');
      // The next Tab reaches the login form's first field.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
    } finally {
      await context.close();
    }
  });
});
