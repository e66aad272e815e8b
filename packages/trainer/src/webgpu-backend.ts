import { readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

/** The GPU adapter a WebGPU backend runs on. */
export interface WebGpuAdapter {
  /** The adapter's device name, as Dawn reports it (`llvmpipe-llvm-15-0-6-256-bits-` for Mesa's software renderer). */
  device: string;
  /** The driver's description (`OpenGL version OpenGL ES 3.2 Mesa 22.3.6`). */
  description: string;
  /** The GPU's vendor (`nvidia`), empty where the driver does not say. */
  vendor: string;
  /** The GPU's architecture (`ampere`), empty where the driver does not say. */
  architecture: string;
  /** A CPU emulating a GPU (llvmpipe, lavapipe, SwiftShader, WARP): correct, but slower than wasm. */
  software: boolean;
  /** Which of Dawn's APIs drives it: its default (Vulkan, Metal or D3D12) or OpenGL ES. */
  api: 'default' | 'opengles';
}

/** Dawn's `GPUAdapterInfo`, `GPUAdapter` and `GPU`: the members used here. */
interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface Adapter {
  info: AdapterInfo;
  isFallbackAdapter?: boolean;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<unknown>;
}
interface Gpu {
  requestAdapter(options?: object): Promise<Adapter | null>;
}
interface DawnModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}
type WebGpuBackendClass = new (device: unknown, adapterInfo: unknown) => tf.KernelBackend;

/** How to make `--backend webgpu` available. */
export const WEBGPU_FIX =
  'install it with `npm install @tensorflow/tfjs-backend-webgpu webgpu` (Dawn for Node; its binaries ship inside the package). ' +
  "Without a GPU it runs on Mesa's software OpenGL ES: `apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri` on Debian";

const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render|warp/i;

function describe(adapter: Adapter, api: WebGpuAdapter['api']): WebGpuAdapter {
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  return {
    device: info.device ?? '',
    description: info.description ?? '',
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    software:
      info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || SOFTWARE_NAMES.test(text),
    api,
  };
}

/** `device (description)`, or whichever of the two the adapter reports. */
export function adapterName(a: WebGpuAdapter): string {
  const parts = [a.device || a.vendor, a.description].filter((s) => s);
  return parts.length === 2 ? `${parts[0]} (${parts[1]})` : (parts[0] ?? 'an unnamed adapter');
}

/** The adapter the registered `webgpu` backend runs on, once {@link startWebGpu} registered one. */
let started: WebGpuAdapter | null = null;

function installGlobals(dawn: DawnModule, gpu: Gpu): void {
  const g = globalThis as Record<string, unknown>;
  // GPUBufferUsage, GPUMapMode, ...: the webgpu backend reads them as globals, as in a browser.
  for (const [name, value] of Object.entries(dawn.globals)) if (!(name in g)) g[name] = value;
  // The backend checks `navigator.gpu` when it is built. Node 20 has no navigator; Node 21+ has one without gpu.
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav && typeof nav === 'object') Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(g, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

async function findAdapter(
  dawn: DawnModule,
  allowSoftware: boolean,
): Promise<{ gpu: Gpu; adapter: Adapter; report: WebGpuAdapter } | string> {
  const seen: string[] = [];
  // Dawn's default API first: Vulkan on Linux (Metal, D3D12 elsewhere).
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (adapter) {
    const report = describe(adapter, 'default');
    if (!report.software || allowSoftware) return { gpu, adapter, report };
    seen.push(adapterName(report));
  }
  // Then OpenGL ES, which Mesa's software renderer offers on any Linux machine (DESIGN.md "Compute backends"):
  // EGL without a display, and the compatibility feature level that OpenGL ES supports.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const gles = dawn.create(['backend=opengles']);
  const glAdapter = await gles.requestAdapter({ featureLevel: 'compatibility' }).catch(() => null);
  if (glAdapter) {
    const report = describe(glAdapter, 'opengles');
    if (!report.software || allowSoftware) return { gpu: gles, adapter: glAdapter, report };
    seen.push(adapterName(report));
  }
  if (seen.length > 0) return `WebGPU found only a software adapter (${seen.join('; ')})`;
  return 'WebGPU found no adapter (no Vulkan driver, and no OpenGL ES through EGL)';
}

/** On Linux, why there is certainly no GPU (no DRM render node, no NVIDIA device); null where there may be one. */
function noGpuDevice(): string | null {
  if (process.platform !== 'linux') return null;
  const has = (dir: string, prefix: string) => {
    try {
      return readdirSync(dir).some((name) => name.startsWith(prefix));
    } catch {
      return false;
    }
  };
  if (has('/dev/dri', 'renderD') || has('/dev', 'nvidia')) return null;
  return 'no GPU device on this machine (no /dev/dri/renderD* or /dev/nvidia*)';
}

/**
 * Registers and activates tfjs's `webgpu` backend on Dawn (the `webgpu` npm package): a hardware adapter if
 * there is one; with `allowSoftware`, else Mesa's software OpenGL ES (a CPU emulating a GPU: slow, but the
 * same kernels, so it tests the WebGPU path anywhere). Returns the adapter, or why there is none.
 * Only asynchronous reads work on this backend in Node (`await t.data()`): `dataSync` throws.
 */
export async function startWebGpu(allowSoftware: boolean): Promise<WebGpuAdapter | string> {
  if (!started && tf.findBackend('webgpu')) {
    // The application started tfjs's webgpu backend itself: use it as it is, described by its device's adapter.
    const backend = tf.findBackend('webgpu') as unknown as { device?: { adapterInfo?: AdapterInfo } };
    started = describe({ info: backend.device?.adapterInfo ?? {} } as Adapter, 'default');
  }
  if (started && tf.findBackend('webgpu')) {
    if (started.software && !allowSoftware)
      return `WebGPU runs on a software adapter (${adapterName(started)})`;
    return (await activateWebGpu()) ? started : 'the webgpu backend did not start';
  }
  if (!allowSoftware) {
    // Probing Dawn where there is no GPU only finds a software renderer, and Mesa prints errors while it looks.
    const none = noGpuDevice();
    if (none) return none;
  }
  let dawn: DawnModule;
  let backendModule: { WebGPUBackend?: WebGpuBackendClass; default?: { WebGPUBackend?: WebGpuBackendClass } };
  try {
    dawn = (await importByName('webgpu')) as DawnModule;
  } catch (err) {
    return `webgpu (Dawn) did not load (${(err as Error).message.split('\n')[0]})`;
  }
  try {
    backendModule = (await importByName('@tensorflow/tfjs-backend-webgpu')) as typeof backendModule;
  } catch (err) {
    return `@tensorflow/tfjs-backend-webgpu did not load (${(err as Error).message.split('\n')[0]})`;
  }
  const WebGPUBackend = backendModule.WebGPUBackend ?? backendModule.default?.WebGPUBackend;
  if (!WebGPUBackend) return '@tensorflow/tfjs-backend-webgpu exports no WebGPUBackend';
  let found: Awaited<ReturnType<typeof findAdapter>>;
  try {
    found = await findAdapter(dawn, allowSoftware);
  } catch (err) {
    return `Dawn failed to look for an adapter (${(err as Error).message.split('\n')[0]})`;
  }
  if (typeof found === 'string') return found;
  const { gpu, adapter, report } = found;
  installGlobals(dawn, gpu);
  // The package registers its own factory at import when `navigator.gpu` exists; this one uses the adapter
  // chosen above (the package's asks `navigator.gpu` for the default one) with the package's device limits.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const limits = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      return new WebGPUBackend(device, adapter.info);
    },
    // Below tfjs's own registrations: registering never makes webgpu the default backend of a program.
    0,
  );
  if (!(await activateWebGpu())) {
    tf.removeBackend('webgpu');
    return `the webgpu backend did not start on ${adapterName(report)}`;
  }
  started = report;
  return report;
}

/** A dynamic import the bundler leaves alone: both packages are optional peers. */
function importByName(name: string): Promise<unknown> {
  return import(name);
}

async function activateWebGpu(): Promise<boolean> {
  try {
    const ok = await tf.setBackend('webgpu');
    if (ok) await tf.ready();
    return ok;
  } catch {
    return false;
  }
}
