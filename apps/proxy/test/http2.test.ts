import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientProtocol, detectProtocol } from '../src/downstream/first-bytes.js';
import { eventually, metric, scrape, startProxy, type RunningProxy } from './helpers.js';

const run = promisify(execFile);

interface DualApp {
  address: string;
  /** Requests seen, by protocol version ("1.1" or "2.0"). */
  seen: string[];
  /** Bytes of /flood written so far. */
  flooded: number;
  close(): Promise<void>;
}

const FLOOD_BYTES = 32 * 1024 * 1024;

/** An app that speaks HTTP/1.1 and h2c on one port, as the proxy's own listeners do. */
async function startDualApp(name: string): Promise<DualApp> {
  const app: DualApp = { address: '', seen: [], flooded: 0, close: async () => {} };
  const handler = (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ): void => {
    app.seen.push(req.httpVersion);
    if (req.url === '/flood') {
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = (): void => {
        while (app.flooded < FLOOD_BYTES) {
          app.flooded += chunk.length;
          if (!(res as http.ServerResponse).write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.setHeader('content-type', 'text/plain');
      if (req.httpVersion === '2.0') res.addTrailers({ 'x-checksum': String(body.length) });
      res.end(`${name} ${req.method} ${req.url} ${req.httpVersion} ${body.length}`);
    });
  };
  const h1 = http.createServer(handler);
  const h2 = http2.createServer(handler);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (data) => {
      socket.pause();
      socket.unshift(data);
      if (detectProtocol(data) === ClientProtocol.Http2) {
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  app.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return app;
}

async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', ...args]);
  return stdout;
}

/** client → web's outbound proxy → catalog's inbound proxy → catalog app, over HTTP/2. */
describe('HTTP/2 through two proxies', () => {
  let apps: DualApp[];
  let catalogs: RunningProxy[];
  let web: RunningProxy;

  beforeAll(async () => {
    apps = [await startDualApp('one'), await startDualApp('two')];
    catalogs = [];
    for (const app of apps)
      catalogs.push(await startProxy({ service: 'catalog', app: app.address }));
    web = await startProxy({
      service: 'web',
      staticConfig: {
        services: {
          catalog: { endpoints: catalogs.map((proxy) => ({ address: proxy.addresses.inbound })) },
        },
      },
    });
  });

  afterAll(async () => {
    await web.close();
    for (const proxy of catalogs) await proxy.close();
    for (const app of apps) await app.close();
  });

  it('serves curl over h2c with prior knowledge and over HTTP/1.1 on the same port', async () => {
    const url = `http://${web.addresses.outbound}/hello`;
    const h2 = await curl('--http2-prior-knowledge', '-H', 'host: catalog', '-D', '-', url);
    expect(h2).toMatch(/^HTTP\/2 200 ?\r\n/);
    // curl prints the trailers after the body.
    expect(h2).toMatch(/ GET \/hello 2\.0 0x-checksum: 0\r\n$/);
    const h1 = await curl('--http1.1', '-H', 'host: catalog', '-D', '-', url);
    expect(h1).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(h1).toMatch(/ GET \/hello 1\.1 0$/);
    const text = await scrape(web.addresses.admin);
    expect(
      metric(text, 'response_total', { direction: 'outbound', dst_service: 'catalog' }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('keeps trailers and a request body end to end', async () => {
    const session = http2.connect(`http://${web.addresses.outbound}`);
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/upload',
        ':authority': 'catalog',
      });
      stream.end(Buffer.alloc(100_000, 1));
      let head: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      let body = '';
      stream.on('response', (fields: http2.IncomingHttpHeaders) => (head = fields));
      stream.on('trailers', (fields: http2.IncomingHttpHeaders) => (trailers = fields));
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      await once(stream, 'end');
      expect(head[':status']).toBe(200);
      expect(body).toMatch(/ POST \/upload 2\.0 100000$/);
      expect(trailers['x-checksum']).toBe('100000');
    } finally {
      session.close();
    }
  });

  it('balances each stream of one client connection on its own', async () => {
    for (const app of apps) app.seen.length = 0;
    const session = http2.connect(`http://${web.addresses.outbound}`);
    try {
      await Promise.all(
        Array.from({ length: 40 }, async () => {
          const stream = session.request({ ':path': '/spread', ':authority': 'catalog' });
          stream.resume();
          await once(stream, 'end');
        }),
      );
    } finally {
      session.close();
    }
    expect(apps[0]!.seen.length + apps[1]!.seen.length).toBe(40);
    expect(apps[0]!.seen.length).toBeGreaterThan(0);
    expect(apps[1]!.seen.length).toBeGreaterThan(0);
    expect(new Set([...apps[0]!.seen, ...apps[1]!.seen])).toEqual(new Set(['2.0']));
  });

  it('lets a slow reader hold the app back instead of buffering in the proxies', async () => {
    for (const app of apps) app.flooded = 0;
    const session = http2.connect(`http://${web.addresses.outbound}`);
    try {
      const stream = session.request({ ':path': '/flood', ':authority': 'catalog' });
      await once(stream, 'response');
      stream.pause();
      const flooded = (): number => apps[0]!.flooded + apps[1]!.flooded;
      await eventually(() => flooded() > 0);
      // Long enough for a proxy that ignored flow control to take in the whole 32 MiB.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(flooded()).toBeLessThan(8 * 1024 * 1024);
      let received = 0;
      stream.on('data', (chunk: Buffer) => (received += chunk.length));
      stream.resume();
      await once(stream, 'end');
      expect(received).toBe(FLOOD_BYTES);
    } finally {
      session.close();
    }
  });
});

describe('HTTP/2 upstream sessions', () => {
  it('sends a stream the upstream refused unprocessed once more, on a new session', async () => {
    let streams = 0;
    const sessions = new Set<http2.ServerHttp2Session>();
    const app = http2.createServer();
    app.on('session', (session: http2.ServerHttp2Session) => sessions.add(session));
    app.on('stream', (stream: http2.ServerHttp2Stream) => {
      if (++streams === 1) {
        stream.on('error', () => {});
        stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      stream.respond({ ':status': 200 });
      stream.end('second try');
    });
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    const proxy = await startProxy({
      service: 'catalog',
      app: `127.0.0.1:${(app.address() as AddressInfo).port}`,
    });
    try {
      const reply = await curl('--http2-prior-knowledge', `http://${proxy.addresses.inbound}/`);
      expect(reply).toBe('second try');
      expect(streams).toBe(2);
      expect(sessions.size).toBe(2);
    } finally {
      await proxy.close();
      for (const session of sessions) session.destroy();
      app.close();
    }
  });
});
