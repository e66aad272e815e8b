/** Learning-rate factor as a function of training progress. */
export interface LrSchedule {
  /** Factor applied to every group's base rate at this epoch (0-based) and step within the run. */
  factor(epoch: number, globalStep: number): number;
  describe(): string;
}

/** x`gamma` at each milestone epoch (PyTorch MultiStepLR stepped once per epoch). */
export function multiStepSchedule(milestones: number[], gamma = 0.1): LrSchedule {
  const sorted = [...milestones].sort((a, b) => a - b);
  for (const m of sorted) {
    if (!Number.isInteger(m) || m < 1)
      throw new Error(`milestone epochs must be positive integers, got ${m}`);
  }
  return {
    factor: (epoch) => gamma ** sorted.filter((m) => epoch >= m).length,
    describe: () => `x${gamma} after epochs ${sorted.join(', ')}`,
  };
}

/** x`gamma` every `every` epochs (the paper's ImageNet schedule: x0.1 every 10 epochs). */
export function stepSchedule(every: number, epochs: number, gamma = 0.1): LrSchedule {
  if (!Number.isInteger(every) || every < 1)
    throw new Error(`step size must be a positive integer, got ${every}`);
  const milestones: number[] = [];
  for (let m = every; m < epochs; m += every) milestones.push(m);
  return milestones.length ? multiStepSchedule(milestones, gamma) : constantSchedule();
}

/** Multi-step with a linear warm-up over the first `warmupSteps` steps (detection's schedule). */
export function warmupMultiStepSchedule(
  milestones: number[],
  warmupSteps: number,
  warmupFactor = 1 / 1000,
  gamma = 0.1,
): LrSchedule {
  const base = multiStepSchedule(milestones, gamma);
  return {
    factor: (epoch, step) => {
      const warm = step >= warmupSteps ? 1 : warmupFactor + (1 - warmupFactor) * (step / warmupSteps);
      return warm * base.factor(epoch, step);
    },
    describe: () => `linear warm-up over ${warmupSteps} steps from x${warmupFactor}, then ${base.describe()}`,
  };
}

/** No change. */
export function constantSchedule(): LrSchedule {
  return { factor: () => 1, describe: () => 'constant' };
}
