import { COLLECTOR_URL } from '../servers';

/**
 * Which parts of the collector API this build serves, from its OpenAPI document: specs that
 * need a part that has not landed yet are skipped with the reason, not silently passed.
 */
export async function collectorServes(...paths: string[]): Promise<boolean> {
  const response = await fetch(`${COLLECTOR_URL}/v1/openapi.json`);
  const document = (await response.json()) as { paths?: Record<string, unknown> };
  const served = Object.keys(document.paths ?? {}).map((p) => p.replace(/\{(\w+)\}/g, ':$1'));
  return paths.every((path) => served.includes(path));
}

export const AUTH_PENDING = 'the collector does not serve GET /v1/whoami (auth) yet';
export const POLICIES_PENDING = 'the collector does not serve the policy API yet';
