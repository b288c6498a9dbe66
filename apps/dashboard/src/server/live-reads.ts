import 'server-only';
import { parseWindow } from '../time-window';
import * as api from './collector-api';
import type { CollectorResult } from './collector-client';

type Read = (
  token: string,
  params: string[],
  search: URLSearchParams,
) => Promise<CollectorResult<unknown>>;

/**
 * The reads the browser may ask the dashboard for to stay live, by path under `/api/v1`.
 * Anything else is refused: the dashboard is not an open proxy to the collector.
 */
const READS: [RegExp, Read][] = [
  [/^topology$/, (t, _, q) => api.fetchTopology(t, parseWindow(q))],
  [/^services$/, (t, _, q) => api.fetchServices(t, parseWindow(q))],
  [/^services\/([^/]+)$/, (t, [s], q) => api.fetchService(t, s!, parseWindow(q))],
  [/^services\/([^/]+)\/routes$/, (t, [s], q) => api.fetchRoutes(t, s!, parseWindow(q))],
  [
    /^services\/([^/]+)\/routes\/([^/]+)\/histogram$/,
    (t, [s, r], q) => api.fetchHistogram(t, s!, r!, parseWindow(q)),
  ],
  [
    /^series$/,
    (t, _, q) => api.fetchSeries(t, q.get('service') ?? '', q.get('route'), parseWindow(q)),
  ],
  [/^policies$/, (t) => api.fetchPolicies(t)],
  [/^policies\/([^/]+)$/, (t, [s]) => api.fetchPolicy(t, s!)],
  [/^policies\/([^/]+)\/revisions$/, (t, [s]) => api.fetchRevisions(t, s!)],
  [
    /^policies\/([^/]+)\/revisions\/diff$/,
    (t, [s], q) =>
      api.fetchRevisionDiff(t, s!, Number(q.get('from') ?? 0), Number(q.get('to') ?? 0)),
  ],
  [/^proxies$/, (t) => api.fetchProxies(t)],
];

export function findRead(segments: string[]): { read: Read; params: string[] } | undefined {
  const path = segments.map(encodeURIComponent).join('/');
  for (const [pattern, read] of READS) {
    const match = pattern.exec(path);
    if (match) return { read, params: match.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}
