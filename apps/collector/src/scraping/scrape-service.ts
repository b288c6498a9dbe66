import type { Database } from '@trellis/db';
import { CounterCheckpointStore } from '../scrape/counter-checkpoints.js';
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

/** How long a round's transaction may wait for the database and then run. */
const STORE_MAX_WAIT_MS = 10_000;
const STORE_TIMEOUT_MS = 30_000;

/**
 * Scrapes every live proxy each interval and stores the round: rollups in every tier, each
 * proxy's counter checkpoint and its scrape status in the registry, all in one transaction.
 * Whoever scrapes a proxy next — this collector after a crash, or another one after a
 * takeover — counts from that checkpoint, so nothing the proxy served is lost or counted twice.
 */
export class ScrapeService {
  private loop: ScrapeLoop;
  private readonly checkpoints: CounterCheckpointStore;
  /** Once `loop` has run, its counters' last values are from the past. */
  private loopState: 'fresh' | 'running' | 'stopped' = 'fresh';
  private loopStopped: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ScrapeServiceOptions) {
    this.now = options.now ?? Date.now;
    this.checkpoints = new CounterCheckpointStore(options.database);
    this.loop = this.createLoop();
  }

  /** Whether the loop runs: this collector is the one that scrapes. */
  get running(): boolean {
    return this.loopState === 'running';
  }

  /**
   * Scrapes now and every interval until `stop`. After a stop it starts over with a fresh loop:
   * another collector may have scraped meanwhile, so the new loop reads every target's
   * checkpoint again.
   */
  start(): void {
    if (this.loopState === 'running') return;
    if (this.loopState === 'stopped') this.loop = this.createLoop();
    this.loopState = 'running';
    this.loop.start();
    const { rollups, onError } = this.options;
    this.pruneTimer = setInterval(() => {
      rollups.prune(this.now()).catch((error: unknown) => onError?.(error));
    }, PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  /** Stops scheduling at once, then waits for a round in flight to be stored. */
  async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    if (this.loopState !== 'stopped') {
      this.loopState = 'stopped';
      // A loop of an earlier turn may still be storing its last round.
      this.loopStopped = Promise.all([this.loopStopped, this.loop.stop()]).then(() => {});
    }
    await this.loopStopped;
  }

  /** One round now, stored like any other; only while the loop is not running. */
  scrapeOnce(): Promise<ScrapeRound> {
    return this.loop.scrapeOnce();
  }

  private createLoop(): ScrapeLoop {
    return new ScrapeLoop({
      targets: this.options.targets,
      sink: (round) => this.store(round),
      checkpoints: this.checkpoints,
      intervalMs: this.options.intervalMs,
      timeoutMs: Math.min(this.options.intervalMs, 10_000),
      onError: this.options.onError,
      now: this.now,
    });
  }

  private async store(round: ScrapeRound): Promise<void> {
    const { prisma } = this.options.database;
    const rollupStatements = this.options.rollups.writeStatements(round.rows);
    await prisma.$transaction(
      async (tx) => {
        // Checkpoints first: one overtaken by another collector abandons the round before
        // anything else is written.
        await this.checkpoints.write(tx, round.checkpoints);
        for (const statement of rollupStatements) await tx.$executeRaw(statement);
        for (const target of round.targets) {
          await tx.proxy.updateMany({
            where: { instanceId: target.instanceId },
            data: {
              lastScrapeAt: new Date(target.scrapedAtMs),
              lastScrapeDurationMs: Math.round(target.durationMs),
              lastScrapeError: target.error,
            },
          });
        }
      },
      { maxWait: STORE_MAX_WAIT_MS, timeout: STORE_TIMEOUT_MS },
    );
    this.options.onRound?.(round);
  }
}
