import type { LayersModel, layers } from '@tensorflow/tfjs-layers';

/** A layer that holds weights itself, with the names of the models it sits in (outermost first). */
export interface LeafLayer {
  layer: layers.Layer;
  /** Names of the enclosing nested models, then the layer's own name. */
  path: string[];
}

function nestedLayers(layer: layers.Layer): layers.Layer[] | undefined {
  const inner = (layer as { layers?: unknown }).layers;
  return Array.isArray(inner) ? (inner as layers.Layer[]) : undefined;
}

/**
 * Every layer of a model that is not itself a model, walking nested models (a detector's backbone, say) depth
 * first in order. Each layer appears once, however often it is applied.
 */
export function leafLayers(model: LayersModel): LeafLayer[] {
  const out: LeafLayer[] = [];
  const seen = new Set<layers.Layer>();
  const visit = (list: layers.Layer[], outer: string[]) => {
    for (const layer of list) {
      if (seen.has(layer)) continue;
      seen.add(layer);
      const inner = nestedLayers(layer);
      if (inner) visit(inner, [...outer, layer.name]);
      else out.push({ layer, path: [...outer, layer.name] });
    }
  };
  visit(model.layers, []);
  return out;
}
