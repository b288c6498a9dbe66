import { splitHostPort } from '@trellis/contracts';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Exchange, type ResponseHandler, type UpstreamRequest } from './exchange.js';
import { UpstreamConnection, type OwningPool } from './upstream-connection.js';

/**
 * How long a connection may sit idle when the upstream gives no Keep-Alive hint: under the
 * 5 s that Node's server (the commonest app server here) waits before closing one.
 */
const DEFAULT_IDLE_LIMIT_MS = 4_000;
const SWEEP_INTERVAL_MS = 1_000;

/**
 * Keep-alive HTTP/1.1 connections to one upstream address. A request takes the most recently
 * used idle connection (the one least likely to have been closed by the upstream) or opens a
 * new one; there is no cap, since the app's own concurrency bounds a sidecar's. Idle
 * connections are closed before the upstream would close them, and an exchange whose bytes
 * stopped moving either way is cut, so a hung upstream or client cannot hold a connection
 * forever (the route timeout ends at the response head).
 */
export class UpstreamPool implements OwningPool {
  private readonly host: string;
  private readonly port: number;
  private readonly idle: UpstreamConnection[] = [];
  private readonly open = new Set<UpstreamConnection>();
  private sweeper: NodeJS.Timeout | undefined = undefined;
  private closing = false;
  private closed: (() => void) | undefined = undefined;

  constructor(
    readonly address: string,
    /** An exchange with no byte moving either way for this long is cut. */
    private readonly streamIdleTimeoutMs: number,
    private readonly lookup?: LookupFunction,
  ) {
    const { host, port } = splitHostPort(address);
    this.host = host;
    this.port = port;
  }

  /** Sends a request; the handler hears of its exchange at once through `onStart`. */
  dispatch(request: UpstreamRequest, handler: ResponseHandler): void {
    const exchange = new Exchange(request, handler);
    handler.onStart(exchange);
    if (exchange.abortedWith !== undefined) {
      handler.onError(exchange.abortedWith);
      return;
    }
    this.connectionFor().start(exchange);
  }

  resend(exchange: Exchange): void {
    this.newConnection().start(exchange);
  }

  release(connection: UpstreamConnection): void {
    if (this.closing) {
      connection.destroy();
      return;
    }
    connection.idleSince = performance.now();
    this.idle.push(connection);
  }

  forget(connection: UpstreamConnection): void {
    if (!this.open.delete(connection)) return;
    const index = this.idle.indexOf(connection);
    if (index !== -1) this.idle.splice(index, 1);
    if (this.open.size === 0) this.closed?.();
  }

  /** Lets exchanges in flight finish, closing every connection as it becomes free. */
  close(): Promise<void> {
    this.closing = true;
    this.stopSweeping();
    for (const connection of this.idle.splice(0)) connection.destroy();
    for (const connection of this.open) connection.close();
    return this.whenClosed();
  }

  /** Closes every connection now, failing the exchanges in flight. */
  destroy(): Promise<void> {
    this.closing = true;
    this.stopSweeping();
    this.idle.length = 0;
    for (const connection of this.open) connection.destroy();
    return this.whenClosed();
  }

  private whenClosed(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.closed = resolve;
    });
  }

  private connectionFor(): UpstreamConnection {
    const now = performance.now();
    let connection: UpstreamConnection | undefined;
    while ((connection = this.idle.pop()) !== undefined) {
      if (connection.usable && now - connection.idleSince < connection.idleLimitMs) {
        return connection;
      }
      connection.destroy();
    }
    return this.newConnection();
  }

  private newConnection(): UpstreamConnection {
    const connection = new UpstreamConnection(
      this.host,
      this.port,
      this,
      DEFAULT_IDLE_LIMIT_MS,
      this.lookup,
    );
    this.open.add(connection);
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
    return connection;
  }

  /** Closes connections idle past their limit and cuts exchanges that have stalled. */
  private sweep(): void {
    const now = performance.now();
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const connection = this.idle[i]!;
      if (now - connection.idleSince < connection.idleLimitMs) continue;
      this.idle.splice(i, 1);
      connection.destroy();
    }
    for (const connection of this.open) connection.cutIfStalled(now, this.streamIdleTimeoutMs);
    if (this.open.size === 0) this.stopSweeping();
  }

  private stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
