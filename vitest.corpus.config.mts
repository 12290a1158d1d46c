import { defineConfig } from 'vitest/config';

// The real-world corpus suite: `DUSTMAIL_CORPUS_DIR=../shared/corpus npm run test:corpus`.
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
