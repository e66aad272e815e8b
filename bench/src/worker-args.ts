import type { Timing } from './timed-steps';

/** The timing flags of a measurement worker (what `timingArgs` writes), for its `parseArgs` options. */
export const TIMING_FLAGS = {
  warmup: { type: 'string', default: '2' },
  'min-steps': { type: 'string', default: '5' },
  'min-seconds': { type: 'string', default: '15' },
  'max-steps': { type: 'string', default: '1000' },
} as const;

/** A worker's parsed flags: name to string value. */
type Flags = Record<string, string | boolean | undefined>;

/** A non-negative number flag, or an error that names it. */
export function numberFlag(values: Flags, name: string): number {
  const v = Number(values[name]);
  if (values[name] === undefined || !(v >= 0)) throw new Error(`--${name}: a number >= 0 is needed`);
  return v;
}

/** The timing a worker was given through {@link TIMING_FLAGS}. */
export function timingFromFlags(values: Flags): Timing {
  return {
    warmupSteps: numberFlag(values, 'warmup'),
    minSteps: numberFlag(values, 'min-steps'),
    minSeconds: numberFlag(values, 'min-seconds'),
    maxSteps: numberFlag(values, 'max-steps'),
  };
}
