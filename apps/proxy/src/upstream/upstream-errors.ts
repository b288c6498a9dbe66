/**
 * Failures of one exchange with an upstream, as the forwarder needs to tell them apart: no
 * connection was made (safe to call a connect failure), the upstream broke the protocol, or it
 * closed the connection before the response was complete.
 */
export abstract class UpstreamError extends Error {
  abstract readonly code: string;
}

export class UpstreamConnectError extends UpstreamError {
  readonly code = 'UPSTREAM_CONNECT';

  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'UpstreamConnectError';
  }
}

export class UpstreamProtocolError extends UpstreamError {
  readonly code = 'UPSTREAM_PROTOCOL';

  constructor(message: string) {
    super(`invalid response from upstream: ${message}`);
    this.name = 'UpstreamProtocolError';
  }
}

export class UpstreamClosedError extends UpstreamError {
  readonly code = 'UPSTREAM_CLOSED';

  constructor(cause?: unknown) {
    super('upstream closed the connection before the response completed', { cause });
    this.name = 'UpstreamClosedError';
  }
}

export class UpstreamIdleError extends UpstreamError {
  readonly code = 'UPSTREAM_IDLE';

  constructor(idleMs: number) {
    super(`no bytes either way for ${idleMs} ms: the exchange was cut`);
    this.name = 'UpstreamIdleError';
  }
}

export class UpstreamResetError extends UpstreamError {
  readonly code = 'UPSTREAM_RESET';

  constructor(readonly http2Code: number) {
    super(`upstream reset the stream (HTTP/2 error code ${http2Code})`);
    this.name = 'UpstreamResetError';
  }
}
