import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  DEFAULT_TRUST_DOMAIN,
  HostPortSchema,
  RoleSchema,
  ServiceNameSchema,
  TrustDomainSchema,
  type Role,
} from '@trellis/contracts';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from '@trellis/db';
import { DEFAULT_HEALTH_THRESHOLDS } from './query/health.js';

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

const RatioSchema = z.coerce
  .number('a number between 0 and 1, such as 0.95')
  .min(0, 'a number between 0 and 1, such as 0.95')
  .max(1, 'a number between 0 and 1, such as 0.95');

/** How long a proxy certificate lives: down to 30 s so tests can watch it rotate. */
const LifetimeSchema = z
  .string()
  .regex(/^[0-9]+(s|m|h|d)$/, 'a duration such as 30s, 90m, 24h or 7d')
  .transform((value) => {
    const amount = Number.parseInt(value, 10);
    const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[value.at(-1) as 's' | 'm' | 'h' | 'd'];
    return amount * unit * 1000;
  })
  .refine((ms) => ms >= 30_000 && ms <= 90 * 86_400_000, 'between 30s and 90d');

const IDENTITY_FILE_FIELDS = [
  'identityTrustAnchorsFile',
  'identityIssuerCertificateFile',
  'identityIssuerKeyFile',
] as const;

const ConfigSchema = z
  .strictObject({
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
    /** Success rates (callers' view) below which a service, edge or route is warning / failing. */
    healthWarning: RatioSchema.default(DEFAULT_HEALTH_THRESHOLDS.warning),
    healthFailing: RatioSchema.default(DEFAULT_HEALTH_THRESHOLDS.failing),
    /** The SPIFFE trust domain of every certificate the collector issues. */
    trustDomain: TrustDomainSchema.default(DEFAULT_TRUST_DOMAIN),
    identityLifetimeMs: LifetimeSchema.default(24 * 3_600_000),
    /** An operator's own trust anchor and issuer (all three or none); else the stored ones. */
    identityTrustAnchorsFile: z.string().min(1).optional(),
    identityIssuerCertificateFile: z.string().min(1).optional(),
    identityIssuerKeyFile: z.string().min(1).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.healthFailing > config.healthWarning) {
      ctx.addIssue({
        code: 'custom',
        path: ['healthFailing'],
        message: 'at most --health-warning',
      });
    }
    const given = IDENTITY_FILE_FIELDS.filter((field) => config[field] !== undefined);
    if (given.length === 0 || given.length === IDENTITY_FILE_FIELDS.length) return;
    for (const field of IDENTITY_FILE_FIELDS) {
      if (config[field] !== undefined) continue;
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `required with --${FLAGS[given[0]!]}: the trust anchor, issuer certificate and issuer key come together`,
      });
    }
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
  healthWarning: 'health-warning',
  healthFailing: 'health-failing',
  trustDomain: 'trust-domain',
  identityLifetimeMs: 'identity-issuance-lifetime',
  identityTrustAnchorsFile: 'identity-trust-anchors-file',
  identityIssuerCertificateFile: 'identity-issuer-certificate-file',
  identityIssuerKeyFile: 'identity-issuer-key-file',
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
