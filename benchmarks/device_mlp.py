"""Throughput of `fit` against a hand-written JAX training loop (the floor).

Model: Dense(64, relu, input_dim=100) -> Dense(10, softmax), SGD(lr=0.01, momentum=0.9,
nesterov=True), categorical crossentropy, accuracy; 60,000 random samples.
Prints, per batch size: samples/s of `fit` (steady-state epoch), time to first batch
(from the `fit` call to the first batch's logs, i.e. including compilation), peak RSS,
and the hand-written `jax.jit` + `lax.scan` loop's samples/s with the ratio. With
`--torch`, also the same model trained by an idiomatic PyTorch loop (data on the device,
one optimizer step per batch; the established implementation on the same machine).
"""
import argparse
import resource
import time

import numpy as np
import jax
import jax.numpy as jnp

import keras
from keras.models import Sequential
from keras.layers import Dense
from keras import optimizers
from keras.callbacks import Callback


class _FirstBatchTimer(Callback):
    # reads the clock, never the model: like the built-in loggers it lets fit keep
    # batches in large dispatches and queue the next one before reporting
    _chunk_safe = True
    _batch_hooks_read_logs_only = True

    def __init__(self):
        super(_FirstBatchTimer, self).__init__()
        self.first = None
        self.epoch_times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_batch_end(self, batch, logs=None):
        if self.first is None:
            self.first = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_times.append(time.perf_counter() - self._t)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.


def bench_keras(x, y, batch_size, epochs):
    np.random.seed(0)
    model = Sequential()
    model.add(Dense(units=64, activation='relu', input_dim=100))
    model.add(Dense(units=10, activation='softmax'))
    model.compile(loss='categorical_crossentropy',
                  optimizer=optimizers.SGD(lr=0.01, momentum=0.9, nesterov=True),
                  metrics=['accuracy'])
    timer = _FirstBatchTimer()
    t0 = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer])
    first_batch = timer.first - t0
    steady = min(timer.epoch_times[1:]) if len(timer.epoch_times) > 1 else timer.epoch_times[0]
    return len(x) / steady, first_batch


def bench_jax(x, y, batch_size, epochs):
    """Same model and update rule written directly with jax.jit + lax.scan over batches."""
    key = jax.random.PRNGKey(0)
    k1, k2 = jax.random.split(key)

    def glorot(k, shape):
        lim = np.sqrt(6. / sum(shape))
        return jax.random.uniform(k, shape, minval=-lim, maxval=lim)
    params = [glorot(k1, (100, 64)), jnp.zeros(64), glorot(k2, (64, 10)), jnp.zeros(10)]
    moments = [jnp.zeros_like(p) for p in params]
    lr, mom = 0.01, 0.9

    def loss_fn(p, xb, yb):
        h = jax.nn.relu(xb @ p[0] + p[1])
        out = jax.nn.softmax(h @ p[2] + p[3])
        out = jnp.clip(out, 1e-7, 1 - 1e-7)
        loss = -jnp.mean(jnp.sum(yb * jnp.log(out), -1))
        acc = jnp.mean(jnp.argmax(out, -1) == jnp.argmax(yb, -1))
        return loss, acc

    def step(state, ix):
        p, m = state
        xb, yb = xd[ix], yd[ix]
        (loss, acc), g = jax.value_and_grad(loss_fn, has_aux=True)(p, xb, yb)
        new_m = [mom * mi - lr * gi for mi, gi in zip(m, g)]
        new_p = [pi + mom * vi - lr * gi for pi, vi, gi in zip(p, new_m, g)]
        return (new_p, new_m), jnp.stack([loss, acc])

    @jax.jit
    def epoch_fn(state, idx):
        return jax.lax.scan(step, state, idx)

    xd, yd = jnp.asarray(x), jnp.asarray(y)
    n_batches = len(x) // batch_size
    state = (params, moments)
    times = []
    t0 = time.perf_counter()
    first = None
    for _ in range(epochs):
        ts = time.perf_counter()
        idx = np.random.permutation(len(x))[:n_batches * batch_size].reshape(n_batches, batch_size)
        state, logs = epoch_fn(state, jnp.asarray(idx, 'int32'))
        np.asarray(logs)
        if first is None:
            first = time.perf_counter() - t0
        times.append(time.perf_counter() - ts)
    steady = min(times[1:]) if len(times) > 1 else times[0]
    return n_batches * batch_size / steady, first


def bench_torch(x, y, batch_size, epochs):
    """The same MLP in PyTorch: tensors on the device, a Python loop of optimizer steps."""
    import torch
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(100, 64), torch.nn.ReLU(),
                              torch.nn.Linear(64, 10)).to(dev)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    xd = torch.from_numpy(x).to(dev)
    yd = torch.from_numpy(y.argmax(1)).to(dev)
    n_batches = len(x) // batch_size
    times, first = [], None
    t0 = time.perf_counter()
    for _ in range(epochs):
        ts = time.perf_counter()
        perm = torch.randperm(len(x), device=dev)
        losses, accs = [], []
        for b in range(n_batches):
            ix = perm[b * batch_size:(b + 1) * batch_size]
            logits = net(xd[ix])
            loss = torch.nn.functional.cross_entropy(logits, yd[ix])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.detach())
            accs.append((logits.argmax(1) == yd[ix]).float().mean())
        torch.stack(losses).cpu()
        torch.stack(accs).cpu()
        if first is None:
            first = time.perf_counter() - t0
        times.append(time.perf_counter() - ts)
    steady = min(times[1:]) if len(times) > 1 else times[0]
    return n_batches * batch_size / steady, first


def main():
    parser = argparse.ArgumentParser(description='fit() throughput vs a hand-written JAX loop')
    parser.add_argument('--samples', type=int, default=60000)
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[32, 128])
    parser.add_argument('--torch', action='store_true',
                        help='also time the same model in PyTorch (if installed)')
    args = parser.parse_args()
    rng = np.random.RandomState(0)
    x = rng.rand(args.samples, 100).astype('float32')
    y = np.eye(10, dtype='float32')[rng.randint(0, 10, args.samples)]
    print('device: %s, jax %s, keras %s' % (jax.devices()[0].platform, jax.__version__,
                                           keras.__version__))
    print('%-6s %14s %12s %14s %12s %7s %10s' % ('batch', 'fit samples/s', 'first batch',
                                                 'jax samples/s', 'jax first', 'ratio', 'peak RSS'))
    for bs in args.batch_sizes:
        ks, kfirst = bench_keras(x, y, bs, args.epochs)
        js, jfirst = bench_jax(x, y, bs, args.epochs)
        print('%-6d %14.0f %11.2fs %14.0f %11.2fs %7.2f %8.0fMB'
              % (bs, ks, kfirst, js, jfirst, ks / js, peak_rss_mb()))
        if args.torch:
            try:
                ts_, tfirst = bench_torch(x, y, bs, args.epochs)
            except ImportError as e:
                raise SystemExit('--torch needs torch: %s' % e)
            print('       torch: %.0f samples/s, first epoch %.2fs; fit / torch = %.2f'
                  % (ts_, tfirst, ks / ts_))


if __name__ == '__main__':
    main()
