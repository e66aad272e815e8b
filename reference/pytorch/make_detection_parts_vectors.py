"""Reference vectors for the model-independent parts of RetinaNet in @bioprop/detection, made with
torchvision's own code in float64: AnchorGenerator (with an ImageList), det_utils.BoxCoder, det_utils.Matcher
(0.5, 0.4, allow_low_quality_matches=True, fed box_iou as RetinaNet.compute_loss does), ops.sigmoid_focal_loss,
RetinaNetHead.compute_loss (l1, smooth_l1, giou box losses) and RetinaNet.postprocess_detections and
ops.batched_nms.

Inputs are random (torch.Generator seeded with SEED, then SEED + 1, ... per section) plus edge cases: an image
without boxes, boxes touching the border, tied low-quality matches, a box that overlaps no anchor, two identical
boxes, dw / dh beyond the decode clamp, score ties, boxes decoded outside the image. Every input is exactly
representable in float32 (boxes on a 1/8 or 1/4 grid, other values rounded to float32), so that a float32
implementation sees the very numbers the float64 reference used; outputs are float64 with 12 significant digits.
Score-tie cases are built so that torch's top-k keeps tied scores in index order (asserted below): torch's
tie order is otherwise unspecified.
Sizes are [height, width]; boxes are x1 y1 x2 y2; arrays are flat and row-major.
Usage: make_detection_parts_vectors.py SEED OUT.json
"""
import json, math, sys
import torch
from torch import nn
from torchvision.models.detection import RetinaNet
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.retinanet import RetinaNetHead
from torchvision.ops import boxes as box_ops, sigmoid_focal_loss

torch.set_default_dtype(torch.float64)
seed, out = int(sys.argv[1]), sys.argv[2]


def gen(section):
    return torch.Generator().manual_seed(seed + section)


def f32(t):
    """Round to float32 (kept as float64): the inputs every implementation sees exactly."""
    return torch.as_tensor(t).to(torch.float32).to(torch.float64)


def inp(t):  # a float32-exact input: 9 significant digits give the float32 back
    return [float('%.9g' % v) for v in torch.as_tensor(t).reshape(-1).tolist()]


def outp(t):  # a float64 result
    return [float('%.12g' % v) for v in torch.as_tensor(t).reshape(-1).tolist()]


def ints(t):
    return [int(v) for v in torch.as_tensor(t).reshape(-1).tolist()]


def sizes_of(base):
    """torchvision's three scales per level, as in _default_anchorgen."""
    return [[x, int(x * 2 ** (1.0 / 3)), int(x * 2 ** (2.0 / 3))] for x in base]


result = {'generator': 'PyTorch %s torchvision %s float64 seed %d' % (torch.__version__, __import__('torchvision').__version__, seed)}

# --- anchor sizes: the truncated scales for every base size 1..1024 --------------------------------------------
result['anchorSizes'] = {'base': list(range(1, 1025)), 'sizes': [s for x in range(1, 1025) for s in sizes_of([x])[0]]}
assert [list(s) for s in __import__('torchvision').models.detection.retinanet._default_anchorgen().sizes] == sizes_of([32, 64, 128, 256, 512])

# --- anchors ------------------------------------------------------------------------------------------------------
def anchors_for(image_size, feature_sizes, sizes, ratios):
    gen_ = AnchorGenerator(tuple(tuple(s) for s in sizes), (tuple(ratios),) * len(sizes))
    il = ImageList(torch.zeros(1, 1, *image_size), [tuple(image_size)])
    feats = [torch.zeros(1, 1, h, w) for h, w in feature_sizes]
    return gen_(il, feats)[0], [h * w * len(sizes[0]) * len(ratios) for h, w in feature_sizes]

ANCHOR_CASES = {
    'tiny-64': ([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]], sizes_of([8, 16, 32, 64, 128]), [0.5, 1.0, 2.0]),
    'loss-40x48': ([40, 48], [[5, 6], [3, 3], [2, 2], [1, 1], [1, 1]], sizes_of([4, 8, 16, 32, 64]), [0.5, 1.0, 2.0]),
    'nonsquare-96x160': ([96, 160], [[12, 20], [6, 10], [3, 5], [2, 3], [1, 2]], sizes_of([16, 32, 64, 128, 256]), [0.5, 1.0, 2.0]),
    # image sizes not divisible by the feature sizes, two scales, four ratios (0.7 is not exact in float32)
    'odd-50x70': ([50, 70], [[7, 9], [4, 5]], [[10, 13], [20, 25]], [0.25, 0.7, 1.0, 3.0]),
    # a padded COCO batch: only sampled rows are stored
    'coco-800x1088': ([800, 1088], [[100, 136], [50, 68], [25, 34], [13, 17], [7, 9]], sizes_of([32, 64, 128, 256, 512]), [0.5, 1.0, 2.0]),
}
result['anchors'] = []
anchor_tensors = {}
for name, (image_size, feature_sizes, sizes, ratios) in ANCHOR_CASES.items():
    a, per_level = anchors_for(image_size, feature_sizes, sizes, ratios)
    anchor_tensors[name] = (a, per_level)
    case = {'name': name, 'imageSize': image_size, 'featureSizes': feature_sizes, 'sizes': sizes,
            'aspectRatios': ratios, 'count': a.shape[0], 'anchorsPerLevel': per_level}
    if a.shape[0] <= 5000:
        case['data'] = ints(a) if bool((a == a.round()).all()) else outp(a)
    else:
        starts = [sum(per_level[:i]) for i in range(len(per_level))]
        rows = sorted(set(torch.randint(0, a.shape[0], (300,), generator=gen(1)).tolist()
                          + starts + [s + n - 1 for s, n in zip(starts, per_level)] + [a.shape[0] - 1]))
        case['rows'] = rows
        case['rowData'] = ints(a[rows])
    result['anchors'].append(case)

# --- box coder ----------------------------------------------------------------------------------------------------
g = gen(2)
def rand_boxes(n, lo, hi, g, grid=8):
    xy = torch.rand(n, 2, generator=g) * 60
    wh = lo + torch.rand(n, 2, generator=g) * (hi - lo)
    return (torch.cat([xy, xy + wh], 1) * grid).round() / grid

result['boxCoder'] = {'encode': [], 'decode': []}
for weights in [(1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0)]:
    coder = det_utils.BoxCoder(weights)
    gt, an = rand_boxes(60, 0.5, 50, g), rand_boxes(60, 2, 40, g)
    result['boxCoder']['encode'].append({'weights': list(weights), 'referenceBoxes': inp(gt), 'proposals': inp(an),
                                         'targets': outp(coder.encode_single(gt, an))})
    codes = f32(torch.randn(60, 4, generator=g))
    codes[:8, 2:] = torch.tensor([[5.0, -3.0], [8.0, 4.2], [4.0, 30.0], [-8.0, 9.0],
                                  [25.0, 25.0], [20.6, 0.0], [4.1, 4.2], [-20.0, 21.0]])  # around / beyond the clamp
    boxes = rand_boxes(60, 2, 40, g)
    result['boxCoder']['decode'].append({'weights': list(weights), 'relCodes': inp(codes), 'boxes': inp(boxes),
                                         'decoded': outp(coder.decode_single(codes, boxes))})

# --- matcher ------------------------------------------------------------------------------------------------------
matcher = det_utils.Matcher(0.5, 0.4, allow_low_quality_matches=True)
def match(boxes, anchors):
    """RetinaNet.compute_loss's matching: all -1 without boxes, else Matcher(box_iou(boxes, anchors))."""
    if boxes.numel() == 0:
        return torch.full((anchors.shape[0],), -1, dtype=torch.int64)
    return matcher(box_ops.box_iou(boxes, anchors))

g = gen(3)
tiny = anchor_tensors['tiny-64'][0]
def random_in(n, image, g, lo=4, hi=40, grid=4):
    h, w = image
    x1 = torch.rand(n, generator=g) * (w - lo); y1 = torch.rand(n, generator=g) * (h - lo)
    bw = lo + torch.rand(n, generator=g) * (hi - lo); bh = lo + torch.rand(n, generator=g) * (hi - lo)
    b = torch.stack([x1, y1, torch.clamp(x1 + bw, max=w), torch.clamp(y1 + bh, max=h)], 1)
    return (b * grid).round() / grid

tie_box = torch.tensor([[9.0, 5.0, 15.0, 11.0]])  # centred between two anchor centres: tied best anchors
iou_tie = box_ops.box_iou(tie_box, tiny)[0]
assert int((iou_tie == iou_tie.max()).sum()) >= 2 and iou_tie.max() < 0.5
MATCH_CASES = {
    'random': ('tiny-64', random_in(6, (64, 64), g)),
    'border': ('tiny-64', torch.tensor([[0.0, 0.0, 10.0, 12.0], [50.0, 40.0, 64.0, 64.0], [0.0, 50.5, 13.25, 64.0], [60.0, 0.0, 64.0, 3.5]])),
    'empty': ('tiny-64', torch.zeros(0, 4)),
    'low-quality-tie': ('tiny-64', torch.cat([tie_box, torch.tensor([[40.0, 40.0, 43.0, 42.0], [20.0, 30.0, 52.0, 62.0]])])),
    'iou-exactly-0.5': ('tiny-64', torch.tensor([[6.0, 5.0, 18.0, 11.0], [8.0, 4.0, 16.0, 12.0]])),
    'identical-boxes': ('tiny-64', torch.tensor([[10.0, 12.0, 30.0, 28.0], [10.0, 12.0, 30.0, 28.0], [33.0, 1.0, 63.0, 19.0]])),
    # torchvision quirk kept: a box overlapping no anchor has best IoU 0, so every anchor it does not overlap
    # takes its own best box through the low-quality rule
    'box-outside': ('tiny-64', torch.tensor([[12.0, 12.0, 36.0, 30.0], [300.0, 300.0, 310.0, 320.0]])),
    'many-nonsquare': ('nonsquare-96x160', random_in(40, (96, 160), g, 3, 90)),
}
result['matcher'] = []
for name, (anchors_name, boxes) in MATCH_CASES.items():
    m = match(boxes, anchor_tensors[anchors_name][0])
    result['matcher'].append({'name': name, 'anchors': anchors_name, 'boxes': inp(boxes), 'matches': ints(m)})
# the tie case must really promote tied anchors that the thresholds alone leave negative
lq = result['matcher'][3]['matches']
assert sum(1 for i in range(tiny.shape[0]) if iou_tie[i] == iou_tie.max() and lq[i] == 0) >= 2

# --- sigmoid focal loss -------------------------------------------------------------------------------------------
g = gen(4)
logits = f32(torch.cat([torch.randn(240, generator=g) * 3, torch.tensor([25.0, -25.0, 60.0, -60.0, 0.0, 0.0, 17.5, -17.5])]))
targets = (torch.rand(logits.shape[0], generator=g) < 0.3).to(torch.float64)
targets[-4:] = torch.tensor([1.0, 0.0, 0.0, 1.0])
targets[:12] = torch.tensor([0.3, 0.7, 0.5, 0.25, 0.75, 0.1, 0.9, 0.3, 0.7, 0.5, 0.25, 0.75])  # soft targets
result['focal'] = []
for alpha, gamma in [(0.25, 2.0), (-1.0, 2.0), (0.25, 0.0), (0.75, 1.5)]:
    x = logits.clone().requires_grad_(True)
    loss = sigmoid_focal_loss(x, targets, alpha=alpha, gamma=gamma, reduction='none')
    loss.sum().backward()
    result['focal'].append({'alpha': alpha, 'gamma': gamma, 'logits': inp(logits), 'targets': inp(targets),
                            'loss': outp(loss.detach()), 'gradOfSum': outp(x.grad)})

# --- RetinaNetHead.compute_loss -----------------------------------------------------------------------------------
g = gen(5)
la, _ = anchor_tensors['loss-40x48']
K = 3
loss_targets = [
    {'boxes': random_in(3, (40, 48), g, 4, 30, 8), 'labels': torch.tensor([2, 0, 1])},
    {'boxes': torch.tensor([[0.0, 30.5, 13.25, 40.0], [22.0, 6.0, 24.5, 8.0], [35.0, 0.0, 48.0, 9.0]]), 'labels': torch.tensor([1, 1, 0])},
    {'boxes': torch.zeros(0, 4), 'labels': torch.zeros(0, dtype=torch.int64)},
]
cls_logits = f32(torch.randn(3, la.shape[0], K, generator=g) * 1.5)
box_deltas = f32(torch.randn(3, la.shape[0], 4, generator=g) * 0.6)
matched = [match(t['boxes'], la) for t in loss_targets]
head = RetinaNetHead(1, 9, K)
result['losses'] = {'anchors': 'loss-40x48', 'numClasses': K,
                    'targets': [{'boxes': inp(t['boxes']), 'labels': ints(t['labels'])} for t in loss_targets],
                    'matches': [ints(m) for m in matched], 'clsLogits': inp(cls_logits), 'boxDeltas': inp(box_deltas),
                    'boxLosses': []}
for kind in ['l1', 'smooth_l1', 'giou']:
    head.regression_head._loss_type = kind
    cl = cls_logits.clone().requires_grad_(True); bd = box_deltas.clone().requires_grad_(True)
    losses = head.compute_loss(loss_targets, {'cls_logits': cl, 'bbox_regression': bd}, [la] * 3, matched)
    gc, = torch.autograd.grad(losses['classification'], cl)
    gb, = torch.autograd.grad(losses['bbox_regression'], bd)
    if kind == 'l1':
        result['losses']['classification'] = float(losses['classification'])
        result['losses']['gradClsLogits'] = outp(gc)
    assert abs(float(losses['classification']) - result['losses']['classification']) < 1e-15
    result['losses']['boxLosses'].append({'boxLoss': kind, 'boxRegression': float(losses['bbox_regression']),
                                          'gradBoxDeltas': outp(gb)})
# a batch without any box: the classification loss is the focal loss of every anchor, the box loss 0
cl = cls_logits[2:].clone().requires_grad_(True)
losses = head.compute_loss(loss_targets[2:], {'cls_logits': cl, 'bbox_regression': box_deltas[2:]}, [la], matched[2:])
result['losses']['emptyBatch'] = {'classification': float(losses['classification']),
                                  'boxRegression': float(losses['bbox_regression'])}

# --- RetinaNet.postprocess_detections -----------------------------------------------------------------------------
class NoBackbone(nn.Module):
    out_channels = 1


def postprocess(anchors_name, cls, deltas, image_sizes, score_thresh, nms_thresh, detections, topk):
    a, per_level = anchor_tensors[anchors_name]
    case = ANCHOR_CASES[anchors_name]
    model = RetinaNet(NoBackbone(), cls.shape[2], anchor_generator=AnchorGenerator(tuple(tuple(s) for s in case[2]), (tuple(case[3]),) * len(case[2])),
                      score_thresh=score_thresh, nms_thresh=nms_thresh, detections_per_img=detections, topk_candidates=topk)
    heads = {'cls_logits': list(cls.split(per_level, 1)), 'bbox_regression': list(deltas.split(per_level, 1))}
    anchors = [list(a.split(per_level))] * cls.shape[0]
    with torch.no_grad():
        dets = model.postprocess_detections(heads, anchors, [tuple(s) for s in image_sizes])
    return {'anchors': anchors_name, 'anchorsPerLevel': per_level, 'numClasses': cls.shape[2], 'imageSizes': image_sizes,
            'options': {'scoreThresh': score_thresh, 'nmsThresh': nms_thresh, 'detectionsPerImage': detections, 'topkCandidates': topk},
            'clsLogits': inp(cls), 'boxDeltas': inp(deltas),
            'detections': [{'boxes': outp(d['boxes']), 'scores': outp(d['scores']), 'labels': ints(d['labels'])} for d in dets]}


def assert_topk_ties_in_index_order(cls, per_level, score_thresh, topk):
    """The tie cases rely on torch's top-k listing tied scores in index order (otherwise unspecified)."""
    for img in cls:
        for level in img.split(per_level, 0):
            s = torch.sigmoid(level).flatten()
            idx = torch.where(s > score_thresh)[0]
            v, i = s[idx].topk(min(topk, idx.numel()))
            i = idx[i].tolist(); v = v.tolist()
            for j in range(1, len(i)):
                assert v[j] < v[j - 1] or i[j] > i[j - 1], 'torch ordered tied scores out of index order'


g = gen(6)
ta, tper = anchor_tensors['tiny-64']
cls = f32(torch.randn(2, ta.shape[0], 3, generator=g) * 1.5 - 2.0)
deltas = f32(torch.randn(2, ta.shape[0], 4, generator=g) * 0.3)
deltas[:, ::37, 2:] = 6.0  # beyond the clamp: decoded boxes run out of the image and get clipped
result['postProcess'] = [dict(name='random', **postprocess('tiny-64', cls, deltas, [[64, 64], [60, 52]], 0.05, 0.5, 100, 1000)),
                         dict(name='small-topk', **postprocess('tiny-64', cls, deltas, [[64, 64], [57, 64]], 0.2, 0.3, 15, 40))]
# the same inputs twice: the second case names the first instead of repeating them
del result['postProcess'][1]['clsLogits'], result['postProcess'][1]['boxDeltas']
result['postProcess'][1]['inputsFrom'] = 'random'

# score ties: all logits far below the threshold except chosen ones with equal values, across levels, across
# classes of one anchor, and on overlapping boxes of one class (the earlier one wins NMS)
cls = torch.full((1, ta.shape[0], 4), -12.0)
deltas = f32(torch.randn(1, ta.shape[0], 4, generator=g) * 0.05)
start = [sum(tper[:i]) for i in range(len(tper))]
tied = 0.5
# at most three candidates per level: torch's top-k keeps so few tied scores in index order
for anchor, label, logit in [(start[0] + 9 * 10 + 1, 2, tied), (start[0] + 9 * 10 + 1, 0, tied), (start[0] + 9 * 10 + 4, 2, tied),
                             (start[1] + 9 * 5 + 1, 2, tied), (start[1] + 9 * 2, 0, -1.0), (start[1] + 9 * 12 + 2, 3, 2.0),
                             (start[2] + 4, 1, tied), (start[2] + 9 + 1, 1, 1.25), (start[3] + 1, 3, tied), (start[3] + 2, 1, 1.25),
                             (start[4] + 7, 3, tied)]:
    cls[0, anchor, label] = logit
assert_topk_ties_in_index_order(cls, tper, 0.05, 1000)
result['postProcess'].append(dict(name='score-ties', **postprocess('tiny-64', cls, deltas, [[64, 64]], 0.05, 0.5, 100, 1000)))
result['postProcess'].append(dict(name='nothing-above-threshold', **postprocess('tiny-64', torch.full((1, ta.shape[0], 2), -5.0), deltas[:, :, :], [[64, 64]], 0.05, 0.5, 100, 1000)))

# --- batched_nms on its own: ties in score keep index order (torch's nms sorts stably); the 1500-box case
# takes torchvision's per-class path (> 4000 numbers), without ties since that path re-sorts unstably
g = gen(7)
result['batchedNms'] = []
for name, n, classes, thresh, ties in [('random', 200, 4, 0.5, True), ('tight', 200, 3, 0.3, True), ('per-class-path', 1500, 5, 0.5, False)]:
    boxes = random_in(n, (64, 64), g, 2, 30, 8)
    scores = f32(torch.rand(n, generator=g))
    if ties:
        scores[n // 2:] = scores[: n - n // 2]  # every score twice
        boxes[n - 10:] = boxes[:10]               # and some boxes twice with their scores
    labels = torch.randint(0, classes, (n,), generator=g)
    if ties:
        labels[n - 10:] = labels[:10]
    keep = box_ops.batched_nms(boxes, scores, labels, thresh)
    result['batchedNms'].append({'name': name, 'iouThreshold': thresh, 'boxes': inp(boxes), 'scores': inp(scores),
                                 'labels': ints(labels), 'keep': ints(keep)})

json.dump(result, open(out, 'w'), separators=(',', ':'))
print('wrote', out, {k: len(json.dumps(v)) for k, v in result.items()},
      'matches fg:', [sum(1 for v in c['matches'] if v >= 0) for c in result['matcher']],
      'losses:', result['losses']['classification'], [c['boxRegression'] for c in result['losses']['boxLosses']],
      'detections:', [[len(d['scores']) for d in c['detections']] for c in result['postProcess']])
