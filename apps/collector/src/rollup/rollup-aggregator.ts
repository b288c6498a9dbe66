import { DIRECTIONS, LATENCY_BUCKETS_SECONDS, METRIC, type Direction } from '@trellis/contracts';
import { fromCumulative } from '@trellis/histogram';
import { FIRST_LATENCY_FIELD, LATENCY_BUCKET_COUNT, ROLLUP_FIELDS } from './rollup-fields.js';
import { routeKeyString, rowFromValues, type RollupRow, type RouteKey } from './rollup-row.js';
import type { DeltaSink, SeriesIdentity } from './series-sink.js';

const FIELD_COUNT = ROLLUP_FIELDS.length;

/** The fields each (family, part) of series can add to, so binding a series looks at a few. */
const FIELDS_BY_SERIES = new Map<string, number[]>();
ROLLUP_FIELDS.forEach((field, index) => {
  const key = seriesKey(field.source.family, field.source.part);
  const fields = FIELDS_BY_SERIES.get(key);
  if (fields === undefined) FIELDS_BY_SERIES.set(key, [index]);
  else fields.push(index);
});

function seriesKey(family: string, part: string): string {
  return `${family}\u0000${part}`;
}

export class RouteAccumulator implements RouteKey {
  readonly values = new Float64Array(FIELD_COUNT);
  round = -1;
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

/** Where one series' increases go: fields (indices into ROLLUP_FIELDS) of one route. */
export class RollupBinding {
  constructor(
    readonly accumulator: RouteAccumulator,
    readonly fields: readonly number[],
    readonly latencyShape: LatencyHistogramShape | undefined,
  ) {}
}

const DIRECTION_SET: ReadonlySet<string> = new Set(DIRECTIONS);
const LATENCY_BOUND_INDEX = new Map<number, number>(
  LATENCY_BUCKETS_SECONDS.map((bound, index) => [bound, index]),
);
LATENCY_BOUND_INDEX.set(Infinity, LATENCY_BUCKETS_SECONDS.length);
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
    const fields = (FIELDS_BY_SERIES.get(seriesKey(series.family, series.part)) ?? []).filter(
      (index) => ROLLUP_FIELDS[index]?.source.where?.(series) ?? true,
    );
    if (fields.length === 0) return undefined;
    return new RollupBinding(this.accumulatorFor(key), fields, latencyShape);
  }

  add(binding: RollupBinding, delta: number): void {
    if (binding.latencyShape !== undefined && !binding.latencyShape.mergeable) return;
    const accumulator = binding.accumulator;
    if (accumulator.round !== this.round) {
      accumulator.round = this.round;
      accumulator.values.fill(0);
      this.touched.push(accumulator);
    }
    const values = accumulator.values;
    for (const field of binding.fields) values[field] = (values[field] as number) + delta;
  }

  /** The rows of every route that saw an increase since the last call, stamped with a bucket. */
  takeRows(bucketStartMs: number, bucketSeconds: number): RollupRow[] {
    const rows = this.touched.map((accumulator) =>
      toRow(accumulator, bucketStartMs, bucketSeconds),
    );
    this.touched = [];
    this.round++;
    return rows;
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

/** Latency fields hold cumulative `le` increases until here, where they become per-bucket counts. */
function toRow(
  accumulator: RouteAccumulator,
  bucketStartMs: number,
  bucketSeconds: number,
): RollupRow {
  const values = Float64Array.from(accumulator.values);
  const latency = values.subarray(FIRST_LATENCY_FIELD, FIRST_LATENCY_FIELD + LATENCY_BUCKET_COUNT);
  latency.set(fromCumulative(latency));
  return rowFromValues(accumulator, bucketStartMs, bucketSeconds, values);
}
