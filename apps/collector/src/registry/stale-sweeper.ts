import type { FastifyBaseLogger } from 'fastify';
import { MISSED_HEARTBEATS_FOR_STALE, type ProxyRegistry } from './proxy-registry.js';

/** Sweeps often enough that a stale instance leaves discovery well within 500 ms of its deadline. */
const MAX_SWEEP_PERIOD_MS = 250;

/** Stale retention is ten minutes at least: purging on every sweep would repeat empty deletes. */
const PURGE_PERIOD_MS = 60_000;

/**
 * Runs `ProxyRegistry.markStale` on a timer, and `purgeStale` on at most one sweep a minute.
 * Sweeps never overlap, and `stop` waits for the one in flight so the database can be closed
 * right after.
 *
 * The first sweep waits three heartbeat intervals: heartbeats sent while the collector was
 * down were lost, not missed, and sweeping at once after a restart would empty discovery
 * for every service until its proxies heartbeat again.
 */
export class StaleSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** On the monotonic clock, so a wall-clock step cannot hold purging back. */
  private nextPurgeAtMs = 0;
  readonly periodMs: number;

  constructor(
    private readonly registry: ProxyRegistry,
    private readonly log: Pick<FastifyBaseLogger, 'info' | 'warn'>,
  ) {
    this.periodMs = Math.min(MAX_SWEEP_PERIOD_MS, Math.max(10, registry.heartbeatIntervalMs / 4));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(MISSED_HEARTBEATS_FOR_STALE * this.registry.heartbeatIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs = this.periodMs): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, delayMs);
  }

  private async sweep(): Promise<void> {
    await this.registry
      .markStale()
      .catch((error: unknown) => this.log.warn({ err: error }, 'stale sweep failed'));
    if (this.stopped || performance.now() < this.nextPurgeAtMs) return;
    // Counted from the attempt, so a failing purge is retried a minute later, not every sweep.
    this.nextPurgeAtMs = performance.now() + PURGE_PERIOD_MS;
    try {
      const purged = await this.registry.purgeStale();
      if (purged > 0) this.log.info({ purged }, 'purged stale proxy instances');
    } catch (error) {
      this.log.warn({ err: error }, 'stale purge failed');
    }
  }
}
