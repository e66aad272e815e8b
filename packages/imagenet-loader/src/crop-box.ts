/** A rectangle in pixel coordinates of an image: left/top offsets and size. */
export interface CropBox {
  left: number;
  top: number;
  width: number;
  height: number;
}
