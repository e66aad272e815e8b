import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const isTypeScript = (url: string) => /\.[mc]?ts$/.test(url);

/**
 * Starts a replica worker. From the built package the entry is `replica-worker.js` beside this code. From the
 * sources (the package's own tests) the entry, or a replica module, is TypeScript, which Node's workers cannot
 * load and do not take loader flags for: a small bootstrap registers tsx's loader in the worker first.
 */
export function startReplicaWorker(replicaModule: string, options: WorkerOptions): Worker {
  const here = import.meta.url;
  const fromSources = isTypeScript(here);
  const entry = new URL(fromSources ? './replica-worker.ts' : './replica-worker.js', here).href;
  if (!fromSources && !isTypeScript(replicaModule)) return new Worker(fileURLToPath(entry), options);
  let tsxApi: string;
  try {
    // require.resolve finds the CommonJS build; its loader must be registered from the ES module build beside it.
    const cjs = createRequire(fileURLToPath(here)).resolve('tsx/esm/api');
    const esm = cjs.replace(/\.cjs$/, '.mjs');
    tsxApi = pathToFileURL(existsSync(esm) ? esm : cjs).href;
  } catch {
    throw new Error(
      `data-parallel training: the replica module ${replicaModule} is TypeScript; install tsx to load it`,
    );
  }
  const bootstrap =
    `import(${JSON.stringify(tsxApi)}).then((m) => { (m.register ?? m.default.register)(); ` +
    `return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
