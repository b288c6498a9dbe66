import { expect, test } from '@playwright/test';
import { signIn } from '../support/sign-in';
import { startSystem, type TrellisSystem } from '../support/system';

const PORTS = { collector: 17710, dashboard: 13010 };

test.describe.configure({ mode: 'serial' });
test.use({ baseURL: `http://127.0.0.1:${PORTS.dashboard}` });

let system: TrellisSystem;

test.beforeAll(async () => {
  system = await startSystem(PORTS);
});

test.afterAll(async () => {
  await system?.stop();
});

test('a visitor without a session is sent to sign in', async ({ page }) => {
  await page.goto('/topology');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('a token the collector does not accept does not sign in', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'That token is not valid' }),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test('the first operator signs in with the token the collector wrote, which stays out of the page', async ({
  page,
  context,
}) => {
  await signIn(page, system.operatorToken);
  await expect(page.getByTestId('user-chip')).toContainText('operator');
  const cookie = (await context.cookies()).find((c) => c.name === 'trellis_session');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');
  expect(await page.evaluate(() => document.cookie)).not.toContain('trellis_session');
  expect(await page.content()).not.toContain(system.operatorToken);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('a viewer sees the policy without edit controls, and neither server takes their write', async ({
  page,
}) => {
  const viewer = system.createToken('viewer', 'vera');
  await signIn(page, viewer);
  await expect(page.getByTestId('user-chip')).toContainText('vera');
  await expect(page.getByTestId('user-chip')).toContainText('viewer');
  await page.goto('/services/catalog/routes/default');
  await expect(page.getByTestId('policy-summary')).toContainText('10000');
  await expect(page.getByTestId('policy-editor')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  // No proxy has sent anything here: this is the route page's empty state.
  await page.screenshot({
    path: 'playwright/.artifacts/screenshots/route-empty.png',
    fullPage: true,
  });
  await page.goto('/policies/catalog');
  await expect(page.getByRole('button', { name: /Roll back/ })).toHaveCount(0);
  const missing = await page.goto('/no-such-page');
  expect(missing?.status()).toBe(404);
  await expect(page.getByTestId('page-not-found')).toContainText('Page not found');

  const write = {
    method: 'PUT',
    headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ baseVersion: 0, reason: 'viewer tries', policy: {} }),
  };
  const refused = await fetch(`${system.collectorUrl}/v1/policies/catalog`, write);
  expect(refused.status).toBe(403);
  const throughDashboard = await page.request.put('/api/v1/policies/catalog', {
    data: { baseVersion: 0, reason: 'viewer tries', policy: {} },
  });
  expect(throughDashboard.ok()).toBe(false);
  const stored = await fetch(`${system.collectorUrl}/v1/policies/catalog`, {
    headers: { authorization: `Bearer ${viewer}` },
  });
  expect(((await stored.json()) as { policy: { version: number } }).policy.version).toBe(0);
});
