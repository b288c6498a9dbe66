// Collector ingest throughput on one core: parse + per-series increase + rollup aggregation of
// realistic proxy /metrics payloads, in samples per second, beside a well-known JS parser
// (parse-prometheus-text-format) measured on the same payloads in the same run.
// Needs the build: `npm run bench:scrape` builds first.
import { performance } from 'node:perf_hooks';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Counter, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, METRIC } from '@trellis/contracts';
import { RollupAggregator } from '../apps/collector/dist/rollup/rollup-aggregator.js';
import { TargetDeltaTracker } from '../apps/collector/dist/scrape/counter-deltas.js';
import { parsePrometheusText } from '../apps/collector/dist/scrape/prometheus-text-parser.js';

/** A busy proxy (50 destination services), and a small one (2) for a peer fairer to it. */
const PAYLOAD_SERVICES = [50, 2];
const ROUTES = 10;
const STATUSES = [200, 404, 500, 503];
const SNAPSHOTS = 6;
const MIN_SECONDS = 3;
const REQUESTS_PER_ROUTE = 40;

function seededRandom(seed) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Snapshots of one busy proxy's /metrics, traffic growing between them. */
async function payloads(services) {
  const registry = new Registry();
  const base = ['direction', 'src_service', 'dst_service', 'route'];
  const help = 'bench';
  const requests = new Counter({
    name: METRIC.requestTotal,
    help,
    labelNames: base,
    registers: [registry],
  });
  const responses = new Counter({
    name: METRIC.responseTotal,
    help,
    labelNames: [...base, 'status_code', 'classification', 'error'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: METRIC.responseLatencySeconds,
    help,
    labelNames: [...base, 'status_code', 'classification'],
    buckets: [...LATENCY_BUCKETS_SECONDS],
    registers: [registry],
  });
  const attempts = new Counter({
    name: METRIC.attemptTotal,
    help,
    labelNames: [...base, 'status_code', 'classification'],
    registers: [registry],
  });
  const retries = new Counter({
    name: METRIC.retryTotal,
    help,
    labelNames: [...base, 'result'],
    registers: [registry],
  });
  const random = seededRandom(7);
  const texts = [];
  for (let snapshot = 0; snapshot < SNAPSHOTS; snapshot++) {
    for (let s = 0; s < services; s++) {
      for (let r = 0; r < ROUTES; r++) {
        const labels = {
          direction: 'outbound',
          src_service: 'frontend',
          dst_service: `service-${s}`,
          route: `GET /api/v1/resource-${r}/{id}`,
        };
        requests.inc(labels, REQUESTS_PER_ROUTE);
        retries.inc({ ...labels, result: 'retried' }, 1);
        for (const status of STATUSES) {
          const classification = status >= 500 ? 'failure' : 'success';
          const withStatus = { ...labels, status_code: String(status), classification };
          responses.inc({ ...withStatus, error: status === 503 ? 'no-endpoints' : '' }, 10);
          attempts.inc(withStatus, 11);
          for (let i = 0; i < 10; i++) latency.observe(withStatus, random() * random() * 2);
        }
      }
    }
    texts.push(await registry.metrics());
  }
  return texts;
}

function measure(label, run) {
  let samples = 0;
  let elapsed = 0;
  let passes = 0;
  while (elapsed < MIN_SECONDS * 1000 || passes < 3) {
    const result = run();
    samples += result.samples;
    elapsed += result.ms;
    passes++;
  }
  const perSecond = (samples / elapsed) * 1000;
  console.log(
    `${label.padEnd(58)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} samples/s`,
  );
  return perSecond;
}

async function run(services) {
  const REQUESTS_PER_SNAPSHOT = services * ROUTES * REQUESTS_PER_ROUTE;
  const texts = await payloads(services);
  let samplesPerPayload = 0;
  parsePrometheusText(texts[0], { onSample: () => samplesPerPayload++ });
  const bytes = texts.reduce((total, text) => total + text.length, 0) / texts.length;
  console.log(
    `payload: ${samplesPerPayload.toLocaleString('en-US')} samples, ${(bytes / 1024).toFixed(0)} KiB ` +
      `(${services} services × ${ROUTES} routes × ${STATUSES.length} status codes, histograms of ${LATENCY_BUCKETS_SECONDS.length + 1} buckets)`,
  );

  // Steady state: the first snapshot of each pass is the target's first scrape (labels decoded,
  // series bound) and stays outside the timing; the rest are the every-interval path.
  const ours = measure('collector parse + increase + rollup (steady state)', () => {
    const aggregator = new RollupAggregator();
    const tracker = new TargetDeltaTracker(aggregator);
    tracker.ingest(texts[0]);
    aggregator.takeRows(0, 5);
    let samples = 0;
    const rounds = [];
    const started = performance.now();
    for (let i = 1; i < texts.length; i++) {
      samples += tracker.ingest(texts[i]).samples;
      rounds.push(aggregator.takeRows(i * 5000, 5));
    }
    const ms = performance.now() - started;
    for (const rows of rounds) {
      const requests = rows.reduce((total, row) => total + row.requests, 0);
      if (requests !== REQUESTS_PER_SNAPSHOT) {
        throw new Error(
          `measured a broken path: ${requests} requests, not ${REQUESTS_PER_SNAPSHOT}`,
        );
      }
    }
    return { samples, ms };
  });

  const firstSight = measure('collector first scrape of a target (decode + bind)', () => {
    const aggregator = new RollupAggregator();
    const tracker = new TargetDeltaTracker(aggregator);
    const started = performance.now();
    const { samples } = tracker.ingest(texts[0]);
    aggregator.takeRows(0, 5);
    return { samples, ms: performance.now() - started };
  });

  const parseOnly = measure('collector parser alone', () => {
    let samples = 0;
    const visitor = { onSample: () => undefined };
    const started = performance.now();
    for (const text of texts) samples += parsePrometheusText(text, visitor);
    return { samples, ms: performance.now() - started };
  });

  // Counted as the samples of the text it was given: its output nests histograms and merges
  // series, so counting what it returns would not be the same unit.
  const peer = measure('peer: parse-prometheus-text-format (parse only)', () => {
    let families = 0;
    const started = performance.now();
    for (const text of texts) families += parsePrometheusTextFormat(text).length;
    const ms = performance.now() - started;
    if (families === 0) throw new Error('the peer parsed nothing');
    return { samples: samplesPerPayload * texts.length, ms };
  });

  console.log(
    `ratio: ingest ${(ours / peer).toFixed(1)}× the peer's parse alone; parser ${(parseOnly / peer).toFixed(1)}×; ` +
      `first scrape ${(firstSight / peer).toFixed(1)}×; target ≥ 1,000,000 samples/s: ${ours >= 1_000_000 ? 'met' : 'NOT met'}`,
  );
}

for (const services of PAYLOAD_SERVICES) await run(services);
