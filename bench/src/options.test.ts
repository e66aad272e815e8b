import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseCompareOptions } from './options';

describe('parseCompareOptions', () => {
  it('defaults to every network and rule, with the full timing', () => {
    const o = parseCompareOptions([]);
    expect(o.nets).toEqual(['resnet18', 'alexnet-bn', 'fashion-mini', 'mosaic-retinanet']);
    expect(o.rules).toEqual(['bp', 'ss', 'fa']);
    expect(o.quick).toBe(false);
    expect(o.timing.minSteps).toBeGreaterThan(1);
  });

  it('keeps the table order of --nets and --rules, and --quick runs one timed step', () => {
    const o = parseCompareOptions(['--quick', '--nets', 'fashion-mini,resnet18', '--rules', 'fa,bp']);
    expect(o.nets).toEqual(['resnet18', 'fashion-mini']);
    expect(o.rules).toEqual(['bp', 'fa']);
    expect(o.timing).toMatchObject({ minSteps: 1, maxSteps: 1, minSeconds: 0 });
  });

  it("--replicas sets the all-cores column's replicas (default: the cores); it must be an integer >= 1", () => {
    expect(parseCompareOptions([]).replicas).toBe(availableParallelism());
    expect(parseCompareOptions(['--replicas', '3']).replicas).toBe(3);
    expect(() => parseCompareOptions(['--replicas', '0'])).toThrow(
      "--replicas: an integer >= 1 is needed, got '0'",
    );
  });

  it('--threads (default: the cores, at most 8) and --rounds (default 1) are counts checked like --replicas', () => {
    expect(parseCompareOptions([]).threads).toBe(Math.min(availableParallelism(), 8));
    expect(parseCompareOptions([]).rounds).toBe(1);
    expect(parseCompareOptions(['--threads', '4', '--rounds', '3'])).toMatchObject({ threads: 4, rounds: 3 });
    expect(() => parseCompareOptions(['--threads', '9'])).toThrow(
      "--threads: an integer from 1 to 8 is needed, got '9'",
    );
    expect(() => parseCompareOptions(['--rounds', '1.5'])).toThrow(
      "--rounds: an integer >= 1 is needed, got '1.5'",
    );
  });

  it('refuses unknown networks and rules, naming the choices', () => {
    expect(() => parseCompareOptions(['--nets', 'vgg16'])).toThrow(/vgg16.*resnet18, alexnet-bn/);
    expect(() => parseCompareOptions(['--rules', 'ss,xx'])).toThrow(/xx.*bp, ss, fa/);
    expect(() => parseCompareOptions(['--bogus'])).toThrow();
  });
});
