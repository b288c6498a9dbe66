import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  ConfigError,
  durationSchema,
  flagError,
  helpText,
  readCommandLine,
  variableOf,
  type FlagTable,
  type FlagValues,
} from '@trellis/config';
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
import { DEFAULT_SCRAPE_ALLOW, cidrProblem } from './scrape/scrape-allow.js';
import { DEFAULT_SCRAPE_LIMITS } from './scrape/scrape-loop.js';

/**
 * The collector's one reader of argv and the environment. Every flag is also an environment
 * variable `TRELLIS_<FLAG>`; a flag wins over the variable (docs/architecture.md §7).
 */

const RatioSchema = z.coerce
  .number('a number between 0 and 1, such as 0.95')
  .min(0, 'a number between 0 and 1, such as 0.95')
  .max(1, 'a number between 0 and 1, such as 0.95');

const SIZE_UNITS = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;

const ByteSizeSchema = z
  .string()
  .regex(/^[0-9]+(B|KiB|MiB|GiB)$/, 'a size such as 512KiB or 8MiB')
  .transform((value) => {
    const unit = /[A-Za-z]+$/.exec(value)?.[0] as keyof typeof SIZE_UNITS;
    return Number.parseInt(value, 10) * SIZE_UNITS[unit];
  })
  .refine((bytes) => bytes >= 1024 && bytes <= 1024 ** 3, 'between 1KiB and 1GiB');

const CountSchema = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `between ${min} and ${max}`);

const CidrListSchema = z
  .string()
  .transform((value) => value.split(',').map((cidr) => cidr.trim()))
  .superRefine((cidrs, ctx) => {
    for (const cidr of cidrs) {
      const problem = cidrProblem(cidr);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }
  });

const RetentionSchema = durationSchema({ min: '10m', max: '366d' }).transform((ms) => ms / 1000);

const FLAGS = {
  listen: {
    schema: HostPortSchema,
    default: '127.0.0.1:7700',
    help: 'where the /v1 API listens',
    value: 'HOST:PORT',
  },
  'database-url': {
    schema: z.string().min(1),
    default: DEFAULT_DATABASE_URL,
    help: 'file:PATH (SQLite) or postgresql://USER@HOST:PORT/DB',
    value: 'URL',
  },
  'scrape-interval': {
    // Rollup buckets are whole seconds, and the finest tier is one scrape interval wide.
    schema: durationSchema({ min: '1s', max: '1h', wholeSeconds: true }),
    default: '5s',
    help: 'how often every live proxy is scraped; the finest rollup bucket',
    value: 'DURATION',
  },
  'heartbeat-interval': {
    schema: durationSchema({ min: '100ms', max: '1h' }),
    default: '2s',
    help: 'how often proxies heartbeat; three missed make one stale',
    value: 'DURATION',
  },
  'retention-fine': {
    schema: RetentionSchema,
    default: '6h',
    help: 'how long rollups at the scrape interval are kept',
    value: 'DURATION',
  },
  'retention-coarse': {
    schema: RetentionSchema,
    default: '7d',
    help: 'how long minute, ten-minute and hour rollups are kept',
    value: 'DURATION',
  },
  'stale-retention': {
    schema: RetentionSchema,
    default: '24h',
    help: 'how long a stale proxy instance stays in the registry',
    value: 'DURATION',
  },
  policies: {
    schema: z.string().min(1).optional(),
    help: 'a policies file applied at start',
    value: 'FILE',
  },
  'health-warning': {
    schema: RatioSchema,
    default: String(DEFAULT_HEALTH_THRESHOLDS.warning),
    help: "success rate (callers' view) below which a service, edge or route is warning",
    value: 'RATIO',
  },
  'health-failing': {
    schema: RatioSchema,
    default: String(DEFAULT_HEALTH_THRESHOLDS.failing),
    help: 'success rate below which it is failing (at most --health-warning)',
    value: 'RATIO',
  },
  'trust-domain': {
    schema: TrustDomainSchema,
    default: DEFAULT_TRUST_DOMAIN,
    help: 'the SPIFFE trust domain of every certificate the collector issues',
    value: 'DOMAIN',
  },
  'identity-issuance-lifetime': {
    // Down to 30 s so tests can watch a certificate rotate.
    schema: durationSchema({ min: '30s', max: '90d' }),
    default: '24h',
    help: 'how long a proxy certificate lives',
    value: 'DURATION',
  },
  'identity-trust-anchors-file': {
    schema: z.string().min(1).optional(),
    help: "an operator's own trust anchor (with the issuer certificate and key)",
    value: 'FILE',
  },
  'identity-issuer-certificate-file': {
    schema: z.string().min(1).optional(),
    help: "an operator's own issuer certificate",
    value: 'FILE',
  },
  'identity-issuer-key-file': {
    schema: z.string().min(1).optional(),
    help: "an operator's own issuer key (PKCS #8)",
    value: 'FILE',
  },
  'scrape-body-limit': {
    schema: ByteSizeSchema,
    default: `${DEFAULT_SCRAPE_LIMITS.maxBodyBytes / 1024 ** 2}MiB`,
    help: 'the most bytes read from one target in one scrape',
    value: 'SIZE',
  },
  'scrape-series-limit': {
    schema: CountSchema(100, 10_000_000),
    default: String(DEFAULT_SCRAPE_LIMITS.maxSeries),
    help: 'the most series read from one target in one scrape',
    value: 'COUNT',
  },
  'scrape-allow': {
    schema: CidrListSchema,
    default: DEFAULT_SCRAPE_ALLOW.join(','),
    help: 'the networks whose addresses may be scraped',
    value: 'CIDR,…',
  },
  'max-streams-per-token': {
    schema: CountSchema(1, 100_000),
    default: '1000',
    help: 'event streams and config watches one token may hold open at once',
    value: 'COUNT',
  },
} as const satisfies FlagTable;

const IDENTITY_FILE_FLAGS = [
  'identity-trust-anchors-file',
  'identity-issuer-certificate-file',
  'identity-issuer-key-file',
] as const;

export interface CollectorConfig {
  listen: string;
  databaseUrl: string;
  scrapeIntervalMs: number;
  heartbeatIntervalMs: number;
  /** How long rollups at the scrape interval are kept. */
  fineRetentionSeconds: number;
  /** How long minute and hour rollups are kept. */
  coarseRetentionSeconds: number;
  /** How long a stale instance stays in the registry before it is deleted. */
  staleRetentionSeconds: number;
  policiesFile: string | undefined;
  /** Success rates (callers' view) below which a service, edge or route is warning / failing. */
  healthWarning: number;
  healthFailing: number;
  /** The SPIFFE trust domain of every certificate the collector issues. */
  trustDomain: string;
  identityLifetimeMs: number;
  /** An operator's own trust anchor and issuer (all three or none); else the stored ones. */
  identityTrustAnchorsFile: string | undefined;
  identityIssuerCertificateFile: string | undefined;
  identityIssuerKeyFile: string | undefined;
  /** Per target and scrape: the most response bytes and series read. */
  scrapeBodyLimitBytes: number;
  scrapeSeriesLimit: number;
  /** The networks whose addresses may be scraped. */
  scrapeAllow: string[];
  /** Event streams and config watches one token may hold open at once. */
  maxStreamsPerToken: number;
}

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

/** What the command line asks for: run the collector, manage API tokens, or print help or the version. */
export type CollectorCommand =
  | { kind: 'serve'; config: CollectorConfig }
  | { kind: 'token'; databaseUrl: string; token: TokenAction }
  | { kind: 'help' }
  | { kind: 'version' };

export const TOKEN_USAGE =
  'usage: trellis-collector token create --role viewer|operator --name NAME | token create --role proxy --service SERVICE --name NAME | token list | token revoke --name NAME  [--database-url URL]';

/** How to make the token a proxy needs; refusals of unbound proxy tokens quote it. */
export const BOUND_PROXY_TOKEN_COMMAND =
  'trellis-collector token create --role proxy --service SERVICE --name NAME';

export function parseCommand(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): CollectorCommand {
  if (argv[0] !== 'token') {
    const line = readCommandLine(FLAGS, argv, env);
    return line.kind === 'run' ? { kind: 'serve', config: configOf(line.values) } : line;
  }
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

export const COLLECTOR_VERSION = '0.1.0';

export const COLLECTOR_HELP = helpText(
  {
    synopsis: `usage: trellis-collector [flags]\n       ${TOKEN_USAGE.replace('usage: ', '')}`,
    summary:
      'The Trellis control plane and metrics aggregator: registry, discovery, versioned\n' +
      'policies, scraping and rollups, and the /v1 API (docs/architecture.md §6).',
  },
  FLAGS,
);

function configOf(values: FlagValues<typeof FLAGS>): CollectorConfig {
  if (values['health-failing'] > values['health-warning']) {
    throw flagError(FLAGS, 'health-failing', 'at most --health-warning');
  }
  const given = IDENTITY_FILE_FLAGS.filter((flag) => values[flag] !== undefined);
  const missing = IDENTITY_FILE_FLAGS.find((flag) => values[flag] === undefined);
  if (given.length > 0 && missing !== undefined) {
    throw flagError(
      FLAGS,
      missing,
      `required with --${given[0]}: the trust anchor, issuer certificate and issuer key come together`,
    );
  }
  return {
    listen: values.listen,
    databaseUrl: values['database-url'],
    scrapeIntervalMs: values['scrape-interval'],
    heartbeatIntervalMs: values['heartbeat-interval'],
    fineRetentionSeconds: values['retention-fine'],
    coarseRetentionSeconds: values['retention-coarse'],
    staleRetentionSeconds: values['stale-retention'],
    policiesFile: values.policies,
    healthWarning: values['health-warning'],
    healthFailing: values['health-failing'],
    trustDomain: values['trust-domain'],
    identityLifetimeMs: values['identity-issuance-lifetime'],
    identityTrustAnchorsFile: values['identity-trust-anchors-file'],
    identityIssuerCertificateFile: values['identity-issuer-certificate-file'],
    identityIssuerKeyFile: values['identity-issuer-key-file'],
    scrapeBodyLimitBytes: values['scrape-body-limit'],
    scrapeSeriesLimit: values['scrape-series-limit'],
    scrapeAllow: values['scrape-allow'],
    maxStreamsPerToken: values['max-streams-per-token'],
  };
}

/** The serve command's config; what tests start collectors with. */
export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): CollectorConfig {
  const line = readCommandLine(FLAGS, argv, env);
  if (line.kind !== 'run') throw new ConfigError(`--${line.kind} starts no collector`);
  return configOf(line.values);
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
  return env[variableOf(flag)];
}

/**
 * Where the collector keeps files beside its database (the first operator token): the SQLite
 * file's folder, or `./data` when the database is a PostgreSQL server.
 */
export function dataDirectory(databaseUrl: string): string {
  const target = parseDatabaseUrl(databaseUrl);
  return target.provider === 'sqlite' ? dirname(resolve(target.filePath)) : resolve('data');
}
