import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '@trellis/db';
import { countTokens, createToken } from './token-store.js';

export const FIRST_TOKEN_NAME = 'operator';
export const OPERATOR_TOKEN_FILE = 'operator.token';

/**
 * On a first start (no token at all) creates an operator token and writes it to
 * `<dataDir>/operator.token`, readable by the owner only, so the demo and the dashboard can
 * log in without anyone copying it from the log. Returns the token and file when it did.
 */
export async function ensureFirstOperatorToken(
  database: Database,
  dataDir: string,
): Promise<{ token: string; file: string } | undefined> {
  if ((await countTokens(database)) > 0) return undefined;
  const { token } = await createToken(database, { role: 'operator', name: FIRST_TOKEN_NAME });
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, OPERATOR_TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}
