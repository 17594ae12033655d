// End-to-end tests in a real browser (Debian's Chromium driven by playwright-core): `npm run test:e2e`, which builds
// the UI first. Kept out of `npm test`, whose config excludes test/e2e, so unit and gateway tests stay fast.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: {
    // As in the main vitest.config.ts: one graphql module for our sources and our dependencies.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One browser at a time: two Chromiums on a two-core machine make both suites slow and flaky.
    fileParallelism: false,
  },
});
