import type { Route } from '@trellis/contracts';
import { describe, expect, it } from 'vitest';
import { RouteTable } from '../src/route-table.js';

function table(
  routes: { name: string; method?: Route['match']['method']; path: string }[],
): RouteTable<string> {
  return new RouteTable(
    routes.map(({ name, method, path }) => ({
      name,
      match: method === undefined ? { path } : { method, path },
    })),
    (route) => route.name,
    'default',
  );
}

describe('route table', () => {
  const routes = table([
    { name: 'get-item', method: 'GET', path: '/items/{id}' },
    { name: 'item-reviews', path: '/items/{id}/reviews' },
    { name: 'items-any', path: '/items/*' },
    { name: 'health', path: '/healthz' },
    { name: 'nested', path: '/a/{x}/b/*' },
  ]);

  it.each([
    ['GET', '/items/42', 'get-item'],
    ['GET', '/items/42?full=1', 'get-item'],
    ['POST', '/items/42', 'items-any'],
    ['GET', '/items/42/reviews', 'item-reviews'],
    ['GET', '/items/42/', 'items-any'],
    ['GET', '/items/42/reviews/', 'items-any'],
    ['GET', '/items/', 'items-any'],
    ['GET', '/items', 'items-any'],
    ['GET', '/items/1/2/3', 'items-any'],
    ['GET', '/itemsx', 'default'],
    ['GET', '/healthz', 'health'],
    ['GET', '/healthz?probe=1', 'health'],
    ['GET', '/healthz/', 'default'],
    ['GET', '/a/1/b', 'nested'],
    ['GET', '/a/1/b/c/d', 'nested'],
    ['GET', '/a//b/c', 'default'],
    ['GET', '/', 'default'],
  ])('%s %s → %s', (method, path, expected) => {
    expect(routes.match(method, path)).toBe(expected);
  });

  it('lets the first matching route win', () => {
    const overlapping = table([
      { name: 'first', path: '/x/*' },
      { name: 'second', path: '/x/{id}' },
    ]);
    expect(overlapping.match('GET', '/x/1')).toBe('first');
  });

  it('does not let a template match a trailing slash', () => {
    const templates = table([{ name: 'get-item', path: '/items/{id}' }]);
    expect(templates.match('GET', '/items/42')).toBe('get-item');
    expect(templates.match('GET', '/items/42/')).toBe('default');
    expect(templates.match('GET', '/items/42/?full=1')).toBe('default');
    expect(templates.match('GET', '/items//')).toBe('default');
  });

  it('matches everything with /*', () => {
    expect(table([{ name: 'all', path: '/*' }]).match('DELETE', '/any/thing')).toBe('all');
  });
});
