// Renders a generated 500-service / 2,000-edge mesh on the dashboard's topology page in
// Chromium and prints time to first render, time to a settled ELK layout, and the page's
// first-load JavaScript (gzipped, from the build output). Needs `npm run build` first.
//
// The collector side is a small generator serving the topology contract: the bench measures
// the dashboard's rendering, not the collector's queries.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const SERVICES = 500;
const EDGES = 2000;
const COLLECTOR_PORT = 17790;
const DASHBOARD_PORT = 13090;
const RUNS = 3;
const root = join(import.meta.dirname, '..');
const dashboardDir = join(root, 'apps/dashboard');

/** A deterministic random generator, so every run lays out the same graph. */
function lcg(seed) {
  let state = seed;
  return () => (state = (state * 1664525 + 1013904223) % 4294967296) / 4294967296;
}

/** A layered mesh: edges go from lower to higher tiers, like callers to their dependencies. */
function generateTopology() {
  const random = lcg(42);
  const window = {
    from: new Date(Date.now() - 900_000).toISOString(),
    to: new Date().toISOString(),
    seconds: 900,
    dataSeconds: 900,
  };
  const metrics = () => {
    const successRate = random() < 0.05 ? 0.85 + random() * 0.1 : 0.97 + random() * 0.03;
    const p50 = 0.002 + random() * 0.05;
    return { requests: 1000, rps: random() * 200, successRate, p50, p95: p50 * 3, p99: p50 * 6 };
  };
  const health = (sr) => (sr < 0.9 ? 'failing' : sr < 0.95 ? 'warning' : 'healthy');
  const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  const tierOf = (i) => Math.floor((i / SERVICES) * 8);
  const nodes = names.map((service) => {
    const m = metrics();
    return {
      service,
      metrics: m,
      served: m,
      health: health(m.successRate),
      instances: { live: 2, stale: 0 },
    };
  });
  const seen = new Set();
  const edges = [];
  while (edges.length < EDGES) {
    const a = Math.floor(random() * SERVICES);
    const b = Math.floor(random() * SERVICES);
    if (tierOf(b) <= tierOf(a) || seen.has(`${a}-${b}`)) continue;
    seen.add(`${a}-${b}`);
    const m = metrics();
    edges.push({
      source: names[a],
      destination: names[b],
      metrics: m,
      health: health(m.successRate),
      measuredBy: 'outbound',
    });
  }
  return { window, nodes, edges };
}

function startGenerator(topology) {
  const answers = {
    '/v1/health': { status: 'ok', database: 'sqlite', scrapeIntervalSeconds: 5 },
    '/v1/whoami': { name: 'bench', role: 'viewer' },
    '/v1/topology': topology,
  };
  const server = createServer((request, response) => {
    const body = answers[new URL(request.url, 'http://bench').pathname];
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { error: { code: 'not-found', message: request.url } }));
  });
  return new Promise((resolve) =>
    server.listen(COLLECTOR_PORT, '127.0.0.1', () => resolve(server)),
  );
}

async function startDashboard() {
  const child = spawn(
    process.execPath,
    [
      join(root, 'node_modules/next/dist/bin/next'),
      'start',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(DASHBOARD_PORT),
    ],
    {
      cwd: dashboardDir,
      env: {
        ...process.env,
        TRELLIS_COLLECTOR_URL: `http://127.0.0.1:${COLLECTOR_PORT}`,
        NEXT_TELEMETRY_DISABLED: '1',
      },
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 120; i++) {
    try {
      await fetch(`http://127.0.0.1:${DASHBOARD_PORT}/login`);
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  child.kill();
  throw new Error('the dashboard did not start');
}

/** The scripts the topology page's HTML loads before anything else, gzipped as served. */
async function firstLoadJs(cookie) {
  const html = await (
    await fetch(`http://127.0.0.1:${DASHBOARD_PORT}/topology`, { headers: { cookie } })
  ).text();
  const sources = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]))];
  let bytes = 0;
  for (const src of sources) {
    const file = join(dashboardDir, '.next', src.replace(/^\/_next\//, '').split('?')[0]);
    bytes += gzipSync(readFileSync(file), { level: 9 }).length;
  }
  return { files: sources.length, kb: bytes / 1024 };
}

if (!existsSync(join(dashboardDir, '.next/BUILD_ID'))) {
  console.error('bench: build the dashboard first (npm run build)');
  process.exit(1);
}

const generator = await startGenerator(generateTopology());
const dashboard = await startDashboard();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${DASHBOARD_PORT}/login`);
  await page.fill('#token', 'bench-token');
  await page.click('button[type=submit]');
  await page.waitForURL(`http://127.0.0.1:${DASHBOARD_PORT}/`);
  await page.waitForLoadState('networkidle');
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');

  const load = async () => {
    await page.goto(`http://127.0.0.1:${DASHBOARD_PORT}/topology?refresh=off`);
    await page.waitForSelector('[data-testid=topology-graph][data-layout=settled]', {
      timeout: 60_000,
    });
    await page.waitForFunction(() => performance.getEntriesByName('topology:settled').length > 0);
    return page.evaluate(() => ({
      firstRender: performance.getEntriesByName('topology:first-render')[0].startTime,
      settled: performance.getEntriesByName('topology:settled')[0].startTime,
      nodes: Number(
        globalThis.document.querySelector('[data-testid=topology-graph]').dataset.nodes,
      ),
      edges: Number(
        globalThis.document.querySelector('[data-testid=topology-graph]').dataset.edges,
      ),
    }));
  };
  const results = [];
  for (let run = 0; run < RUNS; run++) {
    // Cold: no layout kept from the previous load.
    await page.evaluate(() => sessionStorage.clear());
    results.push(await load());
  }
  // Warm: a revisit in the same tab (ELK's layouts of smaller meshes are kept in sessionStorage;
  // one this large is laid out again, in milliseconds, by the coarser layered layout).
  const warm = await load();
  const js = await firstLoadJs(cookie);
  const median = (key) => results.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  console.log(
    `topology: ${results[0].nodes} services, ${results[0].edges} edges, ${RUNS} loads (median, from navigation start)`,
  );
  console.log(`  cold first render    ${median('firstRender').toFixed(0)} ms`);
  console.log(`  cold settled layout  ${median('settled').toFixed(0)} ms   (target ≤ 1500 ms)`);
  console.log(
    `  warm revisit    first render ${warm.firstRender.toFixed(0)} ms, settled ${warm.settled.toFixed(0)} ms`,
  );
  console.log(
    `  first-load JS   ${js.kb.toFixed(1)} KB gzipped in ${js.files} files   (target ≤ 300 KB)`,
  );
} finally {
  await browser.close();
  dashboard.kill();
  generator.close();
}
