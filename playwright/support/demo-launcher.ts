import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './system';

/** The demo's own ports, away from `npm start`'s and from the other specs' systems. */
export const DEMO_PORTS = { collector: 27_800, dashboard: 23_800, base: 24_600 } as const;
export const DEMO_DASHBOARD_URL = `http://127.0.0.1:${DEMO_PORTS.dashboard}`;

export interface RunningDemo {
  child: ChildProcess;
  dataDir: string;
  startedAt: number;
  output(): string;
  waitFor(text: string, timeoutMs: number): Promise<void>;
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it (the built launcher), on its own ports and data directory. */
export function launchDemo(): RunningDemo {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-demo-e2e-'));
  const child = spawn(
    process.execPath,
    [
      'scripts/start.mjs',
      '--data-dir',
      dataDir,
      '--collector-port',
      String(DEMO_PORTS.collector),
      '--dashboard-port',
      String(DEMO_PORTS.dashboard),
      '--base-port',
      String(DEMO_PORTS.base),
      '--scrape-interval',
      '1s',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    dataDir,
    startedAt: Date.now(),
    output: () => text,
    exited,
    waitFor: async (wanted, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(wanted)) {
        if (child.exitCode !== null) throw new Error(`the demo exited:\n${text}`);
        if (Date.now() > deadline)
          throw new Error(`no "${wanted}" after ${timeoutMs} ms:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}

export function operatorToken(demo: RunningDemo): string {
  return readFileSync(join(demo.dataDir, 'operator.token'), 'utf8').trim();
}

export { childGroups, processesInGroups } from '../../apps/demo/test/support/processes';
