import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresClient } from './generated/postgresql/client.js';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { redact, type Provider } from './database-url.js';
import { DatabaseError, firstLine } from './errors.js';
import { prepareTarget } from './migrate.js';

export const DEFAULT_DATABASE_URL = 'file:./data/trellis.db';

/**
 * The clients generated for each provider have the same model API for this schema (it uses
 * no provider-specific types), so the rest of Trellis codes against one of them.
 */
export type PrismaClient = SqliteClient;

/** A Prisma transaction client: what `$transaction(async (tx) => …)` hands its callback. */
export type Transaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface Database {
  provider: Provider;
  prisma: PrismaClient;
  close(): Promise<void>;
}

/** Connects to the database at `url` and checks that it answers; does not migrate. */
export async function openDatabase(url: string = DEFAULT_DATABASE_URL): Promise<Database> {
  const target = prepareTarget(url);
  const prisma =
    target.provider === 'sqlite'
      ? new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: target.url }) })
      : (new PostgresClient({
          adapter: new PrismaPg({ connectionString: target.url }),
        }) as unknown as PrismaClient);
  try {
    if (target.provider === 'sqlite') {
      // WAL lets the API read while the scrape loop writes; NORMAL sync is durable across
      // process crashes, which is what a restart needs.
      await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
      await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
      await prisma.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
    } else {
      await prisma.$queryRawUnsafe('SELECT 1');
    }
  } catch (cause) {
    await prisma.$disconnect().catch(() => {});
    throw new DatabaseError(
      'database-unreachable',
      `cannot reach the database at ${redact(url)}: ${firstLine(cause)}`,
      { cause },
    );
  }
  return { provider: target.provider, prisma, close: () => prisma.$disconnect() };
}
