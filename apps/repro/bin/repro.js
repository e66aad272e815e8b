#!/usr/bin/env node
// The committed entry of `repro`: npm links bins when it installs, before a clone has built dist/, so the
// link must point at a file that exists; this one loads the built CLI or says how to build it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error(
    `repro: the CLI is not built (${cli.pathname} is missing).\n` +
      'In a clone of the BioProp repository run `npm run build` at its root, then `npx repro ...`.',
  );
  process.exit(1);
}
await import(cli.href);
