import { expect, test } from '@playwright/test';
import { COLLECTOR_URL } from '../servers';
import { AUTH_PENDING, POLICIES_PENDING, collectorServes } from '../support/collector-capabilities';
import { startMesh, type Mesh } from '../support/mesh';
import { signIn } from '../support/sign-in';
import { createToken } from '../support/tokens';

const SCREENSHOTS = 'playwright/.artifacts/screenshots';

// One mesh for the whole file: the tests walk one operator's session from graph to rollback.
test.describe.configure({ mode: 'serial' });

let mesh: Mesh | undefined;
let operator = '';

test.beforeAll(async () => {
  test.skip(!(await collectorServes('/v1/whoami')), AUTH_PENDING);
  test.skip(!(await collectorServes('/v1/policies/:service')), POLICIES_PENDING);
  operator = createToken('operator', 'olivia');
  mesh = await startMesh(createToken('proxy', 'mesh'));
  await fetch(`${COLLECTOR_URL}/v1/policies/catalog`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      baseVersion: 0,
      reason: 'routes of the catalog',
      policy: {
        routes: [
          { name: 'get-item', match: { method: 'GET', path: '/items/{id}' }, timeoutMs: 2000 },
        ],
      },
    }),
  });
});

test.afterAll(async () => {
  await mesh?.stop();
});

test.beforeEach(async ({ page }) => {
  await signIn(page, operator);
});

test('the overview lists the services traffic flows through', async ({ page }) => {
  await page.goto('/?window=5m');
  const table = page.getByTestId('services-table');
  await expect(table.locator('tr[data-service=catalog]')).toBeVisible({ timeout: 30_000 });
  await expect(table.locator('tr[data-service=web]')).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/overview.png`, fullPage: true });
});

test('the graph shows the services and the edge between them', async ({ page }) => {
  await page.goto('/topology?window=5m');
  const graph = page.getByTestId('topology-graph');
  await expect(graph).toHaveAttribute('data-layout', 'settled');
  await expect(graph.locator('[data-testid=graph-node][data-service=web]')).toBeVisible();
  await expect(graph.locator('[data-testid=graph-node][data-service=catalog]')).toBeVisible();
  await expect(graph.locator('[data-edge="web->catalog"]')).toContainText('rps');
  await page.screenshot({ path: `${SCREENSHOTS}/topology.png`, fullPage: true });
  await graph.locator('[data-testid=graph-node][data-service=catalog]').click();
  await expect(page).toHaveURL(/\/services\/catalog/);
});

test('drill-down: service, then route', async ({ page }) => {
  await page.goto('/services/catalog?window=5m');
  await expect(page.getByTestId('inbound-edges')).toContainText('web');
  const route = page.getByTestId('routes-table').locator('tr[data-route=get-item]');
  await expect(route).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/service.png`, fullPage: true });
  await route.getByRole('link', { name: 'get-item' }).click();
  await expect(page.getByTestId('route-title')).toContainText('get-item');
  await expect(page).toHaveURL(/window=5m/);
  await expect(page.getByTestId('latency-histogram')).toBeVisible();
});

test('editing a timeout: preview, reason, propagation, history and chart mark', async ({
  page,
}) => {
  await page.goto('/services/catalog/routes/get-item?window=5m');
  const editor = page.getByTestId('policy-editor');
  await editor.getByLabel('Timeout (ms)').fill('0');
  await expect(editor.locator('.field-error').first()).toBeVisible();
  await editor.getByLabel('Timeout (ms)').fill('300');
  await editor.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('preview')).toContainText('300');
  await expect(editor.getByRole('button', { name: 'Save' })).toBeDisabled();
  await editor.getByLabel('Reason').fill('catalog is fast; fail sooner');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('propagation')).toContainText(/applied by \d+\/\d+/);
  await page.screenshot({ path: `${SCREENSHOTS}/route.png`, fullPage: true });
  await expect(page.getByTestId('golden-charts')).not.toHaveAttribute('data-policy-marks', '0');
  await page.goto('/policies/catalog');
  await expect(page.getByTestId('revisions')).toContainText('catalog is fast; fail sooner');
  await expect(page.getByTestId('revisions')).toContainText('300');
});

test('a conflicting save shows their change and rebases', async ({ page }) => {
  await page.goto('/services/catalog/routes/get-item');
  const editor = page.getByTestId('policy-editor');
  const base = Number(await page.getByTestId('base-version').textContent());
  const current = await (
    await fetch(`${COLLECTOR_URL}/v1/policies/catalog`, {
      headers: { authorization: `Bearer ${operator}` },
    })
  ).json();
  await fetch(`${COLLECTOR_URL}/v1/policies/catalog`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      baseVersion: base,
      reason: 'someone else',
      policy: { ...current.policy, service: undefined, version: undefined, defaultTimeoutMs: 9000 },
    }),
  });
  await editor.getByLabel('Timeout (ms)').fill('450');
  await editor.getByLabel('Reason').fill('my change');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('conflict')).toContainText('defaultTimeoutMs');
  await page.getByRole('button', { name: /Rebase my change/ }).click();
  await expect(page.getByTestId('base-version')).toHaveText(String(base + 1));
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('saved')).toBeVisible();
});

test('rollback restores an earlier version as a new one', async ({ page }) => {
  await page.goto('/policies/catalog');
  const first = page.locator('[data-testid=revisions] li[data-version="1"]');
  await first.getByRole('button', { name: 'Roll back to v1' }).click();
  await first.getByLabel('Rollback reason').fill('back to the start');
  await first.getByRole('button', { name: 'Confirm rollback' }).click();
  await expect(page.getByTestId('rollback-message')).toContainText('Rolled back to version 1');
  await expect(page.getByTestId('revisions')).toContainText('back to the start');
});
