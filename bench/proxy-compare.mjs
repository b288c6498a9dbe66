// CPU per request of several systems under test, measured interleaved (not a test): one
// trellis-proxy per build given, nginx as a reverse proxy, and the reference servers of
// proxy-references.mjs. On a shared machine, CPU time per request of the system under test is
// far steadier than requests/s, and interleaving short rounds spreads bursts of load from
// elsewhere over every target alike.
//
//   node bench/proxy-compare.mjs                                  (the current build)
//   BENCH_BUILDS="before=/path/to/old/dist/main.js" node bench/proxy-compare.mjs
//   BENCH_ROUNDS=14 BENCH_SECONDS=2 node bench/proxy-compare.mjs
import { join } from 'node:path';
import {
  Harness,
  SUT_CPU,
  checkTools,
  cpuSeconds,
  freePort,
  loadAverage,
  median,
  pinSelf,
  proxyMain,
  root,
  startMesh,
  waitFor,
  wrk,
} from './proxy-harness.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const builds = [
  ['current', proxyMain],
  ...(process.env.BENCH_BUILDS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => entry.split('=')),
];
const REFERENCES = ['node-http', 'node-http-undici', 'net'];

checkTools();
pinSelf();
console.log(`load average at start: ${loadAverage()}`);
const harness = new Harness();
try {
  const upstreamPort = await freePort();
  harness.startUpstream(upstreamPort);
  const targets = [];
  const nginxPort = await freePort();
  targets.push({
    name: 'nginx',
    port: nginxPort,
    pid: harness.startReverseProxy(nginxPort, upstreamPort).pid,
  });
  for (const kind of REFERENCES) {
    const port = await freePort();
    const script = join(root, 'bench/proxy-references.mjs');
    const child = harness.spawnPinned(
      SUT_CPU,
      process.execPath,
      [script, kind, String(port), String(upstreamPort)],
      'inherit',
    );
    targets.push({ name: kind, port, pid: child.pid });
  }
  for (const [name, main] of builds) {
    const mesh = await startMesh(harness, upstreamPort, { main });
    targets.push({
      name: `proxy ${name}`,
      port: mesh.ports.webOutbound,
      host: 'app',
      pid: mesh.web.pid,
    });
  }
  for (const target of targets) {
    await waitFor(target.port, target.host);
    wrk(target.port, target.host, 2);
  }

  console.log(`${rounds} interleaved rounds of wrk -t1 -c32 -d${seconds}s per target\n`);
  const results = new Map(targets.map((target) => [target.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const before = cpuSeconds(target.pid);
      const { rps } = wrk(target.port, target.host, seconds);
      const cpu = cpuSeconds(target.pid) - before;
      results.get(target.name).push({ rps, micros: (cpu * 1e6) / (rps * seconds) });
    }
  }
  const nginx = median(results.get('nginx').map((r) => r.micros));
  for (const target of targets) {
    const rows = results.get(target.name);
    const micros = median(rows.map((r) => r.micros));
    console.log(
      `${target.name.padEnd(18)} ${micros.toFixed(1).padStart(6)} CPU-µs per request ` +
        `(${(nginx / micros).toFixed(2)}× nginx's efficiency)  ` +
        `${median(rows.map((r) => r.rps))
          .toFixed(0)
          .padStart(6)} req/s  ` +
        `rounds: ${rows.map((r) => r.micros.toFixed(0)).join(' ')}`,
    );
  }
} finally {
  await harness.close();
  console.log(`\nload average at end: ${loadAverage()}`);
}
