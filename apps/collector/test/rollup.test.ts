import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_SECONDS } from '@trellis/contracts';
import { TargetDeltaTracker } from '../src/scrape/counter-deltas.js';
import { RollupAggregator } from '../src/rollup/rollup-aggregator.js';
import { downsampleRows } from '../src/rollup/merge-rows.js';
import { goldenMetrics } from '../src/rollup/golden-metrics.js';
import type { RollupRow } from '../src/rollup/rollup-row.js';
import { timeBucketStart } from '../src/rollup/time-bucket.js';
import { ProxyRegistry, type Exchange } from './proxy-registry.js';

const T0 = 1_700_000_000_000;
const inbound: Exchange = {
  direction: 'inbound',
  src: 'web',
  dst: 'catalog',
  route: 'get-item',
  status: 200,
  latencySeconds: 0.007,
};
const outbound: Exchange = { ...inbound, direction: 'outbound' };

function buckets(entries: Record<number, number>): number[] {
  const counts = new Array<number>(LATENCY_BUCKETS_SECONDS.length + 1).fill(0);
  for (const [index, count] of Object.entries(entries)) counts[Number(index)] = count;
  return counts;
}

/** Three proxies feeding one aggregator: web's outbound, two catalog instances' inbound. */
async function scrapeRound(
  aggregator: RollupAggregator,
  proxies: [ProxyRegistry, TargetDeltaTracker<unknown>][],
  atMs: number,
): Promise<RollupRow[]> {
  for (const [proxy, tracker] of proxies) tracker.ingest(await proxy.text());
  return aggregator.takeRows(timeBucketStart(atMs, 5), 5);
}

function mesh() {
  const aggregator = new RollupAggregator();
  const make = (): [ProxyRegistry, TargetDeltaTracker<unknown>] => [
    new ProxyRegistry(),
    new TargetDeltaTracker(aggregator, { watchStartedAtMs: T0 }),
  ];
  const web = make();
  const catalog1 = make();
  const catalog2 = make();
  return { aggregator, web, catalog1, catalog2, all: [web, catalog1, catalog2] };
}

describe('rollup of one scrape round', () => {
  it('sums every proxy into one row per direction, edge and route', async () => {
    const { aggregator, web, catalog1, catalog2, all } = mesh();
    catalog1[0].record({ ...inbound, route: 'warm-up' });
    expect(await scrapeRound(aggregator, all, T0)).toEqual([]);

    catalog1[0].record(inbound, 90); // (0.005, 0.01]
    catalog2[0].record({ ...inbound, latencySeconds: 0.07 }, 9); // (0.05, 0.1]
    catalog2[0].record(
      { ...inbound, status: 504, error: 'request-timeout', latencySeconds: 0.7 }, // (0.5, 1]
      1,
    );
    web[0].record({ ...outbound, attempts: 3 }, 1);
    web[0].retry(outbound, 'retried', 2);
    web[0].retry(outbound, 'budget_exhausted', 1);

    const rows = await scrapeRound(aggregator, all, T0 + 7_000);
    const byDirection = Object.fromEntries(rows.map((row) => [row.direction, row]));
    expect(rows).toHaveLength(2);
    const { latencySumSeconds, ...inboundRow } = byDirection['inbound'] as RollupRow;
    expect(inboundRow).toEqual({
      bucketStartMs: T0 + 5_000,
      bucketSeconds: 5,
      direction: 'inbound',
      srcService: 'web',
      dstService: 'catalog',
      route: 'get-item',
      requests: 100,
      successes: 99,
      failures: 1,
      status1xx: 0,
      status2xx: 99,
      status3xx: 0,
      status4xx: 0,
      status5xx: 1,
      errors: { 'request-timeout': 1 },
      attempts: 0,
      attemptFailures: 0,
      retries: { retried: 0, budget_exhausted: 0, limit_reached: 0, body_too_large: 0 },
      latencyBuckets: buckets({ 5: 90, 10: 9, 15: 1 }),
    });
    expect(latencySumSeconds).toBeCloseTo(90 * 0.007 + 9 * 0.07 + 0.7, 9);
    expect(byDirection['outbound']).toMatchObject({
      requests: 1,
      successes: 1,
      attempts: 3,
      retries: { retried: 2, budget_exhausted: 1, limit_reached: 0, body_too_large: 0 },
      latencyBuckets: buckets({ 5: 1 }),
    });

    expect(await scrapeRound(aggregator, all, T0 + 12_000)).toEqual([]);
  });

  it('ignores series outside the contract', () => {
    const aggregator = new RollupAggregator();
    const tracker = new TargetDeltaTracker(aggregator, { watchStartedAtMs: T0 });
    const labels = 'direction="inbound",src_service="a",dst_service="b",route="r"';
    const text = (n: number) =>
      [
        '# TYPE request_total counter',
        `request_total{direction="sideways",src_service="a",dst_service="b",route="r"} ${n}`,
        '# TYPE other_total counter',
        `other_total{${labels}} ${n}`,
        '# TYPE request_gauge gauge',
        `request_gauge{${labels}} ${n}`,
      ].join('\n');
    tracker.ingest(text(1));
    tracker.ingest(text(5));
    expect(aggregator.takeRows(T0, 5)).toEqual([]);
  });

  it("merges only latency histograms with exactly the contract's bounds, judged per target", () => {
    const aggregator = new RollupAggregator();
    const labels = 'direction="inbound",src_service="a",dst_service="b",route="r"';
    const histogram = (bounds: readonly (number | string)[], n: number) =>
      [
        '# TYPE response_latency_seconds histogram',
        ...bounds.map((le) => `response_latency_seconds_bucket{le="${le}",${labels}} ${n}`),
        `response_latency_seconds_sum{${labels}} ${n / 100}`,
        `response_latency_seconds_count{${labels}} ${n}`,
      ].join('\n');
    const contract = [...LATENCY_BUCKETS_SECONDS, '+Inf'];
    const scenarios = [
      contract,
      [0.25, ...contract], // a foreign bound
      contract.filter((le) => le !== 0.3), // a missing bound
    ].map((bounds) => ({
      bounds,
      tracker: new TargetDeltaTracker(aggregator, { watchStartedAtMs: T0 }),
    }));
    for (const { bounds, tracker } of scenarios) tracker.ingest(histogram(bounds, 1));
    for (const { bounds, tracker } of scenarios) tracker.ingest(histogram(bounds, 8));
    const rows = aggregator.takeRows(T0, 5);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.latencyBuckets).toEqual(buckets({ 0: 7 }));
    expect(rows[0]?.latencySumSeconds).toBeCloseTo(0.07, 12);
  });
});

describe('golden metrics and downsampling', () => {
  async function twoRounds() {
    const { aggregator, catalog1, catalog2, all } = mesh();
    await scrapeRound(aggregator, all, T0);
    catalog1[0].record(inbound, 60);
    catalog2[0].record({ ...inbound, latencySeconds: 0.07 }, 6);
    const first = await scrapeRound(aggregator, all, T0 + 5_000);
    catalog1[0].record(inbound, 30);
    catalog2[0].record({ ...inbound, latencySeconds: 0.07 }, 3);
    catalog2[0].record({ ...inbound, status: 500, latencySeconds: 0.7 }, 1);
    const second = await scrapeRound(aggregator, all, T0 + 10_000);
    return [...first, ...second];
  }

  it('computes success rate, RPS and quantiles over the merged rows as PromQL does', async () => {
    const metrics = goldenMetrics(await twoRounds(), 10);
    expect(metrics.requests).toBe(100);
    expect(metrics.rps).toBe(10);
    expect(metrics.successRate).toBe(0.99);
    // 90 in (0.005, 0.01], 9 in (0.05, 0.1], 1 in (0.5, 1]
    expect(metrics.p50).toBe(0.005 + 0.005 * (50 / 90));
    expect(metrics.p95).toBe(0.05 + 0.05 * (5 / 9));
    expect(metrics.p99).toBe(0.1);
  });

  it('answers "no data" without traffic', () => {
    expect(goldenMetrics([], 60)).toMatchObject({
      requests: 0,
      rps: undefined,
      successRate: undefined,
      p50: undefined,
      p95: undefined,
      p99: undefined,
    });
  });

  it('downsamples into coarser buckets without losing what PromQL needs', async () => {
    const rows = await twoRounds();
    expect(rows.map((row) => row.bucketStartMs)).toEqual([T0 + 5_000, T0 + 10_000]);
    const coarse = downsampleRows(rows, 60);
    expect(coarse).toHaveLength(1);
    const start = timeBucketStart(T0, 60);
    expect(coarse[0]).toMatchObject({
      bucketStartMs: start,
      bucketSeconds: 60,
      requests: 100,
      successes: 99,
      failures: 1,
      status2xx: 99,
      status5xx: 1,
      latencyBuckets: buckets({ 5: 90, 10: 9, 15: 1 }),
    });
    expect(goldenMetrics(coarse, 10)).toEqual(goldenMetrics(rows, 10));
  });

  it('refuses buckets that do not nest', async () => {
    const rows = await twoRounds();
    expect(() => downsampleRows(rows, 7)).toThrow(RangeError);
  });
});
