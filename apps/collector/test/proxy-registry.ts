import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, METRIC, type Direction } from '@trellis/contracts';

const BASE = ['direction', 'src_service', 'dst_service', 'route'] as const;

export interface Exchange {
  direction: Direction;
  src: string;
  dst: string;
  route: string;
  status: number;
  latencySeconds: number;
  error?: string;
  /** Upstream attempts (outbound); defaults to 1. */
  attempts?: number;
}

/** A prom-client registry exposing exactly the proxy's metrics (docs/architecture.md §3). */
export class ProxyRegistry {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: METRIC.requestTotal,
    help: 'Requests the proxy received.',
    labelNames: BASE,
    registers: [this.registry],
  });
  private readonly responses = new Counter({
    name: METRIC.responseTotal,
    help: 'Responses the proxy sent.',
    labelNames: [...BASE, 'status_code', 'classification', 'error'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: METRIC.responseLatencySeconds,
    help: 'Time to the response.',
    labelNames: [...BASE, 'status_code', 'classification'],
    buckets: [...LATENCY_BUCKETS_SECONDS],
    registers: [this.registry],
  });
  private readonly attempts = new Counter({
    name: METRIC.attemptTotal,
    help: 'Upstream attempts, retries included.',
    labelNames: [...BASE, 'status_code', 'classification'],
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: METRIC.retryTotal,
    help: 'Retry decisions.',
    labelNames: [...BASE, 'result'],
    registers: [this.registry],
  });
  private readonly startTime: Gauge | undefined;

  /** With `startTimeSeconds`, also exposes `process_start_time_seconds`. */
  constructor(startTimeSeconds?: number) {
    if (startTimeSeconds !== undefined) {
      this.startTime = new Gauge({
        name: 'process_start_time_seconds',
        help: 'Start time of the process since unix epoch in seconds.',
        registers: [this.registry],
      });
      this.startTime.set(startTimeSeconds);
    }
  }

  record(exchange: Exchange, times = 1): void {
    const base = {
      direction: exchange.direction,
      src_service: exchange.src,
      dst_service: exchange.dst,
      route: exchange.route,
    };
    const classification = exchange.status >= 500 || exchange.error ? 'failure' : 'success';
    const status = { ...base, status_code: String(exchange.status), classification };
    for (let i = 0; i < times; i++) {
      this.requests.inc(base);
      this.responses.inc({ ...status, error: exchange.error ?? '' });
      this.latency.observe(status, exchange.latencySeconds);
      if (exchange.direction === 'outbound') this.attempts.inc(status, exchange.attempts ?? 1);
    }
  }

  retry(exchange: Omit<Exchange, 'status' | 'latencySeconds'>, result: string, times = 1): void {
    this.retries.inc(
      {
        direction: exchange.direction,
        src_service: exchange.src,
        dst_service: exchange.dst,
        route: exchange.route,
        result,
      },
      times,
    );
  }

  /** A process restart: every series starts over (and vanishes until used again). */
  restart(startTimeSeconds?: number): void {
    this.registry.resetMetrics();
    if (startTimeSeconds !== undefined) this.startTime?.set(startTimeSeconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
