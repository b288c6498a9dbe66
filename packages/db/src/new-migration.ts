import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseUrl, redact, type Provider } from './database-url.js';
import { DatabaseError, firstLine } from './errors.js';
import { openSchemaEngine } from './schema-engine.js';
import { PRISMA_DIR, migrationsDir, readMigrations } from './schema-files.js';

/** Each migration folder keeps the schema it leads to, so the next migration is a schema diff. */
export const SCHEMA_SNAPSHOT = 'schema.prisma';

const NO_FILTERS = { externalTables: [], externalEnums: [] };

type SchemaFile = { path: string; content: string };

export interface NewMigrationOptions {
  name: string;
  /** A PostgreSQL server the engine can connect to; the diff itself reads no tables. */
  postgresUrl: string;
  schemas: Record<Provider, SchemaFile>;
  prismaDir?: string;
  now?: Date;
}

export interface WrittenMigration {
  provider: Provider;
  directory: string;
}

/**
 * Writes, per provider, the migration from the schema the history leads to (the last
 * migration's snapshot) to the current schema. Writes nothing for a provider whose history
 * already matches; returns what it wrote.
 */
export async function writeNewMigration(options: NewMigrationOptions): Promise<WrittenMigration[]> {
  if (!/^[a-z0-9_]+$/.test(options.name)) {
    throw new Error(`migration name "${options.name}" must be lowercase letters, digits and "_"`);
  }
  const prismaDir = options.prismaDir ?? PRISMA_DIR;
  const scratch = mkdtempSync(join(tmpdir(), 'trellis-migration-'));
  const stamp = timestamp(options.now ?? new Date());
  const written: WrittenMigration[] = [];
  try {
    const engineUrls: Record<Provider, string> = {
      sqlite: `file:${join(scratch, 'scratch.db')}`,
      postgresql: options.postgresUrl,
    };
    for (const provider of ['sqlite', 'postgresql'] as const) {
      const schema = options.schemas[provider];
      const previous = lastSnapshot(provider, prismaDir);
      const script = await diffSchemas(provider, engineUrls[provider], previous, schema);
      if (script === undefined) continue;
      const baseDir = migrationsDir(provider, prismaDir);
      const directory = join(baseDir, `${stamp}_${options.name}`);
      mkdirSync(directory, { recursive: true });
      writeFileSync(join(directory, 'migration.sql'), script);
      writeFileSync(join(directory, SCHEMA_SNAPSHOT), schema.content);
      writeFileSync(
        join(baseDir, 'migration_lock.toml'),
        `# Written by npm run db:new-migration; do not edit.\nprovider = "${provider}"\n`,
      );
      written.push({ provider, directory });
    }
    return written;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function lastSnapshot(provider: Provider, prismaDir: string): SchemaFile | undefined {
  const history = readMigrations(provider, prismaDir);
  const last = history.migrationDirectories.at(-1);
  if (last === undefined) return undefined;
  const path = join(history.baseDir, last.path, SCHEMA_SNAPSHOT);
  if (!existsSync(path)) {
    throw new DatabaseError(
      'migration-failed',
      `${path} is missing: cannot tell what the history leads to`,
    );
  }
  return { path, content: readFileSync(path, 'utf8') };
}

async function diffSchemas(
  provider: Provider,
  engineUrl: string,
  from: SchemaFile | undefined,
  to: SchemaFile,
): Promise<string | undefined> {
  const target = parseDatabaseUrl(engineUrl);
  if (target.provider !== provider) {
    throw new DatabaseError(
      'invalid-database-url',
      `expected a ${provider} URL, got ${redact(engineUrl)}`,
    );
  }
  const { engine, close } = await openSchemaEngine(target, to);
  try {
    const result = await engine.diff({
      from: from ? { tag: 'schemaDatamodel', files: [from] } : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [to] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return isEmptyScript(result.stdout) ? undefined : (result.stdout ?? undefined);
  } catch (cause) {
    throw new DatabaseError('migration-failed', `${provider}: ${firstLine(cause)}`, { cause });
  } finally {
    await close();
  }
}

/**
 * What SQLite's migration history lacks against `schema`, found by replaying the history on
 * a shadow database as `prisma migrate dev` does; an empty answer means no drift.
 */
export async function sqliteDrift(schema: SchemaFile, prismaDir = PRISMA_DIR): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'trellis-drift-'));
  const { engine, close } = await openSchemaEngine(
    parseDatabaseUrl(`file:${join(scratch, 'scratch.db')}`),
    schema,
  );
  try {
    const result = await engine.diff({
      from: { tag: 'migrations', ...readMigrations('sqlite', prismaDir) },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return isEmptyScript(result.stdout) ? '' : (result.stdout ?? '');
  } finally {
    await close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function isEmptyScript(script: string | null): boolean {
  return /^\s*(-- This is an empty migration\.)?\s*$/.test(script ?? '');
}

/** Prisma's migration folder prefix: UTC YYYYMMDDHHMMSS. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
