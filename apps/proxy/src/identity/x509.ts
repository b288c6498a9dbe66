// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API
// loaded first; ES modules evaluate their imports in order.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

export { x509 };
