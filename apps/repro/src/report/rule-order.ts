/** The order rules take in tables and figure legends: the control, the paper's rules, variants, learned feedback. */
export const RULE_ORDER = ['bp', 'ss', 'fa', 'frsf', 'brsf', 'fa-signed-init', 'kp', 'wm'];
