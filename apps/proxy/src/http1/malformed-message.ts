/**
 * A message that breaks HTTP/1.1 syntax (RFC 9112). `status` is what a server answers to such
 * a request: 431 for a head over the limit, else 400. The connection it came on is unusable.
 */
export class MalformedMessageError extends Error {
  readonly code = 'MALFORMED_MESSAGE';

  constructor(
    message: string,
    readonly status: 400 | 431 = 400,
  ) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}
