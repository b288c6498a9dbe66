import {
  PolicySchema,
  defaultPolicy,
  type Policy,
  type PolicyChange,
  type PolicyEvent,
  type PolicyRevision,
  type PolicySpec,
} from '@trellis/contracts';
import type { Database } from '@trellis/db';
import type { ChangeHub } from '../discovery/change-hub.js';
import { bumpConfigRevision } from '../discovery/config-revision.js';
import { RevisionNotFoundError, VersionConflictError } from './policy-errors.js';

export interface StoredPolicy {
  policy: Policy;
  /** Null while the service runs the default policy (version 0). */
  lastChange: PolicyChange | null;
}

export interface PolicyWriteRequest {
  service: string;
  spec: PolicySpec;
  /** The version the change was made on; 0 when the service has no stored policy yet. */
  baseVersion: number;
  author: string;
  reason: string;
}

// SQLite runs one write transaction at a time, so concurrent writers queue for it.
const TRANSACTION = { maxWait: 10_000, timeout: 10_000 };

/**
 * Versioned policies: the current document per service and every accepted revision. A write
 * is a compare-and-set on the version inside one transaction, so of N concurrent writes
 * based on the same version exactly one is accepted, on SQLite and on PostgreSQL alike.
 */
export class PolicyStore {
  constructor(
    private readonly database: Database,
    private readonly hub: ChangeHub,
  ) {}

  async current(service: string): Promise<StoredPolicy> {
    const row = await this.database.prisma.policy.findUnique({ where: { service } });
    if (!row) return { policy: defaultPolicy(service), lastChange: null };
    const revision = await this.database.prisma.policyRevision.findUnique({
      where: { service_version: { service, version: row.version } },
    });
    return {
      policy: parseDocument(row.document),
      lastChange: {
        version: row.version,
        author: row.updatedBy,
        reason: revision?.reason ?? '',
        at: row.updatedAt.toISOString(),
      },
    };
  }

  /** Every stored policy, by service name, with its last change. */
  async list(): Promise<Array<{ policy: Policy; lastChange: PolicyChange }>> {
    const rows = await this.database.prisma.policy.findMany({ orderBy: { service: 'asc' } });
    if (rows.length === 0) return [];
    const revisions = await this.database.prisma.policyRevision.findMany({
      where: { OR: rows.map(({ service, version }) => ({ service, version })) },
      select: { service: true, reason: true },
    });
    const reasons = new Map(revisions.map((revision) => [revision.service, revision.reason]));
    return rows.map((row) => ({
      policy: parseDocument(row.document),
      lastChange: {
        version: row.version,
        author: row.updatedBy,
        reason: reasons.get(row.service) ?? '',
        at: row.updatedAt.toISOString(),
      },
    }));
  }

  async write(request: PolicyWriteRequest, now = new Date()): Promise<StoredPolicy> {
    const { service, spec, baseVersion, author, reason } = request;
    const policy: Policy = { service, version: baseVersion + 1, ...spec };
    const document = JSON.stringify(policy);
    // A conflict ends the transaction by committing nothing rather than by rolling back: on
    // SQLite, Prisma runs other requests' statements on the one connection, inside whatever
    // transaction is open, and a rollback would silently undo them too.
    let accepted: boolean;
    try {
      accepted = await this.database.prisma.$transaction(async (tx) => {
        if (baseVersion === 0) {
          // SQLite runs one transaction at a time, so nothing can insert between the check and
          // the insert; on PostgreSQL a concurrent first write fails the insert on the key.
          if (await tx.policy.findUnique({ where: { service }, select: { version: true } })) {
            return false;
          }
          await tx.policy.create({
            data: { service, version: 1, document, updatedAt: now, updatedBy: author },
          });
        } else {
          // Conditional on the base version: PostgreSQL re-checks the condition after waiting
          // for a concurrent writer's row lock, so only one writer finds its base current.
          const { count } = await tx.policy.updateMany({
            where: { service, version: baseVersion },
            data: { version: policy.version, document, updatedAt: now, updatedBy: author },
          });
          if (count !== 1) return false;
        }
        await tx.policyRevision.create({
          data: { service, version: policy.version, document, author, reason, createdAt: now },
        });
        await bumpConfigRevision(tx, service, now);
        return true;
      }, TRANSACTION);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw await this.conflict(service, baseVersion, error);
    }
    if (!accepted) throw await this.conflict(service, baseVersion);
    const lastChange = { version: policy.version, author, reason, at: now.toISOString() };
    this.hub.configChanged(service);
    const event: PolicyEvent = { service, ...lastChange };
    this.hub.publish('policy', event);
    return { policy, lastChange };
  }

  /** A new version equal to `toVersion` (0 = the default policy): history is never rewritten. */
  async rollback(
    request: { service: string; toVersion: number; author: string; reason: string },
    now = new Date(),
  ): Promise<StoredPolicy> {
    const target = await this.documentAt(request.service, request.toVersion);
    const current = await this.current(request.service);
    return this.write(
      {
        service: request.service,
        spec: specOf(target),
        baseVersion: current.policy.version,
        author: request.author,
        reason: request.reason,
      },
      now,
    );
  }

  private async conflict(
    service: string,
    baseVersion: number,
    cause?: unknown,
  ): Promise<VersionConflictError> {
    const { policy } = await this.current(service);
    return new VersionConflictError(
      policy,
      baseVersion,
      cause === undefined ? undefined : { cause },
    );
  }

  /** Newest first. */
  async revisions(service: string): Promise<PolicyRevision[]> {
    const rows = await this.database.prisma.policyRevision.findMany({
      where: { service },
      orderBy: { version: 'desc' },
    });
    return rows.map((row) => ({
      version: row.version,
      author: row.author,
      reason: row.reason,
      createdAt: row.createdAt.toISOString(),
      policy: parseDocument(row.document),
    }));
  }

  /** Accepted changes in [from, to), oldest first: the marks on a chart's time axis. */
  async changesBetween(
    service: string,
    from: Date,
    to: Date,
  ): Promise<Array<{ at: Date; version: number; author: string; reason: string }>> {
    const rows = await this.database.prisma.policyRevision.findMany({
      where: { service, createdAt: { gte: from, lt: to } },
      select: { createdAt: true, version: true, author: true, reason: true },
      orderBy: { version: 'asc' },
    });
    return rows.map(({ createdAt, ...change }) => ({ at: createdAt, ...change }));
  }

  /** The document of one revision; version 0 is the default every service starts with. */
  async documentAt(service: string, version: number): Promise<Policy> {
    if (version === 0) return defaultPolicy(service);
    const row = await this.database.prisma.policyRevision.findUnique({
      where: { service_version: { service, version } },
    });
    if (!row) throw new RevisionNotFoundError(service, version);
    return parseDocument(row.document);
  }
}

/** The editable part of a policy: what a diff or an equality check should look at. */
export function specOf(policy: Policy): PolicySpec {
  const { service: _service, version: _version, ...spec } = policy;
  return spec;
}

/** Documents were validated on the way in; parsing again keeps a hand-edited row from leaking out. */
function parseDocument(document: string): Policy {
  return PolicySchema.parse(JSON.parse(document));
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'P2002';
}
