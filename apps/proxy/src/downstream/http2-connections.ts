import {
  constants,
  createServer,
  type Http2Server,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Socket } from 'node:net';
import { fromHttp2Raw } from '../http2/headers.js';
import type { RequestHandlers } from './client-connection.js';
import { WireProtocol, type ClientRequest } from './client-request.js';
import { Http2Response } from './http2-response.js';

// Bounds on what one client may hold open: streams at once, and header bytes per stream (as
// the HTTP/1.1 head limit, with room for gRPC metadata).
const MAX_CONCURRENT_STREAMS = 1_000;
const MAX_HEADER_LIST_SIZE = 64 * 1024;
// A session with no frame either way for this long is closed (its streams may finish).
const SESSION_IDLE_MS = 5 * 60 * 1000;

const DIGITS = /^\d{1,15}$/;

/**
 * The HTTP/2 connections of one listener (prior knowledge, handed over after the preface was
 * seen): node:http2 is the codec, every stream becomes one request for the same handlers the
 * HTTP/1.1 connections use, so each stream is balanced on its own.
 */
export class Http2Connections {
  private readonly server: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();
  private drained: (() => void) | undefined = undefined;

  constructor(
    private readonly handlers: RequestHandlers,
    private readonly onError: (error: unknown) => void,
  ) {
    this.server = createServer({
      settings: {
        maxConcurrentStreams: MAX_CONCURRENT_STREAMS,
        maxHeaderListSize: MAX_HEADER_LIST_SIZE,
      },
    });
    this.server
      .on('session', (session: ServerHttp2Session) => this.track(session))
      .on(
        'stream',
        (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, raw: string[]) =>
          this.serve(stream, headers, flags, raw),
      );
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Takes over a connection whose first bytes (`read`, already consumed) are the preface. */
  accept(socket: Socket, read: Buffer): void {
    socket.pause();
    socket.unshift(read);
    this.server.emit('connection', socket);
  }

  /** Asks every session to finish (GOAWAY); resolves when all have closed. */
  close(): Promise<void> {
    for (const session of this.sessions) session.close();
    if (this.sessions.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drained = resolve;
    });
  }

  destroy(): void {
    for (const session of this.sessions) session.destroy();
  }

  private track(session: ServerHttp2Session): void {
    this.sessions.add(session);
    session.setTimeout(SESSION_IDLE_MS, () => session.close());
    session.on('error', () => session.destroy());
    session.once('close', () => {
      this.sessions.delete(session);
      if (this.sessions.size === 0) this.drained?.();
    });
  }

  private serve(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    flags: number,
    raw: string[],
  ): void {
    const method = headers[':method']!;
    if (method === 'CONNECT') {
      stream.respond({ ':status': 405 }, { endStream: true });
      return;
    }
    const ended = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    const length = headers['content-length'];
    const req: ClientRequest = {
      protocol: WireProtocol.Http2,
      method,
      url: headers[':path']!,
      rawHeaders: fromHttp2Raw(raw),
      body: ended ? null : stream,
      contentLength: ended ? 0 : length !== undefined && DIGITS.test(length) ? Number(length) : -1,
    };
    try {
      this.handlers.request(req, new Http2Response(stream));
    } catch (error) {
      this.onError(error);
      stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    }
  }
}
