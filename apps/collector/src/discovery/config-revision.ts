import type { Transaction } from '@trellis/db';

/**
 * Counts one change of `service`'s DestinationConfig, inside the transaction that made it.
 *
 * The revision is a stored per-service counter rather than a clock reading: it survives
 * restarts, never goes back when the wall clock does, and bumping it in the same transaction
 * as the change means a reader never sees a revision without the content it stands for.
 */
export async function bumpConfigRevision(
  tx: Transaction,
  service: string,
  now: Date,
): Promise<void> {
  await tx.service.upsert({
    where: { name: service },
    create: { name: service, configRevision: 1, firstSeenAt: now, lastSeenAt: now },
    update: { configRevision: { increment: 1 }, lastSeenAt: now },
  });
}
