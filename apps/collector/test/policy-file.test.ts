import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { PolicyList } from '@trellis/contracts';
import { migrate, openDatabase, type Database, type Provider } from '@trellis/db';
import { createTestDatabase, testProviders, type TestDatabase } from '@trellis/db/testing';
import { createToken } from '../src/auth/token-store.js';
import { applyPolicyFile, readPolicyFile } from '../src/policies/policy-file.js';
import { runCollector, startCollector } from './helpers/collector-process.js';
import { startTestCollector, type TestCollector } from './helpers/test-collector.js';

const directory = mkdtempSync(join(tmpdir(), 'trellis-policies-'));
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
  rmSync(directory, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

const YAML = `# catalog answers fast; orders may retry
policies:
  catalog:
    defaultTimeoutMs: 2000
    routes:
      - name: get-item
        match: { method: GET, path: "/items/{id}" }
        timeoutMs: 500
  orders:
    routes:
      - name: create-order
        match: { method: POST, path: /orders }
        retry: { maxRetries: 1, on: [connect-failure] }
`;

describe('policy file', () => {
  it('reads YAML and JSON alike', () => {
    const fromYaml = readPolicyFile(file('policies.yaml', YAML));
    expect([...fromYaml.keys()]).toEqual(['catalog', 'orders']);
    expect(fromYaml.get('catalog')).toEqual({
      defaultTimeoutMs: 2000,
      routes: [{ name: 'get-item', match: { method: 'GET', path: '/items/{id}' }, timeoutMs: 500 }],
      retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
    });
    const json = file(
      'policies.json',
      JSON.stringify({ policies: { catalog: { defaultTimeoutMs: 2000 } } }),
    );
    expect(readPolicyFile(json).get('catalog')?.defaultTimeoutMs).toBe(2000);
  });

  it('names the file and the field path of the first problem', () => {
    const bad = file(
      'bad.yaml',
      'policies:\n  catalog:\n    routes:\n      - name: a\n        match: { path: /a }\n        timeoutMs: 0\n',
    );
    expect(() => readPolicyFile(bad)).toThrow(
      `${bad}: policies.catalog.routes.0.timeoutMs: Too small: expected number to be >=1`,
    );
    const notYaml = file('broken.yaml', 'policies: [unclosed\n');
    expect(() => readPolicyFile(notYaml)).toThrow(new RegExp(`^${notYaml}: `));
    expect(() => readPolicyFile(join(directory, 'missing.yaml'))).toThrow(/ENOENT/);
  });
});

describe.each(testProviders())('policy file on %s', (provider) => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  it('stores each differing policy once, authored by file', async () => {
    const c = (collector = await startTestCollector(provider));
    const path = file('load.yaml', YAML);
    const policies = readPolicyFile(path);
    expect(await applyPolicyFile(c.app.policies, path, policies)).toEqual([
      { service: 'catalog', version: 1 },
      { service: 'orders', version: 1 },
    ]);
    // Loading the same file again (a restart) writes nothing.
    expect(await applyPolicyFile(c.app.policies, path, policies)).toEqual([]);
    const revisions = await c.app.inject({
      method: 'GET',
      url: '/v1/policies/catalog/revisions',
      headers: c.as('viewer'),
    });
    expect(
      revisions
        .json()
        .revisions.map((r: { version: number; author: string; reason: string }) => [
          r.version,
          r.author,
          r.reason,
        ]),
    ).toEqual([[1, 'file', 'loaded from load.yaml']]);
  });

  it('loads --policies at start, and a bad file stops the start with one line', async () => {
    const testDatabase = await createTestDatabase(provider as Provider);
    databases.push(testDatabase);
    await migrate(testDatabase.url);
    // Closed while the collector runs: it migrates on start, which needs SQLite's lock.
    const withDatabase = async <T>(use: (database: Database) => Promise<T>): Promise<T> => {
      const database = await openDatabase(testDatabase.url);
      try {
        return await use(database);
      } finally {
        await database.close();
      }
    };
    const operator = await withDatabase((database) =>
      createToken(database, { role: 'operator', name: 'ops' }),
    );
    const bad = file(
      'start-bad.yaml',
      'policies:\n  catalog:\n    routes:\n      - name: a\n        match: { path: /a }\n        retry: { maxRetries: 11, on: [5xx] }\n',
    );
    const failed = await runCollector(['--database-url', testDatabase.url, '--policies', bad]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `trellis-collector: ${bad}: policies.catalog.routes.0.retry.maxRetries: Too big: expected number to be <=10\n`,
    );
    expect(await withDatabase((database) => database.prisma.policy.count())).toBe(0);

    const good = file('start.yaml', YAML);
    const running = await startCollector(['--database-url', testDatabase.url, '--policies', good]);
    try {
      expect(running.stdout()).toContain(`policy of catalog is now version 1 (from ${good})`);
      const response = await fetch(`${running.url}/v1/policies`, {
        headers: { authorization: `Bearer ${operator.token}` },
      });
      const body = (await response.json()) as PolicyList;
      expect(
        body.policies.map(({ policy, lastChange }) => [
          policy.service,
          policy.version,
          lastChange.author,
        ]),
      ).toEqual([
        ['catalog', 1, 'file'],
        ['orders', 1, 'file'],
      ]);
    } finally {
      await running.stop();
    }
  });
});
