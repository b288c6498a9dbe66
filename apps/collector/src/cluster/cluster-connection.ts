import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { ClusterSession } from './cluster-session.js';

/**
 * What runs on the dedicated session. Whatever a session holds (advisory locks, LISTEN) ends
 * with it, so a user is told of each new session and of the end of the current one.
 */
export interface SessionUser {
  sessionStarted(session: ClusterSession): Promise<void>;
  /** The session is gone, and with it every lock it held: called before any reconnect. */
  sessionEnded(): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

/**
 * One PostgreSQL connection of this collector's own, outside Prisma's pool: session advisory
 * locks and LISTEN belong to a session, and a pool would hand them to whichever query ran.
 * When the connection fails its users are told at once, and it reconnects with backoff.
 */
export class ClusterConnection {
  private current: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly users: readonly SessionUser[],
    private readonly log: Pick<FastifyBaseLogger, 'info' | 'warn'>,
  ) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.current;
    this.current = undefined;
    await client?.end();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      // A peer that vanished without closing the socket is noticed without waiting for a query.
      keepAlive: true,
      application_name: 'trellis-collector',
    });
    let ended = false;
    const end = (error?: unknown): void => {
      if (ended) return;
      ended = true;
      if (this.current === client) this.current = undefined;
      for (const user of this.users) user.sessionEnded();
      // The session is already lost; ending the client only releases its socket.
      client.end().catch(() => {});
      if (this.stopped) return;
      this.log.warn(
        { err: error, retryInMs: this.retryMs },
        'cluster connection to PostgreSQL lost; reconnecting',
      );
      this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    };
    client.on('error', end);
    client.on('end', () => end());
    try {
      await client.connect();
      if (this.stopped) {
        ended = true;
        await client.end();
        return;
      }
      this.current = client;
      const session = new ClusterSession(client);
      for (const user of this.users) await user.sessionStarted(session);
      this.retryMs = FIRST_RETRY_MS;
    } catch (error) {
      end(error);
    }
  }
}
