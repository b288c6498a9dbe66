import { isIP } from 'node:net';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DIRECTIONS } from '@trellis/contracts';
import { Agent, errors as undiciErrors, request } from 'undici';
import { RollupAggregator, type RollupBinding } from '../rollup/rollup-aggregator.js';
import type { RollupRow } from '../rollup/rollup-row.js';
import { timeBucketStart } from '../rollup/time-bucket.js';
import type { CheckpointWrite, StoredCheckpoint } from './counter-checkpoints.js';
import { SeriesLimitError, TargetDeltaTracker } from './counter-deltas.js';
import { PrometheusTextParseError } from './prometheus-text-parser.js';
import { DEFAULT_SCRAPE_ALLOW, ScrapeAllowList, ScrapeNotAllowedError } from './scrape-allow.js';
import type { DeltaSink, SeriesIdentity } from '../rollup/series-sink.js';

/** A proxy to scrape. */
export interface ScrapeTarget {
  /** Stable id of the proxy instance (one process). */
  readonly instanceId: string;
  /** The service it registered for: the only one its series may speak for. */
  readonly service: string;
  /** `host:port` of its admin listener, or a base URL; `/metrics` is appended. */
  readonly adminAddress: string;
}

export interface TargetScrapeStatus {
  readonly instanceId: string;
  readonly adminAddress: string;
  /** When this scrape started, ms since the epoch. */
  readonly scrapedAtMs: number;
  readonly durationMs: number;
  /**
   * What failed, in the collector's own words (it never quotes the target's bytes); null when
   * the scrape succeeded.
   */
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

/** What one target may cost the collector in one scrape. */
export interface ScrapeLimits {
  /** Response body bytes, counted as they arrive. */
  readonly maxBodyBytes: number;
  /** Series (sample lines) and `# TYPE` lines. */
  readonly maxSeries: number;
}

/**
 * Room for a proxy with hundreds of routes (about 40 series each) at about 100 bytes a line,
 * and a bound on what any one target costs per scrape.
 */
export const DEFAULT_SCRAPE_LIMITS: ScrapeLimits = {
  maxBodyBytes: 8 * 1024 ** 2,
  maxSeries: 20_000,
};

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
  /** Defaults to DEFAULT_SCRAPE_LIMITS. */
  readonly limits?: ScrapeLimits;
  /** The networks targets may be in; defaults to DEFAULT_SCRAPE_ALLOW. */
  readonly allow?: ScrapeAllowList;
  /** Width of the rollup time buckets; defaults to the interval. */
  readonly bucketSeconds?: number;
  /** Called when `targets` or `sink` throws; the loop goes on. */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => number;
}

export type ScrapeErrorCode =
  | 'scrape-not-allowed'
  | 'scrape-refused'
  | 'scrape-unreachable'
  | 'scrape-timeout'
  | 'scrape-http-status'
  | 'scrape-body-limit'
  | 'scrape-series-limit'
  | 'scrape-parse'
  | 'scrape-failed';

/** Why a scrape failed. Its message is shown to viewers, so it never holds remote bytes. */
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

/** How much of the body is parsed before the event loop gets a turn. */
const PARSE_CHUNK_CHARS = 64 * 1024;

const DIRECTION_SET: ReadonlySet<string> = new Set(DIRECTIONS);

/**
 * A target's view of the shared aggregator: series that speak for another service than the
 * one the instance registered for (another `src_service` on outbound, another `dst_service`
 * on inbound) are dropped and counted, so one registration cannot write another service's
 * numbers.
 */
class TargetSink implements DeltaSink<RollupBinding> {
  constructor(
    private readonly aggregator: RollupAggregator,
    private readonly service: string,
    private readonly onDropped: () => void,
  ) {}

  bind(series: SeriesIdentity): RollupBinding | undefined {
    const direction = series.labels['direction'];
    if (direction !== undefined && DIRECTION_SET.has(direction)) {
      const own =
        direction === 'outbound' ? series.labels['src_service'] : series.labels['dst_service'];
      if (own !== this.service) {
        this.onDropped();
        return undefined;
      }
    }
    return this.aggregator.bind(series);
  }

  add(binding: RollupBinding, delta: number): void {
    this.aggregator.add(binding, delta);
  }

  release(binding: RollupBinding): void {
    this.aggregator.release(binding);
  }
}

interface WatchedTarget {
  readonly adminAddress: string;
  readonly service: string;
  readonly tracker: TargetDeltaTracker<RollupBinding>;
  /** Revision of its stored checkpoint; undefined while none is stored. */
  revision: number | undefined;
  /** The stored checkpoint is where the tracker stands, though none of its counters moved. */
  checkpointed: boolean;
}

function metricsUrl(adminAddress: string): URL {
  const base = /^https?:\/\//.test(adminAddress) ? adminAddress : `http://${adminAddress}`;
  return new URL(`${base.replace(/\/+$/, '')}/metrics`);
}

/** Node's error code, when it is one (upper case and underscores: never remote text). */
function errorCode(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Za-z_-]{1,40}$/.test(code)) return code;
    cause = cause.cause;
  }
  return undefined;
}

/** A transport failure in words a viewer can act on. */
function transportError(caught: unknown): ScrapeError {
  const code = errorCode(caught);
  const fail = (kind: ScrapeErrorCode, message: string) =>
    new ScrapeError(kind, message, { cause: caught });
  if (caught instanceof undiciErrors.HTTPParserError) {
    return fail('scrape-failed', 'the response is not HTTP/1.1');
  }
  switch (code) {
    case 'scrape-not-allowed':
      return fail('scrape-not-allowed', 'the address is outside --scrape-allow');
    case 'ECONNREFUSED':
      return fail('scrape-refused', 'connection refused');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail('scrape-unreachable', 'host name not found');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail('scrape-unreachable', 'host unreachable');
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return fail('scrape-failed', 'connection closed before the response was complete');
    default:
      return fail('scrape-failed', code === undefined ? 'failed' : `failed (${code})`);
  }
}

/**
 * Scrapes every target's `/metrics` each interval, concurrently, each with its own timeout,
 * over one keep-alive connection pool, and hands the round's rollup rows and per-target status
 * to the sink. A target that fails keeps its counters' last values, so its next good scrape
 * reports the increase over both intervals. Rounds never overlap.
 */
export class ScrapeLoop {
  private readonly agent: Agent;
  private readonly aggregator = new RollupAggregator();
  private readonly watched = new Map<string, WatchedTarget>();
  private readonly now: () => number;
  private readonly bucketSeconds: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private started = false;

  private readonly limits: ScrapeLimits;
  private readonly allow: ScrapeAllowList;
  /** Series dropped since the start for speaking for another service than their instance's. */
  droppedSeries = 0;

  constructor(private readonly options: ScrapeLoopOptions) {
    this.limits = options.limits ?? DEFAULT_SCRAPE_LIMITS;
    this.allow = options.allow ?? new ScrapeAllowList(DEFAULT_SCRAPE_ALLOW);
    this.agent = new Agent({
      keepAliveTimeout: 60_000,
      connections: 4,
      connect: { lookup: this.allow.lookup },
    });
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
      if (this.options.checkpoints) this.forgetTargetsNotIn([]);
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
    for (const [id, watched] of this.watched) {
      if (current.has(id)) continue;
      watched.tracker.close();
      this.watched.delete(id);
    }
  }

  /**
   * Starts a tracker for every target not watched yet, from its stored checkpoint if any. A new
   * admin address (or service) is a new process behind the same id: start over with it, too;
   * its start time tells its checkpoint's counters apart from its own.
   */
  private async watchAll(targets: readonly ScrapeTarget[]): Promise<void> {
    const unwatched = targets.filter((target) => {
      const watched = this.watched.get(target.instanceId);
      return watched?.adminAddress !== target.adminAddress || watched.service !== target.service;
    });
    if (unwatched.length === 0) return;
    const stored =
      (await this.options.checkpoints?.load(unwatched.map((target) => target.instanceId))) ??
      new Map<string, StoredCheckpoint>();
    for (const target of unwatched) {
      const checkpoint = stored.get(target.instanceId);
      this.watched.get(target.instanceId)?.tracker.close();
      const sink = new TargetSink(this.aggregator, target.service, () => this.droppedSeries++);
      this.watched.set(target.instanceId, {
        adminAddress: target.adminAddress,
        service: target.service,
        tracker: new TargetDeltaTracker(sink, {
          maxSeries: this.limits.maxSeries,
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
    watched.tracker.begin();
    try {
      await this.fetchInto(target.adminAddress, watched.tracker);
      const ingested = watched.tracker.finish();
      samples = ingested.samples;
      if (this.options.checkpoints && (ingested.counted || !watched.checkpointed)) {
        checkpoints.push({
          instanceId: target.instanceId,
          baseRevision: watched.revision,
          checkpoint: watched.tracker.checkpoint(),
        });
      }
    } catch (caught) {
      watched.tracker.abandon();
      if (!(caught instanceof ScrapeError)) throw caught;
      error = caught.message;
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

  /**
   * Reads the target's `/metrics` and feeds it to the tracker as it arrives, a bounded run of
   * whole lines at a time with a turn of the event loop between them, so neither a large body
   * nor a slow one holds the collector up; the limits are enforced while reading.
   */
  private async fetchInto(
    adminAddress: string,
    tracker: TargetDeltaTracker<RollupBinding>,
  ): Promise<void> {
    const url = metricsUrl(adminAddress);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    // Names are checked where they resolve (ScrapeAllowList.lookup), addresses here.
    if (isIP(host) !== 0 && !this.allow.allows(host)) {
      throw transportError(new ScrapeNotAllowedError());
    }
    const { maxBodyBytes } = this.limits;
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await request(url, {
        dispatcher: this.agent,
        signal: controller.signal,
        headers: { accept: 'text/plain;version=0.0.4' },
      });
      // Destroying the body to stop reading it emits an error; the reading loop gets its own.
      response.body.on('error', () => undefined);
      if (response.statusCode !== 200) {
        response.body.destroy();
        throw new ScrapeError('scrape-http-status', `HTTP ${response.statusCode}`);
      }
      const declared = Number(response.headers['content-length']);
      if (declared > maxBodyBytes) {
        response.body.destroy();
        throw bodyLimitError(maxBodyBytes);
      }
      const decoder = new TextDecoder('utf-8', { fatal: true });
      let bytes = 0;
      let pending = '';
      let line = 1;
      const feed = async (lines: string): Promise<void> => {
        for (let at = 0; at < lines.length;) {
          let end = lines.indexOf('\n', Math.min(at + PARSE_CHUNK_CHARS, lines.length - 1));
          end = end === -1 ? lines.length : end + 1;
          const piece = lines.slice(at, end);
          tracker.feed(piece, line);
          line += countLines(piece);
          at = end;
          await yieldToEventLoop();
        }
      };
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > maxBodyBytes) {
          response.body.destroy();
          throw bodyLimitError(maxBodyBytes);
        }
        pending += decoder.decode(chunk, { stream: true });
        const lastNewline = pending.lastIndexOf('\n');
        if (lastNewline === -1) continue;
        const lines = pending.slice(0, lastNewline + 1);
        pending = pending.slice(lastNewline + 1);
        await feed(lines);
      }
      pending += decoder.decode();
      if (pending !== '') await feed(pending);
    } catch (caught) {
      if (controller.signal.aborted) {
        throw new ScrapeError(
          'scrape-timeout',
          `no complete response within ${this.options.timeoutMs} ms`,
          { cause: caught },
        );
      }
      if (caught instanceof ScrapeError) throw caught;
      if (caught instanceof SeriesLimitError) {
        throw new ScrapeError(
          'scrape-series-limit',
          `over the series limit: ${caught.message} (--scrape-series-limit)`,
          { cause: caught },
        );
      }
      if (caught instanceof PrometheusTextParseError) {
        throw new ScrapeError(
          'scrape-parse',
          `not Prometheus text: line ${caught.line}, column ${caught.column}: ${caught.reason}`,
          { cause: caught },
        );
      }
      if (
        caught instanceof TypeError &&
        errorCode(caught) === 'ERR_ENCODING_INVALID_ENCODED_DATA'
      ) {
        throw new ScrapeError('scrape-parse', 'not Prometheus text: not UTF-8', { cause: caught });
      }
      throw transportError(caught);
    } finally {
      clearTimeout(timeout);
    }
  }
}

function bodyLimitError(maxBodyBytes: number): ScrapeError {
  return new ScrapeError(
    'scrape-body-limit',
    `over the body limit: more than ${maxBodyBytes} bytes (--scrape-body-limit)`,
  );
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}
