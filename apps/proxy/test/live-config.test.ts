import { once } from 'node:events';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProxyHeartbeat } from '@trellis/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventually,
  metric,
  scrape,
  send,
  startProxy,
  startUpstream,
  type Upstream,
} from './helpers.js';

describe('live config', () => {
  const running: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const thing of running.splice(0).reverse()) await thing.close();
  });

  async function named(
    name: string,
    hold = false,
  ): Promise<Upstream & { held: http.ServerResponse[] }> {
    const held: http.ServerResponse[] = [];
    const server = await startUpstream((_req, res) => {
      if (hold) held.push(res);
      else res.end(name);
    });
    running.push(server);
    return Object.assign(server, { held });
  }

  it('swaps endpoints and policy with requests in flight, dropping none', async () => {
    const a = await named('a', true);
    const b = await named('b');
    const proxy = await startProxy({
      service: 'web',
      staticConfig: { services: { catalog: { endpoints: [{ address: a.address }] } } },
    });
    running.push(proxy);
    const inFlight = Array.from({ length: 5 }, (_, i) =>
      send(proxy.addresses.outbound, `/old/${i}`, { headers: { host: 'catalog' } }),
    );
    await eventually(() => a.held.length === 5);
    const swapped = proxy.proxy.applyStaticConfig({
      version: 'v2',
      services: {
        catalog: {
          endpoints: [{ address: b.address }],
          policy: { routes: [{ name: 'new', match: { path: '/new' } }] },
        },
      },
    });
    expect(swapped).toEqual({ ok: true });
    const fresh = await send(proxy.addresses.outbound, '/new', { headers: { host: 'catalog' } });
    expect(fresh.text).toBe('b');
    for (const res of a.held) res.end('a');
    const old = await Promise.all(inFlight);
    expect(old.map((reply) => `${reply.status} ${reply.text}`)).toEqual(Array(5).fill('200 a'));
  });

  it('reloads the config file on change and keeps the old config when the new one is invalid', async () => {
    const a = await named('a');
    const b = await named('b');
    const dir = await mkdtemp(join(tmpdir(), 'trellis-proxy-'));
    running.push({ close: () => rm(dir, { recursive: true, force: true }) });
    const file = join(dir, 'proxy.json');
    const write = async (content: string): Promise<void> => {
      await writeFile(`${file}.tmp`, content);
      await rename(`${file}.tmp`, file);
    };
    await write(
      JSON.stringify({
        version: 'v1',
        services: { catalog: { endpoints: [{ address: a.address }] } },
      }),
    );
    const proxy = await startProxy({ service: 'web', configFile: file });
    running.push(proxy);
    expect((await send(proxy.addresses.admin, '/ready')).status).toBe(200);
    expect((await send(proxy.addresses.outbound, '/', { headers: { host: 'catalog' } })).text).toBe(
      'a',
    );

    await write(
      JSON.stringify({
        version: 'v2',
        services: { catalog: { endpoints: [{ address: b.address }] } },
      }),
    );
    await eventually(
      async () => JSON.parse((await send(proxy.addresses.admin, '/config')).text).version === 'v2',
    );
    expect((await send(proxy.addresses.outbound, '/', { headers: { host: 'catalog' } })).text).toBe(
      'b',
    );

    await write(
      '{"version": "v3", "services": {"catalog": {"endpoints": [{"address": "nowhere"}]}}}',
    );
    await eventually(() => proxy.logs.length === 1);
    expect(proxy.logs[0]).toMatch(
      /^config file .*proxy\.json rejected \(keeping version "v2"\): services\.catalog\.endpoints\.0\.address: expected HOST:PORT/,
    );
    expect((await send(proxy.addresses.outbound, '/', { headers: { host: 'catalog' } })).text).toBe(
      'b',
    );
  });

  it('follows the control plane, reports a rejected policy, and survives its outage', async () => {
    const a = await named('a');
    const heartbeats: ProxyHeartbeat[] = [];
    const watched: string[] = [];
    const streams = new Map<string, http.ServerResponse>();
    const collector = http.createServer((req, res) => {
      if (req.headers.authorization !== 'Bearer secret') {
        res.writeHead(401).end();
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/proxies') {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          heartbeats.push(JSON.parse(body) as ProxyHeartbeat);
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end('{"heartbeatIntervalSeconds":0.05}');
        });
        return;
      }
      watched.push(req.url ?? '');
      const match = /^\/v1\/config\/([a-z0-9-]+)\?watch=true$/.exec(req.url ?? '');
      if (match === null) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      streams.set(match[1]!, res);
      push(match[1]!, 1, match[1] === 'catalog' ? [a.address] : []);
    });
    const push = (
      service: string,
      version: number,
      endpoints: string[],
      routes: unknown[] = [],
    ): void => {
      const config = {
        service,
        revision: version,
        endpoints: endpoints.map((address) => ({ address })),
        policy: {
          service,
          version,
          routes,
          retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
          defaultTimeoutMs: 1000,
        },
      };
      streams.get(service)?.write(`event: config\ndata: ${JSON.stringify(config)}\n\n`);
    };
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    let collectorUp = true;
    running.push({
      close: async () => {
        if (!collectorUp) return;
        collector.closeAllConnections();
        await new Promise<void>((resolve) => collector.close(() => resolve()));
      },
    });

    const proxy = await startProxy({ service: 'web', controlPlane: collectorUrl, token: 'secret' });
    running.push(proxy);
    await eventually(async () => (await send(proxy.addresses.admin, '/ready')).status === 200);
    expect((await send(proxy.addresses.outbound, '/', { headers: { host: 'catalog' } })).text).toBe(
      'a',
    );

    // A host that can be neither a service name nor an outside host (those go out as egress)
    // is answered at once, without a watch.
    const started = Date.now();
    const outside = await send(proxy.addresses.outbound, '/', {
      headers: { host: 'not_a_host:443' },
    });
    expect(outside.status).toBe(503);
    expect(outside.headers['x-trellis-error']).toBe('no-endpoints');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(watched.filter((url) => url.includes('not_a_host'))).toEqual([]);
    const counted = await scrape(proxy.addresses.admin);
    expect(metric(counted, 'response_total', { dst_service: 'unknown', status_code: '503' })).toBe(
      1,
    );

    // perTryTimeoutMs above the route timeout: valid JSON, but a policy this proxy cannot apply.
    push(
      'catalog',
      2,
      [],
      [
        {
          name: 'bad',
          match: { path: '/*' },
          timeoutMs: 100,
          retry: { maxRetries: 1, on: ['5xx'], perTryTimeoutMs: 500 },
        },
      ],
    );
    await eventually(() => heartbeats.at(-1)?.applied.catalog?.rejectedVersion === 2);
    const report = heartbeats.at(-1)!;
    expect(report.service).toBe('web');
    expect(report.applied.catalog).toMatchObject({
      policyVersion: 1,
      revision: 1,
      rejectedVersion: 2,
    });
    expect(report.applied.catalog?.error).toMatch(/per-try timeout 500 ms exceeds/);
    expect((await send(proxy.addresses.outbound, '/', { headers: { host: 'catalog' } })).text).toBe(
      'a',
    );

    collectorUp = false;
    collector.closeAllConnections();
    await new Promise<void>((resolve) => collector.close(() => resolve()));
    await eventually(() =>
      proxy.logs.some((line) => line.startsWith('config watch for "catalog" failed')),
    );
    expect((await send(proxy.addresses.outbound, '/', { headers: { host: 'catalog' } })).text).toBe(
      'a',
    );
  });
});
