import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { LAST_CHUNK, writeFramed } from '../http1/framed-write.js';

// As Node's server: clients keeping connections longer than this would meet a closed one.
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const KEEP_ALIVE_HEADER = `keep-alive: timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}\r\n`;

const enum Framing {
  None,
  Length,
  Chunked,
  UntilClose,
}

let dateHeader = '';
let dateSecond = 0;

/** The Date header, formatted at most once a second. */
function currentDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateHeader = `date: ${new Date(now).toUTCString()}\r\n`;
  }
  return dateHeader;
}

/** What the response reports to the connection that carries it. */
export interface ResponseCarrier {
  readonly socket: Socket;
  /** The response is complete; `keepAlive` false means the connection must close after it. */
  responseFinished(keepAlive: boolean): void;
}

/** Told when the client goes away before the response is complete. */
export interface ClientGoneListener {
  clientGone(): void;
}

/**
 * A response to one client request, as the layers and the forwarder write it; one
 * implementation per protocol the listeners speak.
 */
export interface ClientResponse {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  /** Called when a full client buffer drains, so a paused upstream can resume. */
  onDrain: (() => void) | undefined;
  listener: ClientGoneListener | undefined;
  /** Prepares the head: status and flat `[name, value, …]` end-to-end headers. */
  writeHead(status: number, headers: readonly string[]): void;
  /** False when the client's buffer is full: wait for `onDrain`. */
  write(chunk: Buffer): boolean;
  /** Completes the response; `trailers` (flat) reach clients whose protocol carries them. */
  end(chunk?: Buffer, trailers?: readonly string[]): void;
  /** Cuts the response off without completing it. */
  destroy(): void;
  /** No further requests on this connection after this response. */
  closeAfter(): void;
}

/**
 * A response to one client request on an HTTP/1.1 connection. `writeHead` only prepares the
 * head; it leaves with the first body bytes (or the end) in one write. The framing follows
 * from the head: Content-Length as given, otherwise chunked (HTTP/1.1) or until close (1.0);
 * HEAD, 204 and 304 have no body.
 */
export class Http1Response implements ClientResponse {
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  onDrain: (() => void) | undefined = undefined;
  listener: ClientGoneListener | undefined = undefined;
  private head = '';
  private framing = Framing.None;
  private keepAlive: boolean;

  constructor(
    private readonly carrier: ResponseCarrier,
    private readonly method: string,
    private readonly versionMinor: number,
    keepAlive: boolean,
  ) {
    this.keepAlive = keepAlive;
  }

  writeHead(status: number, headers: readonly string[]): void {
    if (this.headersSent) throw new Error('response head already written');
    this.headersSent = true;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    let length = false;
    let date = false;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      if (name.length === 14 && name.toLowerCase() === 'content-length') length = true;
      else if (name.length === 4 && name.toLowerCase() === 'date') date = true;
      head += `${name}: ${headers[i + 1]}\r\n`;
    }
    if (!date) head += currentDate();
    if (this.method === 'HEAD' || status === 204 || status === 304 || status < 200) {
      this.framing = Framing.None;
    } else if (length) {
      this.framing = Framing.Length;
    } else if (this.versionMinor === 1) {
      this.framing = Framing.Chunked;
      head += 'transfer-encoding: chunked\r\n';
    } else {
      this.framing = Framing.UntilClose;
      this.keepAlive = false;
    }
    if (!this.keepAlive) head += 'connection: close\r\n';
    else if (this.versionMinor === 0) head += `connection: keep-alive\r\n${KEEP_ALIVE_HEADER}`;
    else head += KEEP_ALIVE_HEADER;
    this.head = head + '\r\n';
  }

  /** Closes the connection after this response (announced in the head if not yet written). */
  closeAfter(): void {
    this.keepAlive = false;
  }

  write(chunk: Buffer): boolean {
    if (this.writableEnded || this.destroyed) return false;
    return this.send(chunk, false);
  }

  /** HTTP/1.1 trailers would need the client's `TE: trailers`; they are dropped. */
  end(chunk?: Buffer): void {
    if (this.writableEnded || this.destroyed) return;
    this.writableEnded = true;
    this.send(chunk, true);
    this.writableFinished = true;
    this.carrier.responseFinished(this.keepAlive);
  }

  /** Cuts the response off: the connection closes without completing it. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.carrier.socket.destroy();
  }

  /** The connection closed; tells the listener if the response was still unfinished. */
  connectionClosed(): void {
    if (this.writableFinished || this.destroyed) return;
    this.destroyed = true;
    this.listener?.clientGone();
  }

  private send(chunk: Buffer | undefined, last: boolean): boolean {
    const socket = this.carrier.socket;
    const head = this.head;
    this.head = '';
    if (chunk === undefined || chunk.length === 0 || this.framing === Framing.None) {
      let text = head;
      if (last && this.framing === Framing.Chunked) text += LAST_CHUNK;
      return text === '' ? true : socket.write(text, 'latin1');
    }
    if (this.framing === Framing.Chunked) {
      const suffix = last ? `\r\n${LAST_CHUNK}` : '\r\n';
      return writeFramed(socket, `${head}${chunk.length.toString(16)}\r\n`, chunk, suffix);
    }
    return head === '' ? socket.write(chunk) : writeFramed(socket, head, chunk);
  }
}
