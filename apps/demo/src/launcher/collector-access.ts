import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DemoError } from '../errors.js';
import type { DemoMesh } from '../mesh/demo-config.js';

/** Written by the collector on its first start (no token yet). */
export const OPERATOR_TOKEN_FILE = 'operator.token';
/** The demo's proxy-role token, kept so restarts reuse it instead of piling up new ones. */
export const PROXY_TOKEN_FILE = 'demo-proxy.token';

export interface CollectorAccess {
  url: string;
  dataDir: string;
  databaseUrl: string;
  /** `node <this>` is the `trellis-collector` command. */
  collectorMain: string;
}

export function readOperatorToken(dataDir: string): string {
  const file = join(dataDir, OPERATOR_TOKEN_FILE);
  if (!existsSync(file)) {
    throw new DemoError(
      'collector-setup',
      `${file} is missing: the collector writes it only on its first start. Create an operator token with ` +
        `"node apps/collector/dist/main.js token create --role operator --name me --database-url file:${join(dataDir, 'trellis.db')}" ` +
        `and save it there, or start from an empty --data-dir.`,
    );
  }
  return readFileSync(file, 'utf8').trim();
}

async function tokenRole(access: CollectorAccess, token: string): Promise<string | undefined> {
  const response = await fetch(`${access.url}/v1/whoami`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) return undefined;
  return ((await response.json()) as { role?: string }).role;
}

function createToken(access: CollectorAccess, role: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        access.collectorMain,
        'token',
        'create',
        '--role',
        role,
        '--name',
        name,
        '--database-url',
        access.databaseUrl,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const token = out.trim().split('\n').at(-1);
      if (code === 0 && token) resolve(token);
      else reject(new DemoError('collector-setup', `cannot create a ${role} token: ${err.trim()}`));
    });
  });
}

/** The proxies' token: the saved one while the collector still accepts it, else a new one. */
export async function demoProxyToken(access: CollectorAccess): Promise<string> {
  const file = join(access.dataDir, PROXY_TOKEN_FILE);
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if ((await tokenRole(access, saved)) === 'proxy') return saved;
  }
  const token = await createToken(access, 'proxy', `demo-proxies-${Date.now()}`);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * Names the routes of every demo service in its policy, so the dashboard shows per-route
 * numbers rather than one `default` route, with no timeout or retry: the bad routes start
 * bad. A service that already has a policy keeps it (an operator's fix survives a restart).
 */
export async function seedRoutePolicies(
  access: CollectorAccess,
  operatorToken: string,
  mesh: DemoMesh,
): Promise<string[]> {
  const seeded: string[] = [];
  for (const [service, spec] of Object.entries(mesh.services)) {
    const response = await fetch(`${access.url}/v1/policies/${service}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        baseVersion: 0,
        reason: `demo: the routes of ${service}`,
        policy: {
          routes: spec.routes.map((route) => ({
            name: route.name,
            match: { method: route.method, path: route.path },
          })),
        },
      }),
    });
    if (response.ok) seeded.push(service);
    else if (response.status !== 409) {
      throw new DemoError(
        'collector-setup',
        `cannot store the policy of ${service}: HTTP ${response.status} ${await response.text()}`,
      );
    }
  }
  return seeded;
}
