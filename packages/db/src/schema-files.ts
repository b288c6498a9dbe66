import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import type { Provider } from './database-url.js';

/** Where the repository keeps the schema and migrations; src/ and dist/ sit at the same depth. */
export const PRISMA_DIR = fileURLToPath(new URL('../../../prisma/', import.meta.url));
const DERIVED_DIR = fileURLToPath(new URL('../generated-schema/', import.meta.url));

/** The provider's schema, as derived from prisma/schema.prisma by `scripts/generate.mjs`. */
export function readDerivedSchema(provider: Provider): { path: string; content: string } {
  const path = join(DERIVED_DIR, `${provider}.prisma`);
  return { path, content: readFileSync(path, 'utf8') };
}

export function migrationsDir(provider: Provider, prismaDir = PRISMA_DIR): string {
  return join(prismaDir, 'migrations', provider);
}

/** The migration history on disk, in the shape the schema engine reads. */
export function readMigrations(provider: Provider, prismaDir = PRISMA_DIR): MigrationList {
  const baseDir = migrationsDir(provider, prismaDir);
  const lockPath = join(baseDir, 'migration_lock.toml');
  const names = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  return {
    baseDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => {
      const file = join(baseDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file)
            ? { tag: 'ok' as const, value: readFileSync(file, 'utf8') }
            : { tag: 'error' as const, value: `${file} is missing` },
        },
      };
    }),
  };
}
