import type { Socket } from 'node:net';
import { writeFramed } from '../http1/framed-write.js';
import type { UpstreamRequest } from './exchange.js';

/** Whether a streamed body must be sent with the chunked coding (its length is unknown). */
export function sentChunked(request: UpstreamRequest): boolean {
  return request.body !== null && !Buffer.isBuffer(request.body) && request.contentLength < 0;
}

/**
 * The request head as a latin1 string (Node hands header values and targets over as latin1,
 * so this writes the client's bytes back unchanged). The framing header is added when the
 * head does not carry the right one: a body buffered from a chunked request gets its length.
 */
export function encodeHead(request: UpstreamRequest): string {
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  const headers = request.headers;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  const body = request.body;
  if (body !== null) {
    if (Buffer.isBuffer(body)) {
      if (request.contentLength < 0) head += `content-length: ${body.length}\r\n`;
    } else if (request.contentLength < 0) {
      head += 'transfer-encoding: chunked\r\n';
    }
  }
  return head + '\r\n';
}

/** Writes the head and, when the body is a buffer, the body (a small one in the same write). */
export function writeHeadAndBuffer(socket: Socket, request: UpstreamRequest): boolean {
  const head = encodeHead(request);
  const body = request.body;
  if (body === null || !Buffer.isBuffer(body)) return socket.write(head, 'latin1');
  return writeFramed(socket, head, body);
}

/** One chunk of the chunked coding. */
export function writeChunk(socket: Socket, chunk: Buffer): boolean {
  return writeFramed(socket, `${chunk.length.toString(16)}\r\n`, chunk, '\r\n');
}
