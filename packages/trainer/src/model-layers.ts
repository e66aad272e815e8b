import type { LayersModel } from '@tensorflow/tfjs-layers';

type Layer = LayersModel['layers'][number];

/** A layer that holds weights itself, with the names of the models it sits in (outermost first). */
export interface LeafLayer {
  layer: Layer;
  /** Names of the enclosing nested models, then the layer's own name. */
  path: string[];
}

function nestedLayers(layer: Layer): Layer[] | undefined {
  const inner = (layer as { layers?: unknown }).layers;
  return Array.isArray(inner) ? (inner as Layer[]) : undefined;
}

/**
 * Every layer of a model that is not itself a model, walking nested models (a detector's backbone, say) depth
 * first in order. Each layer appears once, however often it is applied.
 */
export function leafLayers(model: LayersModel): LeafLayer[] {
  const out: LeafLayer[] = [];
  const seen = new Set<Layer>();
  const visit = (layers: Layer[], outer: string[]) => {
    for (const layer of layers) {
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
