import {
  PrometheusTextParseError,
  parsePrometheusText,
  type MetricType,
  type ParsedSample,
  type SampleVisitor,
} from './prometheus-text-parser.js';
import type { DeltaSink, SeriesIdentity } from '../rollup/series-sink.js';

/** The gauge prom-client (and most exporters) expose for when the process started. */
export const PROCESS_START_TIME_METRIC = 'process_start_time_seconds';

export interface TargetDeltaTrackerOptions {
  /**
   * When the collector began watching this target (ms since the epoch). A target whose process
   * started at or after this moment has had every one of its increments happen while we were
   * watching, so its first scrape counts in full.
   */
  readonly watchStartedAtMs: number;
  /**
   * The target's counters as of its last stored scrape (by this collector before a restart, or
   * another before a takeover): the first scrape counts from these values instead of being a
   * baseline.
   */
  readonly checkpoint?: CounterCheckpoint;
}

/** A target's cumulative values at one scrape: enough to count the next scrape's increases. */
export interface CounterCheckpoint {
  readonly processStartTimeSeconds: number | null;
  /** Series key → value, for every series whose increases reach the sink. */
  readonly counters: ReadonlyMap<string, number>;
}

export interface IngestResult {
  readonly samples: number;
  /** Series the target currently exposes that we track. */
  readonly series: number;
  /** The target restarted since the previous scrape (its process start time moved). */
  readonly restarted: boolean;
  /** Some series increased, so the checkpoint moved. */
  readonly counted: boolean;
}

class HistogramGroup {
  resetGeneration = -1;
  seenGeneration = 0;
  constructor(
    /** Decoded once for all of the histogram's series. */
    readonly labels: Readonly<Record<string, string>>,
  ) {}
}

/** What a series is to the tracker. */
const CUMULATIVE = 0;
const START_TIME = 1;
const IGNORED = 2;
type SeriesKind = typeof CUMULATIVE | typeof START_TIME | typeof IGNORED;

class SeriesState<Binding> {
  last = 0;
  committed = false;
  seenGeneration = 0;
  /** Position in the last successful scrape, -1 if not in it. */
  position = -1;
  constructor(
    /** Detached copy of the series key. */
    readonly key: string,
    readonly kind: SeriesKind,
    readonly binding: Binding | undefined,
    readonly group: HistogramGroup | undefined,
  ) {}
}

/** A copy that does not keep the scraped payload alive, as a slice of it would. */
function detach(slice: string): string {
  return Buffer.from(slice, 'utf8').toString('utf8');
}

/**
 * Turns one target's cumulative counters and histograms into per-scrape increases, with the
 * reset rule of PromQL's `increase()`: a counter that went down restarted from zero, so its
 * increase is its new value. A histogram resets as a whole (if any of its `le`, `_sum` or
 * `_count` series went down, all of them restarted), so its buckets stay consistent.
 *
 * A series seen for the first time:
 * - on a target we had already scraped, it did not exist at the previous scrape (exporters
 *   create a labelled series on its first increment and keep it until the process ends), so it
 *   went from 0 to its value since then: the increase is its value. This is what PromQL gives
 *   with a known zero point (created-timestamp zero ingestion), and what the stored window
 *   must show: otherwise the first request of every new route would vanish.
 * - on the first scrape of a target, its value may hold hours of history from before we were
 *   watching. Counting it would pile that history into one interval, so it is a baseline
 *   (increase 0, as PromQL's increase has no earlier sample either) — unless the target's
 *   `process_start_time_seconds` is at or after `watchStartedAtMs`: then the whole value
 *   accrued while we watched, inside the stored window, and it counts.
 * When `process_start_time_seconds` moved forward, the process restarted: every series counts
 * from zero, even one that already climbed past its old value, which the went-down rule alone
 * would miss (Prometheus does the same with created timestamps).
 * A tracker made from a stored checkpoint is where the scrape that stored it left off: its
 * series count from their stored values, a series the checkpoint lacks is new since, and a
 * moved start time means the process restarted in between, so everything counts.
 * A series missing from a scrape is dropped, as Prometheus marks it stale; if it comes back,
 * it is new again. A scrape that fails to parse changes nothing, so the next good one reports
 * the increase over both intervals.
 *
 * Exporters write their series in the same order on every scrape, so the tracker tells the
 * parser which key to expect next (the one after the last matched series in the previous
 * scrape) and, on a match, takes its state by position instead of by a hashed lookup.
 */
export class TargetDeltaTracker<Binding> {
  private readonly series = new Map<string, SeriesState<Binding>>();
  private readonly groups = new Map<string, HistogramGroup>();
  private readonly types = new Map<string, MetricType>();
  private generation = 0;
  private seenCount = 0;
  private scraped = false;
  private startTimeSeconds: number | undefined;
  /** Values of the stored checkpoint, taken by series on their first sight, then dropped. */
  private restored: ReadonlyMap<string, number> | undefined;

  /** The previous successful scrape's series, in order. */
  private previous: SeriesState<Binding>[] = [];
  private cursor = 0;
  /** This scrape's series and values, in order; committed only if it parses. */
  private current: SeriesState<Binding>[] = [];
  private values = new Float64Array(1024);
  private count = 0;
  private pendingStartTime: number | undefined;

  private readonly visitor: SampleVisitor = {
    onSample: (sample) => this.onSample(sample),
    expectedSeriesKey: () => this.previous[this.cursor]?.key,
    onType: (name, type) => {
      if (this.types.get(name) !== type) this.types.set(detach(name), type);
    },
  };

  constructor(
    private readonly sink: DeltaSink<Binding>,
    private readonly options: TargetDeltaTrackerOptions,
  ) {
    const checkpoint = options.checkpoint;
    if (checkpoint !== undefined) {
      // As if the scrape that stored it had just been ingested: a series it lacks is new since.
      this.scraped = true;
      this.startTimeSeconds = checkpoint.processStartTimeSeconds ?? undefined;
      this.restored = checkpoint.counters;
    }
  }

  /** The values of the last successful scrape, to store with the increases it produced. */
  checkpoint(): CounterCheckpoint {
    const counters = new Map<string, number>();
    for (const state of this.previous) {
      if (state.binding !== undefined && state.committed) counters.set(state.key, state.last);
    }
    return { processStartTimeSeconds: this.startTimeSeconds ?? null, counters };
  }

  /**
   * Parses one scrape of the target and reports each series' increase to the sink. Throws
   * `PrometheusTextParseError` on malformed text, before anything reached the sink.
   */
  ingest(text: string): IngestResult {
    this.generation++;
    this.count = 0;
    this.cursor = 0;
    this.seenCount = 0;
    this.pendingStartTime = undefined;
    let samples: number;
    try {
      samples = parsePrometheusText(text, this.visitor);
    } finally {
      this.current.length = this.count;
    }
    const { restarted, counted } = this.commit();
    return { samples, series: this.series.size, restarted, counted };
  }

  private onSample(sample: ParsedSample): void {
    let state: SeriesState<Binding> | undefined;
    if (sample.expected) {
      state = this.previous[this.cursor] as SeriesState<Binding>;
    } else {
      state = this.series.get(sample.seriesKey);
      if (state === undefined) {
        state = this.firstSight(sample);
        this.series.set(state.key, state);
      }
    }
    if (state.position >= 0) this.cursor = state.position + 1;
    if (state.seenGeneration === this.generation) {
      throw new PrometheusTextParseError(`duplicate series ${sample.seriesKey}`, sample.line, 1);
    }
    state.seenGeneration = this.generation;
    this.seenCount++;
    if (state.group !== undefined) state.group.seenGeneration = this.generation;
    if (state.kind === START_TIME && !Number.isNaN(sample.value)) {
      this.pendingStartTime = sample.value;
    }
    const index = this.count++;
    if (index === this.values.length) {
      const grown = new Float64Array(index * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[index] = sample.value;
    this.current[index] = state;
  }

  private firstSight(sample: ParsedSample): SeriesState<Binding> {
    const key = detach(sample.seriesKey);
    const name = sample.name;
    if (name === PROCESS_START_TIME_METRIC) {
      return new SeriesState<Binding>(key, START_TIME, undefined, undefined);
    }
    if (this.types.get(name) === 'counter') {
      const binding = this.sink.bind({
        family: name,
        part: 'counter',
        upperBound: undefined,
        labels: sample.labels(),
        histogram: undefined,
      });
      return this.restore(new SeriesState(key, CUMULATIVE, binding, undefined));
    }
    for (const [suffix, part] of HISTOGRAM_SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      const family = name.slice(0, name.length - suffix.length);
      if (this.types.get(family) !== 'histogram') break;
      let upperBound: number | undefined;
      if (part === 'bucket') {
        const le = sample.labelValueOf('le');
        upperBound = le === '+Inf' ? Infinity : Number(le);
        if (le === undefined || le === '' || Number.isNaN(upperBound)) break;
      }
      const group = this.groupOf(family, sample);
      const binding = this.sink.bind({
        family,
        part,
        upperBound,
        labels: group.labels,
        histogram: group,
      });
      return this.restore(new SeriesState(key, CUMULATIVE, binding, group));
    }
    return new SeriesState<Binding>(key, IGNORED, undefined, undefined);
  }

  private restore(state: SeriesState<Binding>): SeriesState<Binding> {
    const value = this.restored?.get(state.key);
    if (value !== undefined) {
      state.last = value;
      state.committed = true;
    }
    return state;
  }

  /** The histogram a bucket, sum or count series belongs to: its labels without `le`. */
  private groupOf(family: string, sample: ParsedSample): HistogramGroup {
    const groupKey = `${family}{${sample.rawLabelPairsWithout('le')}}`;
    let group = this.groups.get(groupKey);
    if (group === undefined) {
      const labels = sample.labels();
      delete labels['le'];
      group = new HistogramGroup(labels);
      this.groups.set(groupKey, group);
    }
    return group;
  }

  private commit(): { restarted: boolean; counted: boolean } {
    const generation = this.generation;
    const states = this.current;
    const values = this.values;
    const count = this.count;

    const startTime = this.pendingStartTime;
    const restarted =
      this.startTimeSeconds !== undefined &&
      startTime !== undefined &&
      startTime > this.startTimeSeconds;
    const countFirstSight =
      this.scraped ||
      (startTime !== undefined && startTime * 1000 >= this.options.watchStartedAtMs);

    for (let i = 0; i < count; i++) {
      const state = states[i] as SeriesState<Binding>;
      state.position = i;
      if (state.group !== undefined && state.committed && (values[i] as number) < state.last) {
        state.group.resetGeneration = generation;
      }
    }

    let counted = false;
    for (let i = 0; i < count; i++) {
      const state = states[i] as SeriesState<Binding>;
      const value = values[i] as number;
      if (state.kind !== CUMULATIVE || Number.isNaN(value)) continue;
      let delta: number;
      if (!state.committed) {
        delta = countFirstSight ? value : 0;
      } else if (restarted) {
        delta = value;
      } else if (state.group !== undefined) {
        delta = state.group.resetGeneration === generation ? value : value - state.last;
      } else {
        delta = value < state.last ? value : value - state.last;
      }
      state.last = value;
      state.committed = true;
      if (delta !== 0 && state.binding !== undefined) {
        this.sink.add(state.binding, delta);
        counted = true;
      }
    }

    this.sweep(generation);
    this.current = this.previous;
    this.previous = states;
    if (startTime !== undefined) this.startTimeSeconds = startTime;
    this.scraped = true;
    this.restored = undefined;
    return { restarted, counted };
  }

  private sweep(generation: number): void {
    if (this.seenCount === this.series.size) return;
    for (const [key, state] of this.series) {
      if (state.seenGeneration !== generation) this.series.delete(key);
    }
    for (const [key, group] of this.groups) {
      if (group.seenGeneration !== generation) this.groups.delete(key);
    }
  }
}

const HISTOGRAM_SUFFIXES: readonly (readonly [string, SeriesIdentity['part']])[] = [
  ['_bucket', 'bucket'],
  ['_sum', 'sum'],
  ['_count', 'count'],
];
