import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { HostPortSchema, RoleSchema, ServiceNameSchema, type Role } from '@trellis/contracts';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from '@trellis/db';

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

const RetentionSchema = z
  .string()
  .regex(/^[0-9]+(m|h|d)$/, 'a duration such as 90m, 6h or 7d')
  .transform((value) => {
    const amount = Number.parseInt(value, 10);
    const unit = { m: 60, h: 3600, d: 86_400 }[value.at(-1) as 'm' | 'h' | 'd'];
    return amount * unit;
  })
  .refine((seconds) => seconds >= 600 && seconds <= 366 * 86_400, 'between 10m and 366d');

const ConfigSchema = z.strictObject({
  listen: HostPortSchema.default('127.0.0.1:7700'),
  databaseUrl: z.string().min(1).default(DEFAULT_DATABASE_URL),
  // Rollup buckets are whole seconds, and the finest tier is one scrape interval wide.
  scrapeIntervalMs: DurationSchema.refine(
    (ms) => ms >= 1000 && ms % 1000 === 0,
    'whole seconds, at least 1s',
  ).default(5000),
  heartbeatIntervalMs: DurationSchema.default(2000),
  /** How long rollups at the scrape interval are kept. */
  fineRetentionSeconds: RetentionSchema.default(6 * 3600),
  /** How long minute and hour rollups are kept. */
  coarseRetentionSeconds: RetentionSchema.default(7 * 86_400),
  /** How long a stale instance stays in the registry before it is deleted. */
  staleRetentionSeconds: RetentionSchema.default(24 * 3600),
  policiesFile: z.string().min(1).optional(),
});

export type CollectorConfig = z.infer<typeof ConfigSchema>;

const FLAGS = {
  listen: 'listen',
  databaseUrl: 'database-url',
  scrapeIntervalMs: 'scrape-interval',
  heartbeatIntervalMs: 'heartbeat-interval',
  fineRetentionSeconds: 'retention-fine',
  coarseRetentionSeconds: 'retention-coarse',
  staleRetentionSeconds: 'stale-retention',
  policiesFile: 'policies',
} as const;

/** Token names appear in policy history as the author, so they stay short and printable. */
const TokenNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits, ".", "_", "@" and "-"');

const TOKEN_FLAGS = {
  databaseUrl: 'database-url',
  role: 'role',
  name: 'name',
  service: 'service',
} as const;

export type TokenAction =
  | { action: 'create'; role: Role; name: string; service: string | null }
  | { action: 'list' }
  | { action: 'revoke'; name: string };

/** What the command line asks for: run the collector, or manage API tokens and exit. */
export type CollectorCommand =
  | { kind: 'serve'; config: CollectorConfig }
  | { kind: 'token'; databaseUrl: string; token: TokenAction };

export class ConfigError extends Error {
  readonly code = 'invalid-config';
}

export const TOKEN_USAGE =
  'usage: trellis-collector token create --role viewer|operator --name NAME | token create --role proxy --service SERVICE --name NAME | token list | token revoke --name NAME  [--database-url URL]';

/** How to make the token a proxy needs; refusals of unbound proxy tokens quote it. */
export const BOUND_PROXY_TOKEN_COMMAND =
  'trellis-collector token create --role proxy --service SERVICE --name NAME';

export function parseCommand(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): CollectorCommand {
  if (argv[0] !== 'token') return { kind: 'serve', config: loadConfig(argv, env) };
  const [, action, ...rest] = argv;
  const values = parseFlags(rest, Object.values(TOKEN_FLAGS));
  const databaseUrl =
    values[TOKEN_FLAGS.databaseUrl] ||
    envValue(env, TOKEN_FLAGS.databaseUrl) ||
    DEFAULT_DATABASE_URL;
  const name = (): string => {
    const parsed = TokenNameSchema.safeParse(values[TOKEN_FLAGS.name]);
    if (!parsed.success) {
      throw new ConfigError(
        values[TOKEN_FLAGS.name] === undefined
          ? `--name is required; ${TOKEN_USAGE}`
          : `--name: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  };
  const boundService = (role: Role): string | null => {
    const service = values[TOKEN_FLAGS.service];
    if (role !== 'proxy') {
      if (service === undefined) return null;
      throw new ConfigError(`--service binds proxy tokens only; a ${role} token takes none`);
    }
    if (service === undefined) {
      throw new ConfigError(
        `--service is required with --role proxy: ${BOUND_PROXY_TOKEN_COMMAND}`,
      );
    }
    const parsed = ServiceNameSchema.safeParse(service);
    if (!parsed.success) {
      throw new ConfigError(`--service: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    return parsed.data;
  };
  switch (action) {
    case 'create': {
      const role = RoleSchema.safeParse(values[TOKEN_FLAGS.role]);
      if (!role.success) throw new ConfigError(`--role must be viewer, operator or proxy`);
      return {
        kind: 'token',
        databaseUrl,
        token: { action, role: role.data, name: name(), service: boundService(role.data) },
      };
    }
    case 'list':
      return { kind: 'token', databaseUrl, token: { action } };
    case 'revoke':
      return { kind: 'token', databaseUrl, token: { action, name: name() } };
    default:
      throw new ConfigError(TOKEN_USAGE);
  }
}

export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): CollectorConfig {
  const values = parseFlags(argv, Object.values(FLAGS));
  const raw = Object.fromEntries(
    Object.entries(FLAGS).map(([key, flag]) => [key, values[flag] ?? envValue(env, flag)]),
  );
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0]) as keyof typeof FLAGS;
    throw new ConfigError(`--${FLAGS[key] ?? key}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function parseFlags(argv: string[], flags: string[]): Record<string, string | undefined> {
  try {
    return parseArgs({
      args: argv,
      options: Object.fromEntries(flags.map((flag) => [flag, { type: 'string' as const }])),
      strict: true,
    }).values as Record<string, string | undefined>;
  } catch (cause) {
    throw new ConfigError(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

function envValue(env: NodeJS.ProcessEnv, flag: string): string | undefined {
  return env[`TRELLIS_${flag.toUpperCase().replaceAll('-', '_')}`];
}

/**
 * Where the collector keeps files beside its database (the first operator token): the SQLite
 * file's folder, or `./data` when the database is a PostgreSQL server.
 */
export function dataDirectory(databaseUrl: string): string {
  const target = parseDatabaseUrl(databaseUrl);
  return target.provider === 'sqlite' ? dirname(resolve(target.filePath)) : resolve('data');
}

export function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return {
    host: address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
    port: Number(address.slice(colon + 1)),
  };
}
