"""The JAX backend's oneDNN convolutions and batch normalization: built once, used where
installed, and XLA's wherever they are not (turned off, a failed build, other dtypes)."""
import os

import numpy as np
import pytest

from keras import backend as K

from python_process import run_python
from test_backend_conv_ops import (conv_path, np_conv, np_conv_grads,  # noqa: F401
                                    onednn_installed, rand)

pytestmark = pytest.mark.backends('jax', reason="oneDNN custom calls of the JAX backend")

needs_onednn = pytest.mark.skipif(not onednn_installed(),
                                  reason='the onednn-cpu-gomp package is not installed here')


def _run(code, **env):
    """Runs `code` in a fresh interpreter with `env` added; returns its stdout and stderr."""
    done = run_python(code, env=dict(env, KERAS_BACKEND='jax'), timeout=600)
    return done.stdout, done.stderr


# checks a conv2d and its gradients against the NumPy loops and prints onednn.status()
CHECK = '''
    import warnings
    warnings.simplefilter('always')
    import numpy as np, jax
    from keras import backend as K
    from keras.backend.jax import onednn
    from tests.backend.test_backend_conv_ops import np_conv, np_conv_grads, rand
    x, k = rand((2, 7, 6, 3)), rand((3, 3, 3, 4), 1)
    g = rand((2, 4, 3, 4), 2)
    y, vjp = jax.vjp(lambda a, b: K.conv2d(a, b, strides=(2, 2), padding='same'), x, k)
    ref_dx, ref_dk = np_conv_grads(x, k, g, (2, 2), 'same', (1, 1))
    np.testing.assert_allclose(y, np_conv(x, k, (2, 2), 'same', (1, 1)), rtol=1e-5, atol=1e-5)
    for got, ref in zip(vjp(g), (ref_dx, ref_dk)):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
    print('STATUS', onednn.status())
'''


def _hlo_of_train_step(dtype='float32'):
    import jax
    x, k = rand((2, 8, 8, 3)).astype(dtype), rand((3, 3, 3, 4), 1).astype(dtype)
    grad = jax.grad(lambda a, b: K.sum(K.conv2d(a, b, padding='same') ** 2), (0, 1))
    return jax.jit(grad).lower(x, k).as_text()


@needs_onednn
def test_float32_convolutions_run_on_onednn():
    """Where oneDNN is installed, a float32 convolution's three passes on the CPU are its
    custom calls, and no XLA convolution is left in the train step."""
    from keras.backend.jax import onednn
    in_use, library = onednn.status()
    assert in_use and os.path.isfile(library), library
    hlo = _hlo_of_train_step()
    assert hlo.count(onednn.TARGET) == 3, hlo
    assert 'convolution' not in hlo.replace(onednn.TARGET, '')


@needs_onednn
def test_a_biased_convolution_adds_its_bias_in_the_forward_pass():
    """A Conv layer's convolution and bias, differentiated: the bias is the third operand
    of oneDNN's forward pass, and the output is not read again to add it."""
    import re
    import jax
    from keras.backend.jax import onednn
    x, k, b = rand((2, 8, 8, 3)), rand((3, 3, 3, 4), 1), rand((4,), 2)
    grad = jax.grad(lambda x, k, b: K.sum(K._biased_convolution(
        x, k, b, (1, 1), 'same', 'channels_last', (1, 1)) ** 2), (0, 1, 2))
    hlo = jax.jit(grad).lower(x, k, b).as_text()
    calls = re.findall(r'custom_call @%s\(([^)]*)\)' % onednn.TARGET, hlo)
    assert sorted(c.count(',') + 1 for c in calls) == [2, 2, 3], calls
    # (the bias's gradient is a reduction that applies stablehlo.add)
    assert not re.findall(r'= stablehlo\.add ', hlo), hlo


@needs_onednn
def test_the_convolution_handler_refuses_a_bias_it_cannot_add():
    """A bias of another length than the output's channels, or a bias on a gradient pass,
    is refused by the handler with what it expected."""
    import jax
    from keras.backend.jax import onednn
    x, k = rand((1, 5, 5, 3)), rand((3, 3, 3, 4), 1)
    args = ((1, 1), ((1, 1), (1, 1)), (1, 1))
    with pytest.raises(Exception, match="a float32 vector of the output's 4 channels; got 1 "
                                        "more operands for pass 0"):
        jax.block_until_ready(onednn.convolution(onednn.FORWARD, x, k, (1, 5, 5, 4), *args,
                                                 bias=rand((5,), 2)))
    with pytest.raises(ValueError, match='a bias is an operand of the forward pass'):
        onednn.convolution(onednn.INPUT_GRAD, rand((1, 5, 5, 4)), k, x.shape, *args,
                           bias=rand((4,), 2))


@pytest.mark.parametrize('dtype', ['float16', 'bfloat16'])
def test_other_dtypes_keep_xla_convolutions(dtype):
    import jax.numpy as jnp
    from keras.backend.jax import onednn
    hlo = _hlo_of_train_step(jnp.dtype(dtype))
    assert onednn.TARGET not in hlo
    assert 'convolution' in hlo


@needs_onednn
def test_a_primitive_run_on_another_thread_than_its_maker_has_its_scratch_memory(tmp_path):
    """A compiled step runs its custom calls on any thread of XLA's pool: oneDNN's own
    scratchpad, a buffer of the thread that made the primitive, overflowed on another
    thread (the kernel gradient's im2col of a 16x16, stride 8 transposed convolution
    crashed the process within a few steps). Every primitive takes its scratch memory
    from the handler now; the trained kernel matches the XLA path's."""
    train = '''
        import numpy as np, keras
        from keras.layers import Input, Conv2DTranspose
        np.random.seed(0)
        x = Input((8, 8, 32))
        layer = Conv2DTranspose(32, (16, 16), strides=(8, 8), use_bias=False,
                                kernel_initializer='ones')
        model = keras.models.Model(x, layer(x))
        model.compile('sgd', 'mse')
        data = np.random.rand(2, 8, 8, 32).astype('f')
        target = np.random.rand(2, 72, 72, 32).astype('f')
        for _ in range(20):
            model.train_on_batch(data, target)
        np.save(%r, layer.get_weights()[0])
    '''
    on, off = str(tmp_path / 'onednn.npy'), str(tmp_path / 'xla.npy')
    _run(train % on)
    _run(train % off, KERAS_ONEDNN='0')
    np.testing.assert_allclose(np.load(on), np.load(off), rtol=1e-4, atol=1e-6)


def test_turned_off_by_the_environment():
    out, _ = _run(CHECK, KERAS_ONEDNN='0')
    assert "STATUS (False, 'turned off by KERAS_ONEDNN=0')" in out, out


@needs_onednn
def test_built_once_into_the_build_directory(tmp_path):
    """The first process compiles the handlers into KERAS_NATIVE_DIR (one whole file, no
    temporary left); the next one loads that file without compiling again."""
    out, _ = _run(CHECK, KERAS_NATIVE_DIR=str(tmp_path))
    built = os.listdir(str(tmp_path))
    assert len(built) == 1 and built[0].startswith('keras_onednn_') and built[0].endswith('.so')
    path = os.path.join(str(tmp_path), built[0])
    assert "STATUS (True, '%s')" % path in out, out
    stamp = os.stat(path).st_mtime_ns
    out, _ = _run(CHECK, KERAS_NATIVE_DIR=str(tmp_path), CXX='/bin/false')
    assert "STATUS (True, '%s')" % path in out, out
    assert os.listdir(str(tmp_path)) == built and os.stat(path).st_mtime_ns == stamp


@needs_onednn
def test_a_failed_build_warns_once_and_keeps_xla(tmp_path):
    """A compiler that fails leaves XLA's convolutions in use (the same results), says why
    in one warning that names every native pass falling back, and leaves no file behind."""
    out, err = _run(CHECK, KERAS_NATIVE_DIR=str(tmp_path), CXX='/bin/false')
    assert "STATUS (False, 'compiling" in out, out
    assert err.count('XLA convolutions instead of oneDNN') == 1, err
    assert err.count('optimizer updates instead of the native handlers (the same results): '
                     'compiling') == 1, err
    assert os.listdir(str(tmp_path)) == []


def test_vmapped_convolution(conv_path):
    """A convolution mapped over a leading axis (each call a custom call on oneDNN) gives
    the convolutions of each slice."""
    import jax
    xs, k = rand((3, 2, 6, 5, 2)), rand((3, 3, 2, 4), 1)
    out = jax.vmap(lambda a: K.conv2d(a, k, padding='same'))(xs)
    for i in range(3):
        np.testing.assert_allclose(out[i], np_conv(xs[i], k, (1, 1), 'same', (1, 1)),
                                   rtol=1e-5, atol=1e-5)
    g = rand(out.shape, 2)
    dk = jax.grad(lambda b: K.sum(jax.vmap(lambda a: K.conv2d(a, b, padding='same'))(xs) * g))(k)
    ref = sum(np_conv_grads(xs[i], k, g[i], (1, 1), 'same', (1, 1))[1] for i in range(3))
    np.testing.assert_allclose(dk, ref, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------ batch normalization
def _np_batch_norm(x, gamma, beta, epsilon, g):
    """NumPy (float64) reference of a training-time batch normalization over axes 0-2:
    (normalized, mean, Bessel-corrected variance) and the gradients of sum(normed * g)
    with respect to x, gamma and beta, through the batch statistics."""
    x, g = x.astype(np.float64), g.astype(np.float64)
    n = x.shape[0] * x.shape[1] * x.shape[2]
    mean = x.mean(axis=(0, 1, 2))
    var = ((x - mean) ** 2).mean(axis=(0, 1, 2))
    inv = 1. / np.sqrt(var + epsilon)
    xhat = (x - mean) * inv
    scale = np.ones_like(mean) if gamma is None else gamma.astype(np.float64)
    normed = xhat * scale + (0. if beta is None else beta)
    dbeta = g.sum(axis=(0, 1, 2))
    dgamma = (g * xhat).sum(axis=(0, 1, 2))
    dx = scale * inv / n * (n * g - dbeta - xhat * dgamma)
    return normed, mean, var * n / (n - 1), dx, dgamma, dbeta


@pytest.fixture(params=['onednn', 'xla'])
def norm_path(request, monkeypatch):
    """Each implementation of the 4D batch normalization in training: oneDNN's (where
    installed: it must be in use) and XLA's reductions."""
    from keras.backend.jax import math_ops
    if request.param == 'xla':
        monkeypatch.setattr(math_ops, '_fused_norm_on_onednn', lambda *a: False)
    elif not onednn_installed():
        pytest.skip('the onednn-cpu-gomp package is not installed in this environment')
    return request.param


@pytest.mark.parametrize('with_params', [True, False])
def test_batch_norm_in_training_values_and_gradients(norm_path, with_params):
    import jax
    import jax.numpy as jnp
    x = (rand((4, 5, 6, 3)) * 3 + 2).astype('float32')
    gamma = (rand((3,), 1) + .5).astype('float32') if with_params else None
    beta = rand((3,), 2).astype('float32') if with_params else None
    g = rand((4, 5, 6, 3), 3).astype('float32')
    epsilon = 1e-3
    normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, [0, 1, 2], epsilon)
    ref = _np_batch_norm(x, gamma, beta, epsilon, g)
    for got, want in zip((normed, mean, var), ref[:3]):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)
    if not with_params:
        dx = jax.grad(lambda a: jnp.sum(K.normalize_batch_in_training(
            a, None, None, [0, 1, 2], epsilon)[0] * g))(x)
        np.testing.assert_allclose(np.asarray(dx), ref[3], rtol=1e-4, atol=1e-5)
        return
    grads = jax.grad(lambda a, b, c: jnp.sum(K.normalize_batch_in_training(
        a, b, c, [0, 1, 2], epsilon)[0] * g), (0, 1, 2))(x, gamma, beta)
    for got, want in zip(grads, ref[3:]):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-5)


@needs_onednn
def test_batch_norm_in_training_runs_on_onednn():
    """A float32 4D batch normalization in a train step takes its statistics from the
    native handlers and its gradient from oneDNN; over other axes, or in float16, it stays
    XLA's."""
    import jax
    import jax.numpy as jnp
    from keras.backend.jax import onednn
    x, gamma, beta = rand((2, 4, 4, 3)), rand((3,), 1), rand((3,), 2)

    def hlo(a, axes=(0, 1, 2)):
        loss = lambda t, b, c: jnp.sum(K.normalize_batch_in_training(t, b, c, list(axes))[0] ** 2)
        return jax.jit(jax.grad(loss, (0, 1, 2))).lower(a, gamma, beta).as_text()
    text = hlo(x)
    assert onednn.BATCH_MOMENTS in text and onednn.NORM_BACKWARD in text
    assert onednn.BATCH_MOMENTS not in hlo(x.astype('float16'))
    assert onednn.BATCH_MOMENTS not in jax.jit(lambda t: K.normalize_batch_in_training(
        t, None, None, [0, 1])[0]).lower(rand((2, 4, 3))).as_text()


@needs_onednn
@pytest.mark.parametrize('shape,offset,spread', [
    ((128, 8, 8, 16), 0., 1.),       # blocks of 16 channels
    ((3, 5, 7, 117), 2., 3.),        # 64 + 32 + 16 + 5 channels
    ((2, 3, 3, 2048), -1., 1.),      # blocks of 64, few positions
    ((7, 1), 0., 1.),                # one channel, rank 2
    ((4, 9, 3), 1e3, 0.1),           # a mean 10^4 standard deviations from zero
])
def test_batch_moments_against_numpy(shape, offset, spread):
    """The native batch statistics (one pass, sums in double precision): each channel's
    mean and biased variance over every other axis, as NumPy computes them in float64."""
    import jax
    from keras.backend.jax import onednn
    x = (rand(shape) * spread + offset).astype('float32')
    mean, variance = jax.jit(onednn.batch_moments)(x)
    axes = tuple(range(x.ndim - 1))
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(np.asarray(mean), x64.mean(axis=axes), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(variance), x64.var(axis=axes), rtol=1e-5, atol=0)


@needs_onednn
def test_batch_moments_refuses_an_empty_input():
    import jax
    from keras.backend.jax import onednn
    with pytest.raises(Exception, match='keras batch moments: the input has no entries'):
        jax.block_until_ready(onednn.batch_moments(np.zeros((0, 3), 'float32')))


@needs_onednn
def test_batch_norm_gradient_of_gradient(monkeypatch):
    """A gradient penalty through the oneDNN batch normalization (its backward pass
    differentiated through the jax.numpy formulation) equals XLA's own second derivative."""
    import jax
    import jax.numpy as jnp
    from keras.backend.jax import math_ops
    x = (rand((3, 4, 5, 2)) * 2 + 1).astype('float32')
    gamma, beta = (rand((2,), 1) + .5).astype('float32'), rand((2,), 2).astype('float32')
    w = jnp.arange(x.size, dtype='float32').reshape(x.shape) / x.size

    def penalty(a, b, c):
        def loss(a, b, c):
            return jnp.sum(jnp.sin(K.normalize_batch_in_training(a, b, c, [0, 1, 2])[0]) * w)
        return sum(jnp.sum(t ** 2) for t in jax.grad(loss, (0, 1, 2))(a, b, c))
    got = jax.grad(penalty, (0, 1, 2))(x, gamma, beta)
    assert math_ops._fused_norm_on_onednn(x, gamma, beta)
    monkeypatch.setattr(math_ops, '_fused_norm_on_onednn', lambda *a: False)
    want = jax.grad(penalty, (0, 1, 2))(x, gamma, beta)
    for a, b in zip(got, want):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-4)


@needs_onednn
@pytest.mark.parametrize('shape', [(1,), (7,), (3, 5), (2, 100003)])
def test_keep_masks_are_jax_bernoulli_bit_for_bit(shape):
    """The native keep mask is `jax.random.bernoulli` of the same `random_streams` key, entry
    for entry, for any stream, probability and size (the largest spans several of the
    handler's blocks of 16K entries and its threads)."""
    import jax
    import jax.numpy as jnp
    from keras.backend.jax import onednn, random_streams
    for stream in (0, 1, 7):
        key = random_streams.stream_key(jnp.asarray([2024, 12345], jnp.uint32), stream)
        for keep in (0.1, 0.5, 0.8, 0.999):
            got = jax.jit(lambda k: onednn.keep_mask(jax.random.key_data(k), keep, shape))(key)
            want = np.asarray(jax.random.bernoulli(key, keep, shape)).astype('float32')
            assert got.dtype == np.float32 and got.shape == shape
            np.testing.assert_array_equal(np.asarray(got), want, err_msg=(stream, keep))


@needs_onednn
def test_dropout_runs_its_mask_natively_with_xlas_results(monkeypatch):
    """A compiled dropout on the CPU draws its mask with the custom call (no Threefry hash
    left in the program) and gives what XLA's hash gives: a model trained with dropout
    ends with the same weights either way."""
    import jax
    from keras.backend.jax import onednn
    from keras.layers import Dense, Dropout
    from keras.models import Sequential
    x = np.random.RandomState(0).rand(3, 40).astype('float32')
    hlo = jax.jit(lambda a: K.dropout(a, 0.3, seed=4)).lower(x).as_text()
    assert onednn.KEEP_MASK in hlo and 'shift_right_logical' not in hlo, hlo

    def trained():
        np.random.seed(3)
        model = Sequential([Dense(16, input_shape=(40,)), Dropout(0.4), Dense(2)])
        model.compile('sgd', 'mse')
        rng = np.random.RandomState(1)
        model.fit(rng.rand(64, 40), rng.rand(64, 2), batch_size=16, epochs=2, verbose=0)
        return model.get_weights()

    native = trained()
    # with 64-bit floats enabled, jax.random.bernoulli draws 64 bits an entry: XLA's hash
    jax.config.update('jax_enable_x64', True)
    try:
        assert onednn.KEEP_MASK not in jax.jit(lambda a: K.dropout(a, 0.3, seed=4)).lower(
            x).as_text()
    finally:
        jax.config.update('jax_enable_x64', False)
    monkeypatch.setattr(onednn, 'available', lambda: False)
    assert onednn.KEEP_MASK not in jax.jit(lambda a: K.dropout(a, 0.3, seed=4)).lower(
        x).as_text()
    for a, b in zip(native, trained()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
