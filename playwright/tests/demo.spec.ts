import { createServer } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import {
  DEMO_DASHBOARD_URL,
  DEMO_PORTS,
  childGroups,
  launchDemo,
  operatorToken,
  processesInGroups,
  type RunningDemo,
} from '../support/demo-launcher';

const SCREENSHOTS = 'playwright/.artifacts/screenshots';
const DEMO_SERVICES = [
  'storefront',
  'catalog',
  'recommendations',
  'cart',
  'pricing',
  'inventory',
  'payments',
];
const DEMO_EDGES = [
  'traffic->storefront',
  'storefront->catalog',
  'storefront->recommendations',
  'storefront->cart',
  'storefront->inventory',
  'recommendations->catalog',
  'catalog->pricing',
  'cart->pricing',
];

// One demo for the whole file, started and stopped exactly as a user does.
test.describe.configure({ mode: 'serial' });

let demo: RunningDemo;
let token = '';

test.beforeAll(async () => {
  test.setTimeout(150_000);
  demo = launchDemo();
  await demo.waitFor('Press Ctrl-C', 140_000);
  token = operatorToken(demo);
});

test.afterAll(async () => {
  if (demo?.child.exitCode === null) {
    demo.child.kill('SIGINT');
    await demo.exited;
  }
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${DEMO_DASHBOARD_URL}/login`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-chip')).toBeVisible();
}

test('npm start prints the dashboard, the token from operator.token and how to stop', () => {
  const output = demo.output();
  expect(output).toContain(`✓ dashboard ready on ${DEMO_DASHBOARD_URL}`);
  expect(output).toContain(`Token      ${token}`);
  expect(output).toContain('Press Ctrl-C to stop everything.');
});

test('the data plane page lists a live proxy beside every demo instance', async ({ page }) => {
  await signIn(page);
  await page.goto(`${DEMO_DASHBOARD_URL}/data-plane`);
  const table = page.getByTestId('proxies-table');
  for (const service of DEMO_SERVICES) {
    await expect(table.getByRole('link', { name: service, exact: true }).first()).toBeVisible();
  }
  await expect(table.locator('tbody tr.healthy')).toHaveCount(11);
});

test('within 60 s of npm start the graph shows every service and edge with live numbers', async ({
  page,
}) => {
  await signIn(page);
  await page.goto(`${DEMO_DASHBOARD_URL}/topology?window=1m`);
  const graph = page.getByTestId('topology-graph');
  const deadline = Math.max(5_000, demo.startedAt + 60_000 - Date.now());
  for (const service of DEMO_SERVICES) {
    await expect(graph.locator(`[data-testid=graph-node][data-service=${service}]`)).toBeVisible({
      timeout: deadline,
    });
  }
  for (const edge of DEMO_EDGES) {
    await expect(graph.locator(`[data-edge="${edge}"]`)).toContainText('rps');
  }
  await expect(graph).toHaveAttribute('data-layout', 'settled');
  await page.screenshot({ path: `${SCREENSHOTS}/demo-topology.png`, fullPage: true });
});

test('fix the flaky route: a retry policy saved in the editor raises its success rate', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await signIn(page);
  const serviceView = `${DEMO_DASHBOARD_URL}/services/recommendations?window=1m&refresh=5s`;
  const successRate = async (): Promise<number> => {
    const text = await page.locator('tr[data-route=recommend] td.sr').first().textContent();
    return Number.parseFloat(text ?? '') / 100;
  };
  await page.goto(serviceView);
  await expect.poll(successRate, { timeout: 30_000 }).toBeLessThan(0.85);
  const before = await successRate();

  await page.goto(`${DEMO_DASHBOARD_URL}/services/recommendations/routes/recommend?window=1m`);
  const editor = page.getByTestId('policy-editor');
  await editor.getByLabel('Retry failed requests').check();
  await editor.getByRole('group', { name: 'Retry on' }).getByLabel('5xx').check();
  await editor.getByLabel('Max retries').fill('2');
  await editor.getByLabel('Reason').fill('recommendations sheds load with 503s: retry them');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('saved')).toBeVisible();

  await page.goto(serviceView);
  await expect
    .poll(successRate, { timeout: 90_000, intervals: [5_000] })
    .toBeGreaterThan(before + 0.08);

  // The route after the fix: the success line climbing past the policy mark, the editor below.
  await page.setViewportSize({ width: 1280, height: 1400 });
  await page.goto(`${DEMO_DASHBOARD_URL}/services/recommendations/routes/recommend?window=5m`);
  await expect(page.getByTestId('golden-charts')).not.toHaveAttribute('data-policy-marks', '0');
  await expect(page.getByTestId('latency-histogram')).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/demo-route.png` });
});

test('Ctrl-C stops every process of the demo and frees every port', async () => {
  const groups = childGroups(demo.child.pid!);
  expect(groups.size).toBeGreaterThanOrEqual(14);
  demo.child.kill('SIGINT');
  expect(await demo.exited).toBe(0);
  expect(processesInGroups(groups)).toEqual([]);
  const ports = [
    DEMO_PORTS.collector,
    DEMO_PORTS.dashboard,
    ...Array.from({ length: 44 }, (_, i) => DEMO_PORTS.base + i),
  ];
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', () => reject(new Error(`port ${port} is still in use`)));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  }
});
