import { createServer } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
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
/** The README's pictures: every e2e run takes them again from the live demo. */
const README_IMAGES = 'docs/images';
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
  await page.screenshot({ path: `${README_IMAGES}/topology.png`, fullPage: true });
});

/** The number at the start of an element's text: "20.1 rps" → 20.1, "97.20%" → 97.2. */
async function leadingNumber(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? '';
  return Number.parseFloat(text.replace(',', '.'));
}

test("two minutes after start, storefront's RPS reads the generated 20 req/s on 1m and 15m on every page", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page);
  const wait = demo.startedAt + 120_000 - Date.now();
  if (wait > 0) await page.waitForTimeout(wait);
  const GENERATED = 20;
  for (const window of ['1m', '15m']) {
    await page.goto(`${DEMO_DASHBOARD_URL}/?window=${window}`);
    const overview = page.locator('tr[data-service=storefront] [data-testid=rps]');
    expect(Math.abs((await leadingNumber(overview)) / GENERATED - 1)).toBeLessThanOrEqual(0.02);

    await page.goto(`${DEMO_DASHBOARD_URL}/topology?window=${window}`);
    const node = page.locator(
      '[data-testid=graph-node][data-service=storefront] [data-testid=node-rps]',
    );
    await expect(node).toContainText('rps');
    expect(Math.abs((await leadingNumber(node)) / GENERATED - 1)).toBeLessThanOrEqual(0.02);

    await page.goto(`${DEMO_DASHBOARD_URL}/services/storefront?window=${window}`);
    const headline = page.getByTestId('headline-rps');
    expect(Math.abs((await leadingNumber(headline)) / GENERATED - 1)).toBeLessThanOrEqual(0.02);
  }
  // The 15m window reaches back before the mesh existed, and says over how long it measured.
  await expect(page.getByTestId('data-span-note')).toContainText(/rates over the last \d+ min/);
});

test('fix the flaky route: a retry policy saved in the editor raises its success rate', async ({
  page,
}) => {
  test.setTimeout(240_000);
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
  // An out-of-range value is named with its field, in words, and announced.
  await editor.getByLabel('Max retries').fill('11');
  await expect(editor.getByRole('alert')).toHaveText('Max retries must be at most 10.');
  await expect(editor.getByLabel('Max retries')).toHaveAttribute('aria-invalid', 'true');
  await editor.getByLabel('Max retries').fill('2');
  await expect(editor.getByRole('alert')).toHaveCount(0);

  // Leaving with an unsaved draft asks first; staying keeps the draft.
  page.once('dialog', (dialog) => void dialog.dismiss());
  await page
    .getByRole('navigation', { name: 'Breadcrumbs' })
    .getByRole('link', { name: 'recommendations' })
    .click();
  await expect(page).toHaveURL(/routes\/recommend/);
  await expect(editor.getByLabel('Max retries')).toHaveValue('2');

  // The what-if over the page's window: failures, retries wanted against the budget, and the
  // success rate callers would see (the route fails 3 in 10: about 1 − 0.3³).
  await editor.getByRole('button', { name: 'Preview' }).click();
  const whatIf = page.getByTestId('retry-what-if');
  await expect(whatIf).toContainText('Retries the budget allows');
  await expect(whatIf).toContainText('Requests in the last 1 min');
  const expected = (await leadingNumber(page.getByTestId('expected-success-rate'))) / 100;
  expect(expected).toBeGreaterThan(0.95);
  await expect(page.getByTestId('preview-diff')).toContainText(
    'Route recommend retry: off → 2 retries on 5xx',
  );

  await editor.getByLabel('Reason').fill('recommendations sheds load with 503s: retry them');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('saved')).toBeVisible();
  const savedAt = Date.now();

  await page.goto(serviceView);
  await expect
    .poll(successRate, { timeout: 90_000, intervals: [5_000] })
    .toBeGreaterThan(before + 0.08);

  // A minute after the fix, the 1m window holds only fixed traffic: the service's headline,
  // its inbound edge and its node all say what callers saw, and agree.
  const settle = savedAt + 65_000 - Date.now();
  if (settle > 0) await page.waitForTimeout(settle);
  await page.goto(`${DEMO_DASHBOARD_URL}/services/recommendations?window=1m`);
  const headline = (await leadingNumber(page.getByTestId('headline-success-rate'))) / 100;
  const edge =
    (await leadingNumber(
      page.getByTestId('inbound-edges').locator('tr[data-peer=storefront] td.sr'),
    )) / 100;
  expect(headline).toBeGreaterThan(0.93);
  expect(Math.abs(headline - edge)).toBeLessThanOrEqual(0.01);
  await page.goto(`${DEMO_DASHBOARD_URL}/topology?window=1m`);
  const node =
    (await leadingNumber(
      page.locator('[data-testid=graph-node][data-service=recommendations] .sr'),
    )) / 100;
  expect(Math.abs(headline - node)).toBeLessThanOrEqual(0.01);
  await expect(
    page.locator('[data-testid=graph-node][data-service=recommendations]'),
  ).toHaveAttribute('data-health', 'healthy');

  // The route after the fix: the success line climbing past the policy mark, the editor below.
  await page.setViewportSize({ width: 1280, height: 1400 });
  await page.goto(`${DEMO_DASHBOARD_URL}/services/recommendations/routes/recommend?window=5m`);
  await expect(page.getByTestId('golden-charts')).not.toHaveAttribute('data-policy-marks', '0');
  await expect(page.getByTestId('latency-histogram')).toBeVisible();
  await page.screenshot({ path: `${README_IMAGES}/route.png` });
});

test('edge drill-down: a label on the graph opens the calls from A to B by route, status and time', async ({
  page,
}) => {
  await signIn(page);
  await page.goto(`${DEMO_DASHBOARD_URL}/topology?window=5m`);
  // Labels move while the layout settles: click once they stand still.
  await expect(page.getByTestId('topology-graph')).toHaveAttribute('data-layout', 'settled');
  await page.locator('[data-edge="storefront->recommendations"]').click();
  await expect(page).toHaveURL(/\/edges\/storefront\/recommendations\?window=5m/);
  await expect(page.getByTestId('edge-title')).toHaveText('storefront → recommendations');
  await expect(page.getByTestId('edge-routes').locator('tr[data-route=recommend]')).toBeVisible();
  const statuses = page.getByTestId('status-breakdown');
  await expect(statuses.locator('tr[data-status="2xx"]')).toBeVisible();
  await expect(page.getByTestId('chart-rps')).toBeVisible();
  // The page's numbers are the collector's for the same edge and window.
  const api = await (
    await page.request.get(
      `${DEMO_DASHBOARD_URL}/api/v1/edges/storefront/recommendations?window=5m`,
    )
  ).json();
  expect(api.edge.measuredBy).toBe('outbound');
  expect(api.routes.map((r: { route: string }) => r.route)).toContain('recommend');
});

test('status breakdown on the service and route pages: 2xx and 5xx by count and share', async ({
  page,
}) => {
  await signIn(page);
  await page.goto(`${DEMO_DASHBOARD_URL}/services/recommendations?window=15m`);
  const service = page.getByTestId('status-breakdown');
  await expect(service.locator('tr[data-status="2xx"]')).toBeVisible();
  // Before the retry fix, three in ten calls to `recommend` answered 503.
  await expect(service.locator('tr[data-status="5xx"] td').first()).not.toHaveText('0');
  await page.goto(`${DEMO_DASHBOARD_URL}/services/recommendations/routes/recommend?window=15m`);
  const route = page.getByTestId('statuses-section').getByTestId('status-breakdown');
  await expect(route.locator('tr[data-status="5xx"]')).toBeVisible();
  const api = await (
    await page.request.get(
      `${DEMO_DASHBOARD_URL}/api/v1/services/recommendations/routes?window=15m`,
    )
  ).json();
  const recommend = api.routes.find((r: { route: string }) => r.route === 'recommend');
  expect(recommend.statuses['5xx']).toBeGreaterThan(0);
  expect(recommend.statuses['2xx']).toBeGreaterThan(recommend.statuses['5xx']);
});

const PAGES = [
  '/',
  '/topology',
  '/services/recommendations',
  '/edges/storefront/recommendations',
  '/services/recommendations/routes/recommend',
  '/policies',
  '/policies/recommendations',
  '/data-plane',
];

test('no console error on any page with a New York time zone and a German locale', async ({
  browser,
}) => {
  const context = await browser.newContext({ timezoneId: 'America/New_York', locale: 'de-DE' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  await signIn(page);
  for (const path of PAGES) {
    await page.goto(`${DEMO_DASHBOARD_URL}${path}`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // Hydration errors surface once React has hydrated and rendered the browser's view.
    await page.waitForTimeout(1_500);
  }
  await context.close();
  expect(errors).toEqual([]);
});

test('every page, and the sign-in page, has no accessibility violation (axe)', async ({ page }) => {
  const violations = async () =>
    (await new AxeBuilder({ page }).analyze()).violations.map(
      (v) => `${page.url()} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`,
    );
  await page.goto(`${DEMO_DASHBOARD_URL}/login`);
  expect(await violations()).toEqual([]);
  await signIn(page);
  for (const path of PAGES) {
    await page.goto(`${DEMO_DASHBOARD_URL}${path}`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await page.waitForTimeout(1_000);
    expect(await violations()).toEqual([]);
  }
});

test('at 390 px every header control is inside the viewport and nothing scrolls sideways', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page);
  for (const path of PAGES) {
    await page.goto(`${DEMO_DASHBOARD_URL}${path}`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const controls = page.locator('header').locator('a, button, select');
    for (const control of await controls.all()) {
      const box = await control.boundingBox();
      expect(box, `${path}: ${await control.textContent()}`).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    }
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
  await page.screenshot({ path: `${SCREENSHOTS}/demo-narrow.png` });
  await context.close();
});

test('a custom from/to range shows that stretch of time, and the window picker only where it applies', async ({
  page,
}) => {
  await signIn(page);
  await page.goto(`${DEMO_DASHBOARD_URL}/data-plane`);
  await expect(page.getByTestId('window-picker')).toHaveCount(0);
  await page.goto(`${DEMO_DASHBOARD_URL}/services/storefront`);
  await page.getByTestId('window-picker').getByRole('button', { name: 'Custom' }).click();
  const form = page.getByTestId('custom-range');
  // The last two minutes, typed as the browser's local time.
  const local = (ms: number) =>
    new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const to = Date.now();
  await form.getByLabel('From').fill(local(to + 60_000));
  await form.getByLabel('To').fill(local(to));
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(form.getByRole('alert')).toHaveText('The start must be before the end.');
  await form.getByLabel('From').fill(local(to - 180_000));
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/from=\d+&to=\d+/);
  await expect(page.getByTestId('range-chip')).toBeVisible();
  const url = new URL(page.url());
  const [fromMs, toMs] = [Number(url.searchParams.get('from')), Number(url.searchParams.get('to'))];
  expect(toMs - fromMs).toBe(180_000);
  // The page shows exactly what the collector answers for that range, and keeps it on links.
  const api = await page.request.get(
    `${DEMO_DASHBOARD_URL}/api/v1/services/storefront?from=${fromMs}&to=${toMs}`,
  );
  const detail = await api.json();
  expect(detail.window.seconds).toBe(180);
  await expect(page.getByTestId('headline-rps')).toHaveText(detail.service.metrics.rps.toFixed(1));
  await expect(page.getByRole('link', { name: 'Policy history →' })).toHaveAttribute(
    'href',
    new RegExp(`from=${fromMs}&to=${toMs}`),
  );
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
