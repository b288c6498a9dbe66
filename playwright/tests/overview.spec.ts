import { expect, test } from '@playwright/test';

test('the overview shows the collector it is connected to', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('collector-status')).toContainText('Collector connected');
  await expect(page.getByTestId('collector-status')).toContainText('sqlite');
  await page.screenshot({ path: 'playwright/.artifacts/screenshots/overview.png', fullPage: true });
});
