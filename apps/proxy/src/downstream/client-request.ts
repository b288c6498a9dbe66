import { Readable } from 'node:stream';
import type { RequestHead } from '../http1/request-parser.js';

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

/** A client's request: its parsed head and, when it has one, its body as a stream. */
export interface ClientRequest {
  readonly head: RequestHead;
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: string[];
  /** Null when the request has no body. */
  readonly body: RequestBody | null;
}

export function clientRequest(head: RequestHead, body: RequestBody | null): ClientRequest {
  return { head, method: head.method, url: head.target, rawHeaders: head.rawHeaders, body };
}
