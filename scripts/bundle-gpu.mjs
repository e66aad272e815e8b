#!/usr/bin/env node
// `npm run bundle:gpu`: packs everything `npm run bench:gpu` needs on an NVIDIA machine that has the GPU driver
// and nothing else (no Node, no internet) into one archive of at most 64 MiB, dist-gpu/bioprop-gpu.tar.xz:
//
//   bioprop-gpu/run-bench-gpu.sh   the one command to run there (arguments go to bench:gpu)
//   bioprop-gpu/runtime/           Debian 12's node, the libraries it links, the Vulkan and EGL loaders
//   bioprop-gpu/app/               bench:gpu compiled to JavaScript, the workspace packages' built files and the
//                                  node_modules files it loads (Dawn's Linux x64 binary among them), and the
//                                  PyTorch script with the rules it imports
//
// There: `tar xf bioprop-gpu.tar.xz && ./bioprop-gpu/run-bench-gpu.sh [--quick]`. Needs an amd64 Debian machine
// with apt (for `apt-get download`), and the packages built (the npm script builds them first).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileHarness, copyAppFiles, tracedFiles } from './bundle-gpu/app-files.mjs';
import { BUILTIN_PATH, buildRuntime, glibcNeeded } from './bundle-gpu/debian-runtime.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist-gpu');
const NAME = 'bioprop-gpu';
const ARCHIVE = join(OUT, `${NAME}.tar.xz`);
/** The issue's limit for the archive. */
const MAX_BYTES = 64 * 1024 * 1024;

/** Files of the repository that bench:gpu reads besides its code: the PyTorch side and the rules it imports. */
const DATA_FILES = ['bench/package.json', 'bench/pytorch_throughput.py', 'reference/pytorch/asym.py'];

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Bytes under a folder (links not followed). */
function folderBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** Fails when a bundled binary links a library that neither the bundle nor glibc provides. */
function checkLinks(runtimeDir, binaries) {
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: `${join(runtimeDir, 'lib')}:${join(runtimeDir, 'lib-fallback')}`,
  };
  for (const bin of binaries) {
    const out = execFileSync('ldd', [bin], { env, encoding: 'utf8' });
    const missing = out.split('\n').filter((l) => l.includes('not found'));
    if (missing.length) throw new Error(`${bin} links libraries the bundle lacks:\n${missing.join('\n')}`);
  }
}

function main() {
  const t0 = Date.now();
  for (const pkg of ['feedback-rules', 'architectures', 'trainer', 'detection']) {
    if (!existsSync(join(ROOT, 'packages', pkg, 'dist'))) {
      throw new Error(`packages/${pkg}/dist is missing: run npm run build (npm run bundle:gpu builds first)`);
    }
  }
  const work = join(OUT, 'work');
  rmSync(work, { recursive: true, force: true });
  rmSync(ARCHIVE, { force: true });
  const stage = join(work, NAME);
  const runtimeDir = join(stage, 'runtime');
  const appDir = join(stage, 'app');

  console.log('bundle:gpu: Debian packages (apt-get download) ...');
  const runtime = buildRuntime(runtimeDir, join(OUT, 'debs'), join(work, 'unpacked'));
  rmSync(join(work, 'unpacked'), { recursive: true, force: true });

  console.log('bundle:gpu: compiling bench:gpu and tracing the files it loads ...');
  return (async () => {
    await compileHarness(ROOT, appDir);
    const files = await tracedFiles(ROOT);
    copyAppFiles(ROOT, appDir, [...files, ...DATA_FILES]);

    const dawn = join(appDir, 'node_modules/webgpu/dist/linux-x64/dawn.node');
    checkLinks(runtimeDir, [join(runtimeDir, 'bin/node'), dawn]);
    const elf = [
      join(runtimeDir, 'bin/node'),
      dawn,
      ...readdirSync(join(runtimeDir, 'lib')).map((f) => join(runtimeDir, 'lib', f)),
    ];
    const glibc = glibcNeeded(elf);

    const script = readFileSync(join(ROOT, 'scripts/bundle-gpu/run-bench-gpu.sh'), 'utf8')
      .replaceAll('@GLIBC_NEEDED@', glibc)
      .replaceAll('@BUILTIN_PATH@', BUILTIN_PATH);
    writeFileSync(join(stage, 'run-bench-gpu.sh'), script);
    chmodSync(join(stage, 'run-bench-gpu.sh'), 0o755);
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    writeFileSync(
      join(stage, 'BUNDLE.txt'),
      [
        `BioProp bench:gpu bundle, made by npm run bundle:gpu from commit ${commit} on ${new Date().toISOString()}.`,
        '',
        'Run: ./run-bench-gpu.sh [--quick] [--help]',
        `Node: ${runtime.nodeVersion} (Debian 12's nodejs; its built-in modules read from ${BUILTIN_PATH},`,
        '      a link that run-bench-gpu.sh makes to runtime/nodejs)',
        `Needs: x86-64 Linux with glibc ${glibc} or newer; a GPU driver with Vulkan (NVIDIA: its Vulkan ICD file);`,
        '       for the PyTorch column, a python3 whose torch has CUDA.',
        '',
        'Debian packages (licenses in runtime/licenses/):',
        ...runtime.packages.map((p) => `  ${p}`),
        '',
        `Application files (${files.length + DATA_FILES.length}, from the repository):`,
        ...[...files, ...DATA_FILES].map((f) => `  ${f}`),
        '',
      ].join('\n'),
    );

    console.log('bundle:gpu: compressing (xz -9) ...');
    mkdirSync(OUT, { recursive: true });
    const tar = ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-C', work, '-cf', '-', NAME];
    execFileSync('sh', ['-c', `tar ${tar.map((a) => `'${a}'`).join(' ')} | xz -9 -T0 > '${ARCHIVE}'`], {
      stdio: 'inherit',
    });
    const size = statSync(ARCHIVE).size;
    const parts = [
      [
        'runtime/bin + lib (node, its libraries, Vulkan/EGL loaders)',
        folderBytes(join(runtimeDir, 'bin')) + folderBytes(join(runtimeDir, 'lib')),
      ],
      ['runtime/lib-fallback (C++ runtime)', folderBytes(join(runtimeDir, 'lib-fallback'))],
      ['runtime/nodejs (built-in modules)', folderBytes(join(runtimeDir, 'nodejs'))],
      [
        'app/node_modules (Dawn: ' + mib(statSync(dawn).size) + ')',
        folderBytes(join(appDir, 'node_modules')),
      ],
      ['app/packages + bench + reference', folderBytes(appDir) - folderBytes(join(appDir, 'node_modules'))],
    ];
    console.log('');
    for (const [what, bytes] of parts) console.log(`  ${mib(bytes).padStart(10)}  ${what}`);
    console.log(`  ${mib(folderBytes(stage)).padStart(10)}  unpacked in all`);
    console.log('');
    console.log(
      `${ARCHIVE}: ${mib(size)} (${size} bytes; limit ${mib(MAX_BYTES)}), glibc >= ${glibc}, node ${runtime.nodeVersion}`,
    );
    console.log(
      `Made in ${((Date.now() - t0) / 1000).toFixed(0)} s. There: tar xf ${NAME}.tar.xz && ./${NAME}/run-bench-gpu.sh [--quick]`,
    );
    if (size > MAX_BYTES) {
      rmSync(ARCHIVE);
      throw new Error(`the archive is ${mib(size)}, over the ${mib(MAX_BYTES)} limit: removed`);
    }
  })();
}

Promise.resolve()
  .then(main)
  .catch((err) => {
    console.error(`bundle:gpu FAILED: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  });
