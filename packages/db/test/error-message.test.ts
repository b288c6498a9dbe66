import { afterAll, describe, expect, it } from 'vitest';
import { errorMessage, migrate, openDatabase } from '../src/index.js';
import {
  createTestDatabase,
  testProviders,
  type TestDatabase,
} from '../src/testing/test-databases.js';

const created: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(created.map((database) => database.drop()));
});

describe.each(testProviders())('error messages on %s', (provider) => {
  it('say which call failed and why, in one line', async () => {
    const testDatabase = await createTestDatabase(provider);
    created.push(testDatabase);
    await migrate(testDatabase.url);
    const { prisma, close } = await openDatabase(testDatabase.url);
    try {
      const token = { id: 'a', name: 'vera', role: 'viewer', tokenHash: 'same' };
      await prisma.apiToken.create({ data: token });
      const error = await prisma.apiToken.create({ data: { ...token, id: 'b' } }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      const message = errorMessage(error);
      expect(message).toMatch(/^prisma\.apiToken\.create\(\): .*Unique constraint failed/);
      expect(message).not.toContain('\n');
    } finally {
      await close();
    }
  });
});
