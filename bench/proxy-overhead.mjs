// Proxy overhead benchmark (not a test): requests/s and latency for the same tiny upstream
// reached directly, through one trellis-proxy, through two (outbound → inbound, a real mesh
// hop) and through nginx as a reverse proxy (one process).
//
//   npm run bench:proxy            (builds the proxy first)
//   BENCH_SECONDS=5 BENCH_ROUNDS=3 node bench/proxy-overhead.mjs
//   BENCH_NODE_FLAGS="--max-semi-space-size=32" node bench/proxy-overhead.mjs
//   BENCH_PROXY=/path/to/another/build/main.js node bench/proxy-overhead.mjs   (before/after)
//
// Method: the system under test runs alone on CPU 1, clients and the nginx upstream on CPU 0
// (see proxy-harness.mjs). After a warm-up of every target, the targets are measured in
// interleaved rounds so that a burst of load from elsewhere on the machine hits one round of
// each rather than all rounds of one; medians over the rounds are reported, along with the
// proxy/nginx ratio of each round and the load average at start and end.
//
// Per round and target: wrk -t1 -c32 --latency (closed loop, µs latency), then an open-loop
// generator at 1,000 req/s timing each request from its scheduled send time. `cpu` is the
// system under test's CPU use during wrk (100% = its whole core): below 100%, the client side
// was the limit. `req/cpu-s` is requests per CPU-second of the system under test. `run-queue
// wait` is how long, during the 1,000 req/s phase, the system under test was ready to run but
// held up by other processes on its core: on a shared machine, the source of most of the p99.
import {
  Harness,
  checkTools,
  cpuSeconds,
  fixedRate,
  freePort,
  loadAverage,
  median,
  pinSelf,
  runQueueSeconds,
  startMesh,
  waitFor,
  wrk,
} from './proxy-harness.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const main = process.env.BENCH_PROXY;

checkTools();
pinSelf();
const startLoad = loadAverage();
console.log(`load average at start: ${startLoad}`);

const harness = new Harness();
try {
  const upstreamPort = await freePort();
  const nginxPort = await freePort();
  harness.startUpstream(upstreamPort);
  const nginx = harness.startReverseProxy(nginxPort, upstreamPort);
  const mesh = await startMesh(harness, upstreamPort, { nodeFlags, main });
  const targets = [
    { name: 'direct', port: upstreamPort, pids: [] },
    { name: '1 proxy', port: mesh.ports.webOutbound, host: 'app', pids: [mesh.web.pid] },
    {
      name: '2 proxies',
      port: mesh.ports.webOutbound,
      host: 'catalog',
      pids: [mesh.web.pid, mesh.catalog.pid],
    },
    { name: 'nginx', port: nginxPort, pids: [nginx.pid] },
  ];
  for (const target of targets) await waitFor(target.port, target.host);

  // Warm-up: connection pools and the JIT of every process involved.
  for (const target of targets) {
    wrk(target.port, target.host, 2);
    await fixedRate(target.port, target.host, 1000, 1);
  }

  console.log(
    `${rounds} interleaved rounds of wrk -t1 -c32 -d${seconds}s --latency, ` +
      `then 1,000 req/s open loop for ${seconds}s${nodeFlags.length ? `; node ${nodeFlags.join(' ')}` : ''}\n`,
  );
  const results = new Map(targets.map((target) => [target.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const cpuBefore = target.pids.map(cpuSeconds);
      const loaded = wrk(target.port, target.host, seconds);
      const cpu = target.pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - cpuBefore[i], 0);
      const waitBefore = target.pids.map(runQueueSeconds);
      const paced = await fixedRate(target.port, target.host, 1000, seconds);
      const waited = target.pids.reduce(
        (sum, pid, i) => sum + runQueueSeconds(pid) - waitBefore[i],
        0,
      );
      const result = { ...loaded, cpu: cpu / seconds, paced, waited };
      results.get(target.name).push(result);
      const cpuText = target.pids.length
        ? `cpu ${(result.cpu * 100).toFixed(0).padStart(3)}%  ${(loaded.rps / result.cpu).toFixed(0).padStart(6)} req/cpu-s`
        : ' '.repeat(27);
      console.log(
        `round ${round}  ${target.name.padEnd(10)} ${loaded.rps.toFixed(0).padStart(6)} req/s  ` +
          `p50 ${loaded.p50.toFixed(0).padStart(5)} µs  p99 ${loaded.p99.toFixed(0).padStart(6)} µs  ${cpuText}  ` +
          `@1k/s p50 ${paced.p50.toFixed(0).padStart(5)} µs  p99 ${paced.p99.toFixed(0).padStart(6)} µs` +
          (target.pids.length ? `  run-queue wait ${(waited * 1000).toFixed(0)} ms` : ''),
      );
    }
  }

  const of = (name, pick) => results.get(name).map(pick);
  console.log('\nmedians over the rounds:');
  for (const target of targets) {
    const m = (pick) => median(of(target.name, pick)).toFixed(0);
    console.log(
      `${target.name.padEnd(10)} ${m((r) => r.rps).padStart(6)} req/s  p50 ${m((r) => r.p50).padStart(5)} µs  ` +
        `p99 ${m((r) => r.p99).padStart(6)} µs   @1k/s p50 ${m((r) => r.paced.p50).padStart(5)} µs  ` +
        `p99 ${m((r) => r.paced.p99).padStart(6)} µs`,
    );
  }
  const perRound = (f) => results.get('direct').map((_, i) => f(i));
  const at = (name, i) => results.get(name)[i];
  const ratios = perRound((i) => at('1 proxy', i).rps / at('nginx', i).rps);
  const efficiency = perRound(
    (i) => at('1 proxy', i).rps / at('1 proxy', i).cpu / (at('nginx', i).rps / at('nginx', i).cpu),
  );
  const addedP50 = perRound((i) => at('2 proxies', i).paced.p50 - at('direct', i).paced.p50);
  const addedP99 = perRound((i) => at('2 proxies', i).paced.p99 - at('direct', i).paced.p99);
  const list = (values, digits) => values.map((v) => v.toFixed(digits)).join(', ');
  console.log(
    `\none proxy / nginx throughput: ${median(ratios).toFixed(2)}× median (rounds: ${list(ratios, 2)}; target ≥ 0.5×)`,
  );
  console.log(
    `one proxy / nginx requests per CPU-second: ${median(efficiency).toFixed(2)}× median (rounds: ${list(efficiency, 2)})`,
  );
  console.log(
    `two-hop added latency at 1,000 req/s: p50 ${median(addedP50).toFixed(0)} µs, p99 ${median(addedP99).toFixed(0)} µs ` +
      `median (p99 rounds: ${list(addedP99, 0)}; target p99 ≤ 1000 µs)`,
  );
} finally {
  await harness.close();
  console.log(`\nload average at start: ${startLoad}, at end: ${loadAverage()}`);
}
