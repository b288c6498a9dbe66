import { Prisma, type Database, type Transaction } from '@trellis/db';
import type { CounterCheckpoint } from './counter-deltas.js';

/** A target's stored checkpoint and the revision a writer must name to replace it. */
export interface StoredCheckpoint {
  readonly revision: number;
  /** Undefined when the stored counters cannot be read: the next scrape is a baseline. */
  readonly checkpoint: CounterCheckpoint | undefined;
}

export interface CheckpointWrite {
  readonly instanceId: string;
  /** The revision this collector read or last wrote; undefined when none was stored. */
  readonly baseRevision: number | undefined;
  readonly checkpoint: CounterCheckpoint;
}

/**
 * Another writer stored a target's checkpoint since this collector read it: the increases
 * counted from the old one were counted there too, so the whole round must not be stored.
 */
export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
  readonly code = 'checkpoint-conflict';
  constructor(readonly instanceId: string) {
    super(`the counter checkpoint of ${instanceId} was written by another collector`);
  }
}

/** Keeps under SQLite's and PostgreSQL's bound-parameter limits. */
const IDS_PER_QUERY = 1000;

/**
 * Reads and writes the `CounterCheckpoint` rows. A write names the revision it replaces, so of
 * two collectors that read the same checkpoint only the first to store a round counts from it.
 */
export class CounterCheckpointStore {
  constructor(private readonly database: Database) {}

  async load(instanceIds: readonly string[]): Promise<Map<string, StoredCheckpoint>> {
    const found = new Map<string, StoredCheckpoint>();
    for (let i = 0; i < instanceIds.length; i += IDS_PER_QUERY) {
      const rows = await this.database.prisma.counterCheckpoint.findMany({
        where: { instanceId: { in: instanceIds.slice(i, i + IDS_PER_QUERY) } },
      });
      for (const row of rows) {
        found.set(row.instanceId, {
          revision: row.revision,
          checkpoint: decodeCheckpoint(row.processStartTimeSeconds, row.counters),
        });
      }
    }
    return found;
  }

  /** Stores every write inside `tx`; throws CheckpointConflictError if one was overtaken. */
  async write(tx: Transaction, writes: readonly CheckpointWrite[]): Promise<void> {
    for (const { instanceId, baseRevision, checkpoint } of writes) {
      const counters = JSON.stringify(Object.fromEntries(checkpoint.counters));
      const startTime = checkpoint.processStartTimeSeconds;
      const stored =
        baseRevision === undefined
          ? await tx.$executeRaw(
              Prisma.sql`INSERT INTO "CounterCheckpoint" ("instanceId", "processStartTimeSeconds", "revision", "counters")
                VALUES (${instanceId}, ${startTime}, 1, ${counters}) ON CONFLICT ("instanceId") DO NOTHING`,
            )
          : await tx.$executeRaw(
              Prisma.sql`UPDATE "CounterCheckpoint" SET "processStartTimeSeconds" = ${startTime},
                "revision" = ${baseRevision + 1}, "counters" = ${counters}
                WHERE "instanceId" = ${instanceId} AND "revision" = ${baseRevision}`,
            );
      if (stored !== 1) throw new CheckpointConflictError(instanceId);
    }
  }
}

function decodeCheckpoint(
  processStartTimeSeconds: number | null,
  counters: string,
): CounterCheckpoint | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(counters);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const values = new Map<string, number>();
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    values.set(key, value);
  }
  return { processStartTimeSeconds, counters: values };
}
