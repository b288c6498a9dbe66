import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/;

/** Milliseconds from `500ms`, `1.5s`, `5m`, `6h` or `7d`; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

export interface DurationBounds {
  /** The shortest accepted duration, itself a duration (`100ms`, `1s`, `10m`). */
  readonly min: string;
  readonly max: string;
  /** Only whole seconds (e.g. a scrape interval, since rollup buckets are whole seconds). */
  readonly wholeSeconds?: boolean;
  /** A plain number is milliseconds (flags that took milliseconds before durations). */
  readonly plainMilliseconds?: boolean;
}

/**
 * The one duration syntax of every flag: a number and a unit (ms, s, m, h, d), parsed to
 * milliseconds. Each refusal names examples the flag accepts: its bounds.
 */
export function durationSchema(bounds: DurationBounds): z.ZodType<number, string> {
  const minMs = parseDuration(bounds.min);
  const maxMs = parseDuration(bounds.max);
  if (minMs === undefined || maxMs === undefined || minMs > maxMs) {
    throw new RangeError(`bad duration bounds ${bounds.min} … ${bounds.max}`);
  }
  const range = `between ${bounds.min} and ${bounds.max}`;
  const kind = bounds.wholeSeconds ? 'whole seconds' : 'a duration';
  return z.string().transform((text, ctx) => {
    const ms =
      bounds.plainMilliseconds && /^[0-9]+$/.test(text) ? Number(text) : parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${kind} such as ${bounds.min} or ${bounds.max} (units ms, s, m, h, d)`,
      });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `${range}, such as ${bounds.min}` });
      return z.NEVER;
    }
    if (bounds.wholeSeconds && ms % 1000 !== 0) {
      ctx.addIssue({ code: 'custom', message: `whole seconds ${range}, such as ${bounds.min}` });
      return z.NEVER;
    }
    return ms;
  });
}
