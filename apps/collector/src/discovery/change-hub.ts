import type { EventType } from '@trellis/contracts';

export type ConfigListener = (service: string) => void;
export type EventListener = (type: EventType, data: unknown) => void;
export type ListenerErrorHandler = (error: unknown) => void;

/** One change as the hub hands it on, so it can be told to another collector and replayed there. */
export type Announcement =
  { kind: 'config'; service: string } | { kind: 'event'; type: EventType; data: unknown };
export type AnnouncementListener = (announcement: Announcement) => void;

/**
 * The collector's in-process bus. Writers (registry, stale sweeper, policy store, scrape loop)
 * announce after their change is committed; the watch and event streams listen. It carries no
 * state: a listener re-reads the database, so a missed or coalesced notice loses nothing.
 */
export class ChangeHub {
  private readonly configListeners = new Map<string, Set<ConfigListener>>();
  private readonly eventListeners = new Set<EventListener>();
  private readonly announcementListeners = new Set<AnnouncementListener>();

  /** A listener that throws must not stop the others or fail the writer that announced. */
  constructor(private readonly onListenerError: ListenerErrorHandler = () => {}) {}

  /** The endpoints or the policy of `service` changed: its DestinationConfig has a new revision. */
  configChanged(service: string): void {
    this.announce({ kind: 'config', service });
  }

  /** Calls `listener` on every change of `service`'s config; returns the unsubscribe function. */
  onConfigChange(service: string, listener: ConfigListener): () => void {
    let listeners = this.configListeners.get(service);
    if (!listeners) {
      listeners = new Set();
      this.configListeners.set(service, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.configListeners.get(service) === listeners) {
        this.configListeners.delete(service);
      }
    };
  }

  /** Control-plane news for `GET /v1/events`: `data` is sent as the event's JSON. */
  publish(type: EventType, data: unknown): void {
    this.announce({ kind: 'event', type, data });
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /**
   * Also hands every change announced on this hub to `listener`, but not the replayed ones: the
   * cluster bridge sends them to the other collectors, which must not send them back.
   */
  onAnnouncement(listener: AnnouncementListener): () => void {
    this.announcementListeners.add(listener);
    return () => this.announcementListeners.delete(listener);
  }

  /** Tells the streams here about a change without handing it on: one another collector announced. */
  replay(announcement: Announcement): void {
    if (announcement.kind === 'config') {
      for (const listener of [...(this.configListeners.get(announcement.service) ?? [])]) {
        this.call(() => listener(announcement.service));
      }
    } else {
      for (const listener of [...this.eventListeners]) {
        this.call(() => listener(announcement.type, announcement.data));
      }
    }
  }

  /** Services someone watches now; after a gap in the news from other collectors they re-read. */
  watchedServices(): string[] {
    return [...this.configListeners.keys()];
  }

  /** How many stream listeners are attached, so tests can see that streams clean up after themselves. */
  listenerCount(): number {
    let count = this.eventListeners.size;
    for (const listeners of this.configListeners.values()) count += listeners.size;
    return count;
  }

  private announce(announcement: Announcement): void {
    this.replay(announcement);
    for (const listener of [...this.announcementListeners]) this.call(() => listener(announcement));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.onListenerError(error);
    }
  }
}
