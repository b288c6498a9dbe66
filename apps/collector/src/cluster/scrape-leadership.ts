import type { FastifyBaseLogger } from 'fastify';
import type { SessionUser } from './cluster-connection.js';
import type { ClusterSession } from './cluster-session.js';

/** The session advisory lock whose holder scrapes: the ASCII bytes of "trellis" as a bigint. */
const SCRAPE_LOCK_KEY = '32776877234743667';

export interface ScrapeLeadershipOptions {
  /** How often a collector that does not scrape tries to take over. */
  intervalMs: number;
  /** This collector holds the lock: start scraping. */
  onAcquired(): void;
  /** It may no longer hold it: stop scraping before another collector starts. */
  onReleased(): Promise<void>;
  log: Pick<FastifyBaseLogger, 'info' | 'warn'>;
}

/**
 * Elects the one collector that scrapes: whoever holds a PostgreSQL session advisory lock on
 * its cluster connection. The lock lives as long as the session, so when the holder stops, dies
 * or loses its connection, the next attempt of another collector (one interval at most) wins.
 */
export class ScrapeLeadership implements SessionUser {
  private session: ClusterSession | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private leading = false;

  constructor(private readonly options: ScrapeLeadershipOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  async sessionStarted(session: ClusterSession): Promise<void> {
    this.session = session;
    await this.attempt(session);
  }

  sessionEnded(): void {
    this.session = undefined;
    clearTimeout(this.retryTimer);
    this.release().catch((error: unknown) =>
      this.options.log.warn({ err: error }, 'scraping did not stop cleanly'),
    );
  }

  /** Stops scraping; the lock goes with the session when the connection closes. */
  async stop(): Promise<void> {
    this.session = undefined;
    clearTimeout(this.retryTimer);
    await this.release();
  }

  private async attempt(session: ClusterSession): Promise<void> {
    try {
      const rows = await session.query<{ acquired: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS acquired',
        [SCRAPE_LOCK_KEY],
      );
      if (session !== this.session) return;
      if (rows[0]?.acquired === true) {
        this.leading = true;
        this.options.log.info('this collector now scrapes');
        this.options.onAcquired();
        return;
      }
    } catch (error) {
      // The connection reports its own failure; until then the next attempt may succeed.
      this.options.log.warn({ err: error }, 'could not try the scrape lock');
    }
    if (session !== this.session) return;
    this.retryTimer = setTimeout(() => void this.attempt(session), this.options.intervalMs);
  }

  private release(): Promise<void> {
    if (!this.leading) return Promise.resolve();
    this.leading = false;
    this.options.log.info('this collector stopped scraping');
    return this.options.onReleased();
  }
}
