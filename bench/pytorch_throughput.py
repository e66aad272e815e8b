"""PyTorch training throughput, one measurement per run, for `npm run bench:compare` (bench/src/compare.ts, on the
CPU) and `npm run bench:gpu` (bench/src/gpu.ts, with --device cuda).

A measurement is one network, rule, batch, input size and thread count: warm-up steps, then timed SGD training
steps (forward, loss, backward, optimizer step) until both --min-steps and --min-seconds are reached. It prints one
JSON line (the fields of bench/src/measurement.ts). The rules are those of reference/pytorch/asym.py (bp, ss, fa on
every conv and hidden linear layer; the classifier keeps bp, as in the paper); the mosaic RetinaNet is
reference/pytorch/retina.py as reference/pytorch/retinanet_mosaic.py builds and trains it.

  /usr/bin/python3 bench/pytorch_throughput.py --net resnet18 --rule ss --batch 8 --size 224 --threads 1
  python3 bench/pytorch_throughput.py --net resnet18 --rule fa --batch 256 --size 224 --device cuda
  /usr/bin/python3 bench/pytorch_throughput.py --probe      # versions, default threads and CUDA, one JSON line

Networks (the same as bench/src/networks.ts builds in BioProp):
  resnet18          ResNet-18, ImageNet stem, 3 channels, 1000 classes
  alexnet-bn        the paper's AlexNet with batch norm (packages/architectures/src/alexnet.ts), 1000 classes
  fashion-mini      ResNet-18 width 16, small-image stem (3x3/1, no pool), 1 channel, 10 classes
  mosaic-retinanet  RetinaNet, ResNet-18 width 16, FPN 64, 1 channel, 10 classes, anchors 16..256
"""
import argparse, json, math, os, resource, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'reference', 'pytorch'))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--probe', action='store_true', help='print versions and the default thread count, then exit')
    p.add_argument('--net', choices=['resnet18', 'alexnet-bn', 'fashion-mini', 'mosaic-retinanet'])
    p.add_argument('--rule', choices=['bp', 'ss', 'fa'], default='bp')
    p.add_argument('--batch', type=int)
    p.add_argument('--size', type=int, help='input height = width')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    p.add_argument('--width', type=int, help="channels of the first stage of a ResNet (default: the network's own)")
    p.add_argument('--warmup', type=int, default=2, help='untimed steps first (allocator, oneDNN primitives)')
    p.add_argument('--min-steps', type=int, default=5)
    p.add_argument('--min-seconds', type=float, default=15.0)
    p.add_argument('--max-steps', type=int, default=1000)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    if not a.probe and (a.net is None or a.batch is None or a.size is None):
        p.error('--net, --batch and --size are needed (or --probe)')
    return a


def probe():
    import torch
    try:
        import torchvision
        tv = torchvision.__version__
    except ImportError:
        tv = None
    cuda = torch.cuda.is_available()
    print(json.dumps({'pythonVersion': sys.version.split()[0], 'torch': torch.__version__, 'torchvision': tv,
                      'defaultThreads': torch.get_num_threads(), 'cuda': cuda,
                      'cudaVersion': torch.version.cuda, 'cudaDevice': torch.cuda.get_device_name(0) if cuda else None}),
          flush=True)


def alexnet_bn(rule, classes=1000, in_ch=3):
    """The paper's AlexNet as packages/architectures/src/alexnet.ts builds it: torchvision's layout, batch norm
    before every ReLU, no bias in layers followed by batch norm, no dropout, two 4096-wide hidden layers."""
    import torch.nn as nn
    from asym import AConv, ALinear

    def conv_bn_relu(cin, cout, k, s, p):
        return [AConv(cin, cout, k, s, p, rule), nn.BatchNorm2d(cout), nn.ReLU()]

    features = nn.Sequential(
        *conv_bn_relu(in_ch, 64, 11, 4, 2), nn.MaxPool2d(3, 2),
        *conv_bn_relu(64, 192, 5, 1, 2), nn.MaxPool2d(3, 2),
        *conv_bn_relu(192, 384, 3, 1, 1), *conv_bn_relu(384, 256, 3, 1, 1), *conv_bn_relu(256, 256, 3, 1, 1),
        nn.MaxPool2d(3, 2), nn.Flatten())
    classifier = nn.Sequential(
        ALinear(256 * 6 * 6, 4096, rule, bias=False), nn.BatchNorm1d(4096), nn.ReLU(),
        ALinear(4096, 4096, rule, bias=False), nn.BatchNorm1d(4096), nn.ReLU(),
        ALinear(4096, classes, 'bp'))
    return nn.Sequential(features, classifier)


def fixed_targets(batch, size, classes):
    """Boxes and labels that depend only on (image, box) indices, so that bench/src/detection-targets.ts draws
    the very same ones: 1-3 boxes per image, sides 1/8 to 1/2 of the image, aspect 1, 1.5 or 2 (h / w)."""
    import torch
    out = []
    for i in range(batch):
        boxes, labels = [], []
        for j in range(1 + i % 3):
            w = size * (0.125 + 0.375 * ((i * 7 + j * 13) % 8) / 7)
            h = min(w * (1 + 0.5 * ((i + j) % 3)), size * 0.75)
            x1 = (size - w) * ((i * 11 + j * 29) % 10) / 9
            y1 = (size - h) * ((i * 17 + j * 5) % 10) / 9
            boxes.append([x1, y1, x1 + w, y1 + h])
            labels.append((3 * i + j) % classes)
        out.append({'boxes': torch.tensor(boxes, dtype=torch.float32), 'labels': torch.tensor(labels, dtype=torch.int64)})
    return out


def build_step(a):
    """The model, its SGD and a function doing one training step that returns the loss (a 0-d tensor)."""
    import torch
    import torch.nn.functional as F
    dev = torch.device(a.device)
    if a.net == 'mosaic-retinanet':
        import retina
        # The mosaic-retinanet preset (retinanet_mosaic.py): ResNet-18 width 16, 1 channel, FPN 64, anchors 16..256.
        m = retina.build(a.rule, width=16, in_ch=1, fpn_channels=64, classes=10, image_size=a.size, base_anchor=16)
        # Pixels / 255 as the mosaic loader gives them; torchvision's transform normalises them inside the step.
        images = [torch.rand(1, a.size, a.size, device=dev) for _ in range(a.batch)]
        targets = [{k: v.to(dev) for k, v in t.items()} for t in fixed_targets(a.batch, a.size, 10)]

        def loss_fn():
            losses = m(images, targets)
            return losses['classification'] + losses['bbox_regression']
    else:
        from asym import ResNet18
        if a.net == 'resnet18':
            m, ch, classes = ResNet18(rule=a.rule, last_rule='bp', width=a.width or 64, classes=1000, in_ch=3, stem='imagenet'), 3, 1000
        elif a.net == 'fashion-mini':
            m, ch, classes = ResNet18(rule=a.rule, last_rule='bp', width=a.width or 16, classes=10, in_ch=1, stem='cifar'), 1, 10
        else:
            m, ch, classes = alexnet_bn(a.rule), 3, 1000
        x = torch.randn(a.batch, ch, a.size, a.size).to(dev)
        y = (torch.arange(a.batch) % classes).to(dev)

        def loss_fn():
            return F.cross_entropy(m(x), y)
    m.to(dev).train()
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

    def step():
        loss = loss_fn()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.detach()
    return step


def measure(a):
    import torch
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    cuda = a.device == 'cuda'
    if cuda:
        if not torch.cuda.is_available():
            sys.exit(f'--device cuda: torch {torch.__version__} sees no CUDA device')
        # Fixed shapes every step: let cuDNN pick its fastest algorithms once, as a tuned training script would.
        torch.backends.cudnn.benchmark = True
    # Waits for the GPU's queue, so that the clock covers work that was only launched.
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    step = build_step(a)
    for _ in range(a.warmup):
        step()
    sync()
    steps, t0, finite, losses = 0, time.perf_counter(), True, []
    while steps < a.max_steps and (steps < a.min_steps or time.perf_counter() - t0 < a.min_seconds):
        loss = step()
        # On the GPU the losses stay there until the end: a read per step would stall the queue.
        if cuda:
            losses.append(loss)
        else:
            finite = math.isfinite(float(loss)) and finite
        steps += 1
    sync()
    seconds = time.perf_counter() - t0
    if losses:
        finite = bool(torch.isfinite(torch.stack(losses)).all())
    name = torch.cuda.get_device_name(0) if cuda else None
    print(json.dumps({
        'side': 'pytorch', 'backend': a.device, 'net': a.net, 'rule': a.rule, 'batch': a.batch, 'size': a.size,
        'threads': torch.get_num_threads(), 'warmupSteps': a.warmup, 'steps': steps, 'seconds': round(seconds, 4),
        'imagesPerSecond': round(a.batch * steps / seconds, 3), 'secondsPerStep': round(seconds / steps, 5),
        'lossFinite': finite, 'peakRssMb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        'version': 'torch ' + torch.__version__ + (f' CUDA {torch.version.cuda} on {name}' if cuda else '')}), flush=True)


if __name__ == '__main__':
    args = parse_args()
    probe() if args.probe else measure(args)
