import { migrate, openDatabase, readMigrations, type Database } from '@trellis/db';

/**
 * Opens the database for a short-lived command (`token …`), migrating only when migrations
 * are pending. Migrating an SQLite file that a running collector holds open fails on its
 * lock, and a token is typically created while the collector runs.
 */
export async function openCurrentDatabase(url: string): Promise<Database> {
  const database = await openDatabase(url);
  if (await isCurrent(database)) return database;
  await database.close();
  await migrate(url);
  return openDatabase(url);
}

async function isCurrent(database: Database): Promise<boolean> {
  const expected = readMigrations(database.provider).migrationDirectories.map((m) => m.path);
  try {
    const rows = await database.prisma.$queryRawUnsafe<Array<{ migration_name: string }>>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    return expected.every((name) => applied.has(name));
  } catch {
    // No migrations table yet: a new database.
    return false;
  }
}
