import {
  DEFAULT_ROUTE,
  PolicySpecSchema,
  RETRY_CONDITIONS,
  type Policy,
  type PolicySpecInput,
  type RetryCondition,
} from '@trellis/contracts';
import type { z } from 'zod';

/**
 * The editor's form for one route of a service's policy, as the strings the inputs hold, and
 * the way back to a policy document the shared schema can validate.
 */
export interface RoutePolicyDraft {
  timeoutMs: string;
  retryEnabled: boolean;
  maxRetries: string;
  on: RetryCondition[];
  perTryTimeoutMs: string;
  backoffBaseMs: string;
  backoffMaxMs: string;
  budgetRatio: string;
  budgetMinRetriesPerSecond: string;
  budgetTtlSeconds: string;
}

export type DraftField = keyof RoutePolicyDraft;
export type FieldErrors = Partial<Record<DraftField | 'form', string>>;

const text = (value: number | undefined) => (value === undefined ? '' : String(value));

/** What each field is called on screen; errors name it. */
export const FIELD_LABELS: Record<DraftField, string> = {
  timeoutMs: 'Timeout',
  retryEnabled: 'Retry failed requests',
  maxRetries: 'Max retries',
  on: 'Retry on',
  perTryTimeoutMs: 'Per-try timeout',
  backoffBaseMs: 'Backoff base',
  backoffMaxMs: 'Backoff max',
  budgetRatio: 'Ratio of requests',
  budgetMinRetriesPerSecond: 'Min retries',
  budgetTtlSeconds: 'Window',
};

/** A schema issue in words, e.g. "must be at most 10", for a sentence that names the field. */
function wordsOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'set')
        return `needs at least ${issue.minimum} selected`;
      return issue.inclusive === false
        ? `must be more than ${issue.minimum}`
        : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.inclusive === false
        ? `must be less than ${issue.maximum}`
        : `must be at most ${issue.maximum}`;
    case 'invalid_type':
      return issue.expected === 'int' ? 'must be a whole number' : 'must be a number';
    default:
      return issue.message;
  }
}

/** Whether the route's own entry is edited, or (for unmatched requests) the default timeout. */
export function routeIndex(policy: Policy, route: string): number {
  return policy.routes.findIndex((r) => r.name === route);
}

export function editable(policy: Policy, route: string): boolean {
  return route === DEFAULT_ROUTE || routeIndex(policy, route) >= 0;
}

export function draftOf(policy: Policy, route: string): RoutePolicyDraft {
  const entry = policy.routes[routeIndex(policy, route)];
  const retry = entry?.retry;
  return {
    timeoutMs: text(route === DEFAULT_ROUTE ? policy.defaultTimeoutMs : entry?.timeoutMs),
    retryEnabled: retry !== undefined,
    maxRetries: text(retry?.maxRetries ?? 2),
    on: retry?.on ?? ['5xx', 'connect-failure'],
    perTryTimeoutMs: text(retry?.perTryTimeoutMs),
    backoffBaseMs: text(retry?.backoff.baseMs ?? 25),
    backoffMaxMs: text(retry?.backoff.maxMs ?? 250),
    budgetRatio: text(policy.retryBudget.ratio),
    budgetMinRetriesPerSecond: text(policy.retryBudget.minRetriesPerSecond),
    budgetTtlSeconds: text(policy.retryBudget.ttlSeconds),
  };
}

function numberOf(
  value: string,
  field: DraftField,
  errors: FieldErrors,
  optional = false,
): number | undefined {
  if (value.trim() === '') {
    if (!optional) errors[field] = `${FIELD_LABELS[field]} is required.`;
    return undefined;
  }
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) {
    errors[field] = `${FIELD_LABELS[field]} must be a number.`;
    return undefined;
  }
  return parsed;
}

/**
 * A validation issue the collector reported on a draft (`policy.routes.0.retry.maxRetries`),
 * named by the field of this form when it is one.
 */
export function issueInWords(path: string, message: string): string {
  const [, ...rest] = path.split('.');
  const field = fieldOf(
    rest.map((part) => (/^[0-9]+$/.test(part) ? Number(part) : part)),
    Number(rest[1]),
  );
  return field === 'form' ? `${path}: ${message}` : `${FIELD_LABELS[field]}: ${message}`;
}

/** Maps a schema issue on the whole policy back to the field of this form it is about. */
function fieldOf(path: PropertyKey[], index: number): DraftField | 'form' {
  const [head, i, key, sub, leaf] = path;
  if (head === 'defaultTimeoutMs') return 'timeoutMs';
  if (head === 'retryBudget') {
    if (i === 'ratio') return 'budgetRatio';
    if (i === 'minRetriesPerSecond') return 'budgetMinRetriesPerSecond';
    return 'budgetTtlSeconds';
  }
  if (head === 'routes' && i === index) {
    if (key === 'timeoutMs') return 'timeoutMs';
    if (key === 'retry') {
      if (sub === 'maxRetries') return 'maxRetries';
      if (sub === 'on') return 'on';
      if (sub === 'perTryTimeoutMs') return 'perTryTimeoutMs';
      if (sub === 'backoff') return leaf === 'maxMs' ? 'backoffMaxMs' : 'backoffBaseMs';
    }
  }
  return 'form';
}

/** The whole policy with this route's draft applied, validated by the shared schema. */
export function specOf(
  policy: Policy,
  route: string,
  draft: RoutePolicyDraft,
): { spec?: PolicySpecInput; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const index = routeIndex(policy, route);
  const timeoutMs = numberOf(draft.timeoutMs, 'timeoutMs', errors, route !== DEFAULT_ROUTE);
  const retryBudget = {
    ratio: numberOf(draft.budgetRatio, 'budgetRatio', errors) ?? 0,
    minRetriesPerSecond:
      numberOf(draft.budgetMinRetriesPerSecond, 'budgetMinRetriesPerSecond', errors) ?? 0,
    ttlSeconds: numberOf(draft.budgetTtlSeconds, 'budgetTtlSeconds', errors) ?? 0,
  };
  const routes = policy.routes.map((r) => ({ ...r }));
  let defaultTimeoutMs = policy.defaultTimeoutMs;
  if (route === DEFAULT_ROUTE) {
    defaultTimeoutMs = timeoutMs ?? defaultTimeoutMs;
  } else if (index >= 0) {
    const current = routes[index]!;
    const retry = draft.retryEnabled
      ? {
          maxRetries: numberOf(draft.maxRetries, 'maxRetries', errors) ?? 0,
          on: RETRY_CONDITIONS.filter((c) => draft.on.includes(c)),
          perTryTimeoutMs: numberOf(draft.perTryTimeoutMs, 'perTryTimeoutMs', errors, true),
          backoff: {
            baseMs: numberOf(draft.backoffBaseMs, 'backoffBaseMs', errors) ?? 0,
            maxMs: numberOf(draft.backoffMaxMs, 'backoffMaxMs', errors) ?? 0,
          },
        }
      : undefined;
    routes[index] = { ...current, timeoutMs, retry };
  } else {
    errors.form = `route "${route}" is not in ${policy.service}'s policy`;
  }
  const spec: PolicySpecInput = { routes, retryBudget, defaultTimeoutMs };
  const parsed = PolicySpecSchema.safeParse(spec);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path, index);
      errors[field] ??=
        field === 'form' ? `${issue.message}.` : `${FIELD_LABELS[field]} ${wordsOf(issue)}.`;
    }
  }
  return Object.keys(errors).length === 0 ? { spec, errors } : { errors };
}
