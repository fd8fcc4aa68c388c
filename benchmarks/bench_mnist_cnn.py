"""MNIST CNN (the Keras example architecture): fit at batch 128 and predict at batch 256.

Conv2D(32, 3x3, relu) - Conv2D(64, 3x3, relu) - MaxPooling2D(2) - Dropout(0.25) - Flatten -
Dense(128, relu) - Dropout(0.5) - Dense(10, softmax) on 28x28x1 (channels last; PyTorch gets
the same images channels first), Adadelta (lr 1.0, rho 0.95), categorical cross-entropy,
accuracy. Synthetic data: fit 150 batches per epoch, three epochs (3 batches with --quick):
long enough for `fit`'s dispatch plan to be what it is in a real MNIST training (469
batches an epoch, where compiling a scanned step is a small part of the run); predict 16
batches (4 with --quick).

    python benchmarks/bench_mnist_cnn.py [--repeats N] [--quick] [--variant fit|predict]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

VARIANTS = {'fit': 128, 'predict': 256}
TITLES = {'fit': 'MNIST CNN fit b128', 'predict': 'MNIST CNN predict b256'}
IMPLS = ('ours', 'ours-tf', 'jax-loop', 'keras3', 'tfkeras', 'torch')


def data(variant, quick):
    bs = VARIANTS[variant]
    n = bs * ((3 if quick else 150) if variant == 'fit' else (4 if quick else 16))
    return H.random_images(n, (28, 28, 1))


def keras_model(keras):
    L = keras.layers
    inp = L.Input(shape=(28, 28, 1))
    h = L.Conv2D(32, (3, 3), activation='relu')(inp)
    h = L.Conv2D(64, (3, 3), activation='relu')(h)
    h = L.Dropout(0.25)(L.MaxPooling2D(pool_size=(2, 2))(h))
    h = L.Dropout(0.5)(L.Dense(128, activation='relu')(L.Flatten()(h)))
    model = keras.models.Model(inp, L.Dense(10, activation='softmax')(h))
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'],
                  optimizer=H.make_optimizer(keras, 'Adadelta', learning_rate=1.0, rho=0.95))
    return model


def jax_params():
    import numpy as np
    rng = np.random.RandomState(1)
    return [H.glorot(rng, (3, 3, 1, 32), 9, 9 * 32), np.zeros(32, 'float32'),
            H.glorot(rng, (3, 3, 32, 64), 9 * 32, 9 * 64), np.zeros(64, 'float32'),
            H.glorot(rng, (9216, 128), 9216, 128), np.zeros(128, 'float32'),
            H.glorot(rng, (128, 10), 128, 10), np.zeros(10, 'float32')]


def jax_forward(p, x, key=None):
    import jax
    import jax.numpy as jnp
    from jax import lax

    def conv(h, w, b):
        return jax.nn.relu(lax.conv_general_dilated(
            h, w, (1, 1), 'VALID', dimension_numbers=('NHWC', 'HWIO', 'NHWC')) + b)

    def dropout(k, h, rate):
        if key is None:
            return h
        return jnp.where(jax.random.bernoulli(k, 1. - rate, h.shape), h / (1. - rate), 0.)
    k1, k2 = jax.random.split(key) if key is not None else (None, None)
    h = conv(conv(x, p[0], p[1]), p[2], p[3])
    h = lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), 'VALID')
    h = dropout(k1, h, 0.25).reshape(x.shape[0], -1)
    h = dropout(k2, jax.nn.relu(h @ p[4] + p[5]), 0.5)
    return jax.nn.softmax(h @ p[6] + p[7])


def jax_loss(p, xb, yb, key):
    import jax.numpy as jnp
    out = jnp.clip(jax_forward(p, xb, key), 1e-7, 1 - 1e-7)
    ce = -jnp.mean(jnp.sum(yb * jnp.log(out), -1))
    return ce, jnp.mean(jnp.argmax(out, -1) == jnp.argmax(yb, -1))


def torch_net():
    import torch
    nn = torch.nn
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                         nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def worker(variant, impl, quick):
    import numpy as np
    bs = VARIANTS[variant]
    x, y, labels = data(variant, quick)
    if impl in H.KERAS_IMPLS:
        keras = H.import_keras(impl)
        model = keras_model(keras)
        if variant == 'fit':
            return H.keras_fit(model, x, y, bs, keras, impl)
        return H.keras_predict(model, x, bs)
    if impl == 'jax-loop':
        if variant == 'fit':
            return H.jax_fit(jax_loss, jax_params(),
                             H.jax_optimizer('Adadelta', learning_rate=1.0), x, y, bs)
        return H.jax_predict(jax_forward, jax_params(), x, bs)
    if impl == 'torch':
        import torch
        net = torch_net()
        xt = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        if variant == 'fit':
            opt = torch.optim.Adadelta(net.parameters(), lr=1.0, rho=0.95, eps=1e-7)
            return H.torch_fit(net, torch.nn.functional.cross_entropy, opt, xt,
                               labels.astype('int64'), bs)
        return H.torch_predict(net, xt, bs)
    raise ValueError('bench_mnist_cnn: no implementation %r' % (impl,))


if __name__ == '__main__':
    H.main(os.path.abspath(__file__), VARIANTS, lambda v: IMPLS, worker, TITLES, __doc__)
