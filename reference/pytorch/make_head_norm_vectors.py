"""Reference vectors for RetinaNet's heads with GroupNorm (torchvision's retinanet_resnet50_fpn_v2 head: every
hidden 3x3 conv without bias, then GroupNorm, then ReLU), made with torchvision's RetinaNetHead in float64.

A head of 8 channels, GroupNorm with 4 groups, 9 anchors per location and 3 classes is applied to two pyramid
levels of a batch of two ([2, 8, 5, 6] and [2, 8, 3, 3]). The convs keep torchvision's init (N(0, 0.01), the
prior-probability bias); the GroupNorm affine parameters are drawn near 1 and 0 so that they matter. Every
parameter and input is rounded to float32 so that a float32 implementation sees the very numbers used here.
The scalar L = sum(cls_logits * Rc) + sum(bbox_regression * Rb) with fixed random Rc, Rb gives the gradients
of every parameter and of both levels.
Layout: tfjs's (conv kernels HWIO, feature maps NHWC), flat and row-major; keys are torchvision's state_dict
keys with the `head.` prefix of RetinaNet.
Usage: make_head_norm_vectors.py SEED OUT.json
"""
import json, sys
from functools import partial
import torch
from torch import nn
from torchvision.models.detection.retinanet import RetinaNetHead

torch.set_default_dtype(torch.float64)
seed, out = int(sys.argv[1]), sys.argv[2]
torch.manual_seed(seed)
CHANNELS, GROUPS, ANCHORS, CLASSES = 8, 4, 9, 3

head = RetinaNetHead(CHANNELS, ANCHORS, CLASSES, norm_layer=partial(nn.GroupNorm, GROUPS))
with torch.no_grad():
    for name, p in head.named_parameters():
        if '.1.' in name and name.split('.')[-1] == 'weight':  # GroupNorm gamma
            p.copy_(1 + 0.2 * torch.randn_like(p))
        elif '.1.' in name:  # GroupNorm beta
            p.copy_(0.1 * torch.randn_like(p))
        p.copy_(p.to(torch.float32).to(torch.float64))

levels = [torch.randn(2, CHANNELS, 5, 6), torch.randn(2, CHANNELS, 3, 3)]
levels = [l.to(torch.float32).to(torch.float64).requires_grad_() for l in levels]
cls = head.classification_head(levels)
box = head.regression_head(levels)
rc, rb = (torch.randn_like(t).to(torch.float32).to(torch.float64) for t in (cls, box))
loss = (cls * rc).sum() + (box * rb).sum()
loss.backward()


def tensor(t, digits, layout=None):
    t = t.detach()
    if layout == 'kernel':
        t = t.permute(2, 3, 1, 0)  # OIHW -> HWIO
    elif layout == 'map':
        t = t.permute(0, 2, 3, 1)  # NCHW -> NHWC
    return {'shape': list(t.shape), 'data': [float(('%.' + str(digits) + 'g') % v) for v in t.reshape(-1).tolist()]}


result = {
    'generator': 'PyTorch %s torchvision %s float64 seed %d' % (torch.__version__, __import__('torchvision').__version__, seed),
    'config': {'channels': CHANNELS, 'groups': GROUPS, 'anchors': ANCHORS, 'classes': CLASSES, 'eps': 1e-5},
    'levels': [tensor(l, 9, 'map') for l in levels],
    'params': {'head.' + k: tensor(p, 9, 'kernel' if p.dim() == 4 else None) for k, p in head.named_parameters()},
    'clsLogits': tensor(cls, 12),
    'boxDeltas': tensor(box, 12),
    'rc': tensor(rc, 9),
    'rb': tensor(rb, 9),
    'grads': {'head.' + k: tensor(p.grad, 12, 'kernel' if p.dim() == 4 else None) for k, p in head.named_parameters()},
    'levelGrads': [tensor(l.grad, 12, 'map') for l in levels],
}
json.dump(result, open(out, 'w'))
print('wrote', out, 'params', sorted(result['params'])[:4], '...')
