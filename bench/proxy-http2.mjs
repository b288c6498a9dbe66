// HTTP/2 and gRPC through one trellis-proxy against nginx on the same single core, in one run:
//   h2c:  h2load → (trellis-proxy | nginx `http2`) → nginx upstream answering "ok";
//   gRPC: h2load sending unary gRPC calls → (trellis-proxy | nginx `grpc_pass`) → grpc-js server.
// The figure that compares the two is CPU time per request of the system under test (a
// closed-loop h2load run shares its core with the upstream, so requests/s also shows who is
// the bottleneck). nginx proxies h2c to its upstream as HTTP/1.1 (it has no HTTP/2 proxy_pass);
// trellis keeps HTTP/2 end to end, as it must for gRPC.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import {
  CLIENT_CPU,
  Harness,
  SUT_CPU,
  cpuSeconds,
  freePort,
  loadAverage,
  pinSelf,
  proxyMain,
} from './proxy-harness.mjs';

const H2LOAD = '/usr/bin/h2load';
const TASKSET = '/usr/bin/taskset';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100_000);

for (const [path, what] of [
  [proxyMain, 'the built proxy (npm run build -w @trellis/proxy)'],
  ['/usr/sbin/nginx', 'nginx (Debian package nginx)'],
  [H2LOAD, 'h2load (Debian package nghttp2-client)'],
]) {
  if (!existsSync(path)) {
    console.error(`missing ${what}: ${path}`);
    process.exit(1);
  }
}

const run = promisify(execFile);

/**
 * h2load on the client CPU, 4 connections × 16 concurrent streams. Asynchronous: the gRPC
 * upstream lives in this process and must keep answering while h2load runs.
 */
async function h2load(port, { path = '/', headers = [], data } = {}) {
  const args = ['-c', String(CLIENT_CPU), H2LOAD, '-n', String(REQUESTS), '-c', '4', '-m', '16'];
  for (const header of headers) args.push('-H', header);
  if (data !== undefined) args.push('-d', data);
  args.push(`http://127.0.0.1:${port}${path}`);
  const { stdout: out } = await run(TASKSET, args, { maxBuffer: 16 * 1024 * 1024 });
  const rps = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)?.[1]);
  const ok = Number(/status codes: (\d+) 2xx/.exec(out)?.[1]);
  if (ok !== REQUESTS) throw new Error(`h2load: ${ok} of ${REQUESTS} succeeded:\n${out}`);
  return rps;
}

async function measure(name, pid, port, load) {
  await sleep(300);
  const before = cpuSeconds(pid);
  const rps = await load(port);
  const micros = ((cpuSeconds(pid) - before) * 1e6) / REQUESTS;
  console.log(
    `  ${name.padEnd(24)} ${rps.toFixed(0).padStart(7)} req/s  ${micros.toFixed(1).padStart(6)} CPU-µs/request`,
  );
  return micros;
}

async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    // Asynchronous with a time limit: the gRPC upstream in this process must be free to answer.
    const args = ['-s', '-o', '/dev/null', '--max-time', '2', '--http2-prior-knowledge'];
    const up = await run('/usr/bin/curl', [...args, `http://127.0.0.1:${port}/`]).then(
      () => true,
      () => false,
    );
    if (up) return;
    await sleep(50);
  }
  throw new Error(`nothing answers on port ${port}`);
}

/** A unary gRPC request frame: uncompressed, a 2-byte JSON message. */
function grpcFrame(harness) {
  const message = Buffer.from('{}');
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return harness.writeFile('unary.bin', frame);
}

async function startGrpcServer() {
  const server = new grpc.Server();
  const passthrough = (value) => value;
  server.addService(
    {
      say: {
        path: '/bench.Greeter/Say',
        requestStream: false,
        responseStream: false,
        requestSerialize: passthrough,
        requestDeserialize: passthrough,
        responseSerialize: passthrough,
        responseDeserialize: passthrough,
      },
    },
    { say: (call, done) => done(null, call.request) },
  );
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, port };
}

pinSelf();
const harness = new Harness();
try {
  console.log(`load average before: ${loadAverage()}; ${REQUESTS} requests per run`);

  // h2c
  // One nginx upstream, two ports: HTTP/1.1 for nginx's proxy_pass, h2c for trellis-proxy.
  const upstreamPort = await freePort();
  const upstreamH2Port = await freePort();
  harness.startNginx(
    'h2-upstream',
    CLIENT_CPU,
    `server { listen 127.0.0.1:${upstreamPort}; location / { return 200 "ok"; } }
  server { listen 127.0.0.1:${upstreamH2Port} http2; location / { return 200 "ok"; } }`,
  );
  const nginxH2Port = await freePort();
  const nginxH2 = harness.startNginx(
    'h2-proxy',
    SUT_CPU,
    `upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server { listen 127.0.0.1:${nginxH2Port} http2;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }`,
  );
  const proxyPorts = {
    inbound: await freePort(),
    outbound: await freePort(),
    admin: await freePort(),
  };
  const proxy = harness.startProxy([
    '--service',
    'bench',
    '--app',
    `127.0.0.1:${upstreamH2Port}`,
    '--inbound',
    `127.0.0.1:${proxyPorts.inbound}`,
    '--outbound',
    `127.0.0.1:${proxyPorts.outbound}`,
    '--admin',
    `127.0.0.1:${proxyPorts.admin}`,
  ]);
  await waitForPort(nginxH2Port);
  await waitForPort(proxyPorts.inbound);
  console.log('h2c (h2load -c4 -m16, GET /, 2-byte body):');
  const h2Nginx = await measure('nginx http2', nginxH2.pid, nginxH2Port, (p) => h2load(p));
  const h2Trellis = await measure('trellis-proxy', proxy.pid, proxyPorts.inbound, (p) => h2load(p));

  // gRPC unary
  const { server, port: grpcPort } = await startGrpcServer();
  const nginxGrpcPort = await freePort();
  const nginxGrpc = harness.startNginx(
    'grpc-proxy',
    SUT_CPU,
    `upstream grpcapp { server 127.0.0.1:${grpcPort}; keepalive 64; }
  server { listen 127.0.0.1:${nginxGrpcPort} http2;
    location / { grpc_pass grpc://grpcapp; } }`,
  );
  const grpcProxyPorts = {
    inbound: await freePort(),
    outbound: await freePort(),
    admin: await freePort(),
  };
  const grpcProxy = harness.startProxy([
    '--service',
    'greeter',
    '--app',
    `127.0.0.1:${grpcPort}`,
    '--inbound',
    `127.0.0.1:${grpcProxyPorts.inbound}`,
    '--outbound',
    `127.0.0.1:${grpcProxyPorts.outbound}`,
    '--admin',
    `127.0.0.1:${grpcProxyPorts.admin}`,
  ]);
  await waitForPort(nginxGrpcPort);
  await waitForPort(grpcProxyPorts.inbound);
  const unary = {
    path: '/bench.Greeter/Say',
    headers: ['content-type: application/grpc', 'te: trailers'],
    data: grpcFrame(harness),
  };
  console.log('gRPC unary (h2load -c4 -m16 → grpc-js server):');
  const grpcNginx = await measure('nginx grpc_pass', nginxGrpc.pid, nginxGrpcPort, (p) =>
    h2load(p, unary),
  );
  const grpcTrellis = await measure('trellis-proxy', grpcProxy.pid, grpcProxyPorts.inbound, (p) =>
    h2load(p, unary),
  );
  server.forceShutdown();

  console.log(
    `trellis-proxy efficiency (nginx CPU per request ÷ ours): h2c ${(h2Nginx / h2Trellis).toFixed(2)}×, ` +
      `gRPC unary ${(grpcNginx / grpcTrellis).toFixed(2)}×`,
  );
  console.log(`load average after: ${loadAverage()}`);
} finally {
  await harness.stop();
}
