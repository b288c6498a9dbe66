import {
  LATENCY_BUCKETS_SECONDS,
  RETRY_RESULTS,
  type Direction,
  type RetryResult,
} from '@trellis/contracts';

/** Latency buckets per row: one per finite bound of `LATENCY_BUCKETS_SECONDS`, then +Inf. */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKETS_SECONDS.length + 1;

/**
 * What happened on one edge and route during one time bucket, summed over every proxy that
 * reported it. Every number is an increase (a count of events in the bucket), never a
 * cumulative value or a rate, so rows of different proxies and of adjacent time buckets merge
 * by adding field by field, and PromQL's `increase`-based answers over any union of rows are
 * sums over those rows.
 */
export interface RollupRow {
  /** Start of the time bucket, ms since the epoch, a multiple of `bucketSeconds`. */
  readonly bucketStartMs: number;
  readonly bucketSeconds: number;
  readonly direction: Direction;
  readonly srcService: string;
  readonly dstService: string;
  readonly route: string;
  /** `request_total` increase. */
  readonly requests: number;
  /** `response_total` increase by classification. */
  readonly responseSuccess: number;
  readonly responseFailure: number;
  /** `response_total` increase by status class; other status codes count in none. */
  readonly status1xx: number;
  readonly status2xx: number;
  readonly status3xx: number;
  readonly status4xx: number;
  readonly status5xx: number;
  /** `response_total` increase by non-empty `error` label (proxy error code). */
  readonly errors: Readonly<Record<string, number>>;
  /** `attempt_total` increase. */
  readonly attempts: number;
  /** `attempt_total{classification="failure"}` increase: the actual (per-attempt) failures. */
  readonly attemptFailures: number;
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
  /** `response_latency_seconds_sum` increase. */
  readonly latencySumSeconds: number;
}

/** Identity of a row apart from its time bucket. */
export interface RouteKey {
  readonly direction: Direction;
  readonly srcService: string;
  readonly dstService: string;
  readonly route: string;
}

export function routeKeyString(key: RouteKey): string {
  return `${key.direction}\u0000${key.srcService}\u0000${key.dstService}\u0000${key.route}`;
}

export function emptyRetries(): Record<RetryResult, number> {
  const retries = {} as Record<RetryResult, number>;
  for (const result of RETRY_RESULTS) retries[result] = 0;
  return retries;
}
