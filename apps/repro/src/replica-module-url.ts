/**
 * The URL of the replica module (src/replica.ts) for the trainer's worker threads: `replica.js` beside the built
 * CLI (tsup bundles this file into dist/cli.js and builds dist/replica.js beside it), `replica.ts` beside this
 * file when the sources run through tsx.
 */
export function replicaModuleUrl(): URL {
  const here = import.meta.url;
  return new URL(/\.ts$/.test(here) ? './replica.ts' : './replica.js', here);
}
