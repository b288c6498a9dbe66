import { LATENCY_BUCKETS_SECONDS, type Policy } from '@trellis/contracts';
import type {
  Edge,
  EdgeDetail,
  GoldenMetricsView,
  HistogramView,
  RouteList,
  Series,
  ServiceDetail,
  ServiceList,
  ServiceSummary,
  ServiceTrends,
  StatusBreakdown,
  Topology,
} from '@trellis/contracts';
import { goldenMetrics } from '../rollup/golden-metrics.js';
import { sumRows } from '../rollup/merge-rows.js';
import type { RollupRow } from '../rollup/rollup-row.js';
import {
  ALL_ROUTES,
  type ColumnSet,
  type RollupFilter,
  type RollupStore,
} from '../rollup/rollup-store.js';
import { dataSpan, overlapSeconds, type DataSpan } from './data-span.js';
import { healthOf, type HealthThresholds } from './health.js';
import { chooseStep, type TimeWindow } from './time-window.js';

export interface InstanceCount {
  live: number;
  stale: number;
}

export interface MeshQueryDependencies {
  rollups: RollupStore;
  thresholds: HealthThresholds;
  /** Proxy instances per service, from the registry. */
  instanceCounts(): Promise<Map<string, InstanceCount>>;
  /** When the latest scrape started (ms since the epoch), from the registry. */
  lastScrapeAt(): Promise<number | undefined>;
  /** A service's current policy (its defaults when it has none). */
  policy(service: string): Promise<Policy>;
  /** Accepted policy changes of a service in [from, to). */
  policyChanges(
    service: string,
    from: Date,
    to: Date,
  ): Promise<{ at: Date; version: number; author: string; reason: string }[]>;
}

const NO_INSTANCES: InstanceCount = { live: 0, stale: 0 };

/**
 * Whose view a number is, decided once: for each caller, callee and route, what the caller's
 * outbound proxy measured (one row per logical request, after retries), else what the callee's
 * inbound proxy served (the caller runs no proxy). Rows must not be summed over callers yet.
 */
export function callersView(rows: readonly RollupRow[]): RollupRow[] {
  const key = (row: RollupRow) => `${row.srcService}\u0000${row.dstService}\u0000${row.route}`;
  const measuredOutbound = new Set<string>();
  for (const row of rows) if (row.direction === 'outbound') measuredOutbound.add(key(row));
  return rows.filter((row) => row.direction === 'outbound' || !measuredOutbound.has(key(row)));
}

function view(rows: readonly RollupRow[], seconds: number): GoldenMetricsView {
  const metrics = goldenMetrics(rows, seconds);
  return {
    requests: metrics.requests,
    rps: seconds > 0 ? (metrics.rps ?? null) : null,
    successRate: metrics.successRate ?? null,
    p50: metrics.p50 ?? null,
    p95: metrics.p95 ?? null,
    p99: metrics.p99 ?? null,
  };
}

/** `response_total` increases by status class and by proxy error code. */
function statusesOf(rows: readonly RollupRow[]): StatusBreakdown {
  const statuses: StatusBreakdown = {
    '1xx': 0,
    '2xx': 0,
    '3xx': 0,
    '4xx': 0,
    '5xx': 0,
    proxyErrors: {},
  };
  for (const row of rows) {
    statuses['1xx'] += row.status1xx;
    statuses['2xx'] += row.status2xx;
    statuses['3xx'] += row.status3xx;
    statuses['4xx'] += row.status4xx;
    statuses['5xx'] += row.status5xx;
    for (const [code, count] of Object.entries(row.errors)) {
      if (count) statuses.proxyErrors[code] = (statuses.proxyErrors[code] ?? 0) + count;
    }
  }
  return statuses;
}

function windowView(window: TimeWindow, span: DataSpan) {
  return {
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
    seconds: window.seconds,
    dataSeconds: span.seconds,
  };
}

function groupBy<K>(rows: readonly RollupRow[], keyOf: (row: RollupRow) => K): Map<K, RollupRow[]> {
  const groups = new Map<K, RollupRow[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return groups;
}

function timeoutSecondsOf(policy: Policy, route: string): number {
  const match = policy.routes.find((candidate) => candidate.name === route);
  return (match?.timeoutMs ?? policy.defaultTimeoutMs) / 1000;
}

function longestTimeoutSeconds(policy: Policy): number {
  return (
    Math.max(policy.defaultTimeoutMs, ...policy.routes.map((route) => route.timeoutMs ?? 0)) / 1000
  );
}

/**
 * The answers behind the topology, services, routes, histogram and series endpoints. Every
 * headline number is what callers experienced (`callersView`); a service's `served` numbers
 * are what its own inbound proxies answered, attempts included. Counts are PromQL's
 * `sum(increase(…))` over the window; rates divide them by the part of the window that has
 * data (`dataSpan`). docs/metrics.md names the series and expression behind each number.
 */
export class MeshQueries {
  constructor(private readonly deps: MeshQueryDependencies) {}

  async topology(window: TimeWindow): Promise<Topology> {
    const [span, rows, instances] = await Promise.all([
      this.span(window),
      this.edgeRows(window, {}),
      this.deps.instanceCounts(),
    ]);
    const { nodes, edges } = this.graph(rows, instances, span.seconds);
    return { window: windowView(window, span), nodes, edges };
  }

  async services(window: TimeWindow): Promise<ServiceList> {
    const [span, rows, instances] = await Promise.all([
      this.span(window),
      this.edgeRows(window, {}),
      this.deps.instanceCounts(),
    ]);
    const { nodes } = this.graph(rows, instances, span.seconds);
    return { window: windowView(window, span), services: nodes };
  }

  /** One service and its edges, from its own rows only. */
  async service(window: TimeWindow, service: string): Promise<ServiceDetail | undefined> {
    const [span, inboundRows, outboundRows, instances] = await Promise.all([
      this.span(window),
      this.edgeRows(window, { dstService: service }, 'all'),
      this.edgeRows(window, { srcService: service }, 'all'),
      this.deps.instanceCounts(),
    ]);
    const known = instances.has(service) || inboundRows.length > 0 || outboundRows.length > 0;
    if (!known) return undefined;
    const inbound = this.edges(inboundRows, span.seconds);
    return {
      window: windowView(window, span),
      service: this.node(service, inboundRows, outboundRows, instances, span.seconds),
      statuses: statusesOf(callersView(inboundRows)),
      inbound,
      outbound: this.edges(outboundRows, span.seconds),
    };
  }

  async routes(window: TimeWindow, service: string): Promise<RouteList> {
    const [span, rows, policy] = await Promise.all([
      this.span(window),
      this.deps.rollups.sum(window.fromMs, window.toMs, { dstService: service }, [
        'direction',
        'srcService',
        'route',
      ]),
      this.deps.policy(service),
    ]);
    const seconds = span.seconds;
    const byRoute = groupBy(callersView(rows), (row) => row.route);
    const routes = [...byRoute.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, routeRows]) => {
        const effective = view(routeRows, seconds);
        const row = sumRows(routeRows, window.fromMs, window.seconds);
        // Every attempt sent upstream: counted by outbound proxies; an inbound proxy (a caller
        // without a proxy) saw each attempt as a request.
        let attempts = 0;
        let attemptFailures = 0;
        for (const r of routeRows) {
          attempts += r.direction === 'outbound' ? r.attempts : r.requests;
          attemptFailures += r.direction === 'outbound' ? r.attemptFailures : r.failures;
        }
        const actualSuccessRate = attempts > 0 ? 1 - attemptFailures / attempts : null;
        return {
          route,
          effective,
          actual: {
            rps: attempts > 0 && seconds > 0 ? attempts / seconds : null,
            successRate: actualSuccessRate,
            health: healthOf(actualSuccessRate, this.deps.thresholds),
          },
          retries: {
            retried: row.retries.retried,
            budgetExhausted: row.retries.budget_exhausted,
            limitReached: row.retries.limit_reached,
            bodyTooLarge: row.retries.body_too_large,
          },
          health: healthOf(effective.successRate, this.deps.thresholds),
          timeoutSeconds: timeoutSecondsOf(policy, route),
          statuses: statusesOf(routeRows),
        };
      });
    return { window: windowView(window, span), service, routes };
  }

  async histogram(window: TimeWindow, service: string, route: string): Promise<HistogramView> {
    const [span, rows, policy] = await Promise.all([
      this.span(window),
      this.deps.rollups.sum(window.fromMs, window.toMs, { dstService: service, route }, [
        'direction',
        'srcService',
        'route',
      ]),
      this.deps.policy(service),
    ]);
    const metrics = goldenMetrics(callersView(rows), span.seconds);
    return {
      window: windowView(window, span),
      service,
      route,
      bounds: [...LATENCY_BUCKETS_SECONDS],
      counts: Array.from(metrics.latency.counts),
      p50: metrics.p50 ?? null,
      p95: metrics.p95 ?? null,
      p99: metrics.p99 ?? null,
      timeoutSeconds: timeoutSecondsOf(policy, route),
    };
  }

  async series(
    window: TimeWindow,
    service: string,
    route: string | undefined,
    requestedStepSeconds?: number,
  ): Promise<Series> {
    const stepSeconds = this.step(window, requestedStepSeconds);
    const [span, rows, policy, changes] = await Promise.all([
      this.span(window),
      this.deps.rollups.series(
        window.fromMs,
        window.toMs,
        stepSeconds,
        { dstService: service, route: route ?? ALL_ROUTES },
        ['direction', 'srcService'],
      ),
      this.deps.policy(service),
      this.deps.policyChanges(service, new Date(window.fromMs), new Date(window.toMs)),
    ]);
    return {
      window: windowView(window, span),
      service,
      route: route ?? null,
      stepSeconds,
      timeoutSeconds:
        route === undefined ? longestTimeoutSeconds(policy) : timeoutSecondsOf(policy, route),
      points: this.points(rows, span, stepSeconds),
      policyChanges: changes.map((change) => ({
        t: change.at.toISOString(),
        version: change.version,
        author: change.author,
        reason: change.reason,
      })),
    };
  }

  /** The calls from one service to another: by route, by status, over time. */
  async edge(
    window: TimeWindow,
    source: string,
    destination: string,
  ): Promise<EdgeDetail | undefined> {
    const filter = { srcService: source, dstService: destination };
    const stepSeconds = this.step(window, undefined);
    const [span, edgeRows, routeRows, stepRows, policy] = await Promise.all([
      this.span(window),
      this.edgeRows(window, filter, 'all'),
      this.deps.rollups.sum(window.fromMs, window.toMs, filter, ['direction', 'route']),
      this.deps.rollups.series(
        window.fromMs,
        window.toMs,
        stepSeconds,
        { ...filter, route: ALL_ROUTES },
        ['direction'],
      ),
      this.deps.policy(destination),
    ]);
    const [edge] = this.edges(edgeRows, span.seconds);
    if (edge === undefined) return undefined;
    const seen = callersView(edgeRows);
    const routes = [...groupBy(callersView(routeRows), (row) => row.route).entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, rows]) => {
        const metrics = view(rows, span.seconds);
        return {
          route,
          metrics,
          health: healthOf(metrics.successRate, this.deps.thresholds),
          timeoutSeconds: timeoutSecondsOf(policy, route),
          statuses: statusesOf(rows),
        };
      });
    return {
      window: windowView(window, span),
      edge,
      statuses: statusesOf(seen),
      routes,
      series: {
        window: windowView(window, span),
        service: destination,
        route: null,
        stepSeconds,
        timeoutSeconds: longestTimeoutSeconds(policy),
        points: this.points(stepRows, span, stepSeconds),
        policyChanges: [],
      },
    };
  }

  /** Every service's headline rate and success rate per chart step, in one read. */
  async trends(window: TimeWindow, requestedStepSeconds?: number): Promise<ServiceTrends> {
    const stepSeconds = this.step(window, requestedStepSeconds);
    const [span, rows] = await Promise.all([
      this.span(window),
      this.deps.rollups.series(
        window.fromMs,
        window.toMs,
        stepSeconds,
        { route: ALL_ROUTES },
        ['direction', 'srcService', 'dstService'],
        'golden',
      ),
    ]);
    const byService = groupBy(rows, (row) => row.dstService);
    const services = [...byService.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, serviceRows]) => ({
        service,
        points: this.points(serviceRows, span, stepSeconds).map(({ t, rps, successRate }) => ({
          t,
          rps,
          successRate,
        })),
      }));
    return { window: windowView(window, span), stepSeconds, services };
  }

  private step(window: TimeWindow, requestedStepSeconds: number | undefined): number {
    return chooseStep(
      window.seconds,
      this.deps.rollups.tiers.map((tier) => tier.seconds),
      requestedStepSeconds,
    );
  }

  /** Per chart step, in the callers' view; rates over the part of the step that has data. */
  private points(rows: readonly RollupRow[], span: DataSpan, stepSeconds: number) {
    return [...groupBy(rows, (row) => row.bucketStartMs).entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([startMs, stepRows]) => {
        const seconds = overlapSeconds(span, startMs, stepSeconds);
        if (seconds === 0) return [];
        const { requests: _requests, ...metrics } = view(callersView(stepRows), seconds);
        return [{ t: new Date(startMs).toISOString(), ...metrics }];
      });
  }

  private async span(window: TimeWindow): Promise<DataSpan> {
    const [extents, lastScrapeAt] = await Promise.all([
      this.deps.rollups.extent(window.fromMs, window.toMs),
      this.deps.lastScrapeAt(),
    ]);
    return dataSpan(window, extents, lastScrapeAt);
  }

  /** Edge-level rows (every route summed) per direction, caller and callee. */
  private edgeRows(
    window: TimeWindow,
    filter: RollupFilter,
    columns: ColumnSet = 'golden',
  ): Promise<RollupRow[]> {
    return this.deps.rollups.sum(
      window.fromMs,
      window.toMs,
      { ...filter, route: ALL_ROUTES },
      ['direction', 'srcService', 'dstService'],
      columns,
    );
  }

  private graph(
    rows: readonly RollupRow[],
    instances: Map<string, InstanceCount>,
    seconds: number,
  ): { nodes: ServiceSummary[]; edges: Edge[] } {
    const edges = this.edges(rows, seconds);
    const byCallee = groupBy(rows, (row) => row.dstService);
    const byCaller = groupBy(rows, (row) => row.srcService);
    const names = new Set<string>([...instances.keys(), ...byCallee.keys()]);
    for (const edge of edges) names.add(edge.source);
    const nodes = [...names]
      .sort()
      .map((service) =>
        this.node(
          service,
          byCallee.get(service) ?? [],
          byCaller.get(service) ?? [],
          instances,
          seconds,
        ),
      );
    return { nodes, edges };
  }

  /**
   * A service from the edge rows into it: callers' view as headline, its own inbound beside. A
   * service nobody calls (a traffic source) is headed by what it sent, so it is not idle.
   */
  private node(
    service: string,
    inboundRows: readonly RollupRow[],
    outboundRows: readonly RollupRow[],
    instances: Map<string, InstanceCount>,
    seconds: number,
  ): ServiceSummary {
    const metrics = view(callersView(inboundRows.length > 0 ? inboundRows : outboundRows), seconds);
    return {
      service,
      metrics,
      served: view(
        inboundRows.filter((row) => row.direction === 'inbound'),
        seconds,
      ),
      health: healthOf(metrics.successRate, this.deps.thresholds),
      instances: instances.get(service) ?? NO_INSTANCES,
    };
  }

  /** One edge per known caller and callee, in the callers' view. */
  private edges(rows: readonly RollupRow[], seconds: number): Edge[] {
    return callersView(rows)
      .filter((row) => row.srcService !== '')
      .sort(
        (a, b) =>
          a.srcService.localeCompare(b.srcService) || a.dstService.localeCompare(b.dstService),
      )
      .map((row) => {
        const metrics = view([row], seconds);
        return {
          source: row.srcService,
          destination: row.dstService,
          metrics,
          health: healthOf(metrics.successRate, this.deps.thresholds),
          measuredBy: row.direction,
        };
      });
  }
}
