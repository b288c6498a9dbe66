import { z } from 'zod';
import { GRPC_FAILURE_CANDIDATES } from './grpc.js';

/**
 * The retry/timeout policy of one destination service (docs/architecture.md §4). The collector validates
 * writes with it, the proxy validates what it is pushed, the dashboard validates the editor form.
 */

export const POLICY_LIMITS = {
  minTimeoutMs: 1,
  maxTimeoutMs: 5 * 60 * 1000,
  maxRetries: 10,
  maxRoutes: 200,
  maxBudgetRatio: 10,
  maxMinRetriesPerSecond: 100_000,
  maxBudgetTtlSeconds: 60,
} as const;

export const POLICY_DEFAULTS = {
  defaultTimeoutMs: 10_000,
  retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
} as const;

/** The name every request that matches no route is counted under. */
export const DEFAULT_ROUTE = 'default';

export const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'CONNECT',
] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * `5xx`: any 5xx; `gateway-error`: 502, 503, 504; `connect-failure`: no connection; `timeout`:
 * per-try timeout; the rest: a gRPC response with that status (known before its first message).
 */
export const RETRY_CONDITIONS = [
  '5xx',
  'gateway-error',
  'connect-failure',
  'timeout',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const;
export type RetryCondition = (typeof RETRY_CONDITIONS)[number];

const timeoutMs = z.number().int().min(POLICY_LIMITS.minTimeoutMs).max(POLICY_LIMITS.maxTimeoutMs);

// Segments: literal (RFC 3986 pchar), `{param}`, or a final `*` (prefix match).
const LITERAL_SEGMENT = /^[A-Za-z0-9\-._~!$&'()+,;=:@%]+$/;
const PARAM_SEGMENT = /^\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** Returns why a route path is invalid, or undefined when it is valid. */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (path === '/' || path === '/*') return undefined;
  const segments = path.slice(1).split('/');
  const params = new Set<string>();
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === '*') {
      if (!last) return '"*" may only be the last segment';
      continue;
    }
    if (segment === '' && last) continue; // trailing slash
    if (PARAM_SEGMENT.test(segment)) {
      const name = segment.slice(1, -1);
      if (params.has(name)) return `parameter {${name}} appears twice`;
      params.add(name);
      continue;
    }
    if (!LITERAL_SEGMENT.test(segment))
      return `segment "${segment}" is not a literal, {param} or *`;
  }
  return undefined;
}

export const RouteMatchSchema = z.strictObject({
  method: z.enum(HTTP_METHODS).optional(),
  path: z
    .string()
    .min(1)
    .max(1024)
    .superRefine((path, ctx) => {
      const problem = pathProblem(path);
      if (problem) ctx.addIssue({ code: 'custom', message: `invalid path: ${problem}` });
    }),
});

export const BackoffSchema = z
  .strictObject({
    baseMs: z.number().int().min(0).max(POLICY_LIMITS.maxTimeoutMs).default(25),
    maxMs: z.number().int().min(0).max(POLICY_LIMITS.maxTimeoutMs).default(250),
  })
  .refine((b) => b.maxMs >= b.baseMs, {
    message: 'maxMs must be at least baseMs',
    path: ['maxMs'],
  });

export const RetrySchema = z.strictObject({
  maxRetries: z.number().int().min(0).max(POLICY_LIMITS.maxRetries),
  on: z
    .array(z.enum(RETRY_CONDITIONS))
    .min(1)
    .refine((on) => new Set(on).size === on.length, { message: 'conditions must be unique' }),
  perTryTimeoutMs: timeoutMs.optional(),
  backoff: BackoffSchema.default({ baseMs: 25, maxMs: 250 }),
});

export const RouteSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-" only')
    .refine((name) => name !== DEFAULT_ROUTE, {
      message: `"${DEFAULT_ROUTE}" is reserved for unmatched requests`,
    }),
  match: RouteMatchSchema,
  timeoutMs: timeoutMs.optional(),
  retry: RetrySchema.optional(),
  /** gRPC statuses counted as failures on this route; Linkerd's set when absent. */
  grpcFailures: z
    .array(z.enum(GRPC_FAILURE_CANDIDATES))
    .max(GRPC_FAILURE_CANDIDATES.length)
    .refine((codes) => new Set(codes).size === codes.length, { message: 'codes must be unique' })
    .optional(),
});

export const RetryBudgetSchema = z.strictObject({
  ratio: z.number().min(0).max(POLICY_LIMITS.maxBudgetRatio),
  minRetriesPerSecond: z.number().min(0).max(POLICY_LIMITS.maxMinRetriesPerSecond),
  ttlSeconds: z.number().min(1).max(POLICY_LIMITS.maxBudgetTtlSeconds),
});

const specShape = {
  routes: z.array(RouteSchema).max(POLICY_LIMITS.maxRoutes).default([]),
  retryBudget: RetryBudgetSchema.default({ ...POLICY_DEFAULTS.retryBudget }),
  defaultTimeoutMs: timeoutMs.default(POLICY_DEFAULTS.defaultTimeoutMs),
};

type SpecShape = z.infer<z.ZodObject<typeof specShape>>;

/** Checks that span fields: unique route names, per-try timeout within the total. */
function checkSpec(spec: SpecShape, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  spec.routes.forEach((route, i) => {
    const first = seen.get(route.name);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['routes', i, 'name'],
        message: `route name "${route.name}" is already used by routes[${first}]`,
      });
    } else {
      seen.set(route.name, i);
    }
    const total = route.timeoutMs ?? spec.defaultTimeoutMs;
    const perTry = route.retry?.perTryTimeoutMs;
    if (perTry !== undefined && perTry > total) {
      ctx.addIssue({
        code: 'custom',
        path: ['routes', i, 'retry', 'perTryTimeoutMs'],
        message: `per-try timeout ${perTry} ms exceeds the route's total timeout ${total} ms`,
      });
    }
  });
}

/** What an operator edits: the policy without its identity (service, version). */
export const PolicySpecSchema = z.strictObject(specShape).superRefine(checkSpec);

export const ServiceNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a DNS label: lowercase letters, digits and "-"');

export const PolicySchema = z
  .strictObject({
    service: ServiceNameSchema,
    version: z.number().int().min(0),
    ...specShape,
  })
  .superRefine(checkSpec);

export type RouteMatch = z.infer<typeof RouteMatchSchema>;
export type Retry = z.infer<typeof RetrySchema>;
export type Route = z.infer<typeof RouteSchema>;
export type RetryBudget = z.infer<typeof RetryBudgetSchema>;
export type PolicySpec = z.infer<typeof PolicySpecSchema>;
export type PolicySpecInput = z.input<typeof PolicySpecSchema>;
export type Policy = z.infer<typeof PolicySchema>;

/** The policy in force for a service nobody has written one for. */
export function defaultPolicy(service: string): Policy {
  return { service, version: 0, ...PolicySpecSchema.parse({}) };
}
