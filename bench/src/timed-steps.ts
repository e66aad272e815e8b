/** How long a measurement runs. */
export interface Timing {
  /** Untimed steps first: they compile kernels and grow the wasm heap. */
  warmupSteps: number;
  /** Timed steps continue until both of these are reached (or `maxSteps`). */
  minSteps: number;
  minSeconds: number;
  maxSteps: number;
}

/** What a timed run measured. */
export interface TimedRun {
  steps: number;
  seconds: number;
  /** False if any timed step's loss was NaN or infinite. */
  lossFinite: boolean;
}

/**
 * Runs `timing.warmupSteps` untimed steps, then timed steps until at least `minSteps` ran and `minSeconds`
 * passed; `sync` runs inside the timed span, so work a backend still has queued counts too.
 */
export async function timedSteps(
  step: () => Promise<number>,
  sync: () => Promise<void>,
  timing: Timing,
  now: () => number = () => performance.now() / 1000,
): Promise<TimedRun> {
  for (let i = 0; i < timing.warmupSteps; i++) await step();
  await sync();
  let steps = 0;
  let lossFinite = true;
  const t0 = now();
  while (steps < timing.maxSteps && (steps < timing.minSteps || now() - t0 < timing.minSeconds)) {
    if (!Number.isFinite(await step())) lossFinite = false;
    steps++;
  }
  await sync();
  return { steps, seconds: now() - t0, lossFinite };
}

/** The flags both measurement scripts (the BioProp worker and `pytorch_throughput.py`) take for a timing. */
export function timingArgs(timing: Timing): string[] {
  return [
    ...['--warmup', String(timing.warmupSteps), '--min-steps', String(timing.minSteps)],
    ...['--min-seconds', String(timing.minSeconds), '--max-steps', String(timing.maxSteps)],
  ];
}
