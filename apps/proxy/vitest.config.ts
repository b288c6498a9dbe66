import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The suite times real sockets (e.g. a 504 within timeout + 50 ms) on a shared 2-core
    // machine: one file at a time keeps other files' load out of those measurements.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
