import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The global setup every workspace's vitest config names: the temporary files of a test run go, and are removed,
 * together.
 */
export const testTempDirSetup = fileURLToPath(new URL('./scripts/test-temp-dir.ts', import.meta.url));

/** The vitest config of each library package and of repro: long timeouts for training tests, a process per file. */
export const packageTestConfig = defineConfig({
  test: { testTimeout: 120_000, hookTimeout: 120_000, pool: 'forks', globalSetup: [testTempDirSetup] },
});
