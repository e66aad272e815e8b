import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import type { FeedbackRule } from './feedback-rule';
import { getRule, registerRule, ruleNames } from './rule-registry';

function ruleNamed(name: string): FeedbackRule {
  return { name, description: 'test rule', state: [], feedback: ({ kernel }) => tf.neg(kernel) };
}

describe('rule registry', () => {
  it('refuses a second rule under a taken name, built in or not', () => {
    expect(() => registerRule(ruleNamed('ss'))).toThrow(
      "a learning rule named 'ss' is already registered (it is built in)",
    );
    const mine = ruleNamed('registry-test-a');
    registerRule(mine);
    registerRule(mine); // the same rule again is harmless
    expect(getRule('registry-test-a')).toBe(mine);
    expect(() => registerRule(ruleNamed('registry-test-a'))).toThrow(
      "a learning rule named 'registry-test-a' is already registered; choose another name",
    );
  });

  it('refuses names that would not survive serialization', () => {
    expect(() => registerRule(ruleNamed('Has Space'))).toThrow("got 'Has Space'");
    expect(() => registerRule(ruleNamed(''))).toThrow("got ''");
  });

  it('is one registry when the module is loaded twice (ESM and CJS builds, two copies)', async () => {
    const mine = ruleNamed('registry-test-b');
    registerRule(mine);
    vi.resetModules();
    const second = await import('./rule-registry');
    expect(second.getRule).not.toBe(getRule); // really a second instance of the module
    expect(second.getRule('registry-test-b')).toBe(mine);
    expect(second.ruleNames()).toEqual(ruleNames());
    // The second copy's built-ins did not replace the first copy's.
    expect(second.getRule('fa')).toBe(getRule('fa'));
    const other = ruleNamed('registry-test-c');
    second.registerRule(other);
    expect(getRule('registry-test-c')).toBe(other);
  });

  it('names the known rules when asked for an unknown one', () => {
    expect(() => getRule('nope', "layer 'conv1'")).toThrow(
      "layer 'conv1': unknown learning rule 'nope' (known rules: bp, ss, fa, frsf, brsf, fa-signed-init",
    );
  });
});
