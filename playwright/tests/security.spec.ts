import { createServer, type Server } from 'node:http';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startMesh, type Mesh } from '../support/mesh';
import { signIn } from '../support/sign-in';
import { startSystem, type TrellisSystem } from '../support/system';

const PORTS = { collector: 17760, dashboard: 13060 };
const MESH_PORT = 18160;
/** A page on another origin, as an attacker would serve it. */
const FOREIGN_PORT = 18170;
const DASHBOARD = `http://127.0.0.1:${PORTS.dashboard}`;
const FOREIGN = `http://127.0.0.1:${FOREIGN_PORT}`;

test.describe.configure({ mode: 'serial' });
test.use({ baseURL: DASHBOARD });

let system: TrellisSystem;
let mesh: Mesh | undefined;
let foreign: Server;
let foreignPage = '';

test.beforeAll(async () => {
  system = await startSystem(PORTS);
  const written = await fetch(`${system.collectorUrl}/v1/policies/catalog`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${system.operatorToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      baseVersion: 0,
      // Hebrew, then digits: without isolation the digits and what follows reorder around it.
      reason: 'שלום עולם 1-2-3',
      policy: { routes: [{ name: 'get-item', match: { method: 'GET', path: '/items/{id}' } }] },
    }),
  });
  expect(written.status).toBe(200);
  mesh = await startMesh({
    collectorUrl: system.collectorUrl,
    proxyToken: (service) => system.createToken('proxy', `mesh-${service}`, service),
    basePort: MESH_PORT,
  });
  foreign = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(foreignPage);
  });
  await new Promise<void>((resolve) => foreign.listen(FOREIGN_PORT, '127.0.0.1', resolve));
});

test.afterAll(async () => {
  // Chromium keeps its connections to the foreign page open; close() alone would wait for them.
  foreign?.closeAllConnections();
  await new Promise((resolve) => foreign?.close(resolve));
  await mesh?.stop();
  await system?.stop();
});

async function signedIn(browser: Browser, token = system.operatorToken): Promise<Page> {
  const page = await browser.newPage({ baseURL: DASHBOARD });
  await signIn(page, token);
  return page;
}

test('sign-in never returns to another origin, however the address is written', async ({
  browser,
}) => {
  // Eleven sign-ins.
  test.setTimeout(240_000);
  const variants = [
    '//evil.example/',
    '/\\evil.example/',
    '/%2F%2Fevil.example/',
    '/%2f%2fevil.example/',
    '/%5Cevil.example/',
    '/%5cevil.example/',
    '/%252F%252Fevil.example/',
    '/%09/evil.example/',
    '/\t/evil.example/',
    'https://evil.example/',
    'javascript:alert(1)',
  ];
  for (const next of variants) {
    const page = await browser.newPage({ baseURL: DASHBOARD });
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Token').fill(system.operatorToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('user-chip'), next).toBeVisible();
    const url = new URL(page.url());
    expect(`${next} → ${url.origin}${url.pathname}`).toBe(`${next} → ${DASHBOARD}/`);
    await page.close();
  }
});

test('a deep link survives sign-in', async ({ page }) => {
  const deep = '/services/catalog/routes/get-item?window=15m';
  await page.goto(deep);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel('Token').fill(system.operatorToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('route-title')).toContainText('get-item');
  const url = new URL(page.url());
  expect(`${url.pathname}${url.search}`).toBe(deep);
});

test('every response carries the security headers, with a fresh nonce per page', async ({
  browser,
}) => {
  const page = await signedIn(browser);
  const nonces = new Set<string>();
  const paths = ['/', '/login', '/topology', '/policies/catalog', '/api/v1/policies'];
  for (const path of paths) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    expect(headers['x-frame-options'], path).toBe('DENY');
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['referrer-policy'], path).toBe('same-origin');
    const policy = headers['content-security-policy'] ?? '';
    expect(policy, path).toContain("frame-ancestors 'none'");
    expect(policy, path).toContain("object-src 'none'");
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce, path).toBeDefined();
    nonces.add(nonce!);
  }
  expect(nonces.size).toBe(paths.length);
  const script = (await (await page.request.get('/topology')).text()).match(
    /<script[^>]*src="(\/_next\/static\/[^"]+)"/,
  )?.[1];
  expect(script).toBeDefined();
  const asset = await page.request.get(script!);
  expect(asset.headers()['x-content-type-options']).toBe('nosniff');
  expect(asset.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await page.close();
});

test('every page works under the policy: no violation, charts and graph drawn', async ({
  browser,
}) => {
  const page = await signedIn(browser);
  const violations: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { violations?: string[] }).violations ??= [];
      (window as unknown as { violations: string[] }).violations.push(
        `${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
      );
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) {
      violations.push(message.text());
    }
  });
  const visit = async (path: string, ready: () => Promise<void>): Promise<void> => {
    await page.goto(path);
    await ready();
    await page.waitForLoadState('networkidle');
    const seen = await page.evaluate(
      () => (window as unknown as { violations?: string[] }).violations ?? [],
    );
    violations.push(...seen.map((line) => `${path}: ${line}`));
  };
  await visit('/', () => expect(page.getByTestId('services-table')).toBeVisible());
  await visit('/topology', async () => {
    const graph = page.getByTestId('topology-graph');
    await expect(graph.locator('[data-testid=graph-node][data-service=catalog]')).toBeVisible({
      timeout: 20_000,
    });
  });
  await visit('/services/catalog', () => expect(page.getByTestId('routes-table')).toBeVisible());
  await visit('/services/catalog/routes/get-item', async () => {
    await expect(page.getByTestId('latency-histogram')).toBeVisible({ timeout: 20_000 });
    await expect(page.locator('[data-testid=golden-charts] svg').first()).toBeVisible();
  });
  await visit('/policies', () => expect(page.getByText('catalog').first()).toBeVisible());
  await visit('/policies/catalog', () => expect(page.getByTestId('revisions')).toBeVisible());
  await visit('/data-plane', () => expect(page.locator('tr[data-instance]').first()).toBeVisible());
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await visit('/login', () => expect(page.getByLabel('Token')).toBeVisible());
  expect(violations).toEqual([]);
  await page.close();
});

test('a foreign page cannot frame the console', async ({ browser }) => {
  const page = await signedIn(browser);
  foreignPage = `<!doctype html><title>prize</title><iframe id="console" src="${DASHBOARD}/policies/catalog" width="800" height="600"></iframe>`;
  const refused: string[] = [];
  page.on('console', (message) => refused.push(message.text()));
  await page.goto(FOREIGN);
  await expect.poll(() => page.frames().length).toBe(2);
  const framed = page.frames()[1]!;
  await expect.poll(() => framed.url()).not.toBe('about:blank');
  expect(framed.url()).not.toContain('/policies/catalog');
  await expect(
    page.frameLocator('#console').getByRole('button', { name: /Roll back/ }),
  ).toHaveCount(0);
  await page.close();
});

test('signing out ends the session for every copy of its cookie', async ({ browser }) => {
  const page = await signedIn(browser);
  const cookies = await page.context().cookies();
  expect(cookies.some((cookie) => cookie.name === 'trellis_session')).toBe(true);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);

  const copy = await browser.newContext({ baseURL: DASHBOARD });
  await copy.addCookies(cookies);
  const stolen = await copy.newPage();
  await stolen.goto('/policies/catalog');
  await expect(stolen).toHaveURL(/\/login/);
  const api = await stolen.request.get('/api/v1/policies');
  expect(api.status()).toBe(401);
  await copy.close();
  await page.close();
});

test('revoking a token in the collector ends the sessions signed in with it', async ({
  browser,
}) => {
  const token = system.createToken('operator', 'olga');
  const page = await signedIn(browser, token);
  expect((await page.request.get('/api/v1/policies')).status()).toBe(200);
  system.revokeToken('olga');
  // The dashboard asks the collector again after at most a few seconds.
  await expect
    .poll(async () => (await page.request.get('/api/v1/policies')).status(), {
      timeout: 15_000,
    })
    .toBe(401);
  // The same cookie in a fresh context: the open tab may still be following its own live reads'
  // redirect to sign-in.
  const again = await browser.newContext({
    baseURL: DASHBOARD,
    storageState: await page.context().storageState(),
  });
  const tab = await again.newPage();
  await tab.goto('/topology');
  await expect(tab).toHaveURL(/\/login\?next=%2Ftopology/);
  await again.close();
  await page.close();
});

test('a cross-origin server-action POST is refused with 403 and changes nothing', async ({
  browser,
}) => {
  const page = await signedIn(browser);
  const before = await (
    await fetch(`${system.collectorUrl}/v1/policies/catalog`, {
      headers: { authorization: `Bearer ${system.operatorToken}` },
    })
  ).json();
  const response = await page.request.post('/policies/catalog', {
    headers: {
      origin: FOREIGN,
      'next-action': '7f'.repeat(21),
      'content-type': 'text/plain;charset=UTF-8',
    },
    data: JSON.stringify(['catalog', 1, 'forged rollback']),
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
  const after = await (
    await fetch(`${system.collectorUrl}/v1/policies/catalog`, {
      headers: { authorization: `Bearer ${system.operatorToken}` },
    })
  ).json();
  expect(after).toEqual(before);
  await page.close();
});

test('free text is isolated for bidirectional display', async ({ browser }) => {
  const page = await signedIn(browser);
  await page.goto('/policies');
  const reason = page.getByText('שלום עולם 1-2-3').first();
  await expect(reason).toBeVisible();
  expect(await reason.evaluate((element) => getComputedStyle(element).unicodeBidi)).toBe('isolate');
  await page.goto('/policies/catalog');
  const revision = page.locator('[data-testid=revisions]').getByText('שלום עולם 1-2-3');
  expect(await revision.evaluate((element) => getComputedStyle(element).unicodeBidi)).toBe(
    'isolate',
  );
  await expect(page.getByTestId('user-chip').locator('bdi')).toHaveCount(1);
  await page.close();
});
