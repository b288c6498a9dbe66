import { defineConfig } from 'vitest/config';

/** The fast unit tests that guard the modules under mutation (`npm run test:mutation`). */
export default defineConfig({
  test: { include: ['test/quantile.test.ts', 'test/merge.test.ts', 'test/fraction-above.test.ts'] },
});
