// Cost of the proxy's own per-request code (not a test): an outbound request through the
// listener, a destination's layer stack and the forwarder, with the sockets taken away. The
// upstream pool answers at once (head and "ok" body in the same tick, as from a real socket)
// and the client response only records what it is given, so what is timed is the JavaScript
// the proxy adds on top of HTTP parsing and the sockets. Run after building:
//   node bench/proxy-stack-cost.mjs
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { EndpointRegistry } from '../apps/proxy/dist/balancer.js';
import { DestinationRegistry } from '../apps/proxy/dist/destination-registry.js';
import { ProxyMetrics } from '../apps/proxy/dist/proxy-metrics.js';
import { outboundListener } from '../apps/proxy/dist/outbound.js';

const N = 200_000;
const BATCH = 32;

const RESPONSE_HEADERS = [
  ['Server', 'nginx'],
  ['Date', 'Tue, 24 Nov 2026 23:40:00 GMT'],
  ['Content-Type', 'text/plain'],
  ['Content-Length', '2'],
  ['Connection', 'keep-alive'],
].flat();
const BODY = Buffer.from('ok');

/** Stands in for the upstream pool: answers every dispatch at once, as its parser would. */
const instantPool = {
  dispatch(_request, handler) {
    handler.onStart({ abort() {}, resume() {} });
    handler.onHeaders(200, RESPONSE_HEADERS.slice());
    handler.onData(BODY);
    handler.onComplete();
  },
};

/** Stands in for the listener's ClientResponse: records that the response was ended. */
class FakeResponse {
  destroyed = false;
  writableFinished = false;
  headersSent = false;
  listener = undefined;
  writeHead() {
    this.headersSent = true;
  }
  end() {
    this.writableFinished = true;
    done++;
  }
}

const endpoints = new EndpointRegistry(300_000);
const context = {
  self: 'web',
  metrics: new ProxyMetrics(),
  endpoints,
  log: (message, error) => console.error(message, error),
};
const registry = new DestinationRegistry(context, undefined, 0);
registry.apply({
  service: 'app',
  revision: 1,
  endpoints: [{ address: '127.0.0.1:1' }],
  policy: {
    service: 'app',
    version: 1,
    defaultTimeoutMs: 10_000,
    routes: [],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
  },
});
const endpoint = endpoints.get('127.0.0.1:1');
await endpoint.pool.close();
Object.defineProperty(endpoint, 'pool', { value: instantPool });

const listener = outboundListener('web', registry);
const rawHeaders = ['Host', 'app', 'User-Agent', 'wrk', 'Accept', '*/*'];
const head = { framing: 0, contentLength: 0, keepAlive: true, versionMinor: 1 };
let done = 0;

async function run(count) {
  const target = done + count;
  for (let i = 0; i < count; i += BATCH) {
    for (let j = 0; j < BATCH; j++) {
      const req = { head, method: 'GET', url: '/items/1', rawHeaders, body: null };
      listener.request(req, new FakeResponse());
    }
    // Let the batch's promise chains and timers settle, as the event loop would.
    await nextTurn();
  }
  while (done < target) await nextTurn();
}

await run(N / 4);
const start = performance.now();
await run(N);
const ns = ((performance.now() - start) * 1e6) / N;
console.log(`outbound stack, default route: ${ns.toFixed(0)} ns per request (${N} requests)`);
