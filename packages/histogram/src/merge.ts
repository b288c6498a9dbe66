import { HistogramError, assertShape, type Histogram } from './histogram.js';

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Adds `source`'s per-bucket counts into `target`, in place. The hot path of rollups, so it
 * takes plain arrays; both must have the same length.
 */
export function addBucketCounts(target: number[] | Float64Array, source: ArrayLike<number>): void {
  if (target.length !== source.length) {
    throw new HistogramError(
      'bucket-count-mismatch',
      `cannot add ${source.length} bucket counts into ${target.length}`,
    );
  }
  for (let i = 0; i < source.length; i++) target[i] = (target[i] as number) + (source[i] as number);
}

/**
 * Bucket-wise sum of histograms with identical boundaries, as `sum by (le)` does in PromQL.
 * Histograms with different boundaries cannot be merged without inventing data, so that throws.
 */
export function mergeHistograms(first: Histogram, ...rest: readonly Histogram[]): Histogram {
  assertShape(first);
  const counts = Array.from(first.counts);
  for (const other of rest) {
    assertShape(other);
    if (!sameBounds(first.bounds, other.bounds)) {
      throw new HistogramError(
        'bounds-mismatch',
        `cannot merge histograms with bounds [${first.bounds.join(', ')}] and [${other.bounds.join(', ')}]`,
      );
    }
    addBucketCounts(counts, other.counts);
  }
  return { bounds: first.bounds, counts };
}

/** Per-bucket counts from the cumulative `le` counts of the exposition format (+Inf last). */
export function fromCumulative(cumulative: ArrayLike<number>): number[] {
  const counts = new Array<number>(cumulative.length);
  let previous = 0;
  for (let i = 0; i < cumulative.length; i++) {
    const value = cumulative[i] as number;
    counts[i] = value - previous;
    previous = value;
  }
  return counts;
}

/** Cumulative `le` counts (+Inf last) from per-bucket counts. */
export function toCumulative(counts: ArrayLike<number>): number[] {
  const cumulative = new Array<number>(counts.length);
  let running = 0;
  for (let i = 0; i < counts.length; i++) {
    running += counts[i] as number;
    cumulative[i] = running;
  }
  return cumulative;
}
