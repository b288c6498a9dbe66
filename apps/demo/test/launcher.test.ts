import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portIsFree } from '../src/launcher/port-owner.js';
import { spawnLauncher, type LauncherProcess } from './support/launcher-process.js';
import { childGroups, processesInGroups } from './support/processes.js';

// Away from `npm start` (7700, 3000, 4100+) and from the e2e specs.
const COLLECTOR_PORT = 27_710;
const BASE_PORT = 24_300;
const COLLECTOR = `http://127.0.0.1:${COLLECTOR_PORT}`;
/** 7 services, 10 instances and the traffic generator's proxy, four ports each. */
const INSTANCE_PORTS = Array.from({ length: 11 * 4 }, (_, i) => BASE_PORT + i);

const dataDir = mkdtempSync(join(tmpdir(), 'trellis-demo-'));
const args = [
  '--no-dashboard',
  '--data-dir',
  dataDir,
  '--collector-port',
  String(COLLECTOR_PORT),
  '--base-port',
  String(BASE_PORT),
  '--scrape-interval',
  '1s',
];
let launcher: LauncherProcess;
let operatorToken = '';

beforeAll(async () => {
  launcher = spawnLauncher(args);
  await launcher.waitFor('Press Ctrl-C', 60_000);
  operatorToken = readFileSync(join(dataDir, 'operator.token'), 'utf8').trim();
});

afterAll(async () => {
  if (launcher.child.exitCode === null) {
    launcher.child.kill('SIGINT');
    await launcher.exited();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start, without the dashboard', () => {
  it('announces each component once it is ready, then the token and how to stop', () => {
    const output = launcher.output();
    for (const line of [
      `✓ collector ready on ${COLLECTOR}`,
      '✓ sample apps ready: 7 services, 10 instances',
      '✓ 11 proxies ready, registered with the collector',
      '✓ traffic: 20 req/s to storefront',
      `Token      ${operatorToken}`,
    ]) {
      expect(output).toContain(line);
    }
  });

  it('keeps every log readable by its owner alone, and the token out of them', () => {
    const logDir = join(dataDir, 'logs');
    const logs = readdirSync(logDir);
    expect(logs).toContain('collector.log');
    for (const log of logs) {
      expect(statSync(join(logDir, log)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(logDir, log), 'utf8')).not.toContain(operatorToken);
    }
    expect(statSync(logDir).mode & 0o777).toBe(0o700);
  });

  it('registers a proxy per instance, and names every route in a policy', async () => {
    const get = async (path: string) =>
      (await fetch(`${COLLECTOR}${path}`, {
        headers: { authorization: `Bearer ${operatorToken}` },
      }).then((response) => response.json())) as Record<string, unknown>;
    const { proxies } = (await get('/v1/proxies')) as { proxies: { service: string }[] };
    expect(proxies.filter((p) => p.service === 'storefront')).toHaveLength(2);
    expect(proxies).toHaveLength(11);
    const { policy } = (await get('/v1/policies/recommendations')) as {
      policy: { routes: { name: string; retry?: unknown }[] };
    };
    expect(policy.routes).toEqual([
      { name: 'recommend', match: { method: 'GET', path: '/recommendations' } },
    ]);
  });

  it('a second demo on the same ports stops at once, naming the port and its owner', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'trellis-demo-'));
    const second = spawnLauncher(args.map((arg) => (arg === dataDir ? otherDir : arg)));
    expect(await second.exited()).toBe(1);
    expect(second.output()).toMatch(
      new RegExp(`port ${COLLECTOR_PORT} \\(the collector\\) is in use by pid [0-9]+: .*collector`),
    );
    rmSync(otherDir, { recursive: true, force: true });
  });

  it('SIGINT stops every process of the demo and frees every port', async () => {
    const groups = childGroups(launcher.child.pid!);
    expect(groups.size).toBe(1 + 1 + 11 + 1);
    expect(processesInGroups(groups).length).toBeGreaterThanOrEqual(groups.size);
    launcher.child.kill('SIGINT');
    expect(await launcher.exited()).toBe(0);
    expect(processesInGroups(groups)).toEqual([]);
    const free = await Promise.all([COLLECTOR_PORT, ...INSTANCE_PORTS].map(portIsFree));
    expect(free.every(Boolean)).toBe(true);
  });
});
