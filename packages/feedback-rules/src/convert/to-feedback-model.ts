import type * as tf from '@tensorflow/tfjs-core';
import { LayersModel, type layers, Sequential } from '@tensorflow/tfjs-layers';
import type { AsymmetricConv2D } from '../layers/asymmetric-conv2d-layer';
import type { AsymmetricDense } from '../layers/asymmetric-dense-layer';
import { freshSeed, layerFeedback } from '../layers/layer-feedback';
import { getRule } from '../rules/rule-registry';
import {
  asymmetricLayerConfig,
  classifyLayer,
  type FeedbackSettings,
  type LayerClass,
} from './layer-conversion';
import { isContainer, outputLayers } from './output-layers';

type Layer = layers.Layer;
type Config = tf.serialization.ConfigDict;

/** A converted layer as the feedback scale option sees it. */
export interface FeedbackLayerInfo {
  /** The layer's name, prefixed by the names of the nested models it is in (`'backbone/conv1'`). */
  path: string;
  /** What the layer was: `Conv2D` or `Dense`. */
  kind: 'conv2d' | 'dense';
  /** `[kh, kw, in, out]` or `[in, out]`. */
  kernelShape: number[];
}

/** Options of {@link toFeedbackModel}. */
export interface ToFeedbackModelOptions {
  /**
   * Which layers learn with the rule: names (a layer's name, or its path through nested models such as
   * `'backbone/conv1'`) or a predicate over the original layers. Default: every `Conv2D` and `Dense`.
   */
  layers?: readonly string[] | ((layer: layers.Layer, path: string) => boolean);
  /** The rule of the layers that produce the model's outputs (the classifier). Default `'bp'`, as the paper. */
  lastLayerRule?: string;
  /** Seed of the rules' random feedback: the k-th converted layer gets `seed + k`. Default: a fresh seed each. */
  seed?: number;
  /**
   * The feedback scale `s` (`ss`: `B = sign(W) * s`; `fa`: `B ~ N(0, s)`), one for all layers or per layer.
   * Default: the paper's, `sqrt(2 / (kh * kw * out))` for convolutions and `1 / sqrt(in)` for dense layers.
   */
  feedbackScale?: number | ((layer: FeedbackLayerInfo) => number);
  /**
   * Selected layers that cannot be converted (`DepthwiseConv2D`, `Conv2DTranspose`, dilated or non-square
   * `Conv2D`, recurrent layers, ...): `'error'` (the default) names them all in one error; `'keep'` leaves them
   * as they are, learning with backprop, and lists them in {@link FeedbackModelConversion.kept}.
   */
  unsupported?: 'error' | 'keep';
}

/** A layer that now learns with a rule. */
export interface ConvertedLayer {
  /** The layer's name, prefixed by the names of the nested models it is in. */
  path: string;
  /** The original class. */
  className: 'Conv2D' | 'Dense';
  /** The rule it learns with. */
  rule: string;
  /** The seed of its rule's random feedback (saved in its config). */
  seed: number;
  /** Whether it produces a model output (and so has `lastLayerRule`). */
  last: boolean;
}

/** A layer with weights that was left as it was (it learns with backprop). */
export interface KeptLayer {
  /** The layer's name, prefixed by the names of the nested models it is in. */
  path: string;
  /** The layer's tfjs class. */
  className: string;
  /** `'not selected'`, or why it cannot be converted. */
  reason: string;
}

/** What {@link toFeedbackModel} returns. */
export interface FeedbackModelConversion {
  /** The new model: same topology and weights, asymmetric layers in place of the converted ones; not compiled. */
  model: LayersModel;
  /** The converted layers, depth first in the order of the model's layers. */
  converted: ConvertedLayer[];
  /** The layers with weights that were left as they were. */
  kept: KeptLayer[];
}

interface Entry {
  layer: Layer;
  path: string;
  className: string;
  config: Config;
  class: LayerClass;
}

/**
 * A copy of a tfjs-layers model (sequential or functional, with nested models and shared layers) in which
 * every selected `Conv2D` and `Dense` is an {@link AsymmetricConv2D} or {@link AsymmetricDense} with the same
 * configuration and bit-identical weights, learning with `rule` (`'ss'`, `'fa'`, ... or any registered rule).
 * The copy saves and loads with its rules and feedback state, and trains with `model.fit` or BioProp's trainer.
 */
export function toFeedbackModel(
  model: LayersModel,
  rule: string,
  options: ToFeedbackModelOptions = {},
): FeedbackModelConversion {
  const who = `toFeedbackModel(${model?.name})`;
  if (!isContainer(model as unknown as Layer) || model.outputs.length === 0) {
    throw new Error(`${who}: expects a built tfjs-layers model (a sequential model needs an input shape)`);
  }
  getRule(rule, who);
  const lastRule = options.lastLayerRule ?? 'bp';
  getRule(lastRule, who);

  const entries = collectLayers(model, '');
  const selected = selection(entries, options.layers, who);
  const unsupported = entries.filter((e) => e.class.kind === 'unsupported' && selected.has(e));
  if (unsupported.length > 0 && options.unsupported !== 'keep') {
    const list = unsupported.map((e) => `  ${e.path} (${e.className}): ${reason(e.class)}`).join('\n');
    throw new Error(
      `${who}: cannot convert ${unsupported.length} layer(s):\n${list}\n` +
        `Pass { unsupported: 'keep' } to leave them learning with backprop, or leave them out with { layers }.`,
    );
  }
  const weighted = (e: Entry) => e.class.kind !== 'other';
  const byLayer = new Map(entries.map((e) => [e.layer, e]));
  const last = outputLayers(model, (layer) => {
    const e = byLayer.get(layer);
    return e !== undefined && weighted(e);
  });

  const converted: ConvertedLayer[] = [];
  const kept: KeptLayer[] = [];
  const settings = new Map<Layer, FeedbackSettings>();
  for (const e of entries) {
    if (e.class.kind === 'other') continue;
    if (e.class.kind === 'unsupported' || !selected.has(e)) {
      kept.push({
        path: e.path,
        className: e.className,
        reason: selected.has(e) ? reason(e.class) : 'not selected',
      });
      continue;
    }
    const isLast = last.has(e.layer);
    const layerRule = isLast ? lastRule : rule;
    const seed = options.seed === undefined ? freshSeed() : options.seed + converted.length;
    const s = feedbackScaleOf(e, options.feedbackScale, who);
    settings.set(e.layer, { rule: layerRule, seed, ...(s === undefined ? {} : { feedbackScale: s }) });
    converted.push({ path: e.path, className: e.class.className, rule: layerRule, seed, last: isLast });
  }

  const config = rewriteConfig(model.getConfig(), model, settings);
  // Zero-filled weights at build (as tfjs does when loading): every weight is copied in below.
  const copy = (
    model.getClassName() === Sequential.className
      ? Sequential.fromConfig(Sequential, config, {}, true)
      : LayersModel.fromConfig(LayersModel, config, {}, true)
  ) as LayersModel;
  copyWeights(model, copy, settings);
  return { model: copy, converted, kept };
}

/** Every layer of the model and of the models nested in it (which are not themselves entries), depth first. */
function collectLayers(container: LayersModel, prefix: string): Entry[] {
  const out: Entry[] = [];
  for (const layer of container.layers) {
    const path = `${prefix}${layer.name}`;
    if (isContainer(layer)) {
      out.push(...collectLayers(layer, `${path}/`));
      continue;
    }
    const className = layer.getClassName();
    const config = layer.getConfig();
    out.push({ layer, path, className, config, class: classifyLayer(className, config) });
  }
  return out;
}

function selection(entries: Entry[], which: ToFeedbackModelOptions['layers'], who: string): Set<Entry> {
  const candidates = entries.filter((e) => e.class.kind !== 'other');
  if (which === undefined) return new Set(candidates);
  if (typeof which === 'function') return new Set(candidates.filter((e) => which(e.layer, e.path)));
  const names = new Set(which);
  const chosen = entries.filter((e) => names.has(e.path) || names.has(e.layer.name));
  const unknown = [...names].filter((n) => !entries.some((e) => e.path === n || e.layer.name === n));
  if (unknown.length > 0) {
    throw new Error(`${who}: no layer named ${unknown.map((n) => `'${n}'`).join(', ')} in the model`);
  }
  const plain = chosen.filter((e) => e.class.kind === 'other');
  if (plain.length > 0) {
    throw new Error(
      `${who}: ${plain.map((e) => `'${e.path}' (${e.className})`).join(', ')} has no weights a rule could use; ` +
        'select Conv2D and Dense layers',
    );
  }
  return new Set(chosen);
}

function reason(c: LayerClass): string {
  return c.kind === 'unsupported' ? c.reason : '';
}

function feedbackScaleOf(
  e: Entry,
  option: ToFeedbackModelOptions['feedbackScale'],
  who: string,
): number | undefined {
  if (option === undefined) return undefined;
  const kernel = e.layer.getWeights()[0];
  const info: FeedbackLayerInfo = {
    path: e.path,
    kind: e.className === 'Conv2D' ? 'conv2d' : 'dense',
    kernelShape: kernel.shape.slice(),
  };
  const s = typeof option === 'number' ? option : option(info);
  if (!(s > 0) || !Number.isFinite(s))
    throw new Error(`${who}: feedbackScale of '${e.path}' must be positive, got ${s}`);
  return s;
}

/** The model's config with the converted layers' entries replaced, nested models included. */
function rewriteConfig(
  config: Config,
  container: LayersModel,
  settings: Map<Layer, FeedbackSettings>,
): Config {
  const layerConfigs = (config.layers as Config[]).map((entry) => {
    const inner = entry.config as Config;
    const layer = container.getLayer((entry.name as string | undefined) ?? (inner.name as string));
    if (isContainer(layer)) return { ...entry, config: rewriteConfig(inner, layer, settings) };
    const s = settings.get(layer);
    if (!s) return entry;
    return { ...entry, ...asymmetricLayerConfig(entry.className as 'Conv2D' | 'Dense', inner, s) };
  });
  return { ...config, layers: layerConfigs };
}

/** Copies every weight of `from` into the same layer of `to`; converted layers then start their feedback state. */
function copyWeights(from: LayersModel, to: LayersModel, settings: Map<Layer, unknown>): void {
  for (const layer of from.layers) {
    const target = to.getLayer(layer.name);
    if (isContainer(layer)) {
      copyWeights(layer, target as LayersModel, settings);
    } else if (settings.has(layer)) {
      const [kernel, bias] = layer.getWeights();
      const t = target as AsymmetricConv2D | AsymmetricDense;
      t.kernel!.write(kernel);
      if (bias) t.bias!.write(bias);
      // The rule's state starts from the copied kernel (fa-signed-init takes its signs).
      layerFeedback(target)!.initState(kernel);
    } else if (layer.weights.length > 0) {
      target.setWeights(layer.getWeights());
    }
  }
}
