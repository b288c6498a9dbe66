import { connect, type Socket } from 'node:net';
import { HEADER, PROXY_ERRORS } from '@trellis/contracts';
import { splitHostPort } from './authority.js';
import type { ClientRequest } from './downstream/client-request.js';

function refuse(client: Socket, error: { code: string; status: number }): void {
  client.end(
    `HTTP/1.1 ${error.status} ${error.status === 503 ? 'Service Unavailable' : 'Bad Gateway'}\r\n` +
      `${HEADER.error}: ${error.code}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
  );
}

/**
 * Passes an `Upgrade` request (e.g. WebSocket) through: replays its head to the upstream over
 * a fresh connection, then splices the two sockets, so the upstream's own 101 (or refusal)
 * and every frame after it travel unchanged. Connection and Upgrade stay, as the handshake
 * needs them; `x-trellis-src` is set when `source` is given.
 */
export function tunnelUpgrade(
  req: ClientRequest,
  client: Socket,
  head: Buffer,
  path: string,
  address: string | undefined,
  source: string | undefined,
): void {
  client.on('error', () => client.destroy());
  if (address === undefined) {
    refuse(client, PROXY_ERRORS.noEndpoints);
    return;
  }
  let lines = `${req.method} ${path} HTTP/1.1\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (source !== undefined && raw[i]!.toLowerCase() === HEADER.source) continue;
    lines += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  if (source !== undefined) lines += `${HEADER.source}: ${source}\r\n`;
  lines += '\r\n';
  const upstream = connect(splitHostPort(address));
  let connected = false;
  upstream.setNoDelay(true);
  upstream.once('connect', () => {
    connected = true;
    upstream.write(lines);
    if (head.length > 0) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  upstream.on('error', () => {
    if (connected) client.destroy();
    else refuse(client, PROXY_ERRORS.connectFailed);
  });
  upstream.once('close', () => {
    if (connected) client.destroy();
  });
  client.once('close', () => upstream.destroy());
}
