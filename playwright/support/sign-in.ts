import { expect, type Page } from '@playwright/test';

export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-chip')).toBeVisible();
}
