import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Where each spec file's system listens; one set per file so files never share state. */
export interface SystemPorts {
  collector: number;
  dashboard: number;
}

/**
 * One spec file's Trellis: a real collector on a fresh SQLite database (scraping every second
 * so numbers appear quickly) and the built dashboard pointed at it.
 */
export interface TrellisSystem {
  collectorUrl: string;
  dashboardUrl: string;
  /** The token the collector wrote to `<data dir>/operator.token` on its first start. */
  operatorToken: string;
  /** A new token from the collector's own `token create` command. */
  createToken(role: 'viewer' | 'operator' | 'proxy', name: string, service?: string): string;
  /** Revokes a token with the collector's own `token revoke` command. */
  revokeToken(name: string): void;
  stopCollector(): Promise<void>;
  stop(): Promise<void>;
}

async function waitUntilUp(url: string, process: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (process.exitCode !== null) throw new Error(`${url}: the server exited\n${log()}`);
    const up = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not come up within 60 s\n${log()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Keeps the last lines a server printed, to explain a start that failed. */
function captureOutput(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n'));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

export async function startSystem(ports: SystemPorts): Promise<TrellisSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-e2e-'));
  const databaseUrl = `file:${join(dataDir, 'trellis.db')}`;
  const collectorUrl = `http://127.0.0.1:${ports.collector}`;
  const dashboardUrl = `http://127.0.0.1:${ports.dashboard}`;

  const collector = spawn(
    process.execPath,
    [
      'apps/collector/dist/main.js',
      '--listen',
      `127.0.0.1:${ports.collector}`,
      '--database-url',
      databaseUrl,
      '--scrape-interval',
      '1s',
      '--heartbeat-interval',
      '1s',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const collectorLog = captureOutput(collector);
  const dashboard = spawn(
    process.execPath,
    [
      '../../node_modules/next/dist/bin/next',
      'start',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(ports.dashboard),
    ],
    {
      cwd: join(ROOT, 'apps/dashboard'),
      env: { ...process.env, TRELLIS_COLLECTOR_URL: collectorUrl, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const dashboardLog = captureOutput(dashboard);

  /** Runs `trellis-collector token …` on this system's database; returns what it printed. */
  const tokenCommand = (args: string[]): string => {
    const result = spawnSync(
      process.execPath,
      ['apps/collector/dist/main.js', 'token', ...args, '--database-url', databaseUrl],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (result.status !== 0)
      throw new Error(`token ${args[0]} failed: ${result.stderr || result.stdout}`);
    return result.stdout;
  };

  await Promise.all([
    waitUntilUp(`${collectorUrl}/v1/health`, collector, collectorLog),
    waitUntilUp(`${dashboardUrl}/login`, dashboard, dashboardLog),
  ]);

  return {
    collectorUrl,
    dashboardUrl,
    operatorToken: readFileSync(join(dataDir, 'operator.token'), 'utf8').trim(),
    createToken(role, name, service) {
      const output = tokenCommand([
        'create',
        '--role',
        role,
        '--name',
        name,
        ...(service === undefined ? [] : ['--service', service]),
      ]);
      const token = output
        .split('\n')
        .map((line) => line.trim())
        .find((line) => /^[A-Za-z0-9._~-]{24,}$/.test(line));
      if (!token) throw new Error(`token create printed no token: ${output}`);
      return token;
    },
    revokeToken(name) {
      tokenCommand(['revoke', '--name', name]);
    },
    stopCollector: () => stopProcess(collector),
    async stop() {
      await Promise.all([stopProcess(collector), stopProcess(dashboard)]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
