// SPDX-License-Identifier: EUPL-1.2
// How many pages the page cache renders under writes, counted rather than timed (the
// machine's load does not change it): BENCH_AGENTS signed-in agents read BENCH_READS pages
// drawn from the mix of scripts/bench-mixed (home, catalog, a search, a course, passport,
// badges, assignments, inbox, profile, six module pages) in a fixed, seeded order, one
// request at a time, with one write every BENCH_EVERY reads (alternately a self-assessment
// and a quiz attempt with the first option of each question, through the JSON API, as
// bench-mixed's writer does). Prints the page cache's hits, renders and voided pages over
// the reads (from /metrics). Compare two binaries with the same settings:
//   PASSPORT_BIN=A node scripts/bench-cache-renders.mjs; PASSPORT_BIN=B node scripts/...
// (env: BENCH_AGENTS=64, BENCH_READS=3000, BENCH_EVERY=40: about 200 commits/s beside
// 8 000 reads/s; PASSPORT_BIN=build/release/passport). Keep a run under APP_PAGE_SECONDS
// (30 s) from the warm-up's start, or pages also expire with time (on a loaded machine:
// the voided count does not depend on time, the renders do). Needs tests/e2e's packages.
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.PASSPORT_BIN ||= path.join(root, 'build', 'release', 'passport');
const { BIN, DEMO_PASSWORD, client, startServer } = await import(path.join(root, 'tests', 'e2e', 'helpers.mjs'));
const AGENTS = Number(process.env.BENCH_AGENTS || 64);
const READS = Number(process.env.BENCH_READS || 3000);
const EVERY = Number(process.env.BENCH_EVERY || 40);
let seed = 12345; /* a fixed sequence: both binaries get the same requests */
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const modules = ['phishing-basics', 'mots-de-passe', 'authentification-multifacteur', 'tableur-trier-filtrer-formules',
  'graphique-simple-honnete', 'open-data-donnees-publiques'];
const pages = ['/', '/courses', '/courses?q=donnees', '/courses/securite-numerique', '/passport', '/badges',
  '/me/assignments', '/me/inbox', '/me/profile', ...modules.map((m) => `/modules/${m}`)];

const server = await startServer();
try {
  const agents = [];
  for (let i = 0; i < AGENTS; i++) {
    const email = `renders${i}@demo.passport.test`;
    const r = spawnSync(BIN, ['user', 'add', email, '--role', 'agent', '--name', `Agent ${i}`, '--data', server.dataDir],
      { encoding: 'utf8', input: `${DEMO_PASSWORD}\n`, env: server.cliEnv });
    if (r.status !== 0) throw new Error(r.stderr);
    const c = client(server);
    await c.loginOk(email, DEMO_PASSWORD);
    agents.push({ c, csrf: JSON.parse((await c.get('/api/v1/me')).body).csrf });
  }
  const counters = async () => {
    const m = (await client(server).get('/metrics')).body;
    const read = (n) => Number((m.match(new RegExp(`^${n} (\\d+)$`, 'm')) || [])[1]);
    return ['hits', 'misses', 'voided'].map((k) => read(`passport_page_cache_${k}`));
  };
  const write = async (a, n) => {
    const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': a.csrf };
    if (n % 2 === 0) {
      const body = JSON.stringify({ code: 'CRCN-1.1', level: 1 + Math.floor(rnd() * 8), comment: 'bench' });
      return a.c.request('POST', '/api/v1/me/self-assessments', { headers, body });
    }
    const id = pick(modules);
    const m = JSON.parse((await a.c.get(`/api/v1/modules/${id}`)).body);
    const answers = {};
    for (const q of m.questions || []) {
      const v = q.options?.length ? String(q.options[0].value) : 'x';
      answers[q.name] = q.kind === 'multi' ? [v] : v;
    }
    return a.c.request('POST', `/api/v1/modules/${id}/attempts`, { headers, body: JSON.stringify({ answers, nonce: m.nonce }) });
  };
  const t0 = Date.now();
  for (const a of agents) for (const p of pages) await a.c.get(p); // every page kept once
  const before = await counters();
  let writes = 0;
  for (let i = 0; i < READS; i++) {
    if (i % EVERY === 0) await write(pick(agents), writes++);
    const p = pick(pages);
    const r = await pick(agents).c.get(p);
    if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
  }
  const [hits, renders, voided] = (await counters()).map((x, i) => x - before[i]);
  console.log(`${AGENTS} agents, ${READS} reads, ${writes} writes (one every ${EVERY} reads): ${hits} hits, ` +
    `${renders} renders (${(1000 * renders / READS).toFixed(1)} per 1000 reads), ${voided} voided; ` +
    `${((Date.now() - t0) / 1000).toFixed(1)} s from the warm-up`);
} finally {
  await server.stop();
}
