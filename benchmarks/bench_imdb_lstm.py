"""IMDB LSTM fit (the Keras imdb_lstm example): batch 32, sequences of 80 word indices.

Embedding(20000, 128) - LSTM(128, dropout=0.2, recurrent_dropout=0.2) - Dense(1, sigmoid),
binary cross-entropy, Adam (lr 0.001), accuracy; 32 batches per epoch (8 with --quick).
Every Keras gets ``recurrent_activation='sigmoid'`` and, where it has the argument,
``implementation=2`` so that all implementations compute the same cell (Keras 2.2's
defaults are hard_sigmoid and a recurrent-dropout mask per gate). PyTorch is timed twice: ``torch`` is a
Python loop over the time steps doing the same computation (input projections of all steps
in one product, an input-dropout and a recurrent-dropout mask per sequence), and
``torch-fused`` is ``nn.LSTM``, which has no recurrent dropout (input dropout only).

    python benchmarks/bench_imdb_lstm.py [--repeats N] [--quick]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

VARIANTS = {'fit': 32}
TITLES = {'fit': 'IMDB LSTM fit b32'}
IMPLS = ('ours', 'ours-tf', 'jax-loop', 'keras3', 'tfkeras', 'torch', 'torch-fused')
VOCAB, MAXLEN, UNITS = 20000, 80, 128


def data(quick):
    import numpy as np
    n = 32 * (8 if quick else 32)
    rng = np.random.RandomState(0)
    x = rng.randint(1, VOCAB, (n, MAXLEN)).astype('int32')
    y = rng.randint(0, 2, (n, 1)).astype('float32')
    return x, y


def _one_recurrent_mask(keras):
    """The argument that makes a Keras LSTM compute what the other implementations compute:
    one recurrent-dropout mask and one recurrent product per step. Keras 2.2.4's default
    `implementation=1` draws a mask per gate (four products per step); `implementation=2`
    is the one-mask computation, tf_keras' default. Keras 3 has only that one."""
    import inspect
    params = inspect.signature(keras.layers.LSTM.__init__).parameters
    return {'implementation': 2} if 'implementation' in params else {}


def keras_model(keras):
    L = keras.layers
    inp = L.Input(shape=(MAXLEN,), dtype='int32')
    h = L.Embedding(VOCAB, 128)(inp)
    h = L.LSTM(UNITS, dropout=0.2, recurrent_dropout=0.2, recurrent_activation='sigmoid',
               **_one_recurrent_mask(keras))(h)
    model = keras.models.Model(inp, L.Dense(1, activation='sigmoid')(h))
    model.compile(loss='binary_crossentropy', metrics=['accuracy'],
                  optimizer=H.make_optimizer(keras, 'Adam', learning_rate=0.001))
    return model


def jax_run(x, y, bs):
    import numpy as np
    import jax
    import jax.numpy as jnp
    rng = np.random.RandomState(1)
    params = [rng.uniform(-0.05, 0.05, (VOCAB, 128)).astype('float32'),
              H.glorot(rng, (128, 4 * UNITS), 128, 4 * UNITS),
              H.glorot(rng, (UNITS, 4 * UNITS), UNITS, 4 * UNITS),
              np.zeros(4 * UNITS, 'float32'),
              H.glorot(rng, (UNITS, 1), UNITS, 1), np.zeros(1, 'float32')]

    def loss(p, xb, yb, key):
        k1, k2 = jax.random.split(key)
        emb = p[0][xb]                                            # (B, T, 128)
        b = xb.shape[0]
        mx = jax.random.bernoulli(k1, 0.8, (b, 1, 128)) / 0.8
        mh = jax.random.bernoulli(k2, 0.8, (b, UNITS)) / 0.8
        z = jnp.swapaxes((emb * mx) @ p[1] + p[3], 0, 1)        # (T, B, 4U)

        def cell(carry, zt):
            h, c = carry
            g = zt + (h * mh) @ p[2]
            i, f, gg, o = jnp.split(g, 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(gg)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), None
        zeros = jnp.zeros((b, UNITS), 'float32')
        (h, _), _ = jax.lax.scan(cell, (zeros, zeros), z)
        out = jnp.clip(jax.nn.sigmoid(h @ p[4] + p[5]), 1e-7, 1 - 1e-7)
        bce = -jnp.mean(yb * jnp.log(out) + (1 - yb) * jnp.log(1 - out))
        return bce, jnp.mean((out > 0.5) == (yb > 0.5))
    return H.jax_fit(loss, params, H.jax_optimizer('Adam', learning_rate=0.001), x, y, bs)


def torch_net(fused):
    import torch
    nn = torch.nn
    torch.manual_seed(0)

    class LoopLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, 128)
            self.w_x = nn.Linear(128, 4 * UNITS)
            self.w_h = nn.Linear(UNITS, 4 * UNITS, bias=False)
            self.out = nn.Linear(UNITS, 1)

        def forward(self, x):
            e = self.emb(x)
            b = x.shape[0]
            if self.training:
                e = e * (torch.bernoulli(torch.full((b, 1, 128), 0.8)) / 0.8)
                mh = torch.bernoulli(torch.full((b, UNITS), 0.8)) / 0.8
            else:
                mh = None
            z = self.w_x(e)                                       # (B, T, 4U) at once
            h = c = torch.zeros(b, UNITS)
            for t in range(x.shape[1]):
                g = z[:, t] + self.w_h(h if mh is None else h * mh)
                i, f, gg, o = g.chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(gg)
                h = torch.sigmoid(o) * torch.tanh(c)
            return self.out(h)

    class FusedLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, 128)
            self.drop = nn.Dropout(0.2)
            self.lstm = nn.LSTM(128, UNITS, batch_first=True)
            self.out = nn.Linear(UNITS, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(self.drop(self.emb(x)))
            return self.out(h[-1])

    return FusedLSTM() if fused else LoopLSTM()


def worker(variant, impl, quick):
    bs = VARIANTS[variant]
    x, y = data(quick)
    if impl in H.KERAS_IMPLS:
        keras = H.import_keras(impl)
        return H.keras_fit(keras_model(keras), x, y, bs, keras, impl)
    if impl == 'jax-loop':
        return jax_run(x, y, bs)
    if impl in ('torch', 'torch-fused'):
        import torch
        net = torch_net(impl == 'torch-fused')
        opt = torch.optim.Adam(net.parameters(), lr=0.001, eps=1e-7)
        return H.torch_fit(net, torch.nn.functional.binary_cross_entropy_with_logits, opt,
                           x.astype('int64'), y, bs)
    raise ValueError('bench_imdb_lstm: no implementation %r' % (impl,))


if __name__ == '__main__':
    H.main(os.path.abspath(__file__), VARIANTS, lambda v: IMPLS, worker, TITLES, __doc__)
