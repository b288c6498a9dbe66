import { z } from 'zod';

/**
 * Response bodies of the collector's metrics queries (topology, services, routes, histogram,
 * series), shared with the dashboard. A metric with no traffic behind it is `null` ("no
 * data"), never 0 % or NaN. Rates are per second, latencies in seconds, success rates 0…1.
 */

export const HEALTH = ['healthy', 'warning', 'failing', 'idle'] as const;
export type Health = (typeof HEALTH)[number];

/** Success-rate thresholds below which a service or edge is warning / failing. */
export const DEFAULT_HEALTH_THRESHOLDS = { warning: 0.95, failing: 0.9 } as const;

export const GoldenMetricsSchema = z.object({
  requests: z.number(),
  rps: z.number().nullable(),
  successRate: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

export const WindowSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  seconds: z.number(),
});

export const ServiceSummarySchema = z.object({
  service: z.string(),
  metrics: GoldenMetricsSchema,
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
  inbound: z.array(EdgeSchema),
  outbound: z.array(EdgeSchema),
});

export const RouteMetricsSchema = z.object({
  route: z.string(),
  /** What callers saw: one logical request each, after retries. */
  effective: GoldenMetricsSchema,
  /** Every attempt sent upstream, retries included. */
  actual: z.object({ rps: z.number().nullable(), successRate: z.number().nullable() }),
  retries: z.object({
    retried: z.number(),
    budgetExhausted: z.number(),
    limitReached: z.number(),
    bodyTooLarge: z.number(),
  }),
  health: z.enum(HEALTH),
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
  points: z.array(SeriesPointSchema),
  /** Policy changes of the service inside the window, to mark on the time axis. */
  policyChanges: z.array(
    z.object({ t: z.iso.datetime(), version: z.number(), author: z.string(), reason: z.string() }),
  ),
});

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

export function healthOf(
  successRate: number | null,
  thresholds: { warning: number; failing: number } = DEFAULT_HEALTH_THRESHOLDS,
): Health {
  if (successRate === null) return 'idle';
  if (successRate < thresholds.failing) return 'failing';
  return successRate < thresholds.warning ? 'warning' : 'healthy';
}
