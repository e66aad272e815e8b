import { getRule } from '@bioprop/feedback-rules';

/** Checks both rule names up front, so a typo fails before any layer is built. */
export function validateRules(who: string, rule: string, lastRule: string): void {
  getRule(rule, `${who} (rule)`);
  getRule(lastRule, `${who} (lastRule)`);
}

/** `value` if it is a positive integer, else an error naming the option. */
export function positiveInteger(who: string, key: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${who}: ${key} must be a positive integer, got ${value}`);
  }
  return value;
}

/** A model seed for a caller who gave none; layers store theirs in their configs, so a saved model reloads. */
export function freshModelSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
