import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: many tests run the real CLI, engine and sandbox as child processes on two shared cores.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Two cores: tests spawn engines, sandboxes and servers of their own; keep files from oversubscribing.
    maxWorkers: 2,
    // Where real-data tests find ../shared/data (set by .ci/run; absent on a bare machine → those tests skip).
    env: { DSEVAL_TEST: '1' },
  },
});
