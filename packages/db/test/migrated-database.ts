import { afterAll } from 'vitest';
import { migrate, openDatabase, type Database, type Provider } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-databases.js';

const created: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(created.map((database) => database.drop()));
});

/** A fresh, migrated database of `provider`, opened; dropped after the file's tests. */
export async function openMigratedDatabase(provider: Provider): Promise<Database> {
  const testDatabase = await createTestDatabase(provider);
  created.push(testDatabase);
  await migrate(testDatabase.url);
  return openDatabase(testDatabase.url);
}
