import { API_ERRORS } from '@trellis/contracts';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';

/**
 * The time a query covers: `window` back from now (1m … 7d, default 1m), or explicit
 * `from`/`to` (ISO 8601 or milliseconds since the epoch).
 */
export const WindowQuerySchema = z.object({
  window: z
    .string()
    .regex(/^[1-9][0-9]*[smhd]$/, 'a duration such as 1m, 15m, 6h or 7d')
    .optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});
export type WindowQuery = z.infer<typeof WindowQuerySchema>;

export interface TimeWindow {
  fromMs: number;
  toMs: number;
  seconds: number;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const MIN_WINDOW_SECONDS = 60;
const MAX_WINDOW_SECONDS = 7 * 86_400;

export function parseDuration(text: string): number {
  const unit = text.at(-1) as keyof typeof UNIT_SECONDS;
  return Number.parseInt(text, 10) * UNIT_SECONDS[unit];
}

function parseInstant(field: 'from' | 'to', text: string): number {
  const ms = /^[0-9]+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new ApiError(
      API_ERRORS.invalidRequest,
      `querystring.${field}: not a time (ISO 8601 or epoch ms)`,
    );
  }
  return ms;
}

export function resolveWindow(query: WindowQuery, nowMs: number): TimeWindow {
  if (query.from !== undefined || query.to !== undefined) {
    if (query.window !== undefined) {
      throw new ApiError(
        API_ERRORS.invalidRequest,
        'querystring: give window, or from/to, not both',
      );
    }
    const toMs = query.to === undefined ? nowMs : parseInstant('to', query.to);
    const fromMs =
      query.from === undefined
        ? toMs - MIN_WINDOW_SECONDS * 1000
        : parseInstant('from', query.from);
    const seconds = (toMs - fromMs) / 1000;
    if (seconds <= 0)
      throw new ApiError(API_ERRORS.invalidRequest, 'querystring.from: must be before to');
    if (seconds > MAX_WINDOW_SECONDS) {
      throw new ApiError(
        API_ERRORS.invalidRequest,
        'querystring.from: the window may span 7d at most',
      );
    }
    return { fromMs, toMs, seconds };
  }
  const seconds = parseDuration(query.window ?? '1m');
  if (seconds < MIN_WINDOW_SECONDS || seconds > MAX_WINDOW_SECONDS) {
    throw new ApiError(API_ERRORS.invalidRequest, 'querystring.window: between 1m and 7d');
  }
  return { fromMs: nowMs - seconds * 1000, toMs: nowMs, seconds };
}

/** At most this many points in a chart. */
export const MAX_POINTS = 300;

/**
 * The chart step for a window: the smallest of the given resolutions (the tiers kept) whose
 * multiples give at most MAX_POINTS points, rounded up to a multiple of that resolution.
 */
export function chooseStep(
  windowSeconds: number,
  resolutions: readonly number[],
  requested?: number,
): number {
  const finest = Math.min(...resolutions);
  const wanted = Math.max(requested ?? 0, windowSeconds / MAX_POINTS, finest);
  const base = [...resolutions].sort((a, b) => b - a).find((r) => r <= wanted) ?? finest;
  return Math.ceil(wanted / base) * base;
}
