import type { TierExtent } from '../rollup/rollup-store.js';
import type { TimeWindow } from './time-window.js';

/** The part of a window that has data, up to the last scrape. */
export interface DataSpan {
  readonly fromMs: number;
  readonly toMs: number;
  readonly seconds: number;
}

/**
 * What a rate divides by: the window cut to the stored data, from the first bucket with rows
 * to the end of the bucket of the last scrape. A bucket holds the increase since the previous
 * scrape, so n buckets cover n intervals; a steady rate reads the same on every window, and a
 * window reaching back before the mesh existed (or ahead of the newest scrape) does not dilute
 * it. Data start: the finest tier's first bucket, unless a coarser tier holds data in a bucket
 * that ends before it (the finer rows there are past their retention). Data end: the last
 * bucket with rows, or the last scrape's bucket when that is later by more than one interval
 * (rounds without traffic count as zero; one round's lag is the scrape landing just past a
 * bucket boundary).
 */
export function dataSpan(
  window: TimeWindow,
  extents: readonly TierExtent[],
  lastScrapeMs: number | undefined,
): DataSpan {
  const byFineness = [...extents].sort((a, b) => a.tierSeconds - b.tierSeconds);
  const finestMs = (byFineness[0]?.tierSeconds ?? 1) * 1000;
  let startMs: number | undefined;
  let lastRowEndMs: number | undefined;
  for (const extent of byFineness) {
    const widthMs = extent.tierSeconds * 1000;
    if (
      extent.firstMs !== undefined &&
      (startMs === undefined || extent.firstMs + widthMs <= startMs)
    )
      startMs = extent.firstMs;
    if (lastRowEndMs === undefined && extent.lastMs !== undefined)
      lastRowEndMs = extent.lastMs + widthMs;
  }
  if (startMs === undefined || lastRowEndMs === undefined) {
    return { fromMs: window.toMs, toMs: window.toMs, seconds: 0 };
  }
  const fromMs = Math.max(startMs, Math.ceil(window.fromMs / finestMs) * finestMs);
  let toMs = lastRowEndMs;
  if (lastScrapeMs !== undefined) {
    const scrapeEndMs = Math.floor(lastScrapeMs / finestMs) * finestMs + finestMs;
    if (scrapeEndMs - lastRowEndMs > finestMs) toMs = scrapeEndMs;
  }
  toMs = Math.min(toMs, Math.ceil(window.toMs / finestMs) * finestMs);
  return { fromMs, toMs: Math.max(fromMs, toMs), seconds: Math.max(0, toMs - fromMs) / 1000 };
}

/** The seconds of `span` inside [fromMs, fromMs + seconds): what one chart step divides by. */
export function overlapSeconds(span: DataSpan, fromMs: number, seconds: number): number {
  const end = Math.min(span.toMs, fromMs + seconds * 1000);
  return Math.max(0, end - Math.max(span.fromMs, fromMs)) / 1000;
}
