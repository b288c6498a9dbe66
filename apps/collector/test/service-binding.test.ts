import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { testProviders } from '@trellis/db/testing';
import { runTokenCommand } from '../src/auth/token-command.js';
import { hashToken } from '../src/auth/token-store.js';
import { heartbeat, startTestCollector, type TestCollector } from './helpers/test-collector.js';

describe.each(testProviders())('service-bound proxy tokens on %s', (provider) => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  const register = (c: TestCollector, token: string, body: ReturnType<typeof heartbeat>) =>
    c.app.inject({
      method: 'POST',
      url: '/v1/proxies',
      headers: { authorization: `Bearer ${token}` },
      payload: body,
    });

  it('registers only its own service, and still reads every config', async () => {
    const c = (collector = await startTestCollector(provider));
    const catalog = await c.proxyToken('catalog');
    expect((await register(c, catalog, heartbeat('catalog', 'catalog-1', 5000))).statusCode).toBe(
      200,
    );

    const elsewhere = await register(c, catalog, heartbeat('storefront', 'storefront-1', 5002));
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json()).toEqual({
      error: {
        code: 'service-not-bound',
        message: 'token "proxy-1" is bound to service "catalog" and cannot act for "storefront"',
      },
    });
    expect(await c.database.prisma.proxy.count({ where: { service: 'storefront' } })).toBe(0);

    const config = await c.app.inject({
      method: 'GET',
      url: '/v1/config/storefront',
      headers: { authorization: `Bearer ${catalog}` },
    });
    expect(config.statusCode).toBe(200);
    expect(config.json().endpoints).toEqual([]);
  });

  it('keeps an instance id to the token that first registered it', async () => {
    const c = (collector = await startTestCollector(provider));
    const first = await c.proxyToken('catalog');
    const second = await c.proxyToken('catalog');
    expect((await register(c, first, heartbeat('catalog', 'catalog-1', 5000))).statusCode).toBe(
      200,
    );
    const { configRevision } = await c.database.prisma.service.findUniqueOrThrow({
      where: { name: 'catalog' },
    });

    for (const token of [second, c.tokens.operator]) {
      const takeover = await register(c, token, heartbeat('catalog', 'catalog-1', 6000));
      expect(takeover.statusCode).toBe(409);
      expect(takeover.json().error.code).toBe('instance-owned');
    }
    const row = await c.database.prisma.proxy.findUniqueOrThrow({
      where: { instanceId: 'catalog-1' },
    });
    expect(row.inboundAddress).toBe('127.0.0.1:5000');
    expect(
      (await c.database.prisma.service.findUniqueOrThrow({ where: { name: 'catalog' } }))
        .configRevision,
    ).toBe(configRevision);

    // The owner itself may move its instance (a restart on another port).
    expect((await register(c, first, heartbeat('catalog', 'catalog-1', 7000))).statusCode).toBe(
      200,
    );
    const moved = await c.app.inject({
      method: 'GET',
      url: '/v1/config/catalog',
      headers: { authorization: `Bearer ${first}` },
    });
    expect(moved.json().endpoints).toEqual([
      { address: '127.0.0.1:7000', instanceId: 'catalog-1' },
    ]);
  });

  it('refuses a proxy token bound to no service, saying how to make a bound one', async () => {
    const c = (collector = await startTestCollector(provider));
    // A proxy token as created before tokens were bound: the migration kept it, unbound.
    const legacy = 'trellis_legacy-proxy-token';
    await c.database.prisma.apiToken.create({
      data: { id: randomUUID(), name: 'old-proxies', role: 'proxy', tokenHash: hashToken(legacy) },
    });
    for (const request of [
      { method: 'POST' as const, url: '/v1/proxies', payload: heartbeat('catalog', 'c-1', 5000) },
      { method: 'GET' as const, url: '/v1/config/catalog' },
      { method: 'GET' as const, url: '/v1/whoami' },
    ]) {
      const response = await c.app.inject({
        ...request,
        headers: { authorization: `Bearer ${legacy}` },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({
        error: {
          code: 'proxy-token-unbound',
          message:
            'proxy token "old-proxies" is bound to no service; create a bound one with: trellis-collector token create --role proxy --service SERVICE --name NAME',
        },
      });
    }
    expect(await c.database.prisma.proxy.count()).toBe(0);
  });

  it('names the service of a proxy token in whoami and in the token list', async () => {
    const c = (collector = await startTestCollector(provider));
    const list = await runTokenCommand(c.database, { action: 'list' });
    expect(list[0]).toBe('NAME\tROLE\tSERVICE\tCREATED\tLAST USED\tREVOKED');
    expect(list.find((line) => line.startsWith('proxy\t'))).toMatch(/^proxy\tproxy\tcatalog\t/);
    expect(list.find((line) => line.startsWith('viewer\t'))).toMatch(/^viewer\tviewer\t-\t/);
    const response = await c.app.inject({
      method: 'GET',
      url: '/v1/whoami',
      headers: c.as('proxy'),
    });
    expect(response.json()).toEqual({ name: 'proxy', role: 'proxy', service: 'catalog' });
  });
});
