import {
  DEFAULT_ROUTE,
  PolicySpecSchema,
  RETRY_CONDITIONS,
  type Policy,
  type PolicySpecInput,
  type RetryCondition,
} from '@trellis/contracts';

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
    if (!optional) errors[field] = 'required';
    return undefined;
  }
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) {
    errors[field] = 'not a number';
    return undefined;
  }
  return parsed;
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
      errors[field] ??= issue.message;
    }
  }
  return Object.keys(errors).length === 0 ? { spec, errors } : { errors };
}
