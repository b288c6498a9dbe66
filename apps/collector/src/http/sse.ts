import type { FastifyReply } from 'fastify';
import { API_ERRORS, ApiErrorBodySchema } from '@trellis/contracts';
import { ApiError } from './api-error.js';

/** The answer of a stream route to a token that holds too many streams already. */
export const TOO_MANY_STREAMS = ApiErrorBodySchema.describe(
  'too-many-streams: the token holds --max-streams-per-token open streams already',
);

/** One open server-sent event stream. */
export interface SseStream {
  send(event: string, data: unknown): void;
  /** Runs `cleanup` once the stream ends, whoever ends it. */
  onClose(cleanup: () => void): void;
  close(): void;
  readonly closed: boolean;
}

export interface SseStreamsOptions {
  /** How often a comment line is sent so proxies and idle clients keep the connection. */
  heartbeatMs: number;
  /** Streams one token may hold open at once. */
  maxPerToken: number;
  /** Whether the token still stands (not revoked); asked on every heartbeat. */
  tokenIsActive(tokenId: string): Promise<boolean>;
}

/**
 * Every open event stream of one app, so closing the app can end them: an idle stream would
 * otherwise hold its connection, and the server's close, open for ever. Each stream belongs to
 * the token that opened it: a token holds at most `maxPerToken` at once, and its streams end
 * within one heartbeat of its revocation.
 */
export class SseStreams {
  private readonly open = new Set<SseStream>();
  private readonly perToken = new Map<string, number>();

  constructor(private readonly options: SseStreamsOptions) {}

  /** Answers the request with a stream, or throws 429 when the token holds too many. */
  start(reply: FastifyReply, tokenId: string): SseStream {
    const held = this.perToken.get(tokenId) ?? 0;
    if (held >= this.options.maxPerToken) {
      throw new ApiError(
        API_ERRORS.tooManyStreams,
        `this token already holds ${held} open streams, the most one token may (--max-streams-per-token)`,
      );
    }
    this.perToken.set(tokenId, held + 1);
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Reverse proxies that buffer responses (nginx) would hold events back.
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    const cleanups: Array<() => void> = [];
    let closed = false;
    const heartbeat = setInterval(() => {
      this.options.tokenIsActive(tokenId).then(
        (active) => {
          if (!active) stream.close();
          else if (!closed) response.write(': keep-alive\n\n');
        },
        // Unknown is not revoked: the next heartbeat asks again.
        () => undefined,
      );
    }, this.options.heartbeatMs);
    const finish = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      this.open.delete(stream);
      const left = (this.perToken.get(tokenId) ?? 1) - 1;
      if (left === 0) this.perToken.delete(tokenId);
      else this.perToken.set(tokenId, left);
      for (const cleanup of cleanups.splice(0)) cleanup();
    };
    const stream: SseStream = {
      send(event, data) {
        if (closed) return;
        response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      onClose(cleanup) {
        if (closed) cleanup();
        else cleanups.push(cleanup);
      },
      close() {
        if (closed) return;
        finish();
        response.end();
      },
      get closed() {
        return closed;
      },
    };
    // 'close' also fires when the client goes away, which is when listeners must be dropped.
    response.on('close', finish);
    this.open.add(stream);
    return stream;
  }

  closeAll(): void {
    for (const stream of [...this.open]) stream.close();
  }

  get size(): number {
    return this.open.size;
  }
}
