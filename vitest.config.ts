import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/golden/**/*.test.ts', 'test/property/**/*.test.ts', 'test/oracle/**/*.test.ts', 'test/support/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // Real processes, databases and daemons: one file at a time on a 2-core machine.
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
