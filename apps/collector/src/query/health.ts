import type { Health } from '@trellis/contracts';

/** Success rates below which a service, edge or route is warning / failing. */
export interface HealthThresholds {
  readonly warning: number;
  readonly failing: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = { warning: 0.95, failing: 0.9 };

/**
 * The one place health is decided: from the success rate callers experienced (null or
 * undefined: no traffic, idle). The dashboard shows what this says.
 */
export function healthOf(
  successRate: number | null | undefined,
  thresholds: HealthThresholds,
): Health {
  if (successRate === null || successRate === undefined) return 'idle';
  if (successRate < thresholds.failing) return 'failing';
  return successRate < thresholds.warning ? 'warning' : 'healthy';
}
