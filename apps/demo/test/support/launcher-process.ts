import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const LAUNCHER = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface LauncherProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output contains `text`; rejects if the launcher exits first. */
  waitFor(text: string, timeoutMs: number): Promise<void>;
  exited(): Promise<number | null>;
}

/** The launcher as a user starts it, with its own ports and data directory. */
export function spawnLauncher(args: string[]): LauncherProcess {
  const child = spawn(process.execPath, [LAUNCHER, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    output: () => text,
    exited: () => exit,
    waitFor: async (wanted, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(wanted)) {
        if (child.exitCode !== null) throw new Error(`the launcher exited:\n${text}`);
        if (Date.now() > deadline)
          throw new Error(`no "${wanted}" after ${timeoutMs} ms:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
