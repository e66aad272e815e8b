import { spawn } from 'node:child_process';

/** The last JSON line a child printed, or why there is none. */
export type ChildResult = { ok: true; line: string } | { ok: false; error: string };

/** Options of {@link runJsonChild}. */
export interface ChildOptions {
  cwd: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** The child is killed after this long. */
  timeoutMs: number;
}

/** The last few lines of a child's stderr: where a Python traceback or a Node stack ends with the cause. */
function tail(text: string, lines = 4): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

/**
 * Runs a command that reports by printing a JSON object on one line of stdout, and resolves to the last such
 * line. A non-zero exit, a timeout or no JSON line resolves to an error with the end of stderr: one failed
 * measurement is a cell of the table, not the end of the run.
 */
export function runJsonChild(command: string, args: string[], options: ChildOptions): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `${command} did not start: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('{'))
        .at(-1);
      if (timedOut) {
        resolve({ ok: false, error: `timed out after ${Math.round(options.timeoutMs / 1000)} s` });
      } else if (code !== 0) {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        resolve({ ok: false, error: `${why}${stderr.trim() ? `: ${tail(stderr)}` : ''}` });
      } else if (!line) {
        resolve({ ok: false, error: `printed no JSON line${stderr.trim() ? `: ${tail(stderr)}` : ''}` });
      } else {
        resolve({ ok: true, line });
      }
    });
  });
}
