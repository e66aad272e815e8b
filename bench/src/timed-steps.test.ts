import { describe, expect, it } from 'vitest';
import { timedSteps } from './timed-steps';

/** A step that advances a fake clock by `seconds`. */
function fakeRun(seconds: number, loss = 1) {
  let t = 0;
  let calls = 0;
  return {
    step: async () => {
      calls++;
      t += seconds;
      return loss;
    },
    sync: async () => {},
    now: () => t,
    calls: () => calls,
  };
}

describe('timedSteps', () => {
  it('times steps after the warm-up until both the step count and the seconds are reached', async () => {
    const r = fakeRun(2);
    const got = await timedSteps(
      r.step,
      r.sync,
      { warmupSteps: 2, minSteps: 3, minSeconds: 10, maxSteps: 100 },
      r.now,
    );
    expect(got).toEqual({ steps: 5, seconds: 10, lossFinite: true });
    expect(r.calls()).toBe(7);
  });

  it('stops at maxSteps and flags a non-finite loss', async () => {
    const r = fakeRun(1, Number.NaN);
    const got = await timedSteps(
      r.step,
      r.sync,
      { warmupSteps: 0, minSteps: 1, minSeconds: 60, maxSteps: 4 },
      r.now,
    );
    expect(got).toEqual({ steps: 4, seconds: 4, lossFinite: false });
  });
});
