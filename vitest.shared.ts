import { fileURLToPath } from 'node:url';

/** The global setup every workspace's vitest config names: temporary files of a test run go, and are removed, together. */
export const testTempDirSetup = fileURLToPath(new URL('./scripts/test-temp-dir.ts', import.meta.url));
