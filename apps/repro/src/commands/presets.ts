import { DETECTION_PRESETS } from '../detection/detection-presets';
import { detectionSchedule } from '../detection/train-detection';
import { PRESETS } from '../presets';

/** `repro presets`: one line per preset with its main settings. */
export function presetsCommand(): string {
  const pad = ' '.repeat(25);
  const classification = Object.entries(PRESETS).map(([name, p]) => {
    const c = p.config;
    return `${name.padEnd(24)} ${p.description}\n${pad}batch ${c.batchSize}, ${c.epochs} epochs, lr ${c.lr}, x0.1 after ${c.milestones.join(',')}, momentum ${c.momentum}, wd ${c.weightDecay}, last layer ${c.lastRule}`;
  });
  const detection = Object.entries(DETECTION_PRESETS).map(([name, p]) => {
    const c = p.config;
    return `${name.padEnd(24)} ${p.description}\n${pad}batch ${c.batchSize}, ${c.epochs} epochs, lr ${c.lr}, ${detectionSchedule(c).describe()}, momentum ${c.momentum}, wd ${c.weightDecay}, images ${c.shortSide}/${c.maxSize}`;
  });
  return `${[...classification, ...detection].join('\n')}\n`;
}
