'use client';

import type { QueryWindow } from '@trellis/contracts';
import { use } from 'react';
import { formatDuration } from '../../format/metric-format';
import { ScrapeIntervalContext } from '../../live/dashboard-providers';

/**
 * Rates cover only the part of the window that has data; when that is shorter than the window
 * (the mesh is younger than it), say over how long they were measured.
 */
export function DataSpanNote({ window }: { window: QueryWindow }) {
  const scrapeIntervalSeconds = use(ScrapeIntervalContext);
  // Up to two intervals short is the whole window: the newest scrape is still to come.
  const short = window.seconds - window.dataSeconds > 2 * scrapeIntervalSeconds;
  if (window.dataSeconds === 0 || !short) return null;
  return (
    <span className="data-span-note" data-testid="data-span-note">
      {' '}
      · rates over the last {formatDuration(window.dataSeconds)}
    </span>
  );
}
