import { performance } from 'node:perf_hooks';
import {
  DEFAULT_ROUTE,
  defaultPolicy,
  type DestinationConfig,
  type Route,
} from '@trellis/contracts';
import { PeakEwmaBalancer, type Endpoint, type EndpointRegistry } from './balancer.js';
import type { Call } from './call.js';
import { grpcFailureMask } from './classify.js';
import { forwarder } from './forwarder.js';
import type { ProxyMetrics, RouteStats } from './proxy-metrics.js';
import { stack, type Layer } from './handler.js';
import { attemptMetricsLayer, metricsLayer } from './layers/metrics-layer.js';
import { rescueLayer, type ErrorLog } from './layers/rescue-layer.js';
import { retryLayer } from './layers/retry-layer.js';
import { timeoutLayer } from './layers/timeout-layer.js';
import { RetryBudget } from './retry-budget.js';
import type { RouteEntry } from './route-entry.js';
import { RouteTable } from './route-table.js';

export interface StackContext {
  /** This proxy's own service. */
  self: string;
  metrics: ProxyMetrics;
  endpoints: EndpointRegistry;
  log: ErrorLog;
  /** An upstream exchange or tunnel with no byte moving either way for this long is cut. */
  streamIdleTimeoutMs: number;
}

/**
 * Everything the outbound side needs to send to one service, built once per config change:
 * balancer over the endpoints, the retry budget, and a compiled stack per route. A request
 * keeps the Destination it started with, so swapping in a new one never disturbs it.
 */
export class Destination {
  readonly balancer: PeakEwmaBalancer;
  readonly budget: RetryBudget;
  private readonly routes: RouteTable<RouteEntry>;

  constructor(
    readonly config: DestinationConfig,
    context: StackContext,
    previous: Destination | undefined,
  ) {
    const { service, policy } = config;
    this.balancer = new PeakEwmaBalancer(
      config.endpoints.map((endpoint) => context.endpoints.get(endpoint.address)),
    );
    // An unchanged budget carries over, so frequent endpoint updates cannot reset it.
    this.budget =
      previous !== undefined && previous.budget.sameAs(policy.retryBudget)
        ? previous.budget
        : new RetryBudget(policy.retryBudget, performance.now());
    const balancer = this.balancer;
    const pick = (now: number): Endpoint | undefined => balancer.pick(now);
    const rescue = rescueLayer(context.log);
    const build = (name: string, route: Route | undefined): RouteEntry => {
      const stats = context.metrics.route('outbound', context.self, service, name);
      const layers: Layer[] = [
        metricsLayer(() => stats),
        timeoutLayer(route?.timeoutMs ?? policy.defaultTimeoutMs, 'request'),
      ];
      const retry = route?.retry;
      if (retry !== undefined) layers.push(retryLayer(retry, this.budget, stats));
      layers.push(attemptMetricsLayer(stats));
      if (retry?.perTryTimeoutMs !== undefined) {
        layers.push(timeoutLayer(retry.perTryTimeoutMs, 'attempt'));
      }
      const inner = forwarder(service, pick, grpcFailureMask(route?.grpcFailures));
      return { serve: rescue(stack(layers, inner)), stats: () => stats };
    };
    this.routes = new RouteTable(
      policy.routes,
      (route) => build(route.name, route),
      build(DEFAULT_ROUTE, undefined),
    );
  }

  get service(): string {
    return this.config.service;
  }

  serve(call: Call): Promise<void> {
    this.budget.deposit(call.startedAt);
    return this.routes.match(call.method, call.path).serve(call);
  }

  /** Where an Upgrade handshake to `path` counts. */
  upgradeStats(method: string, path: string): RouteStats {
    return this.routes.match(method, path).stats('');
  }
}

/** A destination nobody configured: no endpoints, default policy, so it answers 503. */
export function unconfiguredDestination(service: string): DestinationConfig {
  return { service, revision: 0, endpoints: [], policy: defaultPolicy(service) };
}
