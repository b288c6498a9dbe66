import { describe, expect, it } from 'vitest';
import { coverWindow, rollupTiers } from '../src/rollup/rollup-tiers.js';

const tiers = rollupTiers({
  scrapeIntervalSeconds: 5,
  fineRetentionSeconds: 6 * 3600,
  coarseRetentionSeconds: 7 * 86_400,
});

describe('rollup tiers', () => {
  it('keeps the scrape interval, minutes, ten minutes and hours', () => {
    expect(tiers).toEqual([
      { seconds: 5, retentionSeconds: 21_600 },
      { seconds: 60, retentionSeconds: 604_800 },
      { seconds: 600, retentionSeconds: 604_800 },
      { seconds: 3600, retentionSeconds: 604_800 },
    ]);
  });

  it('skips coarse tiers the scrape interval does not divide', () => {
    expect(
      rollupTiers({
        scrapeIntervalSeconds: 7,
        fineRetentionSeconds: 1,
        coarseRetentionSeconds: 2,
      }).map((t) => t.seconds),
    ).toEqual([7]);
  });

  it('covers a window with whole coarse buckets and fine ragged ends', () => {
    // 10:00:07 … 12:34:12 → the hour 11-12, ten minutes 10:10-11:00 and 12:00-12:30, minutes
    // 10:01-10:10 and 12:30-12:34, 5 s buckets at both ends.
    const base = 1_800_000_000 - (1_800_000_000 % 86_400) + 10 * 3600;
    const ranges = coverWindow(base + 7, base + 2 * 3600 + 34 * 60 + 12, tiers);
    expect(ranges.map((r) => [r.tierSeconds, r.fromSeconds - base, r.toSeconds - base])).toEqual([
      [5, 10, 60],
      [60, 60, 600],
      [600, 600, 3600],
      [3600, 3600, 7200],
      [600, 7200, 9000],
      [60, 9000, 9240],
      [5, 9240, 9252],
    ]);
  });

  it('reads only the finest tier for a short window', () => {
    expect(coverWindow(1000, 1030, tiers)).toEqual([
      { tierSeconds: 5, fromSeconds: 1000, toSeconds: 1030 },
    ]);
  });
});
