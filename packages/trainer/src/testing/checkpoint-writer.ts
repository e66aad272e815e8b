// Rewrites a 64 MB checkpoint at argv[2] forever; the checkpoint test kills it mid-write.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { writeCheckpoint } from '../checkpoint';

const path = process.argv[2];
const big = tf.fill([16 * 1024 * 1024], 1);
for (let g = 1; ; g++) {
  process.stdout.write('w');
  await writeCheckpoint(path, { meta: { generation: g }, tensors: { w: big } });
}
