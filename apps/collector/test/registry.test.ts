import { afterEach, describe, expect, it } from 'vitest';
import type { DestinationConfig, ProxyEvent, ProxyList } from '@trellis/contracts';
import { testProviders } from '@trellis/db/testing';
import { SseClient } from './helpers/sse-client.js';
import { heartbeat, startTestCollector, type TestCollector } from './helpers/test-collector.js';

const endpoints = (...ports: number[]) =>
  ports.map((port, i) => ({ address: `127.0.0.1:${port}`, instanceId: `catalog-${i + 1}` }));

describe.each(testProviders())('registry and discovery on %s', (provider) => {
  let collector: TestCollector | undefined;
  const cleanups: Array<() => void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await collector?.close();
    collector = undefined;
  });

  it('registers instances, lists them, and answers the heartbeat interval', async () => {
    const c = (collector = await startTestCollector(provider));
    const register = (instanceId: string, port: number, applied = {}) =>
      c.app.inject({
        method: 'POST',
        url: '/v1/proxies',
        headers: c.as('proxy'),
        payload: heartbeat('catalog', instanceId, port, applied),
      });
    const first = await register('catalog-1', 5001);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ heartbeatIntervalSeconds: 2 });
    await register('catalog-2', 5002, { orders: { policyVersion: 3, revision: 9 } });

    const config = await c.app.inject({
      method: 'GET',
      url: '/v1/config/catalog',
      headers: c.as('proxy'),
    });
    expect(config.json()).toEqual({
      service: 'catalog',
      revision: 2,
      endpoints: endpoints(5001, 5002),
      policy: {
        service: 'catalog',
        version: 0,
        routes: [],
        retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
        defaultTimeoutMs: 10000,
      },
    });

    // A heartbeat that changes nothing in discovery leaves the revision alone.
    await register('catalog-1', 5001, { catalog: { policyVersion: 0, revision: 2 } });
    const again = await c.app.inject({
      method: 'GET',
      url: '/v1/config/catalog',
      headers: c.as('proxy'),
    });
    expect(again.json().revision).toBe(2);

    const list = await c.app.inject({ method: 'GET', url: '/v1/proxies', headers: c.as('viewer') });
    const body = list.json() as ProxyList;
    expect(body.heartbeatIntervalSeconds).toBe(2);
    expect(
      body.proxies.map(
        ({ instanceId, service, status, inboundAddress, adminAddress, applied }) => ({
          instanceId,
          service,
          status,
          inboundAddress,
          adminAddress,
          applied,
        }),
      ),
    ).toEqual([
      {
        instanceId: 'catalog-1',
        service: 'catalog',
        status: 'live',
        inboundAddress: '127.0.0.1:5001',
        adminAddress: '127.0.0.1:5002',
        applied: { catalog: { policyVersion: 0, revision: 2 } },
      },
      {
        instanceId: 'catalog-2',
        service: 'catalog',
        status: 'live',
        inboundAddress: '127.0.0.1:5002',
        adminAddress: '127.0.0.1:5003',
        applied: { orders: { policyVersion: 3, revision: 9 } },
      },
    ]);
    expect(body.proxies[0]!.lastScrape).toBeNull();
    expect(body.proxies[0]!.staleSince).toBeNull();
  });

  it('moves an instance that heartbeats from a new address or as another service', async () => {
    const c = (collector = await startTestCollector(provider));
    // An operator token, bound to no service, may register an instance as any service.
    const beat = (service: string, port: number) =>
      c.app.inject({
        method: 'POST',
        url: '/v1/proxies',
        headers: c.as('operator'),
        payload: heartbeat(service, 'instance-1', port),
      });
    const config = async (service: string) =>
      (
        await c.app.inject({
          method: 'GET',
          url: `/v1/config/${service}`,
          headers: c.as('proxy'),
        })
      ).json() as DestinationConfig;
    await beat('catalog', 5001);
    await beat('catalog', 5009);
    expect(await config('catalog')).toMatchObject({
      revision: 2,
      endpoints: [{ address: '127.0.0.1:5009', instanceId: 'instance-1' }],
    });
    await beat('orders', 5009);
    expect(await config('catalog')).toMatchObject({ revision: 3, endpoints: [] });
    expect(await config('orders')).toMatchObject({
      revision: 1,
      endpoints: [{ address: '127.0.0.1:5009', instanceId: 'instance-1' }],
    });
  });

  it('rejects a malformed heartbeat with the field path', async () => {
    const c = (collector = await startTestCollector(provider));
    const response = await c.app.inject({
      method: 'POST',
      url: '/v1/proxies',
      headers: c.as('proxy'),
      payload: { ...heartbeat('catalog', 'catalog-1', 5001), inboundAddress: 'nowhere' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toEqual([
      { path: 'body.inboundAddress', message: 'expected HOST:PORT, e.g. 127.0.0.1:4143' },
      { path: 'body.inboundAddress', message: 'port must be 1-65535' },
    ]);
    expect(await c.database.prisma.proxy.count()).toBe(0);
  });

  it('drops an instance that stops heartbeating and takes it back when it returns', async () => {
    const c = (collector = await startTestCollector(provider, {
      args: ['--heartbeat-interval', '200ms'],
    }));
    const base = await c.listen();
    const send = (instanceId: string, port: number) =>
      fetch(`${base}/v1/proxies`, {
        method: 'POST',
        headers: { ...c.as('proxy'), 'content-type': 'application/json' },
        body: JSON.stringify(heartbeat('catalog', instanceId, port)),
      });
    const beat = async (instanceId: string, port: number) => {
      expect((await send(instanceId, port)).status).toBe(200);
    };
    await beat('catalog-1', 5001);
    await beat('catalog-2', 5002);
    // catalog-1 heartbeats at twice the rate it must; catalog-2 falls silent.
    const keepAlive = setInterval(() => void send('catalog-1', 5001).catch(() => undefined), 100);
    cleanups.push(() => clearInterval(keepAlive));

    const events = await SseClient.connect(`${base}/v1/events`, c.as('viewer'));
    cleanups.push(() => events.close());
    const watcher = await SseClient.connect(`${base}/v1/config/catalog?watch=true`, c.as('proxy'));
    cleanups.push(() => watcher.close());
    expect(watcher.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');

    const initial = (await watcher.next()).data as DestinationConfig;
    expect(initial.endpoints).toEqual(endpoints(5001, 5002));

    const afterStale = await watcher.next();
    expect(afterStale.event).toBe('config');
    const staleConfig = afterStale.data as DestinationConfig;
    expect(staleConfig.endpoints).toEqual(endpoints(5001));
    expect(staleConfig.revision).toBe(initial.revision + 1);
    const staleEvent = (await events.next((e) => e.event === 'proxy')).data as ProxyEvent;
    expect(staleEvent).toMatchObject({
      service: 'catalog',
      instanceId: 'catalog-2',
      inboundAddress: '127.0.0.1:5002',
      change: 'stale',
    });

    const list = await fetch(`${base}/v1/proxies`, { headers: c.as('viewer') });
    const statuses = ((await list.json()) as ProxyList).proxies.map((p) => [
      p.instanceId,
      p.status,
    ]);
    expect(statuses).toEqual([
      ['catalog-1', 'live'],
      ['catalog-2', 'stale'],
    ]);

    await beat('catalog-2', 5002);
    const returned = (await watcher.next()).data as DestinationConfig;
    expect(returned.endpoints).toEqual(endpoints(5001, 5002));
    expect(returned.revision).toBe(initial.revision + 2);
    expect((await events.next((e) => e.event === 'proxy')).data).toMatchObject({
      instanceId: 'catalog-2',
      change: 'return',
    });
  });

  it('gives instances three intervals after a start before sweeping them', async () => {
    const c = (collector = await startTestCollector(provider, {
      args: ['--heartbeat-interval', '1s'],
    }));
    // Registered long before this start: its heartbeats were lost while the collector was down.
    const longAgo = new Date(Date.now() - 3_600_000);
    await c.database.prisma.proxy.create({
      data: {
        ...heartbeat('catalog', 'catalog-1', 5001),
        applied: '{}',
        registeredAt: longAgo,
        lastHeartbeatAt: longAgo,
      },
    });
    await c.app.ready();
    // Several sweep periods (250 ms), well inside the three-interval grace.
    await new Promise((resolve) => setTimeout(resolve, 750));
    const response = await c.app.inject({
      method: 'POST',
      url: '/v1/proxies',
      headers: c.as('proxy'),
      payload: heartbeat('catalog', 'catalog-1', 5001),
    });
    expect(response.statusCode).toBe(200);
    const config = await c.app.inject({
      method: 'GET',
      url: '/v1/config/catalog',
      headers: c.as('proxy'),
    });
    expect(config.json()).toMatchObject({ revision: 0, endpoints: endpoints(5001) });
  });

  it('purges instances stale for longer than --stale-retention, and only those', async () => {
    const c = (collector = await startTestCollector(provider, {
      args: ['--stale-retention', '1h'],
    }));
    const now = new Date('2026-11-25T12:00:00.000Z');
    const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    const instance = (instanceId: string, port: number, staleSince: Date | null) =>
      c.database.prisma.proxy.create({
        data: {
          ...heartbeat('catalog', instanceId, port),
          applied: '{}',
          registeredAt: minutesAgo(600),
          lastHeartbeatAt: staleSince ?? now,
          staleSince,
        },
      });
    await instance('catalog-1', 5001, null);
    await instance('catalog-2', 5002, minutesAgo(61));
    await instance('catalog-3', 5003, minutesAgo(59));

    expect(await c.app.registry.purgeStale(now)).toBe(1);
    expect(await c.app.registry.instanceCounts()).toEqual(
      new Map([['catalog', { live: 1, stale: 1 }]]),
    );
    expect((await c.app.registry.list()).map((p) => [p.instanceId, p.status])).toEqual([
      ['catalog-1', 'live'],
      ['catalog-3', 'stale'],
    ]);
    expect(await c.app.registry.purgeStale(now)).toBe(0);
  });

  it('purges from the sweeper what has been stale for over a day by default', async () => {
    const c = (collector = await startTestCollector(provider, {
      args: ['--heartbeat-interval', '100ms'],
    }));
    const stale = (instanceId: string, port: number, hoursAgo: number) => {
      const since = new Date(Date.now() - hoursAgo * 3_600_000);
      return c.database.prisma.proxy.create({
        data: {
          ...heartbeat('catalog', instanceId, port),
          applied: '{}',
          registeredAt: since,
          lastHeartbeatAt: since,
          staleSince: since,
        },
      });
    };
    await stale('catalog-1', 5001, 25);
    await stale('catalog-2', 5002, 23);
    await c.app.ready();
    const remaining = () =>
      c.database.prisma.proxy.findMany({
        select: { instanceId: true },
        orderBy: { instanceId: 'asc' },
      });
    const deadline = Date.now() + 5000;
    while ((await remaining()).length > 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await remaining()).toEqual([{ instanceId: 'catalog-2' }]);
  });

  it('keeps the revision rising across a restart', async () => {
    const c = (collector = await startTestCollector(provider));
    await c.app.inject({
      method: 'POST',
      url: '/v1/proxies',
      headers: c.as('proxy'),
      payload: heartbeat('catalog', 'catalog-1', 5001),
    });
    const before = await c.app.inject({
      method: 'GET',
      url: '/v1/config/catalog',
      headers: c.as('proxy'),
    });
    expect(before.json().revision).toBe(1);
    await c.app.close();

    const { buildApp } = await import('../src/app.js');
    const { loadConfig } = await import('../src/config.js');
    const restarted = await buildApp({
      config: loadConfig(['--database-url', c.databaseUrl], {}),
      database: c.database,
    });
    try {
      await restarted.inject({
        method: 'PUT',
        url: '/v1/policies/catalog',
        headers: c.as('operator'),
        payload: { policy: {}, baseVersion: 0, reason: 'after restart' },
      });
      const after = await restarted.inject({
        method: 'GET',
        url: '/v1/config/catalog',
        headers: c.as('proxy'),
      });
      expect(after.json().revision).toBe(2);
      expect(after.json().endpoints).toEqual(endpoints(5001));
    } finally {
      await restarted.close();
    }
  });
});
