// SPDX-License-Identifier: EUPL-1.2
// Shared helpers of the end-to-end suite: start a real Passport server on a free port,
// a small cookie-keeping HTTP client, raw HTTP requests, headless Chromium and axe-core.
// Generic on purpose: any *.test.mjs may import it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Repository root (PASSPORT_ROOT, else two folders above this file). */
export const ROOT = process.env.PASSPORT_ROOT || path.resolve(here, '..', '..');
/** The server binary under test (PASSPORT_BIN, else the AddressSanitizer build). */
export const BIN = process.env.PASSPORT_BIN || path.join(ROOT, 'build', 'asan', 'passport');

/** Password of every demo account in the servers started here (PASSPORT_DEMO_PASSWORD). */
export const DEMO_PASSWORD = 'E2e-Demo-Password-2026!';

/** Demo accounts created by `passport init`, by role. */
export const DEMO = Object.freeze({
  admin: 'admin@demo.passport.test',
  hr: 'rh@demo.passport.test',
  manager: 'manager@demo.passport.test',
  agent: 'agent@demo.passport.test',
  agent2: 'agent2@demo.passport.test',
});

/** Text that a sanitizer prints when it finds a bug: any of them fails the test. */
const SANITIZER_MARKS = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:'];

const live = new Set(); // children still running, killed if the test process exits early
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

function sanitizerEnv(extra) {
  return {
    ...process.env,
    ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0',
    UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
    ...extra,
  };
}

/** Throws when a sanitizer report appears in `text` (stderr of a server or command). */
export function assertNoSanitizerReport(text, what) {
  const mark = SANITIZER_MARKS.find((m) => text.includes(m));
  if (mark) throw new Error(`${what}: sanitizer report (${mark}):\n${text.slice(-8000)}`);
}

/** A TCP port free on 127.0.0.1 right now (listen on 0, read the port, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The engine of the servers started here (PASSPORT_E2E_ENGINE): 'sqlite' (the default: the
 * data folder's passport.db) or 'postgresql' (a new database per server on the server of
 * PASSPORT_TEST_PG, whose role may create databases: scripts/pg-harness). Tests of what only
 * one engine has (the SQLite file itself) skip on the other. */
export const ENGINE = process.env.PASSPORT_E2E_ENGINE === 'postgresql' ? 'postgresql' : 'sqlite';
if (ENGINE === 'postgresql' && !process.env.PASSPORT_TEST_PG) {
  throw new Error('PASSPORT_E2E_ENGINE=postgresql needs PASSPORT_TEST_PG (scripts/pg-harness)');
}
/** The advisory lock every write transaction takes on PostgreSQL (store/store_pg.c): a test
 * holds it to stand for another process writing, as BEGIN IMMEDIATE does on SQLite. */
export const PG_WRITE_LOCK = 0x50617373706f7274n; // a BigInt: the key does not fit a double
let databases = 0;

function psql(url, args, input) {
  return spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...args],
    { encoding: 'utf8', input, timeout: 60_000, maxBuffer: 256 << 20 });
}

/** A new empty database on the PostgreSQL server of PASSPORT_TEST_PG: its URL. */
function createDatabase() {
  const name = `e2e_${process.pid}_${++databases}_${Math.random().toString(36).slice(2, 8)}`;
  const r = psql(process.env.PASSPORT_TEST_PG, ['-c', `CREATE DATABASE ${name}`]);
  if (r.status !== 0) throw new Error(`CREATE DATABASE ${name}: ${r.stderr || r.error}`);
  const u = new URL(process.env.PASSPORT_TEST_PG);
  u.pathname = `/${name}`;
  return u.toString();
}

function dropDatabase(url) {
  const name = new URL(url).pathname.slice(1);
  psql(process.env.PASSPORT_TEST_PG, ['-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}

/** The database of a server a test starts by hand (`passport init` / `serve` without
 * startServer) in dataDir, on the engine under test: {database (as server.database), env
 * (PASSPORT_DATABASE on PostgreSQL, to add to the commands' environment), drop()}. On
 * PostgreSQL a new empty database that drop() removes; on SQLite dataDir's passport.db. */
export function engineDatabase(dataDir) {
  if (ENGINE !== 'postgresql') return { database: path.join(dataDir, 'passport.db'), env: {}, drop() {} };
  const url = createDatabase();
  return { database: url, env: { PASSPORT_DATABASE: url }, drop() { dropDatabase(url); } };
}

/** Runs query with the shell of database (psql for a PostgreSQL URL, else sqlite3 on the
 * file, waiting up to 5 s while the server holds its write lock): the spawnSync result. */
function shellQuery(database, query) {
  return database.startsWith('postgresql:')
    ? psql(database, ['-A', '-t', '-F', '|', '-c', query])
    : spawnSync('sqlite3', ['-cmd', '.timeout 5000', database, query], { encoding: 'utf8', maxBuffer: 256 << 20 });
}

/**
 * Makes every op ('INSERT', 'UPDATE' or 'DELETE') on table fail in a server's store, as a
 * database fault would (a trigger raising an error, on either engine), until the returned
 * function is called.
 */
export function storeFault(server, table, op = 'INSERT') {
  const name = `e2e_fault_${table}_${op.toLowerCase()}`;
  const pg = server.database.startsWith('postgresql:');
  sqlText(server, pg
    ? `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$;`
      + ` CREATE TRIGGER ${name} BEFORE ${op} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`
    : `CREATE TRIGGER ${name} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
  return () => sqlText(server, pg ? `DROP TRIGGER ${name} ON ${table}; DROP FUNCTION ${name}()` : `DROP TRIGGER ${name}`);
}

const rowsOf = (stdout) => (stdout.trim() === '' ? [] : stdout.trim().split('\n'));

/** Rows of query on a server's database, in the shells' text form (columns joined by '|',
 * one row per line, trimmed), or null when the shell failed or is missing. Any object with
 * a `database` (a PostgreSQL URL or a SQLite file's path) stands for a server. */
export function sqlRows(server, query) {
  const r = shellQuery(server.database, query);
  return r.status === 0 ? rowsOf(r.stdout) : null;
}

/** The text of query's answer on a server's database (rows joined by new lines); throws
 * with the shell's message when the query fails. */
export function sqlText(server, query) {
  const r = shellQuery(server.database, query);
  if (r.status !== 0) throw new Error(`query failed on ${server.database}: ${query}\n${r.stderr || r.error}`);
  return rowsOf(r.stdout).join('\n');
}

function runInit(dataDir, demo, env) {
  const args = ['init', '--data', dataDir, '--courses', env.PASSPORT_COURSES || path.join(ROOT, 'courses')];
  if (!demo) args.push('--no-demo');
  const r = spawnSync(BIN, args, {
    env: sanitizerEnv({ PASSPORT_DEMO_PASSWORD: DEMO_PASSWORD, ...env }),
    encoding: 'utf8',
    timeout: 180_000, // about 2 s on a quiet machine; over 60 s was seen at load 27
  });
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  if (r.error) throw new Error(`passport init: ${r.error.message}`);
  assertNoSanitizerReport(out, 'passport init');
  if (r.status !== 0) throw new Error(`passport init exited with ${r.status}:\n${out}`);
  return out;
}

function spawnServer(dataDir, port, env) {
  const args = ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`,
    '--web', path.join(ROOT, 'web'), '--courses', env.PASSPORT_COURSES || path.join(ROOT, 'courses'), '--quiet'];
  const child = spawn(BIN, args, { env: sanitizerEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const state = { child, stderr: '', stdout: '', exited: null };
  child.stderr.setEncoding('utf8').on('data', (d) => { state.stderr += d; });
  child.stdout.setEncoding('utf8').on('data', (d) => { state.stdout += d; });
  state.exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      state.exited = { code, signal };
      resolve(state.exited);
    });
    child.on('error', (e) => {
      live.delete(child);
      state.exited = { code: -1, signal: null, error: e };
      resolve(state.exited);
    });
  });
  return state;
}

/* How long a server may take to answer /healthz after its start: an ASan build on a loaded
 * machine (two passes of the suite side by side) has taken 20 s. */
const START_TIMEOUT_MS = 60_000;

async function waitHealthy(url, state, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (state.exited) return false;
    try {
      const res = await fetch(`${url}/healthz`, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  return false;
}

/**
 * Starts a Passport server with a fresh data folder.
 * demo: create the demo organisation (all demo accounts use DEMO_PASSWORD); env: extra
 * environment for `init` and `serve` (PASSPORT_COURSES: another course library); dataParent:
 * the folder the data folder is made in (default the system's temporary folder); dataDir:
 * serve this existing data folder instead of making one (no init; stop() removes it too).
 * Returns {url, port, dataDir, stderr(), stop()}.
 * stop() sends SIGTERM, waits for the exit and throws if the exit code is not 0 or the
 * server's stderr holds a sanitizer report; it removes the data folder. Call it from
 * `after()` or a `finally` so that the throw fails the test.
 */
export async function startServer({ demo = true, env = {}, dataParent = os.tmpdir(), dataDir: given } = {}) {
  if (!fs.existsSync(BIN)) throw new Error(`no server binary at ${BIN} (set PASSPORT_BIN)`);
  const dataDir = given || fs.mkdtempSync(path.join(dataParent, 'passport-e2e-'));
  const ownDatabase = ENGINE === 'postgresql' && !env.PASSPORT_DATABASE && !given ? createDatabase() : null;
  /* the caller's env object stays the one servers start with: a test that changes it (a
   * clock offset) before restart() is seen, on PostgreSQL as on SQLite */
  const serverEnv = () => (ownDatabase ? { ...env, PASSPORT_DATABASE: ownDatabase } : env);
  const database = ownDatabase || env.PASSPORT_DATABASE || path.join(dataDir, 'passport.db');
  try {
    if (!given) runInit(dataDir, demo, serverEnv());
  } catch (e) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (ownDatabase) dropDatabase(ownDatabase);
    throw e;
  }
  let state = null;
  let url = '';
  let port = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    state = spawnServer(dataDir, port, serverEnv());
    if (await waitHealthy(url, state, START_TIMEOUT_MS)) break;
    const busy = /address already in use|EADDRINUSE|cannot listen|bind/i.test(state.stderr);
    if (!state.exited) state.child.kill('SIGKILL');
    await state.exit;
    if (!busy || attempt === 2) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (ownDatabase) dropDatabase(ownDatabase);
      throw new Error(`server did not answer GET /healthz with 200 within ${START_TIMEOUT_MS / 1000} s ` +
        `(exit: ${JSON.stringify(state.exited)}); stderr:\n${state.stderr.slice(-8000)}`);
    }
  }
  let stopped = false;
  const server = {
    url,
    port,
    dataDir,
    /** The server's database: a PostgreSQL URL, or the path of its SQLite file. */
    database,
    /** The environment a command line tool needs to reach this server's data, beside
     * `--data`: process.env plus PASSPORT_DATABASE when the engine is PostgreSQL. */
    cliEnv: serverEnv().PASSPORT_DATABASE ? { ...process.env, PASSPORT_DATABASE: serverEnv().PASSPORT_DATABASE } : { ...process.env },
    /** Everything the server wrote to stderr so far. */
    stderr: () => state.stderr,
    /** True while the process runs. */
    running: () => !state.exited,
    /** The server process's id (e.g. to change its limits with prlimit). */
    pid: () => state.child.pid,
    /** Sends a signal to the server process (e.g. 'SIGTERM' to test stopping). */
    signal: (sig) => state.child.kill(sig),
    /** Resolves with {code, signal} when the process has exited. */
    exited: () => state.exit,
    /** Stops the server (SIGTERM, as a deployment would) and starts it again on the same
     * data folder and port; sessions and data stay. opts.env: variables added to the
     * server's environment from now on (e.g. PASSPORT_PUBLIC_URL); opts.whileStopped (may be
     * async) runs in between, e.g. to damage or restore the data folder. */
    async restart({ env: more = {}, whileStopped } = {}) {
      env = { ...env, ...more };
      if (!state.exited) state.child.kill('SIGTERM');
      const { code } = await state.exit;
      assertNoSanitizerReport(state.stderr, 'server');
      if (code !== 0) throw new Error(`server exited with code ${code} on SIGTERM; stderr:\n${state.stderr.slice(-8000)}`);
      if (whileStopped) await whileStopped();
      for (let attempt = 0; attempt < 5; attempt++) {
        state = spawnServer(dataDir, port, serverEnv());
        if (await waitHealthy(url, state, START_TIMEOUT_MS)) return;
        if (!state.exited) state.child.kill('SIGKILL');
        await state.exit;
        await sleep(200); /* the port may still be held for a moment */
      }
      throw new Error(`server did not restart on port ${port}; stderr:\n${state.stderr.slice(-8000)}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (!state.exited) {
          state.child.kill('SIGTERM');
          const timer = sleep(15_000).then(() => 'timeout');
          if ((await Promise.race([state.exit, timer])) === 'timeout') {
            state.child.kill('SIGKILL');
            await state.exit;
            throw new Error(`server did not stop within 15 s of SIGTERM; stderr:\n${state.stderr.slice(-8000)}`);
          }
        }
        assertNoSanitizerReport(state.stderr, 'server');
        const { code, signal } = state.exited;
        if (code !== 0) {
          throw new Error(`server exited with code ${code}${signal ? ` (signal ${signal})` : ''}; ` +
            `stderr:\n${state.stderr.slice(-8000)}`);
        }
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
        if (ownDatabase) dropDatabase(ownDatabase);
      }
    },
  };
  return server;
}

// ---------------------------------------------------------------------------------------
// HTML scraping (minimal, regex based: the server's markup is regular and ours).

/** Decodes the few HTML entities the templates emit. */
export function htmlDecode(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (m, e) => {
    const l = e.toLowerCase();
    if (l === 'amp') return '&';
    if (l === 'lt') return '<';
    if (l === 'gt') return '>';
    if (l === 'quot') return '"';
    if (l === 'apos' || l === '#39') return "'";
    if (l.startsWith('#x')) return String.fromCodePoint(parseInt(l.slice(2), 16));
    return String.fromCodePoint(parseInt(l.slice(1), 10));
  });
}

/** Attributes of one start tag (`<input a="b" c>`) as an object, values decoded. */
export function attrs(tag) {
  const out = {};
  const re = /([^\s=<>"'/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
  const inner = tag.replace(/^<\s*[\w-]+/, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(inner))) out[m[1].toLowerCase()] = htmlDecode(m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}

/**
 * The forms of a page: [{action, method, enctype, hidden: {name: value}, html}].
 * `hidden` holds the page's hidden inputs (e.g. _csrf, next) to send back.
 */
export function parseForms(html) {
  const forms = [];
  const re = /<form\b[^>]*>[\s\S]*?<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const open = m[0].match(/^<form\b[^>]*>/i)[0];
    const a = attrs(open);
    const hidden = {};
    for (const t of m[0].match(/<input\b[^>]*>/gi) || []) {
      const ia = attrs(t);
      if ((ia.type || '').toLowerCase() === 'hidden' && ia.name) hidden[ia.name] = ia.value ?? '';
    }
    forms.push({ action: a.action ?? '', method: (a.method || 'get').toLowerCase(), enctype: a.enctype || '', hidden, html: m[0] });
  }
  return forms;
}

/** The first form whose action is `action` (exact), or throws with the page. */
export function findForm(html, action) {
  const f = parseForms(html).find((x) => x.action === action);
  if (!f) throw new Error(`no <form action="${action}"> in page:\n${html.slice(0, 3000)}`);
  return f;
}

/** The `lang` attribute of the page's <html> element, or null. */
export function htmlLang(html) {
  const m = html.match(/<html\b[^>]*>/i);
  return m ? (attrs(m[0]).lang ?? null) : null;
}

/** Text content of the first element matching `<tag ...>` (tags stripped, entities decoded). */
export function textOf(html, tag) {
  const m = html.match(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'i'));
  return m ? htmlDecode(m[1].replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim() : null;
}

/** The whole text of a page (tags stripped, entities decoded, spaces collapsed). */
export function pageText(html) {
  return htmlDecode(html.replace(/<script\b[\s\S]*?<\/script>/gi, '').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------
// HTTP client with a cookie jar (fetch, redirect: 'manual').

function setCookieLines(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const v = headers.get('set-cookie');
  if (!v) return [];
  // Older runtimes join the lines with ", ": split only before "name=".
  return v.split(/,\s*(?=[^;,=\s]+=)/);
}

/** One parsed Set-Cookie line: {name, value, attrs: {lowercased attribute: value|true}}. */
export function parseSetCookie(line) {
  const [pair, ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs: {} };
  for (const a of rest) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    if (k) cookie.attrs[k] = i < 0 ? true : a.slice(i + 1).trim();
  }
  return cookie;
}

/** A response read whole: {status, headers, body (string), bytes, location, cookies, json()}. */
async function readResponse(res) {
  const bytes = Buffer.from(await res.arrayBuffer());
  const body = bytes.toString('utf8');
  return {
    status: res.status,
    headers: res.headers,
    bytes,
    body,
    location: res.headers.get('location'),
    setCookies: setCookieLines(res.headers).map(parseSetCookie),
    json() { return JSON.parse(body); },
  };
}

/**
 * A browser-like HTTP client bound to one server: keeps cookies across requests,
 * never follows redirects (tests look at them), sends `headers` on every request.
 */
export class Client {
  constructor(baseUrl, { headers = {}, timeoutMs = 30_000 } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.headers = { ...headers };
    this.timeoutMs = timeoutMs; // a request taking longer fails instead of hanging the suite
    this.cookies = new Map();
  }

  /** Value of a cookie in the jar, or undefined. */
  cookie(name) { return this.cookies.get(name); }

  /** A fresh client with a copy of this one's cookies and headers. */
  clone() {
    const c = new Client(this.baseUrl, { headers: this.headers, timeoutMs: this.timeoutMs });
    for (const [k, v] of this.cookies) c.cookies.set(k, v);
    return c;
  }

  /** The same browser (one cookie jar, shared from now on) reaching another server, as
   *  behind a load balancer. */
  via(baseUrl) {
    const c = new Client(baseUrl, { headers: this.headers, timeoutMs: this.timeoutMs });
    c.cookies = this.cookies;
    return c;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  absorb(res) {
    for (const c of res.setCookies) {
      const maxAge = c.attrs['max-age'];
      const expires = c.attrs.expires ? Date.parse(c.attrs.expires) : NaN;
      if ((maxAge !== undefined && Number(maxAge) <= 0) || (!Number.isNaN(expires) && expires <= Date.now()) || c.value === '') {
        this.cookies.delete(c.name);
      } else {
        this.cookies.set(c.name, c.value);
      }
    }
  }

  /** Any request. opts: {headers, body}. Returns the response read whole. */
  async request(method, urlPath, { headers = {}, body } = {}) {
    const h = { ...this.headers, ...headers };
    if (this.cookies.size && !Object.keys(h).some((k) => k.toLowerCase() === 'cookie')) h.Cookie = this.cookieHeader();
    const res = await readResponse(await fetch(this.baseUrl + urlPath, {
      method, headers: h, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs),
    }));
    this.absorb(res);
    return res;
  }

  get(urlPath, opts) { return this.request('GET', urlPath, opts); }

  /** POST urlencoded; `fields` is an object or an array of [name, value] pairs. */
  post(urlPath, fields = {}, { headers = {} } = {}) {
    const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields)).toString();
    return this.request('POST', urlPath, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  }

  /**
   * POST multipart/form-data. fields: {name: value}; files: {name: {filename, content,
   * type}} (content a string or Buffer).
   */
  postMultipart(urlPath, fields = {}, files = {}, { headers = {} } = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
    for (const [k, f] of Object.entries(files)) {
      form.append(k, new Blob([f.content], { type: f.type || 'application/octet-stream' }), f.filename || 'file');
    }
    return this.request('POST', urlPath, { headers, body: form });
  }

  /** GETs `pagePath` (must be 200) and returns its form posting to `action`. */
  async form(pagePath, action = pagePath) {
    const page = await this.get(pagePath);
    if (page.status !== 200) throw new Error(`GET ${pagePath}: ${page.status}\n${page.body.slice(0, 2000)}`);
    return findForm(page.body, action);
  }

  /** The CSRF token to send with a form: the `_csrf` of the form posting to `action` on `pagePath`. */
  async csrf(pagePath = '/', action) {
    const page = await this.get(pagePath);
    if (page.status !== 200) throw new Error(`GET ${pagePath}: ${page.status}`);
    const forms = parseForms(page.body).filter((f) => f.hidden._csrf !== undefined && (!action || f.action === action));
    if (!forms.length) throw new Error(`no _csrf in ${pagePath}`);
    return forms[0].hidden._csrf;
  }

  /**
   * Submits the form of `pagePath` that posts to `action`, with its hidden fields
   * (_csrf, next...) plus `fields`. Returns the POST's response.
   */
  async submit(pagePath, action, fields = {}) {
    const f = await this.form(pagePath, action);
    return this.post(action, { ...f.hidden, ...fields });
  }

  /**
   * Logs in through GET /login + POST /login. Returns the POST's response (303 when
   * it worked; 401/429/... otherwise). `next` overrides the form's hidden next field.
   */
  async login(email, password = DEMO_PASSWORD, { next } = {}) {
    const f = await this.form('/login', '/login');
    const fields = { ...f.hidden, email, password };
    if (next !== undefined) fields.next = next;
    return this.post('/login', fields);
  }

  /** login() that must succeed (303 and a pp_session cookie), or throws. */
  async loginOk(email, password = DEMO_PASSWORD) {
    const res = await this.login(email, password);
    if (res.status !== 303 || !this.cookie('pp_session')) {
      throw new Error(`login ${email} failed: ${res.status}\n${res.body.slice(0, 2000)}`);
    }
    return res;
  }
}

/** A new Client for `server` (the object startServer returned, or a base URL). */
export function client(server, opts) {
  return new Client(typeof server === 'string' ? server : server.url, opts);
}

/**
 * A raw HTTP/1.1 request with node:http: the path is sent byte for byte (no URL
 * normalisation, unlike fetch), so `..` and `%2e%2e` reach the server as written.
 * opts: {method, headers, body (string|Buffer), chunks (array: sent chunked, without
 * Content-Length)}. Resolves {status, headers (lowercased object), body}.
 */
export function rawRequest(baseUrl, rawPath, { method = 'GET', headers = {}, body, chunks } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, method, path: rawPath, headers, agent: false,
    }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`timeout: ${method} ${rawPath}`)));
    if (chunks) {
      for (const c of chunks) req.write(c);
      req.end();
    } else {
      req.end(body);
    }
  });
}

// ---------------------------------------------------------------------------------------
// Browser: Debian's Chromium driven by playwright-core, accessibility with axe-core.

/** Launches Debian's headless Chromium (never a downloaded browser). */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Registers a test file's before and after hooks: a server (startServer(opts)) and a
 * headless Chromium, handed to set(server, browser) once both run, both stopped after.
 */
export function serverAndBrowserHooks(set, opts) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(opts);
    browser = await launchBrowser();
    set(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

/**
 * A browser context able to inject axe-core despite the app's CSP (bypassCSP).
 * opts are passed to browser.newContext (e.g. {locale: 'en-GB'}).
 */
export function newContext(browser, opts = {}) {
  return browser.newContext({ bypassCSP: true, locale: 'fr-FR', ...opts });
}

/** WCAG 2.0 and 2.1, levels A and AA: the rules the suite holds every page to. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const AXE_PATH = path.join(here, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Runs axe-core in `page` for the WCAG A/AA tags and returns its violations, each
 * {id, impact, help, helpUrl, nodes: [{target, html, summary}]}.
 */
export async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
    }));
  }, AXE_TAGS);
  return result;
}

/** Human-readable report of axe violations, for assertion messages. */
export function formatViolations(violations, where = '') {
  if (!violations.length) return `${where}: no violation`;
  const lines = [`${where}: ${violations.length} axe violation(s)`];
  for (const v of violations) {
    lines.push(`- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes.slice(0, 5)) {
      lines.push(`    at ${JSON.stringify(n.target)}: ${n.html.slice(0, 200)}`);
      if (n.summary) lines.push(`      ${n.summary.replace(/\n/g, '\n      ')}`);
    }
    if (v.nodes.length > 5) lines.push(`    ... and ${v.nodes.length - 5} more`);
  }
  return lines.join('\n');
}

/** Folder for screenshots (build/screenshots under the repository root), created on demand. */
export function screenshotDir() {
  const dir = path.join(ROOT, 'build', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
