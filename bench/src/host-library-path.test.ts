import { describe, expect, it } from 'vitest';
import { hostLibraryEnv } from './host-library-path';

describe('hostLibraryEnv', () => {
  it("drops the bundle's libraries from LD_LIBRARY_PATH and keeps the machine's", () => {
    const env = {
      BIOPROP_BUNDLE_LIBS: '/b/runtime/lib:/b/runtime/lib-fallback',
      LD_LIBRARY_PATH: '/b/runtime/lib:/b/runtime/lib-fallback:/usr/local/nvidia/lib64:/opt/cuda/lib64',
    };
    expect(hostLibraryEnv(env)).toEqual({ LD_LIBRARY_PATH: '/usr/local/nvidia/lib64:/opt/cuda/lib64' });
  });

  it('changes nothing outside the bundle', () => {
    expect(hostLibraryEnv({ LD_LIBRARY_PATH: '/opt/cuda/lib64' })).toEqual({});
  });
});
