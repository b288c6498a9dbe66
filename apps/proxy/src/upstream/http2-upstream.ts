import {
  connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { flattenHttp2Headers, fromHttp2Raw, toHttp2Headers } from '../http2/headers.js';
import {
  Exchange,
  type ExchangeCarrier,
  type ResponseHandler,
  type UpstreamRequest,
} from './exchange.js';
import {
  UpstreamClosedError,
  UpstreamConnectError,
  UpstreamIdleError,
  UpstreamResetError,
} from './upstream-errors.js';

// An idle session is closed after this long; the next request opens a new one.
const SESSION_IDLE_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** One HTTP/2 connection to the upstream, and whether it was ever established. */
interface Session {
  readonly http2: ClientHttp2Session;
  connected: boolean;
}

/**
 * HTTP/2 to one upstream address, for requests that arrived over HTTP/2 (gRPC needs it end to
 * end): a single multiplexed session, opened on first use and again after it closes or the
 * upstream sends GOAWAY. node:http2 does the framing and flow control.
 */
export class Http2Upstream {
  private session: Session | undefined = undefined;
  private readonly sessions = new Set<ClientHttp2Session>();
  private closed: (() => void) | undefined = undefined;

  constructor(
    readonly address: string,
    /** A stream with no byte moving either way for this long is cut. */
    private readonly streamIdleTimeoutMs: number,
    private readonly lookup?: LookupFunction,
  ) {}

  /** Sends a request; the handler hears of its exchange at once through `onStart`. */
  dispatch(request: UpstreamRequest, handler: ResponseHandler): void {
    const exchange = new Exchange(request, handler);
    handler.onStart(exchange);
    if (exchange.abortedWith !== undefined) {
      handler.onError(exchange.abortedWith);
      return;
    }
    new Http2Exchange(this, this.current(), exchange, this.streamIdleTimeoutMs, false).start();
  }

  /**
   * The upstream refused the stream unprocessed (REFUSED_STREAM, or it was above a GOAWAY's
   * last stream): safe to send once more, on a fresh session, when the body can be replayed.
   */
  resend(exchange: Exchange, refusedBy: Session): void {
    if (this.session === refusedBy) this.session = undefined;
    new Http2Exchange(this, this.current(), exchange, this.streamIdleTimeoutMs, true).start();
  }

  /** Lets streams in flight finish, then closes. */
  close(): Promise<void> {
    this.session = undefined;
    for (const session of this.sessions) session.close();
    return this.whenClosed();
  }

  destroy(): Promise<void> {
    this.session = undefined;
    for (const session of this.sessions) session.destroy();
    return this.whenClosed();
  }

  private whenClosed(): Promise<void> {
    if (this.sessions.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.closed = resolve;
    });
  }

  private current(): Session {
    const existing = this.session;
    if (existing !== undefined && !existing.http2.closed && !existing.http2.destroyed) {
      return existing;
    }
    const settings = { enablePush: false };
    const http2 = connect(
      `http://${this.address}`,
      this.lookup === undefined ? { settings } : { settings, lookup: this.lookup },
    );
    const session: Session = { http2, connected: false };
    this.session = session;
    this.sessions.add(http2);
    const timer = setTimeout(() => {
      http2.destroy(new UpstreamConnectError(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    const retire = (): void => {
      if (this.session === session) this.session = undefined;
    };
    http2
      .once('connect', () => {
        session.connected = true;
        clearTimeout(timer);
      })
      .on('goaway', retire)
      // Each stream hears of the failure through its own 'error'.
      .on('error', retire)
      .once('close', () => {
        clearTimeout(timer);
        retire();
        this.sessions.delete(http2);
        if (this.sessions.size === 0) this.closed?.();
      });
    http2.setTimeout(SESSION_IDLE_MS, () => http2.close());
    return session;
  }
}

/** One request/response as an HTTP/2 stream on a session. */
class Http2Exchange implements ExchangeCarrier {
  private stream: ClientHttp2Stream | undefined = undefined;
  private done = false;
  private responded = false;
  private body: Readable | undefined = undefined;

  constructor(
    private readonly owner: Http2Upstream,
    private readonly session: Session,
    private readonly exchange: Exchange,
    private readonly idleMs: number,
    /** Whether this is already the second try of a refused stream. */
    private readonly resent: boolean,
  ) {}

  start(): void {
    const request = this.exchange.request;
    const headers: OutgoingHttpHeaders = {
      ':method': request.method,
      ':path': request.path,
      ':scheme': 'http',
    };
    const host = toHttp2Headers(request.headers, headers);
    if (host !== undefined) headers[':authority'] = host;
    // gRPC servers may insist on it; it is the one TE value HTTP/2 allows.
    if (String(headers['content-type']).startsWith('application/grpc')) headers.te = 'trailers';
    const body = request.body;
    let stream: ClientHttp2Stream;
    try {
      stream = this.session.http2.request(headers, { endStream: body === null });
    } catch (error) {
      // The session is going away (GOAWAY came in): nothing was sent.
      if (!this.resendRefused()) this.fail(error as Error);
      return;
    }
    this.stream = stream;
    this.exchange.carrier = this;
    const handler = this.exchange.handler;
    stream.setTimeout(this.idleMs, () => this.fail(new UpstreamIdleError(this.idleMs)));
    stream
      .once('response', (head: IncomingHttpHeaders, _flags: number, raw: string[]) => {
        this.responded = true;
        handler.onHeaders(Number(head[':status']), fromHttp2Raw(raw));
      })
      .on('data', (chunk: Buffer) => {
        if (!handler.onData(chunk)) stream.pause();
      })
      .once('trailers', (trailers: IncomingHttpHeaders) => {
        handler.onTrailers(flattenHttp2Headers(trailers));
      })
      .once('end', () => this.complete())
      .on('error', (error: Error) => this.closed(error))
      .once('close', () => this.closed(undefined));
    if (body === null) return;
    if (Buffer.isBuffer(body)) stream.end(body);
    else this.pump(body, stream);
  }

  abortExchange(exchange: Exchange, reason: Error): void {
    if (this.exchange === exchange) this.fail(reason);
  }

  resumeExchange(exchange: Exchange): void {
    if (this.exchange === exchange) this.stream?.resume();
  }

  private pump(body: Readable, stream: ClientHttp2Stream): void {
    this.body = body;
    const onData = (chunk: Buffer): void => {
      if (!stream.write(chunk)) body.pause();
    };
    const onDrain = (): void => {
      body.resume();
    };
    const onEnd = (): void => {
      this.unpump();
      stream.end();
    };
    const onCut = (error?: Error): void => {
      if (this.body !== body) return;
      this.fail(error ?? new Error('request body ended early'));
    };
    const onClose = (): void => onCut();
    this.unpump = (): void => {
      body.off('data', onData).off('end', onEnd).off('error', onCut).off('close', onClose);
      stream.off('drain', onDrain);
      this.body = undefined;
      this.unpump = noop;
      if (!body.readableEnded) body.resume();
    };
    stream.on('drain', onDrain);
    body.on('data', onData).once('end', onEnd).once('error', onCut).once('close', onClose);
  }

  private unpump: () => void = noop;

  private closed(error: Error | undefined): void {
    if (this.done) return;
    const code = this.stream!.rstCode;
    const refused =
      code === constants.NGHTTP2_REFUSED_STREAM ||
      (error as { code?: string } | undefined)?.code === 'ERR_HTTP2_GOAWAY_SESSION';
    if (refused && this.resendRefused()) return;
    this.fail(
      error ??
        (code === constants.NGHTTP2_NO_ERROR
          ? new UpstreamClosedError()
          : new UpstreamResetError(code)),
    );
  }

  /** Sends the exchange again on a fresh session if nothing of it was processed. */
  private resendRefused(): boolean {
    const body = this.exchange.request.body;
    if (this.resent || this.responded || (body !== null && !Buffer.isBuffer(body))) return false;
    this.done = true;
    this.exchange.carrier = undefined;
    this.owner.resend(this.exchange, this.session);
    return true;
  }

  private complete(): void {
    if (this.done) return;
    this.done = true;
    this.exchange.carrier = undefined;
    this.unpump();
    this.exchange.handler.onComplete();
  }

  private fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.exchange.carrier = undefined;
    this.unpump();
    const stream = this.stream;
    if (stream !== undefined && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
    this.exchange.handler.onError(
      this.session.connected || error instanceof UpstreamConnectError
        ? error
        : new UpstreamConnectError(error.message, error),
    );
  }
}

function noop(): void {}
