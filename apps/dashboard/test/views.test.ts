import { describe, expect, it } from 'vitest';
import { matchView, viewPath } from '../src/views';

describe('the view table', () => {
  it('fills in parameters, encoded, and keeps only the query a view takes', () => {
    expect(viewPath('routes', { service: 'a/b' }, { window: '15m', service: 'x' })).toBe(
      'services/a%2Fb/routes?window=15m',
    );
    expect(viewPath('series', {}, { from: 1, to: 2, service: 'cart', route: null })).toBe(
      'series?from=1&to=2&service=cart',
    );
    expect(viewPath('proxies', {}, { window: '1h' })).toBe('proxies');
  });

  it('matches a live read to its view and the collector path, and refuses anything else', () => {
    expect(
      matchView(['services', 'cart', 'routes'], new URLSearchParams('window=1h&token=x')),
    ).toEqual({ name: 'routes', path: 'services/cart/routes?window=1h' });
    expect(matchView(['edges', 'web', 'cart'], new URLSearchParams('from=1&to=2'))).toEqual({
      name: 'edge',
      path: 'edges/web/cart?from=1&to=2',
    });
    expect(matchView(['tokens'], new URLSearchParams())).toBeUndefined();
    expect(matchView(['services', '', 'routes'], new URLSearchParams())).toBeUndefined();
    expect(matchView(['policies', 'cart', 'rollback'], new URLSearchParams())).toBeUndefined();
  });
});
