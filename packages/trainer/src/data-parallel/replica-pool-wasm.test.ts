import '@tensorflow/tfjs';
import { beforeAll, describe } from 'vitest';
import { selectBackend } from '../backend';
import { checksWithoutBatchNorm } from '../testing/replica-pool-checks';

// The same checks on wasm, the backend replicas are for: its kernels, and tensors made from shared views.
describe('ReplicaPool on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  checksWithoutBatchNorm();
});
