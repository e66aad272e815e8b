#!/usr/bin/env node
// Release dry run: what `changeset version` and `npm publish` would do, done on a scratch copy of the repo.
//
//   1. copy the working tree as git sees it (tracked files plus untracked files that are not ignored, so
//      uncommitted work counts) to a temp folder; the built dist/ folders come along, node_modules is linked;
//   2. `changeset version` there, then check that every package moved to the version its changesets ask for,
//      that the changesets were consumed, that each bumped package has its CHANGELOG entry and that every
//      internal dependency range takes the new version;
//   3. `npm publish --dry-run` for each publishable workspace (no login needed; npm only warns) and check
//      that the tarball holds the files package.json points at.
// The real repository is only read. Run `npm run build` first.
//
// Usage: node scripts/release-dry-run.mjs [--keep]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const BUMPS = ['patch', 'minor', 'major'];
const failures = [];
const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

function report(ok, name, what, detail = '') {
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(26)} ${what.padEnd(18)} ${detail}`);
  if (!ok) failures.push(`${name} ${what}${detail ? `: ${detail}` : ''}`);
}

/** A plain environment for child npm processes (none of the npm_* variables of the `npm run` we run in). */
function cleanEnv() {
  const keepVars = new Set([
    'npm_config_cache',
    'npm_config_userconfig',
    'npm_config_globalconfig',
    'npm_config_registry',
  ]);
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keepVars.has(k.toLowerCase())),
  );
}

function sh(cmd, args, cwd) {
  const res = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return {
    code: res.status ?? -1,
    stdout: res.stdout ?? '',
    stderr: `${res.stderr ?? ''}${res.error ? res.error.message : ''}`,
  };
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** Workspace folders (relative) from the root package.json's globs. */
function workspaceDirs(root) {
  return readJson(join(root, 'package.json')).workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return existsSync(join(root, pattern, 'package.json')) ? [pattern] : [];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, parent, d.name, 'package.json')))
      .map((d) => `${parent}/${d.name}`);
  });
}

/** { name: 'major' | 'minor' | 'patch' } from the frontmatter of .changeset/*.md. */
function changesetBumps(root) {
  const dir = join(root, '.changeset');
  const bumps = {};
  const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
    if (!front) throw new Error(`.changeset/${file} has no frontmatter`);
    for (const line of front[1].split(/\r?\n/).filter((l) => l.trim())) {
      const m = /^\s*(["']?)([^"':]+)\1\s*:\s*(major|minor|patch)\s*$/.exec(line);
      if (!m) throw new Error(`.changeset/${file}: cannot read the line ${JSON.stringify(line)}`);
      const [, , name, bump] = m;
      if (!bumps[name] || BUMPS.indexOf(bump) > BUMPS.indexOf(bumps[name])) bumps[name] = bump;
    }
  }
  return { bumps, files };
}

/** Files a published package.json points at (main, module, types, exports targets, bin). */
function referencedFiles(pkg) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') out.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const field of ['main', 'module', 'types', 'typings', 'exports', 'bin']) walk(pkg[field]);
  return [...out].filter((f) => !f.includes('*')).map((f) => f.replace(/^\.\//, ''));
}

function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'bioprop-release-'));
  try {
    // 1. Copy.
    const copy = join(tmp, 'repo');
    const listed = sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT);
    if (listed.code !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
    const files = listed.stdout.split('\0').filter((f) => f && existsSync(join(ROOT, f)));
    for (const f of files) {
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      cpSync(join(ROOT, f), join(copy, f), { dereference: false, preserveTimestamps: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const dirs = workspaceDirs(ROOT);
    const before = new Map();
    for (const dir of dirs) {
      const pkg = readJson(join(ROOT, dir, 'package.json'));
      before.set(pkg.name, { dir, pkg });
      if (existsSync(join(ROOT, dir, 'node_modules')))
        symlinkSync(join(ROOT, dir, 'node_modules'), join(copy, dir, 'node_modules'), 'dir');
      if (!pkg.private) {
        if (!existsSync(join(ROOT, dir, 'dist')))
          throw new Error(`${dir}/dist is missing: run \`npm run build\` first`);
        cpSync(join(ROOT, dir, 'dist'), join(copy, dir, 'dist'), { recursive: true });
      }
    }
    console.log(`release dry run: ${files.length} files of the working tree copied to ${copy}`);

    // 2. changeset version.
    const { bumps, files: changesets } = changesetBumps(copy);
    console.log(
      `changesets: ${changesets.length} (${
        Object.entries(bumps)
          .map(([n, b]) => `${n} ${b}`)
          .join(', ') || 'none'
      })`,
    );
    for (const name of Object.keys(bumps)) {
      if (!before.has(name)) report(false, name, 'changeset', 'names a package that is not a workspace');
    }
    let t = Date.now();
    const version = sh(join(ROOT, 'node_modules', '.bin', 'changeset'), ['version'], copy);
    report(version.code === 0, 'all packages', 'changeset version', seconds(Date.now() - t));
    if (version.code !== 0) {
      console.log(`${version.stdout}${version.stderr}`);
      return;
    }
    const left = readdirSync(join(copy, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    report(
      left.length === 0,
      '.changeset',
      'consumed',
      left.length ? `left: ${left.join(', ')}` : `${changesets.length} changeset(s)`,
    );

    // Expected versions: the changesets' bumps, and at least a patch for a package whose internal dependency
    // leaves its range (changesets' rule for dependents).
    const after = new Map(
      [...before].map(([name, { dir }]) => [name, readJson(join(copy, dir, 'package.json'))]),
    );
    const expected = new Map(
      [...before].map(([name, { pkg }]) => [
        name,
        bumps[name] ? semver.inc(pkg.version, bumps[name]) : pkg.version,
      ]),
    );
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, { pkg }] of before) {
        if (pkg.private || expected.get(name) !== pkg.version) continue;
        const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
        const outOfRange = Object.entries(deps).some(
          ([dep, range]) => expected.has(dep) && !semver.satisfies(expected.get(dep), range),
        );
        if (outOfRange) {
          expected.set(name, semver.inc(pkg.version, 'patch'));
          changed = true;
        }
      }
    }
    for (const [name, { dir, pkg }] of before) {
      if (pkg.private) continue;
      const now = after.get(name);
      const want = expected.get(name);
      report(
        now.version === want,
        name,
        'version',
        `${pkg.version} -> ${now.version}${now.version === want ? '' : ` (expected ${want})`}`,
      );
      if (now.version !== pkg.version) {
        const log = join(copy, dir, 'CHANGELOG.md');
        const hasEntry = existsSync(log) && readFileSync(log, 'utf8').includes(`## ${now.version}`);
        report(
          hasEntry,
          name,
          'CHANGELOG',
          hasEntry
            ? `${dir}/CHANGELOG.md has ## ${now.version}`
            : `no "## ${now.version}" in ${dir}/CHANGELOG.md`,
        );
      }
      for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
        for (const [dep, range] of Object.entries(now[field] ?? {})) {
          if (!after.has(dep)) continue;
          const depVersion = after.get(dep).version;
          if (!semver.satisfies(depVersion, range)) {
            report(
              false,
              name,
              'internal range',
              `${field}.${dep} is ${range}, which does not take ${depVersion}`,
            );
          }
        }
      }
    }

    // 3. npm publish --dry-run.
    for (const [name, { dir, pkg }] of before) {
      if (pkg.private) continue;
      t = Date.now();
      const pub = sh('npm', ['publish', '--dry-run', '--json', '--no-audit', '--no-fund'], join(copy, dir));
      const ms = Date.now() - t;
      if (pub.code !== 0) {
        report(false, name, 'publish --dry-run', `exit ${pub.code} (${seconds(ms)})`);
        console.log(`${pub.stdout}\n${pub.stderr}`);
        continue;
      }
      let info;
      try {
        const json = JSON.parse(pub.stdout.slice(pub.stdout.indexOf('{')));
        info = json[name] ?? json;
      } catch {
        report(false, name, 'publish --dry-run', `unreadable npm output: ${pub.stdout.slice(0, 200)}`);
        continue;
      }
      const inTarball = new Set(info.files.map((f) => f.path));
      const missing = referencedFiles(after.get(name)).filter((f) => !inTarball.has(f));
      const ok = info.version === after.get(name).version && missing.length === 0;
      report(
        ok,
        name,
        'publish --dry-run',
        `${info.filename}, ${(info.size / 1024).toFixed(0)} kB, ${info.files.length} files${missing.length ? `; missing ${missing.join(', ')}` : ''}${info.version === after.get(name).version ? '' : `; version ${info.version}`} (${seconds(ms)})`,
      );
    }
    // The copy stays in the temp folder; the repository itself must be untouched.
    const dirty = sh(
      'git',
      ['status', '--porcelain', '--', ...dirs.map((d) => join(d, 'package.json')), '.changeset'],
      ROOT,
    );
    const changedHere = dirty.stdout
      .split('\n')
      .filter(Boolean)
      .filter((l) => !initialStatus.includes(l));
    report(changedHere.length === 0, 'repository', 'untouched', changedHere.join('; '));
  } finally {
    if (keep) console.log(`kept ${relative(process.cwd(), tmp) || tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

const initialStatus = sh(
  'git',
  ['status', '--porcelain', '--', ...workspaceDirs(ROOT).map((d) => join(d, 'package.json')), '.changeset'],
  ROOT,
).stdout.split('\n');
try {
  main();
} catch (error) {
  report(false, 'release dry run', 'crashed', error.message);
}
const total = seconds(Date.now() - started);
if (failures.length) {
  console.log(`\nrelease dry run FAILED in ${total}:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(`\nrelease dry run passed in ${total}`);
