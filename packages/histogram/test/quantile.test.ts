import { describe, expect, it } from 'vitest';
import { HistogramError, histogramQuantile, type Histogram } from '../src/index.js';

// cumulative: le=0.1 → 10, le=0.5 → 30, le=1 → 60, +Inf → 100
const h: Histogram = { bounds: [0.1, 0.5, 1], counts: [10, 20, 30, 40] };

describe('histogramQuantile (PromQL histogram_quantile)', () => {
  it('interpolates linearly inside the bucket that holds rank q×count', () => {
    // rank 50 → bucket (0.5, 1] holding cumulative 30…60: 0.5 + 0.5 × (50−30)/30
    expect(histogramQuantile(0.5, h)).toBe(0.5 + 0.5 * (20 / 30));
    expect(histogramQuantile(0.5, h)).toBeCloseTo(0.833333333, 9);
    // rank 20 → bucket (0.1, 0.5] holding 10…30: 0.1 + 0.4 × 10/20
    expect(histogramQuantile(0.2, h)).toBe(0.30000000000000004);
  });

  it('interpolates the lowest bucket from 0', () => {
    // rank 5 of 10 in (0, 0.1]
    expect(histogramQuantile(0.05, h)).toBe(0.05);
  });

  it('returns the upper bound when the rank lands exactly on a cumulative count', () => {
    expect(histogramQuantile(0.1, h)).toBe(0.1);
    expect(histogramQuantile(0.6, h)).toBe(1);
  });

  it('returns the highest finite bound for a quantile in +Inf', () => {
    expect(histogramQuantile(0.99, h)).toBe(1);
    expect(histogramQuantile(1, h)).toBe(1);
  });

  it('answers "no data" (undefined), never NaN or 0, without observations', () => {
    expect(histogramQuantile(0.5, { bounds: [0.1, 0.5, 1], counts: [0, 0, 0, 0] })).toBe(undefined);
    expect(histogramQuantile(0.5, { bounds: [], counts: [7] })).toBe(undefined);
  });

  it('is undefined where PromQL divides 0 by 0 (q = 0 with an empty lowest bucket)', () => {
    expect(histogramQuantile(0, { bounds: [0.1, 0.5], counts: [0, 4, 0] })).toBe(undefined);
    expect(histogramQuantile(0, h)).toBe(0);
  });

  it('returns the lowest bound when it is not positive and the rank falls in it', () => {
    expect(histogramQuantile(0.25, { bounds: [-1, 0, 1], counts: [5, 5, 0, 0] })).toBe(-1);
  });

  it('mirrors PromQL for q outside [0, 1] and rejects NaN', () => {
    expect(histogramQuantile(-0.1, h)).toBe(-Infinity);
    expect(histogramQuantile(1.1, h)).toBe(Infinity);
    expect(() => histogramQuantile(Number.NaN, h)).toThrow(HistogramError);
  });

  it('forces monotonic cumulative counts as PromQL does', () => {
    // cumulative 10, 5, 25, 25 → 10, 10, 25, 25; rank 12.5 in (0.5, 1]: 0.5 + 0.5 × 2.5/15
    const skewed: Histogram = { bounds: [0.1, 0.5, 1], counts: [10, -5, 20, 0] };
    expect(histogramQuantile(0.5, skewed)).toBe(0.5 + 0.5 * (2.5 / 15));
  });

  it('matches a hand computation on the linkerd latency buckets', () => {
    const bounds = [
      0.001, 0.002, 0.003, 0.004, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1,
      2, 3, 4, 5, 10, 20, 30, 40, 50,
    ];
    const counts = new Array<number>(26).fill(0);
    counts[5] = 90; // (0.005, 0.01]
    counts[10] = 9; // (0.05, 0.1]
    counts[15] = 1; // (0.5, 1]
    const latency: Histogram = { bounds, counts };
    // p50: rank 50 of 90 in (0.005, 0.01] → 0.005 + 0.005 × 50/90
    expect(histogramQuantile(0.5, latency)).toBe(0.005 + 0.005 * (50 / 90));
    // p95: rank 95 → (0.05, 0.1] holding 90…99 → 0.05 + 0.05 × 5/9
    expect(histogramQuantile(0.95, latency)).toBe(0.05 + 0.05 * (5 / 9));
    // p99: rank 99 lands on the cumulative 99 at le=0.1
    expect(histogramQuantile(0.99, latency)).toBe(0.1);
  });

  it('rejects a histogram whose counts do not match its bounds', () => {
    expect(() => histogramQuantile(0.5, { bounds: [1, 2], counts: [1, 2] })).toThrow(
      expect.objectContaining({ code: 'bucket-count-mismatch' }),
    );
  });
});
