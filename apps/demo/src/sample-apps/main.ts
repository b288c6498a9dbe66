#!/usr/bin/env node
import { readMeshRuntime } from '../mesh/mesh-runtime.js';
import { startSampleInstance, type SampleInstance } from './sample-service.js';

/**
 * Every sample service instance in one process (each its own listening server), which keeps
 * the demo light on a small machine; the proxies stay separate processes.
 */
const runtimeFile = process.argv[2];
if (runtimeFile === undefined) {
  console.error('usage: sample-apps <runtime file written by the launcher>');
  process.exit(2);
}
const { mesh, plan } = readMeshRuntime(runtimeFile);

const instances: SampleInstance[] = [];
for (const ports of plan.instances) {
  const spec = mesh.services[ports.service];
  if (spec === undefined) continue;
  instances.push(
    await startSampleInstance({
      service: ports.service,
      instanceId: ports.id,
      spec,
      appPort: ports.app,
      outboundPort: ports.outbound,
    }),
  );
  console.log(`${ports.id} listening on 127.0.0.1:${ports.app}`);
}
console.log(`sample apps ready: ${instances.length} instances`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    void Promise.all(instances.map((instance) => instance.close())).finally(() => process.exit(0));
  });
}
