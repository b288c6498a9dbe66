import { ServiceNameSchema, UNKNOWN_DESTINATION, type DestinationConfig } from '@trellis/contracts';
import { Destination, unconfiguredDestination, type StackContext } from './destination.js';

interface Waiter {
  promise: Promise<Destination>;
  resolve: (destination: Destination) => void;
}

/**
 * The destinations in force. With a control plane, the first request to an unknown service
 * subscribes to it and waits (bounded) for its first config; without one, an unknown service
 * simply has no endpoints.
 */
export class DestinationRegistry {
  private readonly destinations = new Map<string, Destination>();
  private readonly waiters = new Map<string, Waiter>();
  private unknown: Destination | undefined = undefined;

  constructor(
    private readonly context: StackContext,
    private readonly subscribe: ((service: string) => void) | undefined,
    private readonly firstConfigWaitMs: number,
  ) {}

  get(service: string): Destination | undefined {
    return this.destinations.get(service);
  }

  /**
   * For a service not yet known: subscribes (once) and waits for its config, or gives up. A
   * name that cannot be a service gets the one shared destination without endpoints.
   */
  resolve(service: string): Promise<Destination> {
    const known = this.destinations.get(service);
    if (known !== undefined) return Promise.resolve(known);
    if (!ServiceNameSchema.safeParse(service).success) {
      this.unknown ??= new Destination(
        unconfiguredDestination(UNKNOWN_DESTINATION),
        this.context,
        undefined,
      );
      return Promise.resolve(this.unknown);
    }
    if (this.subscribe === undefined)
      return Promise.resolve(this.apply(unconfiguredDestination(service)));
    let waiter = this.waiters.get(service);
    if (waiter === undefined) {
      let resolve!: (destination: Destination) => void;
      const promise = new Promise<Destination>((r) => {
        resolve = r;
      });
      waiter = { promise, resolve };
      this.waiters.set(service, waiter);
      const timer = setTimeout(() => {
        if (this.waiters.get(service) === waiter) {
          this.waiters.delete(service);
          resolve(new Destination(unconfiguredDestination(service), this.context, undefined));
        }
      }, this.firstConfigWaitMs);
      timer.unref();
      this.subscribe(service);
    }
    return waiter.promise;
  }

  /** Builds and swaps in a destination; requests already running keep the old one. */
  apply(config: DestinationConfig): Destination {
    const destination = new Destination(
      config,
      this.context,
      this.destinations.get(config.service),
    );
    this.destinations.set(config.service, destination);
    const waiter = this.waiters.get(config.service);
    if (waiter !== undefined) {
      this.waiters.delete(config.service);
      waiter.resolve(destination);
    }
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

  private releaseUnusedEndpoints(): void {
    const inUse = new Set<string>();
    for (const destination of this.destinations.values()) {
      for (const endpoint of destination.config.endpoints) inUse.add(endpoint.address);
    }
    this.context.endpoints.retainOnly(inUse);
  }
}
