import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
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

/** The values of the samples named `name` whose labels include all of `labels`. */
function samples(text: string, name: string, labels: Record<string, string>): number[] {
  const values: number[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = new Map<string, string>();
    for (const label of (match[2] ?? '').matchAll(LABEL)) found.set(label[1]!, label[2]!);
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) {
      values.push(Number(match[3]));
    }
  }
  return values;
}

/**
 * Sum of the samples named `name` whose labels include all of `labels`. Throws when there is
 * none, so a renamed metric or label fails a test instead of reading as 0; `hasSeries` asks
 * whether a series exists at all.
 */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  const values = samples(text, name, labels);
  if (values.length === 0) {
    throw new Error(`no sample ${name}${JSON.stringify(labels)} in the scrape`);
  }
  return values.reduce((sum, value) => sum + value, 0);
}

export function hasSeries(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): boolean {
  return samples(text, name, labels).length > 0;
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

/** Writes `bytes` on a fresh connection and collects everything until the proxy closes it. */
export async function exchange(address: string, ...pieces: string[]): Promise<string> {
  const socket = await open(address);
  let received = '';
  socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
  for (const piece of pieces) socket.write(piece, 'latin1');
  await once(socket, 'close');
  return received;
}

export async function open(address: string): Promise<Socket> {
  const [host, port] = address.split(':') as [string, string];
  const socket = connect({ host, port: Number(port) });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Reads from `socket` until `predicate` holds for everything read so far. */
export async function readUntil(
  socket: Socket,
  predicate: (text: string) => boolean,
): Promise<string> {
  let received = '';
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer): void => {
      received += data.toString('latin1');
      if (predicate(received)) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed after: ${JSON.stringify(received)}`)));
  });
}

export const statusOf = (response: string): number => Number(response.slice(9, 12));

/**
 * A raw TCP upstream, so a test can answer with exact bytes, stall, or close at will. `answer`
 * is called once per request head it reads (bodies are read by length only).
 */
export interface RawUpstream {
  address: string;
  connections: number;
  /** Connections the pool closed (the upstream saw the end of the stream first). */
  closedByClient: number;
  heads: string[];
  close(): Promise<void>;
}

export type Answer = (socket: Socket, head: string, index: number) => void;

export async function rawUpstream(answer: Answer): Promise<RawUpstream> {
  const sockets = new Set<Socket>();
  const upstream: RawUpstream = {
    address: '',
    connections: 0,
    closedByClient: 0,
    heads: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  const server: Server = createServer((socket) => {
    upstream.connections++;
    sockets.add(socket);
    let pending = '';
    let bodyLeft = 0;
    socket.on('data', (data: Buffer) => {
      pending += data.toString('latin1');
      for (;;) {
        if (bodyLeft > 0) {
          const take = Math.min(bodyLeft, pending.length);
          bodyLeft -= take;
          pending = pending.slice(take);
          if (bodyLeft > 0) return;
        }
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        bodyLeft = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        upstream.heads.push(head);
        answer(socket, head, upstream.heads.length - 1);
      }
    });
    socket.on('end', () => upstream.closedByClient++);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  upstream.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
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
