import * as tf from '@tensorflow/tfjs-core';

/** The two packages WebGPU training in Node needs; neither is a dependency of BioProp today. */
const PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu'];

/** The part of Dawn's `webgpu` package used here. */
interface DawnModule {
  create(options: string[]): GpuLike;
  globals?: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null>;
}
interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: AdapterInfoLike;
  requestAdapterInfo?: () => Promise<AdapterInfoLike>;
}
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/** Adapters that are a CPU emulating a GPU (Mesa's lavapipe and llvmpipe, SwiftShader): not worth timing. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software/i;

/** The webgpu backend is active on a hardware adapter, or why not. */
export type WebGpuSetup = { ok: true; adapter: string } | { ok: false; reason: string };

async function importOptional(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch {
    return null;
  }
}

/**
 * Activates tfjs' webgpu backend in Node through Dawn (the `webgpu` package), on a hardware adapter only; a
 * missing package, no adapter or a software adapter is a reason, not an error. Dawn's `navigator.gpu` is put in
 * place before `@tensorflow/tfjs-backend-webgpu` loads, since that package registers its backend only if
 * `navigator.gpu` exists when it is imported.
 */
export async function setUpWebGpu(): Promise<WebGpuSetup> {
  const dawn = (await importOptional(PACKAGES[0])) as DawnModule | null;
  const missing = dawn ? [] : [PACKAGES[0]];
  // Resolving (not importing) the tfjs package: importing it before navigator.gpu exists would skip registration.
  try {
    import.meta.resolve(PACKAGES[1]);
  } catch {
    missing.push(PACKAGES[1]);
  }
  if (missing.length) {
    return { ok: false, reason: `not installed: ${missing.join(', ')} (npm install ${PACKAGES.join(' ')})` };
  }
  const gpu = dawn!.create([]);
  if (dawn!.globals) Object.assign(globalThis, dawn!.globals);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    // Dawn's default request finds GPUs only; Mesa's software OpenGL ES needs options, and is not worth timing.
    return { ok: false, reason: 'Dawn found no hardware WebGPU adapter (no GPU with a Vulkan driver)' };
  }
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  if (adapter.isFallbackAdapter || SOFTWARE_ADAPTER.test(name)) {
    return { ok: false, reason: `only a software adapter (${name || 'fallback adapter'})` };
  }
  const nav = (globalThis as { navigator?: Record<string, unknown> }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  await import(PACKAGES[1]);
  try {
    if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: "tf.setBackend('webgpu') failed" };
  } catch (err) {
    return { ok: false, reason: `tf.setBackend('webgpu') failed: ${(err as Error).message.split('\n')[0]}` };
  }
  await tf.ready();
  return { ok: true, adapter: name || 'unnamed adapter' };
}
