#!/usr/bin/env node
// Biome over the files that belong to no workspace (root configs, scripts/, docs/, reference/, ...).
// Each workspace lints itself (`turbo run lint`), so the root check leaves the workspace folders out.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const skip = new Set(['.git', 'node_modules', ...workspaces.map((w) => w.split('/')[0])]);
const paths = readdirSync(root).filter((name) => !skip.has(name));
const biome = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'biome.cmd' : 'biome');
const res = spawnSync(biome, ['check', '--no-errors-on-unmatched', ...process.argv.slice(2), ...paths], {
  cwd: root,
  stdio: 'inherit',
});
if (res.error) console.error(`lint-root: ${res.error.message}`);
process.exit(res.status ?? 1);
