// Cost of recording one request's golden metrics on the request path (not a test): what the
// metrics layers do per request (request count, attempt, response + latency histogram),
// against prom-client's own labelled Counter/Histogram doing the same. Run after building:
//   node bench/proxy-metrics-cost.mjs
import { performance } from 'node:perf_hooks';
import { Counter, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS } from '@trellis/contracts';
import { Outcome } from '../apps/proxy/dist/classify.js';
import { ProxyMetrics } from '../apps/proxy/dist/proxy-metrics.js';

const N = 5_000_000;
const ok = Outcome.ofResponse({ status: 200, sendTo() {}, discard() {} });
const failed = Outcome.ofResponse({ status: 503, sendTo() {}, discard() {} });

function time(label, body) {
  for (let i = 0; i < N / 10; i++) body(i);
  const start = performance.now();
  for (let i = 0; i < N; i++) body(i);
  const ns = ((performance.now() - start) * 1e6) / N;
  console.log(`${label.padEnd(44)} ${ns.toFixed(0).padStart(5)} ns per request`);
  return ns;
}

const stats = new ProxyMetrics().route('outbound', 'web', 'catalog', 'get-item');
time('trellis RouteStats (count, attempt, response)', (i) => {
  const outcome = i % 50 === 0 ? failed : ok;
  stats.requests++;
  stats.recordAttempt(outcome);
  stats.recordResponse(outcome, (i % 100) / 10_000);
});

const registry = new Registry();
const labelNames = [
  'direction',
  'src_service',
  'dst_service',
  'route',
  'status_code',
  'classification',
];
const requests = new Counter({
  name: 'request_total',
  help: 'h',
  labelNames: labelNames.slice(0, 4),
  registers: [registry],
});
const attempts = new Counter({
  name: 'attempt_total',
  help: 'h',
  labelNames,
  registers: [registry],
});
const responses = new Counter({
  name: 'response_total',
  help: 'h',
  labelNames,
  registers: [registry],
});
const latency = new Histogram({
  name: 'response_latency_seconds',
  help: 'h',
  labelNames,
  buckets: [...LATENCY_BUCKETS_SECONDS],
  registers: [registry],
});
const base = {
  direction: 'outbound',
  src_service: 'web',
  dst_service: 'catalog',
  route: 'get-item',
};
time('prom-client labelled inc/observe, same work', (i) => {
  const outcome = i % 50 === 0 ? failed : ok;
  const labels = { ...base, status_code: outcome.status, classification: outcome.classification };
  requests.inc(base);
  attempts.inc(labels);
  responses.inc(labels);
  latency.observe(labels, (i % 100) / 10_000);
});
