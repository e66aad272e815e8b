/**
 * The environment for a program of the machine's own (PyTorch) started from the bench:gpu bundle: its
 * run-bench-gpu.sh puts Debian 12's libraries first on LD_LIBRARY_PATH for the bundled node, and names them in
 * BIOPROP_BUNDLE_LIBS; a Python built against newer libraries (libstdc++, OpenSSL) must not see them. Empty outside
 * the bundle, where nothing was added.
 */
export function hostLibraryEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const bundled = env.BIOPROP_BUNDLE_LIBS;
  if (!bundled) return {};
  const drop = new Set(bundled.split(':').filter(Boolean));
  const kept = (env.LD_LIBRARY_PATH ?? '').split(':').filter((dir) => dir && !drop.has(dir));
  return { LD_LIBRARY_PATH: kept.join(':') };
}
