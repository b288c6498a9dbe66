import { z } from 'zod';

/**
 * Addresses as the collector and proxies accept them: `host:port` where host is a real IPv4
 * address, a bracketed real IPv6 address or a DNS hostname. The checks run in browsers too,
 * so they use no Node module.
 */

const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);
const HOSTNAME_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/** RFC 4291 text form: eight groups, one `::` for a run of zeros, an IPv4 tail allowed. */
export function isIPv6(text: string): boolean {
  if (text.length > 45) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  const all = [...head, ...tail];
  let width = all.length;
  const last = all.at(-1);
  if (last !== undefined && last.includes('.')) {
    if (!isIPv4(last)) return false;
    all.pop();
    width += 1;
  }
  if (!all.every((group) => HEX_GROUP.test(group))) return false;
  return halves.length === 2 ? width <= 7 : width === 8;
}

/** A DNS name (RFC 1123); a name that ends in a numeric label would be read as IPv4. */
export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  const labels = text.replace(/\.$/, '').split('.');
  if (!labels.every((label) => HOSTNAME_LABEL.test(label))) return false;
  return !/^[0-9]+$/.test(labels.at(-1) as string);
}

/** Why `address` is not a usable `host:port`, or undefined when it is. */
export function hostPortProblem(address: string): string | undefined {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return 'expected HOST:PORT, e.g. 127.0.0.1:4143';
  const host = address.slice(0, colon);
  const port = address.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return 'port must be 1-65535';
  }
  if (host.startsWith('[')) {
    return host.endsWith(']') && isIPv6(host.slice(1, -1)) ? undefined : 'not an IPv6 address';
  }
  if (/^[0-9.]+$/.test(host)) return isIPv4(host) ? undefined : 'not an IPv4 address';
  return isHostname(host) ? undefined : 'not an IP address or hostname';
}

/** `host:port`, where host is an IPv4 address, a bracketed IPv6 address or a hostname. */
export const HostPortSchema = z
  .string()
  .max(300)
  .superRefine((address, ctx) => {
    const problem = hostPortProblem(address);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
