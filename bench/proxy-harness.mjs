// What the proxy benchmarks share: an nginx upstream answering "ok", nginx as a reverse proxy,
// trellis-proxy processes, wrk, an open-loop generator, CPU pinning and CPU accounting.
//
// Pinning (2-core machine): the load generators (wrk, the open-loop generator, this script)
// and the nginx upstream share CPU 0; the system under test (one or two proxies, or nginx as a
// reverse proxy) runs alone on CPU 1. Every system under test thus gets the same single core
// and competes with neither its client nor its upstream.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const proxyMain = join(root, 'apps/proxy/dist/main.js');
const NGINX = '/usr/sbin/nginx';
const WRK = '/usr/bin/wrk';
const TASKSET = '/usr/bin/taskset';

export const CLIENT_CPU = 0;
export const SUT_CPU = 1;

export function checkTools() {
  for (const [path, what] of [
    [proxyMain, 'the built proxy (npm run build -w @trellis/proxy)'],
    [NGINX, 'nginx (Debian package nginx)'],
    [WRK, 'wrk (Debian package wrk)'],
    [TASKSET, 'taskset (Debian package util-linux)'],
  ]) {
    if (!existsSync(path)) {
      console.error(`missing ${what}: ${path}`);
      process.exit(1);
    }
  }
}

/** Pins this process (the open-loop generator) to the client CPU. */
export function pinSelf() {
  spawnSync(TASKSET, ['-p', '-c', String(CLIENT_CPU), String(process.pid)], { stdio: 'ignore' });
}

export function loadAverage() {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Child processes, a scratch directory, and cleanup of both. */
export class Harness {
  constructor() {
    this.work = mkdtempSync(join(tmpdir(), 'trellis-bench-'));
    this.children = [];
  }

  spawnPinned(cpu, command, args, stdio) {
    const child = spawn(TASKSET, ['-c', String(cpu), command, ...args], { stdio });
    this.children.push(child);
    return child;
  }

  /** One nginx process (no master), so its pid is the one doing the work. */
  startNginx(name, cpu, serverBlock) {
    const dir = join(this.work, name);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `master_process off;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  ${serverBlock}
}
`,
    );
    return this.spawnPinned(cpu, NGINX, ['-c', conf, '-p', dir], 'inherit');
  }

  startUpstream(port) {
    return this.startNginx(
      'upstream',
      CLIENT_CPU,
      `server { listen 127.0.0.1:${port}; location / { return 200 "ok"; } }`,
    );
  }

  startReverseProxy(port, upstreamPort) {
    return this.startNginx(
      'reverse-proxy',
      SUT_CPU,
      `upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server { listen 127.0.0.1:${port};
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }`,
    );
  }

  /**
   * A trellis-proxy on the SUT CPU. `nodeFlags` go to node (profiling, GC tuning), its stdout
   * (where --trace-gc writes) to `stdout` if given; `main` runs another build (A/B runs).
   */
  startProxy(args, { nodeFlags = [], stdout = 'ignore', main = proxyMain } = {}) {
    return this.spawnPinned(
      SUT_CPU,
      process.execPath,
      [...nodeFlags, main, ...args],
      ['ignore', stdout, 'inherit'],
    );
  }

  writeFile(name, text) {
    const path = join(this.work, name);
    writeFileSync(path, text);
    return path;
  }

  /** Stops every child and waits for each to exit (a profiled proxy writes its profile then). */
  async stop() {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  async close() {
    await this.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
}

/** The web + catalog proxy pair: web's outbound reaches `app` directly and `catalog` via catalog's inbound. */
export async function startMesh(harness, upstreamPort, options = {}) {
  const ports = {
    webOutbound: await freePort(),
    webInbound: await freePort(),
    webAdmin: await freePort(),
    catalogInbound: await freePort(),
    catalogOutbound: await freePort(),
    catalogAdmin: await freePort(),
  };
  const webConfig = harness.writeFile(
    'web.json',
    JSON.stringify({
      version: 'bench',
      services: {
        app: { endpoints: [{ address: `127.0.0.1:${upstreamPort}` }] },
        catalog: { endpoints: [{ address: `127.0.0.1:${ports.catalogInbound}` }] },
      },
    }),
  );
  const web = harness.startProxy(
    [
      '--service',
      'web',
      '--config',
      webConfig,
      '--outbound',
      `127.0.0.1:${ports.webOutbound}`,
      '--inbound',
      `127.0.0.1:${ports.webInbound}`,
      '--admin',
      `127.0.0.1:${ports.webAdmin}`,
    ],
    options,
  );
  const catalog = harness.startProxy(
    [
      '--service',
      'catalog',
      '--app',
      `127.0.0.1:${upstreamPort}`,
      '--inbound',
      `127.0.0.1:${ports.catalogInbound}`,
      '--outbound',
      `127.0.0.1:${ports.catalogOutbound}`,
      '--admin',
      `127.0.0.1:${ports.catalogAdmin}`,
    ],
    options,
  );
  return { ports, web, catalog };
}

export async function waitFor(port, host) {
  const pool = new Pool(`http://127.0.0.1:${port}`);
  for (let i = 0; i < 200; i++) {
    try {
      const res = await pool.request({ path: '/', method: 'GET', headers: host ? { host } : {} });
      await res.body.dump();
      if (res.statusCode === 200) return pool.close();
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  throw new Error(`nothing answers on port ${port}`);
}

/** User + system CPU time a process has used so far, in seconds (Linux /proc). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Time a process's main thread (the event loop) has spent runnable but waiting for a CPU, in
 * seconds (Linux /proc schedstat): how long other work on its core held it up.
 */
export function runQueueSeconds(pid) {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
}

/** wrk -t1 -c32 on the client CPU: closed loop, µs latency. */
export function wrk(port, host, seconds) {
  const args = ['-c', String(CLIENT_CPU), WRK, '-t1', '-c32', `-d${seconds}s`, '--latency'];
  if (host) args.push('-H', `Host: ${host}`);
  args.push(`http://127.0.0.1:${port}/`);
  const out = spawnSync(TASKSET, args, { encoding: 'utf8' }).stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const micros = (label) => {
    const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    return Number(m[1]) * { us: 1, ms: 1000, s: 1e6 }[m[2]];
  };
  return { rps, p50: micros('50'), p99: micros('99') };
}

/**
 * Open loop at `rate` req/s, each request timed from its scheduled send time, so a stall is
 * charged to every request it delays (no coordinated omission).
 */
export async function fixedRate(port, host, rate, durationSeconds) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16 });
  const headers = host ? { host } : {};
  const total = rate * durationSeconds;
  const latencies = new Float64Array(total);
  const intervalNs = 1e9 / rate;
  const start = process.hrtime.bigint();
  let sent = 0;
  let done = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = Number(process.hrtime.bigint() - start);
      while (sent < total && sent * intervalNs <= now) {
        const scheduled = sent * intervalNs;
        const index = sent++;
        pool.request({ path: '/', method: 'GET', headers }).then(async (res) => {
          await res.body.dump();
          latencies[index] = (Number(process.hrtime.bigint() - start) - scheduled) / 1000;
          if (++done === total) resolve();
        });
      }
      // A timer, not a busy loop: the generator must not steal a core from what it measures.
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  await pool.close();
  latencies.sort();
  return { p50: latencies[Math.floor(total * 0.5)], p99: latencies[Math.floor(total * 0.99)] };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
