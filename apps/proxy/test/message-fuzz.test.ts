import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../src/http1/malformed-message.js';
import { parseRequestHead } from '../src/http1/request-parser.js';
import { ResponseParser } from '../src/http1/response-parser.js';
import { send, startProxy, startUpstream } from './helpers.js';
import { connect } from 'node:net';
import { once } from 'node:events';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIAL = ['\r', '\n', '\r\n', ':', ' ', '\t', '\0', ',', '0', 'f', ';', '\x7f', '\xff'];

/** `text` with 1–4 random edits: a byte replaced, inserted or deleted, or a run duplicated. */
function mutate(text: string, next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1));
    const piece =
      next() < 0.5
        ? SPECIAL[Math.floor(next() * SPECIAL.length)]!
        : String.fromCharCode(Math.floor(next() * 256));
    const kind = Math.floor(next() * 4);
    if (kind === 0) out = out.slice(0, at) + piece + out.slice(at + 1);
    else if (kind === 1) out = out.slice(0, at) + piece + out.slice(at);
    else if (kind === 2) out = out.slice(0, at) + out.slice(at + 1);
    else out = out.slice(0, at) + out.slice(at, at + 8) + out.slice(at);
  }
  return out;
}

const REQUESTS = [
  'GET /items/1?x=2 HTTP/1.1\r\nHost: catalog\r\nAccept: */*\r\nConnection: keep-alive',
  'POST http://catalog/orders HTTP/1.1\r\nHost: catalog\r\nContent-Length: 12\r\nExpect: 100-continue',
  'PUT /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: Upgrade, keep-alive\r\nUpgrade: ws',
];
const RESPONSES = [
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nKeep-Alive: timeout=5\r\n\r\nhello',
  'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n',
  'HTTP/1.0 500 Internal Server Error\r\nConnection: close\r\n\r\nbody until close',
];

describe('malformed messages never escape as anything but MalformedMessageError', () => {
  it('holds for 20,000 mutated request heads', () => {
    const next = random(1);
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = mutate(REQUESTS[i % REQUESTS.length]!, next);
      try {
        parseRequestHead(text);
      } catch (error) {
        expect(error, JSON.stringify(text)).toBeInstanceOf(MalformedMessageError);
        refused++;
      }
    }
    // The mutations must actually reach the checks.
    expect(refused).toBeGreaterThan(5_000);
  });

  it('holds for 20,000 mutated responses, fed in random pieces', () => {
    const next = random(2);
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = Buffer.from(mutate(RESPONSES[i % RESPONSES.length]!, next), 'latin1');
      const parser = new ResponseParser();
      parser.expect({ onHead: () => {}, onBody: () => {}, onEnd: () => {} }, true);
      try {
        let at = 0;
        while (at < bytes.length && !parser.done) {
          const size = 1 + Math.floor(next() * 16);
          parser.execute(bytes.subarray(at, at + size));
          at += size;
        }
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedMessageError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(5_000);
  });

  it('leaves a listener serving after 300 mutated requests on their own connections', async () => {
    const app = await startUpstream((_req, res) => res.end('ok'));
    const proxy = await startProxy({ service: 'catalog', app: app.address });
    try {
      const next = random(3);
      const [host, port] = proxy.addresses.inbound.split(':') as [string, string];
      for (let i = 0; i < 300; i++) {
        const socket = connect({ host, port: Number(port) });
        socket.on('error', () => undefined);
        socket.resume();
        socket.end(`${mutate(REQUESTS[i % REQUESTS.length]!, next)}\r\n\r\n`, 'latin1');
        await once(socket, 'close');
      }
      expect((await send(proxy.addresses.inbound, '/')).text).toBe('ok');
      expect(proxy.logs.filter((line) => line.includes('inside the proxy'))).toEqual([]);
    } finally {
      await proxy.close();
      await app.close();
    }
  });
});
