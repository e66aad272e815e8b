import { defineConfig } from 'tsup';

/** Build of every library package: ESM + CJS + types from src/index.ts; tfjs and our packages stay external. */
export const libraryConfig = defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: [/^@tensorflow\//, /^@bioprop\//],
});
