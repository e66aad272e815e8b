import { describe, expect, it } from 'vitest';
import { formatFixed3, formatSummary, summaryToJson } from './eval-summary.js';
import { numpySum } from './pairwise-sum.js';

describe('formatSummary', () => {
  it("prints pycocotools' 12 lines, -1 for empty cells", () => {
    const stats = [0.5, 0.75, 0.25, -1, 0.125, 1, 0.0625, 0.3125, 0.4, 0.123456, 0.9999, 0];
    const lines = formatSummary(stats).split('\n');
    expect(lines.length).toBe(12);
    expect(lines[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.500');
    expect(lines[1]).toBe(' Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.750');
    expect(lines[3]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000');
    expect(lines[6]).toBe(' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.062');
    expect(lines[10]).toBe(' Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 1.000');
    expect(() => formatSummary([1, 2])).toThrow(/12/);
  });

  it("rounds exact ties to even like Python's format", () => {
    expect([0.0625, 0.1875, 0.3125, 0.5625, 0.9375, 0.4625, 0.1234].map(formatFixed3)).toEqual([
      '0.062',
      '0.188',
      '0.312',
      '0.562',
      '0.938',
      '0.463',
      '0.123',
    ]);
  });

  it('names the numbers for --json', () => {
    const stats = [0.41, 0.62, 0.44, 0.24, 0.45, 0.53, 0.33, 0.52, 0.55, 0.35, 0.59, 0.69];
    expect(summaryToJson(stats)).toEqual({
      AP: 0.41,
      AP50: 0.62,
      AP75: 0.44,
      APs: 0.24,
      APm: 0.45,
      APl: 0.53,
      AR1: 0.33,
      AR10: 0.52,
      AR100: 0.55,
      ARs: 0.35,
      ARm: 0.59,
      ARl: 0.69,
    });
  });
});

describe('numpySum', () => {
  it('sums pairwise like numpy, not left to right', () => {
    // 0.1 summed 10 times: left to right gives 0.9999999999999999, numpy's blocked sum gives 1
    const a = new Array(10).fill(0.1);
    expect(a.reduce((s, v) => s + v, 0)).toBe(0.9999999999999999);
    expect(numpySum(a)).toBe(1);
    expect(numpySum([])).toBe(0);
    expect(numpySum(new Float64Array(20000).fill(0.5))).toBe(10000);
  });
});
