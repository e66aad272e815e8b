import { defineConfig } from 'vitest/config';

// Unit tests of the harness's pure parts (options, tables, targets); no measurement runs under vitest.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'] },
});
