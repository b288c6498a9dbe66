import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasSeries,
  metric,
  scrape,
  send,
  startProxy,
  startUpstream,
  type RunningProxy,
  type Upstream,
} from './helpers.js';

/** client → web's outbound proxy → catalog's inbound proxy → catalog app: a real mesh hop. */
describe('forwarding through two proxies', () => {
  let app: Upstream;
  let catalog: RunningProxy;
  let web: RunningProxy;
  let lastHeaders: http.IncomingHttpHeaders = {};
  let lastBody = Buffer.alloc(0);
  let upgradeSource: string | undefined;
  const appSockets = new Set<Socket>();

  beforeAll(async () => {
    app = await startUpstream((req, res) => {
      lastHeaders = req.headers;
      if (req.url === '/echo') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.flushHeaders();
        req.on('data', (chunk: Buffer) => res.write(chunk));
        req.on('end', () => res.end());
        return;
      }
      if (req.url === '/upload') {
        let size = 0;
        req.on('data', (chunk: Buffer) => (size += chunk.length));
        req.on('end', () => res.end(`${req.method} ${req.url} ${size}`));
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        lastBody = Buffer.concat(chunks);
        if (req.url === '/chunked') {
          res.writeHead(200, { connection: 'x-private', 'x-private': 'secret', 'x-kept': 'yes' });
          res.write('part one, ');
          setTimeout(() => res.end('part two'), 5);
          return;
        }
        res.end(`${req.method} ${req.url} ${lastBody.length}`);
      });
    });
    app.server.on('upgrade', (req: http.IncomingMessage, socket: Socket) => {
      upgradeSource = req.headers['x-trellis-src'] as string | undefined;
      appSockets.add(socket);
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n',
      );
      socket.on('data', (data: Buffer) => socket.write(data.toString().toUpperCase()));
      socket.on('error', () => socket.destroy());
    });
    catalog = await startProxy({ service: 'catalog', app: app.address });
    web = await startProxy({
      service: 'web',
      staticConfig: {
        services: { catalog: { endpoints: [{ address: catalog.addresses.inbound }] } },
      },
    });
  });

  afterAll(async () => {
    for (const socket of appSockets) socket.destroy();
    await web.close();
    await catalog.close();
    await app.close();
  });

  it('streams request and response bodies both ways', async () => {
    const [host, port] = web.addresses.outbound.split(':');
    const req = http.request({
      host,
      port: Number(port),
      method: 'POST',
      path: '/echo',
      headers: { host: 'catalog', 'transfer-encoding': 'chunked' },
    });
    // undici sends a streamed request's head with its first body chunk, so start with one.
    req.write('piece-0;');
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    // Each piece must come back before the next is sent: neither side may buffer the body.
    const received: string[] = [];
    for (let i = 0; i < 5; i++) {
      if (i > 0) req.write(`piece-${i};`);
      const [chunk] = (await once(res, 'data')) as [Buffer];
      received.push(chunk.toString());
    }
    req.end();
    await once(res, 'end');
    expect(received).toEqual(['piece-0;', 'piece-1;', 'piece-2;', 'piece-3;', 'piece-4;']);
  });

  it('carries content-length and chunked bodies intact and drops hop-by-hop headers', async () => {
    const body = Buffer.alloc(100_000, 7);
    const sized = await send(web.addresses.outbound, '/sized', {
      method: 'PUT',
      body,
      headers: {
        host: 'catalog',
        'content-length': String(body.length),
        connection: 'keep-alive, x-hop',
        'x-hop': 'drop me',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'x-end-to-end': 'keep me',
        'x-trellis-src': 'forged',
      },
    });
    expect(sized.text).toBe('PUT /sized 100000');
    expect(lastHeaders['x-end-to-end']).toBe('keep me');
    expect(lastHeaders['x-hop']).toBeUndefined();
    expect(lastHeaders['te']).toBeUndefined();
    expect(lastHeaders['x-trellis-src']).toBe('web');

    const chunked = await send(web.addresses.outbound, '/chunked', {
      method: 'POST',
      body: Readable.from([Buffer.from('abc'), Buffer.from('def')]),
      headers: { host: 'catalog' },
    });
    expect(lastBody.toString()).toBe('abcdef');
    expect(chunked.text).toBe('part one, part two');
    expect(chunked.headers['x-kept']).toBe('yes');
    expect(chunked.headers['x-private']).toBeUndefined();
  });

  it('accepts absolute-form requests as sent by an HTTP_PROXY client', async () => {
    const reply = await send(web.addresses.outbound, 'http://catalog/items?id=3');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('GET /items?id=3 0');
    expect(lastHeaders.host).toBe('catalog');
  });

  it('reuses connections on the client side and towards the app', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const connectionsBefore = app.connections;
    const reused: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      const reply = await send(web.addresses.outbound, `/r/${i}`, {
        headers: { host: 'catalog' },
        agent,
      });
      reused.push(reply.reusedSocket);
    }
    agent.destroy();
    expect(reused.filter(Boolean)).toHaveLength(19);
    // Earlier tests already opened the proxy's pooled connection to the app.
    expect(app.connections - connectionsBefore).toBe(0);
  });

  it('passes an Upgrade handshake and the frames after it through', async () => {
    const [host, port] = web.addresses.outbound.split(':');
    const req = http.request({
      host,
      port: Number(port),
      path: '/socket',
      headers: { host: 'catalog', connection: 'Upgrade', upgrade: 'shout' },
    });
    req.end();
    const [res, socket] = (await once(req, 'upgrade')) as [http.IncomingMessage, Socket];
    expect(res.statusCode).toBe(101);
    socket.write('hello');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    expect(echo.toString()).toBe('HELLO');
    expect(upgradeSource).toBe('web');
    socket.destroy();

    // The handshake counts on both sides as one request answered 101; the frames do not.
    const switched = { status_code: '101', classification: 'success' };
    const outbound = await scrape(web.addresses.admin);
    expect(
      metric(outbound, 'response_total', {
        direction: 'outbound',
        dst_service: 'catalog',
        ...switched,
      }),
    ).toBe(1);
    expect(metric(outbound, 'attempt_total', { direction: 'outbound', ...switched })).toBe(1);
    const inbound = await scrape(catalog.addresses.admin);
    expect(
      metric(inbound, 'response_total', { direction: 'inbound', src_service: 'web', ...switched }),
    ).toBe(1);
    expect(metric(inbound, 'response_latency_seconds_count', { status_code: '101' })).toBe(1);
  });

  it('answers an Upgrade to a destination without endpoints with 503, and counts it', async () => {
    const [host, port] = web.addresses.outbound.split(':');
    const req = http.request({
      host,
      port: Number(port),
      path: '/socket',
      headers: { host: 'nowhere', connection: 'Upgrade', upgrade: 'shout' },
    });
    req.end();
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(res.statusCode).toBe(503);
    expect(res.headers['x-trellis-error']).toBe('no-endpoints');
    const text = await scrape(web.addresses.admin);
    // No config names it: it counts as unknown.
    const labels = { dst_service: 'unknown', status_code: '503', error: 'no-endpoints' };
    expect(metric(text, 'response_total', labels)).toBe(1);
    expect(hasSeries(text, 'attempt_total', { dst_service: 'unknown' })).toBe(false);
  });

  it('streams a large upload with bounded memory', async () => {
    const size = 256 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 1);
    const start = process.memoryUsage().rss;
    let peak = start;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const reply = await send(web.addresses.outbound, '/upload', {
      method: 'POST',
      headers: { host: 'catalog', 'content-length': String(size) },
      body: Readable.from(
        (function* () {
          for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
        })(),
      ),
    });
    clearInterval(sampler);
    expect(reply.text).toBe(`POST /upload ${size}`);
    // Client, both proxies and the app share this process and all of them stream, so growth
    // is garbage awaiting collection, far below the body's size.
    expect(peak - start).toBeLessThan(96 * 1024 * 1024);
  });
});

describe('aborts', () => {
  let app: Upstream;
  let proxy: RunningProxy;
  let pending: http.ServerResponse | undefined;
  let appSawClose: Promise<unknown> = Promise.resolve();

  beforeAll(async () => {
    app = await startUpstream((req, res) => {
      if (req.url === '/hang') {
        pending = res;
        appSawClose = once(res, 'close');
        return;
      }
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(100, 1));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    proxy = await startProxy({
      service: 'web',
      staticConfig: { services: { catalog: { endpoints: [{ address: app.address }] } } },
    });
  });

  afterAll(async () => {
    await proxy.close();
    await app.close();
  });

  it('propagates a client abort to the upstream', async () => {
    const [host, port] = proxy.addresses.outbound.split(':');
    const req = http.request({
      host,
      port: Number(port),
      path: '/hang',
      headers: { host: 'catalog' },
    });
    req.on('error', () => undefined);
    req.end();
    const deadline = Date.now() + 5000;
    while (pending === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(pending).toBeDefined();
    req.destroy();
    await appSawClose;
    expect(pending!.writableFinished).toBe(false);
  });

  it('propagates an upstream abort to the client', async () => {
    const outcome = await send(proxy.addresses.outbound, '/partial', {
      headers: { host: 'catalog' },
    }).then(
      () => 'completed',
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(/aborted|socket hang up|ECONNRESET/);
  });
});

describe('checksums across a hop', () => {
  it('delivers random bytes unchanged', async () => {
    const app = await startUpstream((req, res) => {
      const hash = createHash('sha256');
      req.on('data', (chunk: Buffer) => hash.update(chunk));
      req.on('end', () => res.end(hash.digest('hex')));
    });
    const proxy = await startProxy({
      service: 'web',
      staticConfig: { services: { sink: { endpoints: [{ address: app.address }] } } },
    });
    const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    const reply = await send(proxy.addresses.outbound, '/', {
      method: 'POST',
      body,
      headers: { host: 'sink' },
    });
    expect(reply.text).toBe(createHash('sha256').update(body).digest('hex'));
    await proxy.close();
    await app.close();
  });

  it('delivers small binary responses, sent with their head, byte for byte', async () => {
    const every = Buffer.from(Array.from({ length: 512 }, (_, i) => 255 - (i % 256)));
    const app = await startUpstream((req, res) => {
      if (req.url === '/chunked')
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(every);
    });
    const proxy = await startProxy({
      service: 'web',
      staticConfig: { services: { bytes: { endpoints: [{ address: app.address }] } } },
    });
    for (const path of ['/sized', '/chunked']) {
      const reply = await send(proxy.addresses.outbound, path, { headers: { host: 'bytes' } });
      expect(reply.body.equals(every)).toBe(true);
    }
    await proxy.close();
    await app.close();
  });
});
