import { describe, expect, it } from 'vitest';
import type { Policy } from '@trellis/contracts';
import { draftOf, editable, specOf, type RoutePolicyDraft } from '../src/policy/route-policy-draft';

const policy: Policy = {
  service: 'catalog',
  version: 3,
  routes: [
    { name: 'list', match: { method: 'GET', path: '/items' } },
    {
      name: 'get-item',
      match: { method: 'GET', path: '/items/{id}' },
      timeoutMs: 2000,
      retry: {
        maxRetries: 2,
        on: ['5xx', 'timeout'],
        perTryTimeoutMs: 500,
        backoff: { baseMs: 25, maxMs: 250 },
      },
    },
  ],
  retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
  defaultTimeoutMs: 10_000,
};

const draft = (route: string, changes: Partial<RoutePolicyDraft> = {}): RoutePolicyDraft => ({
  ...draftOf(policy, route),
  ...changes,
});

describe('route policy draft, field by field', () => {
  it('fills the form from the route, with the budget and the retry defaults', () => {
    expect(draftOf(policy, 'get-item')).toEqual({
      timeoutMs: '2000',
      retryEnabled: true,
      maxRetries: '2',
      on: ['5xx', 'timeout'],
      perTryTimeoutMs: '500',
      backoffBaseMs: '25',
      backoffMaxMs: '250',
      budgetRatio: '0.2',
      budgetMinRetriesPerSecond: '10',
      budgetTtlSeconds: '10',
    });
    expect(draftOf(policy, 'list')).toMatchObject({
      timeoutMs: '',
      retryEnabled: false,
      maxRetries: '2',
      on: ['5xx', 'connect-failure'],
      perTryTimeoutMs: '',
      backoffBaseMs: '25',
      backoffMaxMs: '250',
    });
    expect(draftOf(policy, 'default').timeoutMs).toBe('10000');
  });

  it('edits a route of the policy or the default route, nothing else', () => {
    expect(editable(policy, 'get-item')).toBe(true);
    expect(editable(policy, 'default')).toBe(true);
    expect(editable(policy, 'checkout')).toBe(false);
  });

  it('gives back the unchanged policy for an untouched form', () => {
    for (const route of ['get-item', 'list', 'default']) {
      const { spec, errors } = specOf(policy, route, draftOf(policy, route));
      expect(errors).toEqual({});
      expect(spec).toEqual({
        routes: policy.routes,
        retryBudget: policy.retryBudget,
        defaultTimeoutMs: 10_000,
      });
    }
  });

  it('applies a retry enabled on a route, in the schema order of its conditions', () => {
    const { spec, errors } = specOf(
      policy,
      'list',
      draft('list', {
        timeoutMs: '3000',
        retryEnabled: true,
        maxRetries: '3',
        on: ['timeout', '5xx'],
        perTryTimeoutMs: '1000',
        backoffBaseMs: '10',
        backoffMaxMs: '100',
        budgetRatio: '0.5',
      }),
    );
    expect(errors).toEqual({});
    expect(spec?.routes?.[0]).toEqual({
      name: 'list',
      match: { method: 'GET', path: '/items' },
      timeoutMs: 3000,
      retry: {
        maxRetries: 3,
        on: ['5xx', 'timeout'],
        perTryTimeoutMs: 1000,
        backoff: { baseMs: 10, maxMs: 100 },
      },
    });
    expect(spec?.routes?.[1]).toEqual(policy.routes[1]);
    expect(spec?.retryBudget).toEqual({ ratio: 0.5, minRetriesPerSecond: 10, ttlSeconds: 10 });
  });

  it('drops the retry and the route timeout when they are cleared', () => {
    const { spec } = specOf(
      policy,
      'get-item',
      draft('get-item', { retryEnabled: false, timeoutMs: '' }),
    );
    expect(spec?.routes?.[1]).toEqual({
      name: 'get-item',
      match: { method: 'GET', path: '/items/{id}' },
      timeoutMs: undefined,
      retry: undefined,
    });
  });

  it('sets the default timeout from the default route', () => {
    const { spec } = specOf(policy, 'default', draft('default', { timeoutMs: '1500' }));
    expect(spec?.defaultTimeoutMs).toBe(1500);
    expect(spec?.routes).toEqual(policy.routes);
  });

  it('refuses a route the policy does not have', () => {
    expect(specOf(policy, 'checkout', draft('default')).errors).toEqual({
      form: `route "checkout" is not in catalog's policy`,
    });
  });
});
