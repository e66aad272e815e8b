import { backprop } from './backprop';
import { batchwiseRandomSignFeedback } from './batchwise-random-sign-feedback';
import { feedbackAlignment } from './feedback-alignment';
import type { FeedbackRule } from './feedback-rule';
import { fixedRandomSignFeedback } from './fixed-random-sign-feedback';
import { kolenPollack } from './kolen-pollack';
import { signSymmetry } from './sign-symmetry';
import { signedInitFeedback } from './signed-init-feedback';
import { weightMirror } from './weight-mirror';

interface RegistryEntry {
  rule: FeedbackRule;
  builtIn: boolean;
}

/**
 * One registry per process, kept on `globalThis`: an application that loads this package twice (its ESM
 * and its CommonJS build, or two installed copies) still sees every rule registered through either copy.
 */
const REGISTRY_KEY = Symbol.for('@bioprop/feedback-rules/rule-registry');
const holder = globalThis as typeof globalThis & { [REGISTRY_KEY]?: Map<string, RegistryEntry> };
holder[REGISTRY_KEY] ??= new Map<string, RegistryEntry>();
const registry = holder[REGISTRY_KEY];

/**
 * Adds a rule under its name (a rule of one's own, or `createWeightMirror` with other options). A name that is already taken by
 * another rule is an error; registering the same rule object again does nothing.
 */
export function registerRule(rule: FeedbackRule): void {
  if (typeof rule?.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(rule.name)) {
    throw new Error(
      `feedback-rules: a rule's name must be lower-case letters, digits and '-', got '${rule?.name}'`,
    );
  }
  const existing = registry.get(rule.name);
  if (existing && existing.rule !== rule) {
    throw new Error(
      `feedback-rules: a learning rule named '${rule.name}' is already registered` +
        `${existing.builtIn ? ' (it is built in)' : ''}; choose another name`,
    );
  }
  registry.set(rule.name, { rule, builtIn: false });
}

/** The rule called `name`; unknown names are an error listing the known ones. */
export function getRule(name: string, who = 'feedback-rules'): FeedbackRule {
  const entry = registry.get(name);
  if (!entry) {
    throw new Error(`${who}: unknown learning rule '${name}' (known rules: ${ruleNames().join(', ')})`);
  }
  return entry.rule;
}

/** Names of all registered rules. */
export function ruleNames(): string[] {
  return [...registry.keys()];
}

// A second copy of this module finds its built-in names taken by the first copy's equal rules and keeps those.
for (const rule of [
  backprop,
  signSymmetry,
  feedbackAlignment,
  fixedRandomSignFeedback,
  batchwiseRandomSignFeedback,
  signedInitFeedback,
  kolenPollack,
  weightMirror,
]) {
  if (!registry.has(rule.name)) registry.set(rule.name, { rule, builtIn: true });
}
