import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventually,
  open,
  rawUpstream,
  readUntil,
  send,
  startProxy,
  type Answer,
  type RawUpstream,
  type RunningProxy,
} from './helpers.js';

const MiB = 1024 * 1024;

/**
 * What an upstream that means harm can answer: floods, heads the proxy must not believe,
 * bodies that stall or lie about their length. Every case ends in an answer the client can
 * act on (502, 504, or a cut connection) and a proxy that goes on serving.
 */
describe('a hostile upstream', () => {
  let upstream: RawUpstream;
  let proxy: RunningProxy;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await proxy.close();
    await upstream.close();
  });

  async function proxyTo(answer: Answer, timeoutMs = 10_000): Promise<void> {
    upstream = await rawUpstream(answer);
    proxy = await startProxy({
      service: 'web',
      staticConfig: {
        services: {
          app: {
            endpoints: [{ address: upstream.address }],
            policy: { defaultTimeoutMs: timeoutMs },
          },
        },
      },
    });
  }

  const get = (path = '/') => send(proxy.addresses.outbound, path, { headers: { host: 'app' } });

  /** The next request must get its own answer from a healthy upstream connection. */
  async function stillServing(): Promise<void> {
    const after = await get('/after');
    expect(after.status).toBe(200);
    expect(after.text).toBe('fine');
  }

  const fine = (socket: Socket, head: string): boolean => {
    if (!head.startsWith('GET /after')) return false;
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfine');
    return true;
  };

  it('answers 502 to a head that never ends, after at most 64 KiB of it', async () => {
    let written = 0;
    await proxyTo((socket, head) => {
      if (fine(socket, head)) return;
      socket.write('HTTP/1.1 200 OK\r\n');
      const flood = (): void => {
        while (!socket.destroyed && written < 64 * MiB) {
          written += 1024;
          if (!socket.write(`X-Flood: ${'a'.repeat(1012)}\r\n`)) {
            socket.once('drain', flood);
            return;
          }
        }
      };
      flood();
    });
    const reply = await get();
    expect(reply.status).toBe(502);
    expect(reply.text).toContain('response head larger than 65536 bytes');
    await stillServing();
  });

  it.each([
    ['a status of four digits', 'HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/2 in a status line', 'HTTP/2 200\r\nContent-Length: 0\r\n\r\n'],
    ['a negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['conflicting lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok'],
    ['a bare LF', 'HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nok'],
    ['a folded header', 'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok'],
    ['a NUL in a header', 'HTTP/1.1 200 OK\r\nX-A: a\0\r\nContent-Length: 2\r\n\r\nok'],
    ['a 101 to a plain request', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n'],
    [
      '17 interim responses',
      `${'HTTP/1.1 100 Continue\r\n\r\n'.repeat(17)}HTTP/1.1 200 OK\r\n\r\n`,
    ],
  ])('answers 502 connect-failed to %s and keeps serving', async (_what, response) => {
    await proxyTo((socket, head) => {
      if (!fine(socket, head)) socket.write(response);
    });
    const reply = await get();
    expect(reply.status).toBe(502);
    expect(reply.headers['x-trellis-error']).toBe('connect-failed');
    expect(reply.text).toContain('invalid response from upstream');
    await stillServing();
  });

  it('answers 504 to an upstream that never answers, and closes its connection', async () => {
    await proxyTo((socket, head) => void fine(socket, head), 300);
    const reply = await get();
    expect(reply.status).toBe(504);
    expect(reply.headers['x-trellis-error']).toBe('request-timeout');
    await eventually(() => upstream.closedByClient === 1);
    await stillServing();
  });

  it('does not take bytes after a response that is shorter than they are for the next answer', async () => {
    await proxyTo((socket, head) => {
      if (fine(socket, head)) return;
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' +
          'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil',
      );
    });
    const first = await get();
    expect(first.text).toBe('ok');
    await stillServing();
    expect(upstream.connections).toBe(2);
  });

  it.each([
    ['a length longer than the body', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort'],
    [
      'a chunk longer than sent',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\nshort',
    ],
  ])('cuts the client off when the upstream closes on %s', async (_what, response) => {
    await proxyTo((socket, head) => {
      if (!fine(socket, head)) socket.end(response);
    });
    const outcome = await get().then(
      (reply) => `completed ${reply.status}`,
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(/aborted|socket hang up|ECONNRESET/);
    await stillServing();
  });

  it('answers 502 to a bad chunk size after the head by cutting the connection', async () => {
    await proxyTo((socket, head) => {
      if (!fine(socket, head)) {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\n');
      }
    });
    const outcome = await get().then(
      (reply) => `completed ${reply.status}`,
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(/aborted|socket hang up|ECONNRESET/);
    await stillServing();
  });

  it('reads a body flood only as fast as a client that stopped reading takes it', async () => {
    const FLOOD = 512 * MiB;
    let stalled = false;
    let upstreamSocket: Socket | undefined;
    await proxyTo((socket, head) => {
      if (fine(socket, head)) return;
      upstreamSocket = socket;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${FLOOD}\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const flood = (): void => {
        while (!socket.destroyed && sent < FLOOD) {
          sent += chunk.length;
          if (!socket.write(chunk)) {
            stalled = true;
            socket.once('drain', () => {
              stalled = false;
              flood();
            });
            return;
          }
        }
      };
      flood();
    });
    const client = await open(proxy.addresses.outbound);
    sockets.push(client);
    client.write('GET /flood HTTP/1.1\r\nHost: app\r\n\r\n');
    await readUntil(client, (text) => text.includes('\r\n\r\n'));
    client.pause();
    // Once the upstream can no longer write, what it handed to the kernel is all the proxy and
    // the socket buffers between them hold.
    let flushed = -1;
    await eventually(async () => {
      const before = flushed;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const socket = upstreamSocket!;
      flushed = socket.bytesWritten - socket.writableLength;
      return stalled && flushed === before;
    }, 20_000);
    expect(flushed).toBeLessThan(64 * MiB);
    client.destroy();
    await stillServing();
  });
});
