// Memory of a trellis-proxy process while 1 GiB streams through it (not a test): two uploads
// to an app that reads and drops them, then a download the app writes as fast as the proxy
// takes it. Prints the proxy's resident set before, at its peak and after each, and the
// throughput; growth that does not repeat on the second upload is heap sizing, not buffering. Run after building:
//   node bench/proxy-stream-memory.mjs
//   BENCH_PROXY=/path/to/other/dist/main.js node bench/proxy-stream-memory.mjs   (another build)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { freePort, proxyMain, waitFor } from './proxy-harness.mjs';

const SIZE = 1024 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 7);

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

function* body(size) {
  for (let sent = 0; sent < size; sent += CHUNK.length) yield CHUNK;
}

const app = http.createServer((req, res) => {
  if (req.method === 'POST') {
    let received = 0;
    req.on('data', (chunk) => (received += chunk.length));
    req.on('end', () => res.end(String(received)));
    return;
  }
  res.writeHead(200, { 'content-length': String(SIZE) });
  Readable.from(body(SIZE)).pipe(res);
});
const appPort = await freePort();
app.listen(appPort, '127.0.0.1');

const [inbound, outbound, admin] = [await freePort(), await freePort(), await freePort()];
const proxy = spawn(
  process.execPath,
  [
    process.env.BENCH_PROXY ?? proxyMain,
    '--service',
    'app',
    '--app',
    `127.0.0.1:${appPort}`,
    '--inbound',
    `127.0.0.1:${inbound}`,
    '--outbound',
    `127.0.0.1:${outbound}`,
    '--admin',
    `127.0.0.1:${admin}`,
  ],
  { stdio: 'ignore' },
);
await waitFor(inbound);

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(proxy.pid))), 20);

function request(method) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: inbound, method, path: '/stream', agent: false },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk) => (bytes += chunk.length));
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (method === 'POST') Readable.from(body(SIZE)).pipe(req);
    else req.end();
  });
}

try {
  for (const method of ['POST', 'POST', 'GET']) {
    const before = rssMiB(proxy.pid);
    peak = before;
    const started = performance.now();
    const bytes = await request(method);
    const seconds = (performance.now() - started) / 1000;
    const after = rssMiB(proxy.pid);
    const moved = method === 'POST' ? SIZE : bytes;
    console.log(
      `${method === 'POST' ? 'upload  ' : 'download'} 1 GiB: ${(moved / 2 ** 20 / seconds).toFixed(0)} MiB/s; ` +
        `proxy RSS before ${before.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB ` +
        `(+${(peak - before).toFixed(1)}), after ${after.toFixed(1)} MiB`,
    );
  }
} finally {
  clearInterval(sampler);
  proxy.kill('SIGTERM');
  app.close();
  app.closeAllConnections();
}
