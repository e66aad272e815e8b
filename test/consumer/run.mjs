#!/usr/bin/env node
// Consumer test: do the packages work outside the monorepo, installed by name as a user installs them?
//
//   1. `npm pack` every publishable workspace (after `npm run build`);
//   2. serve the tarballs from a registry on 127.0.0.1 that npm uses for the @bioprop scope only, so every
//      other dependency comes from the normal registry (warm cache: --prefer-offline);
//   3. a scratch project outside the repo installs the libraries by name with the peers a user adds;
//   4. each library's README example (the ```ts block right after `<!-- example: consumer-test -->`) is
//      type-checked against the installed d.ts (.mts and .cts) and run as ESM and as CommonJS;
//   5. the CLI is installed globally into a scratch prefix and run.
//
// Usage: node test/consumer/run.mjs [--keep] [--readme <package>=<README path>]...
//   --keep     leave the scratch folder (its path is printed) for a look afterwards
//   --readme   take a package's example from another README (to try the machinery on a draft)
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildVariants, extractExamples, typecheck } from './examples.mjs';
import { startRegistry } from './registry.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCOPE = '@bioprop';
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
/** What the consumer test runs for each published app: a command of its bin and a text its output must hold. */
const APP_CHECKS = {
  '@bioprop/repro': { bin: 'repro', args: ['presets'], expect: 'fashion-quick-bp' },
};
const RUN_TIMEOUT_MS = 300_000;
const INSTALL_TIMEOUT_MS = 900_000;

const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const readmeOverrides = new Map();
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--readme') {
    const [name, path] = (argv[++i] ?? '').split('=');
    if (!name || !path) usage('--readme takes <package>=<path>');
    readmeOverrides.set(name, resolve(path));
  } else if (argv[i] !== '--keep') usage(`unknown argument ${argv[i]}`);
}

function usage(message) {
  console.error(
    `consumer test: ${message}\nusage: node test/consumer/run.mjs [--keep] [--readme <package>=<path>]...`,
  );
  process.exit(2);
}

const failures = [];
const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;
function report(ok, name, what, ms, detail) {
  const status = ok ? 'PASS' : 'FAIL';
  console.log(
    `${status}  ${name.padEnd(26)} ${what.padEnd(22)} ${seconds(ms).padStart(7)}${detail ? `  ${detail}` : ''}`,
  );
  if (!ok) failures.push(`${name} ${what}`);
}
function indent(text, lines = 40) {
  const all = text.trimEnd().split('\n');
  const shown = all.length > lines ? [`... (${all.length - lines} lines above)`, ...all.slice(-lines)] : all;
  return shown.map((l) => `      | ${l}`).join('\n');
}

/** npm with the environment of a plain shell: no npm_* variables of the `npm run` that started us. */
function cleanEnv(extra = {}) {
  const keepVars = new Set([
    'npm_config_cache',
    'npm_config_userconfig',
    'npm_config_globalconfig',
    'npm_config_registry',
  ]);
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !keepVars.has(k.toLowerCase())) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command; resolves { code, output, stdout, ms } (output: stdout and stderr interleaved). */
function run(cmd, args, { cwd, env = cleanEnv(), timeoutMs = RUN_TIMEOUT_MS } = {}) {
  return new Promise((resolvePromise) => {
    const t = Date.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (d) => {
      output += d;
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: -1, output: `${output}\n${error.message}`, stdout, ms: Date.now() - t });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        output += `\n(killed: did not exit within ${seconds(timeoutMs)}; an open handle keeps it alive?)`;
      else if (signal) output += `\n(killed by ${signal})`;
      resolvePromise({ code: code ?? -1, output, stdout, ms: Date.now() - t });
    });
  });
}

/** The publishable workspaces: { name, dir, pkg, kind: 'library' | 'app' }. */
function workspaces() {
  const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const dirs = rootPkg.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(ROOT, pattern)];
    const parent = join(ROOT, pattern.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(parent, d.name));
  });
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private)
    .map(({ dir, pkg }) => ({ name: pkg.name, dir, pkg, kind: pkg.bin && !pkg.exports ? 'app' : 'library' }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function main() {
  const packages = workspaces();
  const libraries = packages.filter((p) => p.kind === 'library');
  const apps = packages.filter((p) => p.kind === 'app');
  console.log(`consumer test: ${libraries.length} libraries, ${apps.length} app(s); node ${process.version}`);

  for (const p of packages) {
    const built =
      p.kind === 'library' ? existsSync(join(p.dir, 'dist', 'index.js')) : existsSync(join(p.dir, 'dist'));
    if (!built) {
      report(
        false,
        p.name,
        'built',
        0,
        `${relative(ROOT, p.dir)}/dist is missing: run \`npm run build\` first`,
      );
    }
  }
  if (failures.length) return;

  const tmp = mkdtempSync(join(tmpdir(), 'bioprop-consumer-'));
  let registry;
  try {
    // 1. Pack.
    const tarballDir = join(tmp, 'tarballs');
    mkdirSync(tarballDir);
    const pack = await run(
      'npm',
      ['pack', '--json', '--pack-destination', tarballDir, ...packages.map((p) => `--workspace=${p.name}`)],
      {
        cwd: ROOT,
      },
    );
    if (pack.code !== 0) {
      report(false, 'all packages', 'npm pack', pack.ms);
      console.log(indent(pack.output));
      return;
    }
    const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')));
    for (const p of packages) {
      const entry = packed.find((e) => e.name === p.name);
      const detail = entry
        ? `${entry.filename}, ${(entry.size / 1024).toFixed(0)} kB, ${entry.entryCount} files`
        : 'not packed';
      report(Boolean(entry), p.name, 'npm pack', pack.ms, detail);
    }
    if (failures.length) return;

    // 2. Registry.
    registry = await startRegistry(packed.map((e) => join(tarballDir, e.filename)));
    console.log(
      `registry: ${registry.url} serves ${registry.packages.map((m) => `${m.name}@${m.version}`).join(', ')}`,
    );
    const scopeFlag = `--${SCOPE}:registry=${registry.url}`;

    // 3. Scratch project with the libraries and the peers a user adds.
    const app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify({ name: 'bioprop-consumer', version: '1.0.0', private: true, description: 'consumer test' }, null, 2)}\n`,
    );
    const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const range = (name) => rootPkg.dependencies?.[name] ?? rootPkg.devDependencies?.[name] ?? 'latest';
    const extras = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@types/node'].map(
      (n) => `${n}@${range(n)}`,
    );
    const install = await run(
      'npm',
      ['install', ...NPM_FLAGS, scopeFlag, ...libraries.map((p) => p.name), ...extras],
      {
        cwd: app,
        timeoutMs: INSTALL_TIMEOUT_MS,
      },
    );
    report(
      install.code === 0,
      'libraries',
      'npm install',
      install.ms,
      `${libraries.length} by name + ${extras.join(' ')}`,
    );
    if (install.code !== 0) {
      console.log(indent(install.output));
      return;
    }
    for (const p of libraries) {
      const dir = join(app, 'node_modules', p.name);
      const installed = existsSync(join(dir, 'package.json')) && !lstatSync(dir).isSymbolicLink();
      const version = installed ? JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version : null;
      if (!installed || version !== p.pkg.version || existsSync(join(dir, 'src'))) {
        report(
          false,
          p.name,
          'installed',
          0,
          `expected ${p.pkg.version} from the tarball in ${dir}, found ${version ?? 'nothing'}`,
        );
      }
    }

    // 4. README examples: extract, type-check (one program), run as ESM and CommonJS.
    const examples = [];
    for (const p of libraries) {
      const readme = readmeOverrides.get(p.name) ?? join(p.dir, 'README.md');
      const shown = relative(ROOT, readme).startsWith('..') ? readme : relative(ROOT, readme);
      const found = existsSync(readme)
        ? extractExamples(readFileSync(readme, 'utf8'), shown)
        : new Error(`${shown} does not exist`);
      if (found instanceof Error) {
        report(false, p.name, 'README example', 0, found.message);
        continue;
      }
      for (const [i, example] of found.entries()) {
        // The first example keeps the package's name; later ones are named after their README line.
        const label = i === 0 ? p.name : `${p.name} (README line ${example.line})`;
        let variants;
        try {
          variants = buildVariants(example.code);
        } catch (error) {
          report(false, label, 'README example', 0, `${shown}:${example.line}: ${error.message}`);
          continue;
        }
        const dir = join(app, 'examples', `${p.name.replace(/^@[^/]+\//, '')}${i === 0 ? '' : `-${i + 1}`}`);
        mkdirSync(dir, { recursive: true });
        const files = {};
        for (const [ext, text] of Object.entries(variants)) {
          files[ext] = join(dir, `example.${ext}`);
          writeFileSync(files[ext], text);
        }
        examples.push({ p, label, dir, files, readme: shown, line: example.line });
      }
    }

    if (examples.length) {
      const t = Date.now();
      const diagnostics = typecheck(
        examples.flatMap((e) => [e.files.mts, e.files.cts]),
        app,
      );
      const ms = Date.now() - t;
      // A diagnostic belongs to the package whose example or whose installed d.ts it is in; one about the
      // options belongs to every package.
      const owner = (d) =>
        d.file === null
          ? null
          : examples.find(
              (e) => d.file.startsWith(`${e.dir}/`) || d.file.includes(`/node_modules/${e.p.name}/`),
            );
      for (const e of examples) {
        const mine = diagnostics.filter((d) => d.file === null || owner(d) === e);
        report(
          mine.length === 0,
          e.label,
          'types (.mts + .cts)',
          ms,
          mine.length ? `${mine.length} error(s)` : '',
        );
        if (mine.length) console.log(indent(mine.map((d) => d.text).join('\n')));
      }
      const stray = diagnostics.filter((d) => d.file !== null && !owner(d));
      if (stray.length) {
        report(false, 'other @bioprop d.ts', 'types', ms, `${stray.length} error(s)`);
        console.log(indent(stray.map((d) => d.text).join('\n')));
      }
    }

    for (const e of examples) {
      for (const [label, file] of [
        ['run ESM (.mjs)', e.files.mjs],
        ['run CommonJS (.cjs)', e.files.cjs],
      ]) {
        const scratchTmp = mkdtempSync(join(tmp, 'example-tmp-'));
        const res = await run(process.execPath, [file], {
          cwd: app,
          env: cleanEnv({ TMPDIR: scratchTmp, TMP: scratchTmp, TEMP: scratchTmp }),
        });
        report(
          res.code === 0,
          e.label,
          label,
          res.ms,
          res.code === 0 ? '' : `exit ${res.code}; example from ${e.readme}:${e.line}`,
        );
        if (res.code !== 0) console.log(indent(res.output));
      }
    }

    // 5. Apps: global install into a scratch prefix, then run the bin.
    for (const p of apps) {
      const check = APP_CHECKS[p.name];
      if (!check) {
        report(
          false,
          p.name,
          'app check',
          0,
          `no entry for it in APP_CHECKS of ${relative(ROOT, fileURLToPath(import.meta.url))}`,
        );
        continue;
      }
      const prefix = join(tmp, 'prefix');
      const g = await run('npm', ['install', '-g', '--prefix', prefix, ...NPM_FLAGS, scopeFlag, p.name], {
        cwd: tmp,
        timeoutMs: INSTALL_TIMEOUT_MS,
      });
      report(g.code === 0, p.name, 'npm install -g', g.ms, `--prefix ${relative(tmp, prefix)}`);
      if (g.code !== 0) {
        console.log(indent(g.output));
        continue;
      }
      const bin = join(prefix, 'bin', check.bin);
      if (!existsSync(bin)) {
        report(
          false,
          p.name,
          `${check.bin} on PATH`,
          0,
          `${bin} was not linked (package.json bin: ${JSON.stringify(p.pkg.bin)})`,
        );
        continue;
      }
      const res = await run(bin, check.args, {
        cwd: tmp,
        env: cleanEnv({ PATH: `${join(prefix, 'bin')}:${process.env.PATH}` }),
      });
      const ok = res.code === 0 && res.output.includes(check.expect);
      report(
        ok,
        p.name,
        `${check.bin} ${check.args.join(' ')}`,
        res.ms,
        ok
          ? `lists ${check.expect}`
          : `exit ${res.code}, ${res.output.includes(check.expect) ? '' : `no "${check.expect}" in the output`}`,
      );
      if (!ok) console.log(indent(res.output));
    }
  } finally {
    await registry?.close();
    if (keep) console.log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  failures.push(`crash: ${error.stack ?? error}`);
  console.error(error);
}
const total = seconds(Date.now() - started);
if (failures.length) {
  console.log(
    `\nconsumer test FAILED in ${total}: ${failures.length} failure(s)\n${failures.map((f) => `  - ${f}`).join('\n')}`,
  );
  process.exit(1);
}
console.log(`\nconsumer test passed in ${total}`);
