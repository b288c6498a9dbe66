import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Retry } from '@trellis/contracts';
import type { Call } from '../call.js';
import { retryConditionMask } from '../classify.js';
import type { RouteStats } from '../proxy-metrics.js';
import type { Layer } from '../handler.js';
import { bufferForReplay } from '../request-body.js';
import type { RetryBudget } from '../retry-budget.js';

/** Full-jitter exponential backoff: uniform in [0, min(max, base × 2^retry)]. */
function backoffMs(policy: Retry['backoff'], retry: number): number {
  return Math.random() * Math.min(policy.maxMs, policy.baseMs * 2 ** retry);
}

/**
 * Retries an outcome that matches the route's conditions, while the body can be replayed,
 * `maxRetries` is not reached and the destination's budget allows; every decision is counted
 * in `retry_total`. The budget's deposits happen at the destination's entry, for all routes.
 */
export function retryLayer(policy: Retry, budget: RetryBudget, stats: RouteStats): Layer {
  const mask = retryConditionMask(policy.on);
  return (next) => async (call: Call) => {
    await bufferForReplay(call);
    let outcome = await next(call);
    for (let retries = 0; ; retries++) {
      if ((outcome.conditions & mask) === 0 || call.cancelled) return outcome;
      if (!call.replayable) {
        stats.recordRetry('body_too_large');
        return outcome;
      }
      if (retries >= policy.maxRetries) {
        stats.recordRetry('limit_reached');
        return outcome;
      }
      if (!budget.tryWithdraw(performance.now())) {
        stats.recordRetry('budget_exhausted');
        return outcome;
      }
      stats.recordRetry('retried');
      outcome.response?.discard();
      const delay = backoffMs(policy.backoff, retries);
      if (delay >= 1) await sleep(delay);
      if (call.cancelled) return outcome;
      outcome = await next(call);
    }
  };
}
