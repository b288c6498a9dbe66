import { describe, expect, it } from 'vitest';
import { ConfigError } from '@trellis/config';
import { COLLECTOR_HELP, loadConfig, parseCommand } from '../src/config.js';

describe('collector config', () => {
  it('keeps stale instances for 24 hours unless told otherwise', () => {
    expect(loadConfig([], {}).staleRetentionSeconds).toBe(86_400);
    expect(loadConfig(['--stale-retention', '7d'], {}).staleRetentionSeconds).toBe(604_800);
    expect(loadConfig([], { TRELLIS_STALE_RETENTION: '90m' }).staleRetentionSeconds).toBe(5400);
    expect(
      loadConfig(['--stale-retention', '6h'], { TRELLIS_STALE_RETENTION: '90m' })
        .staleRetentionSeconds,
    ).toBe(21_600);
  });

  it('names --stale-retention when its value is refused', () => {
    const refusal = (value: string) => {
      try {
        loadConfig(['--stale-retention', value], {});
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message;
      }
      throw new Error(`--stale-retention ${value} was accepted`);
    };
    expect(refusal('1w')).toBe(
      'invalid --stale-retention (TRELLIS_STALE_RETENTION): a duration such as 10m or 366d (units ms, s, m, h, d)',
    );
    expect(refusal('5m')).toBe(
      'invalid --stale-retention (TRELLIS_STALE_RETENTION): between 10m and 366d, such as 10m',
    );
    expect(refusal('367d')).toBe(
      'invalid --stale-retention (TRELLIS_STALE_RETENTION): between 10m and 366d, such as 10m',
    );
  });

  it('takes the scrape interval in whole seconds, as rollup buckets are', () => {
    expect(loadConfig(['--scrape-interval', '2s'], {}).scrapeIntervalMs).toBe(2000);
    expect(loadConfig(['--scrape-interval', '1000ms'], {}).scrapeIntervalMs).toBe(1000);
    expect(() => loadConfig(['--scrape-interval', '1500ms'], {})).toThrow(
      'invalid --scrape-interval (TRELLIS_SCRAPE_INTERVAL): whole seconds between 1s and 1h, such as 1s',
    );
    for (const value of ['500ms', '0.5s']) {
      expect(() => loadConfig(['--scrape-interval', value], {})).toThrow(
        'invalid --scrape-interval (TRELLIS_SCRAPE_INTERVAL): between 1s and 1h, such as 1s',
      );
    }
    // The example a refusal gives is itself accepted.
    expect(loadConfig(['--scrape-interval', '1s'], {}).scrapeIntervalMs).toBe(1000);
  });

  it('answers --help with every flag, its variable and its default, and --version', () => {
    expect(parseCommand(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCommand(['--version'], {})).toEqual({ kind: 'version' });
    expect(COLLECTOR_HELP).toMatch(
      /--scrape-interval DURATION .*\[TRELLIS_SCRAPE_INTERVAL, default 5s\]/,
    );
    expect(COLLECTOR_HELP).toContain('trellis-collector token create');
  });

  it('bounds scrapes and streams by default, and names a refused limit', () => {
    expect(loadConfig([], {})).toMatchObject({
      scrapeBodyLimitBytes: 8 * 1024 * 1024,
      scrapeSeriesLimit: 20_000,
      scrapeAllow: [
        '127.0.0.0/8',
        '10.0.0.0/8',
        '172.16.0.0/12',
        '192.168.0.0/16',
        '::1/128',
        'fc00::/7',
      ],
      maxStreamsPerToken: 1000,
    });
    expect(
      loadConfig(
        ['--scrape-body-limit', '512KiB', '--scrape-allow', '10.1.0.0/16, 2001:db8::/32'],
        { TRELLIS_SCRAPE_SERIES_LIMIT: '5000' },
      ),
    ).toMatchObject({
      scrapeBodyLimitBytes: 512 * 1024,
      scrapeSeriesLimit: 5000,
      scrapeAllow: ['10.1.0.0/16', '2001:db8::/32'],
    });
    expect(() => loadConfig(['--scrape-body-limit', '8MB'], {})).toThrow(
      '--scrape-body-limit (TRELLIS_SCRAPE_BODY_LIMIT): a size such as 512KiB or 8MiB',
    );
    expect(() => loadConfig(['--scrape-series-limit', '10'], {})).toThrow(
      '--scrape-series-limit (TRELLIS_SCRAPE_SERIES_LIMIT): between 100 and 10000000',
    );
    expect(() => loadConfig(['--scrape-allow', '10.0.0.0/8,999.1.1.1/8'], {})).toThrow(
      '--scrape-allow (TRELLIS_SCRAPE_ALLOW): "999.1.1.1/8" is not a network such as 10.0.0.0/8 or fc00::/7',
    );
    expect(() => loadConfig(['--scrape-allow', '10.0.0.0/33'], {})).toThrow(
      '--scrape-allow (TRELLIS_SCRAPE_ALLOW): "10.0.0.0/33" has too many prefix bits',
    );
    expect(() => loadConfig(['--max-streams-per-token', '0'], {})).toThrow(
      '--max-streams-per-token (TRELLIS_MAX_STREAMS_PER_TOKEN): between 1 and 100000',
    );
  });
});
