"""MLP fit: the Keras README's getting-started MLP and the MNIST MLP, at batch 32 and 128.

* Getting-started MLP (the Keras README's "Getting started" model, the one the speed issue
  first measured): Dense(64, relu) - Dense(10, softmax) on 100 inputs, SGD (lr 0.01,
  momentum 0.9, Nesterov), categorical cross-entropy, accuracy; 60,000 synthetic samples
  (4,096 with --quick). Its step is tiny, so the per-batch overhead of the framework decides.
* MNIST MLP (Keras' mnist_mlp example): Dense(512, relu) - Dropout(0.2) - Dense(512, relu) -
  Dropout(0.2) - Dense(10, softmax) on 784 inputs, RMSprop (lr 0.001, rho 0.9); 30,000
  synthetic MNIST-shaped samples (2,048 with --quick). Its step is compute-bound.

Same model in every implementation (PyTorch: logits + cross_entropy, the same update rule;
jax-loop: a jitted step per batch). One fit call of 3 epochs; the best of epochs 2-3 is the
steady state.

    python benchmarks/bench_mlp.py [--repeats N] [--quick] [--variant batch32]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

# variant -> (model, batch size)
VARIANTS = {'start32': ('start', 32), 'start128': ('start', 128),
            'batch32': ('mnist', 32), 'batch128': ('mnist', 128)}
TITLES = {'start32': 'Getting-started MLP fit b32', 'start128': 'Getting-started MLP fit b128',
          'batch32': 'MNIST MLP fit b32', 'batch128': 'MNIST MLP fit b128'}
# inputs, hidden layers, dropout rate
SHAPES = {'start': (100, (64,), 0.), 'mnist': (784, (512, 512), 0.2)}
IMPLS = ('ours', 'ours-tf', 'jax-loop', 'keras3', 'tfkeras', 'torch')


def data(quick, kind='mnist'):
    import numpy as np
    if kind == 'start':
        n = 4096 if quick else 60000
    else:
        n = 2048 if quick else 30000
    rng = np.random.RandomState(0)
    x = rng.rand(n, SHAPES[kind][0]).astype('float32')
    labels = rng.randint(0, 10, n)
    return x, np.eye(10, dtype='float32')[labels], labels


def optimizer(kind):
    """(name, keyword arguments) of the model's optimizer."""
    if kind == 'start':
        return 'SGD', {'learning_rate': 0.01, 'momentum': 0.9, 'nesterov': True}
    return 'RMSprop', {'learning_rate': 0.001, 'rho': 0.9}


def keras_model(keras, kind='mnist'):
    L = keras.layers
    n_in, hidden, rate = SHAPES[kind]
    inp = h = L.Input(shape=(n_in,))
    for units in hidden:
        h = L.Dense(units, activation='relu')(h)
        if rate:
            h = L.Dropout(rate)(h)
    model = keras.models.Model(inp, L.Dense(10, activation='softmax')(h))
    name, kw = optimizer(kind)
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'],
                  optimizer=H.make_optimizer(keras, name, **kw))
    return model


def jax_loss(kind='mnist'):
    import jax
    import jax.numpy as jnp
    rate = SHAPES[kind][2]

    def dropout(key, h):
        keep = jax.random.bernoulli(key, 1. - rate, h.shape)
        return jnp.where(keep, h / (1. - rate), 0.)

    def loss(p, xb, yb, key):
        h = xb
        for i in range(0, len(p) - 2, 2):
            h = jax.nn.relu(h @ p[i] + p[i + 1])
            if rate:
                key, sub = jax.random.split(key)
                h = dropout(sub, h)
        out = jnp.clip(jax.nn.softmax(h @ p[-2] + p[-1]), 1e-7, 1 - 1e-7)
        ce = -jnp.mean(jnp.sum(yb * jnp.log(out), -1))
        return ce, jnp.mean(jnp.argmax(out, -1) == jnp.argmax(yb, -1))
    return loss


def worker(variant, impl, quick):
    import numpy as np
    kind, bs = VARIANTS[variant]
    n_in, hidden, rate = SHAPES[kind]
    sizes = (n_in,) + hidden + (10,)
    x, y, labels = data(quick, kind)
    if impl in H.KERAS_IMPLS:
        keras = H.import_keras(impl)
        return H.keras_fit(keras_model(keras, kind), x, y, bs, keras, impl)
    name, kw = optimizer(kind)
    if impl == 'jax-loop':
        rng = np.random.RandomState(1)
        params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            params += [H.glorot(rng, (a, b), a, b), np.zeros(b, 'float32')]
        return H.jax_fit(jax_loss(kind), params, H.jax_optimizer(name, **kw), x, y, bs)
    if impl == 'torch':
        import torch
        nn = torch.nn
        torch.manual_seed(0)
        layers = []
        for a, b in zip(sizes[:-2], sizes[1:-1]):
            layers += [nn.Linear(a, b), nn.ReLU()] + ([nn.Dropout(rate)] if rate else [])
        net = nn.Sequential(*(layers + [nn.Linear(sizes[-2], 10)]))
        if name == 'SGD':
            # PyTorch's Nesterov momentum keeps the velocity without the learning rate; for a
            # constant rate it is the same update as Keras'
            opt = torch.optim.SGD(net.parameters(), lr=kw['learning_rate'],
                                  momentum=kw['momentum'], nesterov=kw['nesterov'])
        else:
            opt = torch.optim.RMSprop(net.parameters(), lr=kw['learning_rate'], alpha=kw['rho'],
                                      eps=1e-7)
        return H.torch_fit(net, nn.functional.cross_entropy, opt, x, labels.astype('int64'), bs)
    raise ValueError('bench_mlp: no implementation %r' % (impl,))


if __name__ == '__main__':
    H.main(os.path.abspath(__file__), VARIANTS, lambda v: IMPLS, worker, TITLES, __doc__)
