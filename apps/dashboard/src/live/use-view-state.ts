'use client';

import { useSearchParams } from 'next/navigation';
import { useContext } from 'react';
import { parseRefresh, parseWindow, refreshIntervalMs, viewQuery } from '../time-window';
import { ScrapeIntervalContext } from './dashboard-providers';

/** The window and refresh of the current URL, and the query string that carries them on. */
export function useViewState() {
  const params = useSearchParams();
  const scrapeIntervalSeconds = useContext(ScrapeIntervalContext);
  const window = parseWindow(params);
  const refresh = parseRefresh(params);
  return {
    window,
    refresh,
    intervalMs: refreshIntervalMs(refresh, scrapeIntervalSeconds),
    query: viewQuery(window, refresh),
  };
}
