import { readdirSync, readFileSync } from 'node:fs';

/** The GPU driver and device nodes the kernel offers, as files tell them (no tool such as nvidia-smi is needed). */
export interface GpuDriverInfo {
  /** `NVIDIA 580.159.03`, or why none was found. */
  driver: string;
  /** GPU device nodes: /dev/nvidia0, /dev/dri/renderD128, ... */
  devices: string[];
  /** The loader variables that choose a Vulkan driver or an EGL vendor, when set. */
  loaderEnv: string[];
}

/** Variables that steer the Vulkan loader and glvnd's EGL: what run-bench-gpu.sh sets where the driver sits aside. */
const LOADER_VARIABLES = ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES', '__EGL_VENDOR_LIBRARY_FILENAMES'];

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function list(dir: string, keep: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir)
      .filter(keep)
      .sort()
      .map((name) => `${dir}/${name}`);
  } catch {
    return [];
  }
}

/**
 * The NVIDIA kernel driver's version from `/proc/driver/nvidia/version` ("NVRM version: NVIDIA UNIX x86_64
 * Kernel Module  580.159.03 ..."), else from `/sys/module/nvidia/version`; null where neither names one.
 */
export function nvidiaDriverVersion(read: (path: string) => string | null = readOr): string | null {
  const proc = read('/proc/driver/nvidia/version');
  const m = proc?.match(/Kernel Module\s+(\d+(?:\.\d+)+)/);
  if (m) return m[1];
  const sys = read('/sys/module/nvidia/version')?.trim();
  return sys || null;
}

/** Describes the GPU driver and device nodes of this machine. */
export function describeGpuDriver(env: NodeJS.ProcessEnv = process.env): GpuDriverInfo {
  const nvidia = nvidiaDriverVersion();
  const devices = [
    ...list('/dev', (n) => /^nvidia\d+$/.test(n)),
    ...list('/dev/dri', (n) => n.startsWith('renderD')),
  ];
  return {
    driver: nvidia ? `NVIDIA ${nvidia}` : 'no NVIDIA kernel driver (no /proc/driver/nvidia/version)',
    devices,
    loaderEnv: LOADER_VARIABLES.filter((v) => env[v]).map((v) => `${v}=${env[v]}`),
  };
}
