import {
  EdgeDetailSchema,
  HistogramSchema,
  PolicyDiffSchema,
  PolicyListSchema,
  PolicyRevisionListSchema,
  PolicyViewSchema,
  ProxyListSchema,
  RouteListSchema,
  SeriesSchema,
  ServiceDetailSchema,
  ServiceListSchema,
  ServiceTrendsSchema,
  TopologySchema,
} from '@trellis/contracts';
import type { z } from 'zod';

/** Query parameters that choose the time a metrics view covers. */
const TIME = ['window', 'from', 'to'] as const;

interface ViewSpec {
  /** Under `/v1` at the collector and under `/api/v1` at the dashboard; `:name` is a parameter. */
  readonly path: string;
  /** The query parameters the view takes; the live-read route passes on these alone. */
  readonly query: readonly string[];
  readonly schema: z.ZodType;
}

/**
 * Every collector read the dashboard shows, in one table: the path, the query it takes and the
 * schema of its answer. The server's API client (`server/collector-api.ts`), the browser's live
 * reads (`server/live-reads.ts`) and the components build and match paths from here.
 */
export const VIEWS = {
  topology: { path: 'topology', query: TIME, schema: TopologySchema },
  services: { path: 'services', query: TIME, schema: ServiceListSchema },
  trends: { path: 'trends', query: TIME, schema: ServiceTrendsSchema },
  service: { path: 'services/:service', query: TIME, schema: ServiceDetailSchema },
  routes: { path: 'services/:service/routes', query: TIME, schema: RouteListSchema },
  edge: { path: 'edges/:source/:destination', query: TIME, schema: EdgeDetailSchema },
  histogram: {
    path: 'services/:service/routes/:route/histogram',
    query: TIME,
    schema: HistogramSchema,
  },
  series: { path: 'series', query: [...TIME, 'service', 'route'], schema: SeriesSchema },
  policies: { path: 'policies', query: [], schema: PolicyListSchema },
  policy: { path: 'policies/:service', query: [], schema: PolicyViewSchema },
  revisions: {
    path: 'policies/:service/revisions',
    query: [],
    schema: PolicyRevisionListSchema,
  },
  revisionDiff: {
    path: 'policies/:service/revisions/diff',
    query: ['from', 'to'],
    schema: PolicyDiffSchema,
  },
  proxies: { path: 'proxies', query: [], schema: ProxyListSchema },
} as const satisfies Record<string, ViewSpec>;

export type ViewName = keyof typeof VIEWS;

type ParamsIn<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamsIn<Rest>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

export type ViewParams<N extends ViewName> = Record<ParamsIn<(typeof VIEWS)[N]['path']>, string>;
export type ViewData<N extends ViewName> = z.infer<(typeof VIEWS)[N]['schema']>;
export type ViewQuery = Readonly<Record<string, string | number | null | undefined>>;

/**
 * A view's path with its parameters filled in and the query it takes, e.g.
 * `services/cart/routes?window=15m`. Query values that are unset, or not the view's, are left out.
 */
export function viewPath<N extends ViewName>(
  name: N,
  params: ViewParams<N>,
  query: ViewQuery = {},
): string {
  const spec: ViewSpec = VIEWS[name];
  const path = spec.path.replace(/:([a-z]+)/g, (_, key: string) =>
    encodeURIComponent((params as Record<string, string>)[key] ?? ''),
  );
  const search = new URLSearchParams();
  for (const key of spec.query) {
    const value = query[key];
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * The view a live-read request names, from its path segments (decoded) and query: its name and
 * the collector path to read, or undefined when it is no view (the dashboard is not an open
 * proxy to the collector).
 */
export function matchView(
  segments: readonly string[],
  search: URLSearchParams,
): { name: ViewName; path: string } | undefined {
  for (const [name, spec] of Object.entries(VIEWS) as [ViewName, ViewSpec][]) {
    const pattern = spec.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, i) => {
      const segment = segments[i]!;
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return segment.length > 0;
      }
      return part === segment;
    });
    if (matches) {
      return {
        name,
        path: viewPath(name, params as never, Object.fromEntries(search)),
      };
    }
  }
  return undefined;
}
