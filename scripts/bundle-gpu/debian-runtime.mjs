// The native side of the bench:gpu bundle, all from Debian's packages: a Node runtime (Debian 12 ships Node 18,
// as `nodejs` with its library `libnode108`), the shared libraries Node needs that a machine with only a GPU driver
// may lack, and the Vulkan and EGL loaders through which Dawn reaches the NVIDIA driver.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Packages whose shared libraries go into `runtime/lib`: Node's library and the libraries it links (ldd of
 * Debian's node), then the loaders Dawn opens (Vulkan; EGL and OpenGL ES through glvnd, for Dawn's GL path).
 */
const LIBRARY_PACKAGES = [
  'libnode108',
  'libuv1',
  'libbrotli1',
  'libc-ares2',
  'libnghttp2-14',
  'libssl3',
  'libicu72',
  'zlib1g',
  'libvulkan1',
  'libegl1',
  'libglvnd0',
  'libgles2',
];

/**
 * The C++ runtime, which nearly every Linux has (the NVIDIA driver's own tools need it): used only where the
 * machine's copy is missing or older than Debian 12's, since a newer one elsewhere must win.
 */
const FALLBACK_PACKAGES = ['libstdc++6', 'libgcc-s1'];

/**
 * Debian's node loads three of its built-in modules, which Debian packages apart, from /usr/share/nodejs at start:
 * the packages that hold them and the folders it reads.
 */
const BUILTIN_PACKAGES = ['node-cjs-module-lexer', 'node-acorn', 'node-undici'];
const BUILTIN_FOLDERS = ['cjs-module-lexer', 'acorn', 'acorn-walk', 'undici'];

/**
 * Where the bundle's node looks for them instead: a path of the same length written into its copy of libnode
 * (a compiled-in absolute path cannot be moved otherwise), which run-bench-gpu.sh links to the bundled copies.
 */
export const BUILTIN_PATH = '/tmp/bioprop-node/';
const DEBIAN_BUILTIN_PATH = '/usr/share/nodejs/';

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/**
 * The version of `pkg` that Debian's archive offers (not a locally installed build from elsewhere, such as a
 * NodeSource `nodejs`): the first line of `apt-cache madison`, which lists archive versions only.
 */
function archiveVersion(pkg) {
  const line = run('apt-cache', ['madison', pkg])
    .split('\n')
    .find((l) => l.includes('|'));
  if (!line) throw new Error(`apt-cache knows no archive version of ${pkg}: run apt-get update first`);
  return line.split('|')[1].trim();
}

/** Downloads the packages with `apt-get download` into `debDir` (kept between runs), returns their .deb paths. */
function download(debDir, packages) {
  mkdirSync(debDir, { recursive: true });
  const wanted = packages.map((p) => `${p}=${archiveVersion(p)}`);
  // apt-get names a file name_version_arch.deb, an epoch's colon written as %3a.
  const prefixOf = (w) => {
    const [name, version] = w.split('=');
    return `${name}_${version.replace(':', '%3a')}_`;
  };
  const missing = wanted.filter((w) => !readdirSync(debDir).some((f) => f.startsWith(prefixOf(w))));
  if (missing.length) run('apt-get', ['download', '-q', ...missing], { cwd: debDir });
  return wanted.map((w) => {
    const prefix = prefixOf(w);
    const deb = readdirSync(debDir).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download left no ${prefix}*.deb in ${debDir}`);
    return join(debDir, deb);
  });
}

/** Unpacks a .deb into `dir` with dpkg-deb (its files only; nothing is installed). */
function unpack(deb, dir) {
  mkdirSync(dir, { recursive: true });
  run('dpkg-deb', ['-x', deb, dir]);
}

/** The shared libraries (files and their soname links) an unpacked package holds, from Debian's library folders. */
function sharedLibraries(dir) {
  const found = [];
  for (const libDir of ['usr/lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu']) {
    const abs = join(dir, libDir);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs)) if (/\.so(\.\d+)+$/.test(name)) found.push(join(abs, name));
  }
  return found;
}

/** Copies one package's license text (Debian's copyright file) under `runtime/licenses/<package>`. */
function copyLicense(unpacked, pkg, runtimeDir) {
  const src = join(unpacked, 'usr/share/doc', pkg, 'copyright');
  if (!existsSync(src)) return;
  mkdirSync(join(runtimeDir, 'licenses'), { recursive: true });
  cpSync(src, join(runtimeDir, 'licenses', pkg));
}

/**
 * Rewrites the built-in modules' folder in libnode to {@link BUILTIN_PATH}. Both paths have the same length, so
 * the library's layout is untouched; every occurrence must be found, or node would abort at start.
 */
function relocateBuiltins(libnode) {
  const from = Buffer.from(DEBIAN_BUILTIN_PATH);
  const to = Buffer.from(BUILTIN_PATH);
  if (from.length !== to.length) throw new Error('the builtin paths must have the same length');
  const bytes = readFileSync(libnode);
  let count = 0;
  for (let at = bytes.indexOf(from); at !== -1; at = bytes.indexOf(from, at + from.length)) {
    to.copy(bytes, at);
    count++;
  }
  if (count === 0)
    throw new Error(`${basename(libnode)} does not name ${DEBIAN_BUILTIN_PATH}: a changed Debian node?`);
  writeFileSync(libnode, bytes);
  return count;
}

/**
 * Fills `runtimeDir` with `bin/node`, `lib/` (Node's libraries, the GL and Vulkan loaders), `lib-fallback/`
 * (the C++ runtime), `nodejs/` (the built-in modules that libnode reads from {@link BUILTIN_PATH}) and
 * `licenses/`. Returns the Node version and what was packed.
 */
export function buildRuntime(runtimeDir, debDir, workDir) {
  if (run('dpkg', ['--print-architecture']).trim() !== 'amd64') {
    throw new Error('bundle:gpu packs x86-64 binaries: run it on an amd64 Debian machine');
  }
  const nodeVersion = archiveVersion('nodejs');
  const sets = [['nodejs', ...LIBRARY_PACKAGES], FALLBACK_PACKAGES, BUILTIN_PACKAGES];
  const debs = download(debDir, sets.flat());
  const byName = new Map(debs.map((d) => [basename(d).split('_')[0], d]));
  for (const dir of ['bin', 'lib', 'lib-fallback', 'nodejs'])
    mkdirSync(join(runtimeDir, dir), { recursive: true });

  for (const pkg of sets.flat()) {
    const unpacked = join(workDir, pkg);
    unpack(byName.get(pkg), unpacked);
    copyLicense(unpacked, pkg, runtimeDir);
    if (pkg === 'nodejs') cpSync(join(unpacked, 'usr/bin/node'), join(runtimeDir, 'bin/node'));
    const target = FALLBACK_PACKAGES.includes(pkg) ? 'lib-fallback' : 'lib';
    for (const lib of sharedLibraries(unpacked)) {
      cpSync(lib, join(runtimeDir, target, basename(lib)), { verbatimSymlinks: true });
    }
    if (BUILTIN_PACKAGES.includes(pkg)) {
      for (const folder of BUILTIN_FOLDERS) {
        const src = join(unpacked, 'usr/share/nodejs', folder);
        if (existsSync(src))
          cpSync(src, join(runtimeDir, 'nodejs', folder), { recursive: true, dereference: true });
      }
    }
  }
  const relocated = relocateBuiltins(join(runtimeDir, 'lib/libnode.so.108'));
  return { nodeVersion, packages: sets.flat().map((p) => basename(byName.get(p))), relocated };
}

/**
 * The newest glibc symbol version any packed binary asks for: the oldest C library the bundle runs on. Read from
 * the version strings in the files, which needs no binutils.
 */
export function glibcNeeded(files) {
  let best = [0, 0];
  for (const file of files) {
    const text = readFileSync(file).toString('latin1');
    for (const m of text.matchAll(/GLIBC_2\.(\d+)(?:\.(\d+))?/g)) {
      const v = [Number(m[1]), Number(m[2] ?? 0)];
      if (v[0] > best[0] || (v[0] === best[0] && v[1] > best[1])) best = v;
    }
  }
  return best[1] ? `2.${best[0]}.${best[1]}` : `2.${best[0]}`;
}
