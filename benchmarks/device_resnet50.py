"""ResNet50 inference: `keras.applications.ResNet50` against a hand-written JAX forward.

The Keras model is `ResNet50(weights=None)` (224x224x3 input, 1000 classes). The
baseline is the same network written directly with `jax.lax.conv_general_dilated`,
`lax.reduce_window` and plain `jax.numpy` (inference-mode batch normalisation), jitted
as one function, using the very weights of the Keras model; the script first checks that
both produce the same outputs.

Printed: time to build the model, time of the first `predict` (one batch, includes
compilation), steady-state samples/s of `model.predict` on `steps * batch` samples and
of a `predict_on_batch` loop, the JAX baseline's samples/s, their ratio, peak RSS and,
on an accelerator, peak device memory. The baseline is called once per batch on host
(NumPy) batches, like `predict_on_batch`; `model.predict` on many samples moves them to
the device once and runs its batches with `lax.scan`, so it can beat the baseline.

With `--torch`, torchvision's ResNet50 (the established implementation, full float32,
eval mode, `torch.no_grad`) is timed on the same machine in the same two ways: host
batches one call at a time (like `predict_on_batch`), and batches already on the device
(like `predict`).

    python benchmarks/device_resnet50.py --batch 8 --steps 10 [--torch]
"""
import argparse
import os
import resource
import sys
import time

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import keras  # noqa: E402
from keras import backend as K  # noqa: E402
from keras.models import Model  # noqa: E402
from keras.applications import resnet50  # noqa: E402

BN_EPSILON = 1e-3   # BatchNormalization default, used by every ResNet50 BN layer
STAGES = ((2, 3, (1, 1)), (3, 4, (2, 2)), (4, 6, (2, 2)), (5, 3, (2, 2)))


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.


def peak_device_mb():
    dev = jax.devices()[0]
    if dev.platform == 'cpu':
        return None
    try:
        stats = dev.memory_stats() or {}
    except Exception:  # pragma: no cover - backend without memory statistics
        return None
    peak = stats.get('peak_bytes_in_use')
    return None if peak is None else peak / 2. ** 20


# ---------------------------------------------------------------------------
# hand-written JAX ResNet50 (NHWC activations, HWIO kernels)
# ---------------------------------------------------------------------------
def extract_params(model):
    """{layer name: tuple of arrays} for every weighted layer of the Keras model."""
    return {layer.name: tuple(jnp.asarray(w) for w in layer.get_weights())
            for layer in model.layers if layer.weights}


def _conv(x, p, strides=(1, 1), padding='VALID'):
    kernel, bias = p
    y = lax.conv_general_dilated(x, kernel, window_strides=strides, padding=padding,
                                 dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
    return y + bias


def _bn(x, p):
    gamma, beta, mean, var = p
    scale = gamma * lax.rsqrt(var + BN_EPSILON)
    return x * scale + (beta - mean * scale)


def _block(params, x, stage, block, strides, projection):
    name = '%d%s_branch' % (stage, block)
    y = jax.nn.relu(_bn(_conv(x, params['res' + name + '2a'], strides),
                        params['bn' + name + '2a']))
    y = jax.nn.relu(_bn(_conv(y, params['res' + name + '2b'], padding='SAME'),
                        params['bn' + name + '2b']))
    y = _bn(_conv(y, params['res' + name + '2c']), params['bn' + name + '2c'])
    if projection:
        shortcut = _bn(_conv(x, params['res' + name + '1'], strides), params['bn' + name + '1'])
    else:
        shortcut = x
    return jax.nn.relu(y + shortcut)


def jax_resnet50(params, x):
    """Returns (pooled features, class probabilities)."""
    x = jnp.pad(x, ((0, 0), (3, 3), (3, 3), (0, 0)))
    x = jax.nn.relu(_bn(_conv(x, params['conv1'], (2, 2)), params['bn_conv1']))
    x = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    x = lax.reduce_window(x, -jnp.inf, lax.max, (1, 3, 3, 1), (1, 2, 2, 1), 'VALID')
    for stage, n_blocks, strides in STAGES:
        x = _block(params, x, stage, 'a', strides, projection=True)
        for block in 'bcdef'[:n_blocks - 1]:
            x = _block(params, x, stage, block, (1, 1), projection=False)
    features = jnp.mean(x, axis=(1, 2))
    kernel, bias = params['fc1000']
    return features, jax.nn.softmax(features @ kernel + bias)


# ---------------------------------------------------------------------------
def bench_torch(x_all, bs, steps):
    """(host-batch samples/s, device-resident samples/s) of torchvision's ResNet50."""
    import torch
    import torchvision
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    net = torchvision.models.resnet50().eval().to(dev)
    x_host = torch.from_numpy(np.ascontiguousarray(x_all.transpose(0, 3, 1, 2)))
    x_dev = x_host.to(dev)
    with torch.no_grad():
        for _ in range(2):   # warm-up (cudnn autotuning)
            net(x_host[:bs].to(dev)).cpu()
        t0 = time.perf_counter()
        for i in range(steps):
            torch.softmax(net(x_host[i * bs:(i + 1) * bs].to(dev)), 1).cpu().numpy()
        host_sps = bs * steps / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        outs = [torch.softmax(net(x_dev[i * bs:(i + 1) * bs]), 1) for i in range(steps)]
        torch.cat(outs).cpu().numpy()
        dev_sps = bs * steps / (time.perf_counter() - t0)
    return host_sps, dev_sps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--steps', type=int, default=10,
                        help='batches per timed run')
    parser.add_argument('--torch', action='store_true',
                        help="also time torchvision's ResNet50 (if installed)")
    args = parser.parse_args()
    K.set_image_data_format('channels_last')
    bs, steps = args.batch, args.steps
    rng = np.random.RandomState(0)
    images = rng.randint(0, 256, size=(bs * steps, 224, 224, 3)).astype('float32')
    x_all = resnet50.preprocess_input(images)
    x_one = x_all[:bs]
    print('device: %s (%s), jax %s, keras %s; batch %d, %d steps'
          % (jax.devices()[0].platform, jax.devices()[0].device_kind, jax.__version__,
             keras.__version__, bs, steps))

    # --- Keras ---------------------------------------------------------------
    np.random.seed(0)
    t0 = time.perf_counter()
    model = resnet50.ResNet50(weights=None)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    y_keras = model.predict(x_one, batch_size=bs)
    t_first = time.perf_counter() - t0

    model.predict(x_all, batch_size=bs)            # compiles the multi-batch path
    t0 = time.perf_counter()
    model.predict(x_all, batch_size=bs)
    keras_sps = bs * steps / (time.perf_counter() - t0)

    model.predict_on_batch(x_one)
    t0 = time.perf_counter()
    for i in range(steps):
        model.predict_on_batch(x_all[i * bs:(i + 1) * bs])
    keras_pob_sps = bs * steps / (time.perf_counter() - t0)
    keras_rss, keras_dev = peak_rss_mb(), peak_device_mb()

    # pooled features of the Keras model, for a check that does not depend on the
    # (possibly saturated) softmax of a randomly initialised network
    features_model = Model(model.input, model.get_layer('avg_pool').output)
    f_keras = features_model.predict(x_one, batch_size=bs)

    # --- hand-written JAX ------------------------------------------------------
    params = extract_params(model)
    forward = jax.jit(jax_resnet50)
    t0 = time.perf_counter()
    f_jax, y_jax = (np.asarray(a) for a in forward(params, x_one))
    t_jax_first = time.perf_counter() - t0
    rel = np.abs(f_jax - f_keras).max() / max(np.abs(f_keras).max(), 1e-30)
    prob_diff = np.abs(y_jax - y_keras).max()
    ok = rel < 1e-4 and prob_diff < 1e-4
    print('outputs agree: %s (features: max |value| %.3g, max |diff| / max |value| = %.2e; '
          'probabilities: largest %.3g, max |diff| = %.2e)'
          % (ok, np.abs(f_keras).max(), rel, y_keras.max(), prob_diff))

    t0 = time.perf_counter()
    for i in range(steps):
        np.asarray(forward(params, x_all[i * bs:(i + 1) * bs])[1])
    jax_sps = bs * steps / (time.perf_counter() - t0)

    print('build %.2fs, first predict %.2fs (build + first predict %.2fs); '
          'JAX baseline first call %.2fs'
          % (t_build, t_first, t_build + t_first, t_jax_first))
    print('%-28s %12s %8s' % ('', 'samples/s', 'vs JAX'))
    print('%-28s %12.1f %8.2f' % ('keras predict(%d samples)' % (bs * steps),
                                  keras_sps, keras_sps / jax_sps))
    print('%-28s %12.1f %8.2f' % ('keras predict_on_batch loop', keras_pob_sps,
                                  keras_pob_sps / jax_sps))
    print('%-28s %12.1f %8.2f' % ('hand-written JAX (jit)', jax_sps, 1.0))
    if args.torch:
        try:
            torch_host, torch_dev = bench_torch(x_all, bs, steps)
        except ImportError as e:
            raise SystemExit('--torch needs torch and torchvision: %s' % e)
        print('%-28s %12.1f %8.2f' % ('torch, host batches', torch_host, torch_host / jax_sps))
        print('%-28s %12.1f %8.2f' % ('torch, batches on device', torch_dev, torch_dev / jax_sps))
        print('keras predict / torch on device = %.2f; keras predict_on_batch / torch host '
              'batches = %.2f' % (keras_sps / torch_dev, keras_pob_sps / torch_host))
    line = 'peak RSS: %.0f MB after the Keras runs, %.0f MB at the end' % (
        keras_rss, peak_rss_mb())
    if keras_dev is not None:
        line += '; peak device memory: %.0f MB after the Keras runs, %.0f MB at the end' % (
            keras_dev, peak_device_mb())
    print(line)
    if not ok:
        raise SystemExit('the Keras model and the JAX baseline disagree')


if __name__ == '__main__':
    main()
