import { afterEach, describe, expect, it } from 'vitest';
import { testProviders } from '@trellis/db/testing';
import { revokeToken } from '../src/auth/token-store.js';
import { SseClient } from './helpers/sse-client.js';
import { startTestCollector, type TestCollector } from './helpers/test-collector.js';

const HEARTBEAT_MS = 200;

describe.each(testProviders())('event streams and config watches on %s', (provider) => {
  let collector: TestCollector | undefined;
  const clients: SseClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await collector?.close();
    collector = undefined;
  });

  const connect = async (url: string, headers: Record<string, string>) => {
    const client = await SseClient.connect(url, headers);
    clients.push(client);
    return client;
  };

  it('end within one heartbeat of their token being revoked; other tokens keep theirs', async () => {
    const c = (collector = await startTestCollector(provider, { sseHeartbeatMs: HEARTBEAT_MS }));
    const base = await c.listen();
    const watch = await connect(`${base}/v1/config/catalog?watch=true`, c.as('proxy'));
    await watch.next((event) => event.event === 'config');
    const events = await connect(`${base}/v1/events`, c.as('viewer'));
    const kept = await connect(`${base}/v1/events`, c.as('operator'));

    await revokeToken(c.database, 'proxy');
    await revokeToken(c.database, 'viewer');
    // Ended by the first heartbeat after the revocation; without it they would stay open.
    await watch.ended();
    await events.ended();

    // A policy write still reaches the stream of the token that stands.
    const write = await c.app.inject({
      method: 'PUT',
      url: '/v1/policies/catalog',
      headers: c.as('operator'),
      payload: { policy: {}, baseVersion: 0, reason: 'still heard' },
    });
    expect(write.statusCode).toBe(200);
    expect((await kept.next((event) => event.event === 'policy')).data).toMatchObject({
      service: 'catalog',
      reason: 'still heard',
    });
  });

  it('cap the streams one token holds at once with 429, and free a place when one ends', async () => {
    const c = (collector = await startTestCollector(provider, {
      args: ['--max-streams-per-token', '3'],
      sseHeartbeatMs: HEARTBEAT_MS,
    }));
    const base = await c.listen();
    const open = [
      await connect(`${base}/v1/events`, c.as('operator')),
      await connect(`${base}/v1/config/catalog?watch=true`, c.as('operator')),
      await connect(`${base}/v1/config/orders?watch=true`, c.as('operator')),
    ];
    for (const stream of open) expect(stream.response.statusCode).toBe(200);

    const refused = await fetch(`${base}/v1/events`, { headers: c.as('operator') });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'too-many-streams',
    );
    // Another token has its own allowance.
    const other = await connect(`${base}/v1/events`, c.as('viewer'));
    expect(other.response.statusCode).toBe(200);

    open[0]?.close();
    const deadline = Date.now() + 5000;
    let again = await connect(`${base}/v1/events`, c.as('operator'));
    while (again.response.statusCode === 429 && Date.now() < deadline) {
      again.close();
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await connect(`${base}/v1/events`, c.as('operator'));
    }
    expect(again.response.statusCode).toBe(200);
  });
});
