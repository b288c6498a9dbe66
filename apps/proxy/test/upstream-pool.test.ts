import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exchange, UpstreamRequest } from '../src/upstream/exchange.js';
import { UpstreamClosedError, UpstreamConnectError } from '../src/upstream/upstream-errors.js';
import { UpstreamPool } from '../src/upstream/upstream-pool.js';
import {
  deadAddress,
  eventually,
  rawUpstream,
  send,
  startProxy,
  type Answer,
  type RawUpstream,
  type RunningProxy,
} from './helpers.js';

interface Result {
  status: number;
  headers: string[];
  body: string;
  error: Error | undefined;
}

function call(pool: UpstreamPool, request: Partial<UpstreamRequest> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const result: Result = { status: 0, headers: [], body: '', error: undefined };
    pool.dispatch(
      {
        method: 'GET',
        path: '/',
        headers: ['host', 'app'],
        body: null,
        contentLength: 0,
        ...request,
      },
      {
        onStart: (_exchange: Exchange) => {},
        onHeaders: (status, headers) => {
          result.status = status;
          result.headers = headers;
        },
        onData: (chunk) => {
          result.body += chunk.toString();
          return true;
        },
        onTrailers: () => {},
        onComplete: () => resolve(result),
        onError: (error) => {
          result.error = error;
          resolve(result);
        },
      },
    );
  });
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

describe('upstream pool', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(answer: Answer): Promise<{ upstream: RawUpstream; pool: UpstreamPool }> {
    const upstream = await rawUpstream(answer);
    const pool = new UpstreamPool(upstream.address, 60_000);
    cleanups.push(
      () => upstream.close(),
      () => pool.destroy(),
    );
    return { upstream, pool };
  }

  it('carries sequential requests on one keep-alive connection until one says close', async () => {
    const { upstream, pool } = await setUp((socket, _head, index) =>
      socket.write(
        index === 2 ? 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok' : OK,
      ),
    );
    for (let i = 0; i < 5; i++) expect((await call(pool)).body).toBe('ok');
    expect(upstream.connections).toBe(2);
    expect(upstream.heads[0]).toBe('GET / HTTP/1.1\r\nhost: app');
  });

  it('sends a request again on a new connection when a reused one dies unanswered', async () => {
    const { upstream, pool } = await setUp((socket, _head, index) => {
      // The second request meets a connection the upstream is just closing.
      if (index === 1) socket.destroy();
      else socket.write(OK);
    });
    expect((await call(pool)).body).toBe('ok');
    const again = await call(pool, { method: 'PUT', body: Buffer.from('x'), contentLength: 1 });
    expect(again.error).toBeUndefined();
    expect(again.body).toBe('ok');
    expect(upstream.connections).toBe(2);
    expect(upstream.heads).toHaveLength(3);
  });

  it('does not send a POST twice, nor a request on a connection that was never used', async () => {
    const { upstream, pool } = await setUp((socket, _head, index) => {
      if (index >= 1) socket.destroy();
      else socket.write(OK);
    });
    await call(pool);
    const post = await call(pool, { method: 'POST', body: Buffer.from('x'), contentLength: 1 });
    expect(post.error).toBeInstanceOf(UpstreamClosedError);
    const fresh = await call(pool);
    expect(fresh.error).toBeInstanceOf(UpstreamClosedError);
    expect(upstream.heads).toHaveLength(3);
  });

  it('closes an idle connection before the upstream would, from its Keep-Alive hint', async () => {
    const { upstream, pool } = await setUp((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok'),
    );
    await call(pool);
    await eventually(() => upstream.closedByClient === 1, 2500);
    expect((await call(pool)).body).toBe('ok');
    expect(upstream.connections).toBe(2);
  });

  it('reports a refused connection as a connect error', async () => {
    const pool = new UpstreamPool(await deadAddress(), 60_000);
    const result = await call(pool);
    expect(result.error).toBeInstanceOf(UpstreamConnectError);
    await pool.destroy();
  });

  it('streams a body of unknown length with the chunked coding', async () => {
    // The raw upstream reads bodies by length only, so this one is read off the wire as is.
    let wire = '';
    const server = createServer((socket) => {
      socket.on('data', (data: Buffer) => {
        wire += data.toString('latin1');
        if (wire.endsWith('0\r\n\r\n')) socket.write(OK);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const pool = new UpstreamPool(`127.0.0.1:${(server.address() as AddressInfo).port}`, 60_000);
    cleanups.push(async () => {
      await pool.destroy();
      server.close();
    });
    const result = await call(pool, {
      method: 'POST',
      body: Readable.from([Buffer.from('abc'), Buffer.alloc(0), Buffer.from('defgh')]),
      contentLength: -1,
    });
    expect(result.body).toBe('ok');
    expect(wire).toBe(
      'POST / HTTP/1.1\r\nhost: app\r\ntransfer-encoding: chunked\r\n\r\n' +
        '3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n',
    );
  });
});

describe('upstream responses through the proxy', () => {
  let upstream: RawUpstream;
  let proxy: RunningProxy;

  afterEach(async () => {
    await proxy.close();
    await upstream.close();
  });

  async function proxyTo(answer: Answer, streamIdleTimeoutMs?: number): Promise<void> {
    upstream = await rawUpstream(answer);
    proxy = await startProxy({
      service: 'web',
      staticConfig: { services: { app: { endpoints: [{ address: upstream.address }] } } },
      streamIdleTimeoutMs,
    });
  }

  it('cuts a response whose body stalls past the stream idle timeout', async () => {
    let upstreamSocket: Socket | undefined;
    await proxyTo((socket) => {
      upstreamSocket = socket;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst ten.');
    }, 300);
    const started = Date.now();
    const outcome = await send(proxy.addresses.outbound, '/', { headers: { host: 'app' } }).then(
      () => 'completed',
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(/aborted|socket hang up|ECONNRESET/);
    // 300 ms of silence, noticed by a sweep that runs every second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(2500);
    await eventually(() => upstreamSocket?.destroyed === true || upstream.closedByClient === 1);
  });

  it('answers 502 connect-failed to a malformed response', async () => {
    await proxyTo((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok'));
    const reply = await send(proxy.addresses.outbound, '/', { headers: { host: 'app' } });
    expect(reply.status).toBe(502);
    expect(reply.headers['x-trellis-error']).toBe('connect-failed');
    expect(reply.text).toContain('invalid response from upstream: malformed header section');
  });

  it('relays a body that ends with the connection, and one sent a byte at a time', async () => {
    await proxyTo((socket, head) => {
      if (head.startsWith('GET /close')) {
        socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
        return;
      }
      const bytes = [
        ...'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nslow\r\n0\r\n\r\n',
      ];
      const timer = setInterval(() => {
        const byte = bytes.shift();
        if (byte === undefined) clearInterval(timer);
        else socket.write(byte);
      }, 1);
    });
    const closing = await send(proxy.addresses.outbound, '/close', { headers: { host: 'app' } });
    expect(closing.status).toBe(200);
    expect(closing.text).toBe('until the end');
    const slow = await send(proxy.addresses.outbound, '/slow', { headers: { host: 'app' } });
    expect(slow.text).toBe('slow');
  });

  it('relays an early answer to an upload and keeps serving', async () => {
    await proxyTo((socket, head) => {
      if (head.startsWith('POST')) {
        socket.end(
          'HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
        );
      } else {
        socket.write(OK);
      }
    });
    const upload = await send(proxy.addresses.outbound, '/upload', {
      method: 'POST',
      headers: { host: 'app', 'content-length': String(4 * 1024 * 1024) },
      body: Buffer.alloc(4 * 1024 * 1024, 1),
    });
    expect(upload.status).toBe(413);
    const after = await send(proxy.addresses.outbound, '/', { headers: { host: 'app' } });
    expect(after.text).toBe('ok');
  });
});
