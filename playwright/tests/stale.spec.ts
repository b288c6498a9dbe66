import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT } from '../servers';
import { AUTH_PENDING, collectorServes } from '../support/collector-capabilities';

// This file owns its collector (and a dashboard pointed at it) so it can stop it.
const COLLECTOR_PORT = 17701;
const DASHBOARD_PORT = 13001;
const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), 'trellis-stale-')), 'trellis.db')}`;
let collector: ChildProcess | undefined;
let dashboard: ChildProcess | undefined;

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up`);
}

test.beforeAll(async () => {
  test.skip(!(await collectorServes('/v1/whoami')), AUTH_PENDING);
  collector = spawn(
    process.execPath,
    [
      'apps/collector/dist/main.js',
      '--listen',
      `127.0.0.1:${COLLECTOR_PORT}`,
      '--database-url',
      databaseUrl,
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
  dashboard = spawn(
    process.execPath,
    [
      '../../node_modules/next/dist/bin/next',
      'start',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(DASHBOARD_PORT),
    ],
    {
      cwd: join(ROOT, 'apps/dashboard'),
      env: { ...process.env, TRELLIS_COLLECTOR_URL: `http://127.0.0.1:${COLLECTOR_PORT}` },
      stdio: 'ignore',
    },
  );
  await waitFor(`http://127.0.0.1:${COLLECTOR_PORT}/v1/health`);
  await waitFor(`http://127.0.0.1:${DASHBOARD_PORT}/login`);
});

test.afterAll(() => {
  collector?.kill('SIGTERM');
  dashboard?.kill('SIGTERM');
});

test('when the collector stops, the view turns stale and keeps its data', async ({ page }) => {
  const { spawnSync } = await import('node:child_process');
  const created = spawnSync(
    process.execPath,
    [
      'apps/collector/dist/main.js',
      'token',
      'create',
      '--role',
      'viewer',
      '--name',
      'vera',
      '--database-url',
      databaseUrl,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const token = created.stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^[A-Za-z0-9._~-]{24,}$/.test(l));
  await page.goto(`http://127.0.0.1:${DASHBOARD_PORT}/login`);
  await page.getByLabel('Token').fill(token ?? '');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto(`http://127.0.0.1:${DASHBOARD_PORT}/?refresh=5s`);
  await expect(page.getByTestId('freshness')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('services-table')).toBeVisible();
  collector?.kill('SIGTERM');
  await expect(page.getByTestId('freshness')).toHaveAttribute('data-state', 'stale', {
    timeout: 20_000,
  });
  await expect(page.getByTestId('services-table')).toBeVisible();
});
