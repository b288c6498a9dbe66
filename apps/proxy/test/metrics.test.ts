import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasSeries,
  metric,
  promtoolCheck,
  scrape,
  send,
  startProxy,
  startUpstream,
  type RunningProxy,
  type Upstream,
} from './helpers.js';

describe('golden metrics', () => {
  let app: Upstream;
  let catalog: RunningProxy;
  let web: RunningProxy;

  beforeAll(async () => {
    app = await startUpstream((req, res) => {
      if (req.url?.startsWith('/fail')) res.statusCode = 500;
      if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 300);
        return;
      }
      res.end('ok');
    });
    catalog = await startProxy({
      service: 'catalog',
      app: app.address,
      staticConfig: {
        services: {
          catalog: {
            policy: {
              routes: [{ name: 'get-item', match: { method: 'GET', path: '/items/{id}' } }],
            },
          },
        },
      },
    });
    web = await startProxy({
      service: 'web',
      staticConfig: {
        services: {
          catalog: {
            endpoints: [{ address: catalog.addresses.inbound }],
            policy: {
              routes: [
                { name: 'get-item', match: { method: 'GET', path: '/items/{id}' } },
                { name: 'slow', match: { path: '/slow' }, timeoutMs: 100 },
              ],
            },
          },
        },
      },
    });
    // Mixed traffic: 7 successes, 3 upstream failures, 2 no-endpoints (billing is in no config,
    // so it counts as unknown), 1 timeout, 4 direct calls.
    for (let i = 0; i < 7; i++)
      await send(web.addresses.outbound, `/items/${i}`, { headers: { host: 'catalog' } });
    for (let i = 0; i < 3; i++)
      await send(web.addresses.outbound, `/fail/${i}`, { headers: { host: 'catalog' } });
    for (let i = 0; i < 2; i++)
      await send(web.addresses.outbound, '/', { headers: { host: 'billing' } });
    await send(web.addresses.outbound, '/slow', { headers: { host: 'catalog' } });
    for (let i = 0; i < 4; i++)
      await send(catalog.addresses.inbound, `/items/${i}`, { headers: { host: 'catalog' } });
  });

  afterAll(async () => {
    await web.close();
    await catalog.close();
    await app.close();
  });

  it('passes promtool check metrics with no lint message', async () => {
    expect(promtoolCheck(await scrape(web.addresses.admin))).toBe('');
    expect(promtoolCheck(await scrape(catalog.addresses.admin))).toBe('');
  });

  it('counts the outbound traffic exactly', async () => {
    const text = await scrape(web.addresses.admin);
    const out = { direction: 'outbound', src_service: 'web', dst_service: 'catalog' };
    expect(metric(text, 'request_total', { ...out, route: 'get-item' })).toBe(7);
    expect(metric(text, 'request_total', { ...out, route: 'default' })).toBe(3);
    expect(metric(text, 'request_total', { ...out, route: 'slow' })).toBe(1);
    expect(
      metric(text, 'response_total', {
        ...out,
        route: 'get-item',
        status_code: '200',
        classification: 'success',
      }),
    ).toBe(7);
    expect(
      metric(text, 'response_total', {
        ...out,
        route: 'default',
        status_code: '500',
        classification: 'failure',
      }),
    ).toBe(3);
    expect(
      metric(text, 'response_total', {
        ...out,
        route: 'slow',
        status_code: '504',
        classification: 'failure',
        error: 'request-timeout',
      }),
    ).toBe(1);
    expect(
      metric(text, 'response_total', {
        dst_service: 'unknown',
        status_code: '503',
        classification: 'failure',
        error: 'no-endpoints',
      }),
    ).toBe(2);
    expect(
      metric(text, 'response_latency_seconds_count', {
        ...out,
        route: 'get-item',
        status_code: '200',
      }),
    ).toBe(7);
    expect(
      metric(text, 'response_latency_seconds_bucket', {
        ...out,
        route: 'get-item',
        status_code: '200',
        le: '+Inf',
      }),
    ).toBe(7);
    expect(
      metric(text, 'response_latency_seconds_bucket', { ...out, route: 'slow', le: '0.05' }),
    ).toBe(0);
    expect(
      metric(text, 'response_latency_seconds_bucket', { ...out, route: 'slow', le: '0.2' }),
    ).toBe(1);
    expect(metric(text, 'attempt_total', { ...out, route: 'get-item', status_code: '200' })).toBe(
      7,
    );
    expect(metric(text, 'attempt_total', { ...out, route: 'slow', status_code: '504' })).toBe(1);
    // Finding no endpoint sends nothing, so it is not an attempt.
    expect(hasSeries(text, 'attempt_total', { dst_service: 'unknown' })).toBe(false);
    expect(text).not.toContain('dst_service="billing"');
    expect(hasSeries(text, 'request_total', { direction: 'inbound' })).toBe(false);
  });

  it('labels inbound traffic with the caller from x-trellis-src', async () => {
    const text = await scrape(catalog.addresses.admin);
    const inbound = { direction: 'inbound', dst_service: 'catalog' };
    expect(
      metric(text, 'request_total', { ...inbound, src_service: 'web', route: 'get-item' }),
    ).toBe(7);
    expect(
      metric(text, 'request_total', { ...inbound, src_service: 'web', route: 'default' }),
    ).toBe(4);
    expect(
      metric(text, 'request_total', { ...inbound, src_service: 'unknown', route: 'get-item' }),
    ).toBe(4);
    expect(
      metric(text, 'response_total', { ...inbound, src_service: 'web', status_code: '500' }),
    ).toBe(3);
    expect(hasSeries(text, 'attempt_total', inbound)).toBe(false);
  });
});
