import { RETRY_RESULTS, type Direction, type RetryResult } from '@trellis/contracts';
import { LATENCY_BUCKET_COUNT, ROLLUP_FIELDS, type CountFieldName } from './rollup-fields.js';

/** Identity of a row apart from its time bucket. */
export interface RouteKey {
  readonly direction: Direction;
  readonly srcService: string;
  readonly dstService: string;
  readonly route: string;
}

/**
 * What happened on one edge and route during one time bucket, summed over every proxy that
 * reported it. Every number is an increase (a count of events in the bucket), never a
 * cumulative value or a rate, so rows of different proxies and of adjacent time buckets merge
 * by adding field by field, and PromQL's `increase`-based answers over any union of rows are
 * sums over those rows. Its numbers are the fields of ROLLUP_FIELDS (rollup-fields.ts).
 */
export type RollupRow = RouteKey & {
  /** Start of the time bucket, ms since the epoch, a multiple of `bucketSeconds`. */
  readonly bucketStartMs: number;
  readonly bucketSeconds: number;
  /** `response_total` increase by proxy error code; codes without a field are not kept. */
  readonly errors: Readonly<Partial<Record<string, number>>>;
  /** `retry_total` increase by result. */
  readonly retries: Readonly<Record<RetryResult, number>>;
  /**
   * `response_latency_seconds` observations per bucket — not cumulative: `latencyBuckets[i]`
   * fell in `(LATENCY_BUCKETS_SECONDS[i-1], LATENCY_BUCKETS_SECONDS[i]]`, the last one above
   * 50 s. Per-bucket counts add up to the observation count, are non-negative on their own
   * and stay mostly zero (cheap to store sparsely); cumulative counts would merge just as
   * well, but every consumer would have to re-derive the per-bucket bars from them.
   */
  readonly latencyBuckets: readonly number[];
} & { readonly [Name in CountFieldName]: number };

export function routeKeyString(key: RouteKey): string {
  return `${key.direction}\u0000${key.srcService}\u0000${key.dstService}\u0000${key.route}`;
}

export function emptyRetries(): Record<RetryResult, number> {
  const retries = {} as Record<RetryResult, number>;
  for (const result of RETRY_RESULTS) retries[result] = 0;
  return retries;
}

/** The row's numbers in ROLLUP_FIELDS order. */
export function fieldValues(row: RollupRow): number[] {
  return ROLLUP_FIELDS.map((field) => {
    switch (field.kind) {
      case 'count':
      case 'seconds':
        return row[field.name as CountFieldName];
      case 'error':
        return row.errors[field.name] ?? 0;
      case 'retry':
        return row.retries[field.name as RetryResult];
      case 'latency-bucket':
        return row.latencyBuckets[Number(field.name)] ?? 0;
    }
  });
}

/** A row from its key, time bucket and numbers in ROLLUP_FIELDS order. */
export function rowFromValues(
  key: RouteKey,
  bucketStartMs: number,
  bucketSeconds: number,
  values: ArrayLike<number>,
): RollupRow {
  const counts = {} as Record<CountFieldName, number>;
  const errors: Record<string, number> = {};
  const retries = emptyRetries();
  const latencyBuckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  ROLLUP_FIELDS.forEach((field, index) => {
    const value = values[index] ?? 0;
    switch (field.kind) {
      case 'count':
      case 'seconds':
        counts[field.name as CountFieldName] = value;
        break;
      case 'error':
        if (value > 0) errors[field.name] = value;
        break;
      case 'retry':
        retries[field.name as RetryResult] = value;
        break;
      case 'latency-bucket':
        latencyBuckets[Number(field.name)] = value;
        break;
    }
  });
  return {
    bucketStartMs,
    bucketSeconds,
    direction: key.direction,
    srcService: key.srcService,
    dstService: key.dstService,
    route: key.route,
    ...counts,
    errors,
    retries,
    latencyBuckets,
  };
}
