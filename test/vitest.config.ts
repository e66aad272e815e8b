import { defineConfig } from 'vitest/config';
import { testTempDirSetup } from '../vitest.shared';

export default defineConfig({
  test: {
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: [testTempDirSetup],
  },
});
