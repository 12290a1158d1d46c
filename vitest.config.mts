import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The corpus suite needs the corpus folder; `npm run test:corpus` runs it.
    exclude: ['test/corpus/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // Each integration file starts its own service (database, HTTP, Haraka).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
