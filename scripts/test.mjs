// `npm test`: every check the project has, in order, stopping at the first failure.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const steps = [
  ['lint', 'npx', ['eslint', '.']],
  ['format', 'npx', ['prettier', '--check', '--log-level=warn', '.']],
  ['typecheck', 'npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']],
  // One package at a time: the integration tests time real sockets, and two cores are shared.
  ['unit + integration', 'npx', ['turbo', 'run', 'test', '--concurrency=1', '--output-logs=full']],
  ['e2e', 'npm', ['run', '--silent', 'test:e2e']],
];

for (const [label, command, args] of steps) {
  console.log(`\n[test] ${label}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`[test] ${label} failed after ${seconds}s`);
    process.exit(result.status ?? 1);
  }
  console.log(`[test] ${label} passed in ${seconds}s`);
}
