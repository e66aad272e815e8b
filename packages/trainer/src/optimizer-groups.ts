import { type ParamGroup, SGD } from '@bioprop/feedback-rules';
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { leafLayers } from './model-layers';

/**
 * Optimizer settings of one parameter group; `layers` picks its layers by name, where the name of a nested
 * model takes all of its layers. The one group without `layers` takes the rest.
 */
export interface GroupSpec extends Omit<ParamGroup, 'params'> {
  layers?: string[];
}

/** The SGD of a model's parameter groups, and the stable `layer/weight` name of each variable. */
export function buildOptimizer(
  model: LayersModel,
  groups: GroupSpec[],
): { sgd: SGD; names: Map<string, string>; trainables: tf.Variable[] } {
  const leaves = leafLayers(model);
  const known = new Set(leaves.flatMap((l) => l.path));
  const claimedBy = new Map<string, string>();
  for (const g of groups) {
    for (const name of g.layers ?? []) {
      if (!known.has(name)) {
        throw new Error(
          `parameter group '${g.name}': the model has no layer or nested model named '${name}'`,
        );
      }
      const other = claimedBy.get(name);
      if (other) throw new Error(`layer '${name}' is in two parameter groups: '${other}' and '${g.name}'`);
      claimedBy.set(name, g.name);
    }
  }
  if (groups.filter((g) => !g.layers).length > 1) {
    throw new Error('only one parameter group may leave out `layers`');
  }
  const groupOf = (path: string[]) => {
    // The innermost claim wins: a group for a nested model, another for one of its layers.
    for (let i = path.length - 1; i >= 0; i--) {
      const g = claimedBy.get(path[i]);
      if (g) return g;
    }
    return groups.find((g) => !g.layers)?.name;
  };
  const names = new Map<string, string>();
  const paramGroups: ParamGroup[] = groups.map((g) => {
    const params: tf.Variable[] = [];
    for (const { layer, path } of leaves) {
      if (groupOf(path) !== g.name) continue;
      for (const w of layer.trainableWeights) {
        const v = w.read() as tf.Variable;
        names.set(v.name, w.originalName);
        params.push(v);
      }
    }
    const { layers: _layers, ...settings } = g;
    return { ...settings, params };
  });
  return { sgd: new SGD(paramGroups), names, trainables: paramGroups.flatMap((g) => g.params) };
}
