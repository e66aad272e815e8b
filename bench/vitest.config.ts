import { defineConfig } from 'vitest/config';
import { testTempDirSetup } from '../vitest.shared';

// Unit tests of the harness's pure parts (options, tables, targets), and one end-to-end smoke run: bench:gpu
// --quick on any WebGPU adapter (about a minute on Mesa's software one), src/gpu-quick.test.ts.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], globalSetup: [testTempDirSetup] },
});
