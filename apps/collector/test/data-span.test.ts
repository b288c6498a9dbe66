import { describe, expect, it } from 'vitest';
import { dataSpan, overlapSeconds } from '../src/query/data-span.js';
import type { TierExtent } from '../src/rollup/rollup-store.js';

/** Times in seconds since an hour boundary, as the ms the functions take. */
const T0 = 1_800_000_000_000;
const at = (seconds: number) => T0 + seconds * 1000;
const windowOf = (fromSeconds: number, toSeconds: number) => ({
  fromMs: at(fromSeconds),
  toMs: at(toSeconds),
  seconds: toSeconds - fromSeconds,
});
const extents = (...tiers: [number, number | undefined, number | undefined][]): TierExtent[] =>
  tiers.map(([tierSeconds, first, last]) => ({
    tierSeconds,
    firstMs: first === undefined ? undefined : at(first),
    lastMs: last === undefined ? undefined : at(last),
  }));

describe('the part of a window that has data', () => {
  it('is the whole window in steady state, up to the bucket of the last scrape', () => {
    // A 1m window ending at 600.3 s: buckets 545 … 600 start inside it, twelve of 5 s.
    const span = dataSpan(
      windowOf(540.3, 600.3),
      extents([5, 545, 600], [60, 540, 600]),
      at(600.1),
    );
    expect(span).toEqual({ fromMs: at(545), toMs: at(605), seconds: 60 });
  });

  it('starts at the first data when the window reaches back before it', () => {
    const span = dataSpan(windowOf(-300.3, 600.3), extents([5, 480, 600], [60, 480, 600]), at(601));
    expect(span.seconds).toBe(125);
  });

  it('runs on to the last scrape when the traffic stopped', () => {
    const span = dataSpan(windowOf(0, 900), extents([5, 0, 295]), at(897));
    expect(span).toEqual({ fromMs: at(0), toMs: at(900), seconds: 900 });
  });

  it('ends with the last rows when the last scrape landed just past their bucket', () => {
    const span = dataSpan(windowOf(0, 62), extents([5, 0, 55]), at(60.002));
    expect(span.seconds).toBe(60);
  });

  it('reads the start from a coarser tier where the finer rows are past their retention', () => {
    // Fine rows from 3600 s on; the hour tier holds data from bucket 0.
    const span = dataSpan(windowOf(0, 7200), extents([5, 3600, 7195], [3600, 0, 3600]), at(7199));
    expect(span.seconds).toBe(7200);
  });

  it('is empty without data', () => {
    expect(dataSpan(windowOf(0, 60), extents([5, undefined, undefined]), at(59)).seconds).toBe(0);
  });

  it('gives each chart step its share of the span', () => {
    const span = { fromMs: at(130), toMs: at(300), seconds: 170 };
    expect(overlapSeconds(span, at(120), 60)).toBe(50);
    expect(overlapSeconds(span, at(180), 60)).toBe(60);
    expect(overlapSeconds(span, at(300), 60)).toBe(0);
  });
});
