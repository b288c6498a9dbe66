import { describe, expect, it } from 'vitest';
import { loadCliOptions } from '../src/config.js';

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
    [['--service', 'web', '--colour', 'red'], {}, 'unknown flag --colour'],
    [
      ['--service', 'web', '--egress', 'maybe'],
      {},
      'invalid --egress (TRELLIS_EGRESS): expected "allow" or "deny"',
    ],
    [['--service'], {}, '--service needs a value'],
  ])('rejects %j with a message naming the flag', (argv, env, message) => {
    expect(() => loadCliOptions(argv, env)).toThrow(message);
  });
});
