import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Whether traffic to hosts outside the mesh is forwarded (`--egress`). */
export type EgressMode = 'allow' | 'deny';

/** A resolved address egress may not reach; carries the reason for the 403. */
export class EgressRefusedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EgressRefusedError';
  }
}

function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** 169.254.0.0/16: link-local, where cloud metadata services answer. */
function linkLocal(address: string): boolean {
  return unmapped(address).startsWith('169.254.');
}

function loopbackOrAny(address: string): boolean {
  const v4 = unmapped(address);
  return v4.startsWith('127.') || v4 === '0.0.0.0' || address === '::1' || address === '::';
}

/**
 * What egress may never reach, checked on every address a host resolves to (so a name that
 * resolves to the metadata service is refused as the literal address is): the link-local
 * range, and this proxy's own listeners (a request to itself would loop).
 */
export class EgressRules {
  private readonly localAddresses: ReadonlySet<string>;

  constructor(private readonly ownPorts: () => readonly number[]) {
    const local = new Set<string>();
    for (const addresses of Object.values(networkInterfaces())) {
      for (const info of addresses ?? []) local.add(info.address);
    }
    this.localAddresses = local;
  }

  /** Why `address` (an IP) port `port` may not be reached; undefined when it may. */
  refusal(address: string, port: number): string | undefined {
    if (linkLocal(address)) {
      return `${address} is link-local (169.254.0.0/16), never reachable through the proxy`;
    }
    if (
      this.ownPorts().includes(port) &&
      (loopbackOrAny(address) || this.localAddresses.has(unmapped(address)))
    ) {
      return `${address}:${port} is this proxy's own listener`;
    }
    return undefined;
  }

  /** For a literal IP host: the refusal, checked before any connection is tried. */
  refusalOfLiteral(host: string, port: number): string | undefined {
    return isIP(host) === 0 ? undefined : this.refusal(host, port);
  }

  /** A `lookup` for net.connect to `port`: the system resolver, with the rules applied. */
  lookupFor(port: number): LookupFunction {
    return (hostname, options: LookupOptions, callback) => {
      lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error !== null) {
          callback(error, '', 0);
          return;
        }
        for (const { address } of addresses) {
          const reason = this.refusal(address, port);
          if (reason !== undefined) {
            callback(new EgressRefusedError(`${hostname}: ${reason}`), '', 0);
            return;
          }
        }
        if (options.all === true) {
          (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      });
    };
  }
}
