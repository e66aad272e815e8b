import * as tf from '@tensorflow/tfjs-core';
import type { FilterGradientMethod } from './conv-filter-gradient';
import type { InputGradientMethod } from './conv-input-gradient';

/** Which formulation computes each convolution gradient on a backend. */
export interface ConvGradientPlan {
  input: InputGradientMethod;
  filter: FilterGradientMethod;
}

/**
 * Measured defaults (see `npm run bench`): wasm has no `Conv2DBackpropFilter` and a slow
 * `Conv2DBackpropInput`, and the cpu backend's filter gradient runs at ~0.02 GFLOP/s, so both use
 * compositions of the forward convolution. Native TensorFlow and GPU backends keep their own kernels.
 */
const defaults: Record<string, ConvGradientPlan> = {
  wasm: { input: 'phase-conv', filter: 'dilated-conv' },
  cpu: { input: 'phase-conv', filter: 'dilated-conv' },
  tensorflow: { input: 'native', filter: 'native' },
  webgl: { input: 'native', filter: 'native' },
  webgpu: { input: 'native', filter: 'native' },
};

const overrides = new Map<string, ConvGradientPlan>();

/** Forces a plan for a backend (for benchmarks and tests); `undefined` restores the default. */
export function setConvGradientPlan(backend: string, plan: ConvGradientPlan | undefined): void {
  if (plan === undefined) overrides.delete(backend);
  else overrides.set(backend, plan);
}

/** The plan used on `backend` (the active backend by default). */
export function convGradientPlan(backend: string = tf.getBackend()): ConvGradientPlan {
  const forced = overrides.get(backend);
  if (forced) return forced;
  if (defaults[backend]) return defaults[backend];
  // Unknown backend: use its kernels where it registers them.
  const has = (kernel: string) => tf.getKernel(kernel, backend) !== undefined;
  return {
    input: has('Conv2DBackpropInput') ? 'native' : 'phase-conv',
    filter: has('Conv2DBackpropFilter') ? 'native' : 'dilated-conv',
  };
}
