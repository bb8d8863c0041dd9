// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of e-mail and passwords without an admin typing them, against a real
// SMTP server on loopback (tests/e2e/mailbox.mjs: STARTTLS with a certificate of the run,
// AUTH): an invitation then the password chosen through its link (one use), the CSV
// import's invitations, a reset (same answer for unknown addresses, rate limited, one
// use, ends other sessions and API tokens), /me/password, notices in the recipient's
// language and as the preference says, /admin/outbox, and the mail server down then
// back (each message delivered once). axe-core on the new pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

import {
  BIN, DEMO, client, findForm, formatViolations, freePort, launchBrowser, newContext, pageText, runAxe,
  sqlRows, sqlText, startServer,
} from './helpers.mjs';
import { linkIn, mailEnv, mailFiles, startMailbox, to } from './mailbox.mjs';

const NEW_PASSWORD = 'Une phrase de passe assez longue 2026';
let files;
let mailbox;
let server;

before(async () => {
  files = mailFiles();
  const port = await freePort();
  mailbox = await startMailbox(files, port);
  server = await startServer({ env: mailEnv(files, port) });
});

after(async () => {
  await server?.stop();
  await mailbox?.close();
  if (files) fs.rmSync(files.dir, { recursive: true, force: true });
});

async function login(email, password) {
  const c = client(server);
  await c.loginOk(email, password);
  return c;
}

/** The path and query of an absolute link of a message. */
const local = (link) => { const u = new URL(link); return u.pathname + u.search; };

/** Chooses password through the page a link opens. */
async function choosePassword(c, link, password, again = password) {
  const page = await c.get(local(link));
  assert.equal(page.status, 200, page.body.slice(0, 500));
  const form = findForm(page.body, '/password/set');
  return c.post('/password/set', { ...form.hidden, password, password2: again });
}

/** Outbox rows as the admin page lists them: [{id, state, kind, to}]. */
async function outbox(admin, state = '') {
  const page = await admin.get(`/admin/outbox${state ? `?state=${state}` : ''}`);
  assert.equal(page.status, 200);
  return [...page.body.matchAll(/<tr data-id="(\d+)" data-state="(\w+)" data-kind="(\w+)">\s*<td>([^<]*)<\/td>/g)]
    .map((m) => ({ id: Number(m[1]), state: m[2], kind: m[3], to: m[4] }));
}

describe('e-mail', () => {
  test('an account made without a password gets an invitation; its link sets the password once', async () => {
    const admin = await login(DEMO.admin);
    const email = 'nouvelle.agente@demo.passport.test';
    const res = await admin.submit('/admin/users/new', '/admin/users', {
      email, name: 'Nina Nouvelle', role_agent: '1', locale: 'fr',
    });
    assert.equal(res.status, 303, res.body.slice(0, 500));
    const list = await admin.get(`/admin/users?q=${encodeURIComponent(email)}`);
    assert.match(pageText(list.body), /Nina Nouvelle.*Invité/);
    const [mail] = await mailbox.waitFor(to(email));
    assert.equal(mail.secure, true, 'STARTTLS was used');
    assert.equal(mail.subject, 'Votre compte Passport vous attend');
    assert.match(mail.text, /Bonjour Nina Nouvelle/);
    assert.match(mail.html, /<a href="http:\/\/127\.0\.0\.1:\d+\/password\/set\?t=[0-9a-f]{64}">/);
    const link = linkIn(mail, '/password/set');
    assert.ok(link.startsWith(server.url), link);

    const anon = client(server);
    assert.equal((await anon.login(email, NEW_PASSWORD)).status, 401, 'no password before the invitation is used');
    let r = await choosePassword(anon, link, NEW_PASSWORD, 'autre chose de différent 2026');
    assert.equal(r.status, 422, 'the two copies must match');
    r = await choosePassword(anon, link, 'court');
    assert.equal(r.status, 422, 'the policy applies');
    r = await choosePassword(anon, link, NEW_PASSWORD);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login?done=password');
    await anon.loginOk(email, NEW_PASSWORD);
    const again = await client(server).get(local(link));
    assert.equal(again.status, 410, 'an invitation works once');
    assert.match(pageText((await admin.get(`/admin/users?q=${encodeURIComponent(email)}`)).body), /Nina Nouvelle.*Actif/);
    // the sent row keeps no link: the token left with the message
    const rows = await outbox(admin, 'sent');
    assert.ok(rows.some((m) => m.kind === 'invitation' && m.to === email));
  });

  test('the CSV import and the command line invite; the admin can send an invitation again', async () => {
    const admin = await login(DEMO.admin);
    const csv = 'email;name;roles;locale\nimport.un@demo.passport.test;Import Un;agent;en\n';
    const csrf = await admin.csrf('/admin/import', '/admin/import');
    const r = await admin.postMultipart('/admin/import', { _csrf: csrf },
      { file: { filename: 'users.csv', content: csv, type: 'text/csv' } });
    assert.equal(r.status, 200, r.body.slice(0, 500));
    const [first] = await mailbox.waitFor(to('import.un@demo.passport.test'));
    assert.equal(first.subject, 'Your Passport account is waiting for you', 'in the account\'s language');
    assert.match(first.text, /Hello Import Un/);

    const cli = spawnSync(BIN, ['user', 'add', 'cli.invite@demo.passport.test', '--role', 'agent', '--name', 'Cli Invite',
      '--invite', '--data', server.dataDir], { encoding: 'utf8', input: '', env: server.cliEnv });
    assert.equal(cli.status, 0, cli.stderr);
    const [cliMail] = await mailbox.waitFor(to('cli.invite@demo.passport.test'));
    const oldLink = linkIn(cliMail, '/password/set');

    const id = Number(/\/admin\/users\/(\d+)/.exec((await admin.get('/admin/users?q=cli.invite')).body)[1]);
    const page = await admin.get(`/admin/users/${id}`);
    assert.match(pageText(page.body), /pas encore de mot de passe/);
    const resent = await admin.submit(`/admin/users/${id}`, `/admin/users/${id}/invite`);
    assert.equal(resent.status, 303);
    const mails = await mailbox.waitFor((m) => to('cli.invite@demo.passport.test')(m) && linkIn(m, '/password/set') !== oldLink);
    assert.equal(mails.length, 1);
    assert.equal((await client(server).get(local(oldLink))).status, 410, 'the older link stops');
    assert.equal((await client(server).get(local(linkIn(mails[0], '/password/set')))).status, 200);
  });

  test('a reset: same answer for unknown addresses, one use, other sessions and API tokens end', async () => {
    const email = DEMO.agent2;
    const other = await login(email); // a session elsewhere, and a token
    const made = await other.submit('/me/tokens', '/me/tokens', { name: 'script' });
    const token = /value="(ppt_[0-9a-f]{64})"/.exec(made.body)[1];
    const anon = client(server);
    const known = await anon.submit('/forgot', '/forgot', { email });
    const unknown = await anon.submit('/forgot', '/forgot', { email: 'personne@demo.passport.test' });
    assert.equal(known.status, 200);
    assert.equal(unknown.status, 200);
    assert.equal(pageText(known.body).replace(/\s+/g, ' '), pageText(unknown.body).replace(/\s+/g, ' '));
    const [mail] = await mailbox.waitFor(to(email));
    assert.equal(mail.subject, 'Réinitialiser votre mot de passe Passport');
    assert.match(mail.text, /15 minutes/);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(mailbox.messages.filter(to('personne@demo.passport.test')).length, 0);

    const r = await choosePassword(anon, linkIn(mail, '/password/set'), NEW_PASSWORD);
    assert.equal(r.status, 303);
    assert.equal((await anon.get(local(linkIn(mail, '/password/set')))).status, 410, 'one use');
    assert.equal((await other.get('/me/profile')).status, 303, 'the other session ended');
    const api = await client(server).request('GET', '/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(api.status, 401, 'the API token was revoked');
    assert.equal((await client(server).login(email)).status, 401, 'the old password is gone');
    await client(server).loginOk(email, NEW_PASSWORD);
  });

  test('reset mail to one address is capped at 3 an hour; past it the page answers the same', async () => {
    const anon = client(server);
    const email = DEMO.agent2; // reset once by the test above, nobody's later
    const resets = () => Number(sqlText(server, `SELECT count(*) FROM outbox o JOIN users u ON u.id = o.user_id WHERE u.email = '${email}' AND o.kind = 'reset'`));
    const pending = () => Number(sqlText(server, 'SELECT count(*) FROM reset_requests'));
    const made = resets();
    const delivered = mailbox.messages.filter(to(email)).length;
    const pages = new Set();
    for (let i = 0; i < 5; i++) {
      const r = await anon.submit('/forgot', '/forgot', { email });
      assert.equal(r.status, 200);
      pages.add(pageText(r.body).replace(/\s+/g, ' '));
      // each request in a batch of its own (a batch serves an address once)
      for (let t = 0; pending() > 0; t++) {
        assert.ok(t < 150, 'the mail worker takes the request');
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    assert.equal(pages.size, 1, 'the same page every time');
    assert.equal(made, 1);
    assert.equal(resets(), 3, 'three reset e-mails in the hour (the first by the test above), not six');
    // delivered before the next tests count messages
    for (let t = 0; mailbox.messages.filter(to(email)).length < delivered + 2; t++) {
      assert.ok(t < 150, 'the two new e-mails are delivered');
      await new Promise((res) => setTimeout(res, 100));
    }
  });

  test('/me/password needs the current password and keeps only this session', async () => {
    const email = DEMO.manager;
    const here = await login(email);
    const elsewhere = await login(email);
    let r = await here.submit('/me/password', '/me/password', { current: 'pas le bon', password: NEW_PASSWORD, password2: NEW_PASSWORD });
    assert.equal(r.status, 422);
    assert.match(pageText(r.body), /mot de passe actuel est incorrect/);
    const form = await here.form('/me/password', '/me/password');
    r = await here.post('/me/password', { ...form.hidden, current: 'E2e-Demo-Password-2026!', password: NEW_PASSWORD, password2: NEW_PASSWORD });
    assert.equal(r.status, 303);
    assert.equal((await here.get('/me/password?done=1')).status, 200, 'this session stays');
    assert.equal((await elsewhere.get('/me/profile')).status, 303, 'the other one ended');
    await client(server).loginOk(email, NEW_PASSWORD);
  });

  test('notices go by e-mail in the recipient\'s language, as their preference says', async () => {
    const admin = await login(DEMO.admin);
    const agent = await login(DEMO.agent);
    // the agent reads English
    await agent.submit('/', '/locale', { locale: 'en' });
    const csrf = await admin.csrf('/admin/badges', '/admin/badges/award');
    let r = await admin.post('/admin/badges/award', { _csrf: csrf, email: DEMO.agent, slug: 'donnees-personnelles', narrative: 'Atelier' });
    assert.equal(r.status, 303, r.body.slice(0, 500));
    const [mail] = await mailbox.waitFor((m) => to(DEMO.agent)(m) && /Badge earned/.test(m.subject));
    assert.match(mail.text, /You received the badge/);
    assert.match(mail.html, /\/badges"/);

    // digest: held in the outbox, not sent now; essential: nothing queued at all
    const hr = await login(DEMO.hr);
    await hr.submit('/me/notifications', '/me/notifications', { pref: 'digest' });
    const before_ = mailbox.messages.length;
    r = await admin.post('/admin/badges/award', { _csrf: csrf, email: DEMO.hr, slug: 'donnees-personnelles', narrative: 'x' });
    assert.equal(r.status, 303);
    await new Promise((res) => setTimeout(res, 2000));
    assert.equal(mailbox.messages.length, before_, 'a digest reader gets nothing at once');
    assert.ok((await outbox(admin, 'held')).some((m) => m.to === DEMO.hr && m.kind === 'badge_awarded'));
    const page = await hr.get('/me/notifications');
    assert.match(page.body, /value="digest" checked/);
  });

  test('the admin outbox lists queued, sent and failed messages; others may not see it', async () => {
    const admin = await login(DEMO.admin);
    const page = await admin.get('/admin/outbox');
    assert.equal(page.status, 200);
    assert.match(page.body, /data-state="sent">\d+/);
    assert.ok(!/password\/set\?t=/.test(page.body), 'links are never shown');
    assert.equal((await (await login(DEMO.agent)).get('/admin/outbox')).status, 403);
  });

  // last of the file's resets: the client's allowance is used up after it
  test('reset requests from one client have their own counter: past it 429, and logins from there go on', async () => {
    const anon = client(server);
    let r;
    for (let n = 0; n < 30; n++) {
      r = await anon.submit('/forgot', '/forgot', { email: `client${n}@demo.passport.test` });
      if (r.status !== 200) break;
    }
    assert.equal(r.status, 429);
    await client(server).loginOk(DEMO.admin, 'E2e-Demo-Password-2026!');
  });
});

describe('the mail server down, then back', () => {
  let down;
  let box;
  let port;
  before(async () => {
    port = await freePort(); // nothing listens there yet
    down = await startServer({ env: mailEnv(files, port) });
  });
  after(async () => {
    await down?.stop();
    await box?.close();
  });

  test('messages wait, are retried, then delivered once each', async () => {
    const admin = client(down);
    await admin.loginOk(DEMO.admin);
    const emails = ['attente.un@demo.passport.test', 'attente.deux@demo.passport.test'];
    for (const email of emails) {
      const res = await admin.submit('/admin/users/new', '/admin/users', { email, name: email, role_agent: '1' });
      assert.equal(res.status, 303);
    }
    // at least one failed attempt recorded, the rows still queued
    const deadline = Date.now() + 15_000;
    let rows;
    for (;;) {
      const page = await admin.get('/admin/outbox?state=queued');
      rows = [...page.body.matchAll(/<tr data-id="\d+" data-state="queued" data-kind="invitation">\s*<td>([^<]*)<\/td>\s*<td>[^<]*<\/td>\s*<td>[^<]*<\/td>\s*<td>(\d+)<\/td>/g)];
      if (rows.length === 2 && rows.every((m) => Number(m[2]) >= 1)) break;
      assert.ok(Date.now() < deadline, 'two queued invitations with an attempt each');
      await new Promise((r) => setTimeout(r, 200));
    }
    box = await startMailbox(files, port);
    for (const email of emails) await box.waitFor(to(email), 20_000);
    await new Promise((r) => setTimeout(r, 2500)); // later passes must not send them again
    for (const email of emails) assert.equal(box.messages.filter(to(email)).length, 1, email);
    const sent = await admin.get('/admin/outbox?state=sent');
    assert.equal([...sent.body.matchAll(/data-kind="invitation"/g)].length, 2);
  });
});

describe('a crash in the middle of a transfer', () => {
  // The mailbox holds its answer at a chosen point of the transfer; the server is killed
  // (SIGKILL) there, then started again on the same database with its clock past the lease
  // of the claimed row (OUTBOX_LEASE_SECONDS, 300 s), as a server restarted later would be.
  let box;
  let first;
  let second;
  let third;
  after(async () => {
    await third?.stop();
    for (const s of [second, first]) await s?.stop().catch(() => {}); // killed: their exit is not clean
    await box?.close();
  });

  const invite = (server, email) => {
    const r = spawnSync(BIN, ['user', 'add', email, '--role', 'agent', '--name', email, '--invite', '--data', server.dataDir],
      { encoding: 'utf8', input: '', env: server.cliEnv });
    assert.equal(r.status, 0, r.stderr);
  };
  const stateOf = (server, email) => sqlText(server, `SELECT state FROM outbox WHERE to_addr = '${email}' AND kind = 'invitation'`);
  const kill = async (server) => { server.signal('SIGKILL'); await server.exited(); };
  const waitUntil = async (what, fn, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!(await fn())) {
      assert.ok(Date.now() < deadline, what);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  test('killed after the message went out: never sent again; killed before it: sent once after the restart', async () => {
    const port = await freePort();
    const after_ = 'apres.data@demo.passport.test';
    const before_ = 'avant.data@demo.passport.test';
    const held = { rcpt: false, data: false };
    const never = new Promise(() => {});
    box = await startMailbox(files, port, {
      hold: {
        // the whole message is here, the server waits for our "250": the crash comes now
        data: (m) => (m.to_envelope.includes(after_) && !held.data ? ((held.data = true), never) : undefined),
        // the server waits for the recipient's acceptance: no byte of the message sent yet
        rcpt: (address) => (address === before_ && !held.rcpt ? ((held.rcpt = true), never) : undefined),
      },
    });
    const env = mailEnv(files, port);
    first = await startServer({ env });
    const database = { PASSPORT_DATABASE: first.database };

    invite(first, after_);
    await waitUntil('the message reached the mailbox', () => held.data);
    assert.equal(stateOf(first, after_), 'delivering');
    await kill(first);
    second = await startServer({ dataDir: first.dataDir, env: { ...env, ...database, PASSPORT_CLOCK_OFFSET: '400' } });
    // the lease ran out while the server may have accepted it: failed, for a person to judge
    await waitUntil('the row is failed', () => stateOf(second, after_) === 'failed');
    assert.match(sqlText(second, `SELECT last_error FROM outbox WHERE to_addr = '${after_}'`), /may have been delivered/);

    invite(second, before_);
    await waitUntil('the mailbox was asked for the recipient', () => held.rcpt);
    assert.equal(stateOf(second, before_), 'sending');
    await kill(second);
    third = await startServer({ dataDir: first.dataDir, env: { ...env, ...database, PASSPORT_CLOCK_OFFSET: '800' } });
    // nothing reached the mail server: queued again, then delivered
    await box.waitFor(to(before_), 20_000);
    await waitUntil('the row is sent', () => stateOf(third, before_) === 'sent');
    await new Promise((r) => setTimeout(r, 2500)); // later passes send nothing again
    assert.equal(box.messages.filter(to(before_)).length, 1, before_);
    assert.equal(box.messages.filter(to(after_)).length, 1, after_);
    assert.equal(stateOf(third, after_), 'failed');
  });
});

describe('TLS', () => {
  let server_;
  const boxes = [];
  after(async () => {
    await server_?.stop();
    for (const b of boxes) await b.close();
  });

  test('smtp:// never goes on without STARTTLS; smtps:// is TLS from the first byte', async () => {
    // a mail server that does not offer STARTTLS: nothing is sent in clear, the row waits
    const p1 = await freePort();
    const noTls = await startMailbox(files, p1, { server: { hideSTARTTLS: true, authOptional: true } });
    boxes.push(noTls);
    server_ = await startServer({ env: mailEnv(files, p1) });
    const admin = client(server_);
    await admin.loginOk(DEMO.admin);
    const email = 'sans.tls@demo.passport.test';
    assert.equal((await admin.submit('/admin/users/new', '/admin/users', { email, name: 'Sans TLS', role_agent: '1' })).status, 303);
    // the worker looks every second; a loaded CI machine (a full run's PostgreSQL pass once
    // saw no attempt within 20 s) gets 60 s, and the server's log when even that fails
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [row] = sqlRows(server_, `SELECT attempts || '|' || state || '|' || last_error FROM outbox WHERE to_addr = '${email}'`);
      if (row && Number(row.split('|')[0]) >= 1) {
        assert.match(row, /^\d+\|(queued|sending)\|/, row);
        break;
      }
      assert.ok(Date.now() < deadline, `an attempt was made: ${row}\n${server_.stderr().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(noTls.messages.length, 0, 'nothing was sent without TLS');

    // the same server restarted towards smtps://: the waiting message goes, over TLS at once
    const p2 = await freePort();
    const smtps = await startMailbox(files, p2, { server: { secure: true } });
    boxes.push(smtps);
    await server_.restart({ env: { PASSPORT_SMTP_URL: `smtps://127.0.0.1:${p2}` } });
    const [mail] = await smtps.waitFor(to(email), 20_000);
    assert.equal(mail.secure, true);
    assert.equal(noTls.messages.length, 0);
  });
});

describe('without --smtp-url', () => {
  test('messages stay queued and visible; nothing fails', async () => {
    const quiet = await startServer();
    try {
      const admin = client(quiet);
      await admin.loginOk(DEMO.admin);
      await admin.submit('/admin/users/new', '/admin/users', { email: 'file@demo.passport.test', name: 'File', role_agent: '1' });
      await new Promise((r) => setTimeout(r, 1500));
      const page = await admin.get('/admin/outbox?state=queued');
      assert.match(page.body, /data-state="queued" data-kind="invitation">\s*<td>file@demo\.passport\.test/);
      assert.match(page.body, /<td>0<\/td>/, 'no attempt was made');
    } finally {
      await quiet.stop();
    }
  });
});

describe('accessibility', () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('axe-core: no violation on the forgotten-password, password, e-mail and outbox pages', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const found = [];
    for (const p of ['/forgot', '/password/set?t=0000']) {
      await page.goto(server.url + p);
      const v = await runAxe(page);
      if (v.length) found.push(formatViolations(v, p));
    }
    await page.goto(`${server.url}/login`);
    await page.fill('#email', DEMO.admin);
    await page.fill('#password', 'E2e-Demo-Password-2026!');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    for (const p of ['/me/password', '/me/notifications', '/admin/outbox']) {
      await page.goto(server.url + p);
      const v = await runAxe(page);
      if (v.length) found.push(formatViolations(v, p));
    }
    await context.close();
    assert.deepEqual(found, []);
  });
});
