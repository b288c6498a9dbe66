import { HistogramError, assertShape, type Histogram } from './histogram.js';
import { toCumulative } from './merge.js';

/**
 * The φ-quantile of a histogram, equal to PromQL's `histogram_quantile(q, …)` over the same
 * buckets: linear interpolation inside the bucket holding rank `q × count`, the lowest bucket
 * interpolating from 0 when its upper bound is positive (returning that bound otherwise), and
 * the highest finite bound when the rank falls into +Inf.
 *
 * `undefined` wherever PromQL answers NaN — no observations, or q = 0 with an empty lowest
 * bucket (0/0) — because for a dashboard that means "no data", and NaN or 0 would be drawn as a
 * value. Like PromQL, q < 0 gives -Infinity and q > 1 gives +Infinity.
 */
export function histogramQuantile(q: number, histogram: Histogram): number | undefined {
  if (Number.isNaN(q)) throw new HistogramError('invalid-argument', 'quantile is NaN');
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  assertShape(histogram);
  const { bounds } = histogram;
  if (bounds.length === 0) return undefined;

  // PromQL forces monotonic cumulative counts (its `ensureMonotonic`); a running maximum over
  // the cumulative sums does the same to a negative per-bucket count.
  const cumulative = toCumulative(histogram.counts);
  for (let i = 1; i < cumulative.length; i++) {
    if ((cumulative[i] as number) < (cumulative[i - 1] as number)) {
      cumulative[i] = cumulative[i - 1] as number;
    }
  }
  const observations = cumulative[cumulative.length - 1] as number;
  if (!(observations > 0)) return undefined;

  const rank = q * observations;
  let b = 0;
  while (b < bounds.length && (cumulative[b] as number) < rank) b++;
  if (b === bounds.length) return bounds[bounds.length - 1];

  const bucketEnd = bounds[b] as number;
  if (b === 0 && bucketEnd <= 0) return bucketEnd;
  const bucketStart = b === 0 ? 0 : (bounds[b - 1] as number);
  const below = b === 0 ? 0 : (cumulative[b - 1] as number);
  const inBucket = (cumulative[b] as number) - below;
  if (inBucket === 0) return undefined;
  return bucketStart + (bucketEnd - bucketStart) * ((rank - below) / inBucket);
}
