import { connect, type Socket } from 'node:net';
import { HEADER, PROXY_ERRORS, splitHostPort } from '@trellis/contracts';
import type { TunnelStats } from '../proxy-metrics.js';
import { EgressRefusedError, type EgressRules } from './egress-rules.js';

const AUTHORITY_FORM = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}$/;

function answer(client: Socket, status: string, error: string | undefined, reason: string): void {
  const body = `${reason}\n`;
  client.end(
    `HTTP/1.1 ${status}\r\n${error === undefined ? '' : `${HEADER.error}: ${error}\r\n`}` +
      `connection: close\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export interface TunnelOptions {
  rules: EgressRules;
  stats: (authority: string) => TunnelStats;
  allowed: boolean;
  idleTimeoutMs: number;
}

/**
 * `CONNECT host:port` (HTTPS through an HTTP proxy): a TCP tunnel to an allowed host, its
 * connections and bytes counted per host. The proxy sees only ciphertext after the 200.
 */
export function tunnelConnect(
  target: string,
  client: Socket,
  head: Buffer,
  options: TunnelOptions,
): void {
  client.on('error', () => client.destroy());
  const authority = target.toLowerCase();
  if (!AUTHORITY_FORM.test(authority)) {
    answer(
      client,
      '400 Bad Request',
      undefined,
      'CONNECT needs an authority-form host:port target',
    );
    return;
  }
  const { host, port } = splitHostPort(authority);
  if (port < 1 || port > 65_535) {
    answer(client, '400 Bad Request', undefined, `port ${port} is out of range`);
    return;
  }
  const denied = PROXY_ERRORS.egressDenied;
  if (!options.allowed) {
    answer(client, '403 Forbidden', denied.code, 'egress to hosts outside the mesh is denied');
    return;
  }
  const refusal = options.rules.refusalOfLiteral(host, port);
  if (refusal !== undefined) {
    answer(client, '403 Forbidden', denied.code, refusal);
    return;
  }
  const stats = options.stats(authority);
  const upstream = connect({ host, port, noDelay: true, lookup: options.rules.lookupFor(port) });
  let connected = false;
  upstream.setTimeout(options.idleTimeoutMs, () => upstream.destroy());
  client.setTimeout(options.idleTimeoutMs, () => client.destroy());
  upstream.once('connect', () => {
    connected = true;
    stats.opened++;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) {
      stats.written += head.length;
      upstream.write(head);
    }
    client.on('data', (data: Buffer) => (stats.written += data.length));
    upstream.on('data', (data: Buffer) => (stats.read += data.length));
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  upstream.on('error', (error) => {
    if (connected) {
      client.destroy();
    } else if (error instanceof EgressRefusedError) {
      answer(client, '403 Forbidden', denied.code, error.message);
    } else {
      answer(
        client,
        '502 Bad Gateway',
        PROXY_ERRORS.connectFailed.code,
        `cannot connect to ${authority}: ${error.message}`,
      );
    }
  });
  upstream.once('close', () => {
    if (connected) client.destroy();
  });
  client.once('close', () => upstream.destroy());
}
