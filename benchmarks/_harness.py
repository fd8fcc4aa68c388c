"""Shared machinery of the workload benchmarks: subprocess driver, timing, Keras/JAX/PyTorch
runners.

Each workload script (``bench_*.py``) describes one or more *variants* (e.g. MLP fit at
batch 32 and at batch 128) and, for each implementation, how to run it. The driver starts
one fresh subprocess per (variant, implementation, repeat), each in that implementation's
own Python environment, interleaved round-robin over the implementations so that a noisy,
shared machine slows every peer alike. A worker prints one line ``RESULT {json}`` with:

* ``samples_per_s``: steady state, the best of the epochs after the first of one ``fit``
  call of three epochs, or the best of two ``predict`` calls after a first one-batch call;
* ``first_batch_s``: wall time from the start of the first ``fit``/``predict`` call to the
  end of its first batch, compilation included (cold: ours gets an empty compilation cache
  unless ``--warm-cache``);
* ``peak_rss_mb``: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the worker at its end
  (framework import, data and model included).

Implementations (an interpreter that is missing is skipped with a note):

* ``ours``: this tree's ``keras`` on the project venv (``--ours-python``, default
  ``/work/main/.venv/bin/python``, else ``.venv/bin/python``), ``PYTHONPATH`` = the tree;
* ``ours-tf``: the same tree on its TensorFlow backend (``KERAS_BACKEND=tensorflow``), in a
  venv with TensorFlow installed as the README's third command does
  (``/tmp/tf-venv/bin/python``);
* ``keras3``: Keras 3 on JAX, ``/tmp/peer-keras3/bin/python`` (``KERAS_BACKEND=jax``);
* ``tfkeras``: tf_keras on TensorFlow, ``/tmp/peer-tfkeras/bin/python``
  (``TF_USE_LEGACY_KERAS=1``);
* ``torch`` (and ``torch-fused`` where a workload has a fused variant): an idiomatic
  PyTorch loop, ``/tmp/peer-torch/bin/python``;
* ``jax-loop``: the same math written with ``jax.numpy``, one ``jax.jit`` step (parameters
  donated, batch gathered inside) called once per batch, on ours' interpreter: the
  per-batch-loop floor that ``fit`` must not fall behind.

Each peer's interpreter can be overridden with ``--python NAME=PATH``.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = ('keras3', 'tfkeras', 'torch', 'torch-fused')
ORDER = ('ours', 'ours-tf', 'jax-loop', 'keras3', 'tfkeras', 'torch', 'torch-fused')
# the implementations that are a Keras (built from the same model function)
KERAS_IMPLS = ('ours', 'ours-tf', 'keras3', 'tfkeras')
# this tree's keras, on either backend
OURS = ('ours', 'ours-tf')


def default_ours_python():
    for cand in ('/work/main/.venv/bin/python', os.path.join(ROOT, '.venv', 'bin', 'python')):
        if os.path.exists(cand):
            return cand
    return sys.executable


def interpreters(ours_python=None, overrides=()):
    ours = ours_python or default_ours_python()
    py = {'ours': ours, 'jax-loop': ours, 'ours-tf': '/tmp/tf-venv/bin/python',
          'keras3': '/tmp/peer-keras3/bin/python',
          'tfkeras': '/tmp/peer-tfkeras/bin/python',
          'torch': '/tmp/peer-torch/bin/python',
          'torch-fused': '/tmp/peer-torch/bin/python'}
    for item in overrides:
        name, _, path = item.partition('=')
        if name not in py or not path:
            raise SystemExit('--python expects NAME=PATH with NAME in %s, got %r'
                             % (', '.join(ORDER), item))
        py[name] = path
    return py


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.


# ---------------------------------------------------------------------------
# the driver

def _environment(impl, warm_cache, tmpdir):
    env = dict(os.environ)
    env['PYTHONUNBUFFERED'] = '1'
    env['TF_CPP_MIN_LOG_LEVEL'] = '2'
    env.pop('PYTHONPATH', None)
    if impl in ('ours', 'ours-tf', 'jax-loop'):
        env['PYTHONPATH'] = ROOT
        env['KERAS_BACKEND'] = 'tensorflow' if impl == 'ours-tf' else 'jax'
        if not warm_cache:
            env['KERAS_HOME'] = tmpdir       # an empty compilation cache: a cold first batch
    elif impl == 'keras3':
        env['KERAS_BACKEND'] = 'jax'
        env['KERAS_HOME'] = tmpdir
    elif impl == 'tfkeras':
        env['TF_USE_LEGACY_KERAS'] = '1'
    return env


def run_worker(script, variant, impl, python, quick=False, warm_cache=False, timeout=900):
    """One measurement in a fresh process; returns the result dict or {'error': ...}."""
    with tempfile.TemporaryDirectory(prefix='kbench-') as tmp:
        cmd = [python, script, '--worker', impl, '--variant', variant]
        if quick:
            cmd.append('--quick')
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, env=_environment(impl, warm_cache, tmp), cwd=tmp,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {'error': 'timed out after %ds' % timeout}
        wall = time.perf_counter() - t0
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith('RESULT '):
            res = json.loads(line[len('RESULT '):])
            res['process_s'] = wall
            return res
    tail = (proc.stderr.strip().splitlines() or ['exit %d' % proc.returncode])[-1]
    return {'error': tail[:200]}


def drive(script, variants, impls_of, args, log=sys.stderr):
    """Round-robin over implementations, ``args.repeats`` times, for every variant.

    Returns {variant: {impl: [result, ...]}}; skipped implementations get a note.
    """
    pys = interpreters(args.ours_python, args.python)
    results, notes = {}, []
    chosen = set(args.only) if args.only else None
    for variant in variants:
        impls = [i for i in impls_of(variant) if chosen is None or i in chosen]
        runnable = []
        for impl in impls:
            if os.path.exists(pys[impl]):
                runnable.append(impl)
            else:
                notes.append('%s: %s skipped (no interpreter at %s)' % (variant, impl, pys[impl]))
        results[variant] = {impl: [] for impl in runnable}
        for rep in range(args.repeats):
            for impl in runnable:
                res = run_worker(script, variant, impl, pys[impl], args.quick, args.warm_cache)
                results[variant][impl].append(res)
                print('  [%s rep %d] %-11s %s' % (variant, rep + 1, impl, _brief(res)),
                      file=log)
                log.flush()
    return results, notes


def _brief(res):
    if 'error' in res:
        return 'ERROR ' + res['error']
    return '%.1f samples/s, first batch %.2fs, %.0f MB' % (
        res['samples_per_s'], res['first_batch_s'], res['peak_rss_mb'])


def summarise(runs):
    """Median over repeats of each figure (None where every repeat failed)."""
    ok = [r for r in runs if 'error' not in r]
    if not ok:
        return {'error': runs[0].get('error') if runs else 'no run'}
    out = {}
    for key in ('samples_per_s', 'first_batch_s', 'peak_rss_mb'):
        out[key] = float(np.median([r[key] for r in ok]))
    out['repeats'] = len(ok)
    return out


def best_peer(summary):
    """The fastest of Keras 3, tf_keras and PyTorch (any of its variants), or (None, None)."""
    best = (None, None)
    for impl in PEERS:
        s = summary.get(impl)
        if s and 'error' not in s and (best[1] is None or s['samples_per_s'] > best[1]):
            best = (impl, s['samples_per_s'])
    return best


def table(results, titles=None):
    """One row per (variant, implementation): samples/s, ratio to ours, first batch, memory."""
    lines = ['%-30s %-11s %12s %9s %12s %9s' % ('workload', 'impl', 'samples/s', 'ours/x',
                                                 'first batch', 'peak RSS')]
    for variant, per_impl in results.items():
        summary = {impl: summarise(runs) for impl, runs in per_impl.items()}
        ours = summary.get('ours', {}).get('samples_per_s')
        for impl in [i for i in ORDER if i in summary]:
            s = summary[impl]
            name = (titles or {}).get(variant, variant)
            if 'error' in s:
                lines.append('%-30s %-11s %s' % (name, impl, 'ERROR ' + str(s['error'])))
                continue
            ratio = '%.2f' % (ours / s['samples_per_s']) if ours else '-'
            lines.append('%-30s %-11s %12.1f %9s %11.2fs %7.0fMB' % (
                name, impl, s['samples_per_s'], ratio, s['first_batch_s'], s['peak_rss_mb']))
    return '\n'.join(lines)


def add_driver_args(parser):
    parser.add_argument('--repeats', type=int, default=1,
                        help='interleaved rounds over the implementations (median reported)')
    parser.add_argument('--quick', action='store_true', help='fewer batches (a smoke test)')
    parser.add_argument('--only', nargs='+', choices=ORDER, help='run only these implementations')
    parser.add_argument('--ours-python', help='interpreter of the project venv')
    parser.add_argument('--python', action='append', default=[], metavar='NAME=PATH',
                        help='interpreter of one implementation (e.g. keras3=/opt/k3/bin/python)')
    parser.add_argument('--warm-cache', action='store_true',
                        help="keep ours' persistent compilation cache (first batch then warm)")
    parser.add_argument('--json', help='also write the raw results to this file')


def main(script, variants, impls_of, worker, titles=None, description=None):
    """Entry point of a workload script: driver by default, worker with ``--worker``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--variant', choices=list(variants), nargs='?',
                        help='run one variant only (default: all)')
    add_driver_args(parser)
    args = parser.parse_args()
    if args.worker:
        res = worker(args.variant, args.worker, args.quick)
        res['peak_rss_mb'] = peak_rss_mb()
        res['loadavg_1min'] = os.getloadavg()[0]
        print('RESULT ' + json.dumps(res))
        return
    chosen = [args.variant] if args.variant else list(variants)
    results, notes = drive(script, chosen, impls_of, args)
    print(table(results, titles))
    for n in notes:
        print('note: ' + n)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'results': results, 'notes': notes}, f, indent=1)


# ---------------------------------------------------------------------------
# workers: the Keras APIs (ours, Keras 3, tf_keras)

def import_keras(impl):
    """The Keras module of an implementation (ours: this tree's, via PYTHONPATH)."""
    if impl == 'tfkeras':
        import tf_keras as keras
    else:
        import keras
    if impl in OURS:
        assert keras.__file__.startswith(ROOT), keras.__file__
        assert keras.backend.backend() == ('tensorflow' if impl == 'ours-tf' else 'jax')
    return keras


def make_optimizer(keras, name, **kw):
    """Keras 2.2 spells the learning rate ``lr``, Keras 3 and tf_keras ``learning_rate``."""
    cls = getattr(keras.optimizers, name)
    try:
        return cls(**kw)
    except TypeError:
        if 'learning_rate' not in kw:
            raise
        kw['lr'] = kw.pop('learning_rate')
        return cls(**kw)


def _timer_callback(keras, impl):
    """A callback recording the end of the first batch and every epoch's duration.

    Its batch hook reads the clock once (after waiting for the first batch's loss) and is
    declared harmless to each framework, so that none of them changes how it runs the
    batches because of it: ours keeps its dispatch plan (as with its own progress bar),
    Keras 3 keeps dispatching callbacks asynchronously, tf_keras passes its logs as
    tensors without converting them every batch.
    """
    class Timer(keras.callbacks.Callback):
        _chunk_safe = True                  # ours
        _batch_hooks_read_logs_only = True  # ours
        async_safe = True                   # Keras 3
        _supports_tf_logs = True            # tf_keras

        def __init__(self):
            super(Timer, self).__init__()
            self.first = None
            self.epochs = []

        def on_epoch_begin(self, epoch, logs=None):
            self._t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append(time.perf_counter() - self._t)

        def _first(self, batch, logs=None):
            if self.first is None:
                if logs and 'loss' in logs:
                    np.asarray(logs['loss'])
                self.first = time.perf_counter()

    setattr(Timer, 'on_batch_end' if impl in OURS else 'on_train_batch_end', Timer._first)
    return Timer()


def keras_fit(model, x, y, batch_size, keras, impl, epochs=3):
    """One ``fit`` call of ``epochs`` epochs (as a user makes it): the first batch's time
    from the call, and the best of the epochs after the first as the steady state."""
    timer = _timer_callback(keras, impl)
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[timer])
    n = (len(x) // batch_size) * batch_size
    return {'samples_per_s': n / min(timer.epochs[1:]), 'first_batch_s': timer.first - t0,
            'batches': len(x) // batch_size}


# full predict calls timed per process (the best counts): the first calls of a process pay
# for memory its allocator has not yet taken from the system (the Inception module's first
# two calls: 0.9-1.2 s, the next ones 0.40-0.43 s for ours), as the first epoch of a fit does
PREDICT_CALLS = 4


def keras_predict(model, x, batch_size, calls=PREDICT_CALLS):
    """First call on one batch (compilation included), then the best of ``calls`` full calls."""
    t0 = time.perf_counter()
    model.predict(x[:batch_size], batch_size=batch_size, verbose=0)
    first_batch = time.perf_counter() - t0
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        out = model.predict(x, batch_size=batch_size, verbose=0)
        np.asarray(out)
        times.append(time.perf_counter() - t)
    return {'samples_per_s': len(x) / min(times), 'first_batch_s': first_batch,
            'batches': len(x) // batch_size}


# ---------------------------------------------------------------------------
# workers: hand-written JAX (one jitted step per batch)

def jax_optimizer(name, **kw):
    """(init, update) of Keras 2's RMSprop / Adadelta / Adam / SGD update rules in jax.numpy."""
    import jax
    import jax.numpy as jnp
    lr = kw.get('learning_rate', 0.001)
    eps = 1e-7
    tmap = jax.tree_util.tree_map
    if name == 'RMSprop':
        rho = kw.get('rho', 0.9)

        def init(p):
            return tmap(jnp.zeros_like, p)

        def update(p, g, s, it):
            s = tmap(lambda a, gi: rho * a + (1 - rho) * gi * gi, s, g)
            p = tmap(lambda pi, gi, a: pi - lr * gi / (jnp.sqrt(a) + eps), p, g, s)
            return p, s
    elif name == 'Adadelta':
        rho = kw.get('rho', 0.95)

        def init(p):
            return (tmap(jnp.zeros_like, p), tmap(jnp.zeros_like, p))

        def update(p, g, s, it):
            a, d = s
            a = tmap(lambda ai, gi: rho * ai + (1 - rho) * gi * gi, a, g)
            upd = tmap(lambda gi, ai, di: gi * jnp.sqrt(di + eps) / jnp.sqrt(ai + eps), g, a, d)
            p = tmap(lambda pi, u: pi - lr * u, p, upd)
            d = tmap(lambda di, u: rho * di + (1 - rho) * u * u, d, upd)
            return p, (a, d)
    elif name == 'Adam':
        b1, b2 = 0.9, 0.999

        def init(p):
            return (tmap(jnp.zeros_like, p), tmap(jnp.zeros_like, p))

        def update(p, g, s, it):
            m, v = s
            t = it + 1.
            lr_t = lr * jnp.sqrt(1. - b2 ** t) / (1. - b1 ** t)
            m = tmap(lambda mi, gi: b1 * mi + (1 - b1) * gi, m, g)
            v = tmap(lambda vi, gi: b2 * vi + (1 - b2) * gi * gi, v, g)
            p = tmap(lambda pi, mi, vi: pi - lr_t * mi / (jnp.sqrt(vi) + eps), p, m, v)
            return p, (m, v)
    elif name == 'SGD':
        momentum, nesterov = kw.get('momentum', 0.), kw.get('nesterov', False)

        def init(p):
            return tmap(jnp.zeros_like, p)

        def update(p, g, s, it):
            s = tmap(lambda vi, gi: momentum * vi - lr * gi, s, g)
            if nesterov:
                p = tmap(lambda pi, vi, gi: pi + momentum * vi - lr * gi, p, s, g)
            else:
                p = tmap(lambda pi, vi: pi + vi, p, s)
            return p, s
    else:
        raise ValueError('jax_optimizer: unknown name %r' % (name,))
    return init, update


def jax_fit(loss_fn, params, opt, x, y, batch_size, epochs=2):
    """A per-batch loop: one ``jax.jit`` train step per batch, parameters and optimizer state
    donated, the data on the device once and each batch gathered inside the step.

    ``loss_fn(params, xb, yb, key) -> (loss, accuracy)``. The first timed pass is one epoch
    (its first batch compiles), then the best of ``epochs`` epochs.
    """
    import jax
    import jax.numpy as jnp
    init, update = opt

    def _step(p, s, it, key, xd, yd, idx):
        key = jax.random.fold_in(key, it.astype('int32'))
        (loss, acc), g = jax.value_and_grad(loss_fn, has_aux=True)(p, xd[idx], yd[idx], key)
        p, s = update(p, g, s, it)
        return p, s, it + 1, loss, acc

    step = jax.jit(_step, donate_argnums=(0, 1))
    xd, yd = jnp.asarray(x), jnp.asarray(y)
    state = [params, init(params), jnp.zeros((), 'float32')]
    key = jax.random.PRNGKey(0)
    n_batches = len(x) // batch_size
    rng = np.random.RandomState(0)

    def epoch(first_out=None):
        perm = rng.permutation(len(x)).astype('int32')
        logs = []
        t0 = time.perf_counter()
        for b in range(n_batches):
            idx = perm[b * batch_size:(b + 1) * batch_size]
            p, s, it, loss, acc = step(state[0], state[1], state[2], key, xd, yd, idx)
            state[:] = [p, s, it]
            logs.append((loss, acc))
            if first_out is not None and b == 0:
                jax.block_until_ready(loss)
                first_out.append(time.perf_counter() - t0)
        jax.block_until_ready(state[0])
        np.asarray(logs[-1][0])
        return time.perf_counter() - t0

    first = []
    epoch(first)
    times = [epoch() for _ in range(epochs)]
    return {'samples_per_s': n_batches * batch_size / min(times), 'first_batch_s': first[0],
            'batches': n_batches}


def jax_predict(forward, params, x, batch_size, calls=PREDICT_CALLS):
    """One jitted forward per host batch; first call on one batch includes compilation."""
    import jax
    f = jax.jit(forward)
    t0 = time.perf_counter()
    np.asarray(f(params, x[:batch_size]))
    first = time.perf_counter() - t0
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        outs = [f(params, x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
        [np.asarray(o) for o in outs]
        times.append(time.perf_counter() - t)
    return {'samples_per_s': len(x) / min(times), 'first_batch_s': first,
            'batches': len(x) // batch_size}


def glorot(rng, shape, fan_in, fan_out):
    lim = np.sqrt(6. / (fan_in + fan_out))
    return rng.uniform(-lim, lim, shape).astype('float32')


# ---------------------------------------------------------------------------
# workers: PyTorch

def adam_classifier(keras, inputs, outputs):
    """The functional model ``inputs -> outputs`` compiled with Adam (lr 0.001),
    categorical cross-entropy and accuracy."""
    model = keras.models.Model(inputs, outputs)
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'],
                  optimizer=make_optimizer(keras, 'Adam', learning_rate=0.001))
    return model


def image_classification_fit(keras_model, torch_net, x, y, labels, batch_size, impl):
    """`fit` of an image classifier with Adam (lr 0.001): ``keras_model(keras)`` for the Keras
    implementations, ``torch_net()`` (channels first) in a PyTorch loop."""
    if impl in KERAS_IMPLS:
        keras = import_keras(impl)
        return keras_fit(keras_model(keras), x, y, batch_size, keras, impl)
    if impl == 'torch':
        import torch
        net = torch_net()
        opt = torch.optim.Adam(net.parameters(), lr=0.001, eps=1e-7)
        return torch_fit(net, torch.nn.functional.cross_entropy, opt,
                         np.ascontiguousarray(x.transpose(0, 3, 1, 2)),
                         labels.astype('int64'), batch_size)
    raise ValueError('no implementation %r of this workload' % (impl,))


def random_images(n, shape, classes=10):
    """(images in [0, 1), one-hot labels, integer labels), seeded."""
    rng = np.random.RandomState(0)
    x = rng.rand(n, *shape).astype('float32')
    labels = rng.randint(0, classes, n)
    return x, np.eye(classes, dtype='float32')[labels], labels


def torch_fit(net, loss_fn, opt, x, y, batch_size, epochs=2):
    """An idiomatic PyTorch loop: tensors in memory, a shuffled index per epoch, one
    optimizer step per batch; losses kept as tensors and read at the end of the epoch."""
    import torch
    net.train()
    xd, yd = torch.from_numpy(x), torch.from_numpy(y)
    n_batches = len(x) // batch_size

    def epoch(first_out=None):
        perm = torch.randperm(len(x))
        losses = []
        t0 = time.perf_counter()
        for b in range(n_batches):
            ix = perm[b * batch_size:(b + 1) * batch_size]
            out = net(xd[ix])
            loss = loss_fn(out, yd[ix])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.detach())
            if first_out is not None and b == 0:
                float(loss)
                first_out.append(time.perf_counter() - t0)
        torch.stack(losses).numpy()
        return time.perf_counter() - t0

    first = []
    epoch(first)
    times = [epoch() for _ in range(epochs)]
    return {'samples_per_s': n_batches * batch_size / min(times), 'first_batch_s': first[0],
            'batches': n_batches}


def torch_predict(net, x, batch_size, calls=PREDICT_CALLS):
    import torch
    net.eval()
    with torch.no_grad():
        t0 = time.perf_counter()
        net(torch.from_numpy(x[:batch_size])).numpy()
        first = time.perf_counter() - t0
        times = []
        for _ in range(calls):
            t = time.perf_counter()
            for i in range(0, len(x), batch_size):
                net(torch.from_numpy(x[i:i + batch_size])).numpy()
            times.append(time.perf_counter() - t)
    return {'samples_per_s': len(x) / min(times), 'first_batch_s': first,
            'batches': len(x) // batch_size}
