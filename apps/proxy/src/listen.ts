import { formatHostPort, splitHostPort } from '@trellis/contracts';
import type { AddressInfo, Server } from 'node:net';

/** Listens on HOST:PORT; resolves with the address actually bound (port 0 picks one). */
export function listen(server: Server, address: string): Promise<string> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = server.address() as AddressInfo;
      resolve(formatHostPort(bound.address, bound.port));
    });
  });
}
