import { describe, expect, it } from 'vitest';
import { fractionAbove, histogramQuantile, type Histogram } from '../src/index.js';

const h: Histogram = { bounds: [0.1, 0.5, 1], counts: [10, 20, 30, 40] };

describe('fractionAbove', () => {
  it('interpolates inside the bucket holding the threshold', () => {
    // at or below 0.3: 10 + 20 × (0.3−0.1)/(0.5−0.1) = 20 of 100
    expect(fractionAbove(0.3, h)).toBe(0.8);
    // lowest bucket from 0: 10 × 0.05/0.1 = 5 below
    expect(fractionAbove(0.05, h)).toBe(0.95);
  });

  it('is exact on a bucket boundary', () => {
    expect(fractionAbove(0.5, h)).toBe(0.7);
    expect(fractionAbove(1, h)).toBe(0.4);
  });

  it('counts every +Inf observation as above a threshold past the last bound', () => {
    expect(fractionAbove(30, h)).toBe(0.4);
  });

  it('is everything for a threshold at or below 0', () => {
    expect(fractionAbove(0, h)).toBe(1);
    expect(fractionAbove(-1, h)).toBe(1);
  });

  it('is the inverse of histogramQuantile inside finite buckets', () => {
    for (const q of [0.05, 0.2, 0.35, 0.5]) {
      const value = histogramQuantile(q, h);
      expect(value).toBeDefined();
      expect(fractionAbove(value as number, h)).toBeCloseTo(1 - q, 12);
    }
  });

  it('answers "no data" without observations', () => {
    expect(fractionAbove(0.3, { bounds: [0.1], counts: [0, 0] })).toBe(undefined);
  });
});
