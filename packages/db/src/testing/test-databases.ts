import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Provider } from '../database-url.js';

/**
 * Real, empty databases for tests: a fresh SQLite file, and a fresh database on the
 * PostgreSQL server at TRELLIS_TEST_POSTGRES_URL. Suites run once per provider through
 * `describe.each(testProviders())`.
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export const POSTGRES_URL_VARIABLE = 'TRELLIS_TEST_POSTGRES_URL';

let announced = false;

/** The providers to test on: PostgreSQL only when the server is named, saying so once if not. */
export function testProviders(): Provider[] {
  if (process.env[POSTGRES_URL_VARIABLE]) return ['sqlite', 'postgresql'];
  if (!announced) {
    console.log(`PostgreSQL tests skipped: set ${POSTGRES_URL_VARIABLE} to run them`);
    announced = true;
  }
  return ['sqlite'];
}

export async function createTestDatabase(provider: Provider): Promise<TestDatabase> {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-test-'));
    return {
      url: `file:${join(dir, 'trellis.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const serverUrl = process.env[POSTGRES_URL_VARIABLE];
  if (!serverUrl) throw new Error(`${POSTGRES_URL_VARIABLE} is not set`);
  const name = `trellis_test_${suffix}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
