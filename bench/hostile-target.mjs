// Collector memory and API latency while one scrape target is hostile. A real collector
// (SQLite, 1 s scrapes, default limits) scrapes 20 well-behaved targets shaped like proxies;
// then one more target joins that serves 100× the series limit on every scrape. The figures
// are the collector's RSS and the p95 of GET /v1/topology in both phases, the normal phase
// being the peer the hostile one is compared with. Needs the build: `npm run bench:hostile`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LATENCY_BUCKETS_SECONDS } from '@trellis/contracts';

const SERIES_LIMIT = 20_000; // the collector's default --scrape-series-limit
const HOSTILE_SERIES = 100 * SERIES_LIMIT;
const NORMAL_TARGETS = 20;
const ROUTES = 10;
const PHASE_MS = 20_000;
const QUERIES = 200;
const COLLECTOR_PORT = 27_790;
const BASE = `http://127.0.0.1:${COLLECTOR_PORT}`;

const dir = mkdtempSync(join(tmpdir(), 'trellis-bench-hostile-'));
const collector = spawn(
  process.execPath,
  [
    'apps/collector/dist/main.js',
    '--listen',
    `127.0.0.1:${COLLECTOR_PORT}`,
    '--database-url',
    `file:${join(dir, 'trellis.db')}`,
    '--scrape-interval',
    '1s',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const servers = [];
const stopAll = () => {
  collector.kill('SIGTERM');
  for (const server of servers) server.closeAllConnections();
  for (const server of servers) server.close();
};
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

async function waitReady() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${BASE}/v1/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error('the collector did not start');
}
await waitReady();
const token = readFileSync(join(dir, 'operator.token'), 'utf8').trim();
const auth = { authorization: `Bearer ${token}` };

/** A proxy's exposition for `service`, called by `web`, with counts that grow each scrape. */
function proxyText(service, scrape) {
  const lines = [
    '# TYPE request_total counter',
    '# TYPE response_total counter',
    '# TYPE response_latency_seconds histogram',
  ];
  for (let r = 0; r < ROUTES; r++) {
    const base = `direction="inbound",src_service="web",dst_service="${service}",route="route-${r}"`;
    const n = scrape * 10;
    lines.push(`request_total{${base}} ${n}`);
    lines.push(`response_total{${base},status_code="200",classification="success",error=""} ${n}`);
    const status = `${base},status_code="200",classification="success"`;
    for (const le of LATENCY_BUCKETS_SECONDS) {
      lines.push(`response_latency_seconds_bucket{${status},le="${le}"} ${le >= 0.01 ? n : 0}`);
    }
    lines.push(`response_latency_seconds_bucket{${status},le="+Inf"} ${n}`);
    lines.push(`response_latency_seconds_sum{${status}} ${n * 0.01}`);
    lines.push(`response_latency_seconds_count{${status}} ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

async function listen(handler) {
  const server = createServer(handler);
  servers.push(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${server.address().port}`;
}

async function register(service, instanceId, adminAddress, inboundPort) {
  const response = await fetch(`${BASE}/v1/proxies`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      service,
      instanceId,
      inboundAddress: `127.0.0.1:${inboundPort}`,
      adminAddress,
      proxyVersion: 'bench',
    }),
  });
  if (!response.ok) throw new Error(`register ${instanceId}: ${response.status}`);
}

const instances = [];
for (let i = 0; i < NORMAL_TARGETS; i++) {
  const service = `svc-${i}`;
  let scrape = 0;
  const address = await listen((_req, res) => res.end(proxyText(service, ++scrape)));
  instances.push({ service, instanceId: `${service}-1`, address, port: 40_000 + i });
}
// Heartbeats keep every instance live for the whole run.
const beat = () =>
  Promise.all(instances.map((i) => register(i.service, i.instanceId, i.address, i.port)));
await beat();
const heartbeats = setInterval(() => void beat().catch(() => undefined), 1000);

/** Streams 100× the series limit on every scrape, generated as the reader takes it. */
let hostileBytes = 0;
const hostileAddress = await listen((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  let next = 0;
  const pump = () => {
    while (next < HOSTILE_SERIES) {
      let chunk = '';
      for (let i = 0; i < 500 && next < HOSTILE_SERIES; i++, next++) {
        chunk += `request_total{direction="inbound",src_service="web",dst_service="hostile",route="r${next}"} ${next}\n`;
      }
      hostileBytes += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
});

function rssMb() {
  const status = readFileSync(`/proc/${collector.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function phase(label) {
  await sleep(PHASE_MS);
  const times = [];
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    const response = await fetch(`${BASE}/v1/topology?window=1m`, { headers: auth });
    await response.json();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const figures = {
    label,
    rssMb: rssMb(),
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
  };
  console.log(
    `${label.padEnd(34)} RSS ${figures.rssMb.toFixed(0).padStart(4)} MB   topology p50 ${figures.p50.toFixed(1).padStart(6)} ms  p95 ${figures.p95.toFixed(1).padStart(6)} ms`,
  );
  return figures;
}

try {
  console.log(
    `${NORMAL_TARGETS} targets × ${ROUTES} routes, 1 s scrapes; the hostile target serves ${HOSTILE_SERIES.toLocaleString('en-US')} series (limit ${SERIES_LIMIT.toLocaleString('en-US')})\n`,
  );
  const normal = await phase('normal');
  instances.push({
    service: 'hostile',
    instanceId: 'hostile-1',
    address: hostileAddress,
    port: 41_000,
  });
  await beat();
  const hostile = await phase('with the hostile target');
  const proxies = await (await fetch(`${BASE}/v1/proxies`, { headers: auth })).json();
  const error = proxies.proxies.find((p) => p.instanceId === 'hostile-1')?.lastScrape?.error;
  console.log(`\nhostile target's scrape error: ${error}`);
  console.log(
    `bytes the hostile target got to send: ${(hostileBytes / 1024 ** 2).toFixed(1)} MiB over ${(PHASE_MS / 1000).toFixed(0)} scrapes`,
  );
  console.log(
    `RSS change: ${(hostile.rssMb - normal.rssMb).toFixed(1)} MB (target: within 50 MB); topology p95 ${hostile.p95.toFixed(1)} ms, ${(hostile.p95 / normal.p95).toFixed(2)}× the normal run's (target: < 100 ms)`,
  );
} finally {
  clearInterval(heartbeats);
  stopAll();
}
