"""MLP fit: the Keras getting-started MNIST MLP at batch 32 and 128.

Dense(512, relu) - Dropout(0.2) - Dense(512, relu) - Dropout(0.2) - Dense(10, softmax) on
784 inputs, RMSprop (lr 0.001, rho 0.9), categorical cross-entropy, accuracy; synthetic
MNIST-shaped data (30,000 samples, half of MNIST; 2,048 with --quick). Same model in every
implementation (PyTorch: logits + cross_entropy, the same RMSprop rule; jax-loop: a jitted
step per batch). One fit call of 3 epochs; the best of epochs 2-3 is the steady state.

    python benchmarks/bench_mlp.py [--repeats N] [--quick] [--variant batch32]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

VARIANTS = {'batch32': 32, 'batch128': 128}
TITLES = {'batch32': 'MLP fit b32', 'batch128': 'MLP fit b128'}
IMPLS = ('ours', 'ours-tf', 'jax-loop', 'keras3', 'tfkeras', 'torch')


def data(quick):
    import numpy as np
    n = 2048 if quick else 30000
    rng = np.random.RandomState(0)
    x = rng.rand(n, 784).astype('float32')
    labels = rng.randint(0, 10, n)
    return x, np.eye(10, dtype='float32')[labels], labels


def keras_model(keras):
    L = keras.layers
    inp = L.Input(shape=(784,))
    h = L.Dropout(0.2)(L.Dense(512, activation='relu')(inp))
    h = L.Dropout(0.2)(L.Dense(512, activation='relu')(h))
    model = keras.models.Model(inp, L.Dense(10, activation='softmax')(h))
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'],
                  optimizer=H.make_optimizer(keras, 'RMSprop', learning_rate=0.001, rho=0.9))
    return model


def jax_loss():
    import jax
    import jax.numpy as jnp

    def dropout(key, h, rate):
        keep = jax.random.bernoulli(key, 1. - rate, h.shape)
        return jnp.where(keep, h / (1. - rate), 0.)

    def loss(p, xb, yb, key):
        k1, k2 = jax.random.split(key)
        h = dropout(k1, jax.nn.relu(xb @ p[0] + p[1]), 0.2)
        h = dropout(k2, jax.nn.relu(h @ p[2] + p[3]), 0.2)
        out = jnp.clip(jax.nn.softmax(h @ p[4] + p[5]), 1e-7, 1 - 1e-7)
        ce = -jnp.mean(jnp.sum(yb * jnp.log(out), -1))
        return ce, jnp.mean(jnp.argmax(out, -1) == jnp.argmax(yb, -1))
    return loss


def worker(variant, impl, quick):
    import numpy as np
    bs = VARIANTS[variant]
    x, y, labels = data(quick)
    if impl in H.KERAS_IMPLS:
        keras = H.import_keras(impl)
        return H.keras_fit(keras_model(keras), x, y, bs, keras, impl)
    if impl == 'jax-loop':
        rng = np.random.RandomState(1)
        params = [H.glorot(rng, (784, 512), 784, 512), np.zeros(512, 'float32'),
                  H.glorot(rng, (512, 512), 512, 512), np.zeros(512, 'float32'),
                  H.glorot(rng, (512, 10), 512, 10), np.zeros(10, 'float32')]
        return H.jax_fit(jax_loss(), params, H.jax_optimizer('RMSprop', learning_rate=0.001),
                         x, y, bs)
    if impl == 'torch':
        import torch
        nn = torch.nn
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
                            nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10))
        opt = torch.optim.RMSprop(net.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
        return H.torch_fit(net, nn.functional.cross_entropy, opt, x, labels.astype('int64'), bs)
    raise ValueError('bench_mlp: no implementation %r' % (impl,))


if __name__ == '__main__':
    H.main(os.path.abspath(__file__), VARIANTS, lambda v: IMPLS, worker, TITLES, __doc__)
