import { describe, expect, it } from 'vitest';
import { TargetDeltaTracker } from '../src/scrape/counter-deltas.js';
import { PrometheusTextParseError } from '../src/scrape/prometheus-text-parser.js';
import type { DeltaSink, SeriesIdentity } from '../src/rollup/series-sink.js';
import { ProxyRegistry, type Exchange } from './proxy-registry.js';

/** Records each series' increases under a readable name. */
class RecordingSink implements DeltaSink<string> {
  readonly bound: SeriesIdentity[] = [];
  deltas = new Map<string, number>();

  bind(series: SeriesIdentity): string | undefined {
    this.bound.push(series);
    const route = series.labels['route'] ?? '';
    const status = series.labels['status_code'] ?? '';
    const le = series.upperBound === undefined ? '' : `le=${series.upperBound}`;
    return [series.family, series.part, route, status, le].filter((p) => p !== '').join(' ');
  }

  add(binding: string, delta: number): void {
    this.deltas.set(binding, (this.deltas.get(binding) ?? 0) + delta);
  }

  take(): Map<string, number> {
    const deltas = this.deltas;
    this.deltas = new Map();
    return deltas;
  }
}

const WATCH_START_MS = 1_700_000_000_000;
const ok: Exchange = {
  direction: 'inbound',
  src: 'web',
  dst: 'catalog',
  route: 'get-item',
  status: 200,
  latencySeconds: 0.015,
};

function setup(startTimeSeconds?: number) {
  const proxy = new ProxyRegistry(startTimeSeconds);
  const sink = new RecordingSink();
  const tracker = new TargetDeltaTracker(sink, { watchStartedAtMs: WATCH_START_MS });
  const scrape = async () => {
    tracker.ingest(await proxy.text());
    return sink.take();
  };
  return { proxy, sink, tracker, scrape };
}

describe('TargetDeltaTracker', () => {
  it('takes a first scrape of a target running since before we watched as a baseline', async () => {
    const { proxy, scrape } = setup();
    proxy.record(ok, 40);
    expect((await scrape()).size).toBe(0);
    proxy.record(ok, 3);
    const deltas = await scrape();
    expect(deltas.get('request_total counter get-item')).toBe(3);
    expect(deltas.get('response_total counter get-item 200')).toBe(3);
    expect(deltas.get('response_latency_seconds bucket get-item 200 le=0.01')).toBe(undefined);
    expect(deltas.get('response_latency_seconds bucket get-item 200 le=0.02')).toBe(3);
    expect(deltas.get('response_latency_seconds bucket get-item 200 le=Infinity')).toBe(3);
    expect(deltas.get('response_latency_seconds count get-item 200')).toBe(3);
    expect(deltas.get('response_latency_seconds sum get-item 200')).toBeCloseTo(0.045, 12);
  });

  it('counts a first scrape in full when the process started after we began watching', async () => {
    const { proxy, scrape } = setup(WATCH_START_MS / 1000 + 1);
    proxy.record(ok, 5);
    expect((await scrape()).get('request_total counter get-item')).toBe(5);
  });

  it('takes a first scrape as a baseline when the process started before we watched', async () => {
    const { proxy, scrape } = setup(WATCH_START_MS / 1000 - 1);
    proxy.record(ok, 5);
    expect((await scrape()).size).toBe(0);
  });

  it('reports nothing when nothing happened', async () => {
    const { proxy, scrape } = setup();
    proxy.record(ok, 2);
    await scrape();
    expect((await scrape()).size).toBe(0);
  });

  it('counts a series that appears on a watched target from zero', async () => {
    const { proxy, scrape } = setup();
    proxy.record(ok);
    await scrape();
    proxy.record({ ...ok, route: 'list-items', status: 503 }, 4);
    const deltas = await scrape();
    expect(deltas.get('request_total counter list-items')).toBe(4);
    expect(deltas.get('response_total counter list-items 503')).toBe(4);
    expect(deltas.get('request_total counter get-item')).toBe(undefined);
  });

  it('treats a counter that went down as a restart: the increase is the new value', async () => {
    const { proxy, scrape } = setup();
    proxy.record(ok, 10);
    await scrape();
    proxy.record(ok, 5);
    expect((await scrape()).get('request_total counter get-item')).toBe(5);
    proxy.restart();
    proxy.record(ok, 3);
    const deltas = await scrape();
    expect(deltas.get('request_total counter get-item')).toBe(3);
    expect(deltas.get('response_latency_seconds bucket get-item 200 le=Infinity')).toBe(3);
    expect(deltas.get('response_latency_seconds count get-item 200')).toBe(3);
  });

  it('resets a whole histogram when its count went down, even buckets that did not', async () => {
    const { proxy, scrape } = setup();
    proxy.record({ ...ok, latencySeconds: 0.015 }, 10);
    proxy.record({ ...ok, latencySeconds: 2.5 }, 1);
    await scrape();
    proxy.restart();
    proxy.record({ ...ok, latencySeconds: 2.5 }, 2);
    const deltas = await scrape();
    // The le=3 bucket went 11 → 2, le=0.02 went 10 → 0, so the histogram restarted: every
    // bucket's increase is its new value, none negative.
    expect(deltas.get('response_latency_seconds bucket get-item 200 le=0.02')).toBe(undefined);
    expect(deltas.get('response_latency_seconds bucket get-item 200 le=3')).toBe(2);
    expect(deltas.get('response_latency_seconds count get-item 200')).toBe(2);
    expect(deltas.get('response_latency_seconds sum get-item 200')).toBe(5);
    for (const value of deltas.values()) expect(value).toBeGreaterThan(0);
  });

  it('resets every series when the process start time moves forward', async () => {
    const { proxy, scrape } = setup(WATCH_START_MS / 1000 - 100);
    proxy.record(ok, 10);
    await scrape();
    // Restarted and already served more than before: only the start time tells.
    proxy.restart(WATCH_START_MS / 1000 + 50);
    proxy.record(ok, 12);
    expect((await scrape()).get('request_total counter get-item')).toBe(12);
  });

  it('drops a series missing from a scrape and counts it from zero when it returns', async () => {
    const { proxy, tracker, scrape } = setup();
    proxy.record(ok, 10);
    await scrape();
    proxy.restart();
    proxy.record({ ...ok, route: 'other' });
    await scrape();
    proxy.record(ok, 20);
    expect((await scrape()).get('request_total counter get-item')).toBe(20);
    expect(tracker.ingest(await proxy.text()).series).toBe(2 * (1 + 1 + 28));
  });

  it('finds every series when the exporter changes their order or inserts new ones', async () => {
    const { proxy, tracker, sink } = setup();
    proxy.record(ok, 10);
    proxy.record({ ...ok, route: 'b' }, 10);
    tracker.ingest(await proxy.text());
    proxy.record(ok, 1);
    proxy.record({ ...ok, route: 'b' }, 2);
    proxy.record({ ...ok, route: 'new', status: 404 }, 3);
    const lines = (await proxy.text()).split('\n');
    const samples = lines.filter((line) => line !== '' && !line.startsWith('#'));
    const comments = lines.filter((line) => line.startsWith('#'));
    tracker.ingest([...comments, ...samples.reverse()].join('\n'));
    const deltas = sink.take();
    expect(deltas.get('request_total counter get-item')).toBe(1);
    expect(deltas.get('request_total counter b')).toBe(2);
    expect(deltas.get('request_total counter new')).toBe(3);
    expect(deltas.get('response_latency_seconds count b 200')).toBe(2);
    expect(deltas.get('response_latency_seconds bucket new 404 le=Infinity')).toBe(3);
  });

  it('leaves its state untouched by a payload that fails to parse', async () => {
    const { proxy, sink, tracker, scrape } = setup();
    proxy.record(ok, 10);
    await scrape();
    proxy.record(ok, 5);
    const good = await proxy.text();
    expect(() => tracker.ingest(`${good}\nbroken{ 1\n`)).toThrow(PrometheusTextParseError);
    expect(sink.deltas.size).toBe(0);
    proxy.record(ok, 1);
    expect((await scrape()).get('request_total counter get-item')).toBe(6);
  });

  it('rejects a payload with the same series twice', () => {
    const { tracker } = setup();
    const text =
      '# TYPE request_total counter\nrequest_total{route="a"} 1\nrequest_total{route="a"} 2\n';
    expect(() => tracker.ingest(text)).toThrow(
      expect.objectContaining({ code: 'prometheus-text-invalid', line: 3 }),
    );
  });

  it('binds each series once, with decoded labels and without le', async () => {
    const { proxy, sink, scrape } = setup();
    proxy.record({ ...ok, route: 'a "quoted" route' });
    await scrape();
    proxy.record({ ...ok, route: 'a "quoted" route' });
    await scrape();
    expect(sink.bound).toHaveLength(1 + 1 + 28);
    const bucket = sink.bound.find((s) => s.part === 'bucket' && s.upperBound === 0.02);
    const histogramParts = sink.bound.filter((s) => s.family === 'response_latency_seconds');
    expect(histogramParts).toHaveLength(28);
    for (const part of histogramParts) expect(part.histogram).toBe(bucket?.histogram);
    expect(bucket?.histogram).toBeDefined();
    expect(sink.bound.find((s) => s.family === 'request_total')?.histogram).toBe(undefined);
    expect(bucket).toEqual({
      histogram: bucket?.histogram,
      family: 'response_latency_seconds',
      part: 'bucket',
      upperBound: 0.02,
      labels: {
        direction: 'inbound',
        src_service: 'web',
        dst_service: 'catalog',
        route: 'a "quoted" route',
        status_code: '200',
        classification: 'success',
      },
    });
  });

  it('ignores gauges and untyped series', () => {
    const { sink, tracker } = setup();
    tracker.ingest('# TYPE g gauge\ng 5\nuntyped_thing 3\n');
    tracker.ingest('# TYPE g gauge\ng 9\nuntyped_thing 8\n');
    expect(sink.bound).toHaveLength(0);
    expect(sink.deltas.size).toBe(0);
  });

  describe('from a stored checkpoint', () => {
    const START = WATCH_START_MS / 1000 - 3600;

    /** A tracker that ingested the proxy once, and a new one made from its checkpoint. */
    async function restoredAfter(proxy: ProxyRegistry) {
      const { tracker } = setup();
      tracker.ingest(await proxy.text());
      const checkpoint = tracker.checkpoint();
      const sink = new RecordingSink();
      const restored = new TargetDeltaTracker(sink, {
        watchStartedAtMs: WATCH_START_MS,
        checkpoint,
      });
      return { checkpoint, sink, restored };
    }

    it('counts everything since the checkpoint when the process is the same', async () => {
      const proxy = new ProxyRegistry(START);
      proxy.record(ok, 40);
      const { checkpoint, sink, restored } = await restoredAfter(proxy);
      expect(checkpoint.processStartTimeSeconds).toBe(START);
      const requests = [...checkpoint.counters].filter(([key]) => key.startsWith('request_total'));
      expect(requests.map(([, value]) => value)).toEqual([40]);

      proxy.record(ok, 7);
      proxy.record({ ...ok, route: 'list-items', status: 503 }, 2);
      const result = restored.ingest(await proxy.text());
      expect(result).toMatchObject({ restarted: false, counted: true });
      const deltas = sink.take();
      expect(deltas.get('request_total counter get-item')).toBe(7);
      expect(deltas.get('response_latency_seconds bucket get-item 200 le=Infinity')).toBe(7);
      // A series the checkpoint lacks appeared since it was stored.
      expect(deltas.get('request_total counter list-items')).toBe(2);
      expect(deltas.get('response_total counter list-items 503')).toBe(2);
    });

    it('counts nothing and moves no checkpoint when nothing happened since', async () => {
      const proxy = new ProxyRegistry(START);
      proxy.record(ok, 40);
      const { sink, restored } = await restoredAfter(proxy);
      expect(restored.ingest(await proxy.text())).toMatchObject({ counted: false });
      expect(sink.take().size).toBe(0);
    });

    it('counts a restarted process from zero', async () => {
      const old = new ProxyRegistry(START);
      old.record(ok, 40);
      const { sink, restored } = await restoredAfter(old);
      const restartedProxy = new ProxyRegistry(START + 60);
      restartedProxy.record(ok, 45);
      expect(restored.ingest(await restartedProxy.text())).toMatchObject({ restarted: true });
      expect(sink.take().get('request_total counter get-item')).toBe(45);
    });
  });
});
