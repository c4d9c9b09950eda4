import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites start real servers and databases; two cores are shared by all of them.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
