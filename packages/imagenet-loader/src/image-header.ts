/** Size read from the first bytes of a JPEG or PNG file. */
export interface ImageSize {
  width: number;
  height: number;
}

function jpegSize(b: Uint8Array): ImageSize | undefined {
  let p = 2;
  while (p + 3 < b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    // Stand-alone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      p += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / scan data before any frame header
    const length = (b[p + 2] << 8) | b[p + 3];
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (p + 9 > b.length) return undefined;
      const height = (b[p + 5] << 8) | b[p + 6];
      const width = (b[p + 7] << 8) | b[p + 8];
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    p += 2 + length;
  }
  return undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(b: Uint8Array): ImageSize | undefined {
  // The IHDR chunk always comes first: length(4) "IHDR"(4) width(4) height(4).
  if (b.length < 24 || b[12] !== 0x49 || b[13] !== 0x48 || b[14] !== 0x44 || b[15] !== 0x52) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/**
 * Size of a JPEG or PNG from its header, without decoding (cheaper than sharp's metadata());
 * undefined for other formats or unparsable headers, which then go through sharp.
 */
export function readImageSize(bytes: Uint8Array): ImageSize | undefined {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
  if (bytes.length > 8 && PNG_SIGNATURE.every((v, i) => bytes[i] === v)) return pngSize(bytes);
  return undefined;
}
