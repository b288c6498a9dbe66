// `npm test`: every check the project has, in order, stopping at the first failure, then one
// closing line counting the tests that ran (from the runners' JSON reports).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST_REPORT = 'test-results/vitest.json';
const PLAYWRIGHT_REPORT = join(root, 'playwright/.artifacts/results.json');

const workspaces = ['apps', 'packages'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(root, group, name)),
);

const steps = [
  ['lint', 'npx', ['eslint', '.']],
  ['format', 'npx', ['prettier', '--check', '--log-level=warn', '.']],
  ['typecheck', 'npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']],
  // One package at a time: the integration tests time real sockets, and two cores are shared.
  [
    'unit + integration',
    'npx',
    [
      'turbo',
      'run',
      'test',
      '--concurrency=1',
      '--output-logs=full',
      '--',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${VITEST_REPORT}`,
    ],
  ],
  ['e2e', 'npm', ['run', '--silent', 'test:e2e']],
];

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

function countTests() {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const dir of workspaces) {
    const report = readJson(join(dir, VITEST_REPORT));
    if (!report) continue;
    counts.passed += report.numPassedTests;
    counts.failed += report.numFailedTests;
    counts.skipped += report.numPendingTests + report.numTodoTests;
  }
  const e2e = readJson(PLAYWRIGHT_REPORT);
  if (e2e) {
    counts.passed += e2e.stats.expected + e2e.stats.flaky;
    counts.failed += e2e.stats.unexpected;
    counts.skipped += e2e.stats.skipped;
  }
  return counts;
}

function finish(code) {
  const { passed, failed, skipped } = countTests();
  console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code);
}

for (const dir of workspaces) rmSync(join(dir, VITEST_REPORT), { force: true });
rmSync(PLAYWRIGHT_REPORT, { force: true });

for (const [label, command, args] of steps) {
  console.log(`\n[test] ${label}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`[test] ${label} failed after ${seconds}s`);
    finish(result.status ?? 1);
  }
  console.log(`[test] ${label} passed in ${seconds}s`);
}
finish(0);
