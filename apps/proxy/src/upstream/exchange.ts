import type { Readable } from 'node:stream';

/** What the proxy sends upstream: end-to-end headers only (hop-by-hop ones already removed). */
export interface UpstreamRequest {
  readonly method: string;
  readonly path: string;
  /** Flat `[name, value, …]`, including Host. */
  readonly headers: readonly string[];
  readonly body: Buffer | Readable | null;
  /** Declared length of a streamed body; -1 when unknown (it is then sent chunked). */
  readonly contentLength: number;
}

/** Receives one response; every callback runs at most once except `onData`. */
export interface ResponseHandler {
  /** Before anything is sent: the handle that aborts or resumes this exchange. */
  onStart(exchange: Exchange): void;
  /** Final response head (interim 1xx responses are not reported). */
  onHeaders(status: number, headers: string[]): void;
  /** A body chunk; returning false pauses the upstream until `exchange.resume()`. */
  onData(chunk: Buffer): boolean;
  /** Trailer fields, flat, just before `onComplete` (HTTP/2 upstreams only). */
  onTrailers(trailers: string[]): void;
  onComplete(): void;
  /** The exchange failed or was aborted; after a head this means the body was cut. */
  onError(error: Error): void;
}

/** The connection an exchange runs on, as far as the exchange needs to reach it. */
export interface ExchangeCarrier {
  abortExchange(exchange: Exchange, reason: Error): void;
  resumeExchange(exchange: Exchange): void;
}

/** One request/response on some upstream connection; it may move once (see UpstreamPool). */
export class Exchange {
  carrier: ExchangeCarrier | undefined = undefined;
  /** Set by an abort before the exchange reached a connection. */
  abortedWith: Error | undefined = undefined;

  constructor(
    readonly request: UpstreamRequest,
    readonly handler: ResponseHandler,
  ) {}

  abort(reason: Error): void {
    if (this.carrier === undefined) this.abortedWith ??= reason;
    else this.carrier.abortExchange(this, reason);
  }

  resume(): void {
    this.carrier?.resumeExchange(this);
  }
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Whether the request may be sent again after a reused connection died under it unanswered. */
export function safeToResend(request: UpstreamRequest): boolean {
  return IDEMPOTENT.has(request.method) && (request.body === null || Buffer.isBuffer(request.body));
}
