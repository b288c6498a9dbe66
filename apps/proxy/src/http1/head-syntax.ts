/**
 * The header section after the start line, validated in one pass: token names, a colon,
 * values without control characters (HTAB aside), lines ending in CRLF. That refuses bare CR
 * or LF, whitespace before the colon (a request-smuggling vector) and obsolete line folding,
 * and anything a peer would refuse to parse. Use with `lastIndex` set to the section's start.
 */
export const HEADER_SECTION =
  /(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*(?:\r\n|$))*$/y;

export const CONTENT_LENGTH = /^\d{1,15}$/;

/** Whether the header section of `text` from `start` to its end is well formed. */
export function validHeaderSection(text: string, start: number): boolean {
  HEADER_SECTION.lastIndex = start;
  return HEADER_SECTION.test(text);
}

/** Header value without optional whitespace around it. */
export function trimOws(value: string): string {
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

/**
 * Finds the end of a head (the blank line) in `buffer` from `start`; returns the index of its
 * CRLFCRLF, or -1 when it has not arrived.
 */
export function headEnd(buffer: Buffer, start: number): number {
  return buffer.indexOf('\r\n\r\n', start, 'latin1');
}
