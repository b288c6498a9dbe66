import { defineConfig, mergeConfig } from 'vitest/config';
import config from './vitest.config';

/** The fast unit tests that guard the modules under mutation (`npm run test:mutation`). */
export default mergeConfig(
  config,
  defineConfig({ test: { include: ['test/counter-deltas.test.ts', 'test/policy-store.test.ts'] } }),
);
