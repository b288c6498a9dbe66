import {
  API_ERRORS,
  AppliedPolicySchema,
  type AppliedPolicy,
  type ProxyChange,
  type ProxyEvent,
  type ProxyHeartbeat,
  type ProxyStatus,
} from '@trellis/contracts';
import type { Database, ProxyModel } from '@trellis/db';
import { z } from 'zod';
import type { ChangeHub } from '../discovery/change-hub.js';
import { ApiError } from '../http/api-error.js';
import { bumpConfigRevision } from '../discovery/config-revision.js';

/** An instance is stale after this many heartbeat intervals without one. */
export const MISSED_HEARTBEATS_FOR_STALE = 3;

const TRANSACTION = { maxWait: 10_000, timeout: 10_000 };

const AppliedMapSchema = z.record(z.string(), AppliedPolicySchema);

/**
 * The proxy registry: who is out there, reached at which address, running which policy.
 * Joins, returns and stale marks change discovery, so each bumps the service's config revision
 * in the same transaction and is announced on the hub once committed.
 */
export class ProxyRegistry {
  constructor(
    private readonly database: Database,
    private readonly hub: ChangeHub,
    readonly heartbeatIntervalMs: number,
    private readonly staleRetentionSeconds: number,
  ) {}

  /**
   * Registers an instance or records its heartbeat (an upsert by instance id).
   *
   * The usual heartbeat, from a live instance at the address it had, is one UPDATE that
   * matches only while the row is still live and unmoved. Racing the stale sweeper, either
   * the sweeper's update finds a fresh heartbeat and leaves the row alone, or this one finds
   * the row stale and takes the path below, which counts the return; discovery never ends up
   * live in the table but stale in the last revision a watcher got.
   *
   * An instance id belongs to the token that first registered it (`ownerTokenId`): another
   * token reusing it gets 409 and changes nothing, so a credential cannot take over another's
   * traffic by re-registering an id it read from discovery.
   */
  async heartbeat(
    heartbeat: ProxyHeartbeat,
    ownerTokenId: string,
    now = new Date(),
  ): Promise<void> {
    const fields = {
      service: heartbeat.service,
      inboundAddress: heartbeat.inboundAddress,
      adminAddress: heartbeat.adminAddress,
      proxyVersion: heartbeat.proxyVersion,
      lastHeartbeatAt: now,
      applied: JSON.stringify(heartbeat.applied),
      staleSince: null,
    };
    const { count } = await this.database.prisma.proxy.updateMany({
      where: {
        instanceId: heartbeat.instanceId,
        staleSince: null,
        service: heartbeat.service,
        inboundAddress: heartbeat.inboundAddress,
        // Rows registered before instances had owners go to the first token that heartbeats.
        OR: [{ ownerTokenId }, { ownerTokenId: null }],
      },
      data: { ...fields, ownerTokenId },
    });
    if (count === 1) return;

    // Returns rather than throws on a refusal: a rollback on SQLite would also undo other
    // requests' statements that ran on the shared connection meanwhile.
    const outcome = await this.database.prisma.$transaction(async (tx) => {
      const previous = await tx.proxy.findUnique({ where: { instanceId: heartbeat.instanceId } });
      if (previous && previous.ownerTokenId !== null && previous.ownerTokenId !== ownerTokenId) {
        return undefined;
      }
      await tx.proxy.upsert({
        where: { instanceId: heartbeat.instanceId },
        create: { instanceId: heartbeat.instanceId, registeredAt: now, ownerTokenId, ...fields },
        update: { ...fields, ownerTokenId },
      });
      const change: ProxyChange | undefined = !previous
        ? 'join'
        : previous.staleSince !== null
          ? 'return'
          : undefined;
      // Joined, returned, or moved (restarted elsewhere under the same id): discovery changed
      // for its service, and for the one it left.
      const changedServices = new Set([heartbeat.service]);
      if (previous && previous.staleSince === null) changedServices.add(previous.service);
      for (const service of changedServices) await bumpConfigRevision(tx, service, now);
      return { change, changedServices };
    }, TRANSACTION);
    if (!outcome) {
      throw new ApiError(
        API_ERRORS.instanceOwned,
        `instance "${heartbeat.instanceId}" is registered by another token; a proxy registers under its own instance id`,
      );
    }
    const { change, changedServices } = outcome;
    for (const service of changedServices) this.hub.configChanged(service);
    if (change) this.announce(heartbeat, change, now);
  }

  /**
   * Marks stale every live instance whose last heartbeat is older than three intervals.
   * Each mark is conditional on the heartbeat still being old, so one arriving meanwhile wins.
   */
  async markStale(now = new Date()): Promise<ProxyEvent[]> {
    const cutoff = new Date(now.getTime() - MISSED_HEARTBEATS_FOR_STALE * this.heartbeatIntervalMs);
    const candidates = await this.database.prisma.proxy.findMany({
      where: { staleSince: null, lastHeartbeatAt: { lt: cutoff } },
    });
    const events: ProxyEvent[] = [];
    for (const proxy of candidates) {
      const marked = await this.database.prisma.$transaction(async (tx) => {
        const { count } = await tx.proxy.updateMany({
          where: {
            instanceId: proxy.instanceId,
            staleSince: null,
            lastHeartbeatAt: { lt: cutoff },
          },
          data: { staleSince: now },
        });
        if (count === 1) await bumpConfigRevision(tx, proxy.service, now);
        return count === 1;
      }, TRANSACTION);
      if (!marked) continue;
      this.hub.configChanged(proxy.service);
      events.push(this.announce(proxy, 'stale', now));
    }
    return events;
  }

  /**
   * Deletes instances stale for longer than the retention; returns how many. Every restart of
   * a proxy registers a new instance id, so without this the registry only ever grows. Stale
   * instances are already out of discovery, so nothing changes for watchers. The delete is
   * conditional on `staleSince`, so an instance that returned meanwhile is kept.
   */
  async purgeStale(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.staleRetentionSeconds * 1000);
    const { prisma } = this.database;
    const [{ count }] = await prisma.$transaction([
      prisma.proxy.deleteMany({ where: { staleSince: { lt: cutoff } } }),
      prisma.$executeRaw`DELETE FROM "CounterCheckpoint" WHERE "instanceId" NOT IN (SELECT "instanceId" FROM "Proxy")`,
    ]);
    return count;
  }

  /** Live instances of `service`, in a stable order so identical configs look identical. */
  async liveInstances(service: string): Promise<ProxyModel[]> {
    return this.database.prisma.proxy.findMany({
      where: { service, staleSince: null },
      orderBy: { instanceId: 'asc' },
    });
  }

  /** Where to scrape every live instance. */
  async scrapeTargets(): Promise<Array<{ instanceId: string; adminAddress: string }>> {
    return this.database.prisma.proxy.findMany({
      where: { staleSince: null },
      select: { instanceId: true, adminAddress: true },
      orderBy: { instanceId: 'asc' },
    });
  }

  /** Records each scraped instance's last scrape, in one transaction; gone instances are skipped. */
  async recordScrapes(
    scrapes: ReadonlyArray<{
      instanceId: string;
      scrapedAtMs: number;
      durationMs: number;
      error: string | null;
    }>,
  ): Promise<void> {
    const { prisma } = this.database;
    await prisma.$transaction(
      scrapes.map((scrape) =>
        prisma.proxy.updateMany({
          where: { instanceId: scrape.instanceId },
          data: {
            lastScrapeAt: new Date(scrape.scrapedAtMs),
            lastScrapeDurationMs: Math.round(scrape.durationMs),
            lastScrapeError: scrape.error,
          },
        }),
      ),
    );
  }

  /** Live and stale instances per service. */
  async instanceCounts(): Promise<Map<string, { live: number; stale: number }>> {
    const rows = await this.database.prisma.proxy.findMany({
      select: { service: true, staleSince: true },
    });
    const counts = new Map<string, { live: number; stale: number }>();
    for (const row of rows) {
      const count = counts.get(row.service) ?? { live: 0, stale: 0 };
      if (row.staleSince === null) count.live++;
      else count.stale++;
      counts.set(row.service, count);
    }
    return counts;
  }

  /** When the latest scrape of any proxy started (ms since the epoch); undefined before any. */
  async lastScrapeAt(): Promise<number | undefined> {
    const { _max } = await this.database.prisma.proxy.aggregate({ _max: { lastScrapeAt: true } });
    return _max.lastScrapeAt?.getTime();
  }

  /** Every live instance with the policy versions it reports, for propagation counts. */
  async liveApplied(): Promise<
    Array<{ instanceId: string; service: string; applied: Record<string, AppliedPolicy> }>
  > {
    const rows = await this.database.prisma.proxy.findMany({
      where: { staleSince: null },
      select: { instanceId: true, service: true, applied: true },
      orderBy: { instanceId: 'asc' },
    });
    return rows.map((row) => ({ ...row, applied: parseApplied(row.applied) }));
  }

  async list(): Promise<ProxyStatus[]> {
    const rows = await this.database.prisma.proxy.findMany({
      orderBy: [{ service: 'asc' }, { instanceId: 'asc' }],
    });
    return rows.map((row) => ({
      service: row.service,
      instanceId: row.instanceId,
      inboundAddress: row.inboundAddress,
      adminAddress: row.adminAddress,
      proxyVersion: row.proxyVersion,
      status: row.staleSince === null ? 'live' : 'stale',
      registeredAt: row.registeredAt.toISOString(),
      lastHeartbeatAt: row.lastHeartbeatAt.toISOString(),
      staleSince: row.staleSince?.toISOString() ?? null,
      lastScrape: row.lastScrapeAt
        ? {
            at: row.lastScrapeAt.toISOString(),
            durationMs: row.lastScrapeDurationMs,
            error: row.lastScrapeError,
          }
        : null,
      applied: parseApplied(row.applied),
    }));
  }

  private announce(
    proxy: { service: string; instanceId: string; inboundAddress: string },
    change: ProxyChange,
    now: Date,
  ): ProxyEvent {
    const event: ProxyEvent = {
      service: proxy.service,
      instanceId: proxy.instanceId,
      inboundAddress: proxy.inboundAddress,
      change,
      at: now.toISOString(),
    };
    this.hub.publish('proxy', event);
    return event;
  }
}

/** The stored map was validated on the way in; anything unreadable counts as nothing applied. */
function parseApplied(json: string): Record<string, AppliedPolicy> {
  try {
    const parsed = AppliedMapSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
