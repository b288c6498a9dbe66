import type { ProxyRegistry } from '../registry/proxy-registry.js';
import type { RollupStore } from '../rollup/rollup-store.js';
import type { CounterCheckpointStore } from './counter-checkpoints.js';
import { ScrapeLoop, type ScrapeRound } from './scrape-loop.js';

export interface ScrapeServiceOptions {
  rollups: RollupStore;
  /** Each proxy's counters as of its last stored round, written with the round's rollups. */
  checkpoints: CounterCheckpointStore;
  /** Names the proxies to scrape (the live ones) and keeps each one's last scrape status. */
  registry: Pick<ProxyRegistry, 'scrapeTargets' | 'recordScrapes'>;
  intervalMs: number;
  /** Told after each stored round (the event stream announces it). */
  onRound?(round: ScrapeRound): void;
  onError?(error: unknown): void;
  now?: () => number;
}

/** How often rows past their tier's retention are dropped. */
const PRUNE_EVERY_MS = 60_000;

/**
 * Scrapes every live proxy each interval and stores the round: its rollups in every tier and
 * each proxy's counter checkpoint in one transaction, then each proxy's scrape status in the
 * registry (a second one). Whoever scrapes a proxy next — this collector after a crash, or
 * another one after a takeover — counts from that checkpoint, so nothing the proxy served is
 * lost or counted twice; a crash between the two transactions leaves the status a round old.
 */
export class ScrapeService {
  private loop: ScrapeLoop;
  /** Once `loop` has run, its counters' last values are from the past. */
  private loopState: 'fresh' | 'running' | 'stopped' = 'fresh';
  private loopStopped: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ScrapeServiceOptions) {
    this.now = options.now ?? Date.now;
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
      targets: () => this.options.registry.scrapeTargets(),
      sink: (round) => this.store(round),
      checkpoints: this.options.checkpoints,
      intervalMs: this.options.intervalMs,
      timeoutMs: Math.min(this.options.intervalMs, 10_000),
      onError: this.options.onError,
      now: this.now,
    });
  }

  private async store(round: ScrapeRound): Promise<void> {
    // Checkpoints first: one overtaken by another collector abandons the round before any
    // rollup is written.
    await this.options.rollups.write(round.rows, (tx) =>
      this.options.checkpoints.write(tx, round.checkpoints),
    );
    await this.options.registry.recordScrapes(round.targets);
    this.options.onRound?.(round);
  }
}
