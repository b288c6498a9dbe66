/**
 * Rollups are kept at several resolutions ("tiers"): the scrape interval for recent detail,
 * then minutes, ten minutes and hours. Every scrape round is added to every tier at once, so coarse tiers
 * are always current and no downsampling job can fall behind; old rows leave each tier at its
 * retention.
 */
export interface RollupTier {
  seconds: number;
  retentionSeconds: number;
}

export function rollupTiers(options: {
  scrapeIntervalSeconds: number;
  fineRetentionSeconds: number;
  coarseRetentionSeconds: number;
}): RollupTier[] {
  const tiers: RollupTier[] = [
    { seconds: options.scrapeIntervalSeconds, retentionSeconds: options.fineRetentionSeconds },
  ];
  // Ten minutes between minute and hour: an hour's window then reads a handful of 10-minute
  // rows and at most 18 minute rows at its ends, instead of 60 minute rows.
  for (const seconds of [60, 600, 3600]) {
    if (seconds > options.scrapeIntervalSeconds && seconds % options.scrapeIntervalSeconds === 0) {
      tiers.push({ seconds, retentionSeconds: options.coarseRetentionSeconds });
    }
  }
  return tiers;
}

/** A stretch of time read from one tier: bucket starts in [fromSeconds, toSeconds). */
export interface TierRange {
  tierSeconds: number;
  fromSeconds: number;
  toSeconds: number;
}

/**
 * Covers [from, to) with as few rows as possible: whole coarse buckets in the middle, finer
 * tiers for the ragged ends, so a long window reads hours while its edges stay exact to the
 * finest tier. Tiers must nest (each a multiple of the next finer one). A bucket counts when
 * it starts inside the window. An edge older than a finer tier's retention reads nothing
 * there: the answer then lacks at most one coarse bucket's worth at the window's far end.
 */
export function coverWindow(
  fromSeconds: number,
  toSeconds: number,
  tiers: readonly RollupTier[],
): TierRange[] {
  const byCoarseness = [...tiers].sort((a, b) => b.seconds - a.seconds);
  const ranges: TierRange[] = [];
  const cover = (from: number, to: number, level: number): void => {
    const tier = byCoarseness[level];
    if (tier === undefined || from >= to) return;
    const finest = level === byCoarseness.length - 1;
    const start = Math.ceil(from / tier.seconds) * tier.seconds;
    const end = finest ? to : Math.floor(to / tier.seconds) * tier.seconds;
    if (start >= end) {
      cover(from, to, level + 1);
      return;
    }
    ranges.push({ tierSeconds: tier.seconds, fromSeconds: start, toSeconds: end });
    cover(from, start, level + 1);
    cover(end, to, level + 1);
  };
  cover(fromSeconds, toSeconds, 0);
  return ranges.sort((a, b) => a.fromSeconds - b.fromSeconds);
}
