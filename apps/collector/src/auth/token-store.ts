import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { API_ERRORS, type Role } from '@trellis/contracts';
import type { Database } from '@trellis/db';
import { ApiError } from '../http/api-error.js';

/**
 * API bearer tokens. A token is 32 random bytes, so a single fast SHA-256 is a sound hash
 * (there is nothing to brute-force that a slow hash would protect); only the hash is stored.
 */

export const TOKEN_PREFIX = 'trellis_';

/** Whom a request acts as. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  /** The service a proxy token is bound to; null for viewers, operators and unbound proxy tokens. */
  service: string | null;
}

export interface TokenInfo extends Principal {
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedToken extends Principal {
  /** The secret itself: shown once, never stored. */
  token: string;
}

/** lastUsedAt is a hint for operators; writing it on every heartbeat would be a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Creates a token; its name must not belong to another active token (revoke uses names).
 * A proxy token is bound to `service`; other roles take none.
 */
export async function createToken(
  database: Database,
  { role, name, service = null }: { role: Role; name: string; service?: string | null },
): Promise<CreatedToken> {
  if ((role === 'proxy') !== (service !== null)) {
    throw new ApiError(
      API_ERRORS.invalidRequest,
      role === 'proxy' ? 'a proxy token needs a service' : `a ${role} token takes no service`,
    );
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  // Returns rather than throws on a taken name: a rollback on SQLite would also undo other
  // requests' statements that ran on the shared connection meanwhile.
  const created = await database.prisma.$transaction(async (tx) => {
    // Write first: SQLite starts a transaction as a reader, and one that reads and then
    // writes fails at once, without waiting out the busy timeout, when another process (the
    // running collector, for this command) committed in between. A write takes the lock first.
    await tx.$executeRaw`UPDATE "ApiToken" SET "name" = "name" WHERE 1 = 0`;
    if (await tx.apiToken.findFirst({ where: { name, revokedAt: null } })) return false;
    await tx.apiToken.create({ data: { id, name, role, service, tokenHash: hashToken(token) } });
    return true;
  });
  if (!created) {
    throw new ApiError(API_ERRORS.tokenNameTaken, `an active token is already named "${name}"`);
  }
  return { id, name, role, service, token };
}

export async function listTokens(database: Database): Promise<TokenInfo[]> {
  const rows = await database.prisma.apiToken.findMany({ orderBy: [{ createdAt: 'asc' }] });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    role: row.role as Role,
    service: row.service,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  }));
}

/** Revokes the active token named `name`; it stops working on the next request. */
export async function revokeToken(database: Database, name: string): Promise<void> {
  const { count } = await database.prisma.apiToken.updateMany({
    where: { name, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0)
    throw new ApiError(API_ERRORS.tokenNotFound, `no active token is named "${name}"`);
}

export async function countTokens(database: Database): Promise<number> {
  return database.prisma.apiToken.count();
}

/** The principal an active token stands for, or undefined for an unknown or revoked one. */
export async function authenticate(
  database: Database,
  token: string,
  now = new Date(),
): Promise<Principal | undefined> {
  const hash = hashToken(token);
  const row = await database.prisma.apiToken.findUnique({ where: { tokenHash: hash } });
  // The lookup is by hash, but comparing the found hash in constant time keeps the decision
  // itself free of early exits that timing could reveal.
  if (!row || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash))) return undefined;
  if (row.revokedAt !== null) return undefined;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await database.prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, name: row.name, role: row.role as Role, service: row.service };
}
