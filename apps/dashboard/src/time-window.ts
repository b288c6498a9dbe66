/**
 * The time every view covers and its auto-refresh, carried in the URL so any view can be
 * bookmarked and shared: a window back from now (`?window=15m&refresh=10s`), or a fixed range
 * (`?from=…&to=…`, milliseconds since the epoch), which wins over the window.
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

/** A fixed range: a start and an end, at most 7 days apart, as the collector accepts. */
export interface FixedRange {
  fromMs: number;
  toMs: number;
}

const MAX_RANGE_MS = 7 * 86_400_000;

export function parseRange(params: SearchParams | URLSearchParams): FixedRange | undefined {
  const raw = (name: 'from' | 'to') =>
    params instanceof URLSearchParams ? params.get(name) : first(params[name]);
  const [fromMs, toMs] = [Number(raw('from') ?? NaN), Number(raw('to') ?? NaN)];
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs)) return undefined;
  if (fromMs >= toMs || toMs - fromMs > MAX_RANGE_MS) return undefined;
  return { fromMs, toMs };
}

/** The time part of a view's query: the fixed range when there is one, else the window. */
export function timeQuery(window: TimeWindow, range: FixedRange | undefined) {
  return range ? { from: range.fromMs, to: range.toMs } : { window };
}

/** Milliseconds between refetches, or false when auto-refresh is off. */
export function refreshIntervalMs(refresh: Refresh, scrapeIntervalSeconds: number): number | false {
  if (refresh === 'off') return false;
  if (refresh === 'auto') return Math.max(1, scrapeIntervalSeconds) * 1000;
  return REFRESH_MS[refresh];
}

/** The view-state part of a query string, to carry along on every link. */
export function viewQuery(
  window: TimeWindow,
  refresh: Refresh,
  range: FixedRange | undefined,
): string {
  const params = new URLSearchParams();
  if (range) {
    params.set('from', String(range.fromMs));
    params.set('to', String(range.toMs));
  } else if (window !== DEFAULT_WINDOW) params.set('window', window);
  if (refresh !== DEFAULT_REFRESH) params.set('refresh', refresh);
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** A page's time from its search parameters: the query its views take, and how to say it. */
export function pageTime(params: SearchParams) {
  const window = parseWindow(params);
  const range = parseRange(params);
  return {
    query: timeQuery(window, range),
    label: range ? 'in the chosen range' : `over the last ${window}`,
  };
}

export type PageTime = ReturnType<typeof pageTime>;
