import { defineConfig } from 'tsup';

export default defineConfig({
  // The replica module is its own file: data-parallel workers import it (src/replica-module-url.ts).
  entry: ['src/cli.ts', 'src/replica.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  external: [/^@tensorflow\//, /^@bioprop\//, 'sharp', 'vega', 'vega-lite', '@resvg/resvg-js', 'commander'],
});
