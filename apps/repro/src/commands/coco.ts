import { cocoEvalFiles, formatSummary, summaryToJson, writeFashionMosaic } from '@bioprop/coco-loader';
import { loadMnistSplit } from '@bioprop/imagenet-loader';
import { fashionMnistDir } from '../fashion-data';

/** `repro coco-eval`: pycocotools' 12-line summary, or one JSON object. */
export async function cocoEvalCommand(opts: { gt: string; dt: string; json?: boolean }): Promise<string> {
  const result = await cocoEvalFiles(opts.gt, opts.dt);
  return opts.json ? `${JSON.stringify(summaryToJson(result))}\n` : `${formatSummary(result)}\n`;
}

/** `repro prepare fashion-mosaic`: a COCO-format detection set of Fashion-MNIST mosaics. */
export async function prepareFashionMosaicCommand(opts: {
  out: string;
  data?: string;
  train?: number;
  val?: number;
  canvas?: number;
  seed?: number;
}): Promise<string> {
  const ds = await loadMnistSplit(fashionMnistDir(opts.data), 'train');
  const r = await writeFashionMosaic({
    images: ds.images,
    labels: Uint8Array.from(ds.labels),
    outDir: opts.out,
    numTrain: opts.train,
    numVal: opts.val,
    canvasSize: opts.canvas,
    seed: opts.seed,
  });
  return `wrote ${r.trainPath} (${r.numTrainObjects} objects) and ${r.valPath} (${r.numValObjects} objects), images in ${r.imageDir}\n`;
}
