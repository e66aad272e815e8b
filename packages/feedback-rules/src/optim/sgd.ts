import * as tf from '@tensorflow/tfjs-core';
import { type SgdSettings, sgdUpdate } from './sgd-update';

/** A set of parameters sharing optimizer settings (the paper's code gives the last layer its own rate). */
export interface ParamGroup {
  /** Name used in logs and schedules, e.g. 'hidden' or 'last'. */
  name: string;
  params: tf.Variable[];
  lr: number;
  /** Default 0.9. */
  momentum?: number;
  /** Added to the gradient, as PyTorch does. Default 0. */
  weightDecay?: number;
  /** Use `sign(grad)` in place of the gradient (paper code's batch-manhattan). */
  batchManhattan?: boolean;
  /** A weight that would cross zero stays on its old side at +/- `lowerBound`. */
  noSignChange?: boolean;
  /** Default 1e-10. */
  lowerBound?: number;
}

/** Serializable optimizer state for checkpoints. */
export interface SgdState {
  steps: number;
  learningRates: Record<string, number>;
  /** Momentum buffers by variable name; absent until a parameter's first step. */
  buffers: Record<string, tf.Tensor>;
}

interface Slot {
  group: Required<Omit<ParamGroup, 'params'>>;
  param: tf.Variable;
  buffer: tf.Variable | null;
}

/**
 * SGD with PyTorch semantics: `d = g + wd * p`, the momentum buffer starts as the first `d`, then
 * `buf = momentum * buf + d`, `p -= lr * buf` (no dampening, no Nesterov).
 */
export class SGD {
  readonly groups: Required<Omit<ParamGroup, 'params'>>[];
  private readonly slots = new Map<string, Slot>();
  private steps = 0;

  constructor(groups: ParamGroup[]) {
    if (groups.length === 0) throw new Error('SGD: at least one parameter group is needed');
    this.groups = groups.map((g) => {
      if (!(g.lr >= 0)) throw new Error(`SGD group '${g.name}': learning rate must be >= 0, got ${g.lr}`);
      return {
        name: g.name,
        lr: g.lr,
        momentum: g.momentum ?? 0.9,
        weightDecay: g.weightDecay ?? 0,
        batchManhattan: g.batchManhattan ?? false,
        noSignChange: g.noSignChange ?? false,
        lowerBound: g.lowerBound ?? 1e-10,
      };
    });
    groups.forEach((g, i) => {
      for (const param of g.params) {
        if (this.slots.has(param.name)) {
          throw new Error(`SGD: parameter '${param.name}' is in more than one group`);
        }
        this.slots.set(param.name, { group: this.groups[i], param, buffer: null });
      }
    });
  }

  /** Number of steps taken. */
  get iterations(): number {
    return this.steps;
  }

  /**
   * The settings a step applies to the parameter of this variable name (its group's, at the current learning
   * rate), or undefined for a variable the optimizer does not train.
   */
  settingsOf(name: string): SgdSettings | undefined {
    const slot = this.slots.get(name);
    return slot ? { ...slot.group } : undefined;
  }

  /** Sets the learning rate of one group (or of all groups when `group` is omitted). */
  setLearningRate(lr: number, group?: string): void {
    for (const g of this.groups) if (group === undefined || g.name === group) g.lr = lr;
  }

  /**
   * Applies one step. `grads` maps variable names to gradients; parameters without one are left as they are.
   * With `applied` (a boolean scalar on the device), parameters and buffers change only where it is true: a
   * loop that checks the loss without reading it back skips a bad step on the device.
   */
  step(grads: tf.NamedTensorMap, applied?: tf.Tensor): void {
    for (const name of Object.keys(grads)) {
      if (!this.slots.has(name)) throw new Error(`SGD: gradient for unknown parameter '${name}'`);
    }
    for (const [name, slot] of this.slots) {
      const grad = grads[name];
      if (!grad) continue;
      const { group, param } = slot;
      tf.tidy(() => {
        // A guarded first step starts the buffer from zeros, which gives the same numbers as starting it at `d`.
        const previous =
          applied && slot.buffer === null && group.momentum !== 0 ? tf.zerosLike(param) : slot.buffer;
        const next = sgdUpdate(param, grad, previous, group);
        const value = applied ? tf.where(applied, next.value, param) : next.value;
        const buffer =
          applied && next.buffer !== null && previous !== null
            ? tf.where(applied, next.buffer, previous)
            : next.buffer;
        if (buffer !== null) {
          if (slot.buffer === null) slot.buffer = tf.variable(buffer, false);
          else slot.buffer.assign(buffer);
        }
        param.assign(value);
      });
    }
    this.steps++;
  }

  /** State for a checkpoint (tensors are copies owned by the caller). */
  getState(): SgdState {
    const buffers: Record<string, tf.Tensor> = {};
    for (const [name, slot] of this.slots) if (slot.buffer) buffers[name] = tf.clone(slot.buffer);
    const learningRates: Record<string, number> = {};
    for (const g of this.groups) learningRates[g.name] = g.lr;
    return { steps: this.steps, learningRates, buffers };
  }

  /** Restores a checkpoint's state; buffers for unknown parameters are an error. */
  setState(state: SgdState): void {
    for (const name of Object.keys(state.buffers)) {
      if (!this.slots.has(name))
        throw new Error(`SGD: checkpoint has a momentum buffer for unknown parameter '${name}'`);
    }
    for (const [name, slot] of this.slots) {
      const saved = state.buffers[name];
      slot.buffer?.dispose();
      slot.buffer = saved ? tf.variable(saved, false) : null;
    }
    for (const g of this.groups)
      if (state.learningRates[g.name] !== undefined) g.lr = state.learningRates[g.name];
    this.steps = state.steps;
  }

  /** Frees the momentum buffers. */
  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.buffer?.dispose();
      slot.buffer = null;
    }
  }
}
