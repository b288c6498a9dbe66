import { z } from 'zod';

/**
 * Response bodies of the collector's metrics queries (topology, services, routes, histogram,
 * series), shared with the dashboard. A metric with no traffic behind it is `null` ("no
 * data"), never 0 % or NaN. Rates are per second, latencies in seconds, success rates 0…1.
 */

/** Decided by the collector from the success rate callers experienced, by its thresholds. */
export const HEALTH = ['healthy', 'warning', 'failing', 'idle'] as const;
export type Health = (typeof HEALTH)[number];

export const GoldenMetricsSchema = z.object({
  requests: z.number(),
  rps: z.number().nullable(),
  successRate: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/** Responses by status class, and those the proxy answered itself by its error code. */
export const StatusBreakdownSchema = z.object({
  '1xx': z.number(),
  '2xx': z.number(),
  '3xx': z.number(),
  '4xx': z.number(),
  '5xx': z.number(),
  /** `x-trellis-error` codes (no-endpoints, connect-failed, request-timeout); also in 5xx. */
  proxyErrors: z.record(z.string(), z.number()),
});

export const WindowSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  seconds: z.number(),
  /**
   * The part of the window that has data, up to the last scrape: rates divide by it. Shorter
   * than `seconds` when the window reaches back before the first stored data.
   */
  dataSeconds: z.number(),
});

export const ServiceSummarySchema = z.object({
  service: z.string(),
  /**
   * What its callers experienced: one request per call, after retries, as each caller's
   * outbound proxy measured it (the callee's inbound side where a caller runs no proxy). The
   * sum of its inbound edges; health is decided on it.
   */
  metrics: GoldenMetricsSchema,
  /** What the service's own inbound proxies served: every attempt that reached it. */
  served: GoldenMetricsSchema,
  health: z.enum(HEALTH),
  instances: z.object({ live: z.number(), stale: z.number() }),
});

export const EdgeSchema = z.object({
  source: z.string(),
  destination: z.string(),
  metrics: GoldenMetricsSchema,
  health: z.enum(HEALTH),
  /** Whose proxy measured it: the caller's outbound side (preferred) or the callee's inbound side. */
  measuredBy: z.enum(['outbound', 'inbound']),
});

export const TopologySchema = z.object({
  window: WindowSchema,
  nodes: z.array(ServiceSummarySchema),
  edges: z.array(EdgeSchema),
});

export const ServiceListSchema = z.object({
  window: WindowSchema,
  services: z.array(ServiceSummarySchema),
});

export const ServiceDetailSchema = z.object({
  window: WindowSchema,
  service: ServiceSummarySchema,
  /** The responses its callers got. */
  statuses: StatusBreakdownSchema,
  inbound: z.array(EdgeSchema),
  outbound: z.array(EdgeSchema),
});

export const RouteMetricsSchema = z.object({
  route: z.string(),
  /** What callers saw: one logical request each, after retries. */
  effective: GoldenMetricsSchema,
  /** Every attempt sent upstream, retries included. */
  actual: z.object({
    rps: z.number().nullable(),
    successRate: z.number().nullable(),
    health: z.enum(HEALTH),
  }),
  retries: z.object({
    retried: z.number(),
    budgetExhausted: z.number(),
    limitReached: z.number(),
    bodyTooLarge: z.number(),
  }),
  health: z.enum(HEALTH),
  /** The route's total timeout (policy), in seconds: a latency above it is "> timeout". */
  timeoutSeconds: z.number(),
  /** The responses callers got. */
  statuses: StatusBreakdownSchema,
});

export const RouteListSchema = z.object({
  window: WindowSchema,
  service: z.string(),
  routes: z.array(RouteMetricsSchema),
});

export const HistogramSchema = z.object({
  window: WindowSchema,
  service: z.string(),
  route: z.string(),
  /** Upper bounds in seconds; the last bucket (above the last bound) is +Inf. */
  bounds: z.array(z.number()),
  /** Observations per bucket (not cumulative); one more entry than bounds. */
  counts: z.array(z.number()),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  /** The route's total timeout, in seconds. */
  timeoutSeconds: z.number(),
});

export const SeriesPointSchema = z.object({
  t: z.iso.datetime(),
  rps: z.number().nullable(),
  successRate: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

export const SeriesSchema = z.object({
  window: WindowSchema,
  service: z.string(),
  route: z.string().nullable(),
  stepSeconds: z.number(),
  /** The route's total timeout, in seconds; for a service, the longest of its routes'. */
  timeoutSeconds: z.number(),
  points: z.array(SeriesPointSchema),
  /** Policy changes of the service inside the window, to mark on the time axis. */
  policyChanges: z.array(
    z.object({ t: z.iso.datetime(), version: z.number(), author: z.string(), reason: z.string() }),
  ),
});

/** Every service's request rate and success rate over time, for the overview's sparklines. */
export const ServiceTrendsSchema = z.object({
  window: WindowSchema,
  stepSeconds: z.number(),
  services: z.array(
    z.object({
      service: z.string(),
      points: z.array(
        z.object({
          t: z.iso.datetime(),
          rps: z.number().nullable(),
          successRate: z.number().nullable(),
        }),
      ),
    }),
  ),
});

export type ServiceTrends = z.infer<typeof ServiceTrendsSchema>;
/** `GET /v1/edges/:source/:destination`: the calls from one service to another. */
export const EdgeDetailSchema = z.object({
  window: WindowSchema,
  edge: EdgeSchema,
  statuses: StatusBreakdownSchema,
  /** The calls by the callee's route, in the callers' view. */
  routes: z.array(
    z.object({
      route: z.string(),
      metrics: GoldenMetricsSchema,
      health: z.enum(HEALTH),
      timeoutSeconds: z.number(),
      statuses: StatusBreakdownSchema,
    }),
  ),
  /** The edge over time. */
  series: SeriesSchema,
});

export type StatusBreakdown = z.infer<typeof StatusBreakdownSchema>;
export type EdgeDetail = z.infer<typeof EdgeDetailSchema>;
export type QueryWindow = z.infer<typeof WindowSchema>;
export type GoldenMetricsView = z.infer<typeof GoldenMetricsSchema>;
export type ServiceSummary = z.infer<typeof ServiceSummarySchema>;
export type Edge = z.infer<typeof EdgeSchema>;
export type Topology = z.infer<typeof TopologySchema>;
export type ServiceList = z.infer<typeof ServiceListSchema>;
export type ServiceDetail = z.infer<typeof ServiceDetailSchema>;
export type RouteMetrics = z.infer<typeof RouteMetricsSchema>;
export type RouteList = z.infer<typeof RouteListSchema>;
export type HistogramView = z.infer<typeof HistogramSchema>;
export type Series = z.infer<typeof SeriesSchema>;
