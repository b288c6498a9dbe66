import { ChunkedDecoder } from './chunked-decoder.js';
import { HeadBuffer } from './head-buffer.js';
import { hasToken, lastToken, parseHeaderFields } from './head-syntax.js';
import { MalformedMessageError } from './malformed-message.js';

/** Largest response head accepted from an upstream (Node's own server limit is 16 KiB). */
export const RESPONSE_HEAD_LIMIT = 64 * 1024;

export interface ResponseHead {
  status: number;
  /** Every header as received, flat `[name, value, …]`. */
  headers: string[];
  /** False when the connection cannot carry another request after this response. */
  keepAlive: boolean;
  /** From `Keep-Alive: timeout=N`, in ms; undefined when absent. */
  keepAliveTimeoutMs: number | undefined;
}

/** Where the parsed response goes; `onBody` chunks are views into the socket's buffers. */
export interface ResponseSink {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
}

const enum Framing {
  /** No body: HEAD, 204, 304. */
  None,
  Length,
  Chunked,
  /** Neither length nor chunked: the body runs until the upstream closes. */
  UntilClose,
}

const enum State {
  Head,
  Body,
  Done,
}

/**
 * Interim responses allowed before the final one. A server sends one or two (100 Continue,
 * 103 Early Hints); an endless stream of them would keep the proxy parsing until the timeout.
 */
const INTERIM_LIMIT = 16;

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [\t\x20-\x7e\x80-\xff]*)?(?:\r\n|$)/;
const KEEP_ALIVE_TIMEOUT = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i;

/**
 * An HTTP/1.1 response parser for one upstream connection (RFC 9112): the head is parsed as
 * one latin1 string once it is complete, the body is framed by Content-Length, chunked coding
 * or connection close, and its bytes are handed on without copying. 1xx interim responses are
 * skipped. Anything malformed throws an MalformedMessageError; the connection is then unusable.
 */
export class ResponseParser {
  private state = State.Done;
  private framing = Framing.None;
  private remaining = 0;
  private readonly head = new HeadBuffer(
    RESPONSE_HEAD_LIMIT,
    () => new MalformedMessageError(`response head larger than ${RESPONSE_HEAD_LIMIT} bytes`),
  );
  private readonly chunked = new ChunkedDecoder();
  private sink: ResponseSink | undefined = undefined;
  private bodyExpected = true;
  private interim = 0;

  /** Prepares for the response to the next request; `head` is false for HEAD requests. */
  expect(sink: ResponseSink, bodyExpected: boolean): void {
    this.sink = sink;
    this.bodyExpected = bodyExpected;
    this.state = State.Head;
    this.interim = 0;
    this.head.reset();
  }

  /** True once any byte of the current response has arrived. */
  get started(): boolean {
    return this.state !== State.Head || this.head.incomplete !== undefined;
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** Whether the end of the stream completes the current response (a close-delimited body). */
  endsOnClose(): boolean {
    return this.state === State.Body && this.framing === Framing.UntilClose;
  }

  /** Parses bytes from the socket. Returns the count of bytes left over after the response. */
  execute(data: Buffer): number {
    let offset = 0;
    while (offset < data.length) {
      if (this.state === State.Head) {
        offset = this.readHead(data, offset);
        if (offset < 0) return 0;
      } else if (this.state === State.Body) {
        offset = this.readBody(data, offset);
      } else {
        return data.length - offset;
      }
    }
    return 0;
  }

  /** The upstream closed its side: ends a close-delimited body, else the response is cut. */
  finishOnClose(): boolean {
    if (!this.endsOnClose()) return false;
    this.complete();
    return true;
  }

  private complete(): void {
    this.state = State.Done;
    const sink = this.sink!;
    this.sink = undefined;
    sink.onEnd();
  }

  /** Returns the offset after the head, or -1 when more bytes are needed. */
  private readHead(data: Buffer, offset: number): number {
    const next = this.head.read(data, offset);
    if (next >= 0) this.parseHead(this.head.text);
    return next;
  }

  private parseHead(text: string): void {
    const match = STATUS_LINE.exec(text);
    if (match === null) throw new MalformedMessageError('malformed status line');
    const fields = parseHeaderFields(text, match[0].length);
    const status = Number(match[2]);
    const headers = fields.raw;
    const contentLength = fields.contentLength;
    const transferEncoding = fields.transferEncoding;
    let keepAlive = match[1] === '1';
    if (fields.connection !== undefined) {
      if (hasToken(fields.connection, 'close')) keepAlive = false;
      else if (hasToken(fields.connection, 'keep-alive')) keepAlive = true;
    }
    let keepAliveTimeoutMs: number | undefined;
    if (fields.keepAlive !== undefined) {
      const timeout = KEEP_ALIVE_TIMEOUT.exec(fields.keepAlive);
      if (timeout !== null) keepAliveTimeoutMs = Number(timeout[1]) * 1000;
    }
    if (status < 200) {
      // An interim response (100 Continue, 103 Early Hints): the final one follows.
      if (status === 101) throw new MalformedMessageError('unexpected 101 to a plain request');
      if (++this.interim > INTERIM_LIMIT) {
        throw new MalformedMessageError(`more than ${INTERIM_LIMIT} interim responses`);
      }
      return;
    }
    if (!this.bodyExpected || status === 204 || status === 304) {
      this.framing = Framing.None;
    } else if (transferEncoding !== undefined) {
      // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3), and a message that had
      // both cannot be trusted to leave the connection in sync.
      if (contentLength !== -1) {
        keepAlive = false;
        // The body's real length is the decoded one: a stale Content-Length must not travel on.
        for (let i = headers.length - 2; i >= 0; i -= 2) {
          if (headers[i]!.length === 14 && headers[i]!.toLowerCase() === 'content-length') {
            headers.splice(i, 2);
          }
        }
      }
      if (lastToken(transferEncoding) === 'chunked') {
        this.framing = Framing.Chunked;
        this.chunked.reset();
      } else {
        this.framing = Framing.UntilClose;
      }
    } else if (contentLength !== -1) {
      this.framing = Framing.Length;
      this.remaining = contentLength;
    } else {
      this.framing = Framing.UntilClose;
    }
    if (this.framing === Framing.UntilClose) keepAlive = false;
    this.state = State.Body;
    this.sink!.onHead({ status, headers, keepAlive, keepAliveTimeoutMs });
    if (
      this.framing === Framing.None ||
      (this.framing === Framing.Length && this.remaining === 0)
    ) {
      this.complete();
    }
  }

  private readBody(data: Buffer, offset: number): number {
    switch (this.framing) {
      case Framing.Length: {
        const take = Math.min(this.remaining, data.length - offset);
        this.remaining -= take;
        this.sink!.onBody(
          offset === 0 && take === data.length ? data : data.subarray(offset, offset + take),
        );
        if (this.remaining === 0) this.complete();
        return offset + take;
      }
      case Framing.Chunked: {
        const sink = this.sink!;
        const next = this.chunked.decode(data, offset, sink);
        if (this.chunked.finished) this.complete();
        return next;
      }
      default:
        this.sink!.onBody(offset === 0 ? data : data.subarray(offset));
        return data.length;
    }
  }
}
