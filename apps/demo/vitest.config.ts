import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each file starts real processes (proxies, a collector); on a 2-core machine two such
    // files at once would slow each other past their deadlines.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
