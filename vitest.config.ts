import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships both ESM (.mjs) and CJS builds without an exports map. Node loads the CJS one for our
    // dependencies (Apollo, graphql-tools); vite would give our sources the ESM one, and graphql refuses to mix
    // the two ("Cannot use GraphQLInputObjectType from another module or realm"). Use the one Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Suites start real servers on ephemeral ports; files run in parallel processes.
    pool: 'forks',
  },
});
