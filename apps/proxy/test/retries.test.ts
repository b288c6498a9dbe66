import { afterEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import type { PolicySpecInput, RetryCondition } from '@trellis/contracts';
import {
  deadAddress,
  hasSeries,
  metric,
  scrape,
  send,
  startProxy,
  startUpstream,
  type RunningProxy,
  type Upstream,
} from './helpers.js';

const NO_BACKOFF = { baseMs: 0, maxMs: 0 };

describe('retries', () => {
  const running: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const thing of running.splice(0).reverse()) await thing.close();
  });

  async function mesh(endpoints: string[], policy: PolicySpecInput): Promise<RunningProxy> {
    const proxy = await startProxy({
      service: 'web',
      staticConfig: {
        services: { catalog: { endpoints: endpoints.map((address) => ({ address })), policy } },
      },
    });
    running.push(proxy);
    return proxy;
  }

  async function upstream(handler: Parameters<typeof startUpstream>[0]): Promise<Upstream> {
    const server = await startUpstream(handler);
    running.push(server);
    return server;
  }

  const labels = { direction: 'outbound', dst_service: 'catalog', route: 'write' };

  it('retries a 5xx and replays the request body', async () => {
    const bodies: string[] = [];
    const app = await upstream((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.statusCode = bodies.length <= 2 ? 503 : 200;
        res.end(`attempt ${bodies.length}`);
      });
    });
    const proxy = await mesh([app.address], {
      routes: [
        {
          name: 'write',
          match: { method: 'POST', path: '/items' },
          retry: { maxRetries: 2, on: ['5xx'], backoff: NO_BACKOFF },
        },
      ],
    });
    const reply = await send(proxy.addresses.outbound, '/items', {
      method: 'POST',
      body: 'payload',
      headers: { host: 'catalog' },
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('attempt 3');
    expect(bodies).toEqual(['payload', 'payload', 'payload']);
    const text = await scrape(proxy.addresses.admin);
    expect(metric(text, 'request_total', labels)).toBe(1);
    expect(metric(text, 'response_total', { ...labels, status_code: '200' })).toBe(1);
    expect(
      metric(text, 'attempt_total', { ...labels, status_code: '503', classification: 'failure' }),
    ).toBe(2);
    expect(
      metric(text, 'attempt_total', { ...labels, status_code: '200', classification: 'success' }),
    ).toBe(1);
    expect(metric(text, 'retry_total', { ...labels, result: 'retried' })).toBe(2);
  });

  it('retries connect failures up to maxRetries, then reports limit_reached', async () => {
    const proxy = await mesh([await deadAddress()], {
      routes: [
        {
          name: 'write',
          match: { path: '/*' },
          retry: { maxRetries: 2, on: ['connect-failure'], backoff: NO_BACKOFF },
        },
      ],
    });
    const reply = await send(proxy.addresses.outbound, '/x', { headers: { host: 'catalog' } });
    expect(reply.status).toBe(502);
    expect(reply.headers['x-trellis-error']).toBe('connect-failed');
    const text = await scrape(proxy.addresses.admin);
    expect(metric(text, 'attempt_total', { ...labels, status_code: '502' })).toBe(3);
    expect(metric(text, 'retry_total', { ...labels, result: 'retried' })).toBe(2);
    expect(metric(text, 'retry_total', { ...labels, result: 'limit_reached' })).toBe(1);
    expect(
      metric(text, 'response_total', { ...labels, status_code: '502', error: 'connect-failed' }),
    ).toBe(1);
  });

  it('routes around a dead endpoint by retrying on connect failure', async () => {
    const app = await upstream((_req, res) => res.end('ok'));
    const proxy = await mesh([await deadAddress(), app.address], {
      routes: [
        {
          name: 'write',
          match: { path: '/*' },
          retry: { maxRetries: 1, on: ['connect-failure'], backoff: NO_BACKOFF },
        },
      ],
    });
    for (let i = 0; i < 20; i++) {
      const reply = await send(proxy.addresses.outbound, '/x', { headers: { host: 'catalog' } });
      expect(reply.status).toBe(200);
    }
    const text = await scrape(proxy.addresses.admin);
    const failed = metric(text, 'attempt_total', { ...labels, status_code: '502' });
    // The dead endpoint is ejected after its first refusal, so at most one attempt hits it.
    expect(failed).toBeLessThanOrEqual(1);
    expect(metric(text, 'retry_total', { ...labels, result: 'retried' })).toBe(failed);
    expect(metric(text, 'attempt_total', { ...labels, status_code: '200' })).toBe(20);
    expect(app.requests).toBe(20);
  });

  /** An app that records each request body's size and answers `statusFor(nth request)`. */
  async function bodySizeRecorder(statusFor: (n: number) => number) {
    const received: number[] = [];
    const app = await upstream((req, res) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => (size += chunk.length));
      req.on('end', () => {
        received.push(size);
        res.statusCode = statusFor(received.length);
        res.end();
      });
    });
    return { app, received };
  }

  /** A proxy whose route `write` (every path) retries as given, without backoff. */
  function writeRoute(app: Upstream, retry: { maxRetries: number; on: RetryCondition[] }) {
    return mesh([app.address], {
      routes: [{ name: 'write', match: { path: '/*' }, retry: { ...retry, backoff: NO_BACKOFF } }],
    });
  }

  it('does not retry a 70 KiB body, sized or chunked, and counts body_too_large', async () => {
    const { app, received } = await bodySizeRecorder(() => 503);
    const proxy = await writeRoute(app, { maxRetries: 3, on: ['5xx'] });
    const body = Buffer.alloc(70 * 1024, 1);
    const sized = await send(proxy.addresses.outbound, '/x', {
      method: 'POST',
      body,
      headers: { host: 'catalog' },
    });
    const chunked = await send(proxy.addresses.outbound, '/x', {
      method: 'POST',
      body: Readable.from([body.subarray(0, 40 * 1024), body.subarray(40 * 1024)]),
      headers: { host: 'catalog' },
    });
    expect([sized.status, chunked.status]).toEqual([503, 503]);
    expect(received).toEqual([body.length, body.length]);
    const text = await scrape(proxy.addresses.admin);
    expect(metric(text, 'retry_total', { ...labels, result: 'body_too_large' })).toBe(2);
    expect(hasSeries(text, 'retry_total', { ...labels, result: 'retried' })).toBe(false);
    expect(metric(text, 'attempt_total', labels)).toBe(2);
  });

  it('replays a chunked body of at most 64 KiB', async () => {
    const { app, received } = await bodySizeRecorder((n) => (n === 1 ? 502 : 200));
    const proxy = await writeRoute(app, { maxRetries: 1, on: ['gateway-error'] });
    const part = Buffer.alloc(32 * 1024, 2);
    const reply = await send(proxy.addresses.outbound, '/x', {
      method: 'POST',
      body: Readable.from([part, part]),
      headers: { host: 'catalog' },
    });
    expect(reply.status).toBe(200);
    expect(received).toEqual([64 * 1024, 64 * 1024]);
  });

  it('retries an attempt that exceeds the per-try timeout', async () => {
    let calls = 0;
    const app = await upstream((_req, res) => {
      if (++calls === 1) return;
      res.end('second');
    });
    const proxy = await mesh([app.address], {
      routes: [
        {
          name: 'write',
          match: { path: '/*' },
          timeoutMs: 5000,
          retry: { maxRetries: 1, on: ['timeout'], perTryTimeoutMs: 100, backoff: NO_BACKOFF },
        },
      ],
    });
    const reply = await send(proxy.addresses.outbound, '/x', { headers: { host: 'catalog' } });
    expect(reply.text).toBe('second');
    const text = await scrape(proxy.addresses.admin);
    expect(metric(text, 'attempt_total', { ...labels, status_code: '504' })).toBe(1);
    expect(metric(text, 'attempt_total', { ...labels, status_code: '200' })).toBe(1);
    expect(metric(text, 'response_total', { ...labels, status_code: '200' })).toBe(1);
  });

  it('keeps retries within the budget when every upstream response fails', async () => {
    const app = await upstream((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const budget = { ratio: 0.2, minRetriesPerSecond: 1, ttlSeconds: 10 };
    const proxy = await mesh([app.address], {
      retryBudget: budget,
      routes: [
        {
          name: 'write',
          match: { path: '/*' },
          retry: { maxRetries: 3, on: ['5xx'], backoff: NO_BACKOFF },
        },
      ],
    });
    const requests = 100;
    for (let i = 0; i < requests; i++) {
      const reply = await send(proxy.addresses.outbound, '/x', { headers: { host: 'catalog' } });
      expect(reply.status).toBe(500);
    }
    const text = await scrape(proxy.addresses.admin);
    const retried = metric(text, 'retry_total', { ...labels, result: 'retried' });
    // All within one TTL window: 0.2 × 100 + 1 × 10 = 30 retries, no more.
    expect(retried).toBe(budget.ratio * requests + budget.minRetriesPerSecond * budget.ttlSeconds);
    expect(metric(text, 'retry_total', { ...labels, result: 'limit_reached' })).toBe(3);
    expect(metric(text, 'retry_total', { ...labels, result: 'budget_exhausted' })).toBe(97);
    expect(metric(text, 'attempt_total', labels)).toBe(requests + retried);
    expect(app.requests).toBe(requests + retried);
    expect(metric(text, 'request_total', labels)).toBe(requests);
    expect(metric(text, 'response_total', { ...labels, status_code: '500' })).toBe(requests);
  });
});
