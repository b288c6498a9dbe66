import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The built collector: these tests run the real binary as an operator would. */
export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command that exits (e.g. `token create`). */
export function runCollector(args: string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { timeout: 20_000, env: { PATH: process.env.PATH }, ...(cwd ? { cwd } : {}) },
      (error, stdout, stderr) => {
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

export interface RunningCollector {
  url: string;
  port: number;
  stdout(): string;
  stop(): Promise<void>;
  /** Ends the process at once, as a crash or an OOM kill would (SIGKILL). */
  kill(): Promise<void>;
}

/** Starts the collector on `port` (a free one by default) and resolves once it listens. */
export async function startCollector(
  args: string[],
  cwd?: string,
  port?: number,
): Promise<RunningCollector> {
  port ??= await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [MAIN, '--listen', `127.0.0.1:${port}`, ...args],
    { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start: ${stderr}`)), 20_000);
    const check = (): void => {
      if (stdout.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code}: ${stderr}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stdout: () => stdout,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
