import { parseArgs } from 'node:util';
import { z } from 'zod';
import { HostPortSchema } from '@trellis/contracts';
import { DEFAULT_DATABASE_URL } from '@trellis/db';

/**
 * The collector's one reader of argv and the environment. Every flag is also an environment
 * variable `TRELLIS_<FLAG>`; a flag wins over the variable.
 */

const DurationSchema = z
  .string()
  .regex(/^[0-9]+(ms|s|m)$/, 'a duration such as 500ms, 5s or 1m')
  .transform((value) => {
    const amount = Number.parseInt(value, 10);
    if (value.endsWith('ms')) return amount;
    return value.endsWith('m') ? amount * 60_000 : amount * 1000;
  })
  .refine((ms) => ms >= 100 && ms <= 3_600_000, 'between 100ms and 1h');

const ConfigSchema = z.strictObject({
  listen: HostPortSchema.default('127.0.0.1:7700'),
  databaseUrl: z.string().min(1).default(DEFAULT_DATABASE_URL),
  scrapeIntervalMs: DurationSchema.default(5000),
});

export type CollectorConfig = z.infer<typeof ConfigSchema>;

const FLAGS = {
  listen: 'listen',
  databaseUrl: 'database-url',
  scrapeIntervalMs: 'scrape-interval',
} as const;

export class ConfigError extends Error {
  readonly code = 'invalid-config';
}

export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): CollectorConfig {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.values(FLAGS).map((flag) => [flag, { type: 'string' as const }]),
      ),
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (cause) {
    throw new ConfigError(cause instanceof Error ? cause.message : String(cause), { cause });
  }
  const raw = Object.fromEntries(
    Object.entries(FLAGS).map(([key, flag]) => [
      key,
      values[flag] ?? env[`TRELLIS_${flag.toUpperCase().replaceAll('-', '_')}`],
    ]),
  );
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0]) as keyof typeof FLAGS;
    throw new ConfigError(`--${FLAGS[key] ?? key}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return {
    host: address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
    port: Number(address.slice(colon + 1)),
  };
}
