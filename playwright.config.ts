import { defineConfig } from '@playwright/test';
import { E2E_PORTS, e2eServers } from './playwright/servers';

/** End-to-end tests in the system's Chromium against a running collector and dashboard. */
export default defineConfig({
  testDir: './playwright/tests',
  outputDir: './playwright/.artifacts/results',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: './playwright/.artifacts/results.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORTS.dashboard}`,
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
  webServer: e2eServers(),
});
