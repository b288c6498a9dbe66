import {
  DIRECTIONS,
  LATENCY_BUCKETS_SECONDS,
  METRIC,
  RETRY_RESULTS,
  type Direction,
} from '@trellis/contracts';
import { fromCumulative } from '@trellis/histogram';
import type { DeltaSink, SeriesIdentity } from '../scrape/series-identity.js';
import {
  LATENCY_BUCKET_COUNT,
  emptyRetries,
  routeKeyString,
  type RollupRow,
  type RouteKey,
} from './rollup-row.js';

const REQUESTS = 0;
const SUCCESS = 1;
const FAILURE = 2;
const STATUS_1XX = 3;
const ATTEMPTS = 8;
const ATTEMPT_FAILURES = 9;
const RETRIES = 10;
const LATENCY_SUM = RETRIES + RETRY_RESULTS.length;
/** Cumulative `le` increases, converted to per-bucket counts when a row is built. */
const LATENCY_LE = LATENCY_SUM + 1;
const FIELD_COUNT = LATENCY_LE + LATENCY_BUCKET_COUNT;
const NO_FIELD = -1;

export class RouteAccumulator implements RouteKey {
  readonly values = new Float64Array(FIELD_COUNT);
  readonly errors = new Map<string, number>();
  round = -1;
  /** Series bound to it; at 0 it is forgotten, so routes that are gone do not pile up. */
  bindings = 0;
  constructor(
    readonly direction: Direction,
    readonly srcService: string,
    readonly dstService: string,
    readonly route: string,
  ) {}
}

/**
 * One exposed latency histogram (a label set without `le`). Its buckets merge into a row only
 * if it has exactly the contract's boundaries: a missing or foreign bound would shift
 * observations between buckets or pile them into +Inf.
 */
export class LatencyHistogramShape {
  private readonly seen = new Set<number>();
  private foreign = false;

  noteBound(index: number | undefined): void {
    if (index === undefined) this.foreign = true;
    else this.seen.add(index);
  }

  get mergeable(): boolean {
    return !this.foreign && this.seen.size === LATENCY_BUCKET_COUNT;
  }
}

/** Where one series' increases go: up to two fields of one route, and maybe an error code. */
export class RollupBinding {
  constructor(
    readonly accumulator: RouteAccumulator,
    readonly field: number,
    readonly secondField: number,
    readonly errorCode: string | undefined,
    readonly latencyShape: LatencyHistogramShape | undefined,
  ) {}
}

const DIRECTION_SET: ReadonlySet<string> = new Set(DIRECTIONS);
const LATENCY_BOUND_INDEX = new Map<number, number>(
  LATENCY_BUCKETS_SECONDS.map((bound, index) => [bound, index]),
);
LATENCY_BOUND_INDEX.set(Infinity, LATENCY_BUCKETS_SECONDS.length);
const RETRY_RESULT_INDEX = new Map<string, number>(
  RETRY_RESULTS.map((result, index) => [result, index]),
);

function statusClassField(statusCode: string | undefined): number {
  if (statusCode?.length !== 3) return NO_FIELD;
  const digit = statusCode.charCodeAt(0) - 48;
  return digit >= 1 && digit <= 5 ? STATUS_1XX + digit - 1 : NO_FIELD;
}

/**
 * Sums the increases of every proxy's series into one row per (direction, source, destination,
 * route) for a scrape round. Implements `DeltaSink`, so each series is mapped to its row and
 * fields once, and a delta is an array addition. `takeRows` closes the round.
 */
export class RollupAggregator implements DeltaSink<RollupBinding> {
  private readonly routes = new Map<string, RouteAccumulator>();
  private readonly latencyShapes = new WeakMap<object, LatencyHistogramShape>();
  private touched: RouteAccumulator[] = [];
  private round = 0;

  bind(series: SeriesIdentity): RollupBinding | undefined {
    const labels = series.labels;
    const direction = labels['direction'];
    if (direction === undefined || !DIRECTION_SET.has(direction)) return undefined;
    const key: RouteKey = {
      direction: direction as Direction,
      srcService: labels['src_service'] ?? '',
      dstService: labels['dst_service'] ?? '',
      route: labels['route'] ?? '',
    };
    let latencyShape: LatencyHistogramShape | undefined;
    if (
      series.family === METRIC.responseLatencySeconds &&
      series.part !== 'count' &&
      series.histogram !== undefined
    ) {
      latencyShape = this.latencyShapeOf(series.histogram);
      if (series.part === 'bucket') {
        latencyShape.noteBound(LATENCY_BOUND_INDEX.get(series.upperBound ?? Number.NaN));
      }
    }
    const fields = fieldsFor(series);
    if (fields === undefined) return undefined;
    const accumulator = this.accumulatorFor(key);
    accumulator.bindings++;
    return new RollupBinding(accumulator, fields[0], fields[1], fields[2], latencyShape);
  }

  add(binding: RollupBinding, delta: number): void {
    if (binding.latencyShape !== undefined && !binding.latencyShape.mergeable) return;
    const accumulator = binding.accumulator;
    if (accumulator.round !== this.round) {
      accumulator.round = this.round;
      accumulator.values.fill(0);
      accumulator.errors.clear();
      this.touched.push(accumulator);
    }
    const values = accumulator.values;
    values[binding.field] = (values[binding.field] as number) + delta;
    if (binding.secondField !== NO_FIELD) {
      values[binding.secondField] = (values[binding.secondField] as number) + delta;
    }
    if (binding.errorCode !== undefined) {
      accumulator.errors.set(
        binding.errorCode,
        (accumulator.errors.get(binding.errorCode) ?? 0) + delta,
      );
    }
  }

  release(binding: RollupBinding): void {
    const accumulator = binding.accumulator;
    accumulator.bindings--;
    // One with increases this round is forgotten once its row is taken.
    if (accumulator.bindings === 0 && accumulator.round !== this.round) this.forget(accumulator);
  }

  /** Routes with a series bound to them. */
  get size(): number {
    return this.routes.size;
  }

  /** The rows of every route that saw an increase since the last call, stamped with a bucket. */
  takeRows(bucketStartMs: number, bucketSeconds: number): RollupRow[] {
    const rows = this.touched.map((accumulator) =>
      toRow(accumulator, bucketStartMs, bucketSeconds),
    );
    for (const accumulator of this.touched) {
      if (accumulator.bindings === 0) this.forget(accumulator);
    }
    this.touched = [];
    this.round++;
    return rows;
  }

  private forget(accumulator: RouteAccumulator): void {
    const id = routeKeyString(accumulator);
    if (this.routes.get(id) === accumulator) this.routes.delete(id);
  }

  private latencyShapeOf(histogram: object): LatencyHistogramShape {
    let shape = this.latencyShapes.get(histogram);
    if (shape === undefined) {
      shape = new LatencyHistogramShape();
      this.latencyShapes.set(histogram, shape);
    }
    return shape;
  }

  private accumulatorFor(key: RouteKey): RouteAccumulator {
    const id = routeKeyString(key);
    let accumulator = this.routes.get(id);
    if (accumulator === undefined) {
      accumulator = new RouteAccumulator(key.direction, key.srcService, key.dstService, key.route);
      this.routes.set(id, accumulator);
    }
    return accumulator;
  }
}

function fieldsFor(series: SeriesIdentity): [number, number, string | undefined] | undefined {
  const labels = series.labels;
  switch (series.family) {
    case METRIC.requestTotal:
      return series.part === 'counter' ? [REQUESTS, NO_FIELD, undefined] : undefined;
    case METRIC.responseTotal: {
      if (series.part !== 'counter') return undefined;
      const classification = labels['classification'];
      if (classification !== 'success' && classification !== 'failure') return undefined;
      const error = labels['error'];
      return [
        classification === 'success' ? SUCCESS : FAILURE,
        statusClassField(labels['status_code']),
        error === undefined || error === '' ? undefined : error,
      ];
    }
    case METRIC.attemptTotal:
      if (series.part !== 'counter') return undefined;
      return [
        ATTEMPTS,
        labels['classification'] === 'failure' ? ATTEMPT_FAILURES : NO_FIELD,
        undefined,
      ];
    case METRIC.retryTotal: {
      const index = RETRY_RESULT_INDEX.get(labels['result'] ?? '');
      if (series.part !== 'counter' || index === undefined) return undefined;
      return [RETRIES + index, NO_FIELD, undefined];
    }
    case METRIC.responseLatencySeconds: {
      if (series.part === 'sum') return [LATENCY_SUM, NO_FIELD, undefined];
      if (series.part !== 'bucket' || series.upperBound === undefined) return undefined;
      // The contract's bounds are matched exactly: the exporter prints them from the same
      // numbers. A histogram with any other bound is left out whole (LatencyHistogramShape).
      const index = LATENCY_BOUND_INDEX.get(series.upperBound);
      return index === undefined ? undefined : [LATENCY_LE + index, NO_FIELD, undefined];
    }
    default:
      return undefined;
  }
}

function toRow(
  accumulator: RouteAccumulator,
  bucketStartMs: number,
  bucketSeconds: number,
): RollupRow {
  const values = accumulator.values;
  const retries = emptyRetries();
  RETRY_RESULTS.forEach((result, index) => {
    retries[result] = values[RETRIES + index] as number;
  });
  return {
    bucketStartMs,
    bucketSeconds,
    direction: accumulator.direction,
    srcService: accumulator.srcService,
    dstService: accumulator.dstService,
    route: accumulator.route,
    requests: values[REQUESTS] as number,
    responseSuccess: values[SUCCESS] as number,
    responseFailure: values[FAILURE] as number,
    status1xx: values[STATUS_1XX] as number,
    status2xx: values[STATUS_1XX + 1] as number,
    status3xx: values[STATUS_1XX + 2] as number,
    status4xx: values[STATUS_1XX + 3] as number,
    status5xx: values[STATUS_1XX + 4] as number,
    errors: Object.fromEntries(accumulator.errors),
    attempts: values[ATTEMPTS] as number,
    attemptFailures: values[ATTEMPT_FAILURES] as number,
    retries,
    latencyBuckets: fromCumulative(values.subarray(LATENCY_LE, LATENCY_LE + LATENCY_BUCKET_COUNT)),
    latencySumSeconds: values[LATENCY_SUM] as number,
  };
}
