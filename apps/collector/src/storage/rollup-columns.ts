import { LATENCY_BUCKETS_SECONDS, PROXY_ERRORS, type RetryResult } from '@trellis/contracts';
import type { RollupRow } from '../rollup/rollup-row.js';

/**
 * How a RollupRow maps onto the columns of the `Rollup` table (prisma/schema.prisma). Count
 * columns hold increases, so rows merge, across proxies and across time, by SQL `SUM`.
 */

export const LATENCY_COLUMNS = Array.from(
  { length: LATENCY_BUCKETS_SECONDS.length + 1 },
  (_, i) => `b${String(i).padStart(2, '0')}`,
);

const ERROR_COLUMNS = {
  [PROXY_ERRORS.noEndpoints.code]: 'errorNoEndpoints',
  [PROXY_ERRORS.connectFailed.code]: 'errorConnectFailed',
  [PROXY_ERRORS.requestTimeout.code]: 'errorRequestTimeout',
} as const;

const RETRY_COLUMNS: Record<RetryResult, string> = {
  retried: 'retries',
  budget_exhausted: 'retriesBudgetExhausted',
  limit_reached: 'retriesLimitReached',
  body_too_large: 'retriesBodyTooLarge',
};

export const KEY_COLUMNS = ['direction', 'srcService', 'dstService', 'route'] as const;

/** Every summable column, in a fixed order shared by the writer and the queries. */
export const COUNT_COLUMNS = [
  'requests',
  'successes',
  'failures',
  'status1xx',
  'status2xx',
  'status3xx',
  'status4xx',
  'status5xx',
  ...Object.values(ERROR_COLUMNS),
  'attempts',
  'attemptFailures',
  ...Object.values(RETRY_COLUMNS),
  'latencySumSeconds',
  ...LATENCY_COLUMNS,
] as const;

/** The row's counts in COUNT_COLUMNS order. */
export function countValues(row: RollupRow): number[] {
  return [
    row.requests,
    row.responseSuccess,
    row.responseFailure,
    row.status1xx,
    row.status2xx,
    row.status3xx,
    row.status4xx,
    row.status5xx,
    ...Object.keys(ERROR_COLUMNS).map((code) => row.errors[code] ?? 0),
    row.attempts,
    row.attemptFailures,
    ...(Object.keys(RETRY_COLUMNS) as RetryResult[]).map((result) => row.retries[result]),
    row.latencySumSeconds,
    ...LATENCY_COLUMNS.map((_, i) => row.latencyBuckets[i] ?? 0),
  ];
}

/** A summed result row (column name → number) back into a RollupRow. */
export function rowFromColumns(
  sums: Record<string, unknown>,
  key: Pick<RollupRow, 'direction' | 'srcService' | 'dstService' | 'route'>,
  bucketStartMs: number,
  bucketSeconds: number,
): RollupRow {
  const n = (column: string) => Number(sums[column] ?? 0);
  const errors: Record<string, number> = {};
  for (const [code, column] of Object.entries(ERROR_COLUMNS)) {
    if (n(column) > 0) errors[code] = n(column);
  }
  return {
    bucketStartMs,
    bucketSeconds,
    ...key,
    requests: n('requests'),
    responseSuccess: n('successes'),
    responseFailure: n('failures'),
    status1xx: n('status1xx'),
    status2xx: n('status2xx'),
    status3xx: n('status3xx'),
    status4xx: n('status4xx'),
    status5xx: n('status5xx'),
    errors,
    attempts: n('attempts'),
    attemptFailures: n('attemptFailures'),
    retries: Object.fromEntries(
      Object.entries(RETRY_COLUMNS).map(([result, column]) => [result, n(column)]),
    ) as Record<RetryResult, number>,
    latencySumSeconds: n('latencySumSeconds'),
    latencyBuckets: LATENCY_COLUMNS.map(n),
  };
}
