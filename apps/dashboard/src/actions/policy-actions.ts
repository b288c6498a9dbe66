'use server';

import {
  VersionConflictDetailsSchema,
  type Policy,
  type PolicyDiffEntry,
  type PolicyPreview,
  type PolicySpec,
  type PolicyView,
} from '@trellis/contracts';
import * as api from '../server/collector-api';
import { parseWindow, type TimeWindow } from '../time-window';
import { canEdit, readSession } from '../server/session';

export type ActionResult<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

/** Someone saved in between: their version, and what they changed since ours. */
export interface Conflict {
  ok: false;
  code: 'version-conflict';
  message: string;
  current: Policy;
  theirChanges: PolicyDiffEntry[];
}

async function operatorToken(): Promise<string | ActionResult<never>> {
  const session = await readSession();
  if (!session) return { ok: false, code: 'unauthenticated', message: 'Sign in again.' };
  if (!canEdit(session)) {
    return { ok: false, code: 'forbidden', message: 'Only operators can change policies.' };
  }
  return session.token;
}

/** The what-if of a draft over `window`, the window the page shows. */
export async function previewPolicyAction(
  service: string,
  policy: PolicySpec,
  window: TimeWindow,
): Promise<ActionResult<PolicyPreview>> {
  const session = await readSession();
  if (!session) return { ok: false, code: 'unauthenticated', message: 'Sign in again.' };
  const result = await api.previewPolicy(session.token, service, policy, parseWindow({ window }));
  return result.ok ? result : { ok: false, code: result.code, message: result.message };
}

export async function savePolicyAction(
  service: string,
  policy: PolicySpec,
  baseVersion: number,
  reason: string,
): Promise<ActionResult<PolicyView> | Conflict> {
  const token = await operatorToken();
  if (typeof token !== 'string') return token;
  if (!reason.trim()) return { ok: false, code: 'reason-required', message: 'Say why.' };
  const result = await api.writePolicy(token, service, policy, baseVersion, reason.trim());
  if (result.ok) return result;
  if (result.status === 409) {
    const current = VersionConflictDetailsSchema.safeParse(result.details);
    if (current.success) {
      const diff = await api.loadView(
        token,
        'revisionDiff',
        { service },
        { from: baseVersion, to: current.data.policy.version },
      );
      return {
        ok: false,
        code: 'version-conflict',
        message: result.message,
        current: current.data.policy,
        theirChanges: diff.ok ? diff.data.changes : [],
      };
    }
  }
  return { ok: false, code: result.code, message: result.message };
}

export async function rollbackPolicyAction(
  service: string,
  toVersion: number,
  reason: string,
): Promise<ActionResult<PolicyView>> {
  const token = await operatorToken();
  if (typeof token !== 'string') return token;
  if (!reason.trim()) return { ok: false, code: 'reason-required', message: 'Say why.' };
  const result = await api.rollbackPolicy(token, service, toVersion, reason.trim());
  return result.ok ? result : { ok: false, code: result.code, message: result.message };
}
