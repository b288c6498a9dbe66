import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HEADER, splitHostPort } from '@trellis/contracts';
import { Outcome } from './classify.js';
import type { ClientRequest } from './downstream/client-request.js';
import { ConnectFailedError, NoEndpointsError, type ProxyError } from './errors.js';
import type { RouteStats } from './proxy-metrics.js';
import { UpstreamClosedError, UpstreamProtocolError } from './upstream/upstream-errors.js';

function refuse(client: Socket, error: ProxyError): void {
  client.end(
    `HTTP/1.1 ${error.status} ${error.status === 503 ? 'Service Unavailable' : 'Bad Gateway'}\r\n` +
      `${HEADER.error}: ${error.code}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
  );
}

const STATUS_LINE_START = /^HTTP\/1\.[01] (\d{3})/;
// "HTTP/1.1 101": enough of the upstream's answer to know its status.
const STATUS_PREFIX_LENGTH = 12;

export interface TunnelTarget {
  /** The request target to send upstream. */
  path: string;
  /** The endpoint chosen; undefined when the destination has none. */
  address: string | undefined;
  /** The destination service, for a `no-endpoints` answer. */
  service: string;
  /** Replaces any `x-trellis-src` the client sent (the outbound side). */
  source: string | undefined;
  /** Where the handshake counts. */
  stats: RouteStats;
}

/**
 * Passes an `Upgrade` request (e.g. WebSocket) through: replays its head to the upstream over
 * a fresh connection, then splices the two sockets, so the upstream's own 101 (or refusal)
 * and every frame after it travel unchanged. Connection and Upgrade stay, as the handshake
 * needs them. The handshake counts in the golden metrics with the upstream's status, read off
 * the first bytes it sends back.
 */
export function tunnelUpgrade(
  req: ClientRequest,
  client: Socket,
  head: Buffer,
  target: TunnelTarget,
): void {
  const started = performance.now();
  let recorded = false;
  const record = (outcome: Outcome): void => {
    if (recorded) return;
    recorded = true;
    target.stats.recordUpgrade(outcome, (performance.now() - started) / 1000);
  };
  const fail = (error: ProxyError): void => {
    record(Outcome.ofError(error));
    refuse(client, error);
  };
  client.on('error', () => client.destroy());
  const address = target.address;
  if (address === undefined) {
    fail(new NoEndpointsError(target.service));
    return;
  }
  const source = target.source;
  let lines = `${req.method} ${target.path} HTTP/1.1\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (source !== undefined && raw[i]!.toLowerCase() === HEADER.source) continue;
    lines += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  if (source !== undefined) lines += `${HEADER.source}: ${source}\r\n`;
  lines += '\r\n';
  const upstream = connect(splitHostPort(address));
  let connected = false;
  let answer = '';
  const readStatus = (data: Buffer): void => {
    answer += data.toString('latin1', 0, STATUS_PREFIX_LENGTH - answer.length);
    if (answer.length < STATUS_PREFIX_LENGTH) return;
    upstream.off('data', readStatus);
    const status = STATUS_LINE_START.exec(answer);
    record(
      status === null
        ? Outcome.ofError(
            new ConnectFailedError(
              address,
              'response',
              new UpstreamProtocolError('malformed status line'),
            ),
          )
        : Outcome.ofUpgrade(Number(status[1])),
    );
  };
  upstream.setNoDelay(true);
  upstream.once('connect', () => {
    connected = true;
    upstream.write(lines);
    if (head.length > 0) upstream.write(head);
    upstream.on('data', readStatus);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  upstream.on('error', (error) => {
    if (connected) client.destroy();
    else fail(new ConnectFailedError(address, 'connect', error));
  });
  upstream.once('close', () => {
    if (!connected) return;
    record(Outcome.ofError(new ConnectFailedError(address, 'response', new UpstreamClosedError())));
    client.destroy();
  });
  client.once('close', () => upstream.destroy());
}
