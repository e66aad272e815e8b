import { availableParallelism, cpus, loadavg } from 'node:os';

/** The machine the comparison runs on. */
export interface MachineInfo {
  cpu: string;
  /** Logical CPUs this process may use: PyTorch's "all threads" count. */
  cpus: number;
  node: string;
  platform: string;
  /** 1-minute load average at the start. */
  loadAverage: number;
}

/** Describes this machine. */
export function describeMachine(): MachineInfo {
  return {
    cpu: cpus()[0]?.model.trim() || 'unknown CPU',
    cpus: availableParallelism(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg()[0],
  };
}

/**
 * A warning when other work already occupies the machine: every measurement would then be slow and noisy,
 * PyTorch's multi-threaded ones the most.
 */
export function busyWarning(m: MachineInfo, load = loadavg()[0]): string | null {
  return load > 0.5 * m.cpus
    ? `the machine is busy (load average ${load.toFixed(1)} on ${m.cpus} CPUs): numbers will be low and noisy`
    : null;
}
