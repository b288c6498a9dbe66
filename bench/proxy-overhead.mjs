// Proxy overhead benchmark (not a test): requests/s and latency for the same tiny upstream
// reached directly, through one trellis-proxy, through two (outbound → inbound, a real mesh
// hop) and through nginx as a reverse proxy. Everything runs on this machine in one run, so
// compare ratios, not absolute figures.
//
//   npm run bench:proxy            (builds the proxy first)
//   BENCH_SECONDS=10 node bench/proxy-overhead.mjs
//
// Throughput: wrk -t1 -c32 --latency (closed loop, µs latency). Latency at a fixed rate: an
// open-loop generator at 1,000 req/s timing each request from its scheduled send time, so a
// stall is charged to every request it delays (no coordinated omission).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const proxyMain = join(root, 'apps/proxy/dist/main.js');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const NGINX = '/usr/sbin/nginx';
const WRK = '/usr/bin/wrk';

for (const [path, what] of [
  [proxyMain, 'the built proxy (npm run build -w @trellis/proxy)'],
  [NGINX, 'nginx (Debian package nginx)'],
  [WRK, 'wrk (Debian package wrk)'],
]) {
  if (!existsSync(path)) {
    console.error(`missing ${what}: ${path}`);
    process.exit(1);
  }
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const work = mkdtempSync(join(tmpdir(), 'trellis-bench-'));
const children = [];

function startNginx(name, serverBlock) {
  const dir = join(work, name);
  spawnSync('mkdir', ['-p', dir]);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  ${serverBlock}
}
`,
  );
  const child = spawn(NGINX, ['-c', conf, '-p', dir], { stdio: 'inherit' });
  children.push(child);
}

function startProxy(args) {
  const child = spawn(process.execPath, [proxyMain, ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
}

async function waitFor(port, host) {
  const pool = new Pool(`http://127.0.0.1:${port}`);
  for (let i = 0; i < 200; i++) {
    try {
      const res = await pool.request({ path: '/', method: 'GET', headers: host ? { host } : {} });
      await res.body.dump();
      if (res.statusCode === 200) return pool.close();
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  throw new Error(`nothing answers on port ${port}`);
}

function wrk(port, host) {
  const args = ['-t1', '-c32', `-d${seconds}s`, '--latency'];
  if (host) args.push('-H', `Host: ${host}`);
  args.push(`http://127.0.0.1:${port}/`);
  const out = spawnSync(WRK, args, { encoding: 'utf8' }).stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const micros = (label) => {
    const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    return Number(m[1]) * { us: 1, ms: 1000, s: 1e6 }[m[2]];
  };
  return { rps, p50: micros('50'), p99: micros('99') };
}

async function fixedRate(port, host, rate, durationSeconds) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16 });
  const headers = host ? { host } : {};
  const total = rate * durationSeconds;
  const latencies = new Float64Array(total);
  const intervalNs = 1e9 / rate;
  const start = process.hrtime.bigint();
  let sent = 0;
  let done = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = Number(process.hrtime.bigint() - start);
      while (sent < total && sent * intervalNs <= now) {
        const scheduled = sent * intervalNs;
        const index = sent++;
        pool.request({ path: '/', method: 'GET', headers }).then(async (res) => {
          await res.body.dump();
          latencies[index] = (Number(process.hrtime.bigint() - start) - scheduled) / 1000;
          if (++done === total) resolve();
        });
      }
      // A timer, not a busy loop: the generator must not steal a core from what it measures.
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  await pool.close();
  latencies.sort();
  return { p50: latencies[Math.floor(total * 0.5)], p99: latencies[Math.floor(total * 0.99)] };
}

const ports = {
  upstream: await freePort(),
  nginx: await freePort(),
  webOutbound: await freePort(),
  webInbound: await freePort(),
  webAdmin: await freePort(),
  catalogInbound: await freePort(),
  catalogOutbound: await freePort(),
  catalogAdmin: await freePort(),
};

try {
  startNginx(
    'upstream',
    `server { listen 127.0.0.1:${ports.upstream}; location / { return 200 "ok"; } }`,
  );
  startNginx(
    'reverse-proxy',
    `upstream app { server 127.0.0.1:${ports.upstream}; keepalive 64; }
  server { listen 127.0.0.1:${ports.nginx};
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }`,
  );
  const webConfig = join(work, 'web.json');
  writeFileSync(
    webConfig,
    JSON.stringify({
      version: 'bench',
      services: {
        app: { endpoints: [{ address: `127.0.0.1:${ports.upstream}` }] },
        catalog: { endpoints: [{ address: `127.0.0.1:${ports.catalogInbound}` }] },
      },
    }),
  );
  startProxy([
    '--service',
    'web',
    '--config',
    webConfig,
    '--outbound',
    `127.0.0.1:${ports.webOutbound}`,
    '--inbound',
    `127.0.0.1:${ports.webInbound}`,
    '--admin',
    `127.0.0.1:${ports.webAdmin}`,
  ]);
  startProxy([
    '--service',
    'catalog',
    '--app',
    `127.0.0.1:${ports.upstream}`,
    '--inbound',
    `127.0.0.1:${ports.catalogInbound}`,
    '--outbound',
    `127.0.0.1:${ports.catalogOutbound}`,
    '--admin',
    `127.0.0.1:${ports.catalogAdmin}`,
  ]);
  const targets = [
    { name: 'direct', port: ports.upstream },
    { name: '1 proxy', port: ports.webOutbound, host: 'app' },
    { name: '2 proxies', port: ports.webOutbound, host: 'catalog' },
    { name: 'nginx', port: ports.nginx },
  ];
  for (const target of targets) await waitFor(target.port, target.host);

  console.log(`wrk -t1 -c32 -d${seconds}s --latency, then 1,000 req/s open loop for ${seconds}s\n`);
  const rows = [];
  for (const target of targets) {
    // Warm-up: connection pools, JIT.
    await fixedRate(target.port, target.host, 2000, 1);
    const loaded = wrk(target.port, target.host);
    const paced = await fixedRate(target.port, target.host, 1000, seconds);
    rows.push({ ...target, loaded, paced });
    console.log(
      `${target.name.padEnd(10)} ${loaded.rps.toFixed(0).padStart(7)} req/s  ` +
        `p50 ${loaded.p50.toFixed(0).padStart(6)} µs  p99 ${loaded.p99.toFixed(0).padStart(6)} µs   ` +
        `@1k/s p50 ${paced.p50.toFixed(0).padStart(5)} µs  p99 ${paced.p99.toFixed(0).padStart(5)} µs`,
    );
  }
  const by = Object.fromEntries(rows.map((row) => [row.name, row]));
  console.log(
    `\none proxy / nginx throughput: ${(by['1 proxy'].loaded.rps / by.nginx.loaded.rps).toFixed(2)}× (target ≥ 0.5×)`,
  );
  console.log(
    `two-hop added latency at 1,000 req/s: p50 ${(by['2 proxies'].paced.p50 - by.direct.paced.p50).toFixed(0)} µs, ` +
      `p99 ${(by['2 proxies'].paced.p99 - by.direct.paced.p99).toFixed(0)} µs (target p99 ≤ 1000 µs)`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await sleep(300);
  rmSync(work, { recursive: true, force: true });
}
