import { performance } from 'node:perf_hooks';
import type { Call } from '../call.js';
import type { RouteStats } from '../proxy-metrics.js';
import type { Layer } from '../handler.js';

/** Picks the series a request counts under (inbound: per calling service). */
export type StatsSelector = (call: Call) => RouteStats;

/**
 * Counts the logical request and its final outcome: `request_total`, `response_*`. A gRPC
 * stream whose status comes in trailers counts when it ends, its latency being the time to
 * that final status.
 */
export function metricsLayer(select: StatsSelector): Layer {
  return (next) => async (call) => {
    const stats = select(call);
    stats.requests++;
    const outcome = await next(call);
    if (outcome.final) {
      stats.recordResponse(outcome, (performance.now() - call.startedAt) / 1000);
    } else {
      outcome.response!.whenFinal((final) =>
        stats.recordResponse(final, (performance.now() - call.startedAt) / 1000),
      );
    }
    return outcome;
  };
}

/** Counts every upstream attempt, retries included: `attempt_total`. */
export function attemptMetricsLayer(stats: RouteStats): Layer {
  return (next) => async (call) => {
    const outcome = await next(call);
    stats.recordAttempt(outcome);
    return outcome;
  };
}
