import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type { Activation } from '@tensorflow/tfjs-layers/dist/activations.js';
import type { Constraint } from '@tensorflow/tfjs-layers/dist/constraints.js';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers.js';
import type { DenseLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/core.js';
import type { Regularizer } from '@tensorflow/tfjs-layers/dist/regularizers.js';

/**
 * The options the asymmetric layers share with tfjs's `Conv2D` and `Dense`, in every form tfjs takes them:
 * an identifier (`'relu'`, `'glorotUniform'`, `'l1l2'`), an object (`tf.initializers.heNormal({})`) or a
 * serialized config (as a saved model holds it).
 */
export type KerasLayerOptions = Pick<
  DenseLayerArgs,
  | 'activation'
  | 'kernelInitializer'
  | 'biasInitializer'
  | 'kernelRegularizer'
  | 'biasRegularizer'
  | 'kernelConstraint'
  | 'biasConstraint'
>;

const KEYS = [
  'activation',
  'kernelInitializer',
  'biasInitializer',
  'kernelRegularizer',
  'biasRegularizer',
  'kernelConstraint',
  'biasConstraint',
] as const;

/** {@link KerasLayerOptions} as tfjs objects, and the given ones serialized for the layer's config. */
export interface ResolvedKerasOptions {
  activation: Activation | null;
  kernelInitializer: Initializer | null;
  biasInitializer: Initializer | null;
  kernelRegularizer: Regularizer | null;
  biasRegularizer: Regularizer | null;
  kernelConstraint: Constraint | null;
  biasConstraint: Constraint | null;
  /** Only the options that were given, serialized exactly as tfjs serializes them. */
  config: tf.serialization.ConfigDict;
}

/**
 * Resolves the options. A tfjs `Dense` that is never built parses them, so that identifiers, objects and
 * configs mean exactly what they mean to tfjs; the objects are then made from its serialized config through
 * tfjs's class registry (the way a loaded model makes them).
 */
export function resolveKerasOptions(args: KerasLayerOptions, who: string): ResolvedKerasOptions {
  const resolved: ResolvedKerasOptions = {
    activation: null,
    kernelInitializer: null,
    biasInitializer: null,
    kernelRegularizer: null,
    biasRegularizer: null,
    kernelConstraint: null,
    biasConstraint: null,
    config: {},
  };
  const given = KEYS.filter((key) => args[key] != null);
  if (given.length === 0) return resolved;
  let parsed: tf.serialization.ConfigDict;
  try {
    // A fixed name: an unnamed layer would take the next automatic name from the user's own layers.
    parsed = layers
      .dense({
        units: 1,
        name: 'bioprop-options-parser',
        ...Object.fromEntries(given.map((k) => [k, args[k]])),
      })
      .getConfig();
  } catch (error) {
    throw new Error(`${who}: ${(error as Error).message}`);
  }
  for (const key of given) {
    const value = parsed[key];
    if (value == null) continue;
    resolved.config[key] = value;
    (resolved as unknown as Record<string, unknown>)[key] = instantiate(value, who);
  }
  return resolved;
}

/** A registered tfjs object from its serialized form (`'relu'` or `{ className, config }`). */
function instantiate(value: tf.serialization.ConfigDictValue, who: string): tf.serialization.Serializable {
  const { className, config } =
    typeof value === 'string'
      ? { className: value, config: {} }
      : (value as { className: string; config: tf.serialization.ConfigDict });
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) {
    throw new Error(
      `${who}: '${className}' is not a registered tfjs class; register it with tf.serialization.registerClass`,
    );
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config);
}
