import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDatabaseUrl, redact, type DatabaseTarget } from './database-url.js';
import { DatabaseError, firstLine } from './errors.js';
import { openSchemaEngine } from './schema-engine.js';
import { PRISMA_DIR, readDerivedSchema, readMigrations } from './schema-files.js';

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** Makes sure an SQLite file's folder exists, so a first start creates the database. */
export function prepareTarget(url: string): DatabaseTarget {
  const target = parseDatabaseUrl(url);
  if (target.provider === 'sqlite')
    mkdirSync(dirname(resolve(target.filePath)), { recursive: true });
  return target;
}

/**
 * Applies the migrations not yet recorded in `_prisma_migrations`, each in order; applied ones
 * are skipped, so running it again is a no-op. Returns the names it applied.
 */
export async function migrate(url: string, prismaDir = PRISMA_DIR): Promise<string[]> {
  const target = prepareTarget(url);
  const { engine, close } = await openSchemaEngine(
    target,
    readDerivedSchema(target.provider),
  ).catch((cause: unknown) => {
    throw new DatabaseError(
      'database-unreachable',
      `cannot open the database at ${redact(url)}: ${firstLine(cause)}`,
      { cause },
    );
  });
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: readMigrations(target.provider, prismaDir),
      filters: NO_FILTERS,
    });
    return appliedMigrationNames;
  } catch (cause) {
    throw new DatabaseError(
      looksUnreachable(cause) ? 'database-unreachable' : 'migration-failed',
      `${looksUnreachable(cause) ? 'cannot reach' : 'cannot migrate'} the database at ${redact(url)}: ${firstLine(cause)}`,
      { cause },
    );
  } finally {
    await close();
  }
}

function looksUnreachable(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String(error.cause)}` : String(error);
  return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|Can't reach database|does not exist|authentication failed|unable to open database/i.test(
    text,
  );
}
