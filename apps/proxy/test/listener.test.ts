import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exchange,
  open,
  readUntil,
  send,
  startProxy,
  startUpstream,
  statusOf,
  type RunningProxy,
  type Upstream,
} from './helpers.js';

/** The listener side of the proxy: what any HTTP/1.1 client may send it. */
describe('listener', () => {
  let app: Upstream;
  let proxy: RunningProxy;
  const seen: string[] = [];

  beforeAll(async () => {
    app = await startUpstream((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (req.url === '/stream') {
          // No length: the proxy must frame it for the client.
          res.write('one,');
          res.end('two');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 + body.length });
        res.end(`ok${body}`);
      });
    });
    proxy = await startProxy({ service: 'catalog', app: app.address, headersTimeoutMs: 300 });
  });

  afterAll(async () => {
    await proxy.close();
    await app.close();
  });

  it.each([
    ['a malformed request line', 'GET /a HTTP/1.1 extra\r\nHost: x\r\n\r\n'],
    ['whitespace before a colon', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 3\r\n\r\nabc'],
    [
      'Content-Length with Transfer-Encoding (smuggling)',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'a coding other than chunked last',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
    ],
    [
      'conflicting lengths',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    ],
    ['an HTTP/1.1 request without Host', 'GET / HTTP/1.1\r\n\r\n'],
    ['a bad chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n'],
  ])('answers 400 and closes for %s', async (_what, request) => {
    const before = seen.length;
    const response = await exchange(proxy.addresses.inbound, request);
    expect(statusOf(response)).toBe(400);
    expect(response).toContain('connection: close');
    // A bad chunk is found only after the head reached the app; nothing else may.
    if (!request.includes('xyz')) expect(seen.length).toBe(before);
  });

  it('answers 431 to a head over 16 KiB, even one that never ends', async () => {
    const response = await exchange(
      proxy.addresses.inbound,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}`,
    );
    expect(statusOf(response)).toBe(431);
  });

  it('cuts a slow head with 408 after the headers timeout', async () => {
    const started = Date.now();
    const socket = await open(proxy.addresses.inbound);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 50);
    const response = await readUntil(socket, (text) => text.includes('\r\n\r\n'));
    clearInterval(trickle);
    expect(statusOf(response)).toBe(408);
    // The timeout is 300 ms, checked once a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(2500);
    socket.destroy();
  });

  it('answers pipelined requests in order on one connection', async () => {
    const socket = await open(proxy.addresses.inbound);
    // The CRLF after the body is one some clients send; it is not a request.
    socket.write(
      'GET /first HTTP/1.1\r\nHost: x\r\n\r\n' +
        'POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\r\n' +
        'GET /third HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const text = await readUntil(socket, (t) => t.split('HTTP/1.1 200').length === 4);
    const bodies = text
      .split('HTTP/1.1 200')
      .slice(1)
      .map((part) => part.split('\r\n\r\n')[1]);
    expect(bodies).toEqual(['ok', 'okabc', 'ok']);
    expect(text).toContain('keep-alive: timeout=5');
    socket.destroy();
  });

  it('frames a body of unknown length: chunked for HTTP/1.1, until close for HTTP/1.0', async () => {
    const socket = await open(proxy.addresses.inbound);
    socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    const chunked = await readUntil(socket, (t) => t.endsWith('\r\n0\r\n\r\n'));
    expect(chunked).toContain('transfer-encoding: chunked');
    const framed = chunked.slice(chunked.indexOf('\r\n\r\n') + 4);
    expect(framed.replace(/(?:^|\r\n)[0-9a-f]+\r\n/g, '')).toBe('one,two\r\n');
    socket.destroy();

    const old = await exchange(proxy.addresses.inbound, 'GET /stream HTTP/1.0\r\n\r\n');
    expect(old).toContain('connection: close');
    expect(old.split('\r\n\r\n')[1]).toBe('one,two');
  });

  it('sends no body to HEAD and answers Expect: 100-continue', async () => {
    const head = await send(proxy.addresses.inbound, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('2');
    expect(head.body.length).toBe(0);

    const socket = await open(proxy.addresses.inbound);
    socket.write(
      'POST /expect HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n',
    );
    const interim = await readUntil(socket, (t) => t.includes('\r\n\r\n'));
    expect(interim).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('body');
    const final = await readUntil(socket, (t) => t.endsWith('okbody'));
    expect(statusOf(final)).toBe(200);
    socket.destroy();
  });

  it('refuses CONNECT and survives garbage', async () => {
    const refused = await exchange(
      proxy.addresses.inbound,
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    );
    expect(statusOf(refused)).toBe(405);
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
    expect(statusOf(await exchange(proxy.addresses.inbound, garbage.toString('latin1')))).toBe(400);
    const after = await send(proxy.addresses.inbound, '/');
    expect(after.text).toBe('ok');
  });
});
