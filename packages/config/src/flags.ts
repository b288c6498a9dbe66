import type { z } from 'zod';

/** One flag of a binary; every flag is also an environment variable. */
export interface Flag {
  /** Parses the flag's text, from the command line, the variable or the default. */
  readonly schema: z.ZodType;
  readonly help: string;
  /** The text parsed when neither the flag nor its variable is given. */
  readonly default?: string;
  /** Its variable when that is not `TRELLIS_<FLAG>` (a dashboard's `PORT`). */
  readonly env?: string;
  /** How --help names its value (`HOST:PORT`); a flag without a value is a switch (`true`). */
  readonly value?: string;
}

export type FlagTable = Readonly<Record<string, Flag>>;

export type FlagValues<Table extends FlagTable> = {
  -readonly [Name in keyof Table]: z.output<Table[Name]['schema']>;
};

/** A command line or environment the binary cannot run with; the message names the flag. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid-config';
}

/** `--scrape-interval` → `TRELLIS_SCRAPE_INTERVAL`. */
export function variableOf(name: string, flag?: Flag): string {
  return flag?.env ?? `TRELLIS_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** A refusal of one flag's value, in the words every binary uses. */
export function flagError(table: FlagTable, name: string, problem: string): ConfigError {
  return new ConfigError(`invalid --${name} (${variableOf(name, table[name])}): ${problem}`);
}

export type CommandLine<Table extends FlagTable> =
  { kind: 'help' } | { kind: 'version' } | { kind: 'run'; values: FlagValues<Table> };

/**
 * Reads a binary's flags: a flag (`--name value` or `--name=value`) wins over its variable,
 * which wins over the default. `--help` and `--version` ask for those instead of a run.
 */
export function readCommandLine<Table extends FlagTable>(
  table: Table,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): CommandLine<Table> {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--version') return { kind: 'version' };
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}" (see --help)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const flag = Object.hasOwn(table, name) ? table[name] : undefined;
    if (flag === undefined) throw new ConfigError(`unknown flag --${name} (see --help)`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (flag.value === undefined) value = 'true';
    else value = argv[++i];
    if (value === undefined) throw new ConfigError(`--${name} needs a value`);
    given.set(name, value);
  }
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(table)) {
    const fromEnv = env[variableOf(name, flag)];
    const raw = given.get(name) ?? (fromEnv === '' ? undefined : fromEnv) ?? flag.default;
    const parsed = flag.schema.safeParse(raw);
    if (!parsed.success) {
      throw flagError(
        table,
        name,
        raw === undefined ? 'is required' : (parsed.error.issues[0]?.message ?? 'invalid'),
      );
    }
    values[name] = parsed.data;
  }
  return { kind: 'run', values: values as FlagValues<Table> };
}

/** What `--help` prints: how to run the binary, then every flag with its variable and default. */
export function helpText(usage: { synopsis: string; summary: string }, table: FlagTable): string {
  const rows = Object.entries(table).map(([name, flag]) => {
    const left = `  --${name}${flag.value === undefined ? '' : ` ${flag.value}`}`;
    const default_ = flag.default === undefined ? '' : `, default ${flag.default}`;
    return `${left.padEnd(32)} ${flag.help}  [${variableOf(name, flag)}${default_}]`;
  });
  return [
    usage.synopsis,
    '',
    usage.summary,
    '',
    'Flags (each also an environment variable; a flag wins over its variable):',
    ...rows,
    `${'  --help'.padEnd(32)} this text`,
    `${'  --version'.padEnd(32)} the version`,
  ].join('\n');
}
