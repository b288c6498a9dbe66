// Policy propagation: from an accepted PUT to every proxy running the new version, with 50
// proxies watching the service over the control plane (all in this process, on loopback).
// Prints p50/p99 of the write itself, of write → all proxies applied (as the proxies see it) and of write → the
// collector reporting all of them applied (their acknowledgements arrive by heartbeat).
// Needs the build: `npm run bench:policy` builds first.
import { createServer, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrate, openDatabase } from '@trellis/db';
import { buildApp, createToken, loadConfig } from '@trellis/collector';
import { createProxy } from '@trellis/proxy';

const PROXIES = 50;
const WRITES = 30;

const dir = mkdtempSync(join(tmpdir(), 'trellis-bench-'));
const url = `file:${join(dir, 'trellis.db')}`;
await migrate(url);
const database = await openDatabase(url);
const app = await buildApp({
  config: loadConfig(['--database-url', url], {}),
  database,
  scrapeLoop: false,
});
await app.listen({ host: '127.0.0.1', port: 0 });
const controlPlane = `http://127.0.0.1:${app.server.address().port}`;
const proxyToken = async (service) =>
  (await createToken(database, { role: 'proxy', name: service, service })).token;
const operator = (await createToken(database, { role: 'operator', name: 'bench' })).token;

const upstream = createServer((req, res) => res.end('ok'));
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));

const common = {
  inbound: '127.0.0.1:0',
  outbound: '127.0.0.1:0',
  admin: '127.0.0.1:0',
  controlPlane,
  log: () => {},
};
const proxies = [
  createProxy({
    ...common,
    token: await proxyToken('catalog'),
    service: 'catalog',
    app: `127.0.0.1:${upstream.address().port}`,
  }),
];
for (let i = 1; i < PROXIES; i++) {
  const service = `web-${i}`;
  proxies.push(createProxy({ ...common, token: await proxyToken(service), service }));
}
const addresses = await Promise.all(proxies.map((proxy) => proxy.start()));

// The first request through a proxy to catalog subscribes it to catalog's config.
await Promise.all(
  addresses.slice(1).map(
    (address) =>
      new Promise((resolve, reject) => {
        const [host, port] = address.outbound.split(':');
        request({ host, port: Number(port), path: '/', headers: { host: 'catalog' } }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      }),
  ),
);

const appliedVersion = (proxy) => proxy.heartbeat().applied.catalog?.policyVersion ?? -1;
let version = 0;

async function collectorSeesAll(expected) {
  const response = await fetch(`${controlPlane}/v1/policies/catalog`, {
    headers: { authorization: `Bearer ${operator}` },
  });
  const { propagation, policy } = await response.json();
  return (
    policy.version === expected && propagation.applied === PROXIES && propagation.total === PROXIES
  );
}

const accepted = [];
const proxySide = [];
const collectorSide = [];
for (let i = 0; i < WRITES; i++) {
  const started = performance.now();
  const response = await fetch(`${controlPlane}/v1/policies/catalog`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      policy: { defaultTimeoutMs: 1000 + i },
      baseVersion: version,
      reason: `bench write ${i}`,
    }),
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`write failed: ${JSON.stringify(body)}`);
  accepted.push(performance.now() - started);
  version = body.policy.version;
  let proxiesDone;
  let collectorDone;
  while (proxiesDone === undefined || collectorDone === undefined) {
    if (proxiesDone === undefined && proxies.every((proxy) => appliedVersion(proxy) === version)) {
      proxiesDone = performance.now() - started;
    }
    if (collectorDone === undefined && (await collectorSeesAll(version))) {
      collectorDone = performance.now() - started;
    }
    if (performance.now() - started > 10_000)
      throw new Error(`version ${version} did not propagate`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  proxySide.push(proxiesDone);
  collectorSide.push(collectorDone);
}

const pct = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
console.log(`policy propagation, ${PROXIES} proxies, ${WRITES} writes`);
console.log('                                       p50 ms   p99 ms');
for (const [label, values] of [
  ['write accepted (PUT answered)', accepted],
  ['write → all proxies applied', proxySide],
  ['write → collector reports all applied', collectorSide],
]) {
  console.log(
    `${label.padEnd(38)} ${pct(values, 0.5).toFixed(1).padStart(6)}   ${pct(values, 0.99).toFixed(1).padStart(6)}`,
  );
}
console.log('target: write → all proxies applied p99 ≤ 500 ms');

await Promise.all(proxies.map((proxy) => proxy.close()));
await app.close();
await database.close();
upstream.close();
rmSync(dir, { recursive: true, force: true });
