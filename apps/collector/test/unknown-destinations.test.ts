import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { testProviders } from '@trellis/db/testing';
import { createProxy, type TrellisProxy } from '@trellis/proxy';
import { startTestCollector, type TestCollector } from './helpers/test-collector.js';

/**
 * Host names no service answers to, as an app that calls made-up or attacker-chosen hosts
 * sends them: the proxy keeps a bounded number of config watches open at the collector, for a
 * bounded time, and counts all such calls under one `dst_service="unknown"` label set.
 */

function get(address: string, host: string): Promise<{ status: number; error: unknown }> {
  const [hostname, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port: Number(port), path: '/', headers: { host } },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, error: res.headers['x-trellis-error'] }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function text(address: string, path: string): Promise<string> {
  const [hostname, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(testProviders())('unknown destination names on %s', (provider) => {
  let collector: TestCollector;
  let proxy: TrellisProxy;
  /** Config watch streams open at the collector, by service. */
  const watches = new Map<string, number>();

  afterEach(async () => {
    await proxy.close();
    await collector.close();
    watches.clear();
  });

  async function start(unknownNames: { watches?: number; idleMs?: number }): Promise<string> {
    collector = await startTestCollector(provider);
    const controlPlane = await collector.listen();
    collector.app.server.on('request', (req, res) => {
      const match = /^\/v1\/config\/([^/?]+)\?watch=true$/.exec(req.url ?? '');
      if (match === null) return;
      const service = decodeURIComponent(match[1]!);
      watches.set(service, (watches.get(service) ?? 0) + 1);
      res.on('close', () => watches.set(service, watches.get(service)! - 1));
    });
    proxy = createProxy({
      service: 'web',
      inbound: '127.0.0.1:0',
      outbound: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      controlPlane,
      token: await collector.proxyToken('web'),
      unknownNames,
      log: () => {},
    });
    const { outbound } = await proxy.start();
    return outbound;
  }

  const openFor = (prefix: string): number =>
    [...watches].filter(([service]) => service.startsWith(prefix)).reduce((n, [, c]) => n + c, 0);

  /** Every outbound series on the proxy's /metrics, as `name{labels}`. */
  async function outboundSeries(): Promise<string[]> {
    const metrics = await text(proxy.heartbeat().adminAddress, '/metrics');
    return metrics
      .split('\n')
      .filter((line) => line.includes('direction="outbound"'))
      .map((line) => line.slice(0, line.lastIndexOf(' ')));
  }

  const unknownSeries = (series: string[]): number =>
    series.filter((line) => line.includes('dst_service="unknown"')).length;

  it('keeps 32 watches and 30 series for 150 distinct unknown names', async () => {
    const outbound = await start({});
    const answers = [];
    for (let i = 0; i < 150; i++) answers.push(await get(outbound, `nosuch-${i}`));
    expect(answers).toEqual(Array(150).fill({ status: 503, error: 'no-endpoints' }));

    await until(() => openFor('nosuch-') === 32, '32 open watches');
    const names = Array.from({ length: 32 }, (_, i) => `nosuch-${118 + i}`);
    expect((proxy.configView() as { unknownWatches: string[] }).unknownWatches).toEqual(names);
    expect(names.map((name) => watches.get(name))).toEqual(Array(32).fill(1));

    const series = await outboundSeries();
    // request_total, response_total (503 no-endpoints), 26 latency buckets, _sum and _count.
    expect(unknownSeries(series)).toBe(30);
    expect(series).toContain(
      'request_total{direction="outbound",src_service="web",dst_service="unknown",route="default"}',
    );
    // Besides them, only the request count of the proxy's own service, which it watches.
    expect(series.filter((line) => !line.includes('dst_service="unknown"'))).toEqual([
      'request_total{direction="outbound",src_service="web",dst_service="web",route="default"}',
    ]);
  });

  it('closes a watch for a name without a service once nothing asks for it', async () => {
    const outbound = await start({ watches: 4, idleMs: 300 });
    for (let i = 0; i < 150; i++) await get(outbound, `idle-${i}`);
    await until(() => openFor('idle-') === 0, 'the idle watches to close');
    expect((proxy.configView() as { unknownWatches: string[] }).unknownWatches).toEqual([]);
    expect(proxy.heartbeat().applied).not.toHaveProperty('idle-149');
    // The proxy's watch of its own service stays.
    expect(watches.get('web')).toBe(1);

    await get(outbound, 'again');
    await until(() => watches.get('again') === 1, 'a fresh watch');
    expect(unknownSeries(await outboundSeries())).toBe(30);
  });

  it('gives a name its own destination once the collector knows the service', async () => {
    const outbound = await start({ watches: 4 });
    expect(await get(outbound, 'later')).toEqual({ status: 503, error: 'no-endpoints' });
    const registered = await collector.app.inject({
      method: 'POST',
      url: '/v1/proxies',
      headers: { authorization: `Bearer ${await collector.proxyToken('later')}` },
      payload: {
        service: 'later',
        instanceId: 'later-1',
        inboundAddress: '127.0.0.1:9',
        adminAddress: '127.0.0.1:10',
        proxyVersion: '0.1.0',
      },
    });
    expect(registered.statusCode).toBeLessThan(300);
    await until(
      () => (proxy.configView() as { unknownWatches: string[] }).unknownWatches.length === 0,
      'the name to become a known service',
    );
    expect(await get(outbound, 'later')).toEqual({ status: 502, error: 'connect-failed' });
    expect((await outboundSeries()).some((line) => line.includes('dst_service="later"'))).toBe(
      true,
    );
    expect(watches.get('later')).toBe(1);
  });
});
