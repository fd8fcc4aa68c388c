"""An Inception module predict: GoogLeNet's inception (3a) block at batch 32.

Input 28x28x192; four towers concatenated on the channel axis: 1x1 conv 64; 1x1 conv 96 then
3x3 conv 128; 1x1 conv 16 then 5x5 conv 32; 3x3 max pooling (stride 1, same) then 1x1 conv
32 (all ReLU, 'same' padding): the module of the Keras functional-API guide at GoogLeNet's
sizes. ``predict(x, batch_size=32)`` on 8 batches (3 with --quick); PyTorch: the same
module channels first, eval mode, ``no_grad``. No jax-loop row here.

    python benchmarks/bench_inception.py [--repeats N] [--quick]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

VARIANTS = {'predict': 32}
TITLES = {'predict': 'Inception module predict b32'}
IMPLS = ('ours', 'ours-tf', 'keras3', 'tfkeras', 'torch')
TOWERS = ((64,), (96, 128), (16, 32))   # 1x1 widths, then 3x3 / 5x5 widths
POOL_PROJ = 32


def keras_model(keras):
    L = keras.layers
    inp = L.Input(shape=(28, 28, 192))
    t1 = L.Conv2D(64, 1, padding='same', activation='relu')(inp)
    t2 = L.Conv2D(96, 1, padding='same', activation='relu')(inp)
    t2 = L.Conv2D(128, 3, padding='same', activation='relu')(t2)
    t3 = L.Conv2D(16, 1, padding='same', activation='relu')(inp)
    t3 = L.Conv2D(32, 5, padding='same', activation='relu')(t3)
    t4 = L.MaxPooling2D(3, strides=1, padding='same')(inp)
    t4 = L.Conv2D(POOL_PROJ, 1, padding='same', activation='relu')(t4)
    return keras.models.Model(inp, L.concatenate([t1, t2, t3, t4], axis=-1))


def torch_net():
    import torch
    nn = torch.nn
    torch.manual_seed(0)

    def conv(cin, cout, k):
        return nn.Sequential(nn.Conv2d(cin, cout, k, padding=k // 2), nn.ReLU())

    class Inception(nn.Module):
        def __init__(self):
            super().__init__()
            self.t1 = conv(192, 64, 1)
            self.t2 = nn.Sequential(conv(192, 96, 1), conv(96, 128, 3))
            self.t3 = nn.Sequential(conv(192, 16, 1), conv(16, 32, 5))
            self.t4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), conv(192, POOL_PROJ, 1))

        def forward(self, x):
            return torch.cat([self.t1(x), self.t2(x), self.t3(x), self.t4(x)], 1)
    return Inception()


def worker(variant, impl, quick):
    import numpy as np
    bs = VARIANTS[variant]
    x = np.random.RandomState(0).rand(bs * (3 if quick else 8), 28, 28, 192).astype('float32')
    if impl in H.KERAS_IMPLS:
        keras = H.import_keras(impl)
        return H.keras_predict(keras_model(keras), x, bs)
    if impl == 'torch':
        return H.torch_predict(torch_net(), np.ascontiguousarray(x.transpose(0, 3, 1, 2)), bs)
    raise ValueError('bench_inception: no implementation %r' % (impl,))


if __name__ == '__main__':
    H.main(os.path.abspath(__file__), VARIANTS, lambda v: IMPLS, worker, TITLES, __doc__)
