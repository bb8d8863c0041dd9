// SPDX-License-Identifier: EUPL-1.2
// A real SMTP server for the tests (npm smtp-server, loopback only): STARTTLS with a
// certificate made for the run (the server under test trusts it through
// PASSPORT_SMTP_CA_FILE), AUTH PLAIN/LOGIN against one user, every message parsed with
// mailparser and kept. Started and stopped by the test files themselves.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_USER = 'passport';
export const SMTP_PASSWORD = 'smtp-secret-for-tests';

/**
 * Files the server under test needs: a CA certificate (the self-signed certificate
 * itself, for 127.0.0.1) and a credentials file (mode 0600). {dir, key, cert, credentials}.
 */
export function mailFiles() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-smtp-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
  { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const credentials = path.join(dir, 'smtp-credentials');
  fs.writeFileSync(credentials, `${SMTP_USER}:${SMTP_PASSWORD}\n`, { mode: 0o600 });
  return { dir, key, cert, credentials };
}

/** The environment that points `passport serve` at a mailbox on port. */
export function mailEnv(files, port) {
  return {
    PASSPORT_SMTP_URL: `smtp://127.0.0.1:${port}`,
    PASSPORT_SMTP_FROM: 'Passport <noreply@passport.test>',
    PASSPORT_SMTP_CREDENTIALS_FILE: files.credentials,
    PASSPORT_SMTP_CA_FILE: files.cert,
    PASSPORT_SMTP_RETRY_SECONDS: '1',
  };
}

/**
 * Starts a mailbox on 127.0.0.1:port. Returns {port, messages, waitFor(pred, ms), close()};
 * messages are mailparser results plus `to` (the envelope recipient) and `secure` (the
 * session had switched to TLS). opts.hold (tests of a crash in the middle of a transfer):
 * hold.rcpt(address) and hold.data(mail), when they return a promise, delay the answer to
 * that RCPT TO, or to the end of that message (already kept in messages), until it settles.
 * opts.server: more smtp-server options ({secure: true}: TLS from the first byte, as
 * smtps://; {hideSTARTTLS: true}: a server that does not offer STARTTLS).
 */
export async function startMailbox(files, port, { hold = {}, server: more = {} } = {}) {
  const messages = [];
  const server = new SMTPServer({
    key: fs.readFileSync(files.key),
    cert: fs.readFileSync(files.cert),
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    logger: false,
    ...more,
    onAuth(auth, session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onRcptTo(address, session, cb) {
      Promise.resolve(hold.rcpt?.(address.address)).then(() => cb(), () => {});
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        mail.to_envelope = session.envelope.rcptTo.map((r) => r.address);
        mail.secure = session.secure;
        messages.push(mail);
        return Promise.resolve(hold.data?.(mail)).then(() => cb(), () => {});
      }, cb);
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port,
    messages,
    /** The messages for which pred holds, once there is at least one (or throws after ms). */
    async waitFor(pred, ms = 15_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = messages.filter(pred);
        if (found.length) return found;
        if (Date.now() > deadline) throw new Error(`no such message within ${ms} ms; got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close() { return new Promise((resolve) => server.close(resolve)); },
  };
}

/** Messages to address. */
export const to = (address) => (m) => m.to_envelope.includes(address);

/** The first https?:// link of a message's text part that contains needle. */
export function linkIn(mail, needle) {
  const m = (mail.text || '').match(new RegExp(`https?://\\S*${needle}\\S*`));
  if (!m) throw new Error(`no link with ${needle} in:\n${mail.text}`);
  return m[0];
}
