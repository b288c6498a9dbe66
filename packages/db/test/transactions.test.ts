import { describe, expect, it } from 'vitest';
import { testProviders } from '../src/testing/test-databases.js';
import { openMigratedDatabase } from './migrated-database.js';

describe.each(testProviders())('transactions on %s', (provider) => {
  it("a rolled-back transaction does not undo another request's write", async () => {
    const { prisma, close } = await openMigratedDatabase(provider);
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
