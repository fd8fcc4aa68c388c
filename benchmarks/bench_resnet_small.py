"""Small ResNet fit on 32x32 images: ResNet20 v1 of the Keras cifar10_resnet example.

Conv-BN-ReLU stem (16 filters), three stages of three basic blocks (16, 32, 64 filters,
stride 2 and a 1x1 projection at the start of stages 2 and 3), AveragePooling2D(8),
Dense(10, softmax); Adam (lr 0.001), categorical cross-entropy, accuracy, batch 128, 4
batches per epoch (2 with --quick). The example's L2 kernel regulariser is left out (in
every implementation). PyTorch: the same network channels first, an idiomatic loop.
There is no jax-loop row for this workload.

    python benchmarks/bench_resnet_small.py [--repeats N] [--quick]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

VARIANTS = {'fit': 128}
TITLES = {'fit': 'ResNet20 fit 32x32 b128'}
IMPLS = ('ours', 'ours-tf', 'keras3', 'tfkeras', 'torch')
STAGES = (16, 32, 64)


def data(quick):
    return H.random_images(128 * (2 if quick else 4), (32, 32, 3))


def keras_model(keras):
    L = keras.layers

    def unit(h, filters, kernel=3, strides=1, relu=True, bn=True):
        h = L.Conv2D(filters, kernel, strides=strides, padding='same',
                     kernel_initializer='he_normal')(h)
        if bn:
            h = L.BatchNormalization()(h)
        return L.Activation('relu')(h) if relu else h

    inp = L.Input(shape=(32, 32, 3))
    x = unit(inp, STAGES[0])
    for stage, filters in enumerate(STAGES):
        for block in range(3):
            strides = 2 if stage > 0 and block == 0 else 1
            y = unit(unit(x, filters, strides=strides), filters, relu=False)
            if strides == 2:
                x = unit(x, filters, kernel=1, strides=2, relu=False, bn=False)
            x = L.Activation('relu')(L.add([x, y]))
    x = L.Flatten()(L.AveragePooling2D(pool_size=8)(x))
    return H.adam_classifier(keras, inp, L.Dense(10, activation='softmax')(x))


def torch_net():
    import torch
    nn = torch.nn
    torch.manual_seed(0)

    def unit(cin, cout, stride=1, relu=True):
        layers = [nn.Conv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout, eps=1e-3)]
        return nn.Sequential(*(layers + [nn.ReLU()] if relu else layers))

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.body = nn.Sequential(unit(cin, cout, stride), unit(cout, cout, relu=False))
            self.proj = nn.Conv2d(cin, cout, 1, stride) if stride == 2 else None

        def forward(self, x):
            skip = x if self.proj is None else self.proj(x)
            return torch.relu(skip + self.body(x))

    blocks, cin = [unit(3, STAGES[0])], STAGES[0]
    for stage, filters in enumerate(STAGES):
        for block in range(3):
            blocks.append(Block(cin, filters, 2 if stage > 0 and block == 0 else 1))
            cin = filters
    return nn.Sequential(*blocks, nn.AvgPool2d(8), nn.Flatten(), nn.Linear(64, 10))


def worker(variant, impl, quick):
    x, y, labels = data(quick)
    return H.image_classification_fit(keras_model, torch_net, x, y, labels, VARIANTS[variant],
                                      impl)


if __name__ == '__main__':
    H.main(os.path.abspath(__file__), VARIANTS, lambda v: IMPLS, worker, TITLES, __doc__)
