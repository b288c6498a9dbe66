import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

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
    expect(refusal('1w')).toBe('--stale-retention: a duration such as 90m, 6h or 7d');
    expect(refusal('5m')).toBe('--stale-retention: between 10m and 366d');
    expect(refusal('367d')).toBe('--stale-retention: between 10m and 366d');
  });

  it('takes the scrape interval in whole seconds, as rollup buckets are', () => {
    expect(loadConfig(['--scrape-interval', '2s'], {}).scrapeIntervalMs).toBe(2000);
    expect(loadConfig(['--scrape-interval', '1000ms'], {}).scrapeIntervalMs).toBe(1000);
    for (const value of ['500ms', '1500ms']) {
      expect(() => loadConfig(['--scrape-interval', value], {})).toThrow(
        '--scrape-interval: whole seconds, at least 1s',
      );
    }
  });
});
