import { describe, expect, it } from 'vitest';
import {
  PrometheusTextParseError,
  parsePrometheusText,
  type MetricType,
} from '../src/scrape/prometheus-text-parser.js';
import { ProxyRegistry } from './proxy-registry.js';

interface Collected {
  name: string;
  key: string;
  labels: Record<string, string>;
  value: number;
  timestampMs: number | undefined;
  line: number;
}

function collect(text: string): { samples: Collected[]; types: [string, MetricType][] } {
  const samples: Collected[] = [];
  const types: [string, MetricType][] = [];
  const count = parsePrometheusText(text, {
    onSample: (s) =>
      samples.push({
        name: s.name,
        key: s.seriesKey,
        labels: s.labels(),
        value: s.value,
        timestampMs: s.timestampMs,
        line: s.line,
      }),
    onType: (name, type) => types.push([name, type]),
  });
  expect(count).toBe(samples.length);
  return { samples, types };
}

function parseError(text: string): PrometheusTextParseError {
  try {
    parsePrometheusText(text, { onSample: () => undefined });
  } catch (error) {
    expect(error).toBeInstanceOf(PrometheusTextParseError);
    return error as PrometheusTextParseError;
  }
  throw new Error('expected a parse error');
}

describe('parsePrometheusText', () => {
  it("reads prom-client's output of the proxy metrics, escapes included", async () => {
    const proxy = new ProxyRegistry();
    proxy.record(
      {
        direction: 'outbound',
        src: 'web',
        dst: 'catalog',
        route: 'say "hi"\\now\nplease',
        status: 200,
        latencySeconds: 0.015,
      },
      3,
    );
    const { samples, types } = collect(await proxy.text());
    expect(types).toEqual([
      ['request_total', 'counter'],
      ['response_total', 'counter'],
      ['response_latency_seconds', 'histogram'],
      ['attempt_total', 'counter'],
      ['retry_total', 'counter'],
    ]);
    const request = samples.find((s) => s.name === 'request_total');
    expect(request?.labels).toEqual({
      direction: 'outbound',
      src_service: 'web',
      dst_service: 'catalog',
      route: 'say "hi"\\now\nplease',
    });
    expect(request?.value).toBe(3);
    const buckets = samples.filter((s) => s.name === 'response_latency_seconds_bucket');
    expect(buckets).toHaveLength(26);
    expect(buckets.map((b) => b.labels['le'])).toEqual([
      '0.001',
      '0.002',
      '0.003',
      '0.004',
      '0.005',
      '0.01',
      '0.02',
      '0.03',
      '0.04',
      '0.05',
      '0.1',
      '0.2',
      '0.3',
      '0.4',
      '0.5',
      '1',
      '2',
      '3',
      '4',
      '5',
      '10',
      '20',
      '30',
      '40',
      '50',
      '+Inf',
    ]);
    expect(buckets.map((b) => b.value)).toEqual([
      ...new Array<number>(6).fill(0),
      ...new Array<number>(20).fill(3),
    ]);
    expect(samples.find((s) => s.name === 'response_latency_seconds_sum')?.value).toBe(0.045);
    expect(samples.find((s) => s.name === 'response_latency_seconds_count')?.value).toBe(3);
  });

  it('reads comments, blank lines, timestamps and special values', () => {
    const text = [
      '# a free comment',
      '',
      '   ',
      '# HELP x_total Docstring with \\\\ and \\n escapes.',
      '# TYPE x_total counter',
      'x_total 1027 1395066363000',
      'y{a="1",b="2",} NaN',
      'y{a="2"} +Inf -17',
      'y{a="3"} -Inf',
      'y{ a = "4" , b="" } 1.5e-3',
      'no_labels\t-0.25',
      'big 12345678901234567890',
      'crlf 7\r',
      '#',
      'last 2',
    ].join('\n');
    const { samples, types } = collect(text);
    expect(types).toEqual([['x_total', 'counter']]);
    expect(samples.map((s) => [s.key, s.value, s.timestampMs, s.line])).toEqual([
      ['x_total', 1027, 1395066363000, 6],
      ['y{a="1",b="2",}', Number.NaN, undefined, 7],
      ['y{a="2"}', Infinity, -17, 8],
      ['y{a="3"}', -Infinity, undefined, 9],
      ['y{ a = "4" , b="" }', 0.0015, undefined, 10],
      ['no_labels', -0.25, undefined, 11],
      ['big', 1.2345678901234567e19, undefined, 12],
      ['crlf', 7, undefined, 13],
      ['last', 2, undefined, 15],
    ]);
    expect(samples[4]?.labels).toEqual({ a: '4', b: '' });
    expect(samples[1]?.labels).toEqual({ a: '1', b: '2' });
  });

  it('keeps label values with braces, commas, spaces and unicode intact', () => {
    const { samples } = collect('m{path="/a{b}, c=d ü"} 1\n');
    expect(samples[0]?.labels).toEqual({ path: '/a{b}, c=d ü' });
  });

  it.each([
    ['a value missing', 'ok 1\nmissing\n', 2, 'expected a space before the value'],
    ['a bad value', 'x 1\ny 12abc\n', 2, 'invalid value'],
    ['hex is not a value', 'x 0x10\n', 1, 'invalid value'],
    ['an unterminated label value', 'x{a="1} 2\n', 1, 'unterminated label value'],
    ['an unknown escape', 'x{a="\\t"} 2\n', 1, 'invalid escape sequence in a label value'],
    ['an unquoted label value', 'x{a=1} 2\n', 1, 'expected a quoted label value'],
    ['a bad label name', 'x{1a="1"} 2\n', 1, 'expected a label name'],
    ['a missing separator', 'x{a="1" b="2"} 2\n', 1, "expected ',' or '}' after a label value"],
    ['a bad metric name', '\n\n9x 1\n', 3, 'expected a metric name'],
    ['a bad timestamp', 'x 1 12.5\n', 1, 'invalid timestamp'],
    ['trailing text', 'x 1 12 extra\n', 1, 'unexpected text after the timestamp'],
    ['an unknown type', '# TYPE x countr\n', 1, 'unknown metric type'],
    ['a TYPE without name', '# TYPE\n', 1, 'expected a metric name after # TYPE'],
  ])('reports %s with its line', (_label, text, line, reason) => {
    const error = parseError(text);
    expect(error.code).toBe('prometheus-text-invalid');
    expect(error.line).toBe(line);
    expect(error.reason).toBe(reason);
    expect(error.message).toContain(`line ${line}`);
  });

  it('takes the expected series key when the line starts with it, and falls back otherwise', () => {
    const expectedKeys = ['a{x="1"}', 'b{y="2"}', 'c'];
    const text = 'a{x="1"} 1\nb{y="22"} 2\nc{z="3"} 3\nd 4\n';
    let next = 0;
    const seen: [string, boolean, string, Record<string, string>, number][] = [];
    parsePrometheusText(text, {
      expectedSeriesKey: () => expectedKeys[next++],
      onSample: (s) => seen.push([s.seriesKey, s.expected, s.name, s.labels(), s.value]),
    });
    expect(seen).toEqual([
      ['a{x="1"}', true, 'a', { x: '1' }, 1],
      ['b{y="22"}', false, 'b', { y: '22' }, 2],
      ['c{z="3"}', false, 'c', { z: '3' }, 3],
      ['d', false, 'd', {}, 4],
    ]);
  });

  it('decodes labels lazily on the expected-key path, escapes included', () => {
    const key = 'm{route="a\\"b\\\\c",le="+Inf"}';
    let labels: Record<string, string> = {};
    let expected = false;
    parsePrometheusText(`${key} 5\n`, {
      expectedSeriesKey: () => key,
      onSample: (s) => {
        expected = s.expected;
        labels = s.labels();
      },
    });
    expect(expected).toBe(true);
    expect(labels).toEqual({ route: 'a"b\\c', le: '+Inf' });
  });

  it('finds one label by name and the raw label pairs without it', () => {
    const found: [string | undefined, string | undefined, string][] = [];
    parsePrometheusText('h_bucket{le="0.5",route="a\\"b",l="x"} 1\n', {
      onSample: (s) =>
        found.push([s.labelValueOf('le'), s.labelValueOf('missing'), s.rawLabelPairsWithout('le')]),
    });
    expect(found).toEqual([['0.5', undefined, 'route="a\\"b",l="x"']]);
  });

  it('points at the column of the problem', () => {
    expect(parseError('x{a="1",b=2} 2').column).toBe(11);
  });

  it('never throws anything but its own error on arbitrary bytes', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const alphabet = 'ab_:{}="\\ \n\t#,.e+-0123456789NaInf';
    let rejected = 0;
    for (let round = 0; round < 2000; round++) {
      let text = '';
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      try {
        parsePrometheusText(text, { onSample: () => undefined });
      } catch (error) {
        expect(error).toBeInstanceOf(PrometheusTextParseError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
