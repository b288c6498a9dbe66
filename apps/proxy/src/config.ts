import { HostPortSchema, ServiceNameSchema } from '@trellis/contracts';
import {
  durationSchema,
  flagError,
  helpText,
  readCommandLine,
  type FlagTable,
} from '@trellis/config';
import { z } from 'zod';

/** Every flag of `trellis-proxy`; each is also `TRELLIS_<FLAG>` (docs/architecture.md §7). */
const FLAGS = {
  service: {
    schema: ServiceNameSchema,
    help: 'the service this proxy stands beside (required)',
    value: 'NAME',
  },
  inbound: {
    schema: HostPortSchema,
    default: '127.0.0.1:4143',
    help: 'where callers reach the service',
    value: 'HOST:PORT',
  },
  app: {
    schema: HostPortSchema.optional(),
    help: 'the local app that inbound requests go to',
    value: 'HOST:PORT',
  },
  outbound: {
    schema: HostPortSchema,
    default: '127.0.0.1:4140',
    help: "where the app sends its calls to other services (the app's HTTP_PROXY)",
    value: 'HOST:PORT',
  },
  admin: {
    schema: HostPortSchema,
    default: '127.0.0.1:4191',
    help: '/metrics, /live, /ready and /config',
    value: 'HOST:PORT',
  },
  'control-plane': {
    schema: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    help: 'the collector to register with and take config from',
    value: 'URL',
  },
  token: {
    schema: z.string().min(1).optional(),
    help: 'a proxy token of the collector (with --control-plane)',
    value: 'TOKEN',
  },
  config: {
    schema: z.string().min(1).optional(),
    help: 'a static config file instead of a control plane; SIGHUP reloads it',
    value: 'FILE',
  },
  'headers-timeout': {
    schema: durationSchema({ min: '100ms', max: '10m', plainMilliseconds: true }),
    default: '30s',
    help: 'how long a client may take to send a request head (a plain number is ms)',
    value: 'DURATION',
  },
  'stream-idle-timeout': {
    schema: durationSchema({ min: '100ms', max: '1d', plainMilliseconds: true }),
    default: '5m',
    help: 'how long an upstream exchange may go without a byte either way',
    value: 'DURATION',
  },
  egress: {
    schema: z.enum(['allow', 'deny'], { error: 'expected "allow" or "deny"' }),
    default: 'allow',
    help: 'whether requests to hosts outside the mesh are forwarded',
    value: 'allow|deny',
  },
} as const satisfies FlagTable;

export const PROXY_HELP = helpText(
  {
    synopsis: 'usage: trellis-proxy --service NAME [flags]',
    summary:
      'The Trellis sidecar: an inbound and an outbound HTTP proxy beside one service instance,\n' +
      'with golden metrics, timeouts and retries under a budget (docs/architecture.md §2).',
  },
  FLAGS,
);

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

/** What the command line asks for: run with these options, or print help or the version. */
export type ProxyCommand =
  { kind: 'help' } | { kind: 'version' } | { kind: 'run'; options: CliOptions };

/** Flags win over environment variables, which win over defaults. */
export function parseCommandLine(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): ProxyCommand {
  const line = readCommandLine(FLAGS, argv, env);
  if (line.kind !== 'run') return line;
  const flags = line.values;
  if (flags['control-plane'] !== undefined && flags.config !== undefined) {
    throw flagError(FLAGS, 'config', 'use either --control-plane or --config, not both');
  }
  if (flags['control-plane'] !== undefined && flags.token === undefined) {
    throw flagError(FLAGS, 'token', 'required with --control-plane');
  }
  return {
    kind: 'run',
    options: {
      service: flags.service,
      inbound: flags.inbound,
      outbound: flags.outbound,
      admin: flags.admin,
      app: flags.app,
      controlPlane: flags['control-plane'],
      token: flags.token,
      configFile: flags.config,
      headersTimeoutMs: flags['headers-timeout'],
      streamIdleTimeoutMs: flags['stream-idle-timeout'],
      egress: flags.egress,
    },
  };
}
