/**
 * The time window and auto-refresh every view carries in its URL (`?window=15m&refresh=10s`),
 * so any view can be bookmarked and shared.
 */

export const WINDOWS = ['1m', '5m', '15m', '1h', '6h', '24h', '7d'] as const;
export type TimeWindow = (typeof WINDOWS)[number];
export const DEFAULT_WINDOW: TimeWindow = '15m';

/** `auto` follows the collector's scrape interval: fresher data does not exist. */
export const REFRESHES = ['auto', 'off', '5s', '10s', '30s', '1m'] as const;
export type Refresh = (typeof REFRESHES)[number];
export const DEFAULT_REFRESH: Refresh = 'auto';

const REFRESH_MS: Record<Exclude<Refresh, 'auto' | 'off'>, number> = {
  '5s': 5_000,
  '10s': 10_000,
  '30s': 30_000,
  '1m': 60_000,
};

export type SearchParams = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function parseWindow(params: SearchParams | URLSearchParams): TimeWindow {
  const raw = params instanceof URLSearchParams ? params.get('window') : first(params.window);
  return (WINDOWS as readonly string[]).includes(raw ?? '') ? (raw as TimeWindow) : DEFAULT_WINDOW;
}

export function parseRefresh(params: SearchParams | URLSearchParams): Refresh {
  const raw = params instanceof URLSearchParams ? params.get('refresh') : first(params.refresh);
  return (REFRESHES as readonly string[]).includes(raw ?? '') ? (raw as Refresh) : DEFAULT_REFRESH;
}

/** Milliseconds between refetches, or false when auto-refresh is off. */
export function refreshIntervalMs(refresh: Refresh, scrapeIntervalSeconds: number): number | false {
  if (refresh === 'off') return false;
  if (refresh === 'auto') return Math.max(1, scrapeIntervalSeconds) * 1000;
  return REFRESH_MS[refresh];
}

/** The view-state part of a query string, to carry along on every link. */
export function viewQuery(window: TimeWindow, refresh: Refresh): string {
  const params = new URLSearchParams();
  if (window !== DEFAULT_WINDOW) params.set('window', window);
  if (refresh !== DEFAULT_REFRESH) params.set('refresh', refresh);
  const query = params.toString();
  return query ? `?${query}` : '';
}
