// Helper of scripts/bench-badges: the login page's latency while 8 clients post a credential
// to the public verifier in loops, on keep-alive connections (no process per request).
// Usage: node scripts/bench-verify-abuse.mjs BASE_URL CREDENTIAL.json [SECONDS=10] [CLIENTS=8] [ADDRESSES=8]
// The login page is read every 5 ms for SECONDS; client i posts from 127.0.0.(2 + i %
// ADDRESSES) (Linux answers on all of 127/8): ADDRESSES=8 is 8 anonymous clients, each
// under its own per-address budget. Prints one line: "p50 X ms, p99 Y ms (N reads);
// posts: A verified, B refused (429)"; with CLIENTS=0 only the login latency.
import fs from 'node:fs';
import http from 'node:http';

const [base, file, seconds = '10', clients = '8', addresses = '8'] = process.argv.slice(2);
const body = fs.readFileSync(file);
const url = new URL(base);
const reader = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(agent, method, path, data, localAddress) {
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

let running = true;
const codes = {};
async function poster(i) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const from = `127.0.0.${2 + (i % Math.max(1, Number(addresses)))}`;
  while (running) {
    const r = await request(agent, 'POST', '/api/v1/verify', body, from);
    codes[r.status] = (codes[r.status] || 0) + 1;
  }
}
const loops = Array.from({ length: Number(clients) }, (_, i) => poster(i));
await new Promise((r) => setTimeout(r, Number(clients) ? 1000 : 0));
const ms = [];
for (const end = Date.now() + Number(seconds) * 1000; Date.now() < end;) {
  ms.push((await request(reader, 'GET', '/login')).ms);
  await new Promise((r) => setTimeout(r, 5));
}
running = false;
await Promise.all(loops);
ms.sort((a, b) => a - b);
const q = (p) => ms[Math.min(ms.length - 1, Math.floor(ms.length * p))].toFixed(1);
let line = `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (${ms.length} reads)`;
if (Number(clients)) line += `; posts: ${codes[200] || 0} verified, ${codes[429] || 0} refused (429)`;
console.log(line);
process.exit(0);
