import type { FastifyReply } from 'fastify';

/** One open server-sent event stream. */
export interface SseStream {
  send(event: string, data: unknown): void;
  /** Runs `cleanup` once the stream ends, whoever ends it. */
  onClose(cleanup: () => void): void;
  close(): void;
  readonly closed: boolean;
}

/**
 * Every open event stream of one app, so closing the app can end them: an idle stream would
 * otherwise hold its connection, and the server's close, open for ever.
 */
export class SseStreams {
  private readonly open = new Set<SseStream>();

  /** `heartbeatMs`: how often a comment line is sent so proxies and idle clients keep the connection. */
  constructor(private readonly heartbeatMs: number) {}

  start(reply: FastifyReply): SseStream {
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
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), this.heartbeatMs);
    const finish = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      this.open.delete(stream);
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
