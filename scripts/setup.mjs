// Brings a fresh clone to a runnable state with nothing but Node and npm:
// install (when node_modules is missing or older than the lockfile), generate, build, migrate.
// Uses only Node's standard library, since it runs before any dependency exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
process.env.NEXT_TELEMETRY_DISABLED = '1';
process.env.TURBO_TELEMETRY_DISABLED = '1';

function run(label, command, commandArgs) {
  console.log(`[setup] ${label}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`[setup] failed: ${label} (${command} ${commandArgs.join(' ')})`);
    process.exit(result.status ?? 1);
  }
}

function lockHash() {
  return createHash('sha256')
    .update(readFileSync(join(root, 'package-lock.json')))
    .digest('hex');
}

const stamp = join(root, 'node_modules', '.trellis-lock-hash');
// Hashed before installing: a lockfile that changes while npm ci runs must install again next time.
const lockfile = lockHash();
const installed = existsSync(stamp) && readFileSync(stamp, 'utf8') === lockfile;
if (!installed) {
  run('installing dependencies (npm ci)', 'npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, lockfile);
}

run('building', 'npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);

// npm links a workspace's bin only if its file existed at install time, and dist/ did not:
// link them again now that the build made them (npx trellis-proxy, npx trellis-collector, …).
// tsc writes them without the execute bit, so they are made executable here too.
const withBins = readdirSync(join(root, 'apps'))
  .map((dir) => join(root, 'apps', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => manifest.bin !== undefined);
for (const { dir, manifest } of withBins) {
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin);
  for (const bin of bins) chmodSync(join(dir, bin), 0o755);
}
run('linking bins', 'npm', [
  'rebuild',
  '--ignore-scripts',
  ...withBins.map(({ manifest }) => manifest.name),
]);

if (!args.has('--no-migrate')) {
  run('migrating the database', process.execPath, ['packages/db/dist/cli/migrate.js']);
}
