import type { Database } from '@trellis/db';
import { ScrapeLoop, type ScrapeRound, type ScrapeTarget } from '../scrape/scrape-loop.js';
import type { RollupStore } from '../storage/rollup-store.js';

export interface ScrapeServiceOptions {
  database: Database;
  rollups: RollupStore;
  intervalMs: number;
  /** The proxies to scrape: the live ones in the registry. */
  targets(): Promise<readonly ScrapeTarget[]>;
  /** Told after each stored round (the event stream announces it). */
  onRound?(round: ScrapeRound): void;
  onError?(error: unknown): void;
  now?: () => number;
}

/** How often rows past their tier's retention are dropped. */
const PRUNE_EVERY_MS = 60_000;

/**
 * Scrapes every live proxy each interval and stores the round: rollups in every tier and each
 * proxy's scrape status in the registry. A round is stored in one transaction, so a restart
 * loses at most the round in flight.
 */
export class ScrapeService {
  private readonly loop: ScrapeLoop;
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(private readonly options: ScrapeServiceOptions) {
    const now = options.now ?? Date.now;
    this.loop = new ScrapeLoop({
      targets: options.targets,
      sink: (round) => this.store(round),
      intervalMs: options.intervalMs,
      timeoutMs: Math.min(options.intervalMs, 10_000),
      onError: options.onError,
      now,
    });
    this.pruneTimer = setInterval(() => {
      options.rollups.prune(now()).catch((error: unknown) => options.onError?.(error));
    }, PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.loop.stop();
  }

  /** One round now, stored like any other; only while the loop is not running. */
  async scrapeOnce(): Promise<ScrapeRound> {
    const round = await this.loop.scrapeOnce();
    await this.store(round);
    return round;
  }

  private async store(round: ScrapeRound): Promise<void> {
    await this.options.rollups.write(round.rows);
    const { prisma } = this.options.database;
    await prisma.$transaction(
      round.targets.map((target) =>
        prisma.proxy.updateMany({
          where: { instanceId: target.instanceId },
          data: {
            lastScrapeAt: new Date(target.scrapedAtMs),
            lastScrapeDurationMs: Math.round(target.durationMs),
            lastScrapeError: target.error,
          },
        }),
      ),
    );
    this.options.onRound?.(round);
  }
}
