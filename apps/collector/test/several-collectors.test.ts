import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database } from '@trellis/db';
import { createTestDatabase, testProviders, type TestDatabase } from '@trellis/db/testing';
import { createProxy, type TrellisProxy } from '@trellis/proxy';
import { buildApp, type CollectorApp } from '../src/app.js';
import { createToken } from '../src/auth/token-store.js';
import { loadConfig } from '../src/config.js';
import { SseClient } from './helpers/sse-client.js';

/**
 * Two collectors on one PostgreSQL database, as behind a load balancer: one of them scrapes,
 * changes made through either reach the watches and event streams of both, and when the one
 * that scrapes goes away the other takes over without counting anything twice.
 */

/** The shortest that PostgreSQL rollups take: their bucket width is a whole number of seconds. */
const SCRAPE_INTERVAL_MS = 1000;
const ARGS = ['--scrape-interval', `${SCRAPE_INTERVAL_MS}ms`, '--heartbeat-interval', '200ms'];

interface Member {
  app: CollectorApp;
  database: Database;
  url: string;
  closed: boolean;
}

async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function startCatalogApp(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
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

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.json();
}

describe.skipIf(!testProviders().includes('postgresql'))(
  'several collectors on one PostgreSQL database',
  () => {
    let testDatabase: TestDatabase;
    let members: Member[];
    let leader: Member;
    let follower: Member;
    let viewer: { authorization: string };
    let operator: { authorization: string };
    let catalogApp: Server;
    let catalog: TrellisProxy;
    let catalogAdmin: string;
    let web: TrellisProxy;
    let outbound: string;
    /** Requests counted before the tests send theirs: the ones that waited for discovery. */
    let before: number;

    async function startMember(): Promise<Member> {
      const database = await openDatabase(testDatabase.url);
      const app = await buildApp({
        config: loadConfig(['--database-url', testDatabase.url, ...ARGS], {}),
        database,
        scrapeLoop: true,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      return { app, database, url, closed: false };
    }

    async function close(member: Member): Promise<void> {
      if (member.closed) return;
      member.closed = true;
      await member.app.close();
      await member.database.close();
    }

    async function isScraping(member: Member): Promise<boolean> {
      const health = (await getJson(`${member.url}/v1/health`)) as { scraping: boolean };
      return health.scraping;
    }

    /** Requests catalog served in the last five minutes, as `member` reports them. */
    async function catalogRequests(member: Member): Promise<number> {
      const response = await fetch(`${member.url}/v1/services?window=5m`, { headers: viewer });
      expect(response.status).toBe(200);
      const { services } = (await response.json()) as {
        services: Array<{ service: string; metrics: { requests: number } }>;
      };
      return services.find((summary) => summary.service === 'catalog')?.metrics.requests ?? 0;
    }

    /** Waits until exactly one of the open collectors scrapes, and names it. */
    async function electedLeader(): Promise<Member> {
      const open = members.filter((member) => !member.closed);
      let scraping: Member[] = [];
      await until(async () => {
        const states = await Promise.all(open.map(isScraping));
        scraping = open.filter((_, index) => states[index]);
        return scraping.length === 1;
      }, 'exactly one collector to scrape');
      return scraping[0]!;
    }

    /** Backends that hold the scrape lock: one session of one collector. */
    async function lockHolders(): Promise<number[]> {
      const rows = await follower.database.prisma.$queryRawUnsafe<Array<{ pid: number }>>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return rows.map((row) => row.pid);
    }

    /** Resolves after both proxies have been through `rounds` more stored scrapes. */
    async function scrapeRounds(rounds: number): Promise<void> {
      const since = Date.now() + (rounds - 1) * SCRAPE_INTERVAL_MS;
      await until(async () => {
        const proxies = await follower.database.prisma.proxy.findMany({
          select: { lastScrapeAt: true },
        });
        return (
          proxies.length === 2 &&
          proxies.every((proxy) => (proxy.lastScrapeAt?.getTime() ?? 0) > since)
        );
      }, `${rounds} more scrape rounds`);
    }

    beforeAll(async () => {
      testDatabase = await createTestDatabase('postgresql');
      await migrate(testDatabase.url);
      members = [await startMember(), await startMember()];
      const [first] = members as [Member, Member];
      const tokens = {
        viewer: (await createToken(first.database, { role: 'viewer', name: 'viewer' })).token,
        operator: (await createToken(first.database, { role: 'operator', name: 'operator' })).token,
      };
      const proxyToken = async (service: string) =>
        (await createToken(first.database, { role: 'proxy', name: service, service })).token;
      viewer = { authorization: `Bearer ${tokens.viewer}` };
      operator = { authorization: `Bearer ${tokens.operator}` };

      leader = await electedLeader();
      follower = members.find((member) => member !== leader)!;

      // Both proxies talk to the collector that does not scrape; the other one scrapes them.
      catalogApp = await startCatalogApp();
      const common = {
        outbound: '127.0.0.1:0',
        admin: '127.0.0.1:0',
        controlPlane: follower.url,
        log: () => {},
      };
      catalog = createProxy({
        ...common,
        token: await proxyToken('catalog'),
        service: 'catalog',
        inbound: '127.0.0.1:0',
        app: `127.0.0.1:${(catalogApp.address() as AddressInfo).port}`,
      });
      web = createProxy({
        ...common,
        token: await proxyToken('web'),
        service: 'web',
        inbound: '127.0.0.1:0',
      });
      catalogAdmin = (await catalog.start()).admin;
      outbound = (await web.start()).outbound;
      await until(async () => (await send(outbound)) === 200, 'web to reach catalog');
      await scrapeRounds(2);
      before = await catalogRequests(leader);
    });

    afterAll(async () => {
      await web?.close();
      await catalog?.close();
      if (catalogApp) await new Promise((resolve) => catalogApp.close(resolve));
      for (const member of members ?? []) await close(member);
      await testDatabase?.drop();
    });

    it('lets exactly one of them scrape, so counts are not doubled', async () => {
      expect(await isScraping(leader)).toBe(true);
      expect(await isScraping(follower)).toBe(false);

      await sendOk(outbound, 30);
      await until(
        async () => (await catalogRequests(leader)) === before + 30,
        'the 30 requests in the rollups',
      );
      // A second scraper would add the same increases again within a round or two.
      await scrapeRounds(3);
      expect(await catalogRequests(leader)).toBe(before + 30);
      expect(await catalogRequests(follower)).toBe(before + 30);
      expect(await isScraping(follower)).toBe(false);
    });

    it('carries a policy write on one collector to the proxies and event streams of the other', async () => {
      const events = await SseClient.connect(`${follower.url}/v1/events`, viewer);
      try {
        const response = await fetch(`${leader.url}/v1/policies/catalog`, {
          method: 'PUT',
          headers: { ...operator, 'content-type': 'application/json' },
          body: JSON.stringify({
            policy: { defaultTimeoutMs: 1500 },
            baseVersion: 0,
            reason: 'written on the other collector',
          }),
        });
        expect(response.status).toBe(200);

        const event = await events.next((candidate) => candidate.event === 'policy', 2000);
        expect(event.data).toMatchObject({
          service: 'catalog',
          version: 1,
          author: 'operator',
          reason: 'written on the other collector',
        });
        await until(
          async () => {
            const view = (await getJson(`http://${catalogAdmin}/config`)) as {
              destinations: Record<string, { policyVersion: number }>;
            };
            return view.destinations['catalog']?.policyVersion === 1;
          },
          'catalog to apply version 1',
          2000,
        );
      } finally {
        events.close();
      }
    });

    it('stops scraping when its connection fails, and one collector scrapes again', async () => {
      const [holder] = await lockHolders();
      expect(holder).toBeDefined();
      await follower.database.prisma.$queryRawUnsafe(`SELECT pg_terminate_backend(${holder})`);
      // The old scraper reconnects and competes again; either may win, but only one.
      await until(async () => {
        const holders = await lockHolders();
        return holders.length === 1 && holders[0] !== holder;
      }, 'the scrape lock to be taken again');
      leader = await electedLeader();
      follower = members.find((member) => member !== leader)!;
      await scrapeRounds(1);

      await sendOk(outbound, 10);
      await until(
        async () => (await catalogRequests(leader)) === before + 40,
        'the 10 requests after the reconnect on top of the 30 before',
      );
      await scrapeRounds(3);
      expect(await catalogRequests(follower)).toBe(before + 40);
      expect(await isScraping(follower)).toBe(false);
    });

    it('hands scraping over when the scraping collector closes, still counting exactly', async () => {
      expect(await catalogRequests(follower)).toBe(before + 40);

      await close(leader);
      // Served while no collector scrapes: the new scraper counts them from the checkpoints.
      await sendOk(outbound, 5);
      await until(() => isScraping(follower), 'the other collector to take over', 5000);
      await scrapeRounds(1);

      await sendOk(outbound, 20);
      await until(
        async () => (await catalogRequests(follower)) === before + 65,
        'the 5 requests of the handover and the 20 after it on top of the 40 before',
      );
      await scrapeRounds(3);
      expect(await catalogRequests(follower)).toBe(before + 65);
    });
  },
);
