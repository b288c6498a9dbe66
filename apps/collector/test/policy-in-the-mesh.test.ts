import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicySpecInput, RouteList } from '@trellis/contracts';
import { createProxy, type TrellisProxy } from '@trellis/proxy';
import { startTestCollector, type TestCollector } from './helpers/test-collector.js';

/**
 * Policy end to end: written through the API, pushed to real proxies over the control plane,
 * applied live, and visible in the traffic and in the metrics the collector scrapes.
 */

type Mode = 'slow' | 'alternate' | 'down';

/** catalog's app: `slow` answers after 300 ms; `alternate` fails every other request; `down` always 503. */
function startCatalogApp(state: { mode: Mode }): Promise<Server> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    if (state.mode === 'slow') {
      setTimeout(() => res.writeHead(200).end('ok'), 300);
    } else if (state.mode === 'alternate') {
      res.writeHead(count++ % 2 === 0 ? 503 : 200).end();
    } else {
      res.writeHead(503).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function send(
  outbound: string,
  path = '/items/1',
): Promise<{ status: number; error: string | undefined }> {
  const [host, port] = outbound.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, headers: { host: 'catalog' } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          error: res.headers['x-trellis-error'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('policy in the mesh', () => {
  const state: { mode: Mode } = { mode: 'slow' };
  let collector: TestCollector;
  let app: Server;
  let catalog: TrellisProxy;
  let web: TrellisProxy;
  let outbound: string;
  let version = 0;

  async function writePolicy(spec: PolicySpecInput, reason: string): Promise<number> {
    const response = await collector.app.inject({
      method: 'PUT',
      url: '/v1/policies/catalog',
      headers: collector.as('operator'),
      payload: { policy: spec, baseVersion: version, reason },
    });
    expect(response.statusCode).toBe(200);
    version = response.json().policy.version;
    return version;
  }

  /** Until both proxies report the version as applied (their heartbeats carry it). */
  async function propagated(expected: number): Promise<void> {
    await until(async () => {
      const response = await collector.app.inject({
        method: 'GET',
        url: '/v1/policies/catalog',
        headers: collector.as('viewer'),
      });
      const { propagation } = response.json();
      return propagation.total === 2 && propagation.applied === 2 && version === expected;
    }, `version ${expected} on both proxies`);
  }

  beforeAll(async () => {
    collector = await startTestCollector('sqlite', { args: ['--heartbeat-interval', '200ms'] });
    const controlPlane = await collector.listen();
    app = await startCatalogApp(state);
    const common = {
      outbound: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      controlPlane,
      log: () => {},
    };
    catalog = createProxy({
      ...common,
      token: collector.tokens.proxy,
      service: 'catalog',
      inbound: '127.0.0.1:0',
      app: `127.0.0.1:${(app.address() as AddressInfo).port}`,
    });
    web = createProxy({
      ...common,
      token: await collector.proxyToken('web'),
      service: 'web',
      inbound: '127.0.0.1:0',
    });
    await catalog.start();
    outbound = (await web.start()).outbound;
    await until(
      async () => (await collector.app.registry.scrapeTargets()).length === 2,
      'both proxies to register',
    );
    // The proxies started before the collector watched them: the first scrape is the baseline.
    await collector.app.scraping.scrapeOnce();
    await until(async () => (await send(outbound)).status === 200, 'web to reach catalog', 10_000);
  });

  afterAll(async () => {
    await web.close();
    await catalog.close();
    await new Promise((resolve) => app.close(resolve));
    await collector.close();
  });

  it('a shorter timeout cuts the slow route within a second, and a rollback restores it', async () => {
    const v1 = await writePolicy({ defaultTimeoutMs: 1000 }, 'generous timeout');
    await propagated(v1);
    expect(await send(outbound)).toEqual({ status: 200, error: undefined });

    // Every request so far took about 300 ms: a 250 ms timeout would have cut them all.
    await collector.app.scraping.scrapeOnce();
    const preview = async (policy: unknown) => {
      const response = await collector.app.inject({
        method: 'POST',
        url: '/v1/policies/catalog/preview',
        headers: collector.as('viewer'),
        payload: { policy },
      });
      expect(response.statusCode).toBe(200);
      return response.json();
    };
    const cut = await preview({ defaultTimeoutMs: 250 });
    expect(cut.valid).toBe(true);
    expect(cut.diff).toEqual([
      {
        path: 'defaultTimeoutMs',
        before: 1000,
        after: 250,
        summary: 'Default timeout: 1000 ms → 250 ms',
      },
    ]);
    expect(cut.whatIf).toHaveLength(1);
    expect(cut.whatIf[0]).toMatchObject({ route: 'default', timeoutMs: 250, wouldTimeOut: 1 });
    expect(cut.whatIf[0].requests).toBeGreaterThanOrEqual(2);
    expect((await preview({ defaultTimeoutMs: 5000 })).whatIf[0].wouldTimeOut).toBe(0);
    expect(await preview({ defaultTimeoutMs: 0 })).toMatchObject({
      valid: false,
      issues: [{ path: 'policy.defaultTimeoutMs' }],
    });

    const written = Date.now();
    const v2 = await writePolicy({ defaultTimeoutMs: 100 }, 'cut the slow tail');
    await until(async () => (await send(outbound)).status === 504, 'the 100 ms timeout', 1000);
    expect(Date.now() - written).toBeLessThan(1000);
    expect(await send(outbound)).toEqual({ status: 504, error: 'request-timeout' });
    await propagated(v2);

    const rollback = await collector.app.inject({
      method: 'POST',
      url: '/v1/policies/catalog/rollback',
      headers: collector.as('operator'),
      payload: { toVersion: v1, reason: 'too aggressive' },
    });
    expect(rollback.statusCode).toBe(200);
    version = rollback.json().policy.version;
    await until(async () => (await send(outbound)).status === 200, 'the rollback', 1000);
  });

  /** The items route's counts in the last 5 minutes (zeros before its first request). */
  async function routeMetrics(): Promise<{
    requests: number;
    retries: RouteList['routes'][number]['retries'];
  }> {
    await collector.app.scraping.scrapeOnce();
    const response = await collector.app.inject({
      method: 'GET',
      url: '/v1/services/catalog/routes?window=5m',
      headers: collector.as('viewer'),
    });
    expect(response.statusCode).toBe(200);
    const route = (response.json() as RouteList).routes.find((r) => r.route === 'items');
    return {
      requests: route?.effective.requests ?? 0,
      retries: route?.retries ?? {
        retried: 0,
        budgetExhausted: 0,
        limitReached: 0,
        bodyTooLarge: 0,
      },
    };
  }

  it('retries raise the success rate of a flaky route, and show in the metrics', async () => {
    state.mode = 'alternate';
    await writePolicy(
      { routes: [{ name: 'items', match: { path: '/items/{id}' } }] },
      'name the route, no retries',
    );
    await propagated(version);
    await collector.app.scraping.scrapeOnce();
    const before = await routeMetrics();
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await send(outbound)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);

    const retryPolicy: PolicySpecInput = {
      routes: [
        {
          name: 'items',
          match: { path: '/items/{id}' },
          retry: { maxRetries: 2, on: ['5xx'], backoff: { baseMs: 1, maxMs: 5 } },
        },
      ],
    };
    // Before saving: half the attempts fail, so two retries would leave 0.5³ failing.
    await collector.app.scraping.scrapeOnce();
    const seen = await routeMetrics();
    const preview = await collector.app.inject({
      method: 'POST',
      url: '/v1/policies/catalog/preview',
      headers: collector.as('viewer'),
      payload: { policy: retryPolicy, window: '15m' },
    });
    const [whatIf] = preview.json().retries;
    const failures = (seen.requests - before.requests) / 2;
    expect(whatIf).toMatchObject({
      route: 'items',
      maxRetries: 2,
      windowSeconds: 900,
      requests: seen.requests,
      successRate: 1 - failures / seen.requests,
      budgetAllows: Math.floor(0.2 * seen.requests + 10 * 900),
    });
    expect(whatIf.expectedSuccessRate).toBeCloseTo(1 - (failures / seen.requests) * 0.25, 12);

    await writePolicy(retryPolicy, 'retry the flaky route');
    await propagated(version);
    const retried = [];
    for (let i = 0; i < 20; i++) retried.push((await send(outbound)).status);
    expect(retried.filter((s) => s === 200)).toHaveLength(20);

    const after = await routeMetrics();
    const requests = after.requests - before.requests;
    expect(requests).toBe(40);
    // Effective: 10 failures in 40 requests. Actual: 20 failed attempts of 60.
    expect(after.retries.retried - before.retries.retried).toBe(20);
  });

  it('under total failure the budget caps retries', async () => {
    state.mode = 'down';
    await writePolicy(
      {
        routes: [
          {
            name: 'items',
            match: { path: '/items/{id}' },
            retry: { maxRetries: 3, on: ['5xx'], backoff: { baseMs: 0, maxMs: 0 } },
          },
        ],
        retryBudget: { ratio: 0.2, minRetriesPerSecond: 1, ttlSeconds: 10 },
      },
      'fixed budget',
    );
    await propagated(version);
    const before = await routeMetrics();
    for (let i = 0; i < 100; i++) expect((await send(outbound)).status).toBe(503);
    const after = await routeMetrics();
    const retries = after.retries.retried - before.retries.retried;
    const exhausted = after.retries.budgetExhausted - before.retries.budgetExhausted;
    // Retries in the window may not exceed 0.2 × 100 requests + 1/s × 10 s, far from 3 × 100.
    expect(retries).toBeLessThanOrEqual(0.2 * 100 + 10);
    expect(retries).toBeGreaterThan(0);
    expect(exhausted).toBeGreaterThan(0);
  });
});
