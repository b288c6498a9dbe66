import type { Database } from '@trellis/db';
import type { TokenAction } from '../config.js';
import { createToken, listTokens, revokeToken } from './token-store.js';

/** `trellis-collector token …`: does what was asked and returns the lines to print. */
export async function runTokenCommand(database: Database, command: TokenAction): Promise<string[]> {
  switch (command.action) {
    case 'create': {
      const created = await createToken(database, command);
      return [created.token];
    }
    case 'list': {
      const tokens = await listTokens(database);
      return [
        ['NAME', 'ROLE', 'SERVICE', 'CREATED', 'LAST USED', 'REVOKED'].join('\t'),
        ...tokens.map((token) =>
          [
            token.name,
            token.role,
            token.service ?? '-',
            token.createdAt.toISOString(),
            token.lastUsedAt?.toISOString() ?? '-',
            token.revokedAt?.toISOString() ?? '-',
          ].join('\t'),
        ),
      ];
    }
    case 'revoke':
      await revokeToken(database, command.name);
      return [`revoked token "${command.name}"`];
  }
}
