import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DemoError } from '../errors.js';
import type { DemoMesh } from '../mesh/demo-config.js';

/** Written by the collector on its first start (no token yet). */
export const OPERATOR_TOKEN_FILE = 'operator.token';
/**
 * The demo's proxy tokens, one bound to each service, kept (as JSON, service → token) so
 * restarts reuse them instead of piling up new ones.
 */
export const PROXY_TOKENS_FILE = 'demo-proxy-tokens.json';

/** Token creations at once: each is a short collector process writing to the database. */
const TOKEN_CREATION_CONCURRENCY = 4;

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

/** Whom a token stands for, or undefined when the collector does not accept it. */
async function whoAmI(
  access: CollectorAccess,
  token: string,
): Promise<{ role?: string; service?: string } | undefined> {
  const response = await fetch(`${access.url}/v1/whoami`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) return undefined;
  return (await response.json()) as { role?: string; service?: string };
}

function createProxyToken(access: CollectorAccess, service: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        access.collectorMain,
        'token',
        'create',
        '--role',
        'proxy',
        '--service',
        service,
        '--name',
        `demo-${service}-${Date.now()}`,
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
      else {
        reject(
          new DemoError(
            'collector-setup',
            `cannot create a proxy token for ${service}: ${err.trim()}`,
          ),
        );
      }
    });
  });
}

/**
 * One proxy token per service, each bound to its service: the saved ones the collector still
 * accepts for that service, new ones for the rest.
 */
export async function demoProxyTokens(
  access: CollectorAccess,
  services: readonly string[],
): Promise<Map<string, string>> {
  const file = join(access.dataDir, PROXY_TOKENS_FILE);
  const saved = existsSync(file) ? readSavedTokens(file) : {};
  const tokens = new Map<string, string>();
  const missing: string[] = [];
  await Promise.all(
    services.map(async (service) => {
      const token = saved[service];
      const principal = token === undefined ? undefined : await whoAmI(access, token);
      if (token !== undefined && principal?.role === 'proxy' && principal.service === service) {
        tokens.set(service, token);
      } else missing.push(service);
    }),
  );
  for (let i = 0; i < missing.length; i += TOKEN_CREATION_CONCURRENCY) {
    const batch = missing.slice(i, i + TOKEN_CREATION_CONCURRENCY);
    const created = await Promise.all(batch.map((service) => createProxyToken(access, service)));
    batch.forEach((service, index) => tokens.set(service, created[index]!));
  }
  if (missing.length > 0) {
    writeFileSync(file, `${JSON.stringify(Object.fromEntries(tokens), null, 2)}\n`, {
      mode: 0o600,
    });
  }
  return tokens;
}

function readSavedTokens(file: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    return {};
  }
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
