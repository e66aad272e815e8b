import type { LayersModel, layers } from '@tensorflow/tfjs-layers';
import type { Node } from '@tensorflow/tfjs-layers/dist/engine/topology.js';

type Layer = layers.Layer;

/** A model used as a layer of another (functional or sequential). */
export function isContainer(layer: Layer): layer is LayersModel {
  const c = layer as Partial<LayersModel>;
  return Array.isArray(c.layers) && Array.isArray(c.inputs) && Array.isArray(c.outputs);
}

/**
 * The layers among `isCandidate` that produce the model's outputs: walking back from each output through
 * layers without weights (activations, pooling, reshapes, additions, nested models), the first candidate met
 * on every path. In a classifier this is the last (classifier) layer; the paper trains it with backprop.
 */
export function outputLayers(model: LayersModel, isCandidate: (layer: Layer) => boolean): Set<Layer> {
  const found = new Set<Layer>();
  const seen = new Set<string>();
  const ids = new Map<unknown, number>();
  const id = (o: unknown) => {
    if (!ids.has(o)) ids.set(o, ids.size);
    return ids.get(o);
  };
  // `exits`: the nested models the walk is inside, each with the node that called it from outside.
  const visit = (layer: Layer, nodeIndex: number, tensorIndex: number, exits: [LayersModel, Node][]) => {
    const key = `${id(layer)}:${nodeIndex}:${tensorIndex}:${exits.map(([, n]) => id(n)).join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (isContainer(layer)) {
      const out = layer.outputs[tensorIndex];
      visit(out.sourceLayer, out.nodeIndex, out.tensorIndex, [
        ...exits,
        [layer, layer.inboundNodes[nodeIndex]],
      ]);
      return;
    }
    if (isCandidate(layer)) {
      found.add(layer);
      return;
    }
    const node = layer.inboundNodes[nodeIndex];
    if (node.inboundLayers.length === 0) {
      // An input: of the whole model (the walk ends) or of a nested model (continue outside it).
      const exit = exits.at(-1);
      if (!exit) return;
      const [container, outer] = exit;
      const i = container.inputs.findIndex((t) => t.sourceLayer === layer);
      visit(outer.inboundLayers[i], outer.nodeIndices[i], outer.tensorIndices[i], exits.slice(0, -1));
      return;
    }
    node.inboundLayers.forEach((inbound, i) => {
      visit(inbound, node.nodeIndices[i], node.tensorIndices[i], exits);
    });
  };
  for (const out of model.outputs) visit(out.sourceLayer, out.nodeIndex, out.tensorIndex, []);
  return found;
}
