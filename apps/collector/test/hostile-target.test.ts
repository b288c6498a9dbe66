import { createServer, type Server, type ServerResponse } from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProxyList } from '@trellis/contracts';
import { testProviders } from '@trellis/db/testing';
import { ProxyRegistry, type Exchange } from './proxy-registry.js';
import { heartbeat, startTestCollector, type TestCollector } from './helpers/test-collector.js';

const inbound: Exchange = {
  direction: 'inbound',
  src: 'web',
  dst: 'catalog',
  route: 'get-item',
  status: 200,
  latencySeconds: 0.003,
};

const servers: Array<Server | TcpServer> = [];
const sockets = new Set<Socket>();

async function listen(server: Server | TcpServer): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function metricsServer(handler: (res: ServerResponse) => void): Promise<string> {
  return listen(createServer((_req, res) => handler(res)));
}

/** Writes `total` bytes of `line` repeated, as fast as the reader takes them; counts what left. */
function streamLines(res: ServerResponse, line: string, total: number, sent: { bytes: number }) {
  const chunk = Buffer.from(line.repeat(Math.ceil(65_536 / line.length)));
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  const pump = (): void => {
    while (sent.bytes < total) {
      sent.bytes += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

describe.each(testProviders())('hostile /metrics targets against a collector on %s', (provider) => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  let nextPort = 6100;
  const register = async (c: TestCollector, instanceId: string, adminAddress: string) => {
    const response = await c.app.inject({
      method: 'POST',
      url: '/v1/proxies',
      headers: c.as('proxy'),
      payload: { ...heartbeat('catalog', instanceId, nextPort++), adminAddress },
    });
    expect(response.statusCode).toBe(200);
  };

  const scrapeErrors = async (c: TestCollector) => {
    const list = await c.app.inject({ method: 'GET', url: '/v1/proxies', headers: c.as('viewer') });
    return Object.fromEntries(
      (list.json() as ProxyList).proxies.map((proxy) => [
        proxy.instanceId,
        proxy.lastScrape?.error,
      ]),
    );
  };

  const healthy = async (c: TestCollector) => {
    const health = await c.app.inject({ method: 'GET', url: '/v1/health' });
    expect(health.statusCode).toBe(200);
    return health.json() as { droppedSeries: number };
  };

  it('fails an oversized body, 100 MiB of comments and too many series, storing nothing of them', async () => {
    const c = (collector = await startTestCollector(provider, {
      args: ['--scrape-body-limit', '1MiB', '--scrape-series-limit', '1000'],
    }));
    const comments = { bytes: 0 };
    const honest = new ProxyRegistry();
    await register(
      c,
      'honest',
      await metricsServer((res) => void honest.text().then((t) => res.end(t))),
    );
    await register(
      c,
      'comments',
      await metricsServer((res) =>
        streamLines(res, '# just a comment\n', 100 * 1024 ** 2, comments),
      ),
    );
    // Says so up front: refused before its body is read.
    await register(
      c,
      'oversized',
      await metricsServer((res) => {
        res.writeHead(200, { 'content-length': String(2 * 1024 ** 2) });
        res.end(`request_total{route="${'x'.repeat(2 * 1024 ** 2 - 26)}"} 1\n`);
      }),
    );
    // 2,000 series in 150 KB: under the body limit, over the series limit.
    let series = 0;
    const many = await metricsServer((res) => {
      const lines = ['# TYPE request_total counter'];
      for (let i = 0; i < 2000; i++) {
        lines.push(
          `request_total{direction="inbound",src_service="web",dst_service="catalog",route="r${i}"} ${++series}`,
        );
      }
      res.end(`${lines.join('\n')}\n`);
    });
    await register(c, 'many', many);

    await c.app.scraping.scrapeOnce();
    honest.record(inbound, 7);
    const round = await c.app.scraping.scrapeOnce();

    expect(await scrapeErrors(c)).toEqual({
      honest: null,
      comments: 'over the body limit: more than 1048576 bytes (--scrape-body-limit)',
      oversized: 'over the body limit: more than 1048576 bytes (--scrape-body-limit)',
      many: 'over the series limit: more than 1000 series (--scrape-series-limit)',
    });
    // The reading stopped at the limit: beyond socket buffers, the 100 MiB were never taken.
    expect(comments.bytes).toBeLessThan(32 * 1024 ** 2);
    expect(round.rows.map((row) => [row.route, row.requests])).toEqual([['get-item', 7]]);
    const stored = await c.database.prisma.rollup.findMany({ select: { route: true } });
    expect(new Set(stored.map((row) => row.route))).toEqual(new Set(['get-item', '*']));
    await healthy(c);
  });

  it('times out a stalling target and says what failed without quoting what it sent', async () => {
    const c = (collector = await startTestCollector(provider, {
      args: ['--scrape-interval', '1s'],
    }));
    const secret = 'SSH-2.0-OpenSSH_internal-banner';
    await register(
      c,
      'stalling',
      await metricsServer((res) => {
        res.writeHead(200);
        res.write('request_total{direction="inbound"');
      }),
    );
    await register(c, 'status', await metricsServer((res) => res.writeHead(503).end(secret)));
    await register(
      c,
      'garbage',
      await metricsServer((res) => res.end(`${secret} is { not metrics\n`)),
    );
    await register(
      c,
      'not-http',
      await listen(createTcpServer((socket) => socket.end(`${secret}\r\n`))),
    );
    const closed = createTcpServer();
    const closedAddress = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    servers.splice(servers.indexOf(closed), 1);
    await register(c, 'refused', closedAddress);

    await c.app.scraping.scrapeOnce();
    const errors = await scrapeErrors(c);
    expect(errors).toEqual({
      stalling: 'no complete response within 1000 ms',
      status: 'HTTP 503',
      garbage: 'not Prometheus text: line 1, column 4: expected a space before the value',
      'not-http': 'the response is not HTTP/1.1',
      refused: 'connection refused',
    });
    for (const error of Object.values(errors)) expect(error).not.toContain('SSH');
    await healthy(c);
  });

  it('scrapes only inside --scrape-allow, by address and by resolved name', async () => {
    const c = (collector = await startTestCollector(provider, {
      args: ['--scrape-allow', '10.0.0.0/8,fc00::/7'],
    }));
    const target = new ProxyRegistry();
    const address = await metricsServer((res) => void target.text().then((t) => res.end(t)));
    const port = address.split(':')[1];
    await register(c, 'by-address', address);
    await register(c, 'by-name', `localhost:${port}`);
    await c.app.scraping.scrapeOnce();
    expect(await scrapeErrors(c)).toEqual({
      'by-address': 'the address is outside --scrape-allow',
      'by-name': 'the address is outside --scrape-allow',
    });
  });

  it('by default scrapes loopback but never link-local (cloud metadata)', async () => {
    const c = (collector = await startTestCollector(provider));
    const target = new ProxyRegistry();
    await register(
      c,
      'loopback',
      await metricsServer((res) => void target.text().then((t) => res.end(t))),
    );
    await register(c, 'metadata', '169.254.169.254:80');
    await c.app.scraping.scrapeOnce();
    expect(await scrapeErrors(c)).toEqual({
      loopback: null,
      metadata: 'the address is outside --scrape-allow',
    });
  });

  it('drops and counts series that speak for another service than their instance', async () => {
    const c = (collector = await startTestCollector(provider));
    const liar = new ProxyRegistry();
    await register(
      c,
      'catalog-1',
      await metricsServer((res) => void liar.text().then((t) => res.end(t))),
    );
    await c.app.scraping.scrapeOnce();
    liar.record(inbound, 5);
    // An inbound series for another destination, an outbound one from another source.
    liar.record({ ...inbound, dst: 'payments' }, 900);
    liar.record({ ...inbound, direction: 'outbound', src: 'orders', dst: 'payments' }, 800);
    liar.record({ ...inbound, direction: 'outbound', src: 'catalog', dst: 'payments' }, 3);
    const round = await c.app.scraping.scrapeOnce();
    expect(
      round.rows.map((row) => [row.direction, row.srcService, row.dstService, row.requests]),
    ).toEqual([
      ['inbound', 'web', 'catalog', 5],
      ['outbound', 'catalog', 'payments', 3],
    ]);
    // request, response, 28 latency and (outbound) attempt series of each lying label set.
    expect((await healthy(c)).droppedSeries).toBe(30 + 31);
  });

  it('takes the first scrape of every target as a baseline, whatever start time it claims', async () => {
    const c = (collector = await startTestCollector(provider));
    // A long-running exporter that says it started just now.
    const claims = new ProxyRegistry(Date.now() / 1000 + 60);
    claims.record(inbound, 8000);
    await register(
      c,
      'catalog-1',
      await metricsServer((res) => void claims.text().then((t) => res.end(t))),
    );
    const first = await c.app.scraping.scrapeOnce();
    expect(first.rows).toEqual([]);
    claims.record(inbound, 20);
    const second = await c.app.scraping.scrapeOnce();
    expect(second.rows.map((row) => row.requests)).toEqual([20]);
  });
});
