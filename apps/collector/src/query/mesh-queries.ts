import { LATENCY_BUCKETS_SECONDS, healthOf } from '@trellis/contracts';
import type {
  Edge,
  GoldenMetricsView,
  HistogramView,
  RouteList,
  Series,
  ServiceDetail,
  ServiceList,
  ServiceSummary,
  Topology,
} from '@trellis/contracts';
import { goldenMetrics } from '../rollup/golden-metrics.js';
import type { RollupRow } from '../rollup/rollup-row.js';
import { ALL_ROUTES, type RollupStore } from '../rollup/rollup-store.js';
import { chooseStep, type TimeWindow } from './time-window.js';

export interface InstanceCount {
  live: number;
  stale: number;
}

export interface MeshQueryDependencies {
  rollups: RollupStore;
  /** Proxy instances per service, from the registry. */
  instanceCounts(): Promise<Map<string, InstanceCount>>;
  /** Accepted policy changes of a service in [from, to). */
  policyChanges(
    service: string,
    from: Date,
    to: Date,
  ): Promise<{ at: Date; version: number; author: string; reason: string }[]>;
}

const NO_INSTANCES: InstanceCount = { live: 0, stale: 0 };

function view(rows: readonly RollupRow[], seconds: number): GoldenMetricsView {
  const metrics = goldenMetrics(rows, seconds);
  return {
    requests: metrics.requests,
    rps: metrics.rps ?? null,
    successRate: metrics.successRate ?? null,
    p50: metrics.p50 ?? null,
    p95: metrics.p95 ?? null,
    p99: metrics.p99 ?? null,
  };
}

function windowView(window: TimeWindow) {
  return {
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
    seconds: window.seconds,
  };
}

/**
 * The answers behind the topology, services, routes, histogram and series endpoints. A
 * service's own numbers are what its inbound proxies served; an edge's are what the caller's
 * outbound proxy saw (after retries), or the callee's inbound side where the caller runs no
 * proxy. Numbers are PromQL's over the same series: sums of increases over the window.
 */
export class MeshQueries {
  constructor(private readonly deps: MeshQueryDependencies) {}

  async topology(window: TimeWindow): Promise<Topology> {
    const { nodes, edges } = await this.graph(window);
    return { window: windowView(window), nodes, edges };
  }

  async services(window: TimeWindow): Promise<ServiceList> {
    const { nodes } = await this.graph(window);
    return { window: windowView(window), services: nodes };
  }

  async service(window: TimeWindow, service: string): Promise<ServiceDetail | undefined> {
    const { nodes, edges } = await this.graph(window);
    const node = nodes.find((n) => n.service === service);
    if (node === undefined) return undefined;
    return {
      window: windowView(window),
      service: node,
      inbound: edges.filter((edge) => edge.destination === service),
      outbound: edges.filter((edge) => edge.source === service),
    };
  }

  async routes(window: TimeWindow, service: string): Promise<RouteList> {
    const [outbound, inbound] = await Promise.all(
      (['outbound', 'inbound'] as const).map((direction) =>
        this.deps.rollups.sum(window.fromMs, window.toMs, { direction, dstService: service }, [
          'route',
        ]),
      ),
    );
    const byRoute = new Map<string, RollupRow>();
    for (const row of inbound ?? []) byRoute.set(row.route, row);
    for (const row of outbound ?? []) byRoute.set(row.route, row);
    const routes = [...byRoute.values()]
      .sort((a, b) => a.route.localeCompare(b.route))
      .map((row) => {
        const effective = view([row], window.seconds);
        return {
          route: row.route,
          effective,
          actual: {
            rps: row.attempts > 0 ? row.attempts / window.seconds : null,
            successRate: row.attempts > 0 ? 1 - row.attemptFailures / row.attempts : null,
          },
          retries: {
            retried: row.retries.retried,
            budgetExhausted: row.retries.budget_exhausted,
            limitReached: row.retries.limit_reached,
            bodyTooLarge: row.retries.body_too_large,
          },
          health: healthOf(effective.successRate),
        };
      });
    return { window: windowView(window), service, routes };
  }

  async histogram(window: TimeWindow, service: string, route: string): Promise<HistogramView> {
    const rows = await this.preferOutbound(window, { dstService: service, route });
    const metrics = goldenMetrics(rows, window.seconds);
    return {
      window: windowView(window),
      service,
      route,
      bounds: [...LATENCY_BUCKETS_SECONDS],
      counts: Array.from(metrics.latency.counts),
      p50: metrics.p50 ?? null,
      p95: metrics.p95 ?? null,
      p99: metrics.p99 ?? null,
    };
  }

  async series(
    window: TimeWindow,
    service: string,
    route: string | undefined,
    requestedStepSeconds?: number,
  ): Promise<Series> {
    const stepSeconds = chooseStep(
      window.seconds,
      this.deps.rollups.tiers.map((tier) => tier.seconds),
      requestedStepSeconds,
    );
    // A service's own line is what its inbound side served; a route's is what callers saw.
    const filter =
      route === undefined
        ? { direction: 'inbound' as const, dstService: service, route: ALL_ROUTES }
        : { direction: 'outbound' as const, dstService: service, route };
    let rows = await this.deps.rollups.series(window.fromMs, window.toMs, stepSeconds, filter);
    if (rows.length === 0 && route !== undefined) {
      rows = await this.deps.rollups.series(window.fromMs, window.toMs, stepSeconds, {
        ...filter,
        direction: 'inbound',
      });
    }
    const changes = await this.deps.policyChanges(
      service,
      new Date(window.fromMs),
      new Date(window.toMs),
    );
    return {
      window: windowView(window),
      service,
      route: route ?? null,
      stepSeconds,
      points: rows
        .sort((a, b) => a.bucketStartMs - b.bucketStartMs)
        .map((row) => {
          const { requests: _requests, ...metrics } = view([row], stepSeconds);
          return { t: new Date(row.bucketStartMs).toISOString(), ...metrics };
        }),
      policyChanges: changes.map((change) => ({
        t: change.at.toISOString(),
        version: change.version,
        author: change.author,
        reason: change.reason,
      })),
    };
  }

  private async preferOutbound(
    window: TimeWindow,
    filter: { dstService: string; route: string },
  ): Promise<RollupRow[]> {
    const outbound = await this.deps.rollups.sum(
      window.fromMs,
      window.toMs,
      { ...filter, direction: 'outbound' },
      [],
    );
    if (outbound.some((row) => row.requests > 0)) return outbound;
    return this.deps.rollups.sum(
      window.fromMs,
      window.toMs,
      { ...filter, direction: 'inbound' },
      [],
    );
  }

  private async graph(window: TimeWindow): Promise<{ nodes: ServiceSummary[]; edges: Edge[] }> {
    const { fromMs, toMs, seconds } = window;
    // One scan of the edge-level rows answers everything: a service served exactly what its
    // inbound edges carried.
    const [edgeRows, instances] = await Promise.all([
      this.deps.rollups.sum(
        fromMs,
        toMs,
        { route: ALL_ROUTES },
        ['direction', 'srcService', 'dstService'],
        'golden',
      ),
      this.deps.instanceCounts(),
    ]);
    const outboundEdges = edgeRows.filter((row) => row.direction === 'outbound');
    const inboundEdges = edgeRows.filter((row) => row.direction === 'inbound');
    const served = new Map<string, RollupRow[]>();
    for (const row of inboundEdges) {
      const rows = served.get(row.dstService);
      if (rows === undefined) served.set(row.dstService, [row]);
      else rows.push(row);
    }

    const edges: Edge[] = [];
    const measured = new Set<string>();
    for (const row of outboundEdges) {
      measured.add(`${row.srcService}\u0000${row.dstService}`);
      edges.push(edgeOf(row, 'outbound', seconds));
    }
    for (const row of inboundEdges) {
      if (row.srcService === '' || measured.has(`${row.srcService}\u0000${row.dstService}`))
        continue;
      edges.push(edgeOf(row, 'inbound', seconds));
    }
    edges.sort(
      (a, b) => a.source.localeCompare(b.source) || a.destination.localeCompare(b.destination),
    );

    const names = new Set<string>([...instances.keys(), ...served.keys()]);
    for (const edge of edges) {
      names.add(edge.source);
      names.add(edge.destination);
    }
    const nodes = [...names].sort().map((service): ServiceSummary => {
      // A callee without proxies is known only through its callers.
      const rows = served.get(service) ?? outboundEdges.filter((row) => row.dstService === service);
      const metrics = view(rows, seconds);
      return {
        service,
        metrics,
        health: healthOf(metrics.successRate),
        instances: instances.get(service) ?? NO_INSTANCES,
      };
    });
    return { nodes, edges };
  }
}

function edgeOf(row: RollupRow, measuredBy: 'outbound' | 'inbound', seconds: number): Edge {
  const metrics = view([row], seconds);
  return {
    source: row.srcService,
    destination: row.dstService,
    metrics,
    health: healthOf(metrics.successRate),
    measuredBy,
  };
}
