"""Computes the expected numbers of the evaluation cases with pycocotools.

Usage: PYTHONPATH=/path/to/cocoapi/PythonAPI /usr/bin/python3 scripts/pycocotools_expected.py
Writes test-fixtures/eval-cases/expected.json: per case the 12 stats, the recall array [T,K,A,M],
the precision array summed over recall thresholds [T,K,A,M], and the printed summary.
"""
import contextlib
import io
import json
import os
import time

import numpy as np

# pycocotools' accumulate still uses np.float, removed in numpy 1.24
if not hasattr(np, "float"):
    np.float = float

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test-fixtures", "eval-cases")


def run(gt_path, dt_path):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_path)
        dt = gt.loadRes(dt_path)
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ev.summarize()
    return ev, out.getvalue()


def main():
    names = sorted(f[: -len(".gt.json")] for f in os.listdir(HERE) if f.endswith(".gt.json"))
    expected = {}
    for name in names:
        t0 = time.time()
        ev, text = run(os.path.join(HERE, name + ".gt.json"), os.path.join(HERE, name + ".dt.json"))
        prec = ev.eval["precision"]  # [T,R,K,A,M]
        expected[name] = {
            "stats": [float(v) for v in ev.stats],
            "recall": ev.eval["recall"].ravel().tolist(),
            "precisionSumOverRecall": prec.sum(axis=1).ravel().tolist(),
            "summary": text.rstrip("\n"),
        }
        print(name, "%.2fs" % (time.time() - t0), " ".join("%.4f" % v for v in ev.stats))
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
