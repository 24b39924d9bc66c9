import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'db/**/*.test.ts', 'server/**/*.test.ts', 'bot/**/*.test.ts', 'cards/**/*.test.ts', 'test/**/*.test.ts', 'miniapp/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: process.env.SANSE_TEST_DB === 'mysql' ? false : true,
  },
});
