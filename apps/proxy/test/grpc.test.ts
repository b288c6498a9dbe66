import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  hasSeries,
  metric,
  promtoolCheck,
  scrape,
  startProxy,
  type RunningProxy,
} from './helpers.js';

interface Message {
  n: number;
  text?: string;
}

const json = {
  serialize: (value: Message): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): Message => JSON.parse(bytes.toString()) as Message,
};

function method(name: string, requestStream: boolean, responseStream: boolean) {
  return {
    path: `/test.Greeter/${name}`,
    requestStream,
    responseStream,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  };
}

const GREETER = {
  say: method('Say', false, false),
  down: method('Down', false, false),
  flaky: method('Flaky', false, false),
  slow: method('Slow', false, false),
  hang: method('Hang', false, false),
  count: method('Count', false, true),
  chat: method('Chat', true, true),
} satisfies grpc.ServiceDefinition;

const GreeterClient = grpc.makeGenericClientConstructor(GREETER, 'Greeter');
type Client = InstanceType<typeof GreeterClient> & Record<string, (...args: never[]) => unknown>;

const PAYLOAD = 'x'.repeat(8 * 1024);
const STREAM_MESSAGES = 10_000;

function unary(client: Client, name: string, request: Message): Promise<Message> {
  return new Promise((resolve, reject) => {
    const call = client[name] as unknown as (
      request: Message,
      done: (error: grpc.ServiceError | null, reply?: Message) => void,
    ) => void;
    call.call(client, request, (error, reply) => (error ? reject(error) : resolve(reply!)));
  });
}

/** A grpc-js client → web's outbound proxy → greeter's inbound proxy → a grpc-js server. */
describe('gRPC through two proxies', () => {
  let server: grpc.Server;
  let greeter: RunningProxy;
  let web: RunningProxy;
  let client: Client;
  let flakyCalls = 0;
  let cancelled = 0;
  let hangStarted = 0;

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(GREETER, {
      say: (call: grpc.ServerUnaryCall<Message, Message>, done: grpc.sendUnaryData<Message>) =>
        done(null, { n: call.request.n + 1 }),
      down: (_call: unknown, done: grpc.sendUnaryData<Message>) =>
        done({ code: grpc.status.UNAVAILABLE, details: 'down for maintenance' }),
      flaky: (call: grpc.ServerUnaryCall<Message, Message>, done: grpc.sendUnaryData<Message>) => {
        flakyCalls++;
        if (flakyCalls % 2 === 1) done({ code: grpc.status.UNAVAILABLE, details: 'flaky' });
        else done(null, { n: call.request.n });
      },
      slow: (_call: unknown, done: grpc.sendUnaryData<Message>) => {
        setTimeout(() => done(null, { n: 0 }), 3_000).unref();
      },
      hang: (call: grpc.ServerUnaryCall<Message, Message>) => {
        hangStarted++;
        call.on('cancelled', () => cancelled++);
      },
      count: (call: grpc.ServerWritableStream<Message, Message>) => {
        let n = 0;
        const pump = (): void => {
          while (n < call.request.n) {
            if (!call.write({ n: n++, text: PAYLOAD })) {
              call.once('drain', pump);
              return;
            }
          }
          call.end();
        };
        pump();
      },
      chat: (call: grpc.ServerDuplexStream<Message, Message>) => {
        call.on('data', (message: Message) => call.write({ n: message.n * 2, text: message.text }));
        call.on('end', () => call.end());
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    greeter = await startProxy({ service: 'greeter', app: `127.0.0.1:${port}` });
    web = await startProxy({
      service: 'web',
      staticConfig: {
        services: {
          greeter: {
            endpoints: [{ address: greeter.addresses.inbound }],
            policy: {
              retryBudget: { ratio: 1, minRetriesPerSecond: 100, ttlSeconds: 10 },
              routes: [
                {
                  name: 'flaky',
                  match: { path: '/test.Greeter/Flaky' },
                  retry: { maxRetries: 1, on: ['unavailable'], backoff: { baseMs: 0, maxMs: 0 } },
                },
                { name: 'slow', match: { path: '/test.Greeter/Slow' }, timeoutMs: 200 },
                { name: 'say', match: { path: '/test.Greeter/{method}' } },
              ],
            },
          },
        },
      },
    });
    client = new GreeterClient(web.addresses.outbound, grpc.credentials.createInsecure(), {
      'grpc.default_authority': 'greeter',
    }) as Client;
  });

  afterAll(async () => {
    client.close();
    await web.close();
    await greeter.close();
    server.forceShutdown();
  });

  const out = { direction: 'outbound', src_service: 'web', dst_service: 'greeter' };

  it('completes a unary call and counts it OK', async () => {
    expect(await unary(client, 'say', { n: 41 })).toEqual({ n: 42 });
    await eventually(async () => {
      const text = await scrape(web.addresses.admin);
      return metric(text, 'response_total', { ...out, route: 'say', grpc_status: 'OK' }) === 1;
    });
    const text = await scrape(web.addresses.admin);
    expect(
      metric(text, 'response_total', {
        ...out,
        route: 'say',
        status_code: '200',
        classification: 'success',
        grpc_status: 'OK',
      }),
    ).toBe(1);
    expect(
      metric(text, 'response_latency_seconds_count', { ...out, route: 'say', grpc_status: 'OK' }),
    ).toBe(1);
  });

  it('counts an UNAVAILABLE answer as a failure on both sides', async () => {
    await expect(unary(client, 'down', { n: 1 })).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: 'down for maintenance',
    });
    const failed = { classification: 'failure', grpc_status: 'UNAVAILABLE', status_code: '200' };
    await eventually(async () => {
      const text = await scrape(greeter.addresses.admin);
      return metric(text, 'response_total', { direction: 'inbound', ...failed }) === 1;
    });
    const text = await scrape(web.addresses.admin);
    expect(metric(text, 'response_total', { ...out, route: 'say', ...failed })).toBe(1);
    expect(promtoolCheck(text)).toBe('');
    expect(promtoolCheck(await scrape(greeter.addresses.admin))).toBe('');
  });

  it('retries UNAVAILABLE so a method failing every other call always succeeds', async () => {
    for (let n = 0; n < 10; n++) expect(await unary(client, 'flaky', { n })).toEqual({ n });
    expect(flakyCalls).toBe(20);
    const text = await scrape(web.addresses.admin);
    const flaky = { ...out, route: 'flaky' };
    expect(metric(text, 'retry_total', { ...flaky, result: 'retried' })).toBe(10);
    expect(metric(text, 'attempt_total', flaky)).toBe(20);
    expect(metric(text, 'response_total', { ...flaky, grpc_status: 'OK' })).toBe(10);
    expect(hasSeries(text, 'response_total', { ...flaky, classification: 'failure' })).toBe(false);
  });

  it('answers a route timeout with DEADLINE_EXCEEDED naming the Trellis error', async () => {
    await expect(unary(client, 'slow', { n: 1 })).rejects.toMatchObject({
      code: grpc.status.DEADLINE_EXCEEDED,
      details: expect.stringContaining('trellis request-timeout') as unknown,
    });
    const text = await scrape(web.addresses.admin);
    expect(
      metric(text, 'response_total', {
        ...out,
        route: 'slow',
        grpc_status: 'DEADLINE_EXCEEDED',
        error: 'request-timeout',
      }),
    ).toBe(1);
  });

  it('carries a client cancel to the server', async () => {
    const call = (client.hang as unknown as (m: Message, cb: () => void) => grpc.ClientUnaryCall)(
      { n: 1 },
      () => {},
    );
    await eventually(() => hangStarted === 1);
    call.cancel();
    await eventually(() => cancelled === 1);
  });

  it('streams 10,000 server messages without the proxies holding them', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    let received = 0;
    const stream = (client.count as unknown as (m: Message) => grpc.ClientReadableStream<Message>)({
      n: STREAM_MESSAGES,
    });
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (message: Message) => {
        if (message.n !== received) reject(new Error(`message ${message.n} came as ${received}`));
        received++;
        if (received % 1000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve());
    });
    expect(received).toBe(STREAM_MESSAGES);
    // 80 MiB went through two proxies; what they hold at any time is a few flow-control windows.
    expect(peak - before).toBeLessThan(48 * 1024 * 1024);
    const text = await scrape(web.addresses.admin);
    expect(metric(text, 'response_total', { ...out, route: 'say', grpc_status: 'OK' })).toBe(2);
  }, 60_000);

  it('carries a bidirectional stream both ways', async () => {
    const before = process.memoryUsage().rss;
    const chat = (client.chat as unknown as () => grpc.ClientDuplexStream<Message, Message>)();
    const replies: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      chat.on('data', (message: Message) => replies.push(message.n));
      chat.on('error', reject);
      chat.on('end', () => resolve());
    });
    for (let n = 0; n < 2_000; n++) {
      if (!chat.write({ n, text: PAYLOAD })) await new Promise((r) => chat.once('drain', r));
    }
    chat.end();
    await done;
    expect(replies).toHaveLength(2_000);
    expect(replies[1_999]).toBe(3_998);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  }, 60_000);
});
