import { expect, test } from '@playwright/test';
import { AUTH_PENDING, collectorServes } from '../support/collector-capabilities';
import { signIn } from '../support/sign-in';
import { createToken } from '../support/tokens';

test('a visitor without a session is sent to sign in', async ({ page }) => {
  await page.goto('/topology');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('a token the collector does not accept does not sign in', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test.describe('roles', () => {
  test.beforeAll(async () => {
    test.skip(!(await collectorServes('/v1/whoami')), AUTH_PENDING);
  });

  test('an operator signs in, the token stays out of the page, and signs out', async ({
    page,
    context,
  }) => {
    const token = createToken('operator', 'olivia');
    await signIn(page, token);
    await expect(page.getByTestId('user-chip')).toContainText('operator');
    const cookie = (await context.cookies()).find((c) => c.name === 'trellis_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(await page.evaluate(() => document.cookie)).not.toContain('trellis_session');
    expect(await page.content()).not.toContain(token);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
  });

  test('a viewer sees no edit controls', async ({ page }) => {
    await signIn(page, createToken('viewer', 'vera'));
    await expect(page.getByTestId('user-chip')).toContainText('viewer');
    await page.goto('/services/catalog/routes/default');
    await expect(page.getByTestId('policy-summary')).toBeVisible();
    await expect(page.getByTestId('policy-editor')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  });
});
