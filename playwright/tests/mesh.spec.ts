import { expect, test, type Locator, type Page } from '@playwright/test';
import { startMesh, type Mesh } from '../support/mesh';
import { signIn } from '../support/sign-in';
import { startSystem, type TrellisSystem } from '../support/system';

const PORTS = { collector: 17720, dashboard: 13020 };
const SCREENSHOTS = 'playwright/.artifacts/screenshots';

// One system for the whole file: the tests walk one operator's session from graph to rollback.
test.describe.configure({ mode: 'serial' });

let system: TrellisSystem;
let mesh: Mesh | undefined;
let page: Page;

async function collector(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${system.collectorUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${system.operatorToken}`,
      'content-type': 'application/json',
    },
  });
}

/** The share of requests a previewed timeout would have cut, as the what-if line says it. */
async function percentCut(whatIf: Locator): Promise<number> {
  const text = (await whatIf.textContent()) ?? '';
  return Number(/([\d.]+)% of/.exec(text)?.[1] ?? Number.NaN);
}

test.beforeAll(async ({ browser }) => {
  system = await startSystem(PORTS);
  // The route exists before any traffic, so every request the mesh sends is counted under it.
  const written = await collector('/v1/policies/catalog', {
    method: 'PUT',
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
  expect(written.status).toBe(200);
  mesh = await startMesh({
    collectorUrl: system.collectorUrl,
    proxyToken: (service) => system.createToken('proxy', `mesh-${service}`, service),
    basePort: 18120,
  });
  page = await browser.newPage({
    baseURL: `http://127.0.0.1:${PORTS.dashboard}`,
    viewport: { width: 1280, height: 800 },
  });
  await signIn(page, system.operatorToken);
});

test.afterAll(async () => {
  await page?.close();
  await mesh?.stop();
  await system?.stop();
});

test('the overview lists the services traffic flows through, with their failures', async () => {
  await page.goto('/?window=5m');
  const table = page.getByTestId('services-table');
  const catalog = table.locator('tr[data-service=catalog]');
  await expect(catalog).toBeVisible({ timeout: 30_000 });
  await expect(table.locator('tr[data-service=web]')).toBeVisible();
  // The catalog app fails every tenth request, so the collector cannot report 100 % success.
  await expect(catalog.getByTestId('success-rate')).toHaveText(/^(8\d|9\d)\.\d+%$/, {
    timeout: 20_000,
  });
  await expect(catalog.getByTestId('rps')).not.toHaveText('—');
  // The mesh's own traffic enters web straight from this test, not through a proxy.
  await expect(table.locator('tr[data-service=unknown]')).toContainText('callers outside the mesh');
  await page.screenshot({ path: `${SCREENSHOTS}/overview.png`, fullPage: true });
});

test('the graph shows the services and the edge the traffic takes', async () => {
  await page.goto('/topology?window=5m');
  const graph = page.getByTestId('topology-graph');
  await expect(graph).toHaveAttribute('data-layout', 'settled', { timeout: 20_000 });
  await expect(graph.locator('[data-testid=graph-node][data-service=web]')).toBeVisible();
  await expect(graph.locator('[data-testid=graph-node][data-service=catalog]')).toBeVisible();
  await expect(graph.locator('[data-edge="web->catalog"]')).toContainText('rps', {
    timeout: 30_000,
  });
  await expect(graph.locator('[data-edge="unknown->web"]')).toContainText('rps');
  await expect(graph.locator('[data-edge="catalog->web"]')).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/topology.png`, fullPage: true });
  await graph.locator('[data-testid=graph-node][data-service=catalog]').click();
  await expect(page).toHaveURL(/\/services\/catalog/);
});

test('drill-down: service, then route', async () => {
  await page.goto('/services/catalog?window=1m');
  await expect(page.getByTestId('inbound-edges')).toContainText('web');
  const route = page.getByTestId('routes-table').locator('tr[data-route=get-item]');
  await expect(route).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/service.png`, fullPage: true });
  await route.getByRole('link', { name: 'get-item' }).click();
  await expect(page.getByTestId('route-title')).toContainText('get-item');
  await expect(page).toHaveURL(/window=1m/);
  await expect(page.getByTestId('latency-histogram')).toBeVisible();
});

test('editing a timeout: what-if from the traffic, reason, propagation, history and chart mark', async () => {
  await page.goto('/services/catalog/routes/get-item?window=1m');
  const editor = page.getByTestId('policy-editor');
  const timeout = editor.getByLabel('Timeout (ms)');
  await timeout.fill('0');
  await expect(editor.locator('.field-error').first()).toBeVisible();
  // Every catalog request takes about 40 ms: 20 ms would have cut them all, 300 ms none.
  await timeout.fill('20');
  await editor.getByRole('button', { name: 'Preview' }).click();
  const whatIf = page.getByTestId('what-if');
  await expect(whatIf).toContainText('At 20 ms');
  expect(await percentCut(whatIf)).toBeGreaterThan(90);
  await timeout.fill('300');
  await editor.getByRole('button', { name: 'Preview' }).click();
  await expect(whatIf).toContainText('At 300 ms');
  expect(await percentCut(whatIf)).toBeLessThan(10);
  await expect(page.getByTestId('preview-diff')).toContainText('2000');
  await expect(editor.getByRole('button', { name: 'Save' })).toBeDisabled();
  await editor.getByLabel('Reason').fill('catalog is fast; fail sooner');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('saved')).toContainText('version 2');
  // Both proxies run it: catalog's own, and web's, which calls catalog.
  await expect(page.getByTestId('propagation')).toContainText('applied by 2/2', {
    timeout: 20_000,
  });
  await expect(page.getByTestId('golden-charts')).toHaveAttribute('data-policy-marks', /[1-9]/);
  await expect(page.getByTestId('policy-marks')).toContainText('catalog is fast; fail sooner');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOTS}/route.png`, fullPage: true });
  await page.goto('/policies/catalog');
  const latest = page.locator('[data-testid=revisions] li[data-version="2"]');
  await expect(latest).toContainText('catalog is fast; fail sooner');
  await expect(latest).toContainText('300');
});

test('a conflicting save shows their change and rebases onto it', async () => {
  await page.goto('/services/catalog/routes/get-item');
  const editor = page.getByTestId('policy-editor');
  await expect(page.getByTestId('base-version')).toHaveText('2');
  const current = (await (await collector('/v1/policies/catalog')).json()) as {
    policy: Record<string, unknown>;
  };
  const { service: _service, version: _version, ...spec } = current.policy;
  const theirs = await collector('/v1/policies/catalog', {
    method: 'PUT',
    body: JSON.stringify({
      baseVersion: 2,
      reason: 'someone else',
      policy: { ...spec, defaultTimeoutMs: 9000 },
    }),
  });
  expect(theirs.status).toBe(200);
  await editor.getByLabel('Timeout (ms)').fill('450');
  await editor.getByLabel('Reason').fill('my change');
  await editor.getByRole('button', { name: 'Save' }).click();
  const conflict = page.getByTestId('conflict');
  await expect(conflict).toContainText('version 3');
  await expect(conflict).toContainText('Default timeout: 10000 ms → 9000 ms');
  await page.getByRole('button', { name: /Rebase my change/ }).click();
  await expect(page.getByTestId('base-version')).toHaveText('3');
  await expect(editor.getByLabel('Timeout (ms)')).toHaveValue('450');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('saved')).toContainText('version 4');
  const stored = (await (await collector('/v1/policies/catalog')).json()) as {
    policy: { version: number; defaultTimeoutMs: number; routes: { timeoutMs: number }[] };
  };
  expect(stored.policy.version).toBe(4);
  expect(stored.policy.defaultTimeoutMs).toBe(9000);
  expect(stored.policy.routes[0]?.timeoutMs).toBe(450);
});

test('rollback restores an earlier version as a new one', async () => {
  await page.goto('/policies/catalog');
  const first = page.locator('[data-testid=revisions] li[data-version="1"]');
  await first.getByRole('button', { name: 'Roll back to v1' }).click();
  await first.getByLabel('Rollback reason').fill('back to the start');
  await first.getByRole('button', { name: 'Confirm rollback' }).click();
  await expect(page.getByTestId('rollback-message')).toContainText(
    'Rolled back to version 1 as version 5',
  );
  await expect(page.locator('[data-testid=revisions] li[data-version="5"]')).toContainText(
    'back to the start',
  );
  const stored = (await (await collector('/v1/policies/catalog')).json()) as {
    policy: { version: number; defaultTimeoutMs: number; routes: { timeoutMs: number }[] };
  };
  expect(stored.policy.version).toBe(5);
  expect(stored.policy.routes[0]?.timeoutMs).toBe(2000);
  expect(stored.policy.defaultTimeoutMs).toBe(10000);
});
