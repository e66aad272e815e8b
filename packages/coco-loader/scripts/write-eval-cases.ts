// Writes the generated evaluation cases to test-fixtures/eval-cases/ (not committed: the generator is
// deterministic) for scripts/pycocotools_expected.py. Run: npx tsx scripts/write-eval-cases.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeEvalCases } from './eval-cases.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures', 'eval-cases');
mkdirSync(dir, { recursive: true });
for (const c of makeEvalCases()) {
  writeFileSync(join(dir, `${c.name}.gt.json`), JSON.stringify(c.gt));
  writeFileSync(join(dir, `${c.name}.dt.json`), JSON.stringify(c.dt));
  console.log(c.name, c.gt.images.length, 'images', c.gt.annotations.length, 'gt', c.dt.length, 'dt');
}
