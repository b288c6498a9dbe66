import { describe, expect, it } from 'vitest';
import { PROXY_HELP, parseCommandLine } from '../src/config.js';

function loadCliOptions(argv: string[], env: NodeJS.ProcessEnv) {
  const command = parseCommandLine(argv, env);
  if (command.kind !== 'run') throw new Error(`asked for ${command.kind}`);
  return command.options;
}

describe('command line and environment', () => {
  it('applies the documented defaults', () => {
    expect(loadCliOptions(['--service', 'web'], {})).toEqual({
      service: 'web',
      inbound: '127.0.0.1:4143',
      outbound: '127.0.0.1:4140',
      admin: '127.0.0.1:4191',
      app: undefined,
      controlPlane: undefined,
      token: undefined,
      configFile: undefined,
      headersTimeoutMs: 30_000,
      streamIdleTimeoutMs: 300_000,
      egress: 'allow',
    });
  });

  it('reads TRELLIS_<FLAG> and lets flags win', () => {
    const options = loadCliOptions(['--inbound=0.0.0.0:5143'], {
      TRELLIS_SERVICE: 'catalog',
      TRELLIS_INBOUND: '127.0.0.1:1',
      TRELLIS_APP: '127.0.0.1:8080',
      TRELLIS_CONTROL_PLANE: 'http://127.0.0.1:7700',
      TRELLIS_TOKEN: 't',
    });
    expect(options).toMatchObject({
      service: 'catalog',
      inbound: '0.0.0.0:5143',
      app: '127.0.0.1:8080',
      controlPlane: 'http://127.0.0.1:7700',
      token: 't',
    });
  });

  it.each([
    [[], {}, 'invalid --service (TRELLIS_SERVICE): is required'],
    [
      ['--service', 'web', '--admin', 'nope'],
      {},
      'invalid --admin (TRELLIS_ADMIN): expected HOST:PORT',
    ],
    [['--service', 'Web'], {}, 'invalid --service (TRELLIS_SERVICE): a DNS label'],
    [
      ['--service', 'web', '--control-plane', 'http://x'],
      {},
      'invalid --token (TRELLIS_TOKEN): required with --control-plane',
    ],
    [['--service', 'web', '--colour', 'red'], {}, 'unknown flag --colour (see --help)'],
    [
      ['--service', 'web', '--egress', 'maybe'],
      {},
      'invalid --egress (TRELLIS_EGRESS): expected "allow" or "deny"',
    ],
    [['--service'], {}, '--service needs a value'],
  ])('rejects %j with a message naming the flag', (argv, env, message) => {
    expect(() => loadCliOptions(argv, env)).toThrow(message);
  });

  it('answers --help with every flag, its variable and its default, and --version', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--service', 'web', '--version'], {})).toEqual({ kind: 'version' });
    expect(PROXY_HELP).toContain('usage: trellis-proxy --service NAME [flags]');
    expect(PROXY_HELP).toMatch(
      /--inbound HOST:PORT +where callers reach the service {2}\[TRELLIS_INBOUND, default 127\.0\.0\.1:4143\]/,
    );
    expect(PROXY_HELP).toMatch(
      /--headers-timeout DURATION .*\[TRELLIS_HEADERS_TIMEOUT, default 30s\]/,
    );
  });

  it('takes timeouts as durations or plain milliseconds, and names accepted ones when it refuses', () => {
    expect(
      loadCliOptions(['--service', 'web', '--headers-timeout', '2s'], {}).headersTimeoutMs,
    ).toBe(2000);
    expect(
      loadCliOptions(['--service', 'web', '--headers-timeout', '2500'], {}).headersTimeoutMs,
    ).toBe(2500);
    expect(() => loadCliOptions(['--service', 'web', '--headers-timeout', '50ms'], {})).toThrow(
      'invalid --headers-timeout (TRELLIS_HEADERS_TIMEOUT): between 100ms and 10m, such as 100ms',
    );
  });
});
