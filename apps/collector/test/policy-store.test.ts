import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_DEFAULTS, type PolicySpec } from '@trellis/contracts';
import { migrate, openDatabase, type Database } from '@trellis/db';
import { createTestDatabase, testProviders, type TestDatabase } from '@trellis/db/testing';
import { ChangeHub } from '../src/discovery/change-hub.js';
import { VersionConflictError } from '../src/policies/policy-errors.js';
import { PolicyStore } from '../src/policies/policy-store.js';

const spec = (defaultTimeoutMs: number): PolicySpec => ({
  routes: [],
  retryBudget: { ...POLICY_DEFAULTS.retryBudget },
  defaultTimeoutMs,
});

/** What a policy write ended as: the version it made, or the current version it lost to. */
async function outcome(write: Promise<unknown>): Promise<string> {
  try {
    const stored = (await write) as { policy: { version: number } };
    return `accepted v${stored.policy.version}`;
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    expect(error.status).toBe(409);
    return `conflict at v${(error.details as { currentVersion: number }).currentVersion}`;
  }
}

describe.each(testProviders())('policy compare-and-set on %s', (provider) => {
  let testDatabase: TestDatabase;
  // Two collectors, each with its own hub; on PostgreSQL each with its own connection too.
  // A SQLite file has one collector (it is not to be shared), so there they share one.
  let databases: Database[];
  let hubs: ChangeHub[];
  let stores: PolicyStore[];
  const events: string[] = [];
  const configChanges: string[] = [];

  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    await migrate(testDatabase.url);
    databases = [await openDatabase(testDatabase.url)];
    if (provider === 'postgresql') databases.push(await openDatabase(testDatabase.url));
    hubs = [new ChangeHub(), new ChangeHub()];
    hubs.forEach((hub, i) => {
      hub.onEvent((type, data) =>
        events.push(`${i} ${type} v${(data as { version: number }).version}`),
      );
      hub.onConfigChange('catalog', (service) => configChanges.push(`${i} ${service}`));
    });
    stores = hubs.map((hub, i) => new PolicyStore(databases[i] ?? databases[0]!, hub));
  });

  afterAll(async () => {
    for (const database of databases) await database.close();
    await testDatabase.drop();
  });

  const write = (store: number, baseVersion: number, timeoutMs: number, reason = 'test') =>
    stores[store]!.write({
      service: 'catalog',
      spec: spec(timeoutMs),
      baseVersion,
      author: `author-${store}`,
      reason,
    });

  it('creates version 1 from base 0, and refuses a second create', async () => {
    expect(await outcome(write(0, 0, 1000))).toBe('accepted v1');
    expect(await outcome(write(1, 0, 2000))).toBe('conflict at v1');
    const { policy, lastChange } = await stores[1]!.current('catalog');
    expect(policy.defaultTimeoutMs).toBe(1000);
    expect(lastChange).toMatchObject({ version: 1, author: 'author-0', reason: 'test' });
    expect(events.splice(0)).toEqual(['0 policy v1']);
    expect(configChanges.splice(0)).toEqual(['0 catalog']);
  });

  it('accepts a write on the current version and refuses one on a stale version', async () => {
    expect(await outcome(write(1, 1, 1100))).toBe('accepted v2');
    expect(await outcome(write(0, 1, 1200))).toBe('conflict at v2');
    expect(await outcome(write(0, 3, 1200))).toBe('conflict at v2');
    expect((await stores[0]!.current('catalog')).policy.defaultTimeoutMs).toBe(1100);
    expect((await stores[0]!.revisions('catalog')).map((r) => r.version)).toEqual([2, 1]);
    expect(events.splice(0)).toEqual(['1 policy v2']);
  });

  it('accepts exactly one of concurrent writes on one version through two collectors', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => outcome(write(i % 2, 2, 2000 + i, `writer ${i}`))),
    );
    expect(results.filter((r) => r === 'accepted v3')).toHaveLength(1);
    expect(results.filter((r) => r === 'conflict at v3')).toHaveLength(7);
    const winner = results.indexOf('accepted v3');
    const { policy, lastChange } = await stores[0]!.current('catalog');
    expect(policy).toMatchObject({ version: 3, defaultTimeoutMs: 2000 + winner });
    expect(lastChange).toMatchObject({
      author: `author-${winner % 2}`,
      reason: `writer ${winner}`,
    });
    const revisions = await stores[1]!.revisions('catalog');
    expect(revisions.map((r) => r.version)).toEqual([3, 2, 1]);
    expect(events.splice(0)).toEqual([`${winner % 2} policy v3`]);
  });

  it('rolls back as a new version equal to the old one', async () => {
    const stored = await stores[1]!.rollback({
      service: 'catalog',
      toVersion: 1,
      author: 'author-1',
      reason: 'back',
    });
    expect(stored.policy).toMatchObject({ version: 4, defaultTimeoutMs: 1000 });
    expect((await stores[0]!.current('catalog')).policy.version).toBe(4);
  });
});
