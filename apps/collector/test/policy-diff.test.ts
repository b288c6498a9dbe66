import { describe, expect, it } from 'vitest';
import { diffDocuments } from '../src/policies/policy-diff.js';

describe('policy diff', () => {
  it('finds nothing between equal documents', () => {
    expect(diffDocuments({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });

  it('lists changed, added and removed leaves by dotted path', () => {
    expect(
      diffDocuments(
        { timeout: 1, routes: [{ name: 'a', retry: { max: 1 } }, { name: 'b' }], gone: true },
        { timeout: 2, routes: [{ name: 'a', retry: { max: 3 }, extra: 'x' }], added: null },
      ),
    ).toEqual([
      { path: 'timeout', before: 1, after: 2 },
      { path: 'routes.0.retry.max', before: 1, after: 3 },
      { path: 'routes.0.extra', after: 'x' },
      { path: 'routes.1', before: { name: 'b' } },
      { path: 'gone', before: true },
      { path: 'added', after: null },
    ]);
  });

  it('treats a change of shape as one change', () => {
    expect(diffDocuments({ a: [1] }, { a: { 0: 1 } })).toEqual([
      { path: 'a', before: [1], after: { 0: 1 } },
    ]);
  });
});
