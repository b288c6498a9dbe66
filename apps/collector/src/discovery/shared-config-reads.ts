import { performance } from 'node:perf_hooks';
import type { DestinationConfig } from '@trellis/contracts';

/**
 * One database read of a service's config serves every watcher that needs it: a change to a
 * busy service is pushed to all of its proxies at once, and fifty identical reads would only
 * delay the last of them. A read joins one in flight only if that one started after the
 * change the caller was told of, so nobody is handed content older than its notice.
 */
export class SharedConfigReads {
  private readonly inFlight = new Map<
    string,
    { startedAt: number; promise: Promise<DestinationConfig> }
  >();

  constructor(private readonly source: (service: string) => Promise<DestinationConfig>) {}

  /** A config read that started after `noticeAt` (a `performance.now()` time). */
  read(service: string, noticeAt: number): Promise<DestinationConfig> {
    const current = this.inFlight.get(service);
    if (current !== undefined && current.startedAt > noticeAt) return current.promise;
    const startedAt = performance.now();
    const promise = this.source(service).finally(() => {
      if (this.inFlight.get(service)?.promise === promise) this.inFlight.delete(service);
    });
    this.inFlight.set(service, { startedAt, promise });
    return promise;
  }
}
