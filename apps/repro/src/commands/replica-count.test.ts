import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseReplicas, replicaCount } from './replica-count';

describe('--replicas', () => {
  it('takes an integer >= 1 and refuses anything else with a clear error', () => {
    expect(parseReplicas('2')).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'two', '']) {
      expect(() => parseReplicas(bad)).toThrow(`--replicas must be an integer >= 1`);
    }
    expect(() => parseReplicas('0')).toThrow("got '0'");
  });

  it('defaults to the cores on wasm and 1 elsewhere; a resumed run keeps its recorded count (1 if none)', () => {
    expect(replicaCount(undefined, null, 'wasm')).toBe(availableParallelism());
    expect(replicaCount(undefined, null, 'webgpu')).toBe(1);
    expect(replicaCount(undefined, null, 'tensorflow')).toBe(1);
    expect(replicaCount(3, null, 'webgpu')).toBe(3);
    expect(replicaCount(undefined, { replicas: 2 }, 'wasm')).toBe(2);
    expect(replicaCount(undefined, {}, 'wasm')).toBe(1);
    expect(replicaCount(1, { replicas: 2 }, 'wasm')).toBe(1);
  });
});
