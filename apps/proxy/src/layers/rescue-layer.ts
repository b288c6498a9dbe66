import { HEADER } from '@trellis/contracts';
import type { Call } from '../call.js';
import type { ClientResponse } from '../downstream/client-response.js';
import type { Outcome } from '../classify.js';
import type { ProxyError } from '../errors.js';
import type { Handler } from '../handler.js';

export type ErrorLog = (message: string, error: unknown) => void;

// Bytes a grpc-message must percent-encode (gRPC over HTTP/2: outside 0x20-0x7E, and '%').
const GRPC_MESSAGE_ESCAPED = /[^\x20-\x24\x26-\x7e]/gu;

function grpcMessage(text: string): string {
  return text.replace(GRPC_MESSAGE_ESCAPED, (char) => encodeURIComponent(char));
}

/**
 * A proxy error as a gRPC caller can read it: a trailers-only response whose status is
 * DEADLINE_EXCEEDED or UNAVAILABLE and whose message names the Trellis error code.
 */
function sendGrpcError(res: ClientResponse, error: ProxyError, grpcStatus: number): void {
  res.writeHead(200, [
    'content-type',
    'application/grpc',
    'grpc-status',
    String(grpcStatus),
    'grpc-message',
    grpcMessage(`trellis ${error.code}: ${error.message}`),
    HEADER.error,
    error.code,
  ]);
  res.end();
}

function sendError(res: ClientResponse, error: ProxyError): void {
  const body = `${error.code}: ${error.message}\n`;
  res.writeHead(error.status, [
    HEADER.error,
    error.code,
    'content-type',
    'text/plain; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(body)),
  ]);
  res.end(Buffer.from(body));
}

function sendInternalError(res: ClientResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, ['content-type', 'text/plain; charset=utf-8', 'content-length', '15']);
  res.end(Buffer.from('internal error\n'));
}

/** What a listener calls per request: serves it fully and never rejects. */
export type ServeCall = (call: Call) => Promise<void>;

/**
 * The edge of every stack: writes the final outcome to the client (the upstream response, or
 * the proxy error as a response with `x-trellis-error`). Anything thrown below is a bug; it
 * is logged with its cause and answered with a 500, never allowed to crash the process.
 */
export function rescueLayer(log: ErrorLog): (next: Handler) => ServeCall {
  return (next) => async (call: Call) => {
    const res = call.res;
    let outcome: Outcome | undefined;
    try {
      outcome = await next(call);
      if (res.destroyed) outcome.response?.discard();
      else if (outcome.response !== undefined) outcome.response.sendTo(res);
      else if (outcome.error !== undefined) {
        if (call.grpc) sendGrpcError(res, outcome.error, outcome.grpcStatus!);
        else sendError(res, outcome.error);
      }
    } catch (error) {
      log('request failed inside the proxy', error);
      outcome?.response?.discard();
      sendInternalError(res);
    }
  };
}
