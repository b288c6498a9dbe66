import { describe, expect, it } from 'vitest';
import { ResponseParser, type ResponseHead } from '../src/http1/response-parser.js';
import { MalformedMessageError } from '../src/http1/malformed-message.js';

interface Parsed {
  heads: ResponseHead[];
  body: string;
  ended: boolean;
  leftover: number;
}

/** Feeds `pieces` to a fresh parser in order, as separate socket reads. */
function parse(pieces: readonly (string | Buffer)[], bodyExpected = true): Parsed {
  const parsed: Parsed = { heads: [], body: '', ended: false, leftover: 0 };
  const parser = new ResponseParser();
  parser.expect(
    {
      onHead: (head) => parsed.heads.push(head),
      onBody: (chunk) => (parsed.body += chunk.toString('latin1')),
      onEnd: () => (parsed.ended = true),
    },
    bodyExpected,
  );
  for (const piece of pieces) {
    parsed.leftover += parser.execute(
      Buffer.isBuffer(piece) ? piece : Buffer.from(piece, 'latin1'),
    );
  }
  return parsed;
}

/** Every way of cutting `text` in two. */
function splits(text: string): string[][] {
  const cuts: string[][] = [];
  for (let i = 1; i < text.length; i++) cuts.push([text.slice(0, i), text.slice(i)]);
  return cuts;
}

const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n' +
  '5;ext=1\r\nhello\r\n19\r\n, chunked world, in parts\r\n0\r\nX-Checksum: 42\r\n\r\n';

describe('response parser', () => {
  it('reads a content-length response and its headers as sent', () => {
    const parsed = parse(['HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Id:  7 \r\n\r\nhello']);
    expect(parsed.heads).toEqual([
      {
        status: 201,
        headers: ['Content-Length', '5', 'X-Id', '7'],
        keepAlive: true,
        keepAliveTimeoutMs: undefined,
      },
    ]);
    expect(parsed.body).toBe('hello');
    expect(parsed.ended).toBe(true);
  });

  it('decodes a chunked body with extensions and trailers, however the reads are cut', () => {
    const expected = 'hello, chunked world, in parts';
    expect(parse([CHUNKED]).body).toBe(expected);
    for (const pieces of splits(CHUNKED)) {
      const parsed = parse(pieces);
      expect(parsed.body, `cut at ${pieces[0]!.length}`).toBe(expected);
      expect(parsed.ended).toBe(true);
    }
    const byteByByte = parse([...CHUNKED]);
    expect(byteByByte.body).toBe(expected);
    expect(byteByByte.ended).toBe(true);
  });

  it('skips interim responses and reports the final one', () => {
    const parsed = parse([
      'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    ]);
    expect(parsed.heads.map((head) => head.status)).toEqual([200]);
    expect(parsed.body).toBe('ok');
  });

  it('expects no body after HEAD, 204 and 304 whatever the length says', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'], false).ended).toBe(true);
    expect(parse(['HTTP/1.1 204 No Content\r\n\r\n']).ended).toBe(true);
    expect(parse(['HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n']).ended).toBe(true);
  });

  it('reports bytes after the response as left over', () => {
    const parsed = parse(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA']);
    expect(parsed.body).toBe('ok');
    expect(parsed.leftover).toBe(5);
  });

  it('knows when the connection cannot be reused and how long it may idle', () => {
    const keepAlive = (head: string): [boolean, number | undefined] => {
      const parsed = parse([`${head}\r\nContent-Length: 0\r\n\r\n`]);
      return [parsed.heads[0]!.keepAlive, parsed.heads[0]!.keepAliveTimeoutMs];
    };
    expect(keepAlive('HTTP/1.1 200 OK')).toEqual([true, undefined]);
    expect(keepAlive('HTTP/1.1 200 OK\r\nConnection: close')).toEqual([false, undefined]);
    expect(keepAlive('HTTP/1.1 200 OK\r\nConnection: Upgrade, Close')).toEqual([false, undefined]);
    expect(keepAlive('HTTP/1.0 200 OK')).toEqual([false, undefined]);
    expect(keepAlive('HTTP/1.0 200 OK\r\nConnection: keep-alive')).toEqual([true, undefined]);
    expect(keepAlive('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100')).toEqual([true, 5000]);
    // A body that runs to the close, and a message with both framings, end the connection.
    expect(parse(['HTTP/1.1 200 OK\r\n\r\nab']).heads[0]!.keepAlive).toBe(false);
    const both = parse([
      'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    ]);
    expect(both.body).toBe('ok');
    expect(both.heads[0]!.keepAlive).toBe(false);
    expect(both.heads[0]!.headers).toEqual(['Transfer-Encoding', 'chunked']);
  });

  it('ends a close-delimited body only when the upstream closes', () => {
    const parser = new ResponseParser();
    const body: string[] = [];
    let ended = false;
    parser.expect(
      {
        onHead: () => {},
        onBody: (chunk) => body.push(chunk.toString()),
        onEnd: () => (ended = true),
      },
      true,
    );
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\n\r\nfirst '));
    parser.execute(Buffer.from('second'));
    expect(ended).toBe(false);
    expect(parser.finishOnClose()).toBe(true);
    expect(ended).toBe(true);
    expect(body.join('')).toBe('first second');
  });

  it.each([
    ['a bad status line', 'HTTP/2 200 OK\r\n\r\n'],
    ['a status of two digits', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['whitespace before a colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok'],
    ['a bare LF', 'HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n'],
    ['a control character in a value', 'HTTP/1.1 200 OK\r\nX-A: a\x01b\r\n\r\n'],
    ['obsolete line folding', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n'],
    ['a line without a colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n'],
    ['a non-numeric length', 'HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n'],
    ['conflicting lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    [
      'a chunk longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n',
    ],
    ['a 101 to a plain request', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parse([text])).toThrow(MalformedMessageError);
  });

  it('refuses a head larger than 64 KiB, even before its end arrives', () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(65 * 1024)}`;
    expect(() => parse([big.slice(0, 40_000), big.slice(40_000)])).toThrow(/larger than 65536/);
  });
});
