import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built repro CLI (turbo builds it before these tests). */
export const CLI = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'apps',
  'repro',
  'dist',
  'cli.js',
);

/** Result of one CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `repro ARGS`; resolves when it exits. */
export function startCli(args: string[]): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c;
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c;
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** Runs `repro ARGS` to the end. */
export function runCli(args: string[]): Promise<CliResult> {
  return startCli(args).done;
}
