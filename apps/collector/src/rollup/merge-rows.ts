import { addBucketCounts } from '@trellis/histogram';
import { RETRY_RESULTS } from '@trellis/contracts';
import { emptyRetries, routeKeyString, type RollupRow } from './rollup-row.js';

type CountFields = Omit<
  RollupRow,
  | 'bucketStartMs'
  | 'bucketSeconds'
  | 'direction'
  | 'srcService'
  | 'dstService'
  | 'route'
  | 'errors'
  | 'retries'
  | 'latencyBuckets'
>;

const COUNT_FIELDS: readonly (keyof CountFields)[] = [
  'requests',
  'responseSuccess',
  'responseFailure',
  'status1xx',
  'status2xx',
  'status3xx',
  'status4xx',
  'status5xx',
  'attempts',
  'attemptFailures',
  'latencySumSeconds',
];

/**
 * Sums rows field by field (counts, error codes, retry results, latency buckets) into one
 * with the given time bucket and the route of the first row. Every field is an increase, so
 * the sum is exactly what the rows describe together.
 */
export function sumRows(
  rows: readonly RollupRow[],
  bucketStartMs: number,
  bucketSeconds: number,
): RollupRow {
  const first = rows[0];
  if (first === undefined) throw new RangeError('sumRows needs at least one row');
  const counts: Record<keyof CountFields, number> = {
    requests: 0,
    responseSuccess: 0,
    responseFailure: 0,
    status1xx: 0,
    status2xx: 0,
    status3xx: 0,
    status4xx: 0,
    status5xx: 0,
    attempts: 0,
    attemptFailures: 0,
    latencySumSeconds: 0,
  };
  const errors: Record<string, number> = {};
  const retries = emptyRetries();
  const latencyBuckets = new Array<number>(first.latencyBuckets.length).fill(0);
  for (const row of rows) {
    for (const field of COUNT_FIELDS) counts[field] += row[field];
    for (const code in row.errors) errors[code] = (errors[code] ?? 0) + (row.errors[code] ?? 0);
    for (const result of RETRY_RESULTS) retries[result] += row.retries[result];
    addBucketCounts(latencyBuckets, row.latencyBuckets);
  }
  return {
    bucketStartMs,
    bucketSeconds,
    direction: first.direction,
    srcService: first.srcService,
    dstService: first.dstService,
    route: first.route,
    ...counts,
    errors,
    retries,
    latencyBuckets,
  };
}

/**
 * Merges rows into `bucketSeconds`-wide buckets: one row per (coarse bucket start, direction,
 * source, destination, route), the sum of the fine rows it covers. Nothing a PromQL answer at
 * the coarser step needs is lost: increases over a coarse bucket are sums of the fine ones and
 * histogram_quantile needs only the summed buckets. Also merges rows of the same bucket and
 * route (e.g. two scrape rounds inside one bucket). Fine buckets must nest in coarse ones.
 */
export function downsampleRows(rows: readonly RollupRow[], bucketSeconds: number): RollupRow[] {
  const width = bucketSeconds * 1000;
  const groups = new Map<string, { start: number; rows: RollupRow[] }>();
  for (const row of rows) {
    if (row.bucketSeconds > bucketSeconds || width % (row.bucketSeconds * 1000) !== 0) {
      throw new RangeError(
        `a ${row.bucketSeconds}s bucket does not nest in a ${bucketSeconds}s bucket`,
      );
    }
    const start = Math.floor(row.bucketStartMs / width) * width;
    const key = `${start}\u0000${routeKeyString(row)}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { start, rows: [row] });
    else group.rows.push(row);
  }
  return Array.from(groups.values(), (group) => sumRows(group.rows, group.start, bucketSeconds));
}
