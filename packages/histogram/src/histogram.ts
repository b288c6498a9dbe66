/**
 * A classic (fixed-bucket) histogram as the collector stores it: per-bucket counts, not the
 * cumulative `le` counts of the exposition format. Every observation sits in exactly one bucket,
 * so merging histograms or time intervals is plain element-wise addition and the counts add up
 * to the number of observations.
 */
export interface Histogram {
  /** Finite upper bounds, strictly ascending. The +Inf bucket is implied. */
  readonly bounds: readonly number[];
  /**
   * `bounds.length + 1` counts: `counts[i]` observations fell in `(bounds[i-1], bounds[i]]`
   * (the lowest bucket starts at -Inf), the last one in `(bounds[bounds.length-1], +Inf)`.
   */
  readonly counts: ArrayLike<number>;
}

export type HistogramErrorCode = 'bucket-count-mismatch' | 'bounds-mismatch' | 'invalid-argument';

export class HistogramError extends Error {
  override readonly name = 'HistogramError';
  constructor(
    readonly code: HistogramErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function assertShape(histogram: Histogram): void {
  if (histogram.counts.length !== histogram.bounds.length + 1) {
    throw new HistogramError(
      'bucket-count-mismatch',
      `expected ${histogram.bounds.length + 1} bucket counts (bounds + +Inf), got ${histogram.counts.length}`,
    );
  }
}

/** Total number of observations. */
export function observationCount(histogram: Histogram): number {
  assertShape(histogram);
  let total = 0;
  for (let i = 0; i < histogram.counts.length; i++) total += histogram.counts[i] as number;
  return total;
}
