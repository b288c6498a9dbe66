import { ServiceNameSchema, UNKNOWN_DESTINATION, type DestinationConfig } from '@trellis/contracts';
import { performance } from 'node:perf_hooks';
import { Destination, unconfiguredDestination, type StackContext } from './destination.js';

/** Opens a config watch for a service; the function it returns closes it. */
export type Subscribe = (service: string) => () => void;

/** How many names without a service the proxy watches, and for how long. */
export interface UnknownNameLimits {
  /** Names watched at once whose service the control plane does not know (yet). */
  watches: number;
  /** A watch for a name without a service closes once no request named it for this long. */
  idleMs: number;
  /** How long the first request to a name waits for the control plane's first answer. */
  firstConfigWaitMs: number;
}

/** A name being watched whose service the control plane has not (yet) known. */
interface UnknownName {
  unsubscribe: () => void;
  lastUsed: number;
  /** Set until the first config (or the first-config wait) settles it. */
  waiter: ((destination: Destination) => void) | undefined;
  promise: Promise<Destination>;
}

/**
 * The control plane knows no such service: it has never seen an instance or a policy for the
 * name, which is what it answers with revision 0 (see DestinationConfigSchema).
 */
function namesNoService(config: DestinationConfig): boolean {
  return config.revision === 0 && config.endpoints.length === 0;
}

/**
 * The destinations in force. With a control plane, the first request to a service not yet
 * known subscribes to it and waits (bounded) for its first config. Names the control plane
 * does not know share one destination without endpoints, counted under
 * `dst_service="unknown"`, so made-up host names add no series; at most `limits.watches` of
 * them are watched at once (the least recently used gives way to a new one), and each watch
 * closes after `limits.idleMs` without a request. Without a control plane, an unknown name
 * simply has no endpoints.
 */
export class DestinationRegistry {
  private readonly destinations = new Map<string, Destination>();
  /** In order of last use, least recent first. */
  private readonly unknownNames = new Map<string, UnknownName>();
  private unknown: Destination | undefined = undefined;
  private sweeper: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly context: StackContext,
    private readonly subscribe: Subscribe | undefined,
    private readonly limits: UnknownNameLimits,
  ) {}

  get(service: string): Destination | undefined {
    return this.destinations.get(service);
  }

  /** For a service not yet known: subscribes (within the limits) and waits for its config. */
  resolve(service: string): Promise<Destination> {
    const known = this.destinations.get(service);
    if (known !== undefined) return Promise.resolve(known);
    const watched = this.unknownNames.get(service);
    if (watched !== undefined) {
      this.unknownNames.delete(service);
      this.unknownNames.set(service, watched);
      watched.lastUsed = performance.now();
      return watched.promise;
    }
    if (
      this.subscribe === undefined ||
      !ServiceNameSchema.safeParse(service).success ||
      !this.makeRoom()
    ) {
      return Promise.resolve(this.unknownDestination());
    }
    return this.watchUnknown(service, this.subscribe);
  }

  /** Builds and swaps in a destination; requests already running keep the old one. */
  apply(config: DestinationConfig): Destination {
    const watched = this.unknownNames.get(config.service);
    if (watched !== undefined && namesNoService(config)) {
      const unknown = this.unknownDestination();
      this.settle(watched, unknown);
      return unknown;
    }
    if (watched !== undefined) this.unknownNames.delete(config.service);
    const destination = new Destination(
      config,
      this.context,
      this.destinations.get(config.service),
    );
    this.destinations.set(config.service, destination);
    if (watched !== undefined) this.settle(watched, destination);
    this.releaseUnusedEndpoints();
    return destination;
  }

  remove(service: string): void {
    if (this.destinations.delete(service)) this.releaseUnusedEndpoints();
  }

  services(): string[] {
    return [...this.destinations.keys()];
  }

  configs(): DestinationConfig[] {
    return [...this.destinations.values()].map((destination) => destination.config);
  }

  /** The names watched that the control plane does not know, least recently used first. */
  unknownWatches(): string[] {
    return [...this.unknownNames.keys()];
  }

  /** Closes every watch of an unknown name and stops the idle sweep. */
  close(): void {
    for (const service of [...this.unknownNames.keys()]) this.forget(service);
  }

  private watchUnknown(service: string, subscribe: Subscribe): Promise<Destination> {
    let waiter!: (destination: Destination) => void;
    const promise = new Promise<Destination>((resolve) => {
      waiter = resolve;
    });
    const entry: UnknownName = {
      unsubscribe: () => undefined,
      lastUsed: performance.now(),
      waiter,
      promise,
    };
    this.unknownNames.set(service, entry);
    const timer = setTimeout(() => {
      if (this.unknownNames.get(service) === entry) this.settle(entry, this.unknownDestination());
    }, this.limits.firstConfigWaitMs);
    timer.unref();
    entry.unsubscribe = subscribe(service);
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(this.limits.idleMs, 1000)).unref();
    return promise;
  }

  /** Whether a new name may be watched, closing the least recently used settled one if need be. */
  private makeRoom(): boolean {
    if (this.unknownNames.size < this.limits.watches) return true;
    for (const [service, entry] of this.unknownNames) {
      if (entry.waiter === undefined) {
        this.forget(service);
        return true;
      }
    }
    return false;
  }

  private settle(entry: UnknownName, destination: Destination): void {
    const waiter = entry.waiter;
    entry.waiter = undefined;
    waiter?.(destination);
  }

  private sweep(): void {
    const now = performance.now();
    for (const [service, entry] of this.unknownNames) {
      if (now - entry.lastUsed < this.limits.idleMs) break;
      if (entry.waiter === undefined) this.forget(service);
    }
  }

  private forget(service: string): void {
    const entry = this.unknownNames.get(service);
    if (entry === undefined) return;
    this.unknownNames.delete(service);
    this.settle(entry, this.unknownDestination());
    entry.unsubscribe();
    if (this.unknownNames.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** The one destination every name without a service shares: no endpoints, one label. */
  private unknownDestination(): Destination {
    this.unknown ??= new Destination(
      unconfiguredDestination(UNKNOWN_DESTINATION),
      this.context,
      undefined,
    );
    return this.unknown;
  }

  private releaseUnusedEndpoints(): void {
    const inUse = new Set<string>();
    for (const destination of this.destinations.values()) {
      for (const endpoint of destination.config.endpoints) inUse.add(endpoint.address);
    }
    this.context.endpoints.retainOnly(inUse);
  }
}
