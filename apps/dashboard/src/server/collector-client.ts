import 'server-only';
import type { z } from 'zod';
import { ApiErrorBodySchema } from '@trellis/contracts';
import { loadConfig } from '../config';

/** The outcome of one collector call: validated data, or why there is none. */
export type CollectorResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; code: string; message: string; details?: unknown };

/** `status` 0: the collector could not be reached at all (the dashboard then shows stale data). */
export const UNREACHABLE = 'collector-unreachable';

interface CallOptions {
  token?: string;
  method?: 'GET' | 'POST' | 'PUT';
  body?: unknown;
  timeoutMs?: number;
}

/**
 * The one place the dashboard talks to the collector. Every answer is checked against the
 * shared contract schema, so a page never renders a shape it does not understand.
 */
export async function callCollector<S extends z.ZodType>(
  path: string,
  schema: S,
  { token, method = 'GET', body, timeoutMs = 5000 }: CallOptions = {},
): Promise<CollectorResult<z.infer<S>>> {
  const { collectorUrl } = loadConfig();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(new URL(path, collectorUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return {
      ok: false,
      status: 0,
      code: UNREACHABLE,
      message: `collector at ${collectorUrl} unreachable: ${(error as Error).message}`,
    };
  }
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = ApiErrorBodySchema.safeParse(payload);
    return parsed.success
      ? { ok: false, status: response.status, ...parsed.data.error }
      : {
          ok: false,
          status: response.status,
          code: 'http-error',
          message: `collector answered ${response.status}`,
        };
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    return {
      ok: false,
      status: 502,
      code: 'invalid-response',
      message: `unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    };
  }
  return { ok: true, data: parsed.data };
}
