import type { EventType } from '@trellis/contracts';

export type ConfigListener = (service: string) => void;
export type EventListener = (type: EventType, data: unknown) => void;
export type ListenerErrorHandler = (error: unknown) => void;

/**
 * The collector's in-process bus. Writers (registry, stale sweeper, policy store, scrape loop)
 * announce after their change is committed; the watch and event streams listen. It carries no
 * state: a listener re-reads the database, so a missed or coalesced notice loses nothing.
 */
export class ChangeHub {
  private readonly configListeners = new Map<string, Set<ConfigListener>>();
  private readonly eventListeners = new Set<EventListener>();

  /** A listener that throws must not stop the others or fail the writer that announced. */
  constructor(private readonly onListenerError: ListenerErrorHandler = () => {}) {}

  /** The endpoints or the policy of `service` changed: its DestinationConfig has a new revision. */
  configChanged(service: string): void {
    for (const listener of [...(this.configListeners.get(service) ?? [])]) {
      this.call(() => listener(service));
    }
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
    for (const listener of [...this.eventListeners]) this.call(() => listener(type, data));
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** How many listeners are attached, so tests can see that streams clean up after themselves. */
  listenerCount(): number {
    let count = this.eventListeners.size;
    for (const listeners of this.configListeners.values()) count += listeners.size;
    return count;
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.onListenerError(error);
    }
  }
}
