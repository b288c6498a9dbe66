import { expect, test } from '@playwright/test';
import { startMesh, type Mesh } from '../support/mesh';
import { signIn } from '../support/sign-in';
import { startSystem, type TrellisSystem } from '../support/system';

// This file owns its system so it can stop the collector under a dashboard that is watching.
const PORTS = { collector: 17730, dashboard: 13030 };

test.use({ baseURL: `http://127.0.0.1:${PORTS.dashboard}` });

let system: TrellisSystem;
let mesh: Mesh | undefined;

test.beforeAll(async () => {
  system = await startSystem(PORTS);
  mesh = await startMesh({
    collectorUrl: system.collectorUrl,
    proxyToken: (service) => system.createToken('proxy', `mesh-${service}`, service),
    basePort: 18130,
  });
});

test.afterAll(async () => {
  await mesh?.stop();
  await system?.stop();
});

test('when the collector stops, the view turns stale and keeps its last data', async ({ page }) => {
  await signIn(page, system.createToken('viewer', 'vera'));
  await page.goto('/?refresh=5s');
  const freshness = page.getByTestId('freshness');
  await expect(freshness).toHaveAttribute('data-state', 'live');
  const catalog = page.getByTestId('services-table').locator('tr[data-service=catalog]');
  await expect(catalog.getByTestId('rps')).not.toHaveText('—', { timeout: 30_000 });
  const rps = await catalog.getByTestId('rps').textContent();

  await system.stopCollector();
  await expect(freshness).toHaveAttribute('data-state', 'stale', { timeout: 20_000 });
  await expect(freshness).toContainText('collector cannot be reached');
  await expect(catalog.getByTestId('rps')).toHaveText(rps ?? '');
  await page.screenshot({ path: 'playwright/.artifacts/screenshots/stale.png', fullPage: true });
});
