import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveSchema } from '../scripts/derive-schema.mjs';
import {
  migrate,
  openDatabase,
  readDerivedSchema,
  readMigrations,
  sqliteDrift,
  writeNewMigration,
} from '../src/index.js';
import { SCHEMA_SNAPSHOT } from '../src/new-migration.js';
import { PRISMA_DIR } from '../src/schema-files.js';
import {
  POSTGRES_URL_VARIABLE,
  createTestDatabase,
  testProviders,
  type TestDatabase,
} from '../src/testing/test-databases.js';

const created: TestDatabase[] = [];
async function freshDatabase(provider: 'sqlite' | 'postgresql') {
  const database = await createTestDatabase(provider);
  created.push(database);
  return database.url;
}
afterAll(async () => {
  await Promise.all(created.map((database) => database.drop()));
});

const history = readMigrations('sqlite').migrationDirectories.map((m) => m.path);

describe('the committed migration history', () => {
  it('matches prisma/schema.prisma (no drift)', async () => {
    expect(await sqliteDrift(readDerivedSchema('sqlite'))).toBe('');
  });

  it("keeps the current schema as the newest migration's snapshot", () => {
    // Two branches that each add a migration merge into a history whose newest snapshot lacks
    // the other's change; the next migration would then repeat it. Refresh the snapshot after
    // such a merge (the drift test above proves the history itself is complete).
    for (const provider of ['sqlite', 'postgresql'] as const) {
      const { baseDir, migrationDirectories } = readMigrations(provider);
      const newest = migrationDirectories.at(-1)!.path;
      expect(readFileSync(join(baseDir, newest, SCHEMA_SNAPSHOT), 'utf8')).toBe(
        readDerivedSchema(provider).content,
      );
    }
  });

  it('has the same migrations for both providers', () => {
    expect(readMigrations('postgresql').migrationDirectories.map((m) => m.path)).toEqual(history);
  });
});

describe.each(testProviders())('migrate on %s', (provider) => {
  it('applies the whole history to an empty database, then is a no-op', async () => {
    const url = await freshDatabase(provider);
    expect(await migrate(url)).toEqual(history);
    expect(await migrate(url)).toEqual([]);
    const database = await openDatabase(url);
    try {
      await database.prisma.service.create({ data: { name: 'catalog' } });
      expect(await database.prisma.service.count()).toBe(1);
    } finally {
      await database.close();
    }
  });
});

const postgresUrl = process.env[POSTGRES_URL_VARIABLE];

describe.skipIf(!postgresUrl)('a migration written from a schema change', () => {
  const prismaDir = mkdtempSync(join(tmpdir(), 'trellis-prisma-'));
  afterAll(() => rmSync(prismaDir, { recursive: true, force: true }));
  cpSync(PRISMA_DIR, prismaDir, { recursive: true });
  const changed = `${readFileSync(join(PRISMA_DIR, 'schema.prisma'), 'utf8')}
model Annotation {
  id      Int    @id @default(autoincrement())
  service String
  text    String

  @@index([service])
}
`;
  const schemas = {
    sqlite: { path: 'sqlite.prisma', content: deriveSchema(changed, 'sqlite') },
    postgresql: { path: 'postgresql.prisma', content: deriveSchema(changed, 'postgresql') },
  };
  const now = new Date('2099-01-02T03:04:05Z');

  it('is written for both providers, and only once', async () => {
    const written = await writeNewMigration({
      name: 'add_annotation',
      postgresUrl: postgresUrl!,
      schemas,
      prismaDir,
      now,
    });
    expect(written.map((w) => [w.provider, w.directory.split('/').at(-1)])).toEqual([
      ['sqlite', '20990102030405_add_annotation'],
      ['postgresql', '20990102030405_add_annotation'],
    ]);
    expect(
      await writeNewMigration({
        name: 'again',
        postgresUrl: postgresUrl!,
        schemas,
        prismaDir,
        now,
      }),
    ).toEqual([]);
    expect(await sqliteDrift(schemas.sqlite, prismaDir)).toBe('');
  });

  it.each(testProviders())('applies cleanly on %s after the existing history', async (provider) => {
    const url = await freshDatabase(provider);
    expect(await migrate(url)).toEqual(history);
    expect(await migrate(url, prismaDir)).toEqual(['20990102030405_add_annotation']);
    expect(await migrate(url, prismaDir)).toEqual([]);
    const database = await openDatabase(url);
    try {
      await database.prisma.$executeRawUnsafe(
        `INSERT INTO "Annotation" ("service", "text") VALUES ('catalog', 'deployed')`,
      );
      const rows = await database.prisma.$queryRawUnsafe<{ text: string }[]>(
        `SELECT "text" FROM "Annotation"`,
      );
      expect(rows).toEqual([{ text: 'deployed' }]);
    } finally {
      await database.close();
    }
  });
});
