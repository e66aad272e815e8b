"""Times pycocotools' bbox evaluation on a ground truth and a results file; prints JSON last.

Usage: PYTHONPATH=/path/to/cocoapi/PythonAPI /usr/bin/python3 scripts/time_pycocotools.py GT.json DT.json
"""
import contextlib
import io
import json
import sys
import time

import numpy as np

if not hasattr(np, "float"):  # pycocotools' accumulate uses np.float, removed in numpy 1.24
    np.float = float

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

t0 = time.time()
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(sys.argv[1])
    dt = gt.loadRes(sys.argv[2])
    t1 = time.time()
    ev = COCOeval(gt, dt, "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
t2 = time.time()
print(json.dumps({"seconds": t2 - t0, "evalSeconds": t2 - t1, "AP": float(ev.stats[0]), "stats": [float(v) for v in ev.stats]}))
