import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database } from '@trellis/db';
import { createTestDatabase, testProviders, type TestDatabase } from '@trellis/db/testing';
import { createProxy, type TrellisProxy } from '@trellis/proxy';
import { defaultPolicy } from '@trellis/contracts';
import { ChangeHub } from '../src/discovery/change-hub.js';
import { DEFAULT_HEALTH_THRESHOLDS } from '../src/query/health.js';
import { MeshQueries } from '../src/query/mesh-queries.js';
import { ProxyRegistry } from '../src/registry/proxy-registry.js';
import { CounterCheckpointStore } from '../src/scrape/counter-checkpoints.js';
import { ScrapeService } from '../src/scrape/scrape-service.js';
import { RollupStore } from '../src/rollup/rollup-store.js';
import { rollupTiers } from '../src/rollup/rollup-tiers.js';
import { PrometheusOracle } from './support/prometheus-oracle.js';

/**
 * The collector's numbers against traffic we sent through real proxies, and against a real
 * Prometheus scraping the same proxies: counts exact, quantiles equal to histogram_quantile.
 */

const SCRAPE_SECONDS = 5;

function startCatalogApp(): Promise<Server> {
  let flakyCalls = 0;
  const server = createServer((req, res) => {
    // Every other call fails: with one retry, every request succeeds on its second attempt.
    if (req.url === '/flaky') {
      res.writeHead(flakyCalls++ % 2 === 0 ? 503 : 200).end();
      return;
    }
    if (req.url === '/fail') {
      res.writeHead(500).end('failed');
      return;
    }
    // /items/N answers after (N mod 5) × 4 ms, spreading latencies over several buckets.
    const n = Number(req.url?.split('/')[2] ?? 0);
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), (n % 5) * 4);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function address(server: Server): string {
  const { port } = server.address() as AddressInfo;
  return `127.0.0.1:${port}`;
}

async function catalogProxy(app: string, ports?: { inbound: string; admin: string }) {
  const proxy = createProxy({
    service: 'catalog',
    inbound: ports?.inbound ?? '127.0.0.1:0',
    outbound: '127.0.0.1:0',
    admin: ports?.admin ?? '127.0.0.1:0',
    app,
    staticConfig: { services: {} },
    log: () => {},
  });
  return { proxy, addresses: await proxy.start() };
}

/** Sends through web's outbound proxy, as the web app would: `Host: catalog`. */
function send(outbound: string, path: string): Promise<number> {
  const [host, port] = outbound.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, headers: { host: 'catalog' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function sendTraffic(outbound: string, ok: number, failing: number): Promise<void> {
  for (let i = 0; i < ok; i++) expect(await send(outbound, `/items/${i}`)).toBe(200);
  for (let i = 0; i < failing; i++) expect(await send(outbound, '/fail')).toBe(500);
}

describe.each(testProviders())('golden metrics through real proxies on %s', (provider) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let app: Server;
  let web: TrellisProxy;
  let webAddresses: { inbound: string; outbound: string; admin: string };
  let catalog: Awaited<ReturnType<typeof catalogProxy>>;
  let scraping: ScrapeService;
  let registry: ProxyRegistry;
  let queries: MeshQueries;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    await migrate(testDatabase.url);
    database = await openDatabase(testDatabase.url);
    app = await startCatalogApp();
    catalog = await catalogProxy(address(app));
    web = createProxy({
      service: 'web',
      inbound: '127.0.0.1:0',
      outbound: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      staticConfig: {
        services: {
          catalog: {
            endpoints: [{ address: catalog.addresses.inbound }],
            policy: {
              routes: [
                {
                  name: 'flaky',
                  match: { path: '/flaky' },
                  retry: { maxRetries: 1, on: ['5xx'], backoff: { baseMs: 1, maxMs: 1 } },
                },
              ],
            },
          },
        },
      },
      log: () => {},
    });
    webAddresses = await web.start();
    const rollups = new RollupStore(
      database,
      rollupTiers({
        scrapeIntervalSeconds: SCRAPE_SECONDS,
        fineRetentionSeconds: 6 * 3600,
        coarseRetentionSeconds: 7 * 86_400,
      }),
    );
    registry = new ProxyRegistry(database, new ChangeHub(), 2000, 86_400);
    for (const [service, instanceId, addresses] of [
      ['web', 'web-1', webAddresses],
      ['catalog', 'catalog-1', catalog.addresses],
    ] as const) {
      await registry.heartbeat(
        {
          service,
          instanceId,
          inboundAddress: addresses.inbound,
          adminAddress: addresses.admin,
          proxyVersion: 'test',
          applied: {},
        },
        'test-token',
      );
    }
    scraping = new ScrapeService({
      rollups,
      checkpoints: new CounterCheckpointStore(database),
      registry,
      intervalMs: SCRAPE_SECONDS * 1000,
    });
    queries = new MeshQueries({
      rollups,
      thresholds: DEFAULT_HEALTH_THRESHOLDS,
      instanceCounts: async () => new Map([['catalog', { live: 1, stale: 0 }]]),
      lastScrapeAt: () => registry.lastScrapeAt(),
      policy: async (service) => defaultPolicy(service),
      policyChanges: async () => [],
    });
  });

  afterAll(async () => {
    await scraping.stop();
    await web.close();
    await catalog.proxy.close();
    await new Promise((resolve) => app.close(resolve));
    await database.close();
    await testDatabase.drop();
  });

  const lastMinute = () => {
    const toMs = Date.now() + SCRAPE_SECONDS * 1000;
    return { fromMs: toMs - 60_000, toMs, seconds: 60 };
  };

  it('counts exactly what was sent and matches PromQL', async () => {
    const oracle = await PrometheusOracle.start([webAddresses.admin, catalog.addresses.admin]);
    try {
      await scraping.scrapeOnce();
      await sendTraffic(webAddresses.outbound, 40, 10);
      await scraping.scrapeOnce();
      const scrapes = (await registry.list()).map((proxy) => [
        proxy.instanceId,
        proxy.lastScrape?.error,
      ]);
      expect(scrapes).toEqual([
        ['catalog-1', null],
        ['web-1', null],
      ]);

      const topology = await queries.topology(lastMinute());
      expect(topology.edges).toHaveLength(1);
      const edge = topology.edges[0]!;
      expect(edge).toMatchObject({ source: 'web', destination: 'catalog', measuredBy: 'outbound' });
      expect(edge.metrics.requests).toBe(50);
      expect(edge.metrics.successRate).toBe(0.8);
      // One scrape round of data: the rate covers its one interval, not the whole minute.
      expect(topology.window.dataSeconds).toBe(SCRAPE_SECONDS);
      expect(edge.metrics.rps).toBe(50 / SCRAPE_SECONDS);
      const node = topology.nodes.find((n) => n.service === 'catalog')!;
      expect(node.metrics.requests).toBe(50);
      expect(node.metrics.successRate).toBe(0.8);
      expect(node.health).toBe('failing');

      const routes = await queries.routes(lastMinute(), 'catalog');
      expect(
        routes.routes.map((r) => [r.route, r.effective.requests, r.actual.successRate]),
      ).toEqual([['default', 50, 0.8]]);

      const selector = 'direction="outbound",dst_service="catalog"';
      await oracle.until(
        async () => (await oracle.query(`sum(request_total{${selector}})`)) === 50,
        'Prometheus to scrape the traffic',
      );
      const histogram = await queries.histogram(lastMinute(), 'catalog', 'default');
      for (const [q, ours] of [
        [0.5, histogram.p50],
        [0.95, histogram.p95],
        [0.99, histogram.p99],
      ] as const) {
        const promql = await oracle.query(
          `histogram_quantile(${q}, sum by (le) (response_latency_seconds_bucket{${selector}}))`,
        );
        expect(ours).toBeCloseTo(promql!, 12);
      }
      expect(histogram.counts.reduce((a, b) => a + b, 0)).toBe(50);
    } finally {
      await oracle.stop();
    }
  });

  it('a proxy restart mid-window neither loses nor doubles requests', async () => {
    const ports = { inbound: catalog.addresses.inbound, admin: catalog.addresses.admin };
    await catalog.proxy.close();
    catalog = await catalogProxy(address(app), ports);
    await sendTraffic(webAddresses.outbound, 20, 0);
    await scraping.scrapeOnce();

    const topology = await queries.topology(lastMinute());
    expect(topology.edges[0]!.metrics.requests).toBe(70);
    expect(topology.edges[0]!.metrics.successRate).toBeCloseTo(60 / 70, 12);
    const catalogNode = topology.nodes.find((n) => n.service === 'catalog')!;
    expect(catalogNode.metrics.requests).toBe(70);

    const series = await queries.series(lastMinute(), 'catalog', undefined);
    const requests = series.points.map((p) => (p.rps ?? 0) * series.stepSeconds);
    expect(requests.every((n) => n >= 0)).toBe(true);
    expect(Math.round(requests.reduce((a, b) => a + b, 0))).toBe(70);
  });

  it("a service's headline is what callers saw after retries; what it served sits beside", async () => {
    for (let i = 0; i < 20; i++) expect(await send(webAddresses.outbound, '/flaky')).toBe(200);
    await scraping.scrapeOnce();

    const topology = await queries.topology(lastMinute());
    const edge = topology.edges[0]!;
    const node = topology.nodes.find((n) => n.service === 'catalog')!;
    // 20 more requests, all successful after one retry each: 40 attempts reached catalog.
    expect(edge.metrics.requests).toBe(90);
    expect(node.metrics).toEqual(edge.metrics);
    expect(node.metrics.successRate).toBeCloseTo(80 / 90, 12);
    expect(node.metrics.rps).toBe(90 / topology.window.dataSeconds);
    expect(node.served.requests).toBe(110);
    expect(node.served.successRate).toBeCloseTo(80 / 110, 12);
    expect(node.health).toBe('failing');

    const detail = await queries.service(lastMinute(), 'catalog');
    expect(detail?.service).toEqual(node);
    expect(detail?.inbound).toEqual([edge]);
    expect(await queries.service(lastMinute(), 'nobody')).toBeUndefined();

    const flaky = (await queries.routes(lastMinute(), 'catalog')).routes.find(
      (r) => r.route === 'flaky',
    )!;
    expect(flaky.effective.requests).toBe(20);
    expect(flaky.effective.successRate).toBe(1);
    expect(flaky.actual.successRate).toBe(0.5);
    expect(flaky.retries.retried).toBe(20);
    expect(flaky.health).toBe('healthy');
    expect(flaky.actual.health).toBe('failing');
    expect(flaky.timeoutSeconds).toBe(10);
    expect(flaky.statuses).toEqual({
      '1xx': 0,
      '2xx': 20,
      '3xx': 0,
      '4xx': 0,
      '5xx': 0,
      proxyErrors: {},
    });
    // The service's breakdown: 80 answered 2xx and the 10 calls to /fail 500, as callers saw.
    expect(detail?.statuses).toMatchObject({ '2xx': 80, '5xx': 10 });
  });

  it('drills into one edge by route, status and time, and trends every service at once', async () => {
    const edge = await queries.edge(lastMinute(), 'web', 'catalog');
    expect(edge?.edge.metrics.requests).toBe(90);
    expect(edge?.routes.map((r) => [r.route, r.metrics.requests, r.statuses['5xx']])).toEqual([
      ['default', 70, 10],
      ['flaky', 20, 0],
    ]);
    expect(edge?.statuses).toMatchObject({ '2xx': 80, '5xx': 10 });
    const perStep = edge!.series.points.map((p) => (p.rps ?? 0) * edge!.series.stepSeconds);
    expect(Math.round(perStep.reduce((a, b) => a + b, 0))).toBe(90);
    expect(await queries.edge(lastMinute(), 'catalog', 'web')).toBeUndefined();

    const trends = await queries.trends(lastMinute());
    const catalog = trends.services.find((t) => t.service === 'catalog');
    const series = await queries.series(lastMinute(), 'catalog', undefined);
    expect(catalog?.points).toEqual(
      series.points.map(({ t, rps, successRate }) => ({ t, rps, successRate })),
    );
  });
});
