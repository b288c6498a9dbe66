import type { Policy, PolicyPropagation } from '@trellis/contracts';
import type { ProxyRegistry } from '../registry/proxy-registry.js';

/**
 * How far `policy` has reached. Concerned are the live instances that serve the service or
 * report it among their destinations; each heartbeat says which version it runs or rejected.
 */
export async function policyPropagation(
  registry: ProxyRegistry,
  policy: Policy,
): Promise<PolicyPropagation> {
  const propagation: PolicyPropagation = {
    version: policy.version,
    applied: 0,
    total: 0,
    rejected: [],
  };
  for (const instance of await registry.liveApplied()) {
    const report = instance.applied[policy.service];
    if (instance.service !== policy.service && report === undefined) continue;
    propagation.total += 1;
    if (report?.policyVersion === policy.version) propagation.applied += 1;
    else if (report?.rejectedVersion === policy.version) {
      propagation.rejected.push({
        instanceId: instance.instanceId,
        error: report.error ?? 'rejected without a reason',
      });
    }
  }
  return propagation;
}
