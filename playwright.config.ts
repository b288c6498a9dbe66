import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in the system's Chromium. Each spec file starts its own collector, dashboard
 * and mesh (`playwright/support`), and points `baseURL` at its dashboard.
 */
export default defineConfig({
  testDir: './playwright/tests',
  outputDir: './playwright/.artifacts/results',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: './playwright/.artifacts/results.json' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
});
