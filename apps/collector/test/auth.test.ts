import { afterEach, describe, expect, it } from 'vitest';
import { testProviders } from '@trellis/db/testing';
import { authenticate, createToken, hashToken, revokeToken } from '../src/auth/token-store.js';
import { heartbeat, startTestCollector, type TestCollector } from './helpers/test-collector.js';

const WRITE = {
  policy: { routes: [{ name: 'get-item', match: { method: 'GET', path: '/items/{id}' } }] },
  baseVersion: 0,
  reason: 'first policy',
};

describe.each(testProviders())('auth on %s', (provider) => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  it('answers 401 without a token or with an unknown one', async () => {
    const c = (collector = await startTestCollector(provider));
    const { app } = c;
    const none = await app.inject({ method: 'GET', url: '/v1/policies' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toEqual({
      error: {
        code: 'unauthenticated',
        message: 'this needs a bearer token (Authorization: Bearer …)',
      },
    });
    const unknown = await app.inject({
      method: 'GET',
      url: '/v1/policies',
      headers: { authorization: 'Bearer trellis_not-a-real-token' },
    });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('unauthenticated');
  });

  it('lets a viewer read but not write, and an operator write', async () => {
    const c = (collector = await startTestCollector(provider));
    const { app } = c;
    const read = await app.inject({
      method: 'GET',
      url: '/v1/policies',
      headers: c.as('viewer'),
    });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ policies: [] });

    const denied = await app.inject({
      method: 'PUT',
      url: '/v1/policies/catalog',
      headers: c.as('viewer'),
      payload: WRITE,
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'this needs role operator; token "viewer" has role viewer',
      },
    });

    const written = await app.inject({
      method: 'PUT',
      url: '/v1/policies/catalog',
      headers: c.as('operator'),
      payload: WRITE,
    });
    expect(written.statusCode).toBe(200);
    expect(written.json().lastChange.author).toBe('operator');
  });

  it('keeps proxies to the proxy endpoints and viewers off them', async () => {
    const c = (collector = await startTestCollector(provider));
    const { app } = c;
    const register = (role: 'proxy' | 'viewer' | 'operator') =>
      app.inject({
        method: 'POST',
        url: '/v1/proxies',
        headers: c.as(role),
        payload: heartbeat('catalog', `catalog-${role}`, 5000),
      });
    expect((await register('proxy')).statusCode).toBe(200);
    expect((await register('operator')).statusCode).toBe(200);
    expect((await register('viewer')).statusCode).toBe(403);
    const config = await app.inject({
      method: 'GET',
      url: '/v1/config/catalog',
      headers: c.as('proxy'),
    });
    expect(config.statusCode).toBe(200);
    const list = await app.inject({ method: 'GET', url: '/v1/proxies', headers: c.as('proxy') });
    expect(list.statusCode).toBe(403);
  });

  it('leaves health and the OpenAPI document open, and documents each route', async () => {
    const c = (collector = await startTestCollector(provider));
    const { app } = c;
    expect((await app.inject({ method: 'GET', url: '/v1/health' })).statusCode).toBe(200);
    const openapi = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    const paths = openapi.json().paths;
    expect(Object.keys(paths).sort()).toEqual([
      '/v1/certificates',
      '/v1/config/{service}',
      '/v1/edges/{source}/{destination}',
      '/v1/events',
      '/v1/health',
      '/v1/policies',
      '/v1/policies/{service}',
      '/v1/policies/{service}/preview',
      '/v1/policies/{service}/revisions',
      '/v1/policies/{service}/revisions/diff',
      '/v1/policies/{service}/rollback',
      '/v1/proxies',
      '/v1/series',
      '/v1/services',
      '/v1/services/{service}',
      '/v1/services/{service}/routes',
      '/v1/services/{service}/routes/{route}/histogram',
      '/v1/topology',
      '/v1/trends',
      '/v1/whoami',
    ]);
    expect(paths['/v1/topology'].get.security).toEqual([{ bearer: [] }]);
    expect(paths['/v1/policies/{service}'].put.security).toEqual([{ bearer: [] }]);
    expect(paths['/v1/policies/{service}'].put.tags).toEqual(['policies']);
    expect(Object.keys(paths['/v1/policies/{service}'].put.responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '409',
    ]);
    expect(paths['/v1/health'].get.security).toBeUndefined();
  });

  it('answers whoami with the token name and role', async () => {
    const c = (collector = await startTestCollector(provider));
    const response = await c.app.inject({
      method: 'GET',
      url: '/v1/whoami',
      headers: c.as('viewer'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: 'viewer', role: 'viewer' });
  });

  it('stores only the hash, and a revoked token stops working', async () => {
    const c = (collector = await startTestCollector(provider));
    const { app, database } = c;
    const created = await createToken(database, { role: 'viewer', name: 'dashboard' });
    expect(created.token).toMatch(/^trellis_[A-Za-z0-9_-]{43}$/);
    const row = await database.prisma.apiToken.findFirstOrThrow({ where: { name: 'dashboard' } });
    expect(row.tokenHash).toBe(hashToken(created.token));
    expect(row.tokenHash).not.toBe(created.token);
    expect(JSON.stringify(row)).not.toContain(created.token.slice('trellis_'.length));
    expect(await authenticate(database, created.token)).toEqual({
      id: created.id,
      name: 'dashboard',
      role: 'viewer',
      service: null,
    });

    await expect(createToken(database, { role: 'operator', name: 'dashboard' })).rejects.toThrow(
      'an active token is already named "dashboard"',
    );
    await revokeToken(database, 'dashboard');
    const response = await app.inject({
      method: 'GET',
      url: '/v1/whoami',
      headers: { authorization: `Bearer ${created.token}` },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.message).toBe('the token is unknown or revoked');
    await expect(revokeToken(database, 'dashboard')).rejects.toThrow(
      'no active token is named "dashboard"',
    );
  });
});
