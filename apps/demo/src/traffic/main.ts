#!/usr/bin/env node
import { readMeshRuntime } from '../mesh/mesh-runtime.js';
import { startTraffic } from './traffic-generator.js';

const STATS_EVERY_MS = 10_000;

const runtimeFile = process.argv[2];
if (runtimeFile === undefined) {
  console.error('usage: traffic <runtime file written by the launcher>');
  process.exit(2);
}
const { mesh, plan } = readMeshRuntime(runtimeFile);
const generator = startTraffic({
  traffic: mesh.traffic,
  entry: mesh.entry,
  outboundPort: plan.traffic.outbound,
});
console.log(
  `traffic: ${mesh.traffic.rps} req/s to ${mesh.entry} through 127.0.0.1:${plan.traffic.outbound}`,
);
const report = setInterval(() => {
  const { sent, succeeded, failed, skipped } = generator.stats;
  console.log(`traffic: sent ${sent}, ok ${succeeded}, failed ${failed}, skipped ${skipped}`);
}, STATS_EVERY_MS);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    clearInterval(report);
    void generator.stop().finally(() => process.exit(0));
  });
}
