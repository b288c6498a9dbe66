import {
  DEFAULT_ROUTE,
  PolicySpecSchema,
  type PolicyPreview,
  type PolicySpec,
  type RetryWhatIf,
  type TimeoutWhatIf,
} from '@trellis/contracts';
import { fractionAbove } from '@trellis/histogram';
import type { MeshQueries } from '../query/mesh-queries.js';
import type { TimeWindow } from '../query/time-window.js';
import { describePolicyChanges } from './policy-change-words.js';
import { specOf, type PolicyStore } from './policy-store.js';

interface RouteSettings {
  timeoutMs: number;
  retry: PolicySpec['routes'][number]['retry'];
}

/** The total timeout and retry settings per route name, `default` included. */
function settingsByRoute(spec: PolicySpec): Map<string, RouteSettings> {
  const settings = new Map<string, RouteSettings>([
    [DEFAULT_ROUTE, { timeoutMs: spec.defaultTimeoutMs, retry: undefined }],
  ]);
  for (const route of spec.routes) {
    settings.set(route.name, {
      timeoutMs: route.timeoutMs ?? spec.defaultTimeoutMs,
      retry: route.retry,
    });
  }
  return settings;
}

/**
 * The success rate callers would see if every attempt failed with `failureRate` and failures
 * were retried up to `maxRetries` times while `budget` retries last: round by round, the
 * requests still failing take a retry each until the budget runs out.
 */
export function expectedSuccessRate(
  requests: number,
  failureRate: number,
  maxRetries: number,
  budget: number,
): number {
  let failing = requests * failureRate;
  let left = budget;
  for (let round = 0; round < maxRetries && left > 0 && failing > 0; round++) {
    const retried = Math.min(failing, left);
    left -= retried;
    failing -= retried * (1 - failureRate);
  }
  return 1 - failing / requests;
}

/**
 * Validation and a what-if of a draft policy on the traffic observed in `window`, writing
 * nothing: for each route whose timeout changes, the share of requests slower than the new
 * one (interpolated within the latency bucket as histogram_quantile does); for each route whose
 * retries change, the failures seen and the retries the budget would have allowed.
 */
export async function previewPolicy(
  deps: { store: PolicyStore; queries: MeshQueries },
  service: string,
  draft: unknown,
  window: TimeWindow,
): Promise<PolicyPreview> {
  const parsed = PolicySpecSchema.safeParse(draft);
  if (!parsed.success) {
    return {
      valid: false,
      issues: parsed.error.issues.map((issue) => ({
        path: ['policy', ...issue.path].join('.'),
        message: issue.message,
      })),
      diff: [],
      whatIf: [],
      retries: [],
    };
  }
  const next = parsed.data;
  const current = specOf((await deps.store.current(service)).policy);
  const before = settingsByRoute(current);
  const after = settingsByRoute(next);
  const observed = new Map(
    (await deps.queries.routes(window, service)).routes.map((route) => [route.route, route]),
  );

  const whatIf: TimeoutWhatIf[] = [];
  const retries: RetryWhatIf[] = [];
  for (const [route, settings] of after) {
    const previous = before.get(route);
    if (previous?.timeoutMs !== settings.timeoutMs) {
      const histogram = await deps.queries.histogram(window, service, route);
      const requests = histogram.counts.reduce((sum, count) => sum + count, 0);
      whatIf.push({
        route,
        timeoutMs: settings.timeoutMs,
        windowSeconds: window.seconds,
        requests,
        wouldTimeOut:
          fractionAbove(settings.timeoutMs / 1000, {
            bounds: histogram.bounds,
            counts: histogram.counts,
          }) ?? null,
      });
    }
    if (settings.retry && JSON.stringify(previous?.retry) !== JSON.stringify(settings.retry)) {
      const seen = observed.get(route);
      const requests = seen?.effective.requests ?? 0;
      // Each attempt fails as the window's attempts did; without retries so far, that is what
      // callers saw.
      const attemptFailureRate = 1 - (seen?.actual.successRate ?? seen?.effective.successRate ?? 1);
      const failures = Math.round(requests * attemptFailureRate);
      const budgetAllows = Math.floor(
        next.retryBudget.ratio * requests + next.retryBudget.minRetriesPerSecond * window.seconds,
      );
      retries.push({
        route,
        maxRetries: settings.retry.maxRetries,
        windowSeconds: window.seconds,
        requests,
        failures,
        retriesWanted: failures * settings.retry.maxRetries,
        budgetAllows,
        successRate: seen?.effective.successRate ?? null,
        expectedSuccessRate:
          requests > 0
            ? expectedSuccessRate(
                requests,
                attemptFailureRate,
                settings.retry.maxRetries,
                budgetAllows,
              )
            : null,
      });
    }
  }
  return {
    valid: true,
    issues: [],
    diff: describePolicyChanges(current, next),
    whatIf,
    retries,
  };
}
