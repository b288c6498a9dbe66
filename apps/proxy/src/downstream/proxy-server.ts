import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { listen } from '../listen.js';
import { KEEP_ALIVE_TIMEOUT_MS } from './client-response.js';
import { ClientProtocol, detectProtocol } from './first-bytes.js';
import { Http2Connections } from './http2-connections.js';
import {
  ClientConnection,
  type AcceptingServer,
  type RequestHandlers,
} from './client-connection.js';

export interface ProxyServerOptions {
  /** A client must send a whole request head within this time (slowloris), else 408. */
  headersTimeoutMs: number;
  /** Where a failure inside a handler is reported (the connection is closed). */
  onError: (error: unknown) => void;
}

const SWEEP_INTERVAL_MS = 1_000;

/**
 * A listener for the proxy's inbound and outbound sides, on plain sockets. The first bytes of
 * a connection say its protocol: HTTP/2 (prior knowledge) goes to node:http2, anything else is
 * one ClientConnection (HTTP/1.1). A sweep each second runs the timers of all HTTP/1.1
 * connections (head timeout, keep-alive idle timeout, linger after close) instead of a timer
 * per request.
 */
export class ProxyServer implements AcceptingServer {
  private readonly server: Server;
  private readonly connections = new Set<ClientConnection>();
  private readonly http2: Http2Connections;
  /** Connections whose protocol is not known yet (too few bytes so far). */
  private readonly undecided = new Set<Socket>();
  private readonly sweeper: NodeJS.Timeout;
  draining = false;
  private drained: (() => void) | undefined = undefined;

  constructor(
    readonly handlers: RequestHandlers,
    private readonly options: ProxyServerOptions,
  ) {
    this.server = createServer({ noDelay: true }, (socket: Socket) => {
      if (this.draining) {
        socket.destroy();
        return;
      }
      this.detect(socket);
    });
    this.http2 = new Http2Connections(handlers, options.onError);
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  get listening(): boolean {
    return this.server.listening;
  }

  listen(address: string): Promise<string> {
    return listen(this.server, address);
  }

  /** Reads until the first bytes tell the protocol, then hands the connection over. */
  private detect(socket: Socket): void {
    this.undecided.add(socket);
    let read: Buffer | undefined;
    // A client that never finishes its first bytes is dropped like an idle connection.
    socket.setTimeout(KEEP_ALIVE_TIMEOUT_MS, () => socket.destroy());
    const onData = (data: Buffer): void => {
      read = read === undefined ? data : Buffer.concat([read, data]);
      const protocol = detectProtocol(read);
      if (protocol === undefined) return;
      socket.off('data', onData).off('close', onClose).off('error', onClose);
      socket.setTimeout(0);
      this.undecided.delete(socket);
      if (protocol === ClientProtocol.Http2) {
        this.http2.accept(socket, read);
        return;
      }
      const connection = new ClientConnection(socket, this);
      this.connections.add(connection);
      connection.receive(read);
    };
    const onClose = (): void => {
      socket.destroy();
      this.undecided.delete(socket);
    };
    socket.on('data', onData).once('close', onClose).once('error', onClose);
  }

  forget(connection: ClientConnection): void {
    this.connections.delete(connection);
    if (this.connections.size === 0) this.drained?.();
  }

  onError(error: unknown): void {
    this.options.onError(error);
  }

  /**
   * Stops accepting; idle connections close now, busy ones after their response. After
   * `drainMs` whatever is left is cut.
   */
  close(drainMs: number): Promise<void> {
    this.draining = true;
    clearInterval(this.sweeper);
    if (this.server.listening) this.server.close();
    for (const socket of this.undecided) socket.destroy();
    for (const connection of this.connections) connection.closeWhenIdle();
    const force = setTimeout(() => {
      for (const connection of this.connections) connection.socket.destroy();
      this.http2.destroy();
    }, drainMs);
    const http1 =
      this.connections.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.drained = resolve;
          });
    return Promise.all([http1, this.http2.close()]).then(() => clearTimeout(force));
  }

  private sweep(): void {
    const now = performance.now();
    for (const connection of this.connections) {
      connection.sweep(now, this.options.headersTimeoutMs);
    }
  }
}
