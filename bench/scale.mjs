// The collector at scale: N synthetic proxies in this one process, each with its own admin
// listener on loopback serving a realistic /metrics (about 150 samples, counters rising with
// traffic), heartbeating like a proxy and watching one destination's config, against 1 or 2
// collector processes on one database. Per run it prints the collectors' CPU per proxy-second
// (from /proc, so only the collectors' own work counts), the scrape-round duration (first
// /metrics request of a round to its last response), topology and services API p95, and
// policy write → every proxy received the new version (p50/p99).
//
//   node bench/scale.mjs [--proxies 500,2000] [--collectors 1,2] [--seconds 30] [--cpu-prof DIR]
//
// Two collectors need PostgreSQL: TRELLIS_TEST_POSTGRES_URL names a server (each run creates
// and drops its own database). Without it, runs use SQLite and one collector. Needs the build:
// `npm run bench:scale` builds first.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '@trellis/db';
import { createTestDatabase } from '@trellis/db/testing';
import { createToken } from '@trellis/collector';
import { LATENCY_BUCKETS_SECONDS } from '@trellis/contracts';

const { values: flags } = parseArgs({
  options: {
    proxies: { type: 'string', default: '500,2000' },
    collectors: { type: 'string', default: '1,2' },
    seconds: { type: 'string', default: '30' },
    'scrape-interval': { type: 'string', default: '5' },
    'cpu-prof': { type: 'string' },
  },
});
const SIZES = flags.proxies.split(',').map(Number);
const COLLECTORS = flags.collectors.split(',').map(Number);
const MEASURE_SECONDS = Number(flags.seconds);
const SCRAPE_SECONDS = Number(flags['scrape-interval']);
const INSTANCES_PER_SERVICE = 10;
const POLICY_WRITES = 10;
const API_SAMPLES = 20;
const MAIN = new URL('../apps/collector/dist/main.js', import.meta.url).pathname;
const CLOCK_TICKS_PER_SECOND = 100;
const postgres = process.env.TRELLIS_TEST_POSTGRES_URL;

/** Where a long run is, on stderr, so the table on stdout stays clean. */
const progress = (line) => process.stderr.write(`  … ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
};

/** User + system CPU of a process so far, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Collectors still running; ended with the bench however it ends. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

async function startCollector(databaseUrl, cwd) {
  const port = await freePort();
  const profile = flags['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', flags['cpu-prof']] : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      MAIN,
      '--listen',
      `127.0.0.1:${port}`,
      '--database-url',
      databaseUrl,
      '--scrape-interval',
      `${SCRAPE_SECONDS}s`,
    ],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  await new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`collector exited with ${code}: ${output}`));
    child.once('exit', onExit);
    const poll = setInterval(() => {
      if (!output.includes('listening on')) return;
      clearInterval(poll);
      child.off('exit', onExit);
      resolve();
    }, 50);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The service of proxy i, and the two it calls. */
const serviceOf = (index, services) =>
  `svc-${Math.floor(index / INSTANCES_PER_SERVICE) % services}`;
const calleesOf = (index, services) => {
  const own = Math.floor(index / INSTANCES_PER_SERVICE) % services;
  return [`svc-${(own + 1) % services}`, `svc-${(own + 2) % services}`];
};

/** Bucket shares of a latency around 20 ms, cumulative. */
const SHARES = LATENCY_BUCKETS_SECONDS.map((bound) =>
  Math.min(1, Math.max(0, (bound - 0.002) / 0.05)),
);

/** A proxy's exposition as prom-client writes it: per route, request, response and latency. */
function exposition(proxy, nowSeconds) {
  const elapsed = nowSeconds - proxy.startSeconds;
  const lines = [];
  const families = { request_total: [], response_total: [], response_latency_seconds: [] };
  for (const [direction, src, dst, route, rate] of proxy.routes) {
    const requests = Math.floor(elapsed * rate);
    const failures = Math.floor(requests / 50);
    const base = `direction="${direction}",src_service="${src}",dst_service="${dst}",route="${route}"`;
    families.request_total.push(`request_total{${base}} ${requests}`);
    families.response_total.push(
      `response_total{${base},status_code="200",classification="success",error=""} ${requests - failures}`,
      `response_total{${base},status_code="503",classification="failure",error=""} ${failures}`,
    );
    const latency = families.response_latency_seconds;
    const labels = `${base},status_code="200",classification="success"`;
    LATENCY_BUCKETS_SECONDS.forEach((bound, i) => {
      latency.push(
        `response_latency_seconds_bucket{le="${bound}",${labels}} ${Math.floor(requests * SHARES[i])}`,
      );
    });
    latency.push(`response_latency_seconds_bucket{le="+Inf",${labels}} ${requests}`);
    latency.push(`response_latency_seconds_sum{${labels}} ${(requests * 0.02).toFixed(3)}`);
    latency.push(`response_latency_seconds_count{${labels}} ${requests}`);
  }
  lines.push(
    '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
  );
  lines.push('# TYPE process_start_time_seconds gauge');
  lines.push(`process_start_time_seconds ${proxy.startSeconds}`);
  for (const [name, samples] of Object.entries(families)) {
    lines.push(`# HELP ${name} ${name}`);
    lines.push(`# TYPE ${name} ${name.endsWith('_seconds') ? 'histogram' : 'counter'}`);
    lines.push(...samples);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The synthetic fleet: per proxy an admin listener, a heartbeat every interval the collector
 * asks for and a config watch on svc-0 (the service the policy writes go to).
 */
async function startFleet(count, collectors, tokens) {
  const services = tokens.size;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const scrapes = [];
  const proxies = [];
  const startSeconds = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const service = serviceOf(i, services);
    const [first, second] = calleesOf(i, services);
    const proxy = {
      service,
      token: tokens.get(service),
      instanceId: `bench-${i}`,
      startSeconds,
      routes: [
        ['inbound', 'caller', service, 'get', 1],
        ['inbound', 'caller', service, 'list', 0.5],
        ['outbound', service, first, 'get', 1],
        ['outbound', service, second, 'get', 0.5],
      ],
      collector: collectors[i % collectors.length],
      policyVersion: -1,
      receivedAt: new Map(),
    };
    proxy.server = createServer((req, res) => {
      const started = performance.now();
      const body = exposition(proxy, Date.now() / 1000);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
      scrapes.push([started, performance.now()]);
    });
    proxy.server.keepAliveTimeout = 120_000;
    await new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.admin = `127.0.0.1:${proxy.server.address().port}`;
    proxies.push(proxy);
  }
  let stopped = false;
  const post = (proxy) =>
    new Promise((resolve) => {
      const body = JSON.stringify({
        service: proxy.service,
        instanceId: proxy.instanceId,
        inboundAddress: proxy.admin,
        adminAddress: proxy.admin,
        proxyVersion: 'bench',
        applied: proxy.policyVersion >= 0 ? { 'svc-0': { version: proxy.policyVersion } } : {},
      });
      const req = request(
        `${proxy.collector.url}/v1/proxies`,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${proxy.token}`,
            'content-type': 'application/json',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => {
            try {
              resolve(JSON.parse(text).heartbeatIntervalSeconds ?? 2);
            } catch {
              resolve(2);
            }
          });
        },
      );
      req.on('error', () => resolve(2));
      req.end(body);
    });
  const heartbeatLoop = async (proxy) => {
    while (!stopped) {
      const seconds = await post(proxy);
      proxy.beat = () => post(proxy);
      await sleep(seconds * 1000 * (0.9 + Math.random() * 0.2));
    }
  };
  await Promise.all(proxies.map((proxy) => post(proxy)));
  for (const proxy of proxies) void heartbeatLoop(proxy);
  const watches = proxies.map((proxy) => watch(proxy));
  return {
    proxies,
    scrapes,
    services,
    async stop() {
      stopped = true;
      for (const request of watches) request.destroy();
      await Promise.all(
        proxies.map((proxy) => {
          proxy.server.closeAllConnections();
          return new Promise((resolve) => proxy.server.close(resolve));
        }),
      );
      agent.destroy();
    },
  };
}

/** svc-0's config stream; notes when each policy version arrives, and acknowledges it at once. */
function watch(proxy) {
  const req = request(`${proxy.collector.url}/v1/config/svc-0?watch=true`, {
    headers: { authorization: `Bearer ${proxy.token}`, accept: 'text/event-stream' },
  });
  req.on('response', (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').find((line) => line.startsWith('data: '));
        if (!data) continue;
        const version = JSON.parse(data.slice(6)).policy?.version ?? 0;
        if (!proxy.receivedAt.has(version)) proxy.receivedAt.set(version, performance.now());
        proxy.policyVersion = version;
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return req;
}

/** Scrape rounds as the proxies saw them: requests that came within one interval of the first. */
function roundDurations(scrapes, since) {
  const recent = scrapes.filter(([started]) => started >= since).sort((a, b) => a[0] - b[0]);
  const durations = [];
  let round;
  for (const [started, ended] of recent) {
    if (round === undefined || started - round.start > (SCRAPE_SECONDS * 1000) / 2) {
      if (round) durations.push(round.end - round.start);
      round = { start: started, end: ended };
    } else {
      round.end = Math.max(round.end, ended);
    }
  }
  if (round) durations.push(round.end - round.start);
  return durations;
}

async function timed(url, headers) {
  const started = performance.now();
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return performance.now() - started;
}

async function run(count, collectorCount) {
  const cwd = mkdtempSync(join(tmpdir(), 'trellis-scale-'));
  const database = await createTestDatabase(postgres ? 'postgresql' : 'sqlite');
  await migrate(database.url);
  const db = await openDatabase(database.url);
  // Proxy tokens are bound to one service.
  const tokens = new Map();
  for (let i = 0; i < Math.max(3, Math.ceil(count / INSTANCES_PER_SERVICE)); i++) {
    const service = `svc-${i}`;
    tokens.set(service, (await createToken(db, { role: 'proxy', name: service, service })).token);
  }
  const operator = {
    authorization: `Bearer ${(await createToken(db, { role: 'operator', name: 'bench' })).token}`,
  };
  await db.close();
  const collectors = [];
  for (let i = 0; i < collectorCount; i++) collectors.push(await startCollector(database.url, cwd));
  const fleet = await startFleet(count, collectors, tokens);
  progress(`${count} proxies registered with ${collectorCount} collector(s)`);
  try {
    // Two rounds to settle: every proxy registered, scraped once as a baseline, then counted.
    await sleep(3 * SCRAPE_SECONDS * 1000);
    const since = performance.now();
    const cpuBefore = collectors.map((collector) => cpuMs(collector.pid));
    await sleep(MEASURE_SECONDS * 1000);
    const cpu = collectors.map((collector, i) => cpuMs(collector.pid) - cpuBefore[i]);
    const seconds = (performance.now() - since) / 1000;
    const rounds = roundDurations(fleet.scrapes, since);

    progress(`${rounds.length} scrape rounds measured`);
    const api = { topology: [], services: [] };
    for (let i = 0; i < API_SAMPLES; i++) {
      const base = collectors[i % collectors.length].url;
      api.topology.push(await timed(`${base}/v1/topology?window=5m`, operator));
      api.services.push(await timed(`${base}/v1/services?window=5m`, operator));
    }

    progress('API timed');
    const propagation = [];
    let version = 0;
    for (let i = 0; i < POLICY_WRITES; i++) {
      const started = performance.now();
      const response = await fetch(`${collectors[i % collectors.length].url}/v1/policies/svc-0`, {
        method: 'PUT',
        headers: { ...operator, 'content-type': 'application/json' },
        body: JSON.stringify({
          policy: { defaultTimeoutMs: 1000 + i },
          baseVersion: version,
          reason: `scale bench write ${i}`,
        }),
      });
      const body = await response.json();
      if (response.status !== 200) throw new Error(`policy write: ${JSON.stringify(body)}`);
      version = body.policy.version;
      while (!fleet.proxies.every((proxy) => proxy.receivedAt.has(version))) {
        if (performance.now() - started > 30_000) throw new Error(`version ${version} stuck`);
        await sleep(5);
      }
      progress(`policy version ${version} reached every proxy`);
      propagation.push(
        Math.max(...fleet.proxies.map((proxy) => proxy.receivedAt.get(version))) - started,
      );
    }
    const total = cpu.reduce((sum, value) => sum + value, 0);
    return {
      count,
      collectorCount,
      cpuPerProxySecond: total / (count * seconds),
      cpuShares: cpu.map((value) => value / total),
      roundP50: pct(rounds, 0.5),
      roundMax: Math.max(...rounds),
      topologyP95: pct(api.topology, 0.95),
      servicesP95: pct(api.services, 0.95),
      propagationP50: pct(propagation, 0.5),
      propagationP99: pct(propagation, 0.99),
    };
  } finally {
    await fleet.stop();
    for (const collector of collectors) await collector.stop();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

console.log(
  `collector at scale: ${SCRAPE_SECONDS} s scrapes, ${MEASURE_SECONDS} s measured per run, ${postgres ? 'PostgreSQL' : 'SQLite'}`,
);
console.log(
  'proxies  collectors  CPU ms/proxy-s  CPU shares   round p50 ms  round max ms  topology p95 ms  services p95 ms  policy→all p50 ms  p99 ms',
);
for (const count of SIZES) {
  for (const collectorCount of COLLECTORS) {
    if (collectorCount > 1 && !postgres) continue;
    const result = await run(count, collectorCount);
    console.log(
      [
        String(count).padStart(7),
        String(collectorCount).padStart(11),
        result.cpuPerProxySecond.toFixed(3).padStart(15),
        result.cpuShares
          .map((share) => `${Math.round(share * 100)}%`)
          .join('/')
          .padStart(11),
        result.roundP50.toFixed(0).padStart(14),
        result.roundMax.toFixed(0).padStart(13),
        result.topologyP95.toFixed(1).padStart(16),
        result.servicesP95.toFixed(1).padStart(16),
        result.propagationP50.toFixed(0).padStart(18),
        result.propagationP99.toFixed(0).padStart(7),
      ].join(''),
    );
  }
}
console.log(
  'targets: ≤ 0.5 ms CPU per proxy-second; topology p95 ≤ 200 ms; policy→all p99 ≤ 500 ms at 500, ≤ 2 s at 5,000',
);
