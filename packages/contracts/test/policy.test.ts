import { describe, expect, it } from 'vitest';
import { PolicySchema, PolicySpecSchema, defaultPolicy, pathProblem } from '../src/index.js';

function issuePaths(input: unknown): string[] {
  const result = PolicySpecSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

describe('policy schema', () => {
  it('fills the documented defaults', () => {
    expect(defaultPolicy('catalog')).toEqual({
      service: 'catalog',
      version: 0,
      routes: [],
      retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
      defaultTimeoutMs: 10_000,
    });
  });

  it('accepts the example of docs/architecture.md §4', () => {
    const policy = PolicySchema.parse({
      service: 'catalog',
      version: 7,
      routes: [
        {
          name: 'get-item',
          match: { method: 'GET', path: '/items/{id}' },
          timeoutMs: 2000,
          retry: {
            maxRetries: 2,
            on: ['5xx', 'gateway-error', 'connect-failure', 'timeout'],
            perTryTimeoutMs: 500,
            backoff: { baseMs: 25, maxMs: 250 },
          },
        },
      ],
      retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
      defaultTimeoutMs: 10000,
    });
    expect(policy.routes[0]?.retry?.maxRetries).toBe(2);
  });

  it('names the field of each broken limit', () => {
    const route = (extra: object) => ({ routes: [{ name: 'r', match: { path: '/a' }, ...extra }] });
    expect(issuePaths(route({ timeoutMs: 0 }))).toEqual(['routes.0.timeoutMs']);
    expect(issuePaths(route({ timeoutMs: 300_001 }))).toEqual(['routes.0.timeoutMs']);
    expect(issuePaths(route({ retry: { maxRetries: 11, on: ['5xx'] } }))).toEqual([
      'routes.0.retry.maxRetries',
    ]);
    expect(
      issuePaths(
        route({ timeoutMs: 100, retry: { maxRetries: 1, on: ['5xx'], perTryTimeoutMs: 200 } }),
      ),
    ).toEqual(['routes.0.retry.perTryTimeoutMs']);
    expect(issuePaths(route({ match: { path: '/a', method: 'FETCH' } }))).toEqual([
      'routes.0.match.method',
    ]);
    expect(issuePaths(route({ extra: true }))).toEqual(['routes.0']);
    expect(issuePaths(route({ grpcFailures: ['OK'] }))).toEqual(['routes.0.grpcFailures.0']);
    expect(issuePaths(route({ grpcFailures: ['INTERNAL', 'INTERNAL'] }))).toEqual([
      'routes.0.grpcFailures',
    ]);
    expect(
      issuePaths(
        route({
          grpcFailures: ['UNAVAILABLE'],
          retry: { maxRetries: 1, on: ['unavailable', 'resource-exhausted'] },
        }),
      ),
    ).toEqual([]);
    expect(
      issuePaths({
        routes: [
          { name: 'a', match: { path: '/a' } },
          { name: 'a', match: { path: '/b' } },
        ],
      }),
    ).toEqual(['routes.1.name']);
    expect(issuePaths({ routes: [{ name: 'default', match: { path: '/' } }] })).toEqual([
      'routes.0.name',
    ]);
    expect(issuePaths({ defaultTimeoutMs: '10' })).toEqual(['defaultTimeoutMs']);
  });

  it('validates path syntax', () => {
    expect(pathProblem('/items/{id}')).toBeUndefined();
    expect(pathProblem('/items/*')).toBeUndefined();
    expect(pathProblem('/')).toBeUndefined();
    expect(pathProblem('items')).toBe('must start with "/"');
    expect(pathProblem('/a/*/b')).toBe('"*" may only be the last segment');
    expect(pathProblem('/a/{id}/{id}')).toBe('parameter {id} appears twice');
    expect(pathProblem('/a/{id')).toMatch(/not a literal/);
  });
});
