import { defineConfig } from 'vitest/config';
import { testTempDirSetup } from '../../vitest.shared';

export default defineConfig({
  test: { testTimeout: 120_000, hookTimeout: 120_000, pool: 'forks', globalSetup: [testTempDirSetup] },
});
