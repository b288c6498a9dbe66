import type http from 'node:http';
import type { Socket } from 'node:net';
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

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * What a client that means harm can send a proxy: requests the next hop would read otherwise
 * than the proxy (smuggling), headers that try to unseat the proxy's own, and connections that
 * send their head a byte at a time. Through a real mesh hop: client → web's outbound proxy →
 * catalog's inbound proxy → catalog's app, which records what arrives.
 */
describe('a hostile client', () => {
  let app: Upstream;
  let catalog: RunningProxy;
  let web: RunningProxy;
  const seen: Seen[] = [];

  beforeAll(async () => {
    app = await startUpstream((req, res) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.end(`${req.method} ${req.url}`);
      });
    });
    catalog = await startProxy({ service: 'catalog', app: app.address, headersTimeoutMs: 300 });
    web = await startProxy({
      service: 'web',
      staticConfig: {
        services: { catalog: { endpoints: [{ address: catalog.addresses.inbound }] } },
      },
      headersTimeoutMs: 300,
    });
  });

  afterAll(async () => {
    await web.close();
    await catalog.close();
    await app.close();
  });

  const sides = (): [string, string][] => [
    ['outbound', web.addresses.outbound],
    ['inbound', catalog.addresses.inbound],
  ];

  it.each([
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: catalog\r\nHost: evil\r\n\r\n'],
    ['two equal Host headers', 'GET / HTTP/1.1\r\nHost: catalog\r\nhost: catalog\r\n\r\n'],
    ['an https:// target', 'GET https://catalog/ HTTP/1.1\r\nHost: catalog\r\n\r\n'],
    ['an ftp:// target', 'GET ftp://catalog/file HTTP/1.1\r\nHost: catalog\r\n\r\n'],
    ['a target without a scheme or path', 'GET catalog/items HTTP/1.1\r\nHost: catalog\r\n\r\n'],
    [
      'Transfer-Encoding after a tab with Content-Length',
      'POST / HTTP/1.1\r\nHost: catalog\r\nContent-Length: 4\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'a second Transfer-Encoding ending in identity',
      'POST / HTTP/1.1\r\nHost: catalog\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n',
    ],
    [
      'a folded Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: catalog\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'a signed Content-Length',
      'POST / HTTP/1.1\r\nHost: catalog\r\nContent-Length: +4\r\n\r\nGET /',
    ],
    ['a NUL in a header value', 'GET / HTTP/1.1\r\nHost: catalog\r\nX-A: a\0b\r\n\r\n'],
  ])('answers 400 to %s on either side and forwards nothing', async (_what, request) => {
    for (const [side, address] of sides()) {
      const before = seen.length;
      const response = await exchange(address, request);
      expect(`${side} ${statusOf(response)}`).toBe(`${side} 400`);
      expect(response).toContain('connection: close');
      expect(seen.length).toBe(before);
    }
  });

  it('keeps Host when Connection names it', async () => {
    for (const [side, address] of sides()) {
      const response = await exchange(
        address,
        'GET /named-host HTTP/1.1\r\nHost: catalog\r\nConnection: host, close\r\n\r\n',
      );
      expect(`${side} ${statusOf(response)}`).toBe(`${side} 200`);
      expect(seen.at(-1)!.headers.host).toBe('catalog');
    }
  });

  it("keeps the proxy's x-trellis-src when Connection names it, and drops what else it names", async () => {
    const reply = await send(web.addresses.outbound, '/named-source', {
      headers: {
        host: 'catalog',
        connection: 'x-trellis-src, x-private',
        'x-trellis-src': 'forged',
        'x-private': 'hop only',
      },
    });
    expect(reply.status).toBe(200);
    const headers = seen.at(-1)!.headers;
    expect(headers['x-trellis-src']).toBe('web');
    expect(headers['x-private']).toBeUndefined();
  });

  it('cannot smuggle a request in a body by naming Content-Length in Connection', async () => {
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: catalog\r\n\r\n';
    for (const [side, address] of sides()) {
      const before = seen.length;
      const response = await exchange(
        address,
        `POST /upload HTTP/1.1\r\nHost: catalog\r\nConnection: content-length, close\r\n` +
          `Content-Length: ${smuggled.length}\r\n\r\n${smuggled}`,
      );
      expect(`${side} ${statusOf(response)}`).toBe(`${side} 200`);
      expect(seen.slice(before).map(({ method, url, body }) => [method, url, body])).toEqual([
        ['POST', '/upload', smuggled],
      ]);
    }
  });

  it('cuts 100 slowloris connections with 408 while serving everyone else', async () => {
    const slow: Socket[] = [];
    for (let i = 0; i < 100; i++) {
      const socket = await open(i % 2 === 0 ? web.addresses.outbound : catalog.addresses.inbound);
      socket.write('GET / HTTP/1.1\r\nHost: catalog\r\n');
      slow.push(socket);
    }
    const answers = slow.map((socket) => readUntil(socket, (text) => text.includes('\r\n\r\n')));
    const trickle = setInterval(() => {
      for (const socket of slow) if (!socket.destroyed) socket.write('X-Slow: 1\r\n');
    }, 50);
    try {
      const meanwhile = await send(web.addresses.outbound, '/meanwhile', {
        headers: { host: 'catalog' },
      });
      expect(meanwhile.text).toBe('GET /meanwhile');
      const statuses = (await Promise.all(answers)).map(statusOf);
      expect(statuses).toEqual(Array(100).fill(408));
    } finally {
      clearInterval(trickle);
      for (const socket of slow) socket.destroy();
    }
  });
});
