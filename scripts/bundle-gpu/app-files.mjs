// The JavaScript side of the bench:gpu bundle: the harness compiled to plain JavaScript (so that no TypeScript
// loader has to travel), and the exact files of node_modules and of the workspace packages that Node loads to
// run it, found by letting esbuild resolve every import the way Node does.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';

/** Entry points of bench:gpu: the harness and the worker it starts once per measurement. */
const ENTRIES = { gpu: 'bench/src/gpu.ts', 'gpu-worker': 'bench/src/gpu-worker.ts' };

/**
 * Modules the code imports by a name computed at run time (the trainer's optional backends), which no bundler
 * can follow: listed here so that their files are traced too. tfjs-node-gpu is left out: it is optional and
 * never installed where the bundle is made.
 */
const DYNAMIC_IMPORTS = ['@tensorflow/tfjs-backend-webgpu', 'webgpu'];

/** Files that Node loads but no import names: Dawn's native module for Linux x64 (webgpu's index.js builds its path). */
const NATIVE_FILES = ['node_modules/webgpu/dist/linux-x64/dawn.node'];

/** Node 18 is the oldest runtime the bundle carries (Debian 12's). */
const TARGET = 'node18';

/**
 * Compiles bench:gpu's entry points into `<appDir>/bench/dist/*.js`, one ES module each, with every package
 * left as an import: the packages travel as they are, so that tfjs and its backends share one instance.
 */
export async function compileHarness(root, appDir) {
  await build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir: join(appDir, 'bench', 'dist'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: TARGET,
    logLevel: 'warning',
  });
}

/**
 * The files, relative to `root`, that Node loads to run the harness: esbuild resolves every static import and
 * require as Node does (`main` for packages without `exports`, the `import` and `node` conditions otherwise), and
 * its metafile lists what it read. Symbolic links (the workspace packages in node_modules) are resolved to the
 * real files, so the caller also recreates the links.
 */
export async function tracedFiles(root) {
  const contents = [...Object.values(ENTRIES), ...DYNAMIC_IMPORTS]
    .map((m) => `import ${JSON.stringify(m.startsWith('bench/') ? `./${m}` : m)};`)
    .join('\n');
  const result = await build({
    absWorkingDir: root,
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: TARGET,
    mainFields: ['main'],
    loader: { '.node': 'empty' },
    logLevel: 'error',
  });
  const files = new Set(NATIVE_FILES);
  for (const input of Object.keys(result.metafile.inputs)) {
    const abs = resolve(root, input);
    const rel = relative(root, abs);
    if (rel.startsWith(`bench${sep}src${sep}`) || rel.startsWith('..') || input.startsWith('<stdin>'))
      continue;
    files.add(rel);
  }
  // Node reads each package's package.json to resolve it and to know whether its .js files are ES modules.
  for (const rel of [...files]) {
    for (let dir = dirname(rel); dir !== '.' && dir !== ''; dir = dirname(dir)) {
      for (const extra of ['package.json', 'LICENSE', 'LICENSE.md', 'LICENSE.txt']) {
        if (existsSync(join(root, dir, extra))) files.add(join(dir, extra));
      }
    }
  }
  return [...files].sort();
}

/** The workspace packages' links in node_modules (`node_modules/@bioprop/trainer -> ../../packages/trainer`). */
function workspaceLinks(root) {
  const links = [];
  const scan = (dir) => {
    for (const name of readdirSync(join(root, dir))) {
      const rel = join(dir, name);
      const st = lstatSync(join(root, rel));
      if (st.isSymbolicLink()) links.push({ rel, target: readlinkSync(join(root, rel)) });
      else if (name.startsWith('@') && st.isDirectory()) scan(rel);
    }
  };
  scan('node_modules');
  return links;
}

/**
 * Copies the traced files into `appDir` under the same relative paths, then recreates the workspace links whose
 * packages travel, so that Node resolves `@bioprop/trainer` from the harness as it does in the repository.
 */
export function copyAppFiles(root, appDir, files) {
  for (const rel of files) {
    mkdirSync(dirname(join(appDir, rel)), { recursive: true });
    cpSync(join(root, rel), join(appDir, rel), { dereference: true });
  }
  for (const { rel, target } of workspaceLinks(root)) {
    const to = resolve(dirname(join(root, rel)), target);
    if (!existsSync(join(appDir, relative(root, to)))) continue;
    mkdirSync(dirname(join(appDir, rel)), { recursive: true });
    symlinkSync(target, join(appDir, rel));
  }
}
