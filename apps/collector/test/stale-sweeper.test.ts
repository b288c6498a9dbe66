import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProxyEvent } from '@trellis/contracts';
import { StaleSweeper } from '../src/registry/stale-sweeper.js';

/** A registry whose sweeps and purges are counted, on fake timers: heartbeats every second. */
function sweeperWith(purgeStale: () => Promise<number>) {
  const registry = {
    heartbeatIntervalMs: 1000,
    markStale: vi.fn(async (): Promise<ProxyEvent[]> => []),
    purgeStale: vi.fn(purgeStale),
  };
  const log = { info: vi.fn(), warn: vi.fn() };
  return { sweeper: new StaleSweeper(registry, log), registry, log };
}

describe('stale sweeper', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('purges on the first sweep and then at most once a minute', async () => {
    const { sweeper, registry, log } = sweeperWith(async () => 2);
    sweeper.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(registry.markStale).toHaveBeenCalledTimes(1);
    expect(registry.purgeStale).toHaveBeenCalledTimes(1);
    expect(log.info).toHaveBeenCalledExactlyOnceWith({ purged: 2 }, 'purged stale proxy instances');

    await vi.advanceTimersByTimeAsync(59_750);
    expect(registry.markStale).toHaveBeenCalledTimes(240);
    expect(registry.purgeStale).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(registry.purgeStale).toHaveBeenCalledTimes(2);
    await sweeper.stop();
  });

  it('says nothing when there was nothing to purge', async () => {
    const { sweeper, registry, log } = sweeperWith(async () => 0);
    sweeper.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(registry.purgeStale).toHaveBeenCalledTimes(1);
    expect(log.info).not.toHaveBeenCalled();
    await sweeper.stop();
  });

  it('warns when a purge fails, keeps sweeping, and tries again a minute later', async () => {
    const failure = new Error('database is locked');
    const { sweeper, registry, log } = sweeperWith(() => Promise.reject(failure));
    sweeper.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(log.warn).toHaveBeenCalledExactlyOnceWith({ err: failure }, 'stale purge failed');

    await vi.advanceTimersByTimeAsync(59_750);
    expect(registry.markStale).toHaveBeenCalledTimes(240);
    expect(registry.purgeStale).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(registry.purgeStale).toHaveBeenCalledTimes(2);
    expect(log.warn).toHaveBeenCalledTimes(2);
    await sweeper.stop();
  });

  it('waits in stop for a purge in flight and sweeps no more', async () => {
    let finish: (purged: number) => void = () => undefined;
    const { sweeper, registry } = sweeperWith(
      () => new Promise<number>((resolve) => (finish = resolve)),
    );
    sweeper.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(registry.purgeStale).toHaveBeenCalledTimes(1);

    let stopped = false;
    const stopping = sweeper.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(stopped).toBe(false);
    finish(0);
    await stopping;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(registry.markStale).toHaveBeenCalledTimes(1);
    expect(registry.purgeStale).toHaveBeenCalledTimes(1);
  });
});
