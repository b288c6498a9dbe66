import { spawnSync } from 'node:child_process';
import { E2E_DATABASE_URL, ROOT } from '../servers';

/** A fresh API token from the collector's own `token create` command. */
export function createToken(role: 'viewer' | 'operator' | 'proxy', name: string): string {
  const result = spawnSync(
    process.execPath,
    [
      'apps/collector/dist/main.js',
      'token',
      'create',
      '--role',
      role,
      '--name',
      name,
      '--database-url',
      E2E_DATABASE_URL,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const token = result.stdout
    .split('\n')
    .map((line) => line.trim())
    .find((line) => /^[A-Za-z0-9._~-]{24,}$/.test(line));
  if (result.status !== 0 || !token) {
    throw new Error(`token create failed: ${result.stderr || result.stdout}`);
  }
  return token;
}
