/**
 * One-pass parser of the Prometheus text exposition format (version 0.0.4, what prom-client
 * serves). Built for the collector's hot path: it walks the text once with `charCodeAt` and
 * hands every sample to a callback through one reused `ParsedSample`, whose name, series key
 * and labels are only materialised when asked for.
 *
 * An exporter writes the same series in the same order and the same way on every scrape. A
 * visitor that remembers the previous scrape can say which series key it expects next; when
 * the line starts with exactly that text, the parser skips the label set (it is identical to
 * one already validated) and only reads the value — no slicing, hashing or allocation.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

const METRIC_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
]);

export class PrometheusTextParseError extends Error {
  override readonly name = 'PrometheusTextParseError';
  readonly code = 'prometheus-text-invalid';
  constructor(
    readonly reason: string,
    /** 1-based line of the payload. */
    readonly line: number,
    /** 1-based column in that line. */
    readonly column: number,
    options?: { cause?: unknown },
  ) {
    super(`line ${line}, column ${column}: ${reason}`, options);
  }
}

export interface SampleVisitor {
  /** `sample` is reused: read what you need before returning. */
  onSample(sample: ParsedSample): void;
  /** A `# TYPE` line. */
  onType?(metricName: string, type: MetricType): void;
  /**
   * The series key the visitor expects on the next sample line, if it has a guess. When the
   * line starts with it, `sample.seriesKey` is that very string and `sample.expected` is true.
   */
  expectedSeriesKey?(): string | undefined;
}

const SPAN_FIELDS = 4;

type Fail = (reason: string, at: number) => never;

const failOnValidatedText: Fail = (reason) => {
  throw new Error(`label set that parsed before no longer parses: ${reason}`);
};

/** The sample being visited. Valid only during `onSample`. */
export class ParsedSample {
  value = 0;
  /** Milliseconds since the epoch, when the line carries a timestamp. */
  timestampMs: number | undefined = undefined;
  /** 1-based line number. */
  line = 0;
  /** The line started with the key the visitor expected (`SampleVisitor.expectedSeriesKey`). */
  expected = false;

  private text = '';
  private keyStart = 0;
  private keyEnd = 0;
  private nameEnd = -1;
  private cachedName: string | undefined;
  private cachedKey: string | undefined;
  private scannedLabels = -1;
  /** nameStart, nameEnd, valueStart, valueEnd per label. */
  private spans = new Int32Array(16 * SPAN_FIELDS);
  /** 1 when the label value holds escape sequences. */
  private escaped = new Uint8Array(16);

  /** Metric name, e.g. `response_latency_seconds_bucket`. */
  get name(): string {
    if (this.cachedName === undefined) {
      this.cachedName = this.text.slice(this.keyStart, this.findNameEnd());
    }
    return this.cachedName;
  }

  /**
   * The exposed text `name{labels}` exactly as written, which identifies a series of one
   * target across scrapes without decoding its labels. Unless it is the expected key, it is a
   * slice of the payload: copy it before keeping it, or the whole payload stays alive.
   */
  get seriesKey(): string {
    if (this.cachedKey === undefined) {
      this.cachedKey = this.text.slice(this.keyStart, this.keyEnd);
    }
    return this.cachedKey;
  }

  get labelCount(): number {
    return this.scanLabels();
  }

  labelName(index: number): string {
    this.scanLabels();
    const at = index * SPAN_FIELDS;
    return this.text.slice(this.spans[at], this.spans[at + 1]);
  }

  labelValue(index: number): string {
    this.scanLabels();
    const at = index * SPAN_FIELDS;
    const start = this.spans[at + 2] as number;
    const end = this.spans[at + 3] as number;
    return this.escaped[index] === 1
      ? unescapeLabelValue(this.text, start, end)
      : this.text.slice(start, end);
  }

  /** The decoded value of the label called `name`, if the sample has it. */
  labelValueOf(name: string): string | undefined {
    const count = this.scanLabels();
    for (let i = 0; i < count; i++) {
      const at = i * SPAN_FIELDS;
      const start = this.spans[at] as number;
      if (
        (this.spans[at + 1] as number) - start === name.length &&
        this.text.startsWith(name, start)
      ) {
        return this.labelValue(i);
      }
    }
    return undefined;
  }

  /**
   * The label pairs as exposed (still escaped), without the label called `name`, joined by
   * commas: identifies e.g. the histogram a bucket belongs to without decoding anything.
   */
  rawLabelPairsWithout(name: string): string {
    const count = this.scanLabels();
    let pairs = '';
    for (let i = 0; i < count; i++) {
      const at = i * SPAN_FIELDS;
      const start = this.spans[at] as number;
      const nameEnd = this.spans[at + 1] as number;
      if (nameEnd - start === name.length && this.text.startsWith(name, start)) continue;
      const pair = this.text.slice(start, (this.spans[at + 3] as number) + 1);
      pairs = pairs === '' ? pair : `${pairs},${pair}`;
    }
    return pairs;
  }

  /** Decoded labels, in exposition order. Allocates: meant for a series' first sighting. */
  labels(): Record<string, string> {
    const count = this.scanLabels();
    const labels: Record<string, string> = {};
    for (let i = 0; i < count; i++) labels[this.labelName(i)] = this.labelValue(i);
    return labels;
  }

  /** @internal */
  reset(text: string, keyStart: number, keyEnd: number, expectedKey: string | undefined): void {
    this.text = text;
    this.keyStart = keyStart;
    this.keyEnd = keyEnd;
    this.nameEnd = -1;
    this.cachedName = undefined;
    this.cachedKey = expectedKey;
    this.expected = expectedKey !== undefined;
    this.scannedLabels = -1;
  }

  /** @internal The parser scanned name and labels itself. */
  scanned(nameEnd: number, labelCount: number): void {
    this.nameEnd = nameEnd;
    this.scannedLabels = labelCount;
  }

  /** @internal */
  recordLabel(
    index: number,
    nameStart: number,
    nameEnd: number,
    valueStart: number,
    valueEnd: number,
    escaped: number,
  ): void {
    if (index >= this.escaped.length) {
      const spans = new Int32Array(this.escaped.length * 2 * SPAN_FIELDS);
      spans.set(this.spans);
      const flags = new Uint8Array(this.escaped.length * 2);
      flags.set(this.escaped);
      this.spans = spans;
      this.escaped = flags;
    }
    const at = index * SPAN_FIELDS;
    this.spans[at] = nameStart;
    this.spans[at + 1] = nameEnd;
    this.spans[at + 2] = valueStart;
    this.spans[at + 3] = valueEnd;
    this.escaped[index] = escaped;
  }

  private findNameEnd(): number {
    if (this.nameEnd < 0) this.nameEnd = scanName(this.text, this.keyStart, this.keyEnd);
    return this.nameEnd;
  }

  private scanLabels(): number {
    if (this.scannedLabels < 0) {
      const nameEnd = this.findNameEnd();
      this.scannedLabels =
        nameEnd < this.keyEnd
          ? scanLabelSet(this.text, nameEnd + 1, this.keyEnd, this, failOnValidatedText).count
          : 0;
    }
    return this.scannedLabels;
  }
}

function unescapeLabelValue(text: string, start: number, end: number): string {
  let out = '';
  let chunkStart = start;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== BACKSLASH) continue;
    out += text.slice(chunkStart, i);
    const next = text.charCodeAt(i + 1);
    out += next === LOWER_N ? '\n' : next === QUOTE ? '"' : '\\';
    i++;
    chunkStart = i + 1;
  }
  return out + text.slice(chunkStart, end);
}

const TAB = 9;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const COLON = 58;
const EQUALS = 61;
const UPPER_A = 65;
const UPPER_E = 69;
const UPPER_Z = 90;
const BACKSLASH = 92;
const UNDERSCORE = 95;
const LOWER_A = 97;
const LOWER_E = 101;
const LOWER_N = 110;
const LOWER_Z = 122;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

function isLetterOrUnderscore(c: number): boolean {
  return (c >= LOWER_A && c <= LOWER_Z) || (c >= UPPER_A && c <= UPPER_Z) || c === UNDERSCORE;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

const SPECIAL_VALUES: ReadonlyMap<string, number> = new Map([
  ['nan', Number.NaN],
  ['+nan', Number.NaN],
  ['-nan', Number.NaN],
  ['inf', Infinity],
  ['+inf', Infinity],
  ['-inf', -Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-infinity', -Infinity],
]);

/** Digits past which an integer might not be exact in a double; longer ones go through Number. */
const MAX_FAST_DIGITS = 15;

/** Index just past a metric name starting at `start` (which must be a valid first char). */
function scanName(text: string, start: number, end: number): number {
  let i = start + 1;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isLetterOrUnderscore(c) || isDigit(c) || c === COLON) i++;
    else break;
  }
  return i;
}

/**
 * Scans a label set from just after `{`, recording each label on `sample`. Returns the index
 * just past `}` and the number of labels.
 */
function scanLabelSet(
  text: string,
  start: number,
  end: number,
  sample: ParsedSample,
  fail: Fail,
): { end: number; count: number } {
  let i = start;
  let count = 0;
  for (;;) {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end) fail('unterminated label set', i);
    let c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return { end: i + 1, count };
    const labelNameStart = i;
    if (!isLetterOrUnderscore(c)) fail('expected a label name', i);
    i++;
    while (i < end) {
      c = text.charCodeAt(i);
      if (isLetterOrUnderscore(c) || isDigit(c)) i++;
      else break;
    }
    const labelNameEnd = i;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end || text.charCodeAt(i) !== EQUALS) fail("expected '=' after a label name", i);
    i++;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end || text.charCodeAt(i) !== QUOTE) fail('expected a quoted label value', i);
    i++;
    const valueStart = i;
    let escaped = 0;
    for (;;) {
      if (i >= end) fail('unterminated label value', i);
      c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        const next = text.charCodeAt(i + 1);
        if (i + 1 >= end || (next !== BACKSLASH && next !== QUOTE && next !== LOWER_N)) {
          fail('invalid escape sequence in a label value', i);
        }
        escaped = 1;
        i += 2;
      } else {
        i++;
      }
    }
    sample.recordLabel(count, labelNameStart, labelNameEnd, valueStart, i, escaped);
    count++;
    i++;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end) fail('unterminated label set', i);
    c = text.charCodeAt(i);
    if (c === COMMA) i++;
    else if (c !== CLOSE_BRACE) fail("expected ',' or '}' after a label value", i);
  }
}

/**
 * Parses `text`, calling `visitor` for every sample and `# TYPE` line, in order. Returns the
 * number of samples. `text` may be a run of whole lines from further into a payload, whose
 * first line is `firstLine`. Reasons name what is wrong but never quote the text, which is
 * the remote's. Throws `PrometheusTextParseError` at the first malformed line; samples
 * before it have been visited, so a caller that must not act on a partial payload buffers
 * until this returns.
 */
export function parsePrometheusText(text: string, visitor: SampleVisitor, firstLine = 1): number {
  const sample = new ParsedSample();
  const length = text.length;
  const predicts = visitor.expectedSeriesKey !== undefined;
  let samples = 0;
  let line = firstLine - 1;
  let lineStart = 0;
  let pos = 0;

  const fail: Fail = (reason, at) => {
    throw new PrometheusTextParseError(reason, line, at - lineStart + 1);
  };

  while (pos < length) {
    line++;
    lineStart = pos;
    let end = text.indexOf('\n', pos);
    if (end === -1) end = length;
    pos = end + 1;
    if (end > lineStart && text.charCodeAt(end - 1) === CR) end--;

    let i = lineStart;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i === end) continue;

    const c = text.charCodeAt(i);
    if (c === HASH) {
      parseComment(text, i + 1, end, visitor, fail);
      continue;
    }

    const keyStart = i;
    const expected = predicts ? visitor.expectedSeriesKey?.() : undefined;
    // A slice compared with === is a memcmp in V8, many times faster than startsWith.
    if (
      expected !== undefined &&
      i + expected.length < end &&
      isBlank(text.charCodeAt(i + expected.length)) &&
      text.slice(i, i + expected.length) === expected
    ) {
      i += expected.length;
      sample.reset(text, keyStart, i, expected);
    } else {
      if (!(isLetterOrUnderscore(c) || c === COLON)) fail('expected a metric name', i);
      const nameEnd = scanName(text, i, end);
      i = nameEnd;
      let labelCount = 0;
      if (i < end && text.charCodeAt(i) === OPEN_BRACE) {
        const labelSet = scanLabelSet(text, i + 1, end, sample, fail);
        i = labelSet.end;
        labelCount = labelSet.count;
      }
      sample.reset(text, keyStart, i, undefined);
      sample.scanned(nameEnd, labelCount);
    }

    if (i >= end || !isBlank(text.charCodeAt(i))) fail('expected a space before the value', i);
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    const valueStart = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    if (i === valueStart) fail('missing value', i);
    const value = parseValue(text, valueStart, i);
    if (value === undefined) fail('invalid value', valueStart);

    while (i < end && isBlank(text.charCodeAt(i))) i++;
    let timestampMs: number | undefined;
    if (i < end) {
      const timestampStart = i;
      while (i < end && !isBlank(text.charCodeAt(i))) i++;
      timestampMs = parseTimestamp(text, timestampStart, i);
      if (timestampMs === undefined) {
        fail('invalid timestamp', timestampStart);
      }
      while (i < end && isBlank(text.charCodeAt(i))) i++;
      if (i < end) fail('unexpected text after the timestamp', i);
    }

    sample.value = value as number;
    sample.timestampMs = timestampMs;
    sample.line = line;
    samples++;
    visitor.onSample(sample);
  }
  return samples;
}

function parseComment(
  text: string,
  start: number,
  end: number,
  visitor: SampleVisitor,
  fail: Fail,
): void {
  let i = start;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  const keywordStart = i;
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  const keyword = i - keywordStart === 4 ? text.slice(keywordStart, i) : '';
  if (keyword !== 'TYPE' && keyword !== 'HELP') return;

  while (i < end && isBlank(text.charCodeAt(i))) i++;
  const nameStart = i;
  let c = text.charCodeAt(i);
  if (i >= end || !(isLetterOrUnderscore(c) || c === COLON)) {
    fail(`expected a metric name after # ${keyword}`, i);
  }
  while (i < end) {
    c = text.charCodeAt(i);
    if (isLetterOrUnderscore(c) || isDigit(c) || c === COLON) i++;
    else break;
  }
  const nameEnd = i;
  if (keyword === 'HELP') {
    if (i < end && !isBlank(text.charCodeAt(i))) fail('invalid metric name in # HELP', i);
    return;
  }
  if (i >= end || !isBlank(text.charCodeAt(i))) fail('expected a type after the metric name', i);
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  const typeStart = i;
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  const type = text.slice(typeStart, i);
  if (!METRIC_TYPES.has(type)) fail('unknown metric type', typeStart);
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  if (i < end) fail('unexpected text after the metric type', i);
  visitor.onType?.(text.slice(nameStart, nameEnd), type as MetricType);
}

function parseValue(text: string, start: number, end: number): number | undefined {
  let i = start;
  let c = text.charCodeAt(i);
  const negative = c === MINUS;
  if (negative || c === PLUS) i++;
  if (end - i <= MAX_FAST_DIGITS && i < end) {
    let n = 0;
    let j = i;
    for (; j < end; j++) {
      c = text.charCodeAt(j);
      if (!isDigit(c)) break;
      n = n * 10 + (c - DIGIT_0);
    }
    if (j === end) return negative ? -n : n;
  }
  return parseGeneralValue(text.slice(start, end));
}

function parseGeneralValue(token: string): number | undefined {
  const special = SPECIAL_VALUES.get(token.toLowerCase());
  if (special !== undefined) return special;
  let digits = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (c !== DOT && c !== LOWER_E && c !== UPPER_E && c !== PLUS && c !== MINUS) {
      return undefined;
    }
  }
  if (digits === 0) return undefined;
  const value = Number(token);
  return Number.isNaN(value) ? undefined : value;
}

function parseTimestamp(text: string, start: number, end: number): number | undefined {
  let i = start;
  const negative = text.charCodeAt(i) === MINUS;
  if (negative) i++;
  if (i === end) return undefined;
  let n = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return undefined;
    n = n * 10 + (c - DIGIT_0);
  }
  return negative ? -n : n;
}
