import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';

// Fields HTTP/2 forbids (RFC 9113 §8.2.2); hop-by-hop rewriting has removed most already, and
// Node refuses to send any of them. `host` travels as `:authority` instead.
const NOT_IN_HTTP2 = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'te',
]);

/**
 * Flat `[name, value, …]` fields as an HTTP/2 header object (names lowercased, repeats as
 * arrays), added to `into`; returns the `host` value if there was one.
 */
export function toHttp2Headers(
  flat: readonly string[],
  into: OutgoingHttpHeaders,
): string | undefined {
  let host: string | undefined;
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    const value = flat[i + 1]!;
    if (NOT_IN_HTTP2.has(name)) {
      if (name === 'host') host = value;
      continue;
    }
    const existing = into[name];
    if (existing === undefined) into[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else into[name] = [String(existing), value];
  }
  return host;
}

/** Node's raw HTTP/2 fields without the pseudo-headers; `:authority` becomes `host`. */
export function fromHttp2Raw(raw: readonly string[]): string[] {
  const flat: string[] = [];
  let authority: string | undefined;
  let host = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':authority') authority = raw[i + 1];
      continue;
    }
    if (name === 'host') host = true;
    flat.push(name, raw[i + 1]!);
  }
  if (authority !== undefined && !host) flat.push('host', authority);
  return flat;
}

/** A received header object (trailers) as flat `[name, value, …]`, pseudo-headers left out. */
export function flattenHttp2Headers(headers: IncomingHttpHeaders): string[] {
  const flat: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.charCodeAt(0) === 58 || value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) flat.push(name, one);
    else flat.push(name, value);
  }
  return flat;
}
