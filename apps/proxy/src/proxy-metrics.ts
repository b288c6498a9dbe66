import {
  BASE_LABELS,
  CLASSIFICATIONS,
  EXTERNAL_DESTINATION,
  GRPC_STATUS_NAMES,
  LATENCY_BUCKETS_SECONDS,
  METRIC,
  PROXY_ERRORS,
  RETRY_RESULTS,
  type Classification,
  type Direction,
  type ProxyErrorCode,
  type RetryResult,
} from '@trellis/contracts';
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { Outcome } from './classify.js';
import { NoEndpointsError } from './errors.js';

type BaseLabel = (typeof BASE_LABELS)[number];
/** The labels of one series set; `dst_host` only on traffic that leaves the mesh. */
export type BaseLabels = Readonly<Record<BaseLabel, string> & { dst_host?: string }>;

/** Index 0 is "no error"; then the catalogue's codes. */
const ERROR_CODES: readonly (ProxyErrorCode | undefined)[] = [
  undefined,
  ...Object.values(PROXY_ERRORS).map((error) => error.code),
];
const ERROR_SLOTS = ERROR_CODES.length;
const ERROR_INDEX = new Map<ProxyErrorCode | undefined, number>(
  ERROR_CODES.map((code, index) => [code, index]),
);
const CLASSIFICATION_INDEX = new Map<Classification, number>(
  CLASSIFICATIONS.map((classification, index) => [classification, index]),
);
const GRPC_SLOTS = GRPC_STATUS_NAMES.length + 1;
const RETRY_RESULT_INDEX = Object.fromEntries(
  RETRY_RESULTS.map((result, i) => [result, i]),
) as Record<RetryResult, number>;

class LatencySeries {
  /** Per bucket (not cumulative), the last one being +Inf. */
  readonly counts = new Float64Array(LATENCY_BUCKETS_SECONDS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_SECONDS.length && seconds > LATENCY_BUCKETS_SECONDS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

// Series keys pack the Outcome's parts into one number, so recording is a map look-up without
// a string: ((status × error slots + error) × gRPC slots + gRPC status + 1) × classifications
// + classification. Every part is bounded (3-digit statuses, the error catalogue, 17 gRPC
// codes or none, two classifications), and so is the number of series.
function outcomeKey(outcome: Outcome, withError: boolean): number {
  const error = withError ? ERROR_INDEX.get(outcome.error?.code)! : 0;
  const grpc = outcome.grpcStatus! + 1;
  return (
    ((outcome.status * ERROR_SLOTS + error) * GRPC_SLOTS + grpc) * CLASSIFICATIONS.length +
    CLASSIFICATION_INDEX.get(outcome.classification)!
  );
}

/** One number per (status code, classification), for attempts. */
function statusKey(outcome: Outcome): number {
  return (
    outcome.status * CLASSIFICATIONS.length + CLASSIFICATION_INDEX.get(outcome.classification)!
  );
}

interface OutcomeLabels {
  status_code: number;
  classification: Classification;
  grpc_status?: string;
  error?: string;
}

function labelsOfKey(key: number): OutcomeLabels {
  const classification = CLASSIFICATIONS[key % CLASSIFICATIONS.length]!;
  const rest = Math.floor(key / CLASSIFICATIONS.length);
  const grpc = rest % GRPC_SLOTS;
  const statusAndError = Math.floor(rest / GRPC_SLOTS);
  const labels: OutcomeLabels = {
    status_code: Math.floor(statusAndError / ERROR_SLOTS),
    classification,
  };
  if (grpc > 0) labels.grpc_status = GRPC_STATUS_NAMES[grpc - 1]!;
  const error = ERROR_CODES[statusAndError % ERROR_SLOTS];
  if (error !== undefined) labels.error = error;
  return labels;
}

/**
 * The golden metrics of one (direction, src, dst, route): plain numbers bumped on the request
 * path, turned into Prometheus series only when scraped. Keyed by the Outcome's status code and
 * classification (decided once, in classify.ts), so recording a response is a couple of map
 * look-ups and additions.
 */
export class RouteStats {
  requests = 0;
  /** Keyed by outcomeKey (with the error); latencies and attempts without it. */
  private readonly responses = new Map<number, number>();
  private readonly latencies = new Map<number, LatencySeries>();
  private readonly attempts = new Map<number, number>();
  private readonly retries = new Float64Array(RETRY_RESULTS.length);

  constructor(readonly labels: BaseLabels) {}

  recordResponse(outcome: Outcome, seconds: number): void {
    const key = outcomeKey(outcome, true);
    this.responses.set(key, (this.responses.get(key) ?? 0) + 1);
    const latencyKey = outcome.error === undefined ? key : outcomeKey(outcome, false);
    let latency = this.latencies.get(latencyKey);
    if (latency === undefined) {
      latency = new LatencySeries();
      this.latencies.set(latencyKey, latency);
    }
    latency.observe(seconds);
  }

  /**
   * An Upgrade handshake (a WebSocket, say): one request and one attempt, answered by the
   * upstream's status (101 when it switched) or a proxy error, timed to the response head.
   * The traffic through the tunnel after it is not HTTP and is not counted.
   */
  recordUpgrade(outcome: Outcome, seconds: number): void {
    this.requests++;
    this.recordResponse(outcome, seconds);
    this.recordAttempt(outcome);
  }

  /** Finding no endpoint is not an attempt: nothing was sent. */
  recordAttempt(outcome: Outcome): void {
    if (outcome.error instanceof NoEndpointsError) return;
    const key = statusKey(outcome);
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
  }

  recordRetry(result: RetryResult): void {
    this.retries[RETRY_RESULT_INDEX[result]]!++;
  }

  publishResponses(counter: Counter<string>): void {
    for (const [key, value] of this.responses) {
      counter.inc({ ...this.labels, ...labelsOfKey(key) }, value);
    }
  }

  publishAttempts(counter: Counter<string>): void {
    for (const [key, value] of this.attempts) {
      counter.inc(
        {
          ...this.labels,
          status_code: Math.floor(key / CLASSIFICATIONS.length),
          classification: CLASSIFICATIONS[key % CLASSIFICATIONS.length]!,
        },
        value,
      );
    }
  }

  publishRetries(counter: Counter<string>): void {
    RETRY_RESULTS.forEach((result, i) => {
      const value = this.retries[i]!;
      if (value > 0) counter.inc({ ...this.labels, result }, value);
    });
  }

  latencySamples(name: string): HistogramSample[] {
    const samples: HistogramSample[] = [];
    for (const [key, series] of this.latencies) {
      const labels = { ...this.labels, ...labelsOfKey(key) };
      let cumulative = 0;
      for (let i = 0; i <= LATENCY_BUCKETS_SECONDS.length; i++) {
        cumulative += series.counts[i]!;
        const le = i < LATENCY_BUCKETS_SECONDS.length ? LATENCY_BUCKETS_SECONDS[i]! : '+Inf';
        samples.push({
          metricName: `${name}_bucket`,
          labels: { ...labels, le },
          value: cumulative,
        });
      }
      samples.push({ metricName: `${name}_sum`, labels, value: series.sum });
      samples.push({ metricName: `${name}_count`, labels, value: series.count });
    }
    return samples;
  }
}

interface HistogramSample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A histogram whose buckets live in RouteStats. prom-client's registry only calls `get()` on a
 * metric; its typings merely list its own four classes, hence the one cast at registration.
 */
class RouteLatencyHistogram {
  readonly name = METRIC.responseLatencySeconds;
  readonly help =
    'Time from receiving a request to sending the response head (for a gRPC stream, to its final status), in seconds.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(private readonly store: ProxyMetrics) {}

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: HistogramSample[];
  }> {
    const values = this.store.all().flatMap((stats) => stats.latencySamples(this.name));
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values });
  }

  reset(): void {}
}

function labelKey(labels: BaseLabels): string {
  const base = `${labels.direction}\n${labels.src_service}\n${labels.dst_service}\n${labels.route}`;
  return labels.dst_host === undefined ? base : `${base}\n${labels.dst_host}`;
}

/** Connections tunnelled with CONNECT to one external host, and the bytes each way. */
export class TunnelStats {
  opened = 0;
  /** Bytes from the host to the client. */
  read = 0;
  /** Bytes from the client to the host. */
  written = 0;

  constructor(readonly labels: Readonly<Record<string, string>>) {}
}

/** Every RouteStats of this proxy, and the prom-client registry `/metrics` renders. */
export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly stats = new Map<string, RouteStats>();
  private readonly tunnels = new Map<string, TunnelStats>();

  constructor() {
    // The collector needs the process start time to count a new proxy's first scrape in full
    // (a proxy that appeared after the collector started watching has no earlier history).
    new Gauge({
      name: 'process_start_time_seconds',
      help: 'Start time of the process since unix epoch in seconds.',
      registers: [this.registry],
    }).set(performance.timeOrigin / 1000);
    const labelNames = [...BASE_LABELS, 'dst_host'];
    const tunnels = (): Iterable<TunnelStats> => this.tunnels.values();
    const tunnelCounter = (name: string, help: string, read: (stats: TunnelStats) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['direction', 'src_service', 'dst_service', 'dst_host'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const stats of tunnels()) this.inc(stats.labels, read(stats));
        },
      });
    tunnelCounter(METRIC.tcpOpenTotal, 'Connections tunnelled with CONNECT.', (t) => t.opened);
    tunnelCounter(
      METRIC.tcpReadBytesTotal,
      'Bytes received from the far end of CONNECT tunnels.',
      (t) => t.read,
    );
    tunnelCounter(
      METRIC.tcpWriteBytesTotal,
      'Bytes sent to the far end of CONNECT tunnels.',
      (t) => t.written,
    );
    const all = (): RouteStats[] => this.all();
    new Counter({
      name: METRIC.requestTotal,
      help: 'Requests received (logical requests, as the application sees them).',
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const stats of all()) this.inc(stats.labels, stats.requests);
      },
    });
    new Counter({
      name: METRIC.responseTotal,
      help: 'Responses sent, by status code, classification and proxy error.',
      labelNames: [...labelNames, 'status_code', 'classification', 'grpc_status', 'error'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const stats of all()) stats.publishResponses(this);
      },
    });
    this.registry.registerMetric(new RouteLatencyHistogram(this) as unknown as Metric);
    new Counter({
      name: METRIC.attemptTotal,
      help: 'Upstream attempts made for outbound requests, retries included.',
      labelNames: [...labelNames, 'status_code', 'classification'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const stats of all()) stats.publishAttempts(this);
      },
    });
    new Counter({
      name: METRIC.retryTotal,
      help: 'Retry decisions for outbound requests, by result.',
      labelNames: [...labelNames, 'result'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const stats of all()) stats.publishRetries(this);
      },
    });
  }

  /** The stats of one label set; the same object every time, so counts survive config changes. */
  route(
    direction: Direction,
    src: string,
    dst: string,
    route: string,
    dstHost?: string,
  ): RouteStats {
    const labels: BaseLabels =
      dstHost === undefined
        ? { direction, src_service: src, dst_service: dst, route }
        : { direction, src_service: src, dst_service: dst, route, dst_host: dstHost };
    const key = labelKey(labels);
    let stats = this.stats.get(key);
    if (stats === undefined) {
      stats = new RouteStats(labels);
      this.stats.set(key, stats);
    }
    return stats;
  }

  /** The tunnel counters of one outbound external host (a capped label, as `route`'s). */
  tunnel(src: string, dstHost: string): TunnelStats {
    let stats = this.tunnels.get(dstHost);
    if (stats === undefined) {
      stats = new TunnelStats({
        direction: 'outbound',
        src_service: src,
        dst_service: EXTERNAL_DESTINATION,
        dst_host: dstHost,
      });
      this.tunnels.set(dstHost, stats);
    }
    return stats;
  }

  all(): RouteStats[] {
    return [...this.stats.values()];
  }
}
