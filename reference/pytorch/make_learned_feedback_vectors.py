"""Reference trajectories of the rules that learn their feedback (Akrout et al. 2019), PyTorch float64.

Usage: make_learned_feedback_vectors.py SEED OUT.json

A small conv + dense network (NHWC 6x6x2 input, batch 4):
  conv1 3x3/1 pad 1, 2->3 (rule), ReLU, conv2 3x3/2 pad 1, 3->4 (rule), ReLU, flatten in NHWC order,
  fc1 36->5 with bias (rule), ReLU, fc2 5->3 with bias (backprop, the last layer), cross-entropy (mean).
It takes three SGD steps (lr 0.1, momentum 0.9, weight decay 5e-3; torch.optim.SGD) on three batches with:
  kp: B starts as the given random feedback and is a parameter of a second torch.optim.SGD with the same
      settings whose gradient is W's gradient (the true dW) at every step;
  wm: B starts as the same random feedback; after each optimizer step every rule layer is driven by the fixed
      noise x stored here (conv: [n, kh, kw, in] patches, one output position), y = conv(x, W) or x W with W
      alone, and B <- (1 - decay) * (B + eta * x^T y), x^T y being conv2d_weight(x, W.shape, y) for conv layers.
Stored after every step: every weight and every B. Arrays are flat, row-major, in TensorFlow.js layouts
(activations and noise NHWC, conv kernels [kh, kw, in, out], dense kernels [in, out]).
"""
import json, math, sys
import torch
import torch.nn.functional as F
sys.path.insert(0, __import__('os').path.dirname(__file__))
from asym import AsymConv2dFn, AsymLinearFn
torch.set_default_dtype(torch.float64)

seed, out = int(sys.argv[1]), sys.argv[2]
g = torch.Generator().manual_seed(seed)
r = lambda *s: torch.randn(*s, generator=g)
u = lambda *s: torch.rand(*s, generator=g) * 2 - 1

def flat(t): return [round(float(v), 15) for v in t.detach().reshape(-1).tolist()]
def nhwc(t): return t.permute(0, 2, 3, 1).contiguous()
def hwio(t): return t.permute(2, 3, 1, 0).contiguous()

N, H, CIN, CLASSES, STEPS = 4, 6, 2, 3, 3
LR, MOM, WD = 0.1, 0.9, 5e-3
MIRROR = {'learningRate': 0.05, 'batchSize': 6, 'decay': 0.1, 'noiseStd': 0.5}

# Layers: name -> (kind, torch shape, stride, pad, rule layer?)
convs = {'conv1': (3, CIN, 3, 3, 1, 1), 'conv2': (4, 3, 3, 3, 2, 1)}
w0 = {}
for name, (cout, cin, kh, kw, s, p) in convs.items():
    w0[name] = r(cout, cin, kh, kw) * math.sqrt(2.0 / (kh * kw * cout))
w0['fc1'] = u(5, 36) / 6.0
w0['fc1.bias'] = u(5) / 6.0
w0['fc2'] = u(CLASSES, 5) / math.sqrt(5)
w0['fc2.bias'] = u(CLASSES) / math.sqrt(5)
rule_layers = ['conv1', 'conv2', 'fc1']
b0 = {'conv1': r(*w0['conv1'].shape) * math.sqrt(2.0 / 27), 'conv2': r(*w0['conv2'].shape) * math.sqrt(2.0 / 36),
      'fc1': u(5, 36) / 6.0}
xs = [r(N, CIN, H, H) for _ in range(STEPS)]
ys = [torch.randint(0, CLASSES, (N,), generator=g) for _ in range(STEPS)]
noise = [{name: (r(MIRROR['batchSize'], *w0[name].shape[1:]) if name in convs else r(MIRROR['batchSize'], 36))
          * MIRROR['noiseStd'] for name in rule_layers} for _ in range(STEPS)]


def forward(W, B, x):
    h = AsymConv2dFn.apply(x, W['conv1'], B['conv1'], 1, 1).relu()
    h = AsymConv2dFn.apply(h, W['conv2'], B['conv2'], 2, 1).relu()
    h = nhwc(h).reshape(x.shape[0], -1)
    h = (AsymLinearFn.apply(h, W['fc1'], B['fc1']) + W['fc1.bias']).relu()
    return F.linear(h, W['fc2'], W['fc2.bias'])


def snapshot(W, B):
    params = {}
    for k, v in W.items():
        params[k] = flat(hwio(v) if k in convs else (v.t() if v.dim() == 2 else v))
    feedback = {k: flat(hwio(v) if k in convs else v.t()) for k, v in B.items()}
    return {'params': params, 'feedback': feedback}


def run(rule):
    W = {k: v.clone().requires_grad_(True) for k, v in w0.items()}
    B = {k: v.clone().requires_grad_(rule == 'kp') for k, v in b0.items()}
    opt = torch.optim.SGD(list(W.values()), lr=LR, momentum=MOM, weight_decay=WD)
    opt_b = torch.optim.SGD(list(B.values()), lr=LR, momentum=MOM, weight_decay=WD) if rule == 'kp' else None
    steps = []
    for t in range(STEPS):
        opt.zero_grad()
        loss = F.cross_entropy(forward(W, B, xs[t]), ys[t])
        loss.backward()
        opt.step()
        with torch.no_grad():
            if rule == 'kp':
                for k in rule_layers:
                    B[k].grad = W[k].grad.clone()  # the true dW, through B's own optimizer of equal settings
                opt_b.step()
            else:
                for k in rule_layers:
                    x = noise[t][k]
                    if k in convs:
                        y = F.conv2d(x, W[k])
                        xty = torch.nn.grad.conv2d_weight(x, W[k].shape, y)
                    else:
                        y = x @ W[k].t()
                        xty = y.t() @ x
                    B[k].copy_((1 - MIRROR['decay']) * (B[k] + MIRROR['learningRate'] * xty))
        steps.append({'loss': float(loss), **snapshot(W, B)})
    return steps


doc = {
    'generator': 'PyTorch %s, float64, seed %d (make_learned_feedback_vectors.py)' % (torch.__version__, seed),
    'layouts': 'NHWC activations and noise, [kh,kw,in,out] conv kernels, [in,out] dense kernels; flat row-major',
    'optimizer': {'lr': LR, 'momentum': MOM, 'weightDecay': WD},
    'mirror': MIRROR,
    'ruleLayers': rule_layers,
    'inputShape': [N, H, H, CIN],
    'classes': CLASSES,
    'initial': snapshot(w0, b0),
    'batches': [{'x': flat(nhwc(x)), 'labels': y.tolist()} for x, y in zip(xs, ys)],
    'noise': [{k: {'shape': [MIRROR['batchSize'], 36] if k not in convs else
                   [MIRROR['batchSize'], *w0[k].shape[2:], w0[k].shape[1]],
                   'data': flat(nhwc(v) if k in convs else v)} for k, v in n.items()} for n in noise],
    'kp': run('kp'),
    'wm': run('wm'),
}
json.dump(doc, open(out, 'w'))
print('wrote', out)
