import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { WireProtocol, type ClientRequest } from './downstream/client-request.js';
import type { ClientGoneListener, ClientResponse } from './downstream/client-response.js';
import type { RequestHead } from './hop-by-hop.js';
import type { UpstreamRequest } from './upstream/exchange.js';

/** The upstream attempt in flight, as far as timeouts and client aborts need to see it. */
export interface AbortableAttempt {
  abort(reason: Error): void;
}

/** A request the client has abandoned; only used to stop the upstream attempt. */
export class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection before the response completed');
    this.name = 'ClientGoneError';
  }
}

const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const GRPC_TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1_000,
  m: 1,
  u: 0.001,
  n: 0.000_001,
};

/** A `grpc-timeout` value in ms (at least 1); -1 when it is malformed. */
function grpcTimeoutMs(value: string): number {
  const match = GRPC_TIMEOUT.exec(value);
  if (match === null) return -1;
  return Math.max(1, Math.ceil(Number(match[1]) * GRPC_TIMEOUT_UNIT_MS[match[2]!]!));
}

/**
 * One logical request as it passes through a stack. It doubles as the upstream request
 * (`method`, `path`, `headers`, `body`), so an attempt allocates no request object.
 */
export class Call implements UpstreamRequest, ClientGoneListener {
  readonly method: string;
  readonly headers: string[];
  body: Buffer | Readable | null;
  /** -1 when unknown (chunked). */
  readonly contentLength: number;
  /** False once a body too large to buffer has been streamed to an attempt. */
  replayable: boolean;
  readonly startedAt = performance.now();
  /** Set when the request timed out or the client left: no further attempt may start. */
  cancelled = false;
  attempt: AbortableAttempt | undefined = undefined;
  /** A gRPC call: HTTP/2 with an `application/grpc` content type. */
  readonly grpc: boolean = false;
  /** The caller's deadline from `grpc-timeout`, in ms; -1 when it set none. */
  readonly grpcTimeoutMs: number = -1;

  constructor(
    readonly req: ClientRequest,
    readonly res: ClientResponse,
    readonly path: string,
    head: RequestHead,
    /** The calling service, for metric labels. */
    readonly source: string,
  ) {
    this.method = req.method;
    this.headers = head.headers;
    this.body = req.body;
    this.contentLength = req.contentLength;
    this.replayable = req.body === null;
    res.listener = this;
    if (req.protocol !== WireProtocol.Http2) return;
    const headers = this.headers;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      if (name === 'content-type') this.grpc = headers[i + 1]!.startsWith('application/grpc');
      else if (name === 'grpc-timeout') this.grpcTimeoutMs = grpcTimeoutMs(headers[i + 1]!);
    }
  }

  /** Lowers the deadline the upstream is told to `timeoutMs` (a route timeout caps it). */
  capGrpcTimeout(timeoutMs: number): void {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i] === 'grpc-timeout') headers[i + 1] = `${timeoutMs}m`;
    }
  }

  clientGone(): void {
    this.cancel(new ClientGoneError());
  }

  cancel(reason: Error): void {
    this.cancelled = true;
    this.attempt?.abort(reason);
  }
}
