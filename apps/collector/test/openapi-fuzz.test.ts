import fc from 'fast-check';
import type { OpenAPIV3 } from 'openapi-types';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@trellis/contracts';
import { testProviders } from '@trellis/db/testing';
import { startTestCollector, type TestCollector } from './helpers/test-collector.js';

/**
 * Property-based fuzz of every operation in the collector's OpenAPI document, over real HTTP:
 * requests shaped after each operation's parameters and body schema, with hostile values in
 * every place. Whatever is sent, the answer is never a 5xx, a 400 names the field at fault,
 * and the collector is healthy afterwards. Seeded, so a failure replays; bounded in time.
 */

const SEED = 1313;
/** The whole suite's budget, shared by the providers and their operations. */
const BUDGET_MS = 50_000;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Values that broke or nearly broke services before: edges of every type, and text tricks. */
const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    'Infinity',
    '99999999999999999999',
    '8640000000000001',
    '-271821-04-20T00:00:00Z',
    '+275760-09-13T00:00:00.001Z',
    '9999-12-31T23:59:59.999Z',
    '1970-01-01T00:00:00Z',
    'true',
    'null',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '%2e%2e%2f',
    '999.999.999.999:80',
    '[:::::]:80',
    '127.0.0.1:0',
    'localhost:65536',
    'a\u202Eb',
    'x\u0000y',
    'line\nbreak',
    '\uD800',
    '\uDFFFtail',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    'ü'.repeat(300),
    'a'.repeat(5000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ maxLength: 20 }),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 0.5, Number.MAX_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

type Schema = OpenAPIV3.SchemaObject;

/** A value for `schema`: usually of its shape, sometimes anything at all. */
function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const wild = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), anyJson);
  if (schema === undefined || depth > 4) return wild;
  const variants = [
    schema,
    ...(schema.anyOf ?? []),
    ...(schema.oneOf ?? []),
    ...(schema.allOf ?? []),
  ].filter((s): s is Schema => !('$ref' in s));
  const shaped = variants.map((variant) => shapedValue(variant, depth));
  return fc.oneof({ arbitrary: fc.oneof(...shaped), weight: 4 }, { arbitrary: wild, weight: 1 });
}

function shapedValue(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum !== undefined && schema.enum.length > 0) {
    return fc.oneof(fc.constantFrom(...schema.enum), hostileString);
  }
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) {
        record[name] = valueFor(property, depth + 1);
      }
      const declared = fc.record(record, { requiredKeys: [] });
      const extra = fc.dictionary(hostileString, valueFor(undefined, depth + 1), { maxKeys: 2 });
      return fc.oneof(
        { arbitrary: declared, weight: 3 },
        { arbitrary: fc.tuple(declared, extra).map(([a, b]) => ({ ...b, ...a })), weight: 1 },
      );
    }
    case 'array':
      return fc.array(valueFor(schema.items as Schema | undefined, depth + 1), { maxLength: 4 });
    case 'integer':
    case 'number':
      return hostileNumber;
    case 'boolean':
      return fc.boolean();
    default:
      return hostileString;
  }
}

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: Schema | undefined }>;
  body: Schema | undefined;
}

function operationsOf(document: OpenAPIV3.Document): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (!operation) continue;
      const parameters = (operation.parameters ?? []) as OpenAPIV3.ParameterObject[];
      const content = (operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content;
      operations.push({
        method,
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema as Schema | undefined })),
        body: content?.['application/json']?.schema as Schema | undefined,
      });
    }
  }
  return operations;
}

interface FuzzRequest {
  role: Role | 'none';
  pathValues: string[];
  query: Record<string, unknown>;
  body: unknown;
  rawBody: string | undefined;
}

function requestFor(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const pathValue = fc.oneof(fc.constantFrom('catalog', 'get-item', '1'), hostileString);
  const queryRecord: Record<string, fc.Arbitrary<unknown>> = {};
  for (const { name, schema } of operation.query) queryRecord[name] = valueFor(schema);
  return fc.record({
    role: fc.constantFrom<Role | 'none'>('operator', 'operator', 'viewer', 'proxy', 'none'),
    pathValues: fc.tuple(...operation.pathParams.map(() => pathValue)),
    query: fc.record(queryRecord, { requiredKeys: [] }),
    body: operation.body === undefined ? fc.constant(undefined) : valueFor(operation.body),
    // Sometimes not JSON at all, or JSON with a lone surrogate escaped as JSON allows.
    rawBody: fc
      .option(
        fc.oneof(
          hostileString,
          fc.constantFrom('{"reason":"\\ud800"}', '{', '[]', 'null', '{"a":1e999}'),
        ),
        { freq: 8 },
      )
      .map((raw) => raw ?? undefined),
  });
}

/** Percent-encodes, sending a lone surrogate as the bytes a careless encoder makes of it. */
function encodePathValue(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return `${encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, ''))}%ED%A0%80`;
  }
}

function urlOf(base: string, operation: Operation, input: FuzzRequest): string {
  let path = operation.path;
  operation.pathParams.forEach((name, i) => {
    path = path.replace(`{${name}}`, encodePathValue(input.pathValues[i] ?? ''));
  });
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(input.query)) {
    query.append(name, typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  }
  // An event stream would never end: the fuzz asks for one answer.
  if (operation.path.startsWith('/v1/config/')) query.set('watch', 'false');
  const search = query.toString();
  return `${base}${path}${search === '' ? '' : `?${search}`}`;
}

interface Answer {
  status: number;
  body: string;
  contentType: string;
}

async function send(
  collector: TestCollector,
  base: string,
  operation: Operation,
  input: FuzzRequest,
): Promise<Answer> {
  const headers: Record<string, string> =
    input.role === 'none' ? {} : { ...collector.as(input.role) };
  let body: string | undefined;
  if (operation.method !== 'get' && operation.method !== 'delete') {
    body = input.rawBody ?? JSON.stringify(input.body) ?? 'null';
    headers['content-type'] = 'application/json';
  }
  const response = await request(urlOf(base, operation, input), {
    method: operation.method.toUpperCase() as 'GET',
    headers,
    body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const contentType = String(response.headers['content-type'] ?? '');
  if (contentType.startsWith('text/event-stream')) {
    response.body.destroy();
    return { status: response.statusCode, body: '', contentType };
  }
  return { status: response.statusCode, body: await response.body.text(), contentType };
}

/** The verdict on one answer; undefined when it is acceptable. */
function fault(answer: Answer): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.body.slice(0, 300)}`;
  if (answer.status < 400) return undefined;
  let parsed: { error?: { code?: unknown; message?: unknown; details?: unknown } };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    return `a ${answer.status} that is not JSON: ${answer.body.slice(0, 100)}`;
  }
  const error = parsed.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
    return `a ${answer.status} without an error code and message`;
  }
  if (answer.status === 400) {
    const details = error.details as Array<{ path?: unknown }> | undefined;
    const named = details?.every(
      (detail) =>
        typeof detail.path === 'string' &&
        /^(body|querystring|params|headers|url)/.test(detail.path),
    );
    if (!named || details?.length === 0)
      return `a 400 that names no field: ${answer.body.slice(0, 200)}`;
  }
  return undefined;
}

describe.each(testProviders())('every OpenAPI operation, fuzzed, on %s', (provider) => {
  let collector: TestCollector;
  let base: string;
  let operations: Operation[];

  beforeAll(async () => {
    collector = await startTestCollector(provider);
    base = await collector.listen();
    const document = (
      await collector.app.inject({ method: 'GET', url: '/v1/openapi.json' })
    ).json() as OpenAPIV3.Document;
    operations = operationsOf(document);
  });

  afterAll(async () => {
    await collector.close();
  });

  it('finds the operations of the document', () => {
    const names = operations.map((operation) => `${operation.method} ${operation.path}`);
    expect(names).toContain('put /v1/policies/{service}');
    expect(names).toContain('post /v1/proxies');
    expect(names).toContain('get /v1/series');
    expect(operations.length).toBeGreaterThan(15);
  });

  it(
    'answers every request below 500, names the field of every 400, and stays healthy',
    async () => {
      const perOperationMs = BUDGET_MS / testProviders().length / operations.length;
      const faults: string[] = [];
      for (const operation of operations) {
        const seen = new Set<string>();
        await fc.assert(
          fc.asyncProperty(requestFor(operation), async (input) => {
            const answer = await send(collector, base, operation, input);
            const problem = fault(answer);
            if (problem !== undefined && !seen.has(problem)) {
              seen.add(problem);
              const url = urlOf('', operation, input).slice(0, 200);
              faults.push(`${operation.method.toUpperCase()} ${url}: ${problem}`);
            }
          }),
          {
            seed: SEED,
            numRuns: 400,
            interruptAfterTimeLimit: perOperationMs,
            markInterruptAsFailure: false,
          },
        );
      }
      expect(faults).toEqual([]);

      const health = await request(`${base}/v1/health`);
      expect(health.statusCode).toBe(200);
      expect(await health.body.json()).toMatchObject({ status: 'ok' });
      const whoami = await request(`${base}/v1/whoami`, { headers: collector.as('viewer') });
      expect(await whoami.body.json()).toEqual({ name: 'viewer', role: 'viewer' });
    },
    BUDGET_MS + 60_000,
  );
});
