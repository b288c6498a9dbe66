import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadAddress,
  send,
  startProxy,
  startUpstream,
  type RunningProxy,
  type Upstream,
} from './helpers.js';

describe('proxy errors are responses with x-trellis-error', () => {
  let hanging: Upstream;
  let proxy: RunningProxy;

  beforeAll(async () => {
    hanging = await startUpstream(() => undefined);
    proxy = await startProxy({
      service: 'web',
      staticConfig: {
        services: {
          empty: { endpoints: [] },
          gone: { endpoints: [{ address: await deadAddress() }] },
          slow: {
            endpoints: [{ address: hanging.address }],
            policy: { routes: [{ name: 'wait', match: { path: '/wait' }, timeoutMs: 200 }] },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await proxy.close();
    await hanging.close();
  });

  it('answers 503 no-endpoints for a destination without endpoints', async () => {
    for (const host of ['empty', 'unknown-service']) {
      const reply = await send(proxy.addresses.outbound, '/', { headers: { host } });
      expect(reply.status).toBe(503);
      expect(reply.headers['x-trellis-error']).toBe('no-endpoints');
    }
  });

  it('answers 502 connect-failed when no connection can be made', async () => {
    const reply = await send(proxy.addresses.outbound, '/', { headers: { host: 'gone' } });
    expect(reply.status).toBe(502);
    expect(reply.headers['x-trellis-error']).toBe('connect-failed');
    expect(reply.text).toMatch(
      /^connect-failed: cannot connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    );
  });

  it('answers 504 request-timeout within the route timeout + 50 ms', async () => {
    const started = performance.now();
    const reply = await send(proxy.addresses.outbound, '/wait', { headers: { host: 'slow' } });
    const elapsed = performance.now() - started;
    expect(reply.status).toBe(504);
    expect(reply.headers['x-trellis-error']).toBe('request-timeout');
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(250);
  });

  it('answers 503 no-endpoints on the inbound side when there is no app', async () => {
    const reply = await send(proxy.addresses.inbound, '/', { headers: { host: 'web' } });
    expect(reply.status).toBe(503);
    expect(reply.headers['x-trellis-error']).toBe('no-endpoints');
  });

  it('answers 400 to a request that names no destination', async () => {
    const reply = await send(proxy.addresses.outbound, 'http:///nothing');
    expect(reply.status).toBe(400);
  });
});
