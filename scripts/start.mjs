// `npm start`: runs the collector (embedded SQLite) and the dashboard, each logging to
// ./data/logs/, prints where to look, and stops both on Ctrl-C.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const logDir = join(root, 'data', 'logs');
mkdirSync(logDir, { recursive: true });

const collectorPort = Number(process.env.TRELLIS_COLLECTOR_PORT ?? 7700);
const dashboardPort = Number(process.env.PORT ?? 3000);
const collectorUrl = `http://127.0.0.1:${collectorPort}`;
const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;

const components = [
  {
    name: 'collector',
    port: collectorPort,
    command: process.execPath,
    args: [join(root, 'apps/collector/dist/main.js'), '--listen', `127.0.0.1:${collectorPort}`],
    cwd: root,
    env: {},
    ready: `${collectorUrl}/v1/health`,
  },
  {
    name: 'dashboard',
    port: dashboardPort,
    command: process.execPath,
    args: [
      join(root, 'node_modules/next/dist/bin/next'),
      'start',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(dashboardPort),
    ],
    cwd: join(root, 'apps/dashboard'),
    env: { TRELLIS_COLLECTOR_URL: collectorUrl, NEXT_TELEMETRY_DISABLED: '1' },
    ready: dashboardUrl,
  },
];

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1' }, () => server.close(() => resolve(true)));
  });
}

async function waitReady(url, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

for (const component of components) {
  if (!(await portFree(component.port))) {
    console.error(
      `trellis: port ${component.port} (${component.name}) is already in use; stop what holds it or set ${component.name === 'collector' ? 'TRELLIS_COLLECTOR_PORT' : 'PORT'}`,
    );
    process.exit(1);
  }
}

const children = [];
let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }, 5000);
  Promise.all(
    children.map((child) => child.exitCode !== null || new Promise((r) => child.once('exit', r))),
  ).then(() => {
    clearTimeout(force);
    process.exit(code);
  });
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

for (const component of components) {
  const log = createWriteStream(join(logDir, `${component.name}.log`), { flags: 'a' });
  const child = spawn(component.command, component.args, {
    cwd: component.cwd,
    env: { ...process.env, ...component.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  children.push(child);
  child.once('exit', (code) => {
    if (!stopping) {
      console.error(
        `trellis: ${component.name} exited (${code}); see data/logs/${component.name}.log`,
      );
      stop(1);
    }
  });
  if (!(await waitReady(component.ready, child, Date.now() + 60_000))) {
    console.error(
      `trellis: ${component.name} did not become ready; see data/logs/${component.name}.log`,
    );
    stop(1);
    break;
  }
  console.log(`✓ ${component.name} ready on ${component.ready.replace(/\/v1\/health$/, '')}`);
}

if (!stopping) {
  console.log(`
  Trellis is running.
    Dashboard  ${dashboardUrl}
    Collector  ${collectorUrl}  (API under /v1, OpenAPI at /v1/openapi.json)
    Logs       data/logs/
  Press Ctrl-C to stop.
`);
}
