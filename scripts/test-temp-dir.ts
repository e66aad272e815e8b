// Vitest global setup of every workspace: the tests (and the processes they spawn) make their temporary
// directories under one fresh directory, removed when the run ends, so that a test run leaves nothing in the
// system's temporary directory however its tests end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Points `TMPDIR` at a new directory for the run; the returned teardown removes it (`BIOPROP_KEEP_TEST_TMP=1` keeps it). */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'bioprop-test-'));
  const previous = process.env.TMPDIR;
  // os.tmpdir() reads TMPDIR at each call; the test workers are forked after this and inherit it.
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (process.env.BIOPROP_KEEP_TEST_TMP) console.log(`test files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
