import { MalformedMessageError } from './malformed-message.js';

/**
 * The header section after the start line, validated in one pass: token names, a colon,
 * values without control characters (HTAB aside), lines ending in CRLF. That refuses bare CR
 * or LF, whitespace before the colon (a request-smuggling vector) and obsolete line folding,
 * and anything a peer would refuse to parse. Use with `lastIndex` set to the section's start.
 */
export const HEADER_SECTION =
  /(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*(?:\r\n|$))*$/y;

const CONTENT_LENGTH = /^\d{1,15}$/;

/** Header value without optional whitespace around it. */
function trimOws(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return first === 32 || first === 9 || last === 32 || last === 9 ? value.trim() : value;
}

/** The last coding of a Transfer-Encoding list, lowercased. */
export function lastToken(value: string): string {
  const comma = value.lastIndexOf(',');
  return (comma === -1 ? value : value.slice(comma + 1)).trim().toLowerCase();
}

/** Whether a comma-separated header value holds `token` (lowercase), case-insensitively. */
export function hasToken(value: string, token: string): boolean {
  // Nearly every Connection header is one token; only a list needs splitting.
  if (value.indexOf(',') === -1) return value.trim().toLowerCase() === token;
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/** The header section of a head, with the fields either side frames or routes by. */
export interface HeaderFields {
  /** Every header as received, flat `[name, value, …]`, values without surrounding OWS. */
  raw: string[];
  /** -1 when absent. */
  contentLength: number;
  /** Every Transfer-Encoding header's value, joined with commas. */
  transferEncoding: string | undefined;
  /** Every Connection header's value, joined with commas. */
  connection: string | undefined;
  keepAlive: string | undefined;
  expect: string | undefined;
  /** How many Host headers there are. */
  hosts: number;
  upgrade: boolean;
}

function joined(previous: string | undefined, value: string): string {
  return previous === undefined ? value : `${previous}, ${value}`;
}

/**
 * Validates and reads the header section of `text` from `start` (just past the start line's
 * CRLF) to its end. Names are compared by length first, since this runs for every message.
 */
export function parseHeaderFields(text: string, start: number): HeaderFields {
  HEADER_SECTION.lastIndex = start;
  if (!HEADER_SECTION.test(text)) throw new MalformedMessageError('malformed header section');
  const fields: HeaderFields = {
    raw: [],
    contentLength: -1,
    transferEncoding: undefined,
    connection: undefined,
    keepAlive: undefined,
    expect: undefined,
    hosts: 0,
    upgrade: false,
  };
  let position = start;
  while (position < text.length) {
    let next = text.indexOf('\r\n', position);
    if (next === -1) next = text.length;
    const colon = text.indexOf(':', position);
    const name = text.slice(position, colon);
    const value = trimOws(text.slice(colon + 1, next));
    position = next + 2;
    fields.raw.push(name, value);
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') fields.hosts++;
        break;
      case 6:
        if (name.toLowerCase() === 'expect') fields.expect = value;
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') fields.upgrade = true;
        break;
      case 10: {
        const lower = name.toLowerCase();
        if (lower === 'connection') fields.connection = joined(fields.connection, value);
        else if (lower === 'keep-alive') fields.keepAlive = value;
        break;
      }
      case 14:
        if (name.toLowerCase() === 'content-length') {
          if (!CONTENT_LENGTH.test(value)) {
            throw new MalformedMessageError(`invalid content-length "${value}"`);
          }
          const length = Number(value);
          if (fields.contentLength !== -1 && fields.contentLength !== length) {
            throw new MalformedMessageError('conflicting content-length headers');
          }
          fields.contentLength = length;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          fields.transferEncoding = joined(fields.transferEncoding, value);
        }
        break;
    }
  }
  return fields;
}
