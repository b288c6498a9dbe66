import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ChunkedDecoder } from '../http1/chunked-decoder.js';
import { HeadBuffer } from '../http1/head-buffer.js';
import { MalformedMessageError } from '../http1/malformed-message.js';
import {
  BodyFraming,
  parseRequestHead,
  plausibleRequestStart,
  REQUEST_HEAD_LIMIT,
} from '../http1/request-parser.js';
import {
  clientRequest,
  RequestBody,
  type BodySource,
  type ClientRequest,
} from './client-request.js';
import {
  Http1Response,
  KEEP_ALIVE_TIMEOUT_MS,
  type ClientResponse,
  type ResponseCarrier,
} from './client-response.js';

/** What a listener does with the requests of its connections. */
export interface RequestHandlers {
  request(req: ClientRequest, res: ClientResponse): void;
  /** Takes the socket over; `head` holds the bytes that followed the request head. */
  upgrade(req: ClientRequest, socket: Socket, head: Buffer): void;
  /** A CONNECT request (a tunnel): takes the socket over, as `upgrade`. */
  connect(req: ClientRequest, socket: Socket, head: Buffer): void;
}

/** What a connection needs from the server that accepted it. */
export interface AcceptingServer {
  readonly handlers: RequestHandlers;
  /** Set while the server drains: every response closes its connection. */
  readonly draining: boolean;
  forget(connection: ClientConnection): void;
  onError(error: unknown): void;
}

const enum State {
  Head,
  Body,
  /** The request is read; bytes after it wait until its response is complete. */
  Waiting,
  /** The connection takes no more requests (closing, upgraded or rejected). */
  Done,
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
// How long a connection that is closing keeps reading (and dropping) what the client still
// sends, so the client sees the response instead of a reset.
const LINGER_MS = 5_000;

/**
 * One client connection to a listener: parses requests (HTTP/1.1, keep-alive, pipelined ones
 * taken in order), streams their bodies with backpressure, and carries their responses.
 * Malformed requests get 400 (431 for a head over 16 KiB) and the connection closes.
 */
export class ClientConnection implements ResponseCarrier, BodySource {
  private state = State.Head;
  private readonly head = new HeadBuffer(
    REQUEST_HEAD_LIMIT,
    () => new MalformedMessageError('request head too large', 431),
  );
  /** When the head being read began, in ms of `performance.now()`; 0 between heads. */
  headStartedAt = 0;
  /** When the connection last became idle (or began closing). */
  idleSince = performance.now();
  private body: RequestBody | null = null;
  private bodyRemaining = 0;
  private chunked: ChunkedDecoder | undefined = undefined;
  private bodyChunked = false;
  /** Body bytes after the response completed are read and dropped. */
  private discarding = false;
  private response: Http1Response | undefined = undefined;
  private held: Buffer | undefined = undefined;

  constructor(
    readonly socket: Socket,
    private readonly owner: AcceptingServer,
  ) {
    socket.setNoDelay(true);
    socket
      .on('data', (data: Buffer) => this.receive(data))
      .on('drain', () => this.response?.onDrain?.())
      .on('end', () => this.onEnd())
      .on('error', () => socket.destroy())
      .on('close', () => this.onClose());
  }

  /** Whether the connection is between requests (no head begun, no response pending). */
  get idle(): boolean {
    return this.state === State.Head && this.headStartedAt === 0 && this.response === undefined;
  }

  get closing(): boolean {
    return this.state === State.Done;
  }

  /** Checks the connection's timers; the owner calls this every second or so. */
  sweep(now: number, headersTimeoutMs: number): void {
    if (this.headStartedAt !== 0 && now - this.headStartedAt > headersTimeoutMs) {
      this.reject(408, 'request head not received in time');
    } else if (this.idle && now - this.idleSince > KEEP_ALIVE_TIMEOUT_MS) {
      this.socket.destroy();
    } else if (this.closing && this.response === undefined && now - this.idleSince > LINGER_MS) {
      this.socket.destroy();
    }
  }

  /** Closes now if idle, else after the response in flight. */
  closeWhenIdle(): void {
    if (this.idle) this.socket.destroy();
    else this.response?.closeAfter();
  }

  resumeBody(): void {
    if (this.state === State.Body) this.socket.resume();
  }

  responseFinished(keepAlive: boolean): void {
    this.response = undefined;
    this.idleSince = performance.now();
    if (!keepAlive || this.owner.draining) {
      this.finish();
      return;
    }
    if (this.state === State.Body) {
      // The response came before the whole request (an early 413, say): read the rest away.
      this.discarding = true;
      this.socket.resume();
      return;
    }
    if (this.state !== State.Waiting) return;
    this.state = State.Head;
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      this.socket.resume();
      this.consume(held, 0);
    }
  }

  onBody(chunk: Buffer): void {
    if (!this.discarding && !this.body!.push(chunk)) this.socket.pause();
  }

  /** Bytes from the client; the listener hands over those it read to tell the protocol. */
  receive(data: Buffer): void {
    if (this.state === State.Waiting) this.hold(data, 0);
    else if (this.state !== State.Done) this.consume(data, 0);
  }

  private consume(data: Buffer, from: number): void {
    let offset = from;
    try {
      while (offset < data.length) {
        if (this.state === State.Head) {
          offset = this.readHead(data, offset);
          if (offset < 0) return;
        } else if (this.state === State.Body) {
          offset = this.readBody(data, offset);
        } else {
          if (this.state === State.Waiting) this.hold(data, offset);
          return;
        }
      }
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) {
        // A fault of ours: this connection goes, the process stays.
        this.owner.onError(error);
        this.socket.destroy();
        return;
      }
      const response = this.response;
      if (response === undefined) {
        this.reject(error.status, error.message);
      } else if (!response.headersSent) {
        // A malformed body: the request is abandoned upstream and refused here.
        this.response = undefined;
        response.connectionClosed();
        this.body?.destroy();
        this.body = null;
        this.reject(error.status, error.message);
      } else {
        this.socket.destroy();
      }
    }
  }

  private hold(data: Buffer, offset: number): void {
    const rest = offset === 0 ? data : data.subarray(offset);
    this.held = this.held === undefined ? rest : Buffer.concat([this.held, rest]);
    this.socket.pause();
  }

  /** Returns the offset after the head, or -1 when more bytes are needed. */
  private readHead(data: Buffer, from: number): number {
    let offset = from;
    if (this.head.incomplete === undefined) {
      // Empty lines before a request line are ignored (RFC 9112 §2.2), as some clients send
      // a CRLF after a body.
      while (offset < data.length && (data[offset] === 13 || data[offset] === 10)) offset++;
      if (offset === data.length) return offset;
    }
    if (this.headStartedAt === 0) this.headStartedAt = performance.now();
    const next = this.head.read(data, offset);
    if (next < 0) {
      const incomplete = this.head.incomplete!;
      const prefix = incomplete.toString('latin1', 0, Math.min(incomplete.length, 8192));
      if (!plausibleRequestStart(prefix)) throw new MalformedMessageError('malformed request line');
      return -1;
    }
    this.headStartedAt = 0;
    this.startRequest(this.head.text, data, next);
    return next;
  }

  private startRequest(text: string, data: Buffer, next: number): void {
    const head = parseRequestHead(text);
    if (head.upgrade || head.method === 'CONNECT') {
      this.state = State.Done;
      this.socket.removeAllListeners('data').removeAllListeners('drain').removeAllListeners('end');
      this.socket.pause();
      this.owner.forget(this);
      const req = clientRequest(head, null);
      const rest = data.subarray(next);
      if (head.method === 'CONNECT') this.owner.handlers.connect(req, this.socket, rest);
      else this.owner.handlers.upgrade(req, this.socket, rest);
      return;
    }
    let body: RequestBody | null = null;
    if (head.framing === BodyFraming.None) {
      this.state = State.Waiting;
    } else {
      body = new RequestBody(this);
      this.state = State.Body;
      this.discarding = false;
      this.bodyChunked = head.framing === BodyFraming.Chunked;
      if (this.bodyChunked) (this.chunked ??= new ChunkedDecoder()).reset();
      else this.bodyRemaining = head.contentLength;
      if (head.expectContinue && head.versionMinor === 1) this.socket.write(CONTINUE, 'latin1');
    }
    this.body = body;
    const keepAlive = head.keepAlive && !this.owner.draining;
    const res = new Http1Response(this, head.method, head.versionMinor, keepAlive);
    this.response = res;
    try {
      this.owner.handlers.request(clientRequest(head, body), res);
    } catch (error) {
      this.owner.onError(error);
      this.socket.destroy();
    }
  }

  private readBody(data: Buffer, offset: number): number {
    if (this.bodyChunked) {
      const next = this.chunked!.decode(data, offset, this);
      if (this.chunked!.finished) this.bodyDone();
      return next;
    }
    const take = Math.min(this.bodyRemaining, data.length - offset);
    this.bodyRemaining -= take;
    this.onBody(offset === 0 && take === data.length ? data : data.subarray(offset, offset + take));
    if (this.bodyRemaining === 0) this.bodyDone();
    return offset + take;
  }

  private bodyDone(): void {
    const body = this.body!;
    this.body = null;
    if (!this.discarding) {
      body.push(null);
      this.state = State.Waiting;
      return;
    }
    this.discarding = false;
    this.state = State.Head;
  }

  private reject(status: number, reason: string): void {
    this.state = State.Done;
    this.idleSince = performance.now();
    this.headStartedAt = 0;
    const text = `${reason}\n`;
    this.socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\nconnection: close\r\n` +
        `content-type: text/plain; charset=utf-8\r\ncontent-length: ${text.length}\r\n\r\n${text}`,
      'latin1',
    );
  }

  /** No further requests: ends our side, keeps reading until the client closes (linger). */
  private finish(): void {
    if (this.state === State.Done) return;
    this.state = State.Done;
    this.discarding = true;
    this.held = undefined;
    this.socket.end();
    this.socket.resume();
  }

  /**
   * The client ended its side. As with Node's server, a request in progress is abandoned
   * (a client that half-closes is taken to have gone); an idle connection just closes.
   */
  private onEnd(): void {
    if (this.state !== State.Done && !this.idle) this.socket.destroy();
  }

  private onClose(): void {
    this.owner.forget(this);
    this.state = State.Done;
    const body = this.body;
    this.body = null;
    // Without an error: a reader that listens only for 'close' must not see an unhandled one.
    if (body !== null && !body.readableEnded) body.destroy();
    this.response?.connectionClosed();
    this.response = undefined;
  }
}
