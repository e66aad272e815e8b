// Starts wasm on argv[2] threads through selectBackend, runs XNNPACK's convolution, input gradient and matrix
// product, and prints the backend's report and the results as one JSON line. It must then exit by itself: the
// threads test fails on a hang.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend';
import { convolutionCase } from './convolution-case';

const selection = await selectBackend('wasm', { wasmThreads: Number(process.argv[2]) });
const results = convolutionCase();
console.log(JSON.stringify({ selection, backend: tf.getBackend(), results }));
