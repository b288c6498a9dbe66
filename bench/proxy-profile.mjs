// Profiles trellis-proxy under wrk (not a test): CPU self time by function and by module, and
// garbage collection from --trace-gc, for the proxy processes of one benchmark target.
//
//   node bench/proxy-profile.mjs                 (one proxy, 10 s)
//   PROFILE_TARGET=2 PROFILE_SECONDS=10 node bench/proxy-profile.mjs
//   PROFILE_NODE_FLAGS="--max-semi-space-size=16" node bench/proxy-profile.mjs
//
// Same pinning as proxy-overhead.mjs. Sampling every 100 µs costs the proxy some throughput,
// so compare the shares between profiles, and take req/s from the overhead benchmark.
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  Harness,
  checkTools,
  cpuSeconds,
  freePort,
  loadAverage,
  pinSelf,
  root,
  startMesh,
  waitFor,
  wrk,
} from './proxy-harness.mjs';

const seconds = Number(process.env.PROFILE_SECONDS ?? 10);
const hops = Number(process.env.PROFILE_TARGET ?? 1);
const extraFlags = (process.env.PROFILE_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const TOP = 30;

/** Where a function lives, coarsely: which code the time is spent in. */
function moduleOf(url) {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return url;
  const undici = url.indexOf('/undici/');
  if (undici !== -1) return `undici ${url.slice(undici + 8)}`;
  const proxy = url.indexOf('/apps/proxy/dist/');
  if (proxy !== -1) return `proxy ${url.slice(proxy + 17)}`;
  return url.replace(`file://${root}/`, '');
}

/**
 * Self time per function and per module, in µs, from the samples taken between `from` and
 * `to` (µs on the monotonic clock, as the profile's timestamps): start-up is left out.
 */
function selfTimes(profile, from, to) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map();
  const byModule = new Map();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || at > to) return;
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const module = moduleOf(url);
    const name = `${functionName || '(anonymous)'}  ${module}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    const group = url === '' ? functionName : module;
    byModule.set(group, (byModule.get(group) ?? 0) + delta);
    total += delta;
  });
  return { byFunction, byModule, total };
}

function printTop(title, times, total, count) {
  console.log(`\n${title}`);
  const sorted = [...times].sort((a, b) => b[1] - a[1]).slice(0, count);
  for (const [name, micros] of sorted) {
    console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}

/** Scavenges and mark-compacts with their pause times, and young-generation bytes collected. */
function gcSummary(trace) {
  const summary = {
    scavenges: 0,
    scavengeMs: 0,
    maxScavengeMs: 0,
    marks: 0,
    markMs: 0,
    freedMb: 0,
  };
  const line =
    /(Scavenge|Mark-Compact)[^\d]*([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+)/;
  for (const text of trace.split('\n')) {
    const m = line.exec(text);
    if (!m) continue;
    const pause = Number(m[4]);
    if (m[1] === 'Scavenge') {
      summary.scavenges++;
      summary.scavengeMs += pause;
      summary.maxScavengeMs = Math.max(summary.maxScavengeMs, pause);
      summary.freedMb += Number(m[2]) - Number(m[3]);
    } else {
      summary.marks++;
      summary.markMs += pause;
    }
  }
  return summary;
}

checkTools();
pinSelf();
console.log(`load average at start: ${loadAverage()}`);
const harness = new Harness();
const profileDir = join(harness.work, 'profiles');
mkdirSync(profileDir);
const gcLog = join(harness.work, 'gc.log');
const gcFd = openSync(gcLog, 'w');
// What the profiled run leaves for the analysis: its processes, request count and time window.
const run = { pids: [], requests: 0, from: 0, to: 0 };
try {
  const upstreamPort = await freePort();
  harness.startUpstream(upstreamPort);
  const flags = [
    '--cpu-prof',
    '--cpu-prof-interval',
    '100',
    '--cpu-prof-dir',
    profileDir,
    '--trace-gc',
    ...extraFlags,
  ];
  const mesh = await startMesh(harness, upstreamPort, {
    nodeFlags: flags,
    stdout: gcFd,
  });
  const host = hops === 1 ? 'app' : 'catalog';
  const pids = hops === 1 ? [mesh.web.pid] : [mesh.web.pid, mesh.catalog.pid];
  run.pids = pids;
  await waitFor(mesh.ports.webOutbound, host);
  wrk(mesh.ports.webOutbound, host, 2);
  const before = pids.map(cpuSeconds);
  run.from = Number(process.hrtime.bigint() / 1000n);
  const result = wrk(mesh.ports.webOutbound, host, seconds);
  run.to = Number(process.hrtime.bigint() / 1000n);
  const cpu = pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - before[i], 0);
  run.requests = result.rps * seconds;
  console.log(
    `${hops} proxy hop(s) under wrk -t1 -c32 -d${seconds}s, profiled: ${result.rps.toFixed(0)} req/s, ` +
      `proxy CPU ${((cpu / seconds) * 100).toFixed(0)}%, ${((cpu * 1e6) / run.requests).toFixed(1)} CPU-µs per request`,
  );
} finally {
  await harness.stop();
  closeSync(gcFd);
}

for (const file of readdirSync(profileDir)) {
  const pid = Number(/^CPU\.\d+\.\d+\.(\d+)\./.exec(file)?.[1]);
  if (!run.pids.includes(pid)) continue;
  const { byFunction, byModule, total } = selfTimes(
    JSON.parse(readFileSync(join(profileDir, file), 'utf8')),
    run.from,
    run.to,
  );
  const label = pid === run.pids[0] ? 'outbound proxy (web)' : 'inbound proxy (catalog)';
  printTop(`${label}: self time by module`, byModule, total, 15);
  printTop(`${label}: self time by function (top ${TOP})`, byFunction, total, TOP);
}
const gc = gcSummary(readFileSync(gcLog, 'utf8'));
console.log(
  `\nGC over the whole run (warm-up and profiled part, every proxy profiled): ` +
    `${gc.scavenges} scavenges, ${gc.scavengeMs.toFixed(0)} ms in total, longest ${gc.maxScavengeMs.toFixed(2)} ms; ` +
    `${gc.marks} mark-compacts, ${gc.markMs.toFixed(0)} ms; ` +
    `~${((gc.freedMb * 1024 * 1024) / run.requests / run.pids.length).toFixed(0)} bytes collected per request per proxy`,
);
console.log(`load average at end: ${loadAverage()}`);
await harness.close();
