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
  /** One token per role, named after it. */
  tokens: Record<Role, string>;
  /** Authorization header for a role. */
  as(role: Role): { authorization: string };
  /** Listens on a free loopback port and returns the base URL (for SSE clients). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

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
    tokens[role] = (await createToken(database, { role, name: role })).token;
  }
  return {
    app,
    database,
    databaseUrl: testDatabase.url,
    tokens,
    as: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
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
    // Another loopback address: an address belongs to one listener of one live instance.
    adminAddress: `127.0.0.2:${port}`,
    proxyVersion: '0.1.0',
    applied,
  };
}
