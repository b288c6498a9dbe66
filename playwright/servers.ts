import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Ports the e2e system listens on, away from the ones `npm start` uses. */
export const E2E_PORTS = { collector: 17700, dashboard: 13000 } as const;

const root = join(import.meta.dirname, '..');

/** A collector on a fresh SQLite database and the built dashboard pointed at it. */
export function e2eServers() {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-e2e-'));
  const collectorUrl = `http://127.0.0.1:${E2E_PORTS.collector}`;
  return [
    {
      command: `node apps/collector/dist/main.js --listen 127.0.0.1:${E2E_PORTS.collector} --database-url file:${join(dataDir, 'trellis.db')}`,
      cwd: root,
      url: `${collectorUrl}/v1/health`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `node ../../node_modules/next/dist/bin/next start --hostname 127.0.0.1 --port ${E2E_PORTS.dashboard}`,
      cwd: join(root, 'apps/dashboard'),
      url: `http://127.0.0.1:${E2E_PORTS.dashboard}`,
      env: { TRELLIS_COLLECTOR_URL: collectorUrl, NEXT_TELEMETRY_DISABLED: '1' },
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ];
}
