import { afterEach, describe, expect, it } from 'vitest';
import type { DestinationConfig, PolicyEvent } from '@trellis/contracts';
import { testProviders } from '@trellis/db/testing';
import { SseClient } from './helpers/sse-client.js';
import { startTestCollector, type TestCollector } from './helpers/test-collector.js';

/** Generous: the collector pushes within 500 ms; a loaded CI machine gets the rest. */
const PUSH_BOUND_MS = 2000;

describe.each(testProviders())('config watch and events on %s', (provider) => {
  let collector: TestCollector | undefined;
  const clients: SseClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await collector?.close();
    collector = undefined;
  });

  async function connect(c: TestCollector, url: string, role: 'proxy' | 'viewer') {
    const client = await SseClient.connect(url, c.as(role));
    clients.push(client);
    return client;
  }

  it('pushes a policy write to a watcher of that service and an event to /v1/events', async () => {
    const c = (collector = await startTestCollector(provider));
    const base = await c.listen();
    const watcher = await connect(c, `${base}/v1/config/catalog?watch=true`, 'proxy');
    const other = await connect(c, `${base}/v1/config/orders?watch=true`, 'proxy');
    const events = await connect(c, `${base}/v1/events`, 'viewer');
    const initial = (await watcher.next()).data as DestinationConfig;
    expect(initial).toEqual({
      service: 'catalog',
      revision: 0,
      endpoints: [],
      policy: {
        service: 'catalog',
        version: 0,
        routes: [],
        retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
        defaultTimeoutMs: 10000,
      },
    });
    await other.next();

    const started = Date.now();
    const write = await fetch(`${base}/v1/policies/catalog`, {
      method: 'PUT',
      headers: { ...c.as('operator'), 'content-type': 'application/json' },
      body: JSON.stringify({
        policy: { defaultTimeoutMs: 1500 },
        baseVersion: 0,
        reason: 'tighter timeout',
      }),
    });
    expect(write.status).toBe(200);
    const pushed = await watcher.next(() => true, PUSH_BOUND_MS);
    expect(Date.now() - started).toBeLessThan(PUSH_BOUND_MS);
    expect(pushed.event).toBe('config');
    expect(pushed.data).toEqual({
      ...initial,
      revision: 1,
      policy: { ...initial.policy, version: 1, defaultTimeoutMs: 1500 },
    });

    const news = await events.next((e) => e.event === 'policy');
    const policyEvent = news.data as PolicyEvent;
    expect(policyEvent).toEqual({
      service: 'catalog',
      version: 1,
      author: 'operator',
      reason: 'tighter timeout',
      at: policyEvent.at,
    });
    expect(other.events).toHaveLength(1);
  });

  it('answers a plain GET with the same config a watcher gets', async () => {
    const c = (collector = await startTestCollector(provider));
    const response = await c.app.inject({
      method: 'GET',
      url: '/v1/config/catalog?watch=false',
      headers: c.as('proxy'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().revision).toBe(0);
    const bad = await c.app.inject({
      method: 'GET',
      url: '/v1/config/catalog?watch=yes',
      headers: c.as('proxy'),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('querystring.watch');
  });

  it('keeps idle streams up with comments and drops listeners when clients leave', async () => {
    const c = (collector = await startTestCollector(provider, { sseHeartbeatMs: 50 }));
    const base = await c.listen();
    const watcher = await connect(c, `${base}/v1/config/catalog?watch=true`, 'proxy');
    const events = await connect(c, `${base}/v1/events`, 'viewer');
    await watcher.next();
    expect(c.app.hub.listenerCount()).toBe(2);
    await expect
      .poll(() => watcher.comments >= 2 && events.comments >= 2, { timeout: 5000 })
      .toBe(true);

    watcher.close();
    events.close();
    await expect.poll(() => c.app.hub.listenerCount(), { timeout: 5000 }).toBe(0);
  });

  it('ends open streams when the app closes', async () => {
    const c = (collector = await startTestCollector(provider));
    const base = await c.listen();
    const watcher = await connect(c, `${base}/v1/config/catalog?watch=true`, 'proxy');
    await watcher.next();
    await c.app.close();
    await watcher.ended();
    expect(c.app.hub.listenerCount()).toBe(0);
  });

  it('publishes what others put on the hub, such as scrape events', async () => {
    const c = (collector = await startTestCollector(provider));
    const base = await c.listen();
    const events = await connect(c, `${base}/v1/events`, 'viewer');
    await expect.poll(() => c.app.hub.listenerCount(), { timeout: 5000 }).toBe(1);
    c.app.hub.publish('scrape', { instanceId: 'catalog-1', durationMs: 12 });
    expect(await events.next()).toEqual({
      event: 'scrape',
      data: { instanceId: 'catalog-1', durationMs: 12 },
    });
  });
});
