export {
  DEFAULT_DATABASE_URL,
  openDatabase,
  type Database,
  type PrismaClient,
  type Transaction,
} from './client.js';
export { parseDatabaseUrl, redact, type DatabaseTarget, type Provider } from './database-url.js';
export { DatabaseError, errorMessage } from './errors.js';
export { migrate } from './migrate.js';
export { sqliteDrift, writeNewMigration, type WrittenMigration } from './new-migration.js';
export { readDerivedSchema, readMigrations } from './schema-files.js';
export { Prisma } from './generated/sqlite/client.js';
export type * from './generated/sqlite/models.js';
