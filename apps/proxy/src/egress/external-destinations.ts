import {
  DEFAULT_ROUTE,
  EXTERNAL_DESTINATION,
  EXTERNAL_HOST_LABEL_LIMIT,
  EXTERNAL_OTHER_HOST,
  POLICY_DEFAULTS,
  splitHostPort,
} from '@trellis/contracts';
import type { Socket } from 'node:net';
import { Endpoint } from '../balancer.js';
import type { Call } from '../call.js';
import { grpcFailureMask, Outcome } from '../classify.js';
import type { StackContext } from '../destination.js';
import { EgressDeniedError } from '../errors.js';
import { forwarder } from '../forwarder.js';
import type { RouteStats } from '../proxy-metrics.js';
import { stack, type Handler } from '../handler.js';
import { attemptMetricsLayer, metricsLayer } from '../layers/metrics-layer.js';
import { rescueLayer, type ServeCall } from '../layers/rescue-layer.js';
import { timeoutLayer } from '../layers/timeout-layer.js';
import { tunnelConnect } from './connect-tunnel.js';
import type { EgressMode, EgressRules } from './egress-rules.js';

// Destinations kept with their pools; the oldest goes when a new host would exceed this.
const MAX_DESTINATIONS = 256;

/** `host:port` with the port HTTP implies when the authority has none. */
export function withDefaultPort(authority: string, port: number): string {
  const bracket = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  return colon > bracket ? authority : `${authority}:${port}`;
}

/** One external host: its endpoint (resolved with the egress rules) and its stack. */
class ExternalDestination {
  readonly endpoint: Endpoint;
  readonly serve: ServeCall;

  constructor(authority: string, stats: RouteStats, context: StackContext, rules: EgressRules) {
    const { port } = splitHostPort(authority);
    this.endpoint = new Endpoint(authority, context.streamIdleTimeoutMs, rules.lookupFor(port));
    const endpoint = this.endpoint;
    const inner = forwarder(EXTERNAL_DESTINATION, () => endpoint, grpcFailureMask(undefined));
    this.serve = rescueLayer(context.log)(
      stack(
        [
          metricsLayer(() => stats),
          timeoutLayer(POLICY_DEFAULTS.defaultTimeoutMs, 'request'),
          attemptMetricsLayer(stats),
        ],
        inner,
      ),
    );
  }
}

/**
 * Outbound traffic to anything that is not a mesh service, counted under
 * `dst_service="external"` with a `dst_host` label capped at the first 100 hosts. With
 * `--egress allow` it goes to the host itself; with `deny`, and always for a forbidden
 * address, it is answered 403 `egress-denied`.
 */
export class ExternalDestinations {
  private readonly destinations = new Map<string, ExternalDestination>();
  private readonly labelled = new Set<string>();
  private readonly denied: Handler;

  constructor(
    private readonly context: StackContext,
    readonly mode: EgressMode,
    readonly rules: EgressRules,
  ) {
    const reason = 'egress to hosts outside the mesh is denied (--egress deny)';
    this.denied = (call) =>
      Promise.resolve(Outcome.ofError(new EgressDeniedError(reason), call.grpc));
  }

  /** The `dst_host` label for `authority`: itself for the first hosts seen, then `other`. */
  hostLabel(authority: string): string {
    if (this.labelled.has(authority)) return authority;
    if (this.labelled.size >= EXTERNAL_HOST_LABEL_LIMIT) return EXTERNAL_OTHER_HOST;
    this.labelled.add(authority);
    return authority;
  }

  /** Serves a call whose authority (`host[:port]`, lowercased) is outside the mesh. */
  serve(call: Call, authority: string): Promise<void> {
    const target = withDefaultPort(authority, 80);
    let destination = this.destinations.get(target);
    if (destination === undefined) {
      const stats = this.stats(target);
      if (this.mode === 'deny') return this.refuse(call, stats, undefined);
      const { host, port } = splitHostPort(target);
      const refusal = this.rules.refusalOfLiteral(host, port);
      if (refusal !== undefined) return this.refuse(call, stats, refusal);
      destination = new ExternalDestination(target, stats, this.context, this.rules);
      this.remember(target, destination);
    }
    return destination.serve(call);
  }

  /** A CONNECT request from the app: a counted TCP tunnel to `target` (host:port). */
  tunnel(target: string, client: Socket, head: Buffer): void {
    tunnelConnect(target, client, head, {
      rules: this.rules,
      allowed: this.mode === 'allow',
      stats: (authority) =>
        this.context.metrics.tunnel(this.context.self, this.hostLabel(authority)),
      idleTimeoutMs: this.context.streamIdleTimeoutMs,
    });
  }

  async closeAll(): Promise<void> {
    const closing = [...this.destinations.values()].map((d) => d.endpoint.destroy());
    this.destinations.clear();
    await Promise.all(closing);
  }

  private stats(target: string): RouteStats {
    return this.context.metrics.route(
      'outbound',
      this.context.self,
      EXTERNAL_DESTINATION,
      DEFAULT_ROUTE,
      this.hostLabel(target),
    );
  }

  private refuse(call: Call, stats: RouteStats, reason: string | undefined): Promise<void> {
    const handler: Handler =
      reason === undefined
        ? this.denied
        : (c) => Promise.resolve(Outcome.ofError(new EgressDeniedError(reason), c.grpc));
    return rescueLayer(this.context.log)(stack([metricsLayer(() => stats)], handler))(call);
  }

  private remember(target: string, destination: ExternalDestination): void {
    if (this.destinations.size >= MAX_DESTINATIONS) {
      const [oldest, evicted] = this.destinations.entries().next().value!;
      this.destinations.delete(oldest);
      void evicted.endpoint.close();
    }
    this.destinations.set(target, destination);
  }
}
