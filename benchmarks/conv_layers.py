"""Convolution layers one at a time: forward, input gradient and kernel gradient (JAX backend).

The layers are those of the workloads (MNIST CNN, ResNet20, the MobileNet-style network,
ResNet50), channels last, float32. Each pass is `keras.backend.conv2d` (or its gradient,
through the backend's own VJP) under `jax.jit`, so it runs what a Keras train step runs.
Prints milliseconds per call (best of five rounds), GFLOP/s, the compile time of the three
programs and the peak RSS.

Where oneDNN is installed the two gradients are its custom calls (`keras/backend/jax/onednn.py`;
the header line says which) and the forward column is XLA's, as `predict` runs it (a train
step's forward pass is oneDNN's too); `KERAS_ONEDNN=0` times XLA's own gradients instead.

Keras turns jaxlib's YNNPACK convolutions off when it is imported (XLA's own kernels were
faster here); a plain `jax.jit` of a convolution gets YNNPACK. `--jaxlib-default` leaves
them on, to compare: time convolutions in isolation with the same XLA flags as the step
you care about (on 2 cores, 2026-12-05, the kernel gradient of the MNIST CNN's second layer
took 146 ms with YNNPACK and 35 ms with XLA's own kernel, transposes included).

`--tensorflow PYTHON` times the same passes in TensorFlow as well (an interpreter with
TensorFlow installed, e.g. the tf_keras peer's; TensorFlow's CPU convolutions are oneDNN's):
`tf.nn.conv2d` and the two ops its gradient runs, `Conv2DBackpropInput` and
`Conv2DBackpropFilter`, each under `tf.function`. The rounds alternate between the two (each
TensorFlow round is a fresh process), and the table adds TensorFlow's milliseconds and the
ratios TensorFlow ms / ours ms: below 1.0 ours is slower.

    python benchmarks/conv_layers.py [--jaxlib-default] [--layers NAME ...] [--rounds N]
        [--tensorflow PYTHON]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

# name: (input shape NHWC, kernel HWIO, strides, padding)
LAYERS = {
    'mnist_conv1': ((128, 28, 28, 1), (3, 3, 1, 32), 1, 'valid'),
    'mnist_conv2': ((128, 26, 26, 32), (3, 3, 32, 64), 1, 'valid'),
    'resnet20_16': ((128, 32, 32, 16), (3, 3, 16, 16), 1, 'same'),
    'resnet20_32': ((128, 16, 16, 32), (3, 3, 32, 32), 1, 'same'),
    'resnet20_64': ((128, 8, 8, 64), (3, 3, 64, 64), 1, 'same'),
    'resnet20_down': ((128, 32, 32, 16), (3, 3, 16, 32), 2, 'same'),
    'mobilenet_in': ((64, 32, 32, 3), (3, 3, 3, 32), 2, 'same'),
    'resnet50_3x3': ((8, 56, 56, 64), (3, 3, 64, 64), 1, 'same'),
    'resnet50_1x1': ((8, 56, 56, 64), (1, 1, 64, 256), 1, 'valid'),
}


def ms_per_call(fn, args, wait, calls=5):
    """Milliseconds per call of `fn(*args)` over `calls` calls, after one untimed call;
    `wait(out)` blocks until a result is computed."""
    wait(fn(*args))
    t = time.perf_counter()
    for _ in range(calls):
        out = fn(*args)
    wait(out)
    return (time.perf_counter() - t) / calls * 1e3


def tensorflow_worker(names, calls=5):
    """One round in TensorFlow: a JSON line per layer with the three passes' milliseconds
    (the first call of each function, which traces it, is not timed)."""
    import numpy as np
    import tensorflow as tf
    rng = np.random.RandomState(0)
    for name in names:
        xs, ks, stride, padding = LAYERS[name]
        strides, pad = [1, stride, stride, 1], padding.upper()
        x = tf.constant(rng.rand(*xs).astype('float32'))
        k = tf.constant((rng.randn(*ks) * 0.1).astype('float32'))
        fwd = tf.function(lambda x, k: tf.nn.conv2d(x, k, strides, pad))
        g = tf.constant(rng.randn(*fwd(x, k).shape).astype('float32'))
        dx = tf.function(lambda k, g: tf.raw_ops.Conv2DBackpropInput(
            input_sizes=list(xs), filter=k, out_backprop=g, strides=strides, padding=pad))
        dk = tf.function(lambda x, g: tf.raw_ops.Conv2DBackpropFilter(
            input=x, filter_sizes=list(ks), out_backprop=g, strides=strides, padding=pad))
        ms = [ms_per_call(fn, fargs, lambda out: out.numpy(), calls)
              for fn, fargs in ((fwd, (x, k)), (dx, (k, g)), (dk, (x, g)))]
        print(json.dumps({'layer': name, 'ms': ms}), flush=True)


def tensorflow_round(python, names):
    """{layer: [fwd, dx, dk] ms} from one TensorFlow process."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', PYTHONUNBUFFERED='1')
    env.pop('PYTHONPATH', None)
    proc = subprocess.run([python, os.path.abspath(__file__), '--tensorflow-worker',
                           '--layers'] + list(names), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    if proc.returncode:
        raise SystemExit('the TensorFlow round failed (%s, exit %d):\n%s'
                         % (python, proc.returncode, proc.stderr[-2000:]))
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('{')]
    return {r['layer']: r['ms'] for r in rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--jaxlib-default', action='store_true',
                        help="leave jaxlib's YNNPACK convolutions on (Keras turns them off)")
    parser.add_argument('--layers', nargs='+', choices=sorted(LAYERS), default=list(LAYERS))
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--tensorflow', metavar='PYTHON',
                        help='an interpreter with TensorFlow: time the same passes there too')
    parser.add_argument('--tensorflow-worker', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error('--rounds must be at least 1, got %d' % args.rounds)
    if args.tensorflow_worker:
        return tensorflow_worker(args.layers)
    if args.tensorflow and not os.path.exists(args.tensorflow):
        parser.error('--tensorflow: no interpreter at %r' % args.tensorflow)
    if args.jaxlib_default:
        os.environ['KERAS_XLA_CPU_FLAGS'] = '0'
    os.environ['KERAS_BACKEND'] = 'jax'
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import numpy as np
    import keras
    import jax
    K = keras.backend
    from keras.backend.jax import onednn
    print('XLA_FLAGS=%r, jax %s, %s' % (os.environ.get('XLA_FLAGS', ''), jax.__version__,
                                       jax.devices()[0].device_kind))
    in_use, detail = onednn.status()
    print('convolutions: %s' % ('oneDNN (%s)' % detail if in_use else 'XLA (%s)' % detail))
    rng = np.random.RandomState(0)
    programs = {}
    for name in args.layers:
        xs, ks, stride, padding = LAYERS[name]
        x = jax.device_put(rng.rand(*xs).astype('float32'))
        k = jax.device_put((rng.randn(*ks) * 0.1).astype('float32'))

        def conv(x, k, stride=stride, padding=padding):
            return K.conv2d(x, k, strides=(stride, stride), padding=padding,
                            data_format='channels_last')
        fwd = jax.jit(conv)
        y_shape = jax.eval_shape(conv, x, k).shape
        g = jax.device_put(rng.randn(*y_shape).astype('float32'))
        dx = jax.jit(lambda k, g, x=x, conv=conv: jax.vjp(lambda x: conv(x, k), x)[1](g)[0])
        dk = jax.jit(lambda x, g, k=k, conv=conv: jax.vjp(lambda k: conv(x, k), k)[1](g)[0])
        t = time.perf_counter()
        progs = [fwd.lower(x, k).compile(), dx.lower(k, g).compile(), dk.lower(x, g).compile()]
        # multiply-adds of the forward pass; each gradient has as many
        gflop = 2. * np.prod(y_shape) * np.prod(ks[:3]) / 1e9
        programs[name] = (list(zip(progs, ((x, k), (k, g), (x, g)))),
                          time.perf_counter() - t, gflop)
    ours = {name: [float('inf')] * 3 for name in args.layers}
    theirs = {name: [float('inf')] * 3 for name in args.layers}
    for _ in range(args.rounds):
        # the rounds alternate: ours (this process), then TensorFlow (a fresh one)
        for name, (passes, _, _) in programs.items():
            ours[name] = [min(old, ms_per_call(p, a, jax.block_until_ready))
                          for old, (p, a) in zip(ours[name], passes)]
        if args.tensorflow:
            for name, ms in tensorflow_round(args.tensorflow, args.layers).items():
                theirs[name] = [min(old, new) for old, new in zip(theirs[name], ms)]
    if args.tensorflow:
        print('%-14s %8s %8s %8s %8s %8s %8s %7s %7s %7s' % (
            'layer', 'fwd ms', 'dx ms', 'dk ms', 'tf fwd', 'tf dx', 'tf dk', 'fwd x', 'dx x',
            'dk x'))
        for name in args.layers:
            ms, tf_ms = ours[name], theirs[name]
            print('%-14s %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %7.2f %7.2f %7.2f' % (
                (name,) + tuple(ms) + tuple(tf_ms) + tuple(t / m for t, m in zip(tf_ms, ms))))
        print('x: TensorFlow ms / ours ms (below 1.0 ours is slower)')
    else:
        print('%-14s %8s %8s %8s %7s %7s %7s %9s' % ('layer', 'fwd ms', 'dx ms', 'dk ms',
                                                    'fwd GF', 'dx GF', 'dk GF', 'compile s'))
        for name, (_, compile_s, gflop) in programs.items():
            ms = ours[name]
            print('%-14s %8.2f %8.2f %8.2f %7.1f %7.1f %7.1f %9.2f' % (
                (name,) + tuple(ms) + tuple(gflop / (m / 1e3) for m in ms) + (compile_s,)))
    print('peak RSS %.0f MB' % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.))


if __name__ == '__main__':
    main()
