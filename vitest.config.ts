import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Generous: crash tests spawn many processes beside the other suites on two cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // DuckDB and the weir binary use real files and processes; two cores are all there is.
    pool: 'forks',
    maxWorkers: 2,
  },
});
