// SPDX-License-Identifier: EUPL-1.2
// Helper of scripts/bench-badges: the login page's latency while 8 clients post a credential
// to the public verifier in loops, on keep-alive connections (no process per request).
// Usage: node scripts/bench-verify-abuse.mjs BASE_URL CREDENTIAL.json [SECONDS=10] [CLIENTS=8] [ADDRESSES=8]
// The login page is read every 5 ms for SECONDS; client i posts from 127.0.0.(2 + i %
// ADDRESSES) (Linux answers on all of 127/8): ADDRESSES=8 is 8 anonymous clients, each
// under its own per-address budget. The posting clients run in a child process (their
// loops do not delay the reader's event loop) and post during alternate half-seconds:
// the login latency with and without them is taken in the same run, under the same load
// of the machine. Prints one line: "p50 X ms, p99 Y ms (N reads); alone p50 X ms, p99 Y ms
// (N reads); posts: A verified, B refused (429)"; with CLIENTS=0 only the login latency.
// BENCH_POSTERS_NICE: the posting clients' nice value (scripts/bench-badges sets 19).
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';

function request(url, agent, method, path, data, localAddress) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: url.hostname, port: url.port, method, path, agent, localAddress,
      headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    if (data) req.write(data);
    req.end();
  });
}

if (process.argv[2] === '--posters') {
  /* the child: CLIENTS loops posting while told to run; sends its status counts at the end */
  const [, , , base, file, clients, addresses] = process.argv;
  const url = new URL(base);
  const body = fs.readFileSync(file);
  const codes = {};
  let running = false, stop = false, wake = null;
  process.on('message', (m) => {
    if (m === 'stop') stop = true;
    running = m === 'run';
    if (wake) wake();
  });
  const poster = async (i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const from = `127.0.0.${2 + (i % Math.max(1, Number(addresses)))}`;
    while (!stop) {
      if (!running) {
        await new Promise((r) => { const prev = wake; wake = () => { wake = null; r(); if (prev) prev(); }; });
        continue;
      }
      const r = await request(url, agent, 'POST', '/api/v1/verify', body, from);
      codes[r.status] = (codes[r.status] || 0) + 1;
    }
  };
  process.send('ready');
  await Promise.all(Array.from({ length: Number(clients) }, (_, i) => poster(i)));
  process.send(codes);
  process.exit(0);
}

const [base, file, seconds = '10', clients = '8', addresses = '8'] = process.argv.slice(2);
const url = new URL(base);
const reader = new http.Agent({ keepAlive: true, maxSockets: 1 });
const q = (ms, p) => ms[Math.min(ms.length - 1, Math.floor(ms.length * p))].toFixed(1);
const line = (ms) => {
  ms.sort((a, b) => a - b);
  return `p50 ${q(ms, 0.5)} ms, p99 ${q(ms, 0.99)} ms (${ms.length} reads)`;
};
const abuse = Number(clients) > 0;
let child = null;
if (abuse) {
  child = fork(new URL(import.meta.url).pathname, ['--posters', base, file, clients, addresses]);
  if (process.env.BENCH_POSTERS_NICE) os.setPriority(child.pid, Number(process.env.BENCH_POSTERS_NICE));
  await new Promise((r) => child.once('message', r));
}
const under = [], alone = [];
const PHASE_MS = 500;
for (let phase = 0, end = Date.now() + Number(seconds) * 1000 * (abuse ? 2 : 1); Date.now() < end; phase++) {
  const on = abuse && phase % 2 === 0;
  if (child) child.send(on ? 'run' : 'pause');
  /* the first 100 ms of a phase are not measured: the posts of the last one drain */
  const from = Date.now() + 100;
  for (const stop = Date.now() + PHASE_MS; Date.now() < stop;) {
    const r = await request(url, reader, 'GET', '/login');
    if (Date.now() >= from) (on ? under : alone).push(r.ms);
    await new Promise((res) => setTimeout(res, 5));
  }
}
if (!abuse) {
  console.log(line(alone));
  process.exit(0);
}
const codes = await new Promise((r) => { child.on('message', r); child.send('stop'); });
console.log(`${line(under)}; alone ${line(alone)}; posts: ${codes[200] || 0} verified, ${codes[429] || 0} refused (429)`);
process.exit(0);
