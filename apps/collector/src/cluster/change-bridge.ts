import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { EVENT_TYPES } from '@trellis/contracts';
import type { Announcement, ChangeHub } from '../discovery/change-hub.js';
import type { SessionUser } from './cluster-connection.js';
import type { ClusterSession } from './cluster-session.js';
import { ClusterError } from './cluster-errors.js';

const CHANNEL = 'trellis_changes';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7999;

const NoticeSchema = z.union([
  z.object({ origin: z.string(), kind: z.literal('config'), service: z.string() }),
  z.object({
    origin: z.string(),
    kind: z.literal('event'),
    type: z.enum(EVENT_TYPES),
    data: z.unknown(),
  }),
]);

/**
 * Carries the change hub across collectors that share one PostgreSQL database: every change
 * announced here is sent with NOTIFY, and every change another collector sent is replayed into
 * this hub, so config watches and event streams see writes made through any collector.
 * Notices carry no state (listeners re-read the database), so one missed while the connection
 * was down costs only a re-read of every watched service when it is back.
 */
export class ChangeBridge implements SessionUser {
  /** Tells this collector's own notices, which it has already delivered, from the others'. */
  readonly origin = randomUUID();
  private session: ClusterSession | undefined;
  private sessions = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly hub: ChangeHub,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
  ) {}

  start(): void {
    this.unsubscribe ??= this.hub.onAnnouncement((announcement) => void this.send(announcement));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  async sessionStarted(session: ClusterSession): Promise<void> {
    this.session = session;
    session.onNotification((notice) => this.receive(notice));
    await session.query(`LISTEN ${CHANNEL}`);
    if (this.sessions++ === 0) return;
    for (const service of this.hub.watchedServices()) {
      this.hub.replay({ kind: 'config', service });
    }
  }

  sessionEnded(): void {
    this.session = undefined;
  }

  /** Never throws: the write that announced the change has already succeeded. */
  private async send(announcement: Announcement): Promise<void> {
    try {
      const payload = JSON.stringify({ origin: this.origin, ...announcement });
      const bytes = Buffer.byteLength(payload);
      if (bytes > MAX_PAYLOAD_BYTES) {
        throw new ClusterError(
          'cluster-payload-too-large',
          `a ${bytes}-byte notice exceeds PostgreSQL's NOTIFY limit`,
        );
      }
      if (this.session === undefined) {
        throw new ClusterError('cluster-disconnected', 'no connection to PostgreSQL');
      }
      await this.session.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
    } catch (error) {
      this.log.warn(
        { err: error, change: announcement.kind === 'config' ? 'config' : announcement.type },
        'could not tell the other collectors about a change',
      );
    }
  }

  private receive(notice: pg.Notification): void {
    if (notice.channel !== CHANNEL || notice.payload === undefined) return;
    let parsed: z.infer<typeof NoticeSchema>;
    try {
      parsed = NoticeSchema.parse(JSON.parse(notice.payload));
    } catch (error) {
      this.log.warn({ err: error }, 'ignored a malformed notice from another collector');
      return;
    }
    if (parsed.origin === this.origin) return;
    this.hub.replay(
      parsed.kind === 'config'
        ? { kind: 'config', service: parsed.service }
        : { kind: 'event', type: parsed.type, data: parsed.data },
    );
  }
}
