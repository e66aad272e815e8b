import { describe, expect, it } from 'vitest';
import { multiStepSchedule, stepSchedule, warmupMultiStepSchedule } from './lr-schedule';

describe('learning-rate schedules', () => {
  it('multi-step as PyTorch MultiStepLR stepped per epoch (fashion-mini: x0.1 after epochs 4 and 6)', () => {
    const s = multiStepSchedule([4, 6]);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((e) => s.factor(e, 0))).toEqual([
      1,
      1,
      1,
      1,
      0.1,
      0.1,
      0.1 ** 2,
      0.1 ** 2,
    ]);
  });
  it('x0.1 every 10 epochs over 50 (the paper)', () => {
    const s = stepSchedule(10, 50);
    expect([0, 9, 10, 19, 20, 39, 40, 49].map((e) => s.factor(e, 0))).toEqual([
      1,
      1,
      0.1,
      0.1,
      0.1 ** 2,
      0.1 ** 3,
      0.1 ** 4,
      0.1 ** 4,
    ]);
  });
  it('linear warm-up then steps', () => {
    const s = warmupMultiStepSchedule([8, 11], 500, 0.001);
    expect(s.factor(0, 0)).toBeCloseTo(0.001, 12);
    expect(s.factor(0, 250)).toBeCloseTo(0.001 + 0.999 * 0.5, 12);
    expect(s.factor(0, 500)).toBe(1);
    expect(s.factor(8, 10_000)).toBeCloseTo(0.1, 12);
  });
  it('rejects bad milestones', () => {
    expect(() => multiStepSchedule([0])).toThrow(/positive integers/);
  });
});
