// SPDX-License-Identifier: EUPL-1.2
// The caches under writes (docs/performance.md): a write by one agent leaves another's
// cached pages intact and is seen by its own next request; the command line disabling an
// account, changing roles or resetting a password is seen by the very next request; no
// write after a cache hit brings back a stale field. Counters of /metrics tell a page
// served from the cache (hits) from one rendered (misses).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, DEMO, DEMO_PASSWORD, client, findForm, htmlLang, sqlText, startServer } from './helpers.mjs';
import { answerFields, formQuestions, moduleFileById, norm, parseModule, rightAnswers } from './quiz-files.mjs';

describe('page cache and change log', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  const counters = async () => {
    const m = (await client(server).get('/metrics')).body;
    const read = (name) => Number((m.match(new RegExp(`^${name} (\\d+)$`, 'm')) || [])[1]);
    return { hits: read('passport_page_cache_hits'), misses: read('passport_page_cache_misses'),
      voided: read('passport_page_cache_voided'), refills: read('passport_page_cache_refills') };
  };
  // the change in the counters over one call of fn
  const delta = async (fn) => {
    const c0 = await counters();
    const out = await fn();
    const c1 = await counters();
    return { hits: c1.hits - c0.hits, misses: c1.misses - c0.misses, voided: c1.voided - c0.voided,
      refills: c1.refills - c0.refills, out };
  };
  const cli = (...args) => {
    const r = spawnSync(BIN, ['user', ...args, '--data', server.dataDir], { encoding: 'utf8', input: `${DEMO_PASSWORD}\n`, env: server.cliEnv });
    assert.equal(r.status, 0, `passport user ${args.join(' ')}: ${r.stderr}`);
  };
  const sql = (q) => {
    return sqlText(server, q);
  };
  // a wrong answer to each question shown (whatever its kind): a failed attempt
  const wrongAnswers = (mod, shown) => {
    const right = rightAnswers(mod, shown);
    const wrong = {};
    for (const q of shown) {
      if (q.kind === 'text') wrong[q.name] = 'zzzz';
      else {
        const bad = q.options.find((o) => ![right[q.name]].flat().includes(o.value));
        wrong[q.name] = q.kind === 'multi' ? [bad.value] : bad.value;
      }
    }
    return wrong;
  };
  const signedIn = async (email) => {
    const c = client(server);
    await c.loginOk(email, DEMO_PASSWORD);
    return c;
  };
  const declare = async (c, code) => {
    const csrf = await c.csrf('/me/profile', '/me/profile');
    const r = await c.request('POST', '/api/v1/me/self-assessments', {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ code, level: 3, comment: 'cache test' }),
    });
    assert.ok(r.status === 200 || r.status === 201, `self-assessment: ${r.status} ${r.body.slice(0, 200)}`);
  };

  test("one agent's write leaves another's cached pages intact and is seen by its own next request", async () => {
    const a = await signedIn(DEMO.agent);
    const b = await signedIn(DEMO.agent2);
    const pages = ['/courses', '/passport', '/'];
    const before_ = {};
    for (const p of pages) {
      for (const c of [a, b]) assert.equal((await c.get(p)).status, 200, p); // rendered and kept
      before_[p] = (await a.get(p)).body;
    }
    for (const p of pages) {
      const d = await delta(() => b.get(p));
      assert.equal(d.out.status, 200);
      assert.deepEqual([d.hits, d.misses], [1, 0], `${p} of agent 2 is served from the cache`);
    }
    await declare(a, 'CRCN-2.1');
    for (const p of pages) {
      const d = await delta(() => b.get(p));
      assert.deepEqual([d.hits, d.misses], [1, 0], `${p} of agent 2 stays cached after agent 1's write`);
    }
    const d = await delta(() => a.get('/passport'));
    assert.deepEqual([d.hits, d.misses], [0, 1], "agent 1's passport is rendered again");
    assert.notEqual(d.out.body, before_['/passport'], 'and shows the self-assessment');
    const home = await delta(() => a.get('/'));
    assert.deepEqual([home.hits, home.misses], [0, 1], "agent 1's home page is rendered again");
    assert.notEqual(home.out.body, before_['/'], 'its passport counts moved');
  });

  // Each write of an agent voids the pages that show what it changed (store/changelog.h,
  // scopes), and only those: a self-assessment or evidence (passport, home, assignments),
  // a module visit or an attempt (catalog, search, course, home, assignments). The oracle
  // is a new session of the same agent, whose pages are all rendered after the write: the
  // first session's page, cached or not, must be the same bytes (but for the CSRF token).
  // A page whose scope were narrowed too far would be served stale and differ.
  test('each write voids the pages that show what it changed, and only those', async () => {
    const email = 'cache-scopes@demo.passport.test';
    cli('add', email, '--role', 'agent', '--name', 'Agent portées');
    const uid = sql(`SELECT id FROM users WHERE email = '${email}'`);
    // on a path with a target (CRCN-4.1 at level 3): progress and recommendations shown
    const pathId = sql('SELECT path_id FROM path_targets ORDER BY path_id LIMIT 1');
    const aid = sql(`SELECT id FROM assignments WHERE path_id = ${pathId} ORDER BY id LIMIT 1`);
    sql(`INSERT INTO assignment_members(assignment_id, user_id, added_at) VALUES (${aid}, ${uid}, 0)`);
    const [target, targetLevel] = sql(`SELECT code || '|' || level FROM path_targets WHERE path_id = ${pathId} ORDER BY code LIMIT 1`).split('|');
    const [mid, slug] = sql(`SELECT m.id || '|' || m.course_slug FROM path_modules pm JOIN modules m ON m.id = pm.module_id
      WHERE pm.path_id = ${pathId} ORDER BY pm.position LIMIT 1`).split('|');
    const mod = parseModule(moduleFileById(mid));
    const word = norm(mod.front.title).split(' ').find((w) => w.length > 5) || 'donnees';
    const pages = ['/', '/courses', `/courses?q=${encodeURIComponent(word)}`, `/courses/${slug}`, '/passport', '/badges',
      '/me/assignments', '/me/inbox', '/me/profile'];
    const LEARN = new Set(['/', '/courses', pages[2], `/courses/${slug}`, '/me/assignments']);
    const EVIDENCE = new Set(['/', '/passport', '/me/assignments']);
    const c = await signedIn(email);
    const csrfOf = async (x) => JSON.parse((await x.get('/api/v1/me')).body).csrf;
    const csrf = await csrfOf(c);
    // "due in N days" moves at the due time: keep the warm-up and the check on one side of a day
    const dayGuard = async () => {
      const s = (Date.now() / 1000) % 86400;
      if (s > 86400 - 20) await new Promise((r) => setTimeout(r, (86400 - s + 2) * 1000));
    };
    const check = async (what, write, voided) => {
      await dayGuard();
      for (const p of pages) {
        await c.get(p);
        const d = await delta(() => c.get(p));
        assert.deepEqual([d.out.status, d.hits], [200, 1], `${p} is kept before ${what}`);
      }
      await write();
      const fresh = await signedIn(email); // its pages are rendered after the write
      const freshCsrf = await csrfOf(fresh);
      for (const p of pages) {
        const d = await delta(() => c.get(p));
        const f = await fresh.get(p);
        assert.equal(d.out.body.split(csrf).join('CSRF'), f.body.split(freshCsrf).join('CSRF'),
          `after ${what}, ${p} shows what the write changed`);
        // a page outside the write's scope is not voided by it (it may have outlived
        // APP_PAGE_SECONDS since it was kept: rendered again then, but not voided)
        // (the catalog and its searches: made again from their page kept with holes)
        if (voided?.has(p)) assert.equal(d.misses + d.refills, 1, `after ${what}, ${p} is rendered again`);
        else if (voided) assert.equal(d.voided, 0, `after ${what}, ${p} is not voided`);
      }
    };
    const before_ = {};
    for (const p of ['/', '/passport', '/me/assignments', '/courses']) before_[p] = (await c.get(p)).body;
    await check('a self-assessment', () => declare(c, 'CRCN-2.1'), EVIDENCE);
    assert.notEqual((await c.get('/passport')).body, before_['/passport'], 'the passport shows it');
    // evidence another person gives (an attestation): the path's recommendations toward its target go
    await check('an attestation', () => sql(`INSERT INTO evidence(user_id, competency_id, level, kind, source_ref, comment, created_at)
      SELECT ${uid}, id, ${targetLevel}, 'attested', 'test', 'cache test', 1 FROM competencies WHERE code = '${target}'`), EVIDENCE);
    const assignments = (await c.get('/me/assignments')).body;
    assert.notEqual(assignments, before_['/me/assignments'], 'the assignments page lost its recommendations');
    // a module visit (the player records it), then a failed attempt: progress
    const meta = (html) => (html.match(/<p class="learn-meta">([\s\S]*?)<\/p>/) || [])[1];
    let form;
    await check('a module visit', async () => {
      const page = await c.get(`/modules/${mid}`);
      assert.equal(page.status, 200);
      form = { hidden: findForm(page.body, `/modules/${mid}/attempts`).hidden, shown: formQuestions(page.body),
        meta: meta(page.body) };
    }, LEARN);
    assert.notEqual((await c.get('/courses')).body, before_['/courses'], 'the catalog shows the module started');
    assert.notEqual((await c.get('/me/assignments')).body, assignments, 'so do the assignments');
    await check('a failed attempt', async () => {
      for (let i = 0; i < 2; i++) { // the second from the player's memo
        const page = await c.get(`/modules/${mid}`);
        form = { hidden: findForm(page.body, `/modules/${mid}/attempts`).hidden, shown: formQuestions(page.body),
          meta: meta(page.body) };
      }
      const r = await c.post(`/modules/${mid}/attempts`, answerFields(form.hidden, wrongAnswers(mod, form.shown)));
      assert.equal(r.status, 303, r.body.slice(0, 300));
    }, LEARN);
    // the module page (its player memo shows learning data) counts the attempt at once
    const after = meta((await c.get(`/modules/${mid}`)).body);
    assert.notEqual(after, form.meta, 'the module page shows the attempt');
    assert.equal(after, meta((await (await signedIn(email)).get(`/modules/${mid}`)).body));
    // a passed attempt: measured evidence and progress (and maybe a badge): content only
    await check('a passed attempt', async () => {
      const page = await c.get(`/modules/${mid}`);
      const f = findForm(page.body, `/modules/${mid}/attempts`);
      const r = await c.post(`/modules/${mid}/attempts`, answerFields(f.hidden, rightAnswers(mod, formQuestions(page.body))));
      assert.equal(r.status, 303, r.body.slice(0, 300));
    }, null);
  });

  // The catalog (and its search results) is kept a second time with holes for each
  // module's status and each course's progress line (docs/performance.md): a learning
  // change voids the whole page, and the next request refills the holes from one read of
  // the agent's progress instead of rendering it all. The refilled page must be the bytes
  // a new session renders whole (but for the CSRF token): a hole refilled with another
  // module's status, or a status left from before, differs.
  test("an attempt on module M: the catalog's next request shows M's new status and the other modules' unchanged", async () => {
    const email = 'cache-catalog@demo.passport.test';
    cli('add', email, '--role', 'agent', '--name', 'Agent catalogue');
    const M = 'phishing-basics';
    const mod = parseModule(moduleFileById(M));
    const slug = sql(`SELECT course_slug FROM modules WHERE id = '${M}'`);
    const pages = ['/courses', `/courses?q=${encodeURIComponent(norm(mod.front.title).split(' ').find((w) => w.length > 5))}`];
    const c = await signedIn(email);
    const csrfOf = async (x) => JSON.parse((await x.get('/api/v1/me')).body).csrf;
    const csrf = await csrfOf(c);
    // each module's status cell (the last of its row), and each course's progress line
    const statuses = (html) => Object.fromEntries([...html.matchAll(
      /<a href="\/modules\/([^"]+)"[^>]*>[\s\S]*?<td>((?:(?!<td>)[\s\S])*?)<\/td>\s*<\/tr>/g)].map((m) => [m[1], m[2]]));
    const courses = (html) => Object.fromEntries([...html.matchAll(
      /<h2 id="course-([^"]+)">[\s\S]*?<p class="learn-meta">([\s\S]*?)<\/p>/g)].map((m) => [m[1], m[2]]));
    // the module page's visit is a learning change too: before it, the pages are kept
    const visit = await c.get(`/modules/${M}`);
    assert.equal(visit.status, 200);
    const before_ = {};
    for (const p of pages) {
      await c.get(p);
      const d = await delta(() => c.get(p));
      assert.deepEqual([d.out.status, d.hits], [200, 1], `${p} is kept`);
      before_[p] = d.out.body;
    }
    assert.ok(Object.keys(statuses(before_['/courses'])).length > 20, 'the catalog lists the modules');
    assert.ok(Object.keys(statuses(before_[pages[1]])).includes(M), `the search finds ${M}`);
    const f = findForm(visit.body, `/modules/${M}/attempts`);
    // a failed attempt: learning data alone (a passed one may issue a badge, which voids everything)
    const r = await c.post(`/modules/${M}/attempts`, answerFields(f.hidden, wrongAnswers(mod, formQuestions(visit.body))));
    assert.equal(r.status, 303, r.body.slice(0, 300));
    const fresh = await signedIn(email); // renders its pages whole, after the attempt
    const freshCsrf = await csrfOf(fresh);
    for (const p of pages) {
      const d = await delta(() => c.get(p));
      assert.deepEqual([d.out.status, d.voided, d.refills, d.misses], [200, 1, 1, 0], `${p} is refilled, not rendered`);
      const whole = await delta(() => fresh.get(p));
      assert.deepEqual([whole.refills, whole.misses], [0, 1], `${p} of the new session is rendered whole`);
      assert.equal(d.out.body.split(csrf).join('CSRF'), whole.out.body.split(freshCsrf).join('CSRF'),
        `${p} refilled is the page rendered whole`);
      const was = statuses(before_[p]), now = statuses(d.out.body);
      assert.deepEqual(Object.keys(now), Object.keys(was), `${p} lists the same modules`);
      assert.notEqual(now[M], was[M], `${p} shows ${M}'s attempt`);
      assert.match(now[M], /learn-in-progress/);
      for (const id of Object.keys(was)) if (id !== M) assert.equal(now[id], was[id], `${p}: ${id}'s status is unchanged`);
      if (p === '/courses') { // refilled too; a failed attempt moves no course's progress
        const cw = courses(before_[p]), cn = courses(d.out.body);
        assert.ok(Object.keys(cw).includes(slug) && Object.keys(cw).length > 3, 'the catalog lists the courses');
        assert.deepEqual(cn, cw);
      }
      const again = await delta(() => c.get(p));
      assert.deepEqual([again.hits, again.out.body], [1, d.out.body], `${p} refilled is kept whole again`);
    }
  });

  // The module page is kept with holes for its one-time nonce and drawn questions
  // (docs/performance.md): each request gets its own, the rest is the kept rendering,
  // voided by the agent's next attempt like the other pages that show progress.
  test('the module page is kept but for its quiz form, which each request draws anew', async () => {
    const email = 'cache-module@demo.passport.test';
    cli('add', email, '--role', 'agent', '--name', 'Agent module');
    const c = await signedIn(email);
    const id = 'phishing-basics';
    const mod = parseModule(moduleFileById(id));
    const nonceOf = (html) => (html.match(/name="nonce" value="([^"]+)"/) || [])[1];
    const csrfOf = async (x) => JSON.parse((await x.get('/api/v1/me')).body).csrf;
    // the page but for the form's nonce and questions (and the session's CSRF token)
    const rest = (html, csrf) => html.split(csrf).join('CSRF')
      .replace(/(name="nonce" value=")[^"]+(">)[\s\S]*?(<p><button)/, '$1$2$3');
    // the first request records the visit, a change of the agent's learning made by the
    // request itself: the page it keeps is stamped after it, not voided by it
    const first = await delta(() => c.get(`/modules/${id}`));
    assert.deepEqual([first.out.status, first.hits, first.misses], [200, 0, 1], 'rendered and kept');
    const pages = [];
    for (let i = 0; i < 3; i++) {
      const d = await delta(() => c.get(`/modules/${id}`));
      assert.deepEqual([d.out.status, d.hits, d.misses], [200, 1, 0], 'served from the kept page');
      pages.push(d.out.body);
    }
    const csrf = await csrfOf(c);
    const nonces = new Set([first.out.body, ...pages].map(nonceOf));
    assert.equal(nonces.size, 4, 'a new nonce for each request');
    for (const p of pages) assert.equal(rest(p, csrf), rest(first.out.body, csrf));
    assert.ok(formQuestions(pages[2]).length > 0, 'the drawn questions are in the form');
    // a form from the kept page is a real one: it passes, and the next page shows it
    const f = findForm(pages[2], `/modules/${id}/attempts`);
    const r = await c.post(`/modules/${id}/attempts`, answerFields(f.hidden, rightAnswers(mod, formQuestions(pages[2]))));
    assert.equal(r.status, 303, r.body.slice(0, 300));
    const after = await delta(() => c.get(`/modules/${id}`));
    assert.deepEqual([after.hits, after.misses, after.voided], [0, 1, 1], 'the attempt voided the kept page');
    const fresh = await signedIn(email);
    const f2 = (await fresh.get(`/modules/${id}`)).body;
    assert.equal(rest(after.out.body, csrf), rest(f2, await csrfOf(fresh)), 'it shows the passed module');
    assert.notEqual(rest(after.out.body, csrf), rest(first.out.body, csrf));
  });

  // The module page (and its player memo) shows the agent's learning data of its module
  // and of the module's copies in other languages alone (store/changelog.h,
  // changelog_current_modules): an attempt on module A voids A's page, not B's.
  test("an attempt on one module voids that module's page, not the agent's page of another", async () => {
    const email = 'cache-two-modules@demo.passport.test';
    cli('add', email, '--role', 'agent', '--name', 'Agent deux modules');
    const c = await signedIn(email);
    const A = 'phishing-basics', B = 'tableur-trier-filtrer-formules';
    const mod = parseModule(moduleFileById(A));
    const meta = (html) => (html.match(/<p class="learn-meta">([\s\S]*?)<\/p>/) || [])[1];
    const kept = {};
    for (const id of [A, B]) {
      assert.equal((await c.get(`/modules/${id}`)).status, 200); // records the visit, kept
      const d = await delta(() => c.get(`/modules/${id}`));
      assert.deepEqual([d.out.status, d.hits, d.misses], [200, 1, 0], `${id}'s page is kept`);
      kept[id] = d.out.body;
    }
    const r = await c.post(`/modules/${A}/attempts`,
      answerFields(findForm(kept[A], `/modules/${A}/attempts`).hidden, wrongAnswers(mod, formQuestions(kept[A]))));
    assert.equal(r.status, 303, r.body.slice(0, 300));
    // B's page is not voided (served from the cache, or rendered again only if it outlived APP_PAGE_SECONDS)
    const b = await delta(() => c.get(`/modules/${B}`));
    assert.deepEqual([b.out.status, b.voided, b.hits + b.misses], [200, 0, 1], `the attempt on ${A} leaves ${B}'s page kept`);
    assert.equal(meta(b.out.body), meta(kept[B]));
    const a = await delta(() => c.get(`/modules/${A}`));
    assert.deepEqual([a.out.status, a.hits, a.misses, a.voided], [200, 0, 1, 1], `the attempt voided ${A}'s page`);
    assert.notEqual(meta(a.out.body), meta(kept[A]), 'which shows the attempt at once');
    assert.equal(meta(a.out.body), meta((await (await signedIn(email)).get(`/modules/${A}`)).body));
  });

  // A module whose quiz is locked (its failed attempts used up) shows no form: its page is
  // kept whole, until the lock ends (the player memo's bounds).
  test('a module page whose quiz is locked is kept whole', async () => {
    const email = 'cache-locked@demo.passport.test';
    cli('add', email, '--role', 'agent', '--name', 'Agent verrouillé');
    const c = await signedIn(email);
    const id = 'graphique-simple-honnete';
    const mod = parseModule(moduleFileById(id));
    for (let i = 0; ; i++) {
      const page = (await c.get(`/modules/${id}`)).body;
      if (page.includes('class="alert alert-error"')) break; // locked
      assert.ok(i < 10, 'the quiz locks after its failed attempts');
      const r = await c.post(`/modules/${id}/attempts`,
        answerFields(findForm(page, `/modules/${id}/attempts`).hidden, wrongAnswers(mod, formQuestions(page))));
      assert.equal(r.status, 303, r.body.slice(0, 300));
    }
    const first = await delta(() => c.get(`/modules/${id}`));
    assert.deepEqual([first.out.status, first.hits, first.misses], [200, 1, 0], 'served from the kept page');
    const again = await delta(() => c.get(`/modules/${id}`));
    assert.deepEqual([again.hits, again.misses], [1, 0]);
    assert.equal(again.out.body, first.out.body, 'the same bytes');
    assert.ok(!again.out.body.includes(`action="/modules/${id}/attempts"`), 'no form while locked');
    const fresh = await signedIn(email);
    const csrfOf = async (x) => JSON.parse((await x.get('/api/v1/me')).body).csrf;
    assert.equal(again.out.body.split(await csrfOf(c)).join('CSRF'),
      (await fresh.get(`/modules/${id}`)).body.split(await csrfOf(fresh)).join('CSRF'), 'what a new session sees');
  });

  test('a change everyone sees (a renamed person) empties every agent\'s pages', async () => {
    const b = await signedIn(DEMO.agent2);
    await b.get('/courses');
    assert.deepEqual(Object.values(await delta(() => b.get('/courses'))).slice(0, 2), [1, 0]);
    sql(`UPDATE users SET display_name = 'Manager renommé' WHERE email = '${DEMO.manager}'`);
    const d = await delta(() => b.get('/courses'));
    assert.deepEqual([d.hits, d.misses], [0, 1]);
  });

  test('the command line disabling an account is seen by the very next request', async () => {
    const email = 'cache-disabled@demo.passport.test';
    cli('add', email, '--role', 'agent', '--name', 'Agent cache');
    const c = await signedIn(email);
    assert.equal((await c.get('/courses')).status, 200);
    const warm = await delta(() => c.get('/courses'));
    assert.deepEqual([warm.out.status, warm.hits], [200, 1], 'served from the cache before');
    cli('disable', email);
    const r = await c.get('/courses');
    assert.equal(r.status, 303, 'signed out at the next request');
    assert.equal((await c.get('/api/v1/me')).status, 401);
  });

  test('the command line changing roles is seen by the very next request', async () => {
    const email = 'cache-roles@demo.passport.test';
    cli('add', email, '--role', 'agent,manager', '--name', 'Manager cache');
    const c = await signedIn(email);
    for (let i = 0; i < 2; i++) {
      const r = await c.get('/courses');
      assert.match(r.body, /href="\/team/, 'the manager sees the team link');
    }
    assert.equal((await c.get('/team/people')).status, 200);
    cli('roles', email, '--role', 'agent');
    const r = await c.get('/courses');
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.body, /href="\/team/, 'the cached page with the team link is not served');
    assert.equal((await c.get('/team/people')).status, 403, 'the removed role takes effect');
  });

  test('the command line resetting a password ends the session at the very next request', async () => {
    const email = 'cache-passwd@demo.passport.test';
    cli('add', email, '--role', 'agent', '--name', 'Agent mot de passe');
    const c = await signedIn(email);
    await c.get('/');
    assert.equal((await c.get('/')).status, 200);
    cli('passwd', email);
    const r = await c.get('/');
    assert.equal(r.status, 303);
    assert.equal(r.location, '/login?next=%2F');
  });

  test('no write after a cache hit restores a stale field (locale, profile, notifications, self-assessment)', async () => {
    const email = 'cache-writes@demo.passport.test';
    cli('add', email, '--role', 'agent,manager', '--name', 'Agent formulaires');
    const c = await signedIn(email);
    const warm = async () => {
      for (const p of ['/', '/me/profile', '/passport', '/courses']) { await c.get(p); await c.get(p); }
    };
    const row = () => sql(`SELECT roles || '|' || locale || '|' || CASE WHEN disabled_at IS NULL THEN 1 ELSE 0 END FROM users WHERE email = '${email}'`);
    await warm();
    // another process changes the roles; every form of the account or profile follows
    cli('roles', email, '--role', 'agent');
    let r = await c.submit('/me/profile', '/locale', { locale: 'en', next: '/' });
    assert.equal(r.status, 303);
    assert.equal(row(), '1|en|1', '/locale wrote the locale alone');
    assert.equal(htmlLang((await c.get('/')).body), 'en', 'the next page is in English, not the cached French one');
    await warm();
    sql(`UPDATE users SET roles = 3 WHERE email = '${email}'`);
    r = await c.submit('/me/profile', '/me/profile', { bio: 'Écrit après un cache', interests: 'cartes', languages: 'fr' });
    assert.equal(r.status, 303, r.body.slice(0, 300));
    assert.equal(row(), '3|en|1', 'the profile form kept the roles another process set');
    await warm();
    const id = sql(`SELECT id FROM users WHERE email = '${email}'`);
    sql(`UPDATE profiles SET interests = 'changé ailleurs' WHERE user_id = ${id}`);
    const csrf = await c.csrf('/me/profile', '/me/profile');
    r = await c.request('POST', '/api/v1/me/profile', {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ bio: 'Seule la bio' }),
    });
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.equal(sql(`SELECT interests FROM profiles WHERE user_id = ${id}`), 'changé ailleurs',
      'a field the request does not carry keeps the stored value, not a cached one');
    await warm();
    cli('roles', email, '--role', 'agent');
    r = await c.submit('/me/notifications', '/me/notifications', { pref: 'digest' });
    assert.equal(r.status, 303, r.body.slice(0, 300));
    await declare(c, 'CRCN-1.1');
    assert.equal(row(), '1|en|1', 'the notifications form and a self-assessment kept the roles');
    await c.submit('/me/profile', '/locale', { locale: 'fr', next: '/' });
    assert.equal(row(), '1|fr|1');
    assert.equal(htmlLang((await c.get('/')).body), 'fr');
  });
});
