import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DemoError } from '../errors.js';
import { MAX_GENERATED_SERVICES } from '../mesh/mesh-generator.js';

/**
 * The launcher's one reader of argv and the environment. A flag wins over its variable, which
 * wins over the default; an error names the flag and the variable.
 */

const Port = z.coerce.number().int().min(1).max(65_535);

const OPTIONS = {
  services: {
    env: 'TRELLIS_DEMO_SERVICES',
    schema: z.coerce.number().int().min(2).max(MAX_GENERATED_SERVICES).optional(),
    help: `run a generated layered mesh of N services (2–${MAX_GENERATED_SERVICES}) instead of the mesh file`,
  },
  mesh: {
    env: 'TRELLIS_DEMO_MESH',
    schema: z.string().min(1).optional(),
    help: 'the mesh file (default apps/demo/demo-mesh.json)',
  },
  rps: {
    env: 'TRELLIS_DEMO_RPS',
    schema: z.coerce.number().positive().max(5000).optional(),
    help: "requests per second of generated traffic (default: the mesh's, 20)",
  },
  'data-dir': {
    env: 'TRELLIS_DATA_DIR',
    schema: z.string().min(1).default('data'),
    help: 'database, tokens and logs (default ./data)',
  },
  'collector-port': {
    env: 'TRELLIS_COLLECTOR_PORT',
    schema: Port.default(7700),
    help: 'the collector API (default 7700)',
  },
  'dashboard-port': {
    env: 'PORT',
    schema: Port.default(3000),
    help: 'the dashboard (default 3000)',
  },
  'base-port': {
    env: 'TRELLIS_DEMO_BASE_PORT',
    schema: Port.default(4100),
    help: 'first port of the instances: four per instance (default 4100)',
  },
  'scrape-interval': {
    env: 'TRELLIS_SCRAPE_INTERVAL',
    schema: z
      .string()
      .regex(/^[0-9]+(ms|s|m)$/, 'a duration such as 1s or 5s')
      .default('5s'),
    help: 'how often the collector scrapes the proxies (default 5s)',
  },
  'no-dashboard': {
    env: 'TRELLIS_DEMO_NO_DASHBOARD',
    schema: z
      .enum(['true', 'false', '1', '0', ''])
      .default('false')
      .transform((value) => value === 'true' || value === '1'),
    help: 'run the mesh and the collector only',
  },
} as const;

type OptionName = keyof typeof OPTIONS;

export interface LauncherOptions {
  /** Set: a generated mesh of this many services; unset: the mesh file. */
  services: number | undefined;
  meshFile: string;
  rps: number | undefined;
  dataDir: string;
  collectorPort: number;
  dashboardPort: number | undefined;
  basePort: number;
  scrapeInterval: string;
}

export const LAUNCHER_USAGE = [
  'usage: npm start -- [options]   (or: trellis-demo [options])',
  ...Object.entries(OPTIONS).map(
    ([name, option]) =>
      `  --${name}${name === 'no-dashboard' ? '' : ' VALUE'}`.padEnd(26) +
      `${option.help}  [${option.env}]`,
  ),
].join('\n');

/** `--help` was asked for: not an error, but nothing to launch. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

export function loadLauncherOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultMeshFile: string,
): LauncherOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean' },
        ...Object.fromEntries(
          Object.keys(OPTIONS).map((name) => [
            name,
            { type: name === 'no-dashboard' ? ('boolean' as const) : ('string' as const) },
          ]),
        ),
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    throw new DemoError(
      'invalid-option',
      `${cause instanceof Error ? cause.message : String(cause)}\n${LAUNCHER_USAGE}`,
      { cause },
    );
  }
  if (values.help === true) throw new HelpRequested(LAUNCHER_USAGE);

  const read = <Name extends OptionName>(name: Name): z.infer<(typeof OPTIONS)[Name]['schema']> => {
    const option = OPTIONS[name];
    const flag = values[name];
    const raw = flag === true ? 'true' : (flag ?? (env[option.env] || undefined));
    const parsed = option.schema.safeParse(raw);
    if (!parsed.success) {
      throw new DemoError(
        'invalid-option',
        `--${name} (${option.env}): ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    return parsed.data as z.infer<(typeof OPTIONS)[Name]['schema']>;
  };

  const services = read('services');
  const mesh = read('mesh');
  if (services !== undefined && mesh !== undefined) {
    throw new DemoError('invalid-option', '--services and --mesh exclude each other');
  }
  return {
    services,
    meshFile: resolve(mesh ?? defaultMeshFile),
    rps: read('rps'),
    dataDir: resolve(read('data-dir')),
    collectorPort: read('collector-port'),
    dashboardPort: read('no-dashboard') ? undefined : read('dashboard-port'),
    basePort: read('base-port'),
    scrapeInterval: read('scrape-interval'),
  };
}
