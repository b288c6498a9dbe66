import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { listen } from '../listen.js';
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
 * An HTTP/1.1 listener for the proxy's inbound and outbound sides, on plain sockets: one
 * ClientConnection per socket, and a sweep each second for the timers of all of them (head
 * timeout, keep-alive idle timeout, linger after close) instead of a timer per request.
 */
export class ProxyServer implements AcceptingServer {
  private readonly server: Server;
  private readonly connections = new Set<ClientConnection>();
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
      this.connections.add(new ClientConnection(socket, this));
    });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  get listening(): boolean {
    return this.server.listening;
  }

  listen(address: string): Promise<string> {
    return listen(this.server, address);
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
    for (const connection of this.connections) connection.closeWhenIdle();
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        for (const connection of this.connections) connection.socket.destroy();
      }, drainMs);
      this.drained = () => {
        clearTimeout(force);
        resolve();
      };
    });
  }

  private sweep(): void {
    const now = performance.now();
    for (const connection of this.connections) {
      connection.sweep(now, this.options.headersTimeoutMs);
    }
  }
}
