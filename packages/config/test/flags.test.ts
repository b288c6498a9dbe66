import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  durationSchema,
  helpText,
  readCommandLine,
  type FlagTable,
} from '../src/index.js';

const table = {
  listen: {
    schema: z.string(),
    help: 'where to listen',
    default: '127.0.0.1:7700',
    value: 'HOST:PORT',
  },
  interval: {
    schema: durationSchema({ min: '1s', max: '1h', wholeSeconds: true }),
    help: 'how often',
    default: '5s',
    value: 'DURATION',
  },
  name: { schema: z.string().min(1), help: 'a name', value: 'NAME' },
  port: {
    schema: z.coerce.number().int(),
    help: 'a port',
    env: 'PORT',
    default: '3000',
    value: 'N',
  },
  quiet: { schema: z.enum(['true', 'false']).default('false'), help: 'say less' },
} as const satisfies FlagTable;

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const line = readCommandLine(table, argv, env);
  if (line.kind !== 'run') throw new Error(`asked for ${line.kind}`);
  return line.values;
};

const refusal = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    run(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('command line', () => {
  it('lets a flag win over its variable and the variable over the default', () => {
    expect(run(['--name', 'a'])).toEqual({
      listen: '127.0.0.1:7700',
      interval: 5000,
      name: 'a',
      port: 3000,
      quiet: 'false',
    });
    expect(run(['--name=a', '--quiet'], { TRELLIS_INTERVAL: '2s', PORT: '8080' })).toMatchObject({
      interval: 2000,
      port: 8080,
      quiet: 'true',
    });
    expect(run(['--interval', '1m'], { TRELLIS_INTERVAL: '2s', TRELLIS_NAME: 'b' })).toMatchObject({
      interval: 60_000,
      name: 'b',
    });
    // An empty variable counts as unset.
    expect(run([], { TRELLIS_NAME: 'b', TRELLIS_LISTEN: '' }).listen).toBe('127.0.0.1:7700');
  });

  it('asks for help or the version instead of a run', () => {
    expect(readCommandLine(table, ['--help'], {})).toEqual({ kind: 'help' });
    expect(readCommandLine(table, ['--name', 'a', '-h'], {})).toEqual({ kind: 'help' });
    expect(readCommandLine(table, ['--version'], {})).toEqual({ kind: 'version' });
  });

  it('names the flag and its variable in every refusal', () => {
    expect(refusal([])).toBe('invalid --name (TRELLIS_NAME): is required');
    expect(refusal(['--name', 'a', '--port', 'x'])).toBe(
      'invalid --port (PORT): Invalid input: expected number, received NaN',
    );
    expect(refusal(['--colour', 'red'])).toBe('unknown flag --colour (see --help)');
    expect(refusal(['--name'])).toBe('--name needs a value');
    expect(refusal(['serve'])).toBe('unexpected argument "serve" (see --help)');
  });

  it('lists every flag with its value, variable and default', () => {
    const text = helpText({ synopsis: 'usage: thing [flags]', summary: 'Does a thing.' }, table);
    expect(text.split('\n')).toEqual([
      'usage: thing [flags]',
      '',
      'Does a thing.',
      '',
      'Flags (each also an environment variable; a flag wins over its variable):',
      '  --listen HOST:PORT             where to listen  [TRELLIS_LISTEN, default 127.0.0.1:7700]',
      '  --interval DURATION            how often  [TRELLIS_INTERVAL, default 5s]',
      '  --name NAME                    a name  [TRELLIS_NAME]',
      '  --port N                       a port  [PORT, default 3000]',
      '  --quiet                        say less  [TRELLIS_QUIET]',
      '  --help                         this text',
      '  --version                      the version',
    ]);
  });
});

describe('durations', () => {
  const interval = durationSchema({ min: '1s', max: '1h', wholeSeconds: true });
  const timeout = durationSchema({ min: '100ms', max: '10m', plainMilliseconds: true });

  it.each([
    ['500ms', 500],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['10m', 600_000],
    ['30000', 30_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(timeout.parse(text)).toBe(ms);
  });

  it('gives examples it accepts when it refuses a value', () => {
    const message = (schema: typeof interval, text: string) =>
      schema.safeParse(text).error?.issues[0]?.message;
    expect(message(interval, '0.5s')).toBe('between 1s and 1h, such as 1s');
    expect(message(interval, '1500ms')).toBe('whole seconds between 1s and 1h, such as 1s');
    expect(message(interval, '5')).toBe('whole seconds such as 1s or 1h (units ms, s, m, h, d)');
    expect(message(timeout, '11m')).toBe('between 100ms and 10m, such as 100ms');
    expect(message(timeout, 'soon')).toBe('a duration such as 100ms or 10m (units ms, s, m, h, d)');
    for (const example of ['1s', '1h']) expect(interval.parse(example)).toBeGreaterThan(0);
    for (const example of ['100ms', '10m']) expect(timeout.parse(example)).toBeGreaterThan(0);
  });
});
