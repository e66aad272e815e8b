import type { CropBox } from './crop-box.js';
import { roundHalfEven } from './python-round.js';

/** Output size of torchvision's Resize(size) with an int size: shorter side = size, longer side truncated. */
export function resizeShorterSide(
  width: number,
  height: number,
  size: number,
): { width: number; height: number } {
  if (width <= height) {
    return { width: size, height: Math.trunc((size * height) / width) };
  }
  return { width: Math.trunc((size * width) / height), height: size };
}

/** Box of torchvision's CenterCrop(size) on an image of the given size (offsets use Python's round). */
export function centerCropBox(
  width: number,
  height: number,
  cropWidth: number,
  cropHeight = cropWidth,
): CropBox {
  if (cropWidth > width || cropHeight > height) {
    throw new Error(
      `centerCropBox: crop ${cropWidth}x${cropHeight} is larger than the image ${width}x${height}`,
    );
  }
  return {
    left: roundHalfEven((width - cropWidth) / 2),
    top: roundHalfEven((height - cropHeight) / 2),
    width: cropWidth,
    height: cropHeight,
  };
}
