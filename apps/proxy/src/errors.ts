import { PROXY_ERRORS, type ProxyErrorCode } from '@trellis/contracts';

/**
 * A failure the proxy answers for itself. Each carries the stable code sent as
 * `x-trellis-error` (and used as the `error` metric label) and the status it maps to; the rescue
 * layer at the edge of every stack turns it into a response.
 */
export abstract class ProxyError extends Error {
  abstract readonly code: ProxyErrorCode;
  abstract readonly status: number;
}

export class NoEndpointsError extends ProxyError {
  readonly code = PROXY_ERRORS.noEndpoints.code;
  readonly status = PROXY_ERRORS.noEndpoints.status;

  constructor(readonly service: string) {
    super(`no endpoints for service "${service}"`);
    this.name = 'NoEndpointsError';
  }
}

/**
 * The upstream gave no response: either no connection could be made (`phase: 'connect'`) or it
 * broke before a response head arrived (`phase: 'response'`). Only the first is safe to call a
 * connect failure for retry purposes.
 */
export class ConnectFailedError extends ProxyError {
  readonly code = PROXY_ERRORS.connectFailed.code;
  readonly status = PROXY_ERRORS.connectFailed.status;

  constructor(
    readonly address: string,
    readonly phase: 'connect' | 'response',
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      phase === 'connect'
        ? `cannot connect to ${address}: ${reason}`
        : `${address} failed before responding: ${reason}`,
      { cause },
    );
    this.name = 'ConnectFailedError';
  }
}

export class RequestTimeoutError extends ProxyError {
  readonly code = PROXY_ERRORS.requestTimeout.code;
  readonly status = PROXY_ERRORS.requestTimeout.status;

  constructor(
    readonly timeoutMs: number,
    readonly scope: 'request' | 'attempt',
  ) {
    super(
      scope === 'request'
        ? `no response within the route timeout of ${timeoutMs} ms`
        : `attempt got no response within the per-try timeout of ${timeoutMs} ms`,
    );
    this.name = 'RequestTimeoutError';
  }
}

/** Traffic to outside the mesh that the proxy may not send: `--egress deny`, or a forbidden address. */
export class EgressDeniedError extends ProxyError {
  readonly code = PROXY_ERRORS.egressDenied.code;
  readonly status = PROXY_ERRORS.egressDenied.status;

  constructor(reason: string) {
    super(reason);
    this.name = 'EgressDeniedError';
  }
}
