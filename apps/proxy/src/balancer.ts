import type { LookupFunction } from 'node:net';
import { Http2Upstream } from './upstream/http2-upstream.js';
import { UpstreamPool } from './upstream/upstream-pool.js';

// Peak-EWMA decay (as linkerd2-proxy and Finagle): how fast a latency spike is forgotten.
const DECAY_MS = 10_000;
// Cost of an endpoint with requests in flight but no latency sample yet: high enough that a
// measured endpoint wins, so a new or reconnecting endpoint is probed, not flooded.
const UNMEASURED_PENALTY_MS = 1_000;
// Failure accrual: consecutive failed responses before an endpoint is avoided.
const FAILURES_TO_EJECT = 5;
const EJECT_BASE_MS = 1_000;
const EJECT_MAX_MS = 30_000;

/**
 * One upstream address with its connection pool and the load and health figures the balancer
 * reads. Survives config changes for as long as the address stays in some config.
 */
export class Endpoint {
  readonly pool: UpstreamPool;
  private http2Upstream: Http2Upstream | undefined = undefined;
  /** Attempts dispatched and not yet finished. */
  pending = 0;
  private ewmaMs = 0;
  private observedAt = 0;
  private consecutiveFailures = 0;
  private ejections = 0;
  private ejectedUntil = 0;

  constructor(
    readonly address: string,
    private readonly streamIdleTimeoutMs: number,
    /** How the host is resolved (egress applies its rules here); the system resolver if unset. */
    private readonly lookup?: LookupFunction,
  ) {
    // Timeouts are route policy, enforced by the timeout layers; the pool only cuts exchanges
    // that stalled altogether.
    this.pool = new UpstreamPool(address, streamIdleTimeoutMs, lookup);
  }

  /** The HTTP/2 session to this address, for requests that arrived over HTTP/2. */
  get http2(): Http2Upstream {
    return (this.http2Upstream ??= new Http2Upstream(
      this.address,
      this.streamIdleTimeoutMs,
      this.lookup,
    ));
  }

  isEjected(now: number): boolean {
    return this.ejectedUntil > now;
  }

  /** Peak-EWMA load: latency estimate scaled by the work already queued on this endpoint. */
  cost(now: number): number {
    if (this.ewmaMs === 0) return this.pending === 0 ? 0 : UNMEASURED_PENALTY_MS + this.pending;
    const elapsed = now - this.observedAt;
    const decayed = this.ewmaMs * Math.exp(-elapsed / DECAY_MS);
    return decayed * (this.pending + 1);
  }

  /** Records the time to a response head; a slower sample replaces the estimate at once (peak). */
  observeLatency(latencyMs: number, now: number): void {
    if (latencyMs > this.ewmaMs) {
      this.ewmaMs = latencyMs;
    } else {
      const weight = Math.exp(-(now - this.observedAt) / DECAY_MS);
      this.ewmaMs = this.ewmaMs * weight + latencyMs * (1 - weight);
    }
    this.observedAt = now;
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
    this.ejections = 0;
  }

  failed(now: number): void {
    if (++this.consecutiveFailures >= FAILURES_TO_EJECT) this.eject(now);
  }

  /** An endpoint that refuses connections is avoided at once, for longer each time. */
  connectFailed(now: number): void {
    this.eject(now);
  }

  private eject(now: number): void {
    const backoff = Math.min(EJECT_MAX_MS, EJECT_BASE_MS * 2 ** this.ejections);
    this.ejections++;
    this.consecutiveFailures = 0;
    this.ejectedUntil = now + backoff;
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.http2Upstream?.close()]);
  }

  async destroy(): Promise<void> {
    await Promise.all([this.pool.destroy(), this.http2Upstream?.destroy()]);
  }
}

/**
 * Power of two choices over peak-EWMA cost: two distinct random endpoints, the cheaper wins.
 * Ejected endpoints are skipped while any healthy one remains; when none does, all are tried
 * (fail open) so that recovery is noticed.
 */
export class PeakEwmaBalancer {
  constructor(readonly endpoints: readonly Endpoint[]) {}

  pick(now: number): Endpoint | undefined {
    const endpoints = this.endpoints;
    const n = endpoints.length;
    if (n <= 1) return endpoints[0];
    const i = Math.floor(Math.random() * n);
    let j = Math.floor(Math.random() * (n - 1));
    if (j >= i) j++;
    const a = endpoints[i]!;
    const b = endpoints[j]!;
    const aHealthy = !a.isEjected(now);
    const bHealthy = !b.isEjected(now);
    if (aHealthy && bHealthy) return a.cost(now) <= b.cost(now) ? a : b;
    if (aHealthy) return a;
    if (bHealthy) return b;
    return this.cheapestHealthy(now) ?? (a.cost(now) <= b.cost(now) ? a : b);
  }

  private cheapestHealthy(now: number): Endpoint | undefined {
    let best: Endpoint | undefined;
    let bestCost = Infinity;
    for (const endpoint of this.endpoints) {
      if (endpoint.isEjected(now)) continue;
      const cost = endpoint.cost(now);
      if (cost < bestCost) {
        best = endpoint;
        bestCost = cost;
      }
    }
    return best;
  }
}

/** Endpoints by address, shared by every destination, so a config change keeps warm pools. */
export class EndpointRegistry {
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(private readonly streamIdleTimeoutMs: number) {}

  get(address: string): Endpoint {
    let endpoint = this.endpoints.get(address);
    if (endpoint === undefined) {
      endpoint = new Endpoint(address, this.streamIdleTimeoutMs);
      this.endpoints.set(address, endpoint);
    }
    return endpoint;
  }

  /** Closes pools no longer referenced; in-flight requests on them finish first. */
  retainOnly(inUse: ReadonlySet<string>): void {
    for (const [address, endpoint] of this.endpoints) {
      if (inUse.has(address)) continue;
      this.endpoints.delete(address);
      void endpoint.close();
    }
  }

  async closeAll(): Promise<void> {
    const closing = [...this.endpoints.values()].map((endpoint) => endpoint.destroy());
    this.endpoints.clear();
    await Promise.all(closing);
  }
}
