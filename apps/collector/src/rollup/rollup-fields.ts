import {
  LATENCY_BUCKETS_SECONDS,
  METRIC,
  PROXY_ERRORS,
  RETRY_RESULTS,
  type ProxyErrorCode,
  type RetryResult,
} from '@trellis/contracts';
import type { SeriesIdentity } from './series-sink.js';

/**
 * Where a field's number lives in a RollupRow, and which column type holds it:
 * - `count`: `row[name]`, an integer column;
 * - `seconds`: `row[name]`, a float column;
 * - `error`: `row.errors[name]` (a proxy error code), an integer column;
 * - `retry`: `row.retries[name]` (a retry result), an integer column;
 * - `latency-bucket`: `row.latencyBuckets[index]`, an integer column.
 */
export type RollupFieldKind = 'count' | 'seconds' | 'error' | 'retry' | 'latency-bucket';

/** Which exposed series add to a field. */
export interface RollupFieldSource {
  readonly family: string;
  readonly part: SeriesIdentity['part'];
  /** Further conditions on the labels (or a bucket's bound); every series of the family and part when absent. */
  readonly where?: (series: SeriesIdentity) => boolean;
}

export interface RollupField {
  readonly name: string;
  /** Its column in the `Rollup` table (prisma/schema.prisma). */
  readonly column: string;
  readonly kind: RollupFieldKind;
  readonly source: RollupFieldSource;
  /** Golden metrics (requests, success rate, latency) read it; the big scans read only those. */
  readonly golden?: boolean;
}

const classified = (series: SeriesIdentity) => {
  const classification = series.labels['classification'];
  return classification === 'success' || classification === 'failure';
};

const responses = (where?: (series: SeriesIdentity) => boolean): RollupFieldSource => ({
  family: METRIC.responseTotal,
  part: 'counter',
  where: (series) => classified(series) && (where?.(series) ?? true),
});

/** `response_total` of a status class; a code that is not three digits counts in none. */
const statusClass = (digit: string) =>
  responses((series) => {
    const code = series.labels['status_code'];
    return code?.length === 3 && code.startsWith(digit);
  });

/**
 * The counts every row carries as named properties. Adding a field here (and its column in
 * prisma/schema.prisma, with a migration) is all a new count needs: the row type, the scrape
 * aggregation, merging, storage and the schema check all follow from this table.
 */
export const COUNT_FIELDS = [
  {
    name: 'requests',
    column: 'requests',
    kind: 'count',
    golden: true,
    source: { family: METRIC.requestTotal, part: 'counter' },
  },
  {
    name: 'successes',
    column: 'successes',
    kind: 'count',
    golden: true,
    source: responses((series) => series.labels['classification'] === 'success'),
  },
  {
    name: 'failures',
    column: 'failures',
    kind: 'count',
    golden: true,
    source: responses((series) => series.labels['classification'] === 'failure'),
  },
  { name: 'status1xx', column: 'status1xx', kind: 'count', source: statusClass('1') },
  { name: 'status2xx', column: 'status2xx', kind: 'count', source: statusClass('2') },
  { name: 'status3xx', column: 'status3xx', kind: 'count', source: statusClass('3') },
  { name: 'status4xx', column: 'status4xx', kind: 'count', source: statusClass('4') },
  { name: 'status5xx', column: 'status5xx', kind: 'count', source: statusClass('5') },
  {
    name: 'attempts',
    column: 'attempts',
    kind: 'count',
    source: { family: METRIC.attemptTotal, part: 'counter' },
  },
  {
    /** The actual (per-attempt) failures. */
    name: 'attemptFailures',
    column: 'attemptFailures',
    kind: 'count',
    source: {
      family: METRIC.attemptTotal,
      part: 'counter',
      where: (series) => series.labels['classification'] === 'failure',
    },
  },
  {
    name: 'latencySumSeconds',
    column: 'latencySumSeconds',
    kind: 'seconds',
    source: { family: METRIC.responseLatencySeconds, part: 'sum' },
  },
] as const satisfies readonly RollupField[];

export type CountFieldName = (typeof COUNT_FIELDS)[number]['name'];

/** `response_total` by proxy error code (the `error` label). */
const ERROR_FIELDS: readonly RollupField[] = [
  [PROXY_ERRORS.noEndpoints.code, 'errorNoEndpoints'],
  [PROXY_ERRORS.connectFailed.code, 'errorConnectFailed'],
  [PROXY_ERRORS.requestTimeout.code, 'errorRequestTimeout'],
].map(([code, column]) => ({
  name: code as ProxyErrorCode,
  column: column as string,
  kind: 'error',
  source: responses((series) => series.labels['error'] === code),
}));

const RETRY_COLUMNS: Record<RetryResult, string> = {
  retried: 'retries',
  budget_exhausted: 'retriesBudgetExhausted',
  limit_reached: 'retriesLimitReached',
  body_too_large: 'retriesBodyTooLarge',
};

/** `retry_total` by result. */
const RETRY_FIELDS: readonly RollupField[] = RETRY_RESULTS.map((result) => ({
  name: result,
  column: RETRY_COLUMNS[result],
  kind: 'retry',
  source: {
    family: METRIC.retryTotal,
    part: 'counter',
    where: (series) => series.labels['result'] === result,
  },
}));

/**
 * `response_latency_seconds` by bucket: one per finite bound of `LATENCY_BUCKETS_SECONDS`, then
 * +Inf. The exporter prints the contract's bounds from the same numbers, so they match exactly.
 */
const LATENCY_FIELDS: readonly RollupField[] = [...LATENCY_BUCKETS_SECONDS, Infinity].map(
  (bound, index) => ({
    name: String(index),
    column: `b${String(index).padStart(2, '0')}`,
    kind: 'latency-bucket',
    golden: true,
    source: {
      family: METRIC.responseLatencySeconds,
      part: 'bucket',
      where: (series) => series.upperBound === bound,
    },
  }),
);

/** Latency buckets per row: one per finite bound of `LATENCY_BUCKETS_SECONDS`, then +Inf. */
export const LATENCY_BUCKET_COUNT = LATENCY_FIELDS.length;

/** Every summable field of a rollup row, in the one order the aggregator, merge and SQL share. */
export const ROLLUP_FIELDS: readonly RollupField[] = [
  ...COUNT_FIELDS,
  ...ERROR_FIELDS,
  ...RETRY_FIELDS,
  ...LATENCY_FIELDS,
];

/** Index of the first latency bucket in ROLLUP_FIELDS; the buckets follow in bound order. */
export const FIRST_LATENCY_FIELD = ROLLUP_FIELDS.indexOf(LATENCY_FIELDS[0] as RollupField);

/** The columns that identify a row apart from its tier and time bucket. */
export const KEY_COLUMNS = ['direction', 'srcService', 'dstService', 'route'] as const;

/** Every summable column, in ROLLUP_FIELDS order. */
export const FIELD_COLUMNS: readonly string[] = ROLLUP_FIELDS.map((field) => field.column);

/** What golden metrics need: counts of requests and outcomes, and the latency buckets. */
export const GOLDEN_COLUMNS: readonly string[] = ROLLUP_FIELDS.filter((field) => field.golden).map(
  (field) => field.column,
);
