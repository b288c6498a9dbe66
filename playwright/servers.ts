import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Ports the e2e system listens on, away from the ones `npm start` uses. */
export const E2E_PORTS = { collector: 17700, dashboard: 13000 } as const;

export const ROOT = join(import.meta.dirname, '..');
export const COLLECTOR_URL = `http://127.0.0.1:${E2E_PORTS.collector}`;

// The config is loaded by the runner and again by each worker: the data directory is chosen
// once and handed down through the environment, so specs find the collector's database.
process.env.TRELLIS_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'trellis-e2e-'));
export const E2E_DATABASE_URL = `file:${join(process.env.TRELLIS_E2E_DATA_DIR, 'trellis.db')}`;

/** A collector on a fresh SQLite database and the built dashboard pointed at it. */
export function e2eServers() {
  return [
    {
      command: `node apps/collector/dist/main.js --listen 127.0.0.1:${E2E_PORTS.collector} --database-url ${E2E_DATABASE_URL} --scrape-interval 1s`,
      cwd: ROOT,
      url: `${COLLECTOR_URL}/v1/health`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `node ../../node_modules/next/dist/bin/next start --hostname 127.0.0.1 --port ${E2E_PORTS.dashboard}`,
      cwd: join(ROOT, 'apps/dashboard'),
      url: `http://127.0.0.1:${E2E_PORTS.dashboard}/login`,
      env: { TRELLIS_COLLECTOR_URL: COLLECTOR_URL, NEXT_TELEMETRY_DISABLED: '1' },
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ];
}
