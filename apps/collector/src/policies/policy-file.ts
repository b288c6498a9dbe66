import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PolicySpecSchema, ServiceNameSchema, type PolicySpec } from '@trellis/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { diffDocuments } from './policy-diff.js';
import { specOf, type PolicyStore } from './policy-store.js';

/**
 * `--policies FILE`: policies to load at start, YAML or JSON (JSON is YAML), e.g.
 *
 * ```yaml
 * policies:
 *   catalog:
 *     defaultTimeoutMs: 2000
 *     routes: [{ name: get-item, match: { method: GET, path: /items/{id} }, timeoutMs: 500 }]
 * ```
 */
export const PolicyFileSchema = z.strictObject({
  policies: z.record(ServiceNameSchema, PolicySpecSchema),
});

export const POLICY_FILE_AUTHOR = 'file';

/** The file cannot be used; the message is one line naming the file and what is wrong. */
export class PolicyFileError extends Error {
  readonly code = 'invalid-policy-file';
}

/** Reads and validates the whole file before anything is written. */
export function readPolicyFile(path: string): Map<string, PolicySpec> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new PolicyFileError(`${path}: ${message.split('\n')[0]}`, { cause });
  }
  const parsed = PolicyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new PolicyFileError(`${path}: ${where}: ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
    });
  }
  return new Map(Object.entries(parsed.data.policies));
}

/**
 * Stores each policy of the file that differs from the service's current one, as a revision
 * by `file`; equal ones are left alone so restarts do not pile up identical versions.
 * Returns the versions it wrote.
 */
export async function applyPolicyFile(
  store: PolicyStore,
  path: string,
  policies: Map<string, PolicySpec>,
): Promise<Array<{ service: string; version: number }>> {
  const written: Array<{ service: string; version: number }> = [];
  for (const [service, spec] of policies) {
    const { policy } = await store.current(service);
    if (diffDocuments(specOf(policy), spec).length === 0) continue;
    const stored = await store.write({
      service,
      spec,
      baseVersion: policy.version,
      author: POLICY_FILE_AUTHOR,
      reason: `loaded from ${basename(path)}`,
    });
    written.push({ service, version: stored.policy.version });
  }
  return written;
}
