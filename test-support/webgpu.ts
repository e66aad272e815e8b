import * as tf from '@tensorflow/tfjs-core';

/**
 * Test setup of tfjs's webgpu backend on Dawn (the `webgpu` package), as `@bioprop/trainer`'s
 * `selectBackend('webgpu')` does it, for the tests of the packages below the trainer (feedback-rules,
 * architectures), which cannot depend on it: a hardware adapter if there is one, else Mesa's software OpenGL ES,
 * so that the WebGPU kernels are checked on machines without a GPU. Resolves to null once the backend is
 * registered, or to why it cannot be.
 * With `BIOPROP_REQUIRE_WEBGPU=1` (CI sets it) a missing backend is an error instead of a reason to skip.
 */
export function webgpuUnavailable(): Promise<string | null> {
  unavailable ??= start().then((reason) => {
    if (reason && process.env.BIOPROP_REQUIRE_WEBGPU === '1')
      throw new Error(`BIOPROP_REQUIRE_WEBGPU=1 but the webgpu backend cannot start: ${reason}`);
    return reason;
  });
  return unavailable;
}

let unavailable: Promise<string | null> | undefined;

interface Adapter {
  info: Record<string, unknown>;
  limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<unknown>;
}
interface Gpu {
  requestAdapter(options?: object): Promise<Adapter | null>;
}

async function start(): Promise<string | null> {
  let dawn: { create(flags: string[]): Gpu; globals: Record<string, unknown> };
  let WebGPUBackend: new (device: unknown, info: unknown) => tf.KernelBackend;
  try {
    dawn = (await importByName('webgpu')) as typeof dawn;
    ({ WebGPUBackend } = (await importByName('@tensorflow/tfjs-backend-webgpu')) as {
      WebGPUBackend: typeof WebGPUBackend;
    });
  } catch (err) {
    return `webgpu or @tensorflow/tfjs-backend-webgpu did not load: ${(err as Error).message.split('\n')[0]}`;
  }
  let gpu = dawn.create([]);
  let adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) {
    process.env.EGL_PLATFORM ??= 'surfaceless';
    gpu = dawn.create(['backend=opengles']);
    adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' }).catch(() => null);
  }
  if (!adapter) {
    return 'Dawn found no adapter: no Vulkan driver, and no OpenGL ES through EGL (install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)';
  }
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(dawn.globals)) if (!(name in g)) g[name] = value;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav && typeof nav === 'object') Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(g, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const found = adapter;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      // The limits tfjs's own factory asks for: its kernels assume the adapter's, not WebGPU's defaults (under the
      // compatibility feature level, 128 invocations per workgroup: matMul's 256 would fail).
      const l = found.limits;
      const names = [
        'maxComputeWorkgroupStorageSize',
        'maxComputeWorkgroupsPerDimension',
        'maxStorageBufferBindingSize',
        'maxBufferSize',
        'maxComputeWorkgroupSizeX',
        'maxComputeInvocationsPerWorkgroup',
      ];
      const device = await found.requestDevice({
        requiredLimits: Object.fromEntries(names.map((n) => [n, l[n]])),
      });
      return new WebGPUBackend(device, found.info);
    },
    0,
  );
  return null;
}

function importByName(name: string): Promise<unknown> {
  return import(name);
}
