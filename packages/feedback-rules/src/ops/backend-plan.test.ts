import { describe, expect, it } from 'vitest';
import { readBackCost } from './backend-plan';

describe('backend plan', () => {
  it('says where reading a tensor back stalls a device', () => {
    expect(readBackCost('wasm')).toBe('cheap');
    expect(readBackCost('cpu')).toBe('cheap');
    for (const gpu of ['webgpu', 'webgl', 'tensorflow']) expect(readBackCost(gpu)).toBe('stalls');
  });
});
