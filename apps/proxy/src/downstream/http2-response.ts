import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { toHttp2Headers } from '../http2/headers.js';
import type { ClientGoneListener, ClientResponse } from './client-response.js';

/**
 * A response on one HTTP/2 stream. The head is sent with the first body bytes or the end, so
 * a response without body or trailers (a gRPC trailers-only answer) leaves as one HEADERS
 * frame that ends the stream. Otherwise the stream waits for trailers, which `end` supplies.
 */
export class Http2Response implements ClientResponse {
  headersSent = false;
  writableEnded = false;
  destroyed = false;
  onDrain: (() => void) | undefined = undefined;
  listener: ClientGoneListener | undefined = undefined;
  private head: OutgoingHttpHeaders | undefined = undefined;
  private trailers: OutgoingHttpHeaders = {};

  constructor(private readonly stream: ServerHttp2Stream) {
    stream
      .on('drain', () => this.onDrain?.())
      .on('wantTrailers', () => this.sendTrailers())
      .on('error', () => this.cut())
      .once('close', () => this.closed());
  }

  writeHead(status: number, headers: readonly string[]): void {
    if (this.headersSent) throw new Error('response head already written');
    this.headersSent = true;
    const head: OutgoingHttpHeaders = { ':status': status };
    toHttp2Headers(headers, head);
    this.head = head;
  }

  closeAfter(): void {}

  write(chunk: Buffer): boolean {
    if (this.writableEnded || this.destroyed || !this.respond(false)) return false;
    return this.stream.write(chunk);
  }

  end(chunk?: Buffer, trailers?: readonly string[]): void {
    if (this.writableEnded || this.destroyed) return;
    this.writableEnded = true;
    const headOnly =
      this.head !== undefined &&
      (chunk === undefined || chunk.length === 0) &&
      trailers === undefined;
    if (!this.respond(headOnly) || headOnly) return;
    if (trailers !== undefined) toHttp2Headers(trailers, this.trailers);
    this.stream.end(chunk);
  }

  destroy(): void {
    this.cut();
  }

  /** Sends the head if still pending; false when the stream is gone or refused it. */
  private respond(endStream: boolean): boolean {
    const head = this.head;
    if (head === undefined) return !this.stream.destroyed;
    this.head = undefined;
    if (this.stream.destroyed) return false;
    try {
      this.stream.respond(head, endStream ? { endStream } : { waitForTrailers: true });
      return true;
    } catch {
      // A field HTTP/2 cannot carry (Node refuses it): the stream is reset, the session stays.
      this.cut();
      return false;
    }
  }

  private sendTrailers(): void {
    try {
      this.stream.sendTrailers(this.trailers);
    } catch {
      this.cut();
    }
  }

  private cut(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }

  private closed(): void {
    if (this.destroyed || (this.writableEnded && this.stream.rstCode === 0)) return;
    this.destroyed = true;
    this.listener?.clientGone();
  }
}
