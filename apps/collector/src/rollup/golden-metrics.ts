import { LATENCY_BUCKETS_SECONDS } from '@trellis/contracts';
import { histogramQuantile, type Histogram } from '@trellis/histogram';
import { LATENCY_BUCKET_COUNT } from './rollup-fields.js';
import type { RollupRow } from './rollup-row.js';

export interface GoldenMetrics {
  readonly requests: number;
  /** Σrequests / window; undefined without traffic. */
  readonly rps: number | undefined;
  /** Σsuccess / Σ(success + failure) responses; undefined without responses. */
  readonly successRate: number | undefined;
  /** histogram_quantile over the merged latency buckets, in seconds; undefined without data. */
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly latency: Histogram;
}

/**
 * The golden metrics of a set of rows over a window, as PromQL computes them from the same
 * series: `sum(increase(request_total[w])) / w`,
 * `sum(increase(response_total{classification="success"}[w])) / sum(increase(response_total[w]))`
 * and `histogram_quantile(q, sum by (le) (increase(response_latency_seconds_bucket[w])))`.
 */
export function goldenMetrics(rows: readonly RollupRow[], windowSeconds: number): GoldenMetrics {
  let requests = 0;
  let success = 0;
  let failure = 0;
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  for (const row of rows) {
    requests += row.requests;
    success += row.successes;
    failure += row.failures;
    for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) {
      counts[i] = (counts[i] as number) + (row.latencyBuckets[i] ?? 0);
    }
  }
  const latency: Histogram = { bounds: LATENCY_BUCKETS_SECONDS, counts };
  const responses = success + failure;
  return {
    requests,
    rps: requests > 0 ? requests / windowSeconds : undefined,
    successRate: responses > 0 ? success / responses : undefined,
    p50: histogramQuantile(0.5, latency),
    p95: histogramQuantile(0.95, latency),
    p99: histogramQuantile(0.99, latency),
    latency,
  };
}
