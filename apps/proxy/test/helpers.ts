import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  createProxy,
  type ProxyAddresses,
  type ProxyOptions,
  type TrellisProxy,
} from '../src/proxy.js';

export interface Upstream {
  address: string;
  server: http.Server;
  /** TCP connections accepted so far. */
  connections: number;
  requests: number;
  close(): Promise<void>;
}

export async function startUpstream(handler: http.RequestListener): Promise<Upstream> {
  const server = http.createServer(handler);
  const upstream: Upstream = {
    address: '',
    server,
    connections: 0,
    requests: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', () => upstream.connections++);
  server.on('request', () => upstream.requests++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  upstream.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}

/** An address nothing listens on. */
export async function deadAddress(): Promise<string> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

export interface RunningProxy {
  proxy: TrellisProxy;
  addresses: ProxyAddresses;
  logs: string[];
  close(): Promise<void>;
}

export async function startProxy(
  options: Partial<ProxyOptions> & { service: string },
): Promise<RunningProxy> {
  const logs: string[] = [];
  const proxy = createProxy({
    inbound: '127.0.0.1:0',
    outbound: '127.0.0.1:0',
    admin: '127.0.0.1:0',
    log: (line) => logs.push(line),
    ...options,
  });
  const addresses = await proxy.start();
  return { proxy, addresses, logs, close: () => proxy.close() };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  reusedSocket: boolean;
}

export interface SendOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: Buffer | string | Readable;
  agent?: http.Agent;
}

/** One request over node:http, which (unlike fetch) lets a test set Host. */
export function send(address: string, path: string, options: SendOptions = {}): Promise<Reply> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host,
        port: Number(port),
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body,
            text: body.toString(),
            reusedSocket: req.reusedSocket,
          });
        });
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

export async function scrape(admin: string): Promise<string> {
  const reply = await send(admin, '/metrics');
  if (reply.status !== 200) throw new Error(`/metrics answered ${reply.status}`);
  return reply.text;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Sum of the samples named `name` whose labels include all of `labels`. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = new Map<string, string>();
    for (const label of (match[2] ?? '').matchAll(LABEL)) found.set(label[1]!, label[2]!);
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) {
      sum += Number(match[3]);
    }
  }
  return sum;
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const PROMTOOL = '/usr/bin/promtool';

/** promtool's lint messages about an exposition; empty when it is clean. */
export function promtoolCheck(text: string): string {
  if (!existsSync(PROMTOOL)) {
    throw new Error(
      'promtool not found at /usr/bin/promtool: install the Debian package "prometheus"',
    );
  }
  const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return (
    `${result.stdout}${result.stderr}`.trim() +
    (result.status === 0 ? '' : ` (exit ${result.status})`)
  );
}
