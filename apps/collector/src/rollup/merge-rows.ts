import { ROLLUP_FIELDS } from './rollup-fields.js';
import { fieldValues, routeKeyString, rowFromValues, type RollupRow } from './rollup-row.js';

/**
 * Sums rows field by field (every field of ROLLUP_FIELDS) into one with the given time bucket
 * and the route of the first row. Every field is an increase, so the sum is exactly what the
 * rows describe together.
 */
export function sumRows(
  rows: readonly RollupRow[],
  bucketStartMs: number,
  bucketSeconds: number,
): RollupRow {
  const first = rows[0];
  if (first === undefined) throw new RangeError('sumRows needs at least one row');
  const sums = new Float64Array(ROLLUP_FIELDS.length);
  for (const row of rows) {
    fieldValues(row).forEach((value, index) => {
      sums[index] = (sums[index] as number) + value;
    });
  }
  return rowFromValues(first, bucketStartMs, bucketSeconds, sums);
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
