import type { AddressInfo } from 'node:net';
import type { Role } from '@trellis/contracts';
import { migrate, openDatabase, type Database, type Provider } from '@trellis/db';
import { createTestDatabase, type TestDatabase } from '@trellis/db/testing';
import { buildApp, type CollectorApp } from '../../src/app.js';
import { createToken } from '../../src/auth/token-store.js';
import { loadConfig } from '../../src/config.js';

export interface TestCollector {
  app: CollectorApp;
  database: Database;
  databaseUrl: string;
  /** One token per role, named after it; the proxy token is bound to `catalog`. */
  tokens: Record<Role, string>;
  /** Authorization header for a role. */
  as(role: Role): { authorization: string };
  /** A new proxy token bound to `service`. */
  proxyToken(service: string): Promise<string>;
  /** Listens on a free loopback port and returns the base URL (for SSE clients). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The service the test collector's `proxy` token is bound to. */
export const PROXY_TOKEN_SERVICE = 'catalog';

/** A real collector app on a fresh, migrated database of `provider`, with a token per role. */
export async function startTestCollector(
  provider: Provider,
  {
    args = [],
    sseHeartbeatMs,
    scrapeLoop = false,
  }: { args?: string[]; sseHeartbeatMs?: number; scrapeLoop?: boolean } = {},
): Promise<TestCollector> {
  const testDatabase: TestDatabase = await createTestDatabase(provider);
  await migrate(testDatabase.url);
  const database = await openDatabase(testDatabase.url);
  const app = await buildApp({
    config: loadConfig(['--database-url', testDatabase.url, ...args], {}),
    database,
    scrapeLoop,
    ...(sseHeartbeatMs === undefined ? {} : { sseHeartbeatMs }),
  });
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'proxy'] as const) {
    const service = role === 'proxy' ? PROXY_TOKEN_SERVICE : null;
    tokens[role] = (await createToken(database, { role, name: role, service })).token;
  }
  let proxyTokens = 0;
  return {
    app,
    database,
    databaseUrl: testDatabase.url,
    tokens,
    as: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    proxyToken: async (service) =>
      (await createToken(database, { role: 'proxy', name: `proxy-${++proxyTokens}`, service }))
        .token,
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    },
    async close() {
      await app.close();
      await database.close();
      await testDatabase.drop();
    },
  };
}

export function heartbeat(service: string, instanceId: string, port: number, applied = {}) {
  return {
    service,
    instanceId,
    inboundAddress: `127.0.0.1:${port}`,
    adminAddress: `127.0.0.1:${port + 1}`,
    proxyVersion: '0.1.0',
    applied,
  };
}
