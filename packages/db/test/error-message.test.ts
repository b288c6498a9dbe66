import { describe, expect, it } from 'vitest';
import { errorMessage } from '../src/index.js';
import { testProviders } from '../src/testing/test-databases.js';
import { openMigratedDatabase } from './migrated-database.js';

describe.each(testProviders())('error messages on %s', (provider) => {
  it('say which call failed and why, in one line', async () => {
    const { prisma, close } = await openMigratedDatabase(provider);
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
