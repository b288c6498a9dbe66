import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Provider } from '@trellis/db';
import { createTestDatabase, testProviders, type TestDatabase } from '@trellis/db/testing';
import { createProxy, type TrellisProxy } from '@trellis/proxy';
import { createToken } from '../src/auth/token-store.js';
import { startCollector, type RunningCollector } from './helpers/collector-process.js';

/**
 * The built collector, killed with SIGKILL under traffic and started again on the same database
 * ten seconds later: every request the proxies served before, during and after the outage is in
 * the rollups exactly once, because the first scrape after the restart counts from the counter
 * checkpoints stored with the last round before the crash.
 */

const ARGS = ['--scrape-interval', '1s', '--heartbeat-interval', '200ms'];

let collectorOutput = (): string => '';

async function until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; collector said:\n${collectorOutput()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends through web's outbound proxy, as the web app would: `Host: catalog`. */
function send(outbound: string): Promise<number> {
  const [host, port] = outbound.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port: Number(port), path: '/items/1', headers: { host: 'catalog' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function sendOk(outbound: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect(await send(outbound)).toBe(200);
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(testProviders())('a collector on %s killed under traffic', (provider: Provider) => {
  it('loses no request and counts none twice across a 10 s outage', async () => {
    const testDatabase: TestDatabase = await createTestDatabase(provider);
    cleanups.push(() => testDatabase.drop());
    await migrate(testDatabase.url);
    const database = await openDatabase(testDatabase.url);
    const proxyToken = async (service: string) =>
      (await createToken(database, { role: 'proxy', name: service, service })).token;
    const tokens = { catalog: await proxyToken('catalog'), web: await proxyToken('web') };
    const viewer = {
      authorization: `Bearer ${(await createToken(database, { role: 'viewer', name: 'viewer' })).token}`,
    };
    // The collector is the database's only user from here on, as in production.
    await database.close();
    const cwd = mkdtempSync(join(tmpdir(), 'trellis-crash-'));
    cleanups.push(async () => rmSync(cwd, { recursive: true, force: true }));

    const args = ['--database-url', testDatabase.url, ...ARGS];
    let collector: RunningCollector = await startCollector(args, cwd);
    cleanups.push(() => collector.stop());
    collectorOutput = () => collector.stdout();

    const catalogApp: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((resolve) => catalogApp.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => catalogApp.close(() => resolve())));
    const common = {
      outbound: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      controlPlane: collector.url,
      log: () => {},
    };
    const catalog: TrellisProxy = createProxy({
      ...common,
      service: 'catalog',
      token: tokens.catalog,
      inbound: '127.0.0.1:0',
      app: `127.0.0.1:${(catalogApp.address() as AddressInfo).port}`,
    });
    const web: TrellisProxy = createProxy({
      ...common,
      service: 'web',
      token: tokens.web,
      inbound: '127.0.0.1:0',
    });
    cleanups.push(
      () => catalog.close(),
      () => web.close(),
    );
    await catalog.start();
    const { outbound } = await web.start();

    /** Requests catalog served in the last five minutes, per the collector's API. */
    const catalogRequests = async (): Promise<number> => {
      const response = await fetch(`${collector.url}/v1/services?window=5m`, { headers: viewer });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      const { services } = (await response.json()) as {
        services: Array<{ service: string; metrics: { requests: number } }>;
      };
      return services.find((summary) => summary.service === 'catalog')?.metrics.requests ?? 0;
    };
    /** Both proxies' latest stored scrape, as the registry reports it. */
    const lastScrapes = async (): Promise<number[]> => {
      const response = await fetch(`${collector.url}/v1/proxies`, { headers: viewer });
      const { proxies } = (await response.json()) as {
        proxies: Array<{ lastScrape: { at: string; error: string | null } | null }>;
      };
      return proxies.map((proxy) =>
        proxy.lastScrape?.error === null ? Date.parse(proxy.lastScrape.at) : 0,
      );
    };
    const scrapedSince = async (since: number): Promise<boolean> => {
      const scrapes = await lastScrapes();
      return scrapes.length === 2 && scrapes.every((at) => at > since);
    };

    // Discovery first: the requests that found no endpoint never reached catalog.
    await until(async () => (await send(outbound)) === 200, 'web to reach catalog');
    const settled = Date.now() + 1000;
    await until(() => scrapedSince(settled), 'two stored scrape rounds');
    const warmUp = await catalogRequests();

    await sendOk(outbound, 100);
    await until(async () => (await catalogRequests()) === warmUp + 100, 'the first 100 requests');

    await collector.kill();
    const killedAt = Date.now();
    await sendOk(outbound, 50);
    await new Promise((resolve) => setTimeout(resolve, 10_000 - (Date.now() - killedAt)));

    collector = await startCollector(args, cwd, collector.port);
    // Catalog may leave discovery for a moment if its first heartbeat after the outage waits
    // out its backoff; the one request that gets through then is counted too.
    await until(async () => (await send(outbound)) === 200, 'web to reach catalog again');
    await sendOk(outbound, 30);
    await until(
      async () => (await catalogRequests()) === warmUp + 181,
      'all 181 requests, the 50 of the outage included',
    );
    // A second count of anything would show within a few more rounds.
    const counted = Date.now() + 2000;
    await until(() => scrapedSince(counted), 'three more stored scrape rounds');
    expect(await catalogRequests()).toBe(warmUp + 181);
  }, 90_000);
});
