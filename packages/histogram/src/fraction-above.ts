import { HistogramError, assertShape, observationCount, type Histogram } from './histogram.js';

/**
 * The share (0…1) of observations greater than `threshold`, interpolated linearly inside the
 * bucket that contains the threshold — the same model `histogramQuantile` uses, so that
 * `fractionAbove(histogramQuantile(q, h), h) === 1 - q` for a quantile inside a finite bucket.
 * The lowest bucket starts at 0 when its upper bound is positive. Observations in +Inf are all
 * counted as above any threshold: their values are unknown, and for "how many requests would a
 * timeout have cut" the cautious answer is "all of them".
 *
 * `undefined` when there are no observations ("no data").
 */
export function fractionAbove(threshold: number, histogram: Histogram): number | undefined {
  if (Number.isNaN(threshold)) throw new HistogramError('invalid-argument', 'threshold is NaN');
  assertShape(histogram);
  const total = observationCount(histogram);
  if (!(total > 0)) return undefined;

  const { bounds, counts } = histogram;
  let atOrBelow = 0;
  let lower = bounds.length > 0 && (bounds[0] as number) > 0 ? 0 : -Infinity;
  for (let i = 0; i < bounds.length; i++) {
    const upper = bounds[i] as number;
    const count = counts[i] as number;
    if (threshold >= upper) {
      atOrBelow += count;
      lower = upper;
      continue;
    }
    if (threshold > lower && lower !== -Infinity) {
      atOrBelow += (count * (threshold - lower)) / (upper - lower);
    }
    break;
  }
  const above = (total - atOrBelow) / total;
  return above < 0 ? 0 : above;
}
