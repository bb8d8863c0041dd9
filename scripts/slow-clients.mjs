#!/usr/bin/env node
// SPDX-License-Identifier: EUPL-1.2
// Holds N slow-loris connections to a server: each sends the start of a request and then
// one byte every EVERY_MS, never finishing; a connection the server closes is opened
// again at once. Connections are spread over several loopback source addresses
// (127.0.0.2, 127.0.0.3...), PER_ADDRESS each. Prints "held N" every second.
// Usage: node scripts/slow-clients.mjs PORT [N=1100] [PER_ADDRESS=220] [EVERY_MS=3000]
// Stops on SIGTERM or SIGINT. For scripts/bench-overload; never in `make test`.
import net from 'node:net';

const [port, total = '1100', perAddress = '220', everyMs = '3000'] = process.argv.slice(2);
if (!port) {
  console.error('usage: slow-clients.mjs PORT [N] [PER_ADDRESS] [EVERY_MS]');
  process.exit(2);
}
const N = Number(total);
const PER = Number(perAddress);
let open = 0;
let reopened = 0;
let stopping = false;
const sockets = new Set();

function connect(i) {
  if (stopping) return;
  const localAddress = `127.0.0.${2 + Math.floor(i / PER)}`;
  const so = net.connect({ port: Number(port), host: '127.0.0.1', localAddress });
  let counted = false;
  sockets.add(so);
  so.setNoDelay(true);
  so.on('connect', () => {
    counted = true;
    open++;
    so.write('GET /login HTTP/1.1\r\nHost: bench\r\nX-Slow: ');
  });
  so.on('data', () => {}); // a 503 or anything else: read and wait for the close
  so.on('error', () => {});
  so.on('close', () => {
    sockets.delete(so);
    if (counted) open--;
    reopened++;
    setTimeout(() => connect(i), 50);
  });
}

for (let i = 0; i < N; i++) connect(i);
const trickle = setInterval(() => {
  for (const so of sockets) if (!so.connecting && so.writable) so.write('x');
}, Number(everyMs));
const report = setInterval(() => console.log(`held ${open} reopened ${reopened}`), 1000);

function stop() {
  stopping = true;
  clearInterval(trickle);
  clearInterval(report);
  for (const so of sockets) so.destroy();
  setTimeout(() => process.exit(0), 100);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
