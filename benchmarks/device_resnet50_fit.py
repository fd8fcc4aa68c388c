"""ResNet50 training throughput: `model.fit` against torchvision's ResNet50 in PyTorch.

Both train the same architecture from random initialisation on the same random images
and labels (float32 at full precision, no TF32), SGD with momentum 0.9, categorical
cross-entropy, batch normalisation in training mode. Keras: `ResNet50(weights=None)`,
`fit(x, y, batch_size, epochs=2)` with the data in memory; the first epoch includes
compilation, the second is timed. PyTorch: an idiomatic loop over batches already on the
device, synchronised at the end. Printed: samples/s, time of the first epoch, peak memory.

    python benchmarks/device_resnet50_fit.py --batch 32 --steps 20 [--torch] [--size 224]
"""
import argparse
import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import keras  # noqa: E402
from keras import backend as K  # noqa: E402
from keras.applications.resnet50 import ResNet50  # noqa: E402
from keras.callbacks import Callback  # noqa: E402


class _EpochTimer(Callback):
    _chunk_safe = True
    _batch_hooks_read_logs_only = True

    def __init__(self):
        super(_EpochTimer, self).__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._t)


def bench_keras(x, y, batch):
    np.random.seed(0)
    t0 = time.perf_counter()
    model = ResNet50(weights=None, input_shape=x.shape[1:], classes=y.shape[1])
    build = time.perf_counter() - t0
    model.compile(keras.optimizers.SGD(lr=0.01, momentum=0.9), 'categorical_crossentropy')
    timer = _EpochTimer()
    history = model.fit(x, y, batch_size=batch, epochs=2, verbose=0, callbacks=[timer])
    assert np.all(np.isfinite(history.history['loss']))
    return len(x) / timer.times[1], timer.times[0], build


def bench_torch(x, y, batch):
    import torch
    import torchvision
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    net = torchvision.models.resnet50(num_classes=y.shape[1]).to(dev).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    xd = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).to(dev)
    yd = torch.from_numpy(y.argmax(1)).to(dev)
    steps = len(x) // batch
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        losses = []
        for i in range(steps):
            out = net(xd[i * batch:(i + 1) * batch])
            loss = torch.nn.functional.cross_entropy(out, yd[i * batch:(i + 1) * batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.detach())
        torch.stack(losses).cpu()
        times.append(time.perf_counter() - t0)
    return steps * batch / times[1], times[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--steps', type=int, default=20, help='batches per epoch')
    parser.add_argument('--size', type=int, default=224, help='image height and width')
    parser.add_argument('--classes', type=int, default=1000)
    parser.add_argument('--torch', action='store_true',
                        help="also time torchvision's ResNet50 (if installed)")
    args = parser.parse_args()
    K.set_image_data_format('channels_last')
    rng = np.random.RandomState(0)
    n = args.batch * args.steps
    x = rng.rand(n, args.size, args.size, 3).astype('float32') * 2 - 1
    y = np.eye(args.classes, dtype='float32')[rng.randint(0, args.classes, n)]
    import jax
    dev = jax.devices()[0]
    print('device: %s (%s), jax %s, keras %s; batch %d, %d steps, %dx%d images'
          % (dev.platform, dev.device_kind, jax.__version__, keras.__version__, args.batch,
             args.steps, args.size, args.size))
    sps, first, build = bench_keras(x, y, args.batch)
    line = 'keras fit: %.1f samples/s; build %.2fs, first epoch (with compile) %.2fs' % (
        sps, build, first)
    if dev.platform != 'cpu':
        stats = dev.memory_stats() or {}
        if 'peak_bytes_in_use' in stats:
            line += '; peak device memory %.0f MB' % (stats['peak_bytes_in_use'] / 2. ** 20)
    print(line + '; peak RSS %.0f MB' % (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.))
    if args.torch:
        try:
            tsps, tfirst = bench_torch(x, y, args.batch)
        except ImportError as e:
            raise SystemExit('--torch needs torch and torchvision: %s' % e)
        print('torch:     %.1f samples/s; first epoch %.2fs; keras fit / torch = %.2f'
              % (tsps, tfirst, sps / tsps))


if __name__ == '__main__':
    main()
