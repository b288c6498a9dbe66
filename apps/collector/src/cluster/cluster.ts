import type { FastifyBaseLogger } from 'fastify';
import type { ChangeHub } from '../discovery/change-hub.js';
import type { ScrapeService } from '../scrape/scrape-service.js';
import { ChangeBridge } from './change-bridge.js';
import { ClusterConnection, type SessionUser } from './cluster-connection.js';
import { ScrapeLeadership } from './scrape-leadership.js';

export interface ClusterOptions {
  databaseUrl: string;
  hub: ChangeHub;
  /** Compete for scraping with these; without, this collector never scrapes on its own. */
  scraping?: { service: ScrapeService; intervalMs: number };
  log: Pick<FastifyBaseLogger, 'info' | 'warn'>;
}

/**
 * Several collectors on one PostgreSQL database: they share changes over LISTEN/NOTIFY and
 * elect one of them to scrape, both on one dedicated connection per collector.
 */
export class Cluster {
  private readonly bridge: ChangeBridge;
  private readonly leadership: ScrapeLeadership | undefined;
  private readonly connection: ClusterConnection;

  constructor({ databaseUrl, hub, scraping, log }: ClusterOptions) {
    this.bridge = new ChangeBridge(hub, log);
    this.leadership =
      scraping &&
      new ScrapeLeadership({
        intervalMs: scraping.intervalMs,
        onAcquired: () => scraping.service.start(),
        onReleased: () => scraping.service.stop(),
        log,
      });
    const users: SessionUser[] = [this.bridge];
    if (this.leadership) users.push(this.leadership);
    this.connection = new ClusterConnection(databaseUrl, users, log);
  }

  start(): void {
    this.bridge.start();
    this.connection.start();
  }

  /** Stops scraping first, so no round is stored after the lock is released with the session. */
  async stop(): Promise<void> {
    this.bridge.stop();
    await this.leadership?.stop();
    await this.connection.stop();
  }
}
