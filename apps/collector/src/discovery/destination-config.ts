import type { DestinationConfig } from '@trellis/contracts';
import type { Database } from '@trellis/db';
import type { PolicyStore } from '../policies/policy-store.js';
import type { ProxyRegistry } from '../registry/proxy-registry.js';

/**
 * What a proxy needs to call `service`: its live endpoints, its policy, and the revision.
 *
 * The revision is read before the content. Every change commits content and revision
 * together, so content read afterwards is at least as new as the revision: a reader may pair
 * an older revision with newer content (the next notice then brings a higher revision), but
 * never a new revision with old content, which a watcher would take as already seen.
 */
export async function readDestinationConfig(
  {
    database,
    registry,
    policies,
  }: { database: Database; registry: ProxyRegistry; policies: PolicyStore },
  service: string,
): Promise<DestinationConfig> {
  const row = await database.prisma.service.findUnique({
    where: { name: service },
    select: { configRevision: true },
  });
  const [instances, { policy }] = await Promise.all([
    registry.liveInstances(service),
    policies.current(service),
  ]);
  return {
    service,
    revision: row?.configRevision ?? 0,
    endpoints: instances.map((instance) => ({
      address: instance.inboundAddress,
      instanceId: instance.instanceId,
    })),
    policy,
  };
}
