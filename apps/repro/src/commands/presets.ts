import { PRESETS } from '../presets';

/** `repro presets`: one line per preset with its main settings. */
export function presetsCommand(): string {
  return `${Object.entries(PRESETS)
    .map(([name, p]) => {
      const c = p.config;
      return `${name.padEnd(24)} ${p.description}\n${' '.repeat(25)}batch ${c.batchSize}, ${c.epochs} epochs, lr ${c.lr}, x0.1 after ${c.milestones.join(',')}, momentum ${c.momentum}, wd ${c.weightDecay}, last layer ${c.lastRule}`;
    })
    .join('\n')}\n`;
}
