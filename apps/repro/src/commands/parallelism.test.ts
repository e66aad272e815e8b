import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseReplicas, parseWasmThreads, replicaCount, wasmThreadCount } from './parallelism';

describe('--replicas and --wasm-threads', () => {
  it('take an integer in range and refuse anything else with a clear error', () => {
    expect(parseReplicas('2')).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'two', '']) {
      expect(() => parseReplicas(bad)).toThrow(`--replicas must be an integer >= 1`);
    }
    expect(() => parseReplicas('0')).toThrow("got '0'");
    expect(parseWasmThreads('8')).toBe(8);
    expect(() => parseWasmThreads('9')).toThrow(
      "--wasm-threads must be an integer from 1 to 8 (XNNPACK threads on wasm), got '9'",
    );
  });

  it('replicas default to 1; a resumed run keeps its recorded count (1 if none)', () => {
    expect(replicaCount(undefined, null)).toBe(1);
    expect(replicaCount(3, null)).toBe(3);
    expect(replicaCount(undefined, { replicas: 2 })).toBe(2);
    expect(replicaCount(undefined, {})).toBe(1);
    expect(replicaCount(1, { replicas: 2 })).toBe(1);
  });

  it('wasm threads default to the cores (at most 8) for one replica and to 1 for several', () => {
    expect(wasmThreadCount(undefined, 1)).toBe(Math.min(availableParallelism(), 8));
    expect(wasmThreadCount(undefined, 2)).toBe(1);
    expect(wasmThreadCount(2, 2)).toBe(2);
  });
});
