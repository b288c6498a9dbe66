import { Readable } from 'node:stream';
import { BodyFraming, type RequestHead } from '../http1/request-parser.js';

/** Where a body asks for more bytes after it had to stop its connection. */
export interface BodySource {
  resumeBody(): void;
}

/**
 * A request body as it arrives: the connection pushes decoded bytes (views of the socket's
 * buffers) and pauses the socket when the reader falls behind; reading resumes it.
 */
export class RequestBody extends Readable {
  constructor(private readonly source: BodySource) {
    super();
  }

  override _read(): void {
    this.source.resumeBody();
  }
}

/** The protocol a request arrived in; an upstream attempt uses the same one. */
export const enum WireProtocol {
  Http1,
  Http2,
}

/** A client's request, whichever protocol carried it; its body, when it has one, as a stream. */
export interface ClientRequest {
  readonly protocol: WireProtocol;
  readonly method: string;
  readonly url: string;
  /** Flat `[name, value, …]`; for HTTP/2, `:authority` appears as `host`. */
  readonly rawHeaders: string[];
  /** Null when the request has no body. */
  readonly body: Readable | null;
  /** The declared body length; -1 when unknown (chunked, or HTTP/2 without content-length). */
  readonly contentLength: number;
}

export function clientRequest(head: RequestHead, body: RequestBody | null): ClientRequest {
  return {
    protocol: WireProtocol.Http1,
    method: head.method,
    url: head.target,
    rawHeaders: head.rawHeaders,
    body,
    contentLength:
      body === null ? 0 : head.framing === BodyFraming.Chunked ? -1 : head.contentLength,
  };
}
