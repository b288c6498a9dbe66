/**
 * Header rewriting at the hop boundary (RFC 9110 §7.6.1): Connection, the fields it names,
 * Proxy-Connection, Keep-Alive, TE, Transfer-Encoding and Upgrade belong to one connection and
 * are not forwarded. Works on flat raw header arrays and lowercases only names whose length
 * could make them special, since this runs on every request and response.
 */

const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'transfer-encoding',
  'upgrade',
]);

// Lengths of every name either side inspects: te, host, expect, upgrade, connection/keep-alive,
// x-trellis-src, proxy-connection, transfer-encoding.
const INSPECTED_LENGTHS = new Set([2, 4, 6, 7, 10, 13, 16, 17]);

function inspectedName(name: string): string | undefined {
  return INSPECTED_LENGTHS.has(name.length) ? name.toLowerCase() : undefined;
}

/**
 * Fields a Connection header may not remove: Host routes the request and must reach an
 * HTTP/1.1 upstream, Content-Length frames the body the proxy forwards (dropping it would let
 * the body be read as a second request), and `x-trellis-*` are the proxy's own.
 */
function protectedField(name: string): boolean {
  return name === 'host' || name === 'content-length' || name.startsWith('x-trellis-');
}

/**
 * Adds the tokens of a Connection header other than the standard and protected ones (extra
 * hop-by-hop fields) to `into`, creating it only when there is one.
 */
function connectionOptions(value: string, into: Set<string> | undefined): Set<string> | undefined {
  // Nearly every Connection header is a single standard token; those need no split.
  if (value.length <= 10) {
    const single = value.toLowerCase();
    if (single === 'keep-alive' || single === 'close' || single === 'upgrade') return into;
  }
  for (const token of value.split(',')) {
    const option = token.trim().toLowerCase();
    if (
      option !== '' &&
      option !== 'close' &&
      option !== 'keep-alive' &&
      option !== 'upgrade' &&
      !protectedField(option)
    ) {
      (into ??= new Set()).add(option);
    }
  }
  return into;
}

function withoutOptions(headers: string[], options: Set<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!options.has(headers[i]!.toLowerCase())) kept.push(headers[i]!, headers[i + 1]!);
  }
  return kept;
}

export interface RequestHead {
  /** End-to-end headers to send upstream, flat `[name, value, …]`. */
  headers: string[];
  host: string | undefined;
  /** The caller's `x-trellis-src`, as the inbound side labels it. */
  source: string | undefined;
}

/**
 * Prepares a request's headers for the next hop. `source`, when given, replaces any
 * `x-trellis-src` the client sent (the outbound side vouches for its own service). `Expect`
 * is dropped because the listener has already answered `100-continue`.
 */
export function prepareRequestHead(raw: readonly string[], source?: string): RequestHead {
  const headers: string[] = [];
  let host: string | undefined;
  let caller: string | undefined;
  let options: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = inspectedName(name);
    if (lower !== undefined) {
      if (lower === 'connection') options = connectionOptions(value, options);
      if (HOP_BY_HOP.has(lower) || lower === 'expect') continue;
      if (lower === 'host') host = value;
      else if (lower === 'x-trellis-src') {
        caller = value;
        if (source !== undefined) continue;
      }
    }
    headers.push(name, value);
  }
  if (source !== undefined) headers.push('x-trellis-src', source);
  return {
    headers: options === undefined ? headers : withoutOptions(headers, options),
    host,
    source: caller,
  };
}

/** A response's headers for the client: the upstream's, without hop-by-hop fields. */
export function responseHeaders(raw: readonly string[]): string[] {
  const headers: string[] = [];
  let options: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = inspectedName(name);
    if (lower !== undefined) {
      if (lower === 'connection') options = connectionOptions(value, options);
      if (HOP_BY_HOP.has(lower)) continue;
    }
    headers.push(name, value);
  }
  return options === undefined ? headers : withoutOptions(headers, options);
}
