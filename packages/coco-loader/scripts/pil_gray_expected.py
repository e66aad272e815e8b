"""Expected values of PIL's convert('L') for the grayscale (channels: 1) tests of loadDetectionImage.

Usage: /usr/bin/python3 scripts/pil_gray_expected.py   (Debian's python3-pil and python3-numpy)
Writes test-fixtures/pil-gray/:
  expected.json  pil: the Pillow version; triples: 256 RGB triples (hex, r g b per pixel, a 16x16 image
                 row-major) and l: what Image.frombytes('RGB', ...).convert('L') makes of them (hex);
                 rgbJpeg / grayJpeg: file, width, height and l: Image.open(file).convert('L') (hex)
  rgb.jpg        a 29x23 RGB JPEG saved by PIL (quality 75, 4:2:0 chroma subsampling)
  gray.jpg       a 29x23 grayscale JPEG saved by PIL (quality 70)
The triples include black, white, the primaries, and pixels where PIL's 16-bit fixed-point luma
((R*19595 + G*38470 + B*7471 + 0x8000) >> 16) differs from R*0.299 + G*0.587 + B*0.114 rounded half up.
"""
import json
import os

import numpy as np
import PIL
from PIL import Image

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test-fixtures", "pil-gray")
os.makedirs(HERE, exist_ok=True)
rng = np.random.default_rng(20240611)

fixed = [(0, 0, 0), (255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 0, 255), (1, 1, 1), (128, 128, 128),
         (254, 1, 127)]
# pixels where rounding the exact thousandths half up disagrees with PIL (a sample of the 9,040 such triples)
v = np.arange(1 << 24, dtype=np.int64)
r, g, b = (v >> 16) & 255, (v >> 8) & 255, v & 255
exact = r * 299 + g * 587 + b * 114
fixed_point = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16
disagree = v[fixed_point != (exact * 2 + 1000) // 2000]
picked = rng.choice(disagree, 124, replace=False)
randoms = rng.integers(0, 1 << 24, 124)
triples = fixed + [((int(x) >> 16) & 255, (int(x) >> 8) & 255, int(x) & 255) for x in list(picked) + list(randoms)]
assert len(triples) == 256
rgb = np.array(triples, np.uint8).reshape(16, 16, 3)
lum = np.asarray(Image.frombytes("RGB", (16, 16), rgb.tobytes()).convert("L"))

# smooth gradients plus noise, so the JPEGs have both flat areas and edges
W, H = 29, 23
yy, xx = np.mgrid[0:H, 0:W]
noise = rng.integers(-40, 41, (H, W, 3))
img = np.stack([xx * 8 + yy * 2, 255 - yy * 9, (xx * yy) % 256], -1) + noise
img = np.clip(img, 0, 255).astype(np.uint8)
Image.fromarray(img, "RGB").save(os.path.join(HERE, "rgb.jpg"), quality=75)
Image.fromarray(img[..., 1], "L").save(os.path.join(HERE, "gray.jpg"), quality=70)


def jpeg_case(name):
    im = Image.open(os.path.join(HERE, name))
    return {"file": name, "mode": im.mode, "width": im.width, "height": im.height,
            "l": np.asarray(im.convert("L")).tobytes().hex()}


out = {
    "pil": PIL.__version__,
    "triples": rgb.tobytes().hex(),
    "l": lum.tobytes().hex(),
    "rgbJpeg": jpeg_case("rgb.jpg"),
    "grayJpeg": jpeg_case("gray.jpg"),
}
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
print("wrote", HERE, "with Pillow", PIL.__version__)
