import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { ClientRequest } from './downstream/client-request.js';
import type { ClientGoneListener, ClientResponse } from './downstream/client-response.js';
import type { RequestHead } from './hop-by-hop.js';
import { BodyFraming } from './http1/request-parser.js';
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
    this.contentLength =
      req.body === null
        ? 0
        : req.head.framing === BodyFraming.Chunked
          ? -1
          : req.head.contentLength;
    this.replayable = req.body === null;
    res.listener = this;
  }

  clientGone(): void {
    this.cancel(new ClientGoneError());
  }

  cancel(reason: Error): void {
    this.cancelled = true;
    this.attempt?.abort(reason);
  }
}
