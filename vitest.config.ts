import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node loads graphql's CommonJS build (its package has no "exports"), and so do Apollo's packages;
  // Vite would pick its "module" build for our code, and two copies of graphql make Apollo Server
  // take our GraphQLErrors for foreign errors. One copy, as in production.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    // Suites start real servers and databases; two cores are shared by all of them.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
