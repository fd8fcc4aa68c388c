"""A small MobileNet-style network fit on 32x32 images: depthwise-separable blocks.

Conv2D(32, 3x3, stride 2) stem, then five blocks of DepthwiseConv2D(3x3) - BatchNorm - ReLU -
Conv2D(1x1) - BatchNorm - ReLU with (filters, stride) (64, 1), (128, 2), (128, 1), (256, 2),
(256, 1), GlobalAveragePooling2D, Dense(10, softmax); Adam (lr 0.001), categorical
cross-entropy, accuracy, batch 64, 40 batches per epoch (3 with --quick), three epochs. The
workload of the depthwise convolutions (MobileNet, Xception, NASNet fine-tuning). PyTorch:
the same network channels first (`groups=channels` convolutions), an idiomatic loop.

    python benchmarks/bench_mobilenet_small.py [--repeats N] [--quick]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

VARIANTS = {'fit': 64}
TITLES = {'fit': 'MobileNet-style fit 32x32 b64'}
IMPLS = ('ours', 'ours-tf', 'keras3', 'tfkeras', 'torch')
BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1))


def data(quick):
    return H.random_images(64 * (3 if quick else 40), (32, 32, 3))


def keras_model(keras):
    L = keras.layers
    inp = L.Input(shape=(32, 32, 3))
    h = L.Conv2D(32, 3, strides=2, padding='same')(inp)
    for filters, strides in BLOCKS:
        h = L.DepthwiseConv2D(3, strides=strides, padding='same')(h)
        h = L.Activation('relu')(L.BatchNormalization()(h))
        h = L.Conv2D(filters, 1)(h)
        h = L.Activation('relu')(L.BatchNormalization()(h))
    out = L.Dense(10, activation='softmax')(L.GlobalAveragePooling2D()(h))
    return H.adam_classifier(keras, inp, out)


def torch_net():
    import torch
    nn = torch.nn
    torch.manual_seed(0)
    layers, cin = [nn.Conv2d(3, 32, 3, 2, 1)], 32
    for filters, strides in BLOCKS:
        layers += [nn.Conv2d(cin, cin, 3, strides, 1, groups=cin), nn.BatchNorm2d(cin, eps=1e-3),
                   nn.ReLU(), nn.Conv2d(cin, filters, 1), nn.BatchNorm2d(filters, eps=1e-3),
                   nn.ReLU()]
        cin = filters
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10))


def worker(variant, impl, quick):
    x, y, labels = data(quick)
    return H.image_classification_fit(keras_model, torch_net, x, y, labels, VARIANTS[variant],
                                      impl)


if __name__ == '__main__':
    H.main(os.path.abspath(__file__), VARIANTS, lambda v: IMPLS, worker, TITLES, __doc__)
