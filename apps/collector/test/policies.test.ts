import { afterEach, describe, expect, it } from 'vitest';
import type {
  ApiErrorBody,
  PolicyRevisionList,
  PolicySpecInput,
  PolicyView,
} from '@trellis/contracts';
import { testProviders } from '@trellis/db/testing';
import { heartbeat, startTestCollector, type TestCollector } from './helpers/test-collector.js';

const RETRY = {
  maxRetries: 2,
  on: ['5xx' as const, 'connect-failure' as const],
  perTryTimeoutMs: 500,
};
const GET_ITEM = {
  name: 'get-item',
  match: { method: 'GET' as const, path: '/items/{id}' },
  timeoutMs: 2000,
  retry: RETRY,
};

const V1: PolicySpecInput = { routes: [GET_ITEM] };
const V2: PolicySpecInput = {
  routes: [{ ...GET_ITEM, timeoutMs: 3000, retry: { ...RETRY, maxRetries: 3 } }],
  defaultTimeoutMs: 5000,
};

const RETRY_DEFAULTS = { backoff: { baseMs: 25, maxMs: 250 } };
const SPEC_DEFAULTS = {
  retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
  defaultTimeoutMs: 10000,
};

describe.each(testProviders())('policies on %s', (provider) => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  async function start(): Promise<TestCollector> {
    collector = await startTestCollector(provider);
    return collector;
  }

  function put(c: TestCollector, policy: unknown, baseVersion: number, reason = 'tune catalog') {
    return c.app.inject({
      method: 'PUT',
      url: '/v1/policies/catalog',
      headers: c.as('operator'),
      payload: { policy, baseVersion, reason },
    });
  }

  async function get<T>(c: TestCollector, url: string): Promise<T> {
    const response = await c.app.inject({ method: 'GET', url, headers: c.as('viewer') });
    expect(response.statusCode).toBe(200);
    return response.json() as T;
  }

  it('answers the default policy, version 0, for a service nobody wrote one for', async () => {
    const c = await start();
    expect(await get(c, '/v1/policies/catalog')).toEqual({
      policy: { service: 'catalog', version: 0, routes: [], ...SPEC_DEFAULTS },
      lastChange: null,
      propagation: { version: 0, applied: 0, total: 0, rejected: [] },
    });
  });

  it('writes versions 1 and 2 and refuses a stale base with the current policy', async () => {
    const c = await start();
    const first = await put(c, V1, 0, 'first policy');
    expect(first.statusCode).toBe(200);
    const v1 = first.json() as PolicyView;
    expect(v1.policy).toEqual({
      service: 'catalog',
      version: 1,
      routes: [{ ...GET_ITEM, retry: { ...RETRY, ...RETRY_DEFAULTS } }],
      ...SPEC_DEFAULTS,
    });
    expect(v1.lastChange).toMatchObject({ version: 1, author: 'operator', reason: 'first policy' });

    const second = await put(c, V2, 1, 'slower backend');
    expect(second.statusCode).toBe(200);
    expect((second.json() as PolicyView).policy.version).toBe(2);

    const stale = await put(c, { routes: [] }, 1, 'from an old tab');
    expect(stale.statusCode).toBe(409);
    const current = await get<PolicyView>(c, '/v1/policies/catalog');
    expect(stale.json()).toEqual({
      error: {
        code: 'version-conflict',
        message: 'policy of catalog is at version 2, not 1: reload it and apply the change again',
        details: { currentVersion: 2, policy: current.policy },
      },
    });
    expect(current.policy.defaultTimeoutMs).toBe(5000);
    expect(current.lastChange).toMatchObject({ version: 2, reason: 'slower backend' });

    const list = await get<{ policies: PolicyView[] }>(c, '/v1/policies');
    expect(list.policies).toEqual([{ policy: current.policy, lastChange: current.lastChange }]);

    const history = await get<PolicyRevisionList>(c, '/v1/policies/catalog/revisions');
    expect(history.revisions.map((r) => [r.version, r.author, r.reason])).toEqual([
      [2, 'operator', 'slower backend'],
      [1, 'operator', 'first policy'],
    ]);
    expect(history.revisions[1]!.policy).toEqual(v1.policy);
  });

  it('accepts exactly one of ten concurrent writes on the same base version', async () => {
    const c = await start();
    expect((await put(c, V1, 0)).statusCode).toBe(200);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        put(c, { ...V1, defaultTimeoutMs: 1000 + i }, 1, `writer ${i}`),
      ),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const winner = responses.find((r) => r.statusCode === 200)!.json() as PolicyView;
    for (const loser of responses.filter((r) => r.statusCode === 409)) {
      expect(loser.json().error.details.currentVersion).toBe(2);
    }
    const history = await get<PolicyRevisionList>(c, '/v1/policies/catalog/revisions');
    expect(history.revisions.map((r) => [r.version, r.reason])).toEqual([
      [2, winner.lastChange!.reason],
      [1, 'tune catalog'],
    ]);
    expect(history.revisions[0]!.policy).toEqual(winner.policy);
  });

  it('accepts exactly one of ten concurrent first writes', async () => {
    const c = await start();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        put(c, { defaultTimeoutMs: 1000 + i }, 0, `writer ${i}`),
      ),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([
      200, 409, 409, 409, 409, 409, 409, 409, 409, 409,
    ]);
    const history = await get<PolicyRevisionList>(c, '/v1/policies/catalog/revisions');
    expect(history.revisions.map((r) => r.version)).toEqual([1]);
  });

  it('rolls back as a new version equal to the old document', async () => {
    const c = await start();
    const v1 = (await put(c, V1, 0)).json() as PolicyView;
    await put(c, V2, 1);
    const rollback = await c.app.inject({
      method: 'POST',
      url: '/v1/policies/catalog/rollback',
      headers: c.as('operator'),
      payload: { toVersion: 1, reason: 'v2 made checkout slow' },
    });
    expect(rollback.statusCode).toBe(200);
    const v3 = rollback.json() as PolicyView;
    expect(v3.policy).toEqual({ ...v1.policy, version: 3 });
    expect(v3.lastChange).toMatchObject({ version: 3, reason: 'v2 made checkout slow' });

    const history = await get<PolicyRevisionList>(c, '/v1/policies/catalog/revisions');
    expect(history.revisions.map((r) => r.version)).toEqual([3, 2, 1]);
    expect(history.revisions[2]!.policy).toEqual(v1.policy);

    const missing = await c.app.inject({
      method: 'POST',
      url: '/v1/policies/catalog/rollback',
      headers: c.as('operator'),
      payload: { toVersion: 9, reason: 'no such version' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toEqual({
      code: 'revision-not-found',
      message: 'policy of catalog has no version 9',
    });
    const viewer = await c.app.inject({
      method: 'POST',
      url: '/v1/policies/catalog/rollback',
      headers: c.as('viewer'),
      payload: { toVersion: 1, reason: 'viewers cannot' },
    });
    expect(viewer.statusCode).toBe(403);
  });

  it('diffs two revisions path by path', async () => {
    const c = await start();
    await put(c, V1, 0);
    await put(c, V2, 1);
    expect(await get(c, '/v1/policies/catalog/revisions/diff?from=1&to=2')).toEqual({
      service: 'catalog',
      from: 1,
      to: 2,
      changes: [
        {
          path: 'routes.0.timeoutMs',
          before: 2000,
          after: 3000,
          summary: 'Route get-item timeout: 2000 ms → 3000 ms',
        },
        {
          path: 'routes.0.retry',
          before: { ...RETRY, ...RETRY_DEFAULTS },
          after: { ...RETRY, ...RETRY_DEFAULTS, maxRetries: 3 },
          summary:
            'Route get-item retry: 2 retries on 5xx, connect-failure, 500 ms per try, backoff 25–250 ms' +
            ' → 3 retries on 5xx, connect-failure, 500 ms per try, backoff 25–250 ms',
        },
        {
          path: 'defaultTimeoutMs',
          before: 10000,
          after: 5000,
          summary: 'Default timeout: 10000 ms → 5000 ms',
        },
      ],
    });
    const fromDefault = await get<{ changes: unknown[] }>(
      c,
      '/v1/policies/catalog/revisions/diff?from=0&to=1',
    );
    expect(fromDefault.changes).toEqual([
      {
        path: 'routes.0',
        after: { ...GET_ITEM, retry: { ...RETRY, ...RETRY_DEFAULTS } },
        summary: 'Route get-item: added (GET /items/{id})',
      },
    ]);
    const missing = await c.app.inject({
      method: 'GET',
      url: '/v1/policies/catalog/revisions/diff?from=1&to=7',
      headers: c.as('viewer'),
    });
    expect(missing.statusCode).toBe(404);
  });

  const ROUTE = { name: 'get-item', match: { path: '/items/{id}' } };
  const invalid: Array<[string, unknown, string]> = [
    ['a zero timeout', { routes: [{ ...ROUTE, timeoutMs: 0 }] }, 'body.policy.routes.0.timeoutMs'],
    [
      'a timeout over five minutes',
      { routes: [{ ...ROUTE, timeoutMs: 300001 }] },
      'body.policy.routes.0.timeoutMs',
    ],
    [
      'eleven retries',
      { routes: [{ ...ROUTE, retry: { maxRetries: 11, on: ['5xx'] } }] },
      'body.policy.routes.0.retry.maxRetries',
    ],
    [
      'a per-try timeout over the total',
      {
        routes: [
          { ...ROUTE, timeoutMs: 100, retry: { maxRetries: 1, on: ['5xx'], perTryTimeoutMs: 101 } },
        ],
      },
      'body.policy.routes.0.retry.perTryTimeoutMs',
    ],
    [
      'a duplicate route name',
      { routes: [ROUTE, { ...ROUTE, match: { path: '/other' } }] },
      'body.policy.routes.1.name',
    ],
    [
      'a bad path template',
      { routes: [{ ...ROUTE, match: { path: '/items/{id' } }] },
      'body.policy.routes.0.match.path',
    ],
    [
      'a bad method',
      { routes: [{ ...ROUTE, match: { method: 'FETCH', path: '/items' } }] },
      'body.policy.routes.0.match.method',
    ],
    ['an unknown field', { routes: [{ ...ROUTE, timeout: 5 }] }, 'body.policy.routes.0.timeout'],
    ['a wrong type', { defaultTimeoutMs: '5000' }, 'body.policy.defaultTimeoutMs'],
  ];

  it.each(invalid)(
    'refuses %s with its field path and changes nothing',
    async (_, policy, path) => {
      const c = await start();
      await put(c, V1, 0);
      const response = await put(c, policy, 1);
      expect(response.statusCode).toBe(400);
      const { error } = response.json();
      expect(error.code).toBe('invalid-request');
      expect(error.details.map((d: { path: string }) => d.path)).toEqual([path]);
      expect(error.message).toBe(`${path}: ${error.details[0].message}`);
      const history = await get<PolicyRevisionList>(c, '/v1/policies/catalog/revisions');
      expect(history.revisions.map((r) => r.version)).toEqual([1]);
    },
  );

  it('requires a reason of 1 to 500 characters and a base version', async () => {
    const c = await start();
    const paths = async (payload: unknown) => {
      const response = await c.app.inject({
        method: 'PUT',
        url: '/v1/policies/catalog',
        headers: c.as('operator'),
        payload: payload as object,
      });
      expect(response.statusCode).toBe(400);
      return response.json().error.details.map((d: { path: string }) => d.path);
    };
    expect(await paths({ policy: {}, baseVersion: 0 })).toEqual(['body.reason']);
    expect(await paths({ policy: {}, baseVersion: 0, reason: '' })).toEqual(['body.reason']);
    expect(await paths({ policy: {}, baseVersion: 0, reason: 'x'.repeat(501) })).toEqual([
      'body.reason',
    ]);
    expect(await paths({ policy: {}, baseVersion: 0, reason: '   ' })).toEqual(['body.reason']);
    expect(await paths({ policy: {}, reason: 'why' })).toEqual(['body.baseVersion']);
    expect(await paths({ policy: {}, baseVersion: 0, reason: 'why', extra: 1 })).toEqual([
      'body.extra',
    ]);
    expect((await put(c, {}, 0, 'x'.repeat(500))).statusCode).toBe(200);
    const bad = await c.app.inject({
      method: 'GET',
      url: '/v1/policies/Not_A_Service',
      headers: c.as('viewer'),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('params.service');
  });

  it('refuses a 10 MB body with 413 and keeps serving', async () => {
    const c = await start();
    const base = await c.listen();
    const huge = JSON.stringify({
      policy: { routes: [] },
      baseVersion: 0,
      reason: 'x'.repeat(10 * 1024 * 1024),
    });
    const response = await fetch(`${base}/v1/policies/catalog`, {
      method: 'PUT',
      headers: { ...c.as('operator'), 'content-type': 'application/json' },
      body: huge,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as ApiErrorBody).error.code).toBe('body-too-large');
    const after = await fetch(`${base}/v1/policies/catalog`, { headers: c.as('viewer') });
    expect(after.status).toBe(200);
    expect(((await after.json()) as PolicyView).policy.version).toBe(0);
  });

  it('counts which live proxies applied or rejected the current version', async () => {
    const c = await start();
    await put(c, V1, 0);
    const beat = (service: string, id: string, port: number, applied: object) =>
      c.app.inject({
        method: 'POST',
        url: '/v1/proxies',
        headers: c.as('operator'),
        payload: heartbeat(service, id, port, applied),
      });
    await beat('catalog', 'catalog-1', 5001, {});
    await beat('web', 'web-1', 5011, { catalog: { policyVersion: 1, revision: 2 } });
    await beat('web', 'web-2', 5021, {
      catalog: { policyVersion: 0, revision: 1, rejectedVersion: 1, error: 'unsupported field' },
    });
    await beat('orders', 'orders-1', 5031, {});
    const view = await get<PolicyView>(c, '/v1/policies/catalog');
    expect(view.propagation).toEqual({
      version: 1,
      applied: 1,
      total: 3,
      rejected: [{ instanceId: 'web-2', error: 'unsupported field' }],
    });
  });
});
