import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '@trellis/db';
import { createTestDatabase, testProviders, type TestDatabase } from '@trellis/db/testing';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function runCollector(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

describe.each(testProviders())('collector on %s', (provider) => {
  it('migrates on start and answers health', async () => {
    const testDatabase = await createTestDatabase(provider);
    databases.push(testDatabase);
    await migrate(testDatabase.url);
    const database = await openDatabase(testDatabase.url);
    const app = await buildApp({
      config: loadConfig(['--database-url', testDatabase.url], {}),
      database,
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/v1/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        status: 'ok',
        database: provider,
        scrapeIntervalSeconds: 5,
        scraping: expect.any(Boolean),
        droppedSeries: 0,
      });
      // The only collector on its database scrapes: at once on SQLite, once it holds the
      // scrape lock on PostgreSQL.
      await expect
        .poll(async () => (await app.inject({ method: 'GET', url: '/v1/health' })).json().scraping)
        .toBe(true);
      const openapi = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
      expect(openapi.json().paths['/v1/health']).toBeDefined();
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('leaves an existing database untouched when started with a bad flag', async () => {
    const testDatabase = await createTestDatabase(provider);
    databases.push(testDatabase);
    await migrate(testDatabase.url);
    const database = await openDatabase(testDatabase.url);
    await database.prisma.service.create({ data: { name: 'catalog' } });
    const result = await runCollector(['--database-url', testDatabase.url, '--listen', 'nowhere']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'trellis-collector: invalid --listen (TRELLIS_LISTEN): expected HOST:PORT, e.g. 127.0.0.1:4143\n',
    );
    expect(await database.prisma.service.findMany({ select: { name: true } })).toEqual([
      { name: 'catalog' },
    ]);
    await database.close();
  });
});

describe('collector start-up errors', () => {
  it('exits with one line for a malformed database URL', async () => {
    const result = await runCollector(['--database-url', 'mysql://root@db/trellis']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'trellis-collector: unsupported database URL "mysql://root@db/trellis": use file:PATH (SQLite) or postgresql://USER@HOST:PORT/DB\n',
    );
  });

  it('exits with one line for an unreachable PostgreSQL', async () => {
    const result = await runCollector([
      '--database-url',
      'postgresql://postgres@127.0.0.1:1/trellis',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "trellis-collector: cannot open the database at postgresql://postgres@127.0.0.1:1/trellis: Can't reach database server at `127.0.0.1:1`\n",
    );
  });
});
