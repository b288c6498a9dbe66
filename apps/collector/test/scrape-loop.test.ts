import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ScrapeLoop, type ScrapeRound, type ScrapeTarget } from '../src/scrape/scrape-loop.js';
import { ProxyRegistry, type Exchange } from './proxy-registry.js';

const ok: Exchange = {
  direction: 'inbound',
  src: 'web',
  dst: 'catalog',
  route: 'get-item',
  status: 200,
  latencySeconds: 0.003,
};

const servers: Server[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes servers without cutting connections: it only returns once clients let go. */
function closeGracefully(server: Server): Promise<void> {
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await closeGracefully(server).catch(() => undefined);
  }
});

/** A proxy's admin listener serving its registry; `failing` makes it answer 500. */
async function proxyServer() {
  const proxy = new ProxyRegistry();
  const state = { failing: false };
  const address = await listen((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (state.failing) {
      res.writeHead(500).end('oops');
      return;
    }
    void proxy.text().then((text) => {
      res.writeHead(200, { 'content-type': proxy.registry.contentType }).end(text);
    });
  });
  return { proxy, address, state };
}

function statusOf(round: ScrapeRound, instanceId: string) {
  return round.targets.find((target) => target.instanceId === instanceId);
}

describe('ScrapeLoop against real proxies on loopback', () => {
  it('scrapes concurrently, survives bad targets and counts restarts without negative or doubled increases', async () => {
    const catalog1 = await proxyServer();
    const catalog2 = await proxyServer();
    const hanging = await listen(() => undefined);
    const garbage = await listen((_req, res) => res.end('this is { not metrics\n'));
    const targets: ScrapeTarget[] = [
      { instanceId: 'catalog-1', adminAddress: catalog1.address },
      { instanceId: 'catalog-2', adminAddress: `http://${catalog2.address}/` },
      { instanceId: 'hanging', adminAddress: hanging },
      { instanceId: 'garbage', adminAddress: garbage },
    ];
    let clock = 1_700_000_000_000;
    const loop = new ScrapeLoop({
      targets: () => targets,
      sink: () => undefined,
      intervalMs: 5_000,
      timeoutMs: 300,
      now: () => clock,
    });
    try {
      catalog1.proxy.record(ok, 1000);
      const first = await loop.scrapeOnce();
      expect(first.rows).toEqual([]);
      expect(statusOf(first, 'catalog-1')).toMatchObject({ error: null, samples: 30 });
      expect(statusOf(first, 'catalog-2')).toMatchObject({ error: null, samples: 0 });
      expect(statusOf(first, 'hanging')?.error).toMatch(/^scrape-timeout: /);
      expect(statusOf(first, 'garbage')?.error).toBe(
        "prometheus-text-invalid: line 1, column 6: invalid value 'is'",
      );
      expect(statusOf(first, 'garbage')?.samples).toBe(0);

      clock += 5_000;
      catalog1.proxy.record(ok, 10);
      catalog2.proxy.record(ok, 5);
      catalog2.state.failing = true;
      const second = await loop.scrapeOnce();
      expect(statusOf(second, 'catalog-2')?.error).toBe('scrape-http-status: HTTP 500');
      expect(second.rows).toHaveLength(1);
      expect(second.rows[0]).toMatchObject({
        bucketStartMs: 1_700_000_005_000,
        bucketSeconds: 5,
        requests: 10,
        successes: 10,
        status2xx: 10,
      });

      // catalog-2 is back (its 5 + 2 more since, counted once); catalog-1 restarted.
      clock += 5_000;
      catalog2.state.failing = false;
      catalog2.proxy.record(ok, 2);
      catalog1.proxy.restart();
      catalog1.proxy.record(ok, 3);
      const third = await loop.scrapeOnce();
      expect(statusOf(third, 'catalog-2')?.error).toBe(null);
      expect(third.rows).toHaveLength(1);
      expect(third.rows[0]).toMatchObject({ requests: 10, successes: 10, status2xx: 10 });
      expect(third.rows[0]?.latencyBuckets[2]).toBe(10);

      clock += 5_000;
      const fourth = await loop.scrapeOnce();
      expect(fourth.rows).toEqual([]);
    } finally {
      await loop.stop();
    }
  });

  it('runs a round on start, hands it to the sink and stops without leaving connections', async () => {
    const catalog = await proxyServer();
    catalog.proxy.record(ok, 4);
    let deliver: (round: ScrapeRound) => void = () => undefined;
    const delivered = new Promise<ScrapeRound>((resolve) => (deliver = resolve));
    const loop = new ScrapeLoop({
      targets: async () => [{ instanceId: 'catalog', adminAddress: catalog.address }],
      sink: (round) => deliver(round),
      intervalMs: 60_000,
      timeoutMs: 1_000,
    });
    loop.start();
    const round = await delivered;
    await loop.stop();
    expect(round.targets).toEqual([
      expect.objectContaining({ instanceId: 'catalog', error: null, samples: 30 }),
    ]);
    // A graceful close only completes once the loop's keep-alive connection is gone.
    const server = servers.pop() as Server;
    await closeGracefully(server);
  });

  it('reports a failing target list or sink to onError and keeps going', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    let secondRound: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (secondRound = resolve));
    const loop = new ScrapeLoop({
      targets: () => {
        calls++;
        if (calls === 1) throw new Error('registry unavailable');
        secondRound();
        return [];
      },
      sink: () => undefined,
      intervalMs: 0,
      timeoutMs: 1_000,
      onError: (error) => errors.push(error),
    });
    loop.start();
    await second;
    await loop.stop();
    expect(errors).toEqual([new Error('registry unavailable')]);
  });
});
