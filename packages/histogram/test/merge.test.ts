import { describe, expect, it } from 'vitest';
import {
  HistogramError,
  addBucketCounts,
  fromCumulative,
  histogramQuantile,
  mergeHistograms,
  observationCount,
  toCumulative,
} from '../src/index.js';

const bounds = [0.1, 0.5, 1];

describe('merging', () => {
  it('adds histograms bucket-wise', () => {
    const merged = mergeHistograms(
      { bounds, counts: [1, 2, 3, 4] },
      { bounds, counts: [10, 0, 0, 1] },
      { bounds: [...bounds], counts: new Float64Array([0, 5, 0, 0]) },
    );
    expect(merged).toEqual({ bounds, counts: [11, 7, 3, 5] });
    expect(observationCount(merged)).toBe(26);
  });

  it('gives the quantile of the union, as sum by (le) does', () => {
    const a = { bounds, counts: [10, 0, 0, 0] };
    const b = { bounds, counts: [0, 10, 0, 0] };
    // 20 observations; rank 15 in (0.1, 0.5] holding 10…20 → 0.1 + 0.4 × 5/10
    expect(histogramQuantile(0.75, mergeHistograms(a, b))).toBe(0.30000000000000004);
  });

  it('refuses different boundaries', () => {
    expect(() =>
      mergeHistograms({ bounds, counts: [1, 1, 1, 1] }, { bounds: [0.1, 1], counts: [1, 1, 1] }),
    ).toThrow(expect.objectContaining({ code: 'bounds-mismatch' }));
  });

  it('adds counts in place and checks lengths', () => {
    const target = new Float64Array([1, 1, 1]);
    addBucketCounts(target, [1, 2, 3]);
    expect(Array.from(target)).toEqual([2, 3, 4]);
    expect(() => addBucketCounts(target, [1])).toThrow(HistogramError);
  });

  it('converts between cumulative le counts and per-bucket counts', () => {
    expect(fromCumulative([10, 30, 60, 100])).toEqual([10, 20, 30, 40]);
    expect(toCumulative([10, 20, 30, 40])).toEqual([10, 30, 60, 100]);
  });
});
