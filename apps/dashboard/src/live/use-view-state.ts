'use client';

import { useSearchParams } from 'next/navigation';
import { useContext } from 'react';
import {
  parseRange,
  parseRefresh,
  parseWindow,
  refreshIntervalMs,
  timeQuery,
  viewQuery,
} from '../time-window';
import { ScrapeIntervalContext } from './dashboard-providers';

/**
 * The time and refresh of the current URL: `time` for view queries, `query` to carry along on
 * links. A fixed range is history: nothing new arrives, so it is not refetched.
 */
export function useViewState() {
  const params = useSearchParams();
  const scrapeIntervalSeconds = useContext(ScrapeIntervalContext);
  const window = parseWindow(params);
  const range = parseRange(params);
  const refresh = parseRefresh(params);
  return {
    window,
    range,
    refresh,
    time: timeQuery(window, range),
    intervalMs: range ? false : refreshIntervalMs(refresh, scrapeIntervalSeconds),
    query: viewQuery(window, refresh, range),
  };
}
