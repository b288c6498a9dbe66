import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../src/index.js';
import {
  createTestDatabase,
  testProviders,
  type TestDatabase,
} from '../src/testing/test-databases.js';

const created: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(created.map((database) => database.drop()));
});

describe.each(testProviders())('transactions on %s', (provider) => {
  it("a rolled-back transaction does not undo another request's write", async () => {
    const testDatabase = await createTestDatabase(provider);
    created.push(testDatabase);
    await migrate(testDatabase.url);
    const { prisma, close } = await openDatabase(testDatabase.url);
    try {
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => (inside = resolve));
      const failing = prisma.$transaction(async (tx) => {
        await tx.service.create({ data: { name: 'doomed' } });
        inside();
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('abandon');
      });
      await entered;
      const outside = prisma.service.create({ data: { name: 'kept' } });
      await expect(failing).rejects.toThrow('abandon');
      await outside;
      expect(await prisma.service.findMany({ select: { name: true } })).toEqual([{ name: 'kept' }]);
    } finally {
      await close();
    }
  });
});
