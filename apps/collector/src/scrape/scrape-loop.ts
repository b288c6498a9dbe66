import { Agent, request } from 'undici';
import { RollupAggregator, type RollupBinding } from '../rollup/rollup-aggregator.js';
import type { RollupRow } from '../rollup/rollup-row.js';
import { timeBucketStart } from '../rollup/time-bucket.js';
import type { CheckpointWrite, StoredCheckpoint } from './counter-checkpoints.js';
import { TargetDeltaTracker } from './counter-deltas.js';

/** A proxy to scrape. */
export interface ScrapeTarget {
  /** Stable id of the proxy instance (one process). */
  readonly instanceId: string;
  /** `host:port` of its admin listener, or a base URL; `/metrics` is appended. */
  readonly adminAddress: string;
}

export interface TargetScrapeStatus {
  readonly instanceId: string;
  readonly adminAddress: string;
  /** When this scrape started, ms since the epoch. */
  readonly scrapedAtMs: number;
  readonly durationMs: number;
  /** Why the scrape failed; null when it succeeded. */
  readonly error: string | null;
  /** Samples parsed; 0 on failure. */
  readonly samples: number;
}

export interface ScrapeRound {
  readonly startedAtMs: number;
  /** Rows of every route that had traffic since the previous round, all in one time bucket. */
  readonly rows: RollupRow[];
  readonly targets: TargetScrapeStatus[];
  /**
   * The counters of every target whose checkpoint moved, to store with `rows`; only when the
   * loop has a checkpoint source.
   */
  readonly checkpoints: CheckpointWrite[];
}

export interface ScrapeLoopOptions {
  /** The proxies to scrape now; asked at the start of every round. */
  readonly targets: () => readonly ScrapeTarget[] | Promise<readonly ScrapeTarget[]>;
  /**
   * Receives each round. A round waits for the previous sink call to settle. When it throws,
   * a loop with `checkpoints` forgets every target and reads them back from there.
   */
  readonly sink: (round: ScrapeRound) => void | Promise<void>;
  /**
   * Where each target's counters stand as of its last stored round. A target the loop has not
   * watched yet counts from its checkpoint, so nothing it served while no collector scraped it
   * is lost. Without one, a loop's first scrape of a target is a baseline.
   */
  readonly checkpoints?: {
    load(instanceIds: readonly string[]): Promise<Map<string, StoredCheckpoint>>;
  };
  readonly intervalMs: number;
  /** Per-target limit for connecting, the response and its body. */
  readonly timeoutMs: number;
  /** Width of the rollup time buckets; defaults to the interval. */
  readonly bucketSeconds?: number;
  /** Called when `targets` or `sink` throws; the loop goes on. */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => number;
}

export type ScrapeErrorCode = 'scrape-timeout' | 'scrape-http-status' | 'scrape-failed';

export class ScrapeError extends Error {
  override readonly name = 'ScrapeError';
  constructor(
    readonly code: ScrapeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface WatchedTarget {
  readonly adminAddress: string;
  readonly tracker: TargetDeltaTracker<RollupBinding>;
  /** Revision of its stored checkpoint; undefined while none is stored. */
  revision: number | undefined;
  /** The stored checkpoint is where the tracker stands, though none of its counters moved. */
  checkpointed: boolean;
}

function metricsUrl(adminAddress: string): string {
  const base = /^https?:\/\//.test(adminAddress) ? adminAddress : `http://${adminAddress}`;
  return `${base.replace(/\/+$/, '')}/metrics`;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Scrapes every target's `/metrics` each interval, concurrently, each with its own timeout,
 * over one keep-alive connection pool, and hands the round's rollup rows and per-target status
 * to the sink. A target that fails keeps its counters' last values, so its next good scrape
 * reports the increase over both intervals. Rounds never overlap.
 */
export class ScrapeLoop {
  private readonly agent = new Agent({ keepAliveTimeout: 60_000, connections: 4 });
  private readonly aggregator = new RollupAggregator();
  private readonly watched = new Map<string, WatchedTarget>();
  private readonly now: () => number;
  private readonly bucketSeconds: number;
  private watchStartedAtMs: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private started = false;

  constructor(private readonly options: ScrapeLoopOptions) {
    this.now = options.now ?? Date.now;
    this.bucketSeconds = options.bucketSeconds ?? options.intervalMs / 1000;
  }

  /** Starts scraping now and then every interval. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.tick();
  }

  /** Stops scheduling, waits for a round in flight, and closes every connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.agent.close();
  }

  /** One round handed to the sink, outside the schedule; what the loop runs each interval. */
  async scrapeOnce(): Promise<ScrapeRound> {
    const startedAtMs = this.now();
    this.watchStartedAtMs ??= startedAtMs;
    const targets = await this.options.targets();
    this.forgetTargetsNotIn(targets);
    await this.watchAll(targets);
    const checkpoints: CheckpointWrite[] = [];
    const statuses = await Promise.all(
      targets.map((target) => this.scrapeTarget(target, checkpoints)),
    );
    const rows = this.aggregator.takeRows(
      timeBucketStart(startedAtMs, this.bucketSeconds),
      this.bucketSeconds,
    );
    const round = { startedAtMs, rows, targets: statuses, checkpoints };
    try {
      await this.options.sink(round);
    } catch (error) {
      // The trackers moved past what is stored: start again from the stored checkpoints.
      if (this.options.checkpoints) this.watched.clear();
      throw error;
    }
    for (const write of checkpoints) {
      const watched = this.watched.get(write.instanceId);
      if (watched === undefined) continue;
      watched.revision = (write.baseRevision ?? 0) + 1;
      watched.checkpointed = true;
    }
    return round;
  }

  private tick(): void {
    const round = this.now();
    this.running = this.scrapeOnce()
      .then(() => undefined)
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const wait = Math.max(0, round + this.options.intervalMs - this.now());
        this.timer = setTimeout(() => this.tick(), wait);
      });
  }

  private forgetTargetsNotIn(targets: readonly ScrapeTarget[]): void {
    const current = new Set(targets.map((target) => target.instanceId));
    for (const id of this.watched.keys()) if (!current.has(id)) this.watched.delete(id);
  }

  /**
   * Starts a tracker for every target not watched yet, from its stored checkpoint if any. A new
   * admin address is a new process behind the same id: start over with it, too; its start time
   * tells its checkpoint's counters apart from its own.
   */
  private async watchAll(targets: readonly ScrapeTarget[]): Promise<void> {
    const unwatched = targets.filter(
      (target) => this.watched.get(target.instanceId)?.adminAddress !== target.adminAddress,
    );
    if (unwatched.length === 0) return;
    const stored =
      (await this.options.checkpoints?.load(unwatched.map((target) => target.instanceId))) ??
      new Map<string, StoredCheckpoint>();
    for (const target of unwatched) {
      const checkpoint = stored.get(target.instanceId);
      this.watched.set(target.instanceId, {
        adminAddress: target.adminAddress,
        tracker: new TargetDeltaTracker(this.aggregator, {
          watchStartedAtMs: this.watchStartedAtMs ?? this.now(),
          ...(checkpoint?.checkpoint ? { checkpoint: checkpoint.checkpoint } : {}),
        }),
        revision: checkpoint?.revision,
        checkpointed: checkpoint?.checkpoint !== undefined,
      });
    }
  }

  private async scrapeTarget(
    target: ScrapeTarget,
    checkpoints: CheckpointWrite[],
  ): Promise<TargetScrapeStatus> {
    const watched = this.watched.get(target.instanceId) as WatchedTarget;
    const scrapedAtMs = this.now();
    const started = performance.now();
    let error: string | null = null;
    let samples = 0;
    try {
      const text = await this.fetchMetrics(target.adminAddress);
      const ingested = watched.tracker.ingest(text);
      samples = ingested.samples;
      if (this.options.checkpoints && (ingested.counted || !watched.checkpointed)) {
        checkpoints.push({
          instanceId: target.instanceId,
          baseRevision: watched.revision,
          checkpoint: watched.tracker.checkpoint(),
        });
      }
    } catch (caught) {
      error = describe(caught);
    }
    return {
      instanceId: target.instanceId,
      adminAddress: target.adminAddress,
      scrapedAtMs,
      durationMs: performance.now() - started,
      error,
      samples,
    };
  }

  private async fetchMetrics(adminAddress: string): Promise<string> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await request(metricsUrl(adminAddress), {
        dispatcher: this.agent,
        signal: controller.signal,
        headers: { accept: 'text/plain;version=0.0.4' },
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new ScrapeError('scrape-http-status', `HTTP ${response.statusCode}`);
      }
      return await response.body.text();
    } catch (caught) {
      if (controller.signal.aborted) {
        throw new ScrapeError(
          'scrape-timeout',
          `no complete response within ${this.options.timeoutMs} ms`,
          { cause: caught },
        );
      }
      if (caught instanceof ScrapeError) throw caught;
      throw new ScrapeError('scrape-failed', describe(caught), { cause: caught });
    } finally {
      clearTimeout(timeout);
    }
  }
}
