import { HostPortSchema, ServiceNameSchema } from '@trellis/contracts';
import { z } from 'zod';

/** Every flag, with its default; each is also read from `TRELLIS_<FLAG>` (docs/architecture.md §7). */
const FLAGS = {
  service: undefined,
  inbound: '127.0.0.1:4143',
  app: undefined,
  outbound: '127.0.0.1:4140',
  admin: '127.0.0.1:4191',
  'control-plane': undefined,
  token: undefined,
  config: undefined,
  'headers-timeout': '30000',
  'stream-idle-timeout': '300000',
  egress: 'allow',
} as const;
type Flag = keyof typeof FLAGS;

function envName(flag: Flag): string {
  return `TRELLIS_${flag.toUpperCase().replaceAll('-', '_')}`;
}

const Milliseconds = z.coerce
  .number({ error: 'expected milliseconds' })
  .int('expected whole milliseconds')
  .min(100, 'at least 100 ms');

const CliOptionsSchema = z
  .strictObject({
    service: ServiceNameSchema,
    inbound: HostPortSchema,
    app: HostPortSchema.optional(),
    outbound: HostPortSchema,
    admin: HostPortSchema,
    'control-plane': z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    token: z.string().min(1).optional(),
    config: z.string().min(1).optional(),
    'headers-timeout': Milliseconds.max(600_000, 'at most 600000 ms (10 minutes)'),
    'stream-idle-timeout': Milliseconds.max(86_400_000, 'at most 86400000 ms (a day)'),
    egress: z.enum(['allow', 'deny'], { error: 'expected "allow" or "deny"' }),
  })
  .superRefine((options, ctx) => {
    if (options['control-plane'] !== undefined && options.config !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['config'],
        message: 'use either --control-plane or --config, not both',
      });
    }
    if (options['control-plane'] !== undefined && options.token === undefined) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'required with --control-plane' });
    }
  });

/** What `trellis-proxy` was asked to do, validated. */
export interface CliOptions {
  service: string;
  inbound: string;
  outbound: string;
  admin: string;
  app: string | undefined;
  controlPlane: string | undefined;
  token: string | undefined;
  configFile: string | undefined;
  /** How long a client may take to send a request head (slowloris), in ms. */
  headersTimeoutMs: number;
  /** How long an upstream exchange may go without a byte either way, in ms. */
  streamIdleTimeoutMs: number;
  /** Whether requests to hosts outside the mesh are forwarded. */
  egress: 'allow' | 'deny';
}

/** A bad command line or environment; the message names the flag and its variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function isFlag(name: string): name is Flag {
  return Object.hasOwn(FLAGS, name);
}

/** Flags win over environment variables, which win over defaults. */
export function loadCliOptions(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): CliOptions {
  const raw: Partial<Record<Flag, string>> = {};
  for (const flag of Object.keys(FLAGS) as Flag[]) {
    const fromEnv = env[envName(flag)];
    const fallback = FLAGS[flag];
    if (fromEnv !== undefined && fromEnv !== '') raw[flag] = fromEnv;
    else if (fallback !== undefined) raw[flag] = fallback;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!isFlag(name)) throw new ConfigError(`unknown flag --${name}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`--${name} needs a value`);
    raw[name] = value;
  }
  const parsed = CliOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = String(issue.path[0] ?? '');
    const where = isFlag(flag) ? `--${flag} (${envName(flag)})` : 'options';
    const message =
      raw[flag as Flag] === undefined && isFlag(flag) && issue.code === 'invalid_type'
        ? 'is required'
        : issue.message;
    throw new ConfigError(`invalid ${where}: ${message}`);
  }
  const options = parsed.data;
  return {
    service: options.service,
    inbound: options.inbound,
    outbound: options.outbound,
    admin: options.admin,
    app: options.app,
    controlPlane: options['control-plane'],
    token: options.token,
    configFile: options.config,
    headersTimeoutMs: options['headers-timeout'],
    streamIdleTimeoutMs: options['stream-idle-timeout'],
    egress: options.egress,
  };
}
