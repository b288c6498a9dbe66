import { hasToken, lastToken, parseHeaderFields } from './head-syntax.js';
import { MalformedMessageError } from './malformed-message.js';

/** Largest request head accepted, as Node's own server (`--max-http-header-size`). */
export const REQUEST_HEAD_LIMIT = 16 * 1024;

export const enum BodyFraming {
  None,
  Length,
  Chunked,
}

export interface RequestHead {
  method: string;
  /** The request target as sent: origin-form (`/path?q`) or absolute-form. */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  versionMinor: number;
  /** Every header as received, flat `[name, value, …]`. */
  rawHeaders: string[];
  framing: BodyFraming;
  contentLength: number;
  /** Whether the client wants the connection kept after this exchange. */
  keepAlive: boolean;
  /** Connection: upgrade with an Upgrade header (a WebSocket handshake, say). */
  upgrade: boolean;
  expectContinue: boolean;
}

const REQUEST_LINE =
  /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e\x80-\xff]+) HTTP\/1\.([01])(?:\r\n|$)/;

/**
 * The request targets a plain-HTTP proxy can carry (RFC 9112 §3.2): origin-form, `*` for
 * OPTIONS, or absolute-form with the `http` scheme. Any other scheme asks for something the
 * proxy would not do (TLS, FTP) and would be sent as plain HTTP.
 */
const CARRIED_TARGET = /^(?:\/|http:\/\/)/i;

const METHOD_START = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}(?: |$)/;

/**
 * Whether the start of a head that has not fully arrived can still be a request: a method
 * then a space, and a well-formed first line once it is complete. Lets a connection that
 * sends something other than HTTP be refused at once instead of at the head timeout.
 */
export function plausibleRequestStart(text: string): boolean {
  if (!METHOD_START.test(text.slice(0, 33))) return false;
  const lineEnd = text.indexOf('\r\n');
  return lineEnd === -1 || REQUEST_LINE.test(text.slice(0, lineEnd + 2));
}

/**
 * Parses a request head (without its blank line) per RFC 9112, strictly where leniency lets
 * requests be smuggled past the next hop: Content-Length with Transfer-Encoding, a coding
 * other than chunked last, conflicting lengths, and any malformed line are refused.
 */
export function parseRequestHead(text: string): RequestHead {
  const match = REQUEST_LINE.exec(text);
  if (match === null) throw new MalformedMessageError('malformed request line');
  const method = match[1]!;
  const target = match[2]!;
  const versionMinor = match[3] === '1' ? 1 : 0;
  // CONNECT's authority-form target is the CONNECT handler's to judge.
  if (
    method !== 'CONNECT' &&
    !CARRIED_TARGET.test(target) &&
    !(target === '*' && method === 'OPTIONS')
  ) {
    throw new MalformedMessageError('request target is neither a path nor an http:// URL');
  }
  const fields = parseHeaderFields(text, match[0].length);
  if (fields.hosts > 1) throw new MalformedMessageError('more than one Host header');
  if (versionMinor === 1 && fields.hosts === 0) {
    throw new MalformedMessageError('HTTP/1.1 request without Host');
  }
  let framing = BodyFraming.None;
  if (fields.transferEncoding !== undefined) {
    if (fields.contentLength !== -1) {
      throw new MalformedMessageError('both content-length and transfer-encoding');
    }
    if (lastToken(fields.transferEncoding) !== 'chunked') {
      throw new MalformedMessageError('transfer-encoding does not end in chunked');
    }
    framing = BodyFraming.Chunked;
  } else if (fields.contentLength > 0) {
    framing = BodyFraming.Length;
  }
  const connection = fields.connection;
  const keepAlive =
    connection === undefined
      ? versionMinor === 1
      : versionMinor === 1
        ? !hasToken(connection, 'close')
        : hasToken(connection, 'keep-alive');
  return {
    method,
    target,
    versionMinor,
    rawHeaders: fields.raw,
    framing,
    contentLength: Math.max(fields.contentLength, 0),
    keepAlive,
    upgrade: fields.upgrade && connection !== undefined && hasToken(connection, 'upgrade'),
    expectContinue: fields.expect?.toLowerCase() === '100-continue',
  };
}
