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
});
