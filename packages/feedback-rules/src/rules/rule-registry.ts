import { backprop } from './backprop';
import { batchwiseRandomSignFeedback } from './batchwise-random-sign-feedback';
import { feedbackAlignment } from './feedback-alignment';
import type { FeedbackRule } from './feedback-rule';
import { fixedRandomSignFeedback } from './fixed-random-sign-feedback';
import { signSymmetry } from './sign-symmetry';
import { signedInitFeedback } from './signed-init-feedback';

const registry = new Map<string, FeedbackRule>();

/** Adds a rule under its name (new rules such as Kolen-Pollack plug in here). */
export function registerRule(rule: FeedbackRule): void {
  registry.set(rule.name, rule);
}

/** The rule called `name`; unknown names are an error listing the known ones. */
export function getRule(name: string, who = 'feedback-rules'): FeedbackRule {
  const rule = registry.get(name);
  if (!rule) {
    throw new Error(`${who}: unknown learning rule '${name}' (known rules: ${ruleNames().join(', ')})`);
  }
  return rule;
}

/** Names of all registered rules. */
export function ruleNames(): string[] {
  return [...registry.keys()];
}

for (const rule of [
  backprop,
  signSymmetry,
  feedbackAlignment,
  fixedRandomSignFeedback,
  batchwiseRandomSignFeedback,
  signedInitFeedback,
]) {
  registerRule(rule);
}
