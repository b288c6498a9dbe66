import { defineConfig, mergeConfig } from 'vitest/config';
import config from './vitest.config';

/** The fast unit tests that guard the modules under mutation (`npm run test:mutation`). */
export default mergeConfig(
  config,
  defineConfig({ test: { include: ['test/retry-budget.test.ts', 'test/route-table.test.ts'] } }),
);
