import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.library';

// The replica worker is an entry of its own: data-parallel training starts it as a worker thread from the
// built files (dist/replica-worker.js). `shims` gives the CommonJS build the `import.meta.url` that finds it.
export default defineConfig({
  ...(libraryConfig as object),
  entry: { index: 'src/index.ts', 'replica-worker': 'src/data-parallel/replica-worker.ts' },
  shims: true,
});
