"""ResNet50 predict at batch 8 (224x224x3, random weights, 1000 classes).

Keras: ``keras.applications.ResNet50(weights=None)`` and ``model.predict(x, batch_size=8)``
on 6 batches (2 with --quick); PyTorch: ``torchvision.models.resnet50()`` in eval mode
under ``no_grad``, one call per host batch (the ``torch`` row needs torchvision in the
PyTorch venv). No jax-loop row here (``device_resnet50.py`` has a hand-written JAX
ResNet50 for the accelerator checks).

    python benchmarks/bench_resnet50.py [--repeats N] [--quick]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

VARIANTS = {'predict': 8}
TITLES = {'predict': 'ResNet50 predict b8'}
IMPLS = ('ours', 'ours-tf', 'keras3', 'tfkeras', 'torch')


def worker(variant, impl, quick):
    import numpy as np
    bs = VARIANTS[variant]
    x = np.random.RandomState(0).rand(bs * (2 if quick else 6), 224, 224, 3).astype('float32')
    if impl in H.KERAS_IMPLS:
        keras = H.import_keras(impl)
        return H.keras_predict(keras.applications.ResNet50(weights=None), x, bs)
    if impl == 'torch':
        import torch
        import torchvision
        torch.manual_seed(0)
        return H.torch_predict(torchvision.models.resnet50(),
                               np.ascontiguousarray(x.transpose(0, 3, 1, 2)), bs)
    raise ValueError('bench_resnet50: no implementation %r' % (impl,))


if __name__ == '__main__':
    H.main(os.path.abspath(__file__), VARIANTS, lambda v: IMPLS, worker, TITLES, __doc__)
