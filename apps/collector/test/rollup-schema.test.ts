import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database, type Provider } from '@trellis/db';
import { createTestDatabase, testProviders, type TestDatabase } from '@trellis/db/testing';
import { KEY_COLUMNS, ROLLUP_FIELDS } from '../src/rollup/rollup-fields.js';

/** The migrated `Rollup` table's columns and whether each holds integers or floats. */
async function rollupColumns(
  database: Database,
  provider: Provider,
): Promise<Record<string, 'integer' | 'float' | 'text'>> {
  const rows =
    provider === 'sqlite'
      ? await database.prisma.$queryRawUnsafe<Array<{ name: string; type: string }>>(
          `SELECT name, type FROM pragma_table_info('Rollup')`,
        )
      : await database.prisma.$queryRawUnsafe<Array<{ name: string; type: string }>>(
          `SELECT column_name AS name, data_type AS type FROM information_schema.columns
           WHERE table_name = 'Rollup'`,
        );
  return Object.fromEntries(
    rows.map(({ name, type }) => {
      const lower = type.toLowerCase();
      const kind = /int/.test(lower)
        ? 'integer'
        : /real|double|float/.test(lower)
          ? 'float'
          : 'text';
      return [name, kind];
    }),
  );
}

describe.each(testProviders())('the rollup field table and the Rollup table on %s', (provider) => {
  let testDatabase: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    await migrate(testDatabase.url);
    database = await openDatabase(testDatabase.url);
  });

  afterAll(async () => {
    await database.close();
    await testDatabase.drop();
  });

  it('have the same columns, each of the type its field kind needs', async () => {
    const expected: Record<string, string> = {
      resolutionSeconds: 'integer',
      bucketStart: 'integer',
      ...Object.fromEntries(KEY_COLUMNS.map((column) => [column, 'text'])),
      ...Object.fromEntries(
        ROLLUP_FIELDS.map((field) => [
          field.column,
          field.kind === 'seconds' ? 'float' : 'integer',
        ]),
      ),
    };
    expect(await rollupColumns(database, provider)).toEqual(expected);
  });
});

describe('the rollup field table', () => {
  it('name every field and column once', () => {
    const names = ROLLUP_FIELDS.map((field) => `${field.kind}:${field.name}`);
    const columns = ROLLUP_FIELDS.map((field) => field.column);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(columns).size).toBe(columns.length);
  });
});
