import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { timingArgs } from './timed-steps';
import { numberFlag, TIMING_FLAGS, timingFromFlags } from './worker-args';

describe('worker flags', () => {
  it('read back the timing that timingArgs wrote', () => {
    const timing = { warmupSteps: 1, minSteps: 3, minSeconds: 2.5, maxSteps: 40 };
    const { values } = parseArgs({ args: timingArgs(timing), options: TIMING_FLAGS });
    expect(timingFromFlags(values)).toEqual(timing);
  });

  it('refuse a missing or negative number, naming the flag', () => {
    expect(() => numberFlag({ batch: '-1' }, 'batch')).toThrow('--batch: a number >= 0 is needed');
    expect(() => numberFlag({}, 'size')).toThrow('--size: a number >= 0 is needed');
    expect(numberFlag({ size: '224' }, 'size')).toBe(224);
  });
});
