import * as tf from '@tensorflow/tfjs-core';
import type { FilterGradientMethod } from './conv-filter-gradient';
import type { InputGradientMethod } from './conv-input-gradient';

/** Which formulation computes each convolution gradient on a backend. */
export interface ConvGradientPlan {
  input: InputGradientMethod;
  filter: FilterGradientMethod;
}

/**
 * How the training-step ops are formulated on one backend. This is the one place that looks at the backend's
 * name: the ops and rules ask the plan, never the backend.
 */
export interface BackendPlan {
  /** The convolution gradients: the backend's kernels, or compositions of its forward convolution. */
  conv: ConvGradientPlan;
  /** A transposed matMul: the kernel's transpose flags, or explicit transposes first. */
  matMulTranspose: 'flags' | 'explicit';
  /**
   * Random tensors drawn at every step (brSF's R): on the host with tfjs's seeded generators and uploaded, or
   * on the device with tensor ops (`device-random.ts`). Draws made once (feedback alignment's B) stay on the
   * host everywhere, so a seed gives the same network on every backend.
   */
  stepRandom: 'host' | 'device';
  /**
   * What reading a tensor back to the host costs inside a training step: nothing much where tensors live in host
   * memory (`cheap`), or a stall of the device's queue (`stalls`), so the training loop reads losses every few
   * steps and skips a bad step on the device.
   */
  readBack: 'cheap' | 'stalls';
  /**
   * How the host loops of the wasm and cpu formulations reach tensor values: views of the backend's own memory
   * (`heap-view`: wasm, where `dataSync` copies at ~0.3 GB/s and an upload copies again), or `dataSync` and a
   * fresh upload (`copy`). See `host-memory.ts`.
   */
  hostMemory: 'heap-view' | 'copy';
}

/**
 * Measured defaults (see `npm run bench`): wasm has no `Conv2DBackpropFilter` and a slow
 * `Conv2DBackpropInput`, and the cpu backend's filter gradient runs at ~0.02 GFLOP/s, so both use
 * compositions of the forward convolution, some of them with host loops (they read tensors back: wasm and cpu
 * only), and wasm's matMul is ~15x slower with a transpose flag. Native TensorFlow and GPU backends keep their
 * own kernels, and nothing in a training step leaves the device there.
 */
const host: BackendPlan = {
  conv: { input: 'phase-conv', filter: 'dilated-conv' },
  matMulTranspose: 'explicit',
  stepRandom: 'host',
  readBack: 'cheap',
  hostMemory: 'copy',
};
const device: BackendPlan = {
  conv: { input: 'native', filter: 'native' },
  matMulTranspose: 'flags',
  stepRandom: 'device',
  readBack: 'stalls',
  hostMemory: 'copy',
};
const defaults: Record<string, BackendPlan> = {
  wasm: { ...host, hostMemory: 'heap-view' },
  cpu: host,
  tensorflow: device,
  webgl: device,
  webgpu: device,
};

const overrides = new Map<string, Partial<BackendPlan>>();

/** The plan used on `backend` (the active backend by default). */
export function backendPlan(backend: string = tf.getBackend()): BackendPlan {
  const base = defaults[backend] ?? unknownBackendPlan(backend);
  const forced = overrides.get(backend);
  return forced ? { ...base, ...forced } : base;
}

/** Forces parts of a backend's plan (for benchmarks and tests); `undefined` restores the default. */
export function setBackendPlan(backend: string, plan: Partial<BackendPlan> | undefined): void {
  if (plan === undefined) overrides.delete(backend);
  else overrides.set(backend, plan);
}

/** The convolution gradient plan used on `backend` (the active backend by default). */
export function convGradientPlan(backend: string = tf.getBackend()): ConvGradientPlan {
  return backendPlan(backend).conv;
}

/** Forces the convolution gradient plan of a backend; `undefined` restores the default. */
export function setConvGradientPlan(backend: string, plan: ConvGradientPlan | undefined): void {
  const { conv: _, ...rest } = overrides.get(backend) ?? {};
  if (plan) overrides.set(backend, { ...rest, conv: plan });
  else if (Object.keys(rest).length > 0) overrides.set(backend, rest);
  else overrides.delete(backend);
}

/** A backend not measured here: its kernels where it registers them, host draws, transpose flags. */
function unknownBackendPlan(backend: string): BackendPlan {
  const has = (kernel: string) => tf.getKernel(kernel, backend) !== undefined;
  return {
    conv: {
      input: has('Conv2DBackpropInput') ? 'native' : 'phase-conv',
      filter: has('Conv2DBackpropFilter') ? 'native' : 'dilated-conv',
    },
    matMulTranspose: 'flags',
    stepRandom: 'host',
    readBack: 'stalls',
    hostMemory: 'copy',
  };
}

/**
 * What reading a tensor back to the host costs inside a training step on `backend` (the active one by default):
 * `cheap` where tensors live in host memory, `stalls` where the read waits for the device's queue to drain.
 */
export function readBackCost(backend: string = tf.getBackend()): BackendPlan['readBack'] {
  return backendPlan(backend).readBack;
}
