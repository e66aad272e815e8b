import type { GpuSetup } from './gpu-backends';

/** A field of the adapter info, or a dash where the driver leaves it empty (Dawn's GL path often does). */
function field(value: string): string {
  return value || '-';
}

/**
 * What the WebGPU probe found, as the lines bench:gpu prints first: the adapter as Dawn describes it (name,
 * vendor, architecture, description, which API drives it, hardware or software), then the tfjs backend that runs
 * on it, or why WebGPU will not be measured.
 */
export function adapterLines(setup: GpuSetup): string[] {
  const lines: string[] = [];
  const a = setup.adapter;
  if (a) {
    const api = a.api === 'opengles' ? "Dawn's OpenGL ES" : "Dawn's default API (Vulkan on Linux)";
    lines.push(
      `WebGPU adapter: name ${field(a.device)}, vendor ${field(a.vendor)}, architecture ${field(a.architecture)}, ` +
        `description ${field(a.description)}; through ${api}; ${a.software ? 'SOFTWARE (a CPU emulating a GPU)' : 'hardware'}`,
    );
  }
  if (setup.ok) lines.push(`tfjs backend: ${setup.tfjs}, webgpu (${setup.detail})`);
  else lines.push(`WebGPU: not measured: ${setup.reason}`);
  return lines;
}

/**
 * tfjs-node-gpu is optional and cannot be installed without internet (its install downloads libtensorflow), so
 * "not installed" is the usual answer: one short line then, the whole reason when it is installed but fails.
 */
export function tensorflowGpuLine(setup: GpuSetup): string {
  if (setup.ok) return `tfjs-node-gpu: ${setup.tfjs}, ${setup.detail}`;
  if (/tfjs-node-gpu did not load \(Cannot find (package|module)/.test(setup.reason)) {
    return 'tfjs-node-gpu: not installed, skipped (optional: `npm install @tensorflow/tfjs-node-gpu` downloads libtensorflow and needs CUDA 11.2)';
  }
  return `tfjs-node-gpu: skipped: ${setup.reason}`;
}
