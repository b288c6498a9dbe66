import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a normal deployment's proxies are: loopback and the private ranges (RFC 1918, IPv6
 * unique local). Link-local (169.254.0.0/16, fe80::/10) is left out on purpose: cloud metadata
 * services answer there, and public addresses are nobody's admin port.
 */
export const DEFAULT_SCRAPE_ALLOW = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '::1/128',
  'fc00::/7',
] as const;

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Why `cidr` is not an IPv4 or IPv6 network in CIDR notation, or undefined when it is. */
export function cidrProblem(cidr: string): string | undefined {
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? '' : cidr.slice(0, slash);
  const bits = slash < 0 ? '' : cidr.slice(slash + 1);
  const family = isIP(address);
  if (family === 0 || !/^[0-9]{1,3}$/.test(bits)) {
    return `"${cidr}" is not a network such as 10.0.0.0/8 or fc00::/7`;
  }
  if (Number(bits) > (family === 4 ? 32 : 128)) return `"${cidr}" has too many prefix bits`;
  return undefined;
}

/** The networks the collector may scrape (`--scrape-allow`). */
export class ScrapeAllowList {
  private readonly networks = new BlockList();

  constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address, bits] = cidr.split('/') as [string, string];
      this.networks.addSubnet(address, Number(bits), isIP(address) === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Whether the IP address (not a name) is inside an allowed network. */
  allows(address: string): boolean {
    const mapped = IPV4_MAPPED.exec(address)?.[1];
    if (mapped !== undefined) return this.networks.check(mapped, 'ipv4');
    const family = isIP(address);
    if (family === 0) return false;
    return this.networks.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * A `lookup` for sockets: resolves a host name and keeps only allowed addresses, so a name
   * cannot lead the collector elsewhere, however it resolves at connect time.
   */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      const allowed = addresses.filter((entry) => this.allows(entry.address));
      const first = allowed[0];
      if (first === undefined) {
        callback(new ScrapeNotAllowedError(), []);
        return;
      }
      if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

export class ScrapeNotAllowedError extends Error {
  override readonly name = 'ScrapeNotAllowedError';
  readonly code = 'scrape-not-allowed';
  constructor() {
    super('the address is outside --scrape-allow');
  }
}
