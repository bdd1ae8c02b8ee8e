import { defineConfig } from 'vitest/config';

/** `npm run test:cluster`: the three-node Galera cluster test (test/cluster/), apart from `npm test`. */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.cluster.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
