import '@tensorflow/tfjs';
import type { AsymmetricConv2D } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type BuildModelOptions, buildModel } from './build-model';
import { loadPytorchStateDict, pytorchStateDict } from './pytorch-state-dict';
import { loadResNetTinyVectors } from './testing/reference';

const tiny: BuildModelOptions = {
  arch: 'resnet18',
  width: 4,
  inputChannels: 1,
  classes: 3,
  inputSize: 8,
  stem: 'small',
  seed: 3,
};

describe('PyTorch state_dict mapping', () => {
  it('ResNet-18 keys are the reference module names, in PyTorch layouts', () => {
    const ref = loadResNetTinyVectors();
    const dict = pytorchStateDict(buildModel({ ...tiny, rule: 'bp' }));
    expect(Object.keys(dict).sort()).toEqual(Object.keys(ref.params).sort());
    expect(dict['layers.2.down.0.weight'].shape).toEqual([8, 4, 1, 1]);
    expect(dict['stem.0.weight'].shape).toEqual([4, 1, 3, 3]);
    expect(dict['fc.weight'].shape).toEqual([3, 32]);
    expect(Array.from(dict['stem.1.running_var'].data)).toEqual([1, 1, 1, 1]);
    // fa feedback is the reference code's `fixed` buffer, for every layer but the (bp) classifier.
    const fa = pytorchStateDict(buildModel({ ...tiny, rule: 'fa' }));
    const fixed = Object.keys(fa).filter((k) => k.endsWith('.fixed'));
    expect(fixed.sort()).toEqual(
      Object.keys(ref.faFeedback)
        .map((k) => k.replace(/weight$/, 'fixed'))
        .sort(),
    );
  });

  it('conv OIHW and dense [out, in] element order', () => {
    const model = buildModel({ ...tiny, rule: 'bp' });
    const conv = (model.getLayer('layers.2.c1') as AsymmetricConv2D).kernel!.read(); // [3, 3, 4, 8] HWIO
    const dict = pytorchStateDict(model);
    const [o, i, kh, kw] = [5, 2, 1, 2];
    const hwio = conv.dataSync()[((kh * 3 + kw) * 4 + i) * 8 + o];
    expect(dict['layers.2.c1.weight'].data[((o * 4 + i) * 3 + kh) * 3 + kw]).toBe(hwio);
    const fc = model.getLayer('fc').getWeights()[0].dataSync(); // [32, 3]
    expect(dict['fc.weight'].data[2 * 32 + 17]).toBe(fc[17 * 3 + 2]);
  });

  it('a state_dict moves a model, with its running statistics and feedback, into another', () => {
    const a = buildModel({ ...tiny, rule: 'fa', seed: 1 });
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 9);
    tf.tidy(() => {
      a.apply(x, { training: true }); // non-default running statistics
    });
    const b = buildModel({ ...tiny, rule: 'fa', seed: 2 });
    const report = loadPytorchStateDict(b, pytorchStateDict(a));
    expect(report.ignored).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(Array.from((b.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((a.predict(x) as tf.Tensor).dataSync()),
    );
    a.weights.forEach((w, i) => {
      expect(Array.from(b.weights[i].read().dataSync())).toEqual(Array.from(w.read().dataSync()));
    });
  });

  it('ignores num_batches_tracked and feedback buffers a rule does not keep; rejects the rest', () => {
    const fa = pytorchStateDict(buildModel({ ...tiny, rule: 'fa' }));
    fa['stem.1.num_batches_tracked'] = { shape: [], data: new Float32Array([1]) };
    const bp = buildModel({ ...tiny, rule: 'bp' });
    const report = loadPytorchStateDict(bp, fa);
    expect(report.ignored).toContain('stem.1.num_batches_tracked');
    expect(report.ignored).toContain('layers.0.c1.fixed');

    const missing = { ...fa };
    delete missing['layers.3.b2.running_var'];
    expect(() => loadPytorchStateDict(bp, missing)).toThrow(
      'loadPytorchStateDict: missing keys: layers.3.b2.running_var',
    );
    expect(loadPytorchStateDict(bp, missing, { strict: false }).missing).toEqual(['layers.3.b2.running_var']);
    expect(() => loadPytorchStateDict(bp, { ...fa, 'head.weight': { shape: [1], data: [0] } })).toThrow(
      'loadPytorchStateDict: unexpected keys: head.weight',
    );

    const before = Array.from(bp.getLayer('stem.0').getWeights()[0].dataSync());
    const bad = { ...fa, 'fc.weight': { shape: [32, 3], data: new Float32Array(96) } };
    expect(() => loadPytorchStateDict(bp, bad)).toThrow(
      "loadPytorchStateDict: 'fc.weight' has shape [32,3] (96 values), expected [3,32]",
    );
    // Nothing was written.
    expect(Array.from(bp.getLayer('stem.0').getWeights()[0].dataSync())).toEqual(before);
  });
});
