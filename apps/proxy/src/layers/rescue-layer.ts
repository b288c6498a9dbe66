import { HEADER } from '@trellis/contracts';
import type { Call } from '../call.js';
import type { ClientResponse } from '../downstream/client-response.js';
import type { Outcome } from '../classify.js';
import type { ProxyError } from '../errors.js';
import type { Handler } from '../handler.js';

export type ErrorLog = (message: string, error: unknown) => void;

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
      else if (outcome.error !== undefined) sendError(res, outcome.error);
    } catch (error) {
      log('request failed inside the proxy', error);
      outcome?.response?.discard();
      sendInternalError(res);
    }
  };
}
