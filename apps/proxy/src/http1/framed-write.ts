import type { Socket } from 'node:net';

/** The end of a chunked body: a zero-size chunk and no trailers. */
export const LAST_CHUNK = '0\r\n\r\n';

/** Bodies up to this size leave in one write with what frames them. */
const INLINE_BODY_LIMIT = 16 * 1024;

/**
 * Writes `prefix`, `body` and `suffix` (a head, a chunk-size line, a chunk's CRLF) so that a
 * small body leaves in one write, as a latin1 string (byte for byte the body) joined to its
 * framing: one segment on the wire and one syscall. A larger body is written between the two
 * under one cork. Returns false when the socket's buffer is full.
 */
export function writeFramed(socket: Socket, prefix: string, body: Buffer, suffix = ''): boolean {
  if (body.length <= INLINE_BODY_LIMIT) {
    return socket.write(prefix + body.toString('latin1') + suffix, 'latin1');
  }
  socket.cork();
  if (prefix !== '') socket.write(prefix, 'latin1');
  let more = socket.write(body);
  if (suffix !== '') more = socket.write(suffix, 'latin1');
  socket.uncork();
  return more;
}
