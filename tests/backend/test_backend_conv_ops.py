"""Convolution, pooling and locally-connected ops against NumPy loop references."""
import itertools

import numpy as np
import pytest

from keras import backend as K
from keras.backend import execution as X

RTOL, ATOL = 1e-5, 1e-5


def rng(seed=0):
    return np.random.RandomState(seed)


def rand(shape, seed=0):
    return rng(seed).uniform(-1, 1, size=shape).astype('float32')


def _same_pads(in_size, eff, s):
    out = -(-in_size // s)
    total = max((out - 1) * s + eff - in_size, 0)
    return out, total // 2, total - total // 2


def np_conv(x, k, strides, padding, dilation):
    """Channels-last N-D convolution by explicit loops; k is ks + (in, out)."""
    rank = x.ndim - 2
    ks = k.shape[:rank]
    eff = [(ks[i] - 1) * dilation[i] + 1 for i in range(rank)]
    pads, outs = [(0, 0)], []
    for i in range(rank):
        if padding == 'same':
            out, lo, hi = _same_pads(x.shape[1 + i], eff[i], strides[i])
        else:
            out, lo, hi = (x.shape[1 + i] - eff[i]) // strides[i] + 1, 0, 0
        pads.append((lo, hi))
        outs.append(out)
    xp = np.pad(x.astype(np.float64), pads + [(0, 0)])
    y = np.zeros((x.shape[0],) + tuple(outs) + (k.shape[-1],))
    for pos in np.ndindex(*outs):
        sl = tuple(slice(pos[i] * strides[i], pos[i] * strides[i] + eff[i], dilation[i])
                   for i in range(rank))
        patch = xp[(slice(None),) + sl + (slice(None),)]
        y[(slice(None),) + pos] = np.tensordot(patch, k, axes=(list(range(1, rank + 2)),
                                                               list(range(rank + 1))))
    return y


def np_conv_transpose(x, k, out_spatial, strides, padding, dilation):
    """Scatter definition of the transposed convolution; k is ks + (out, in)."""
    rank = x.ndim - 2
    ks = k.shape[:rank]
    eff = [(ks[i] - 1) * dilation[i] + 1 for i in range(rank)]
    before = []
    for i in range(rank):
        if padding == 'same':
            before.append(_same_pads(out_spatial[i], eff[i], strides[i])[1])
        else:
            before.append(0)
    y = np.zeros((x.shape[0],) + tuple(out_spatial) + (k.shape[-2],))
    for p in np.ndindex(*x.shape[1:-1]):
        for q in np.ndindex(*ks):
            o = tuple(p[i] * strides[i] + q[i] * dilation[i] - before[i] for i in range(rank))
            if all(0 <= o[i] < out_spatial[i] for i in range(rank)):
                y[(slice(None),) + o] += x[(slice(None),) + p] @ k[q].T
    return y


def to_cf(a):
    return np.moveaxis(a, -1, 1)


def in_format(data_format, *arrays):
    """Channels-last `arrays` laid out in `data_format`."""
    if data_format == 'channels_first':
        return tuple(to_cf(a) for a in arrays)
    return arrays


@pytest.fixture(params=['onednn', 'xla'])
def conv_path(request, monkeypatch):
    """Runs a test on each implementation of the JAX backend's float32 convolutions on the
    CPU: oneDNN's custom calls (where the package is installed, they must be in use) and
    XLA's convolutions (what other devices, other dtypes and KERAS_ONEDNN=0 get). Other
    backends run it once."""
    if K.backend() != 'jax':
        if request.param == 'onednn':
            pytest.skip('oneDNN custom calls are the JAX backend\'s')
        return request.param
    from keras.backend.jax import conv_ops, onednn
    if request.param == 'xla':
        monkeypatch.setattr(conv_ops, '_on_onednn', lambda x: False)
    elif not onednn_installed():
        pytest.skip('the onednn-cpu-gomp package is not installed in this environment')
    else:
        assert onednn.available(), onednn.status()
    return request.param


def onednn_installed():
    """Whether oneDNN is there to be used: its packages, a C++ compiler, Linux and the
    CPU as JAX's device (then `onednn.available()` must be true)."""
    import shutil
    import sys
    from importlib import metadata
    import jax
    try:
        metadata.distribution('onednn-cpu-gomp')
        metadata.distribution('onednn-devel-cpu-gomp')
    except metadata.PackageNotFoundError:
        return False
    return (sys.platform.startswith('linux') and jax.default_backend() == 'cpu'
            and bool(shutil.which('g++') or shutil.which('c++')))


@pytest.fixture
def xla_convolutions(monkeypatch):
    """The JAX backend's XLA convolutions, whether or not oneDNN is there."""
    if K.backend() == 'jax':
        from keras.backend.jax import conv_ops
        monkeypatch.setattr(conv_ops, '_on_onednn', lambda x: False)


@pytest.mark.parametrize('padding,strides,dilation', [
    ('valid', 1, 1), ('same', 1, 1), ('same', 2, 1), ('valid', 2, 1), ('same', 1, 2),
    ('valid', 1, 3)])
def test_conv1d(padding, strides, dilation, conv_path):
    x, k = rand((2, 9, 3)), rand((3, 3, 4), 1)
    out = K.conv1d(x, k, strides=strides, padding=padding, dilation_rate=dilation)
    np.testing.assert_allclose(out, np_conv(x, k, (strides,), padding, (dilation,)),
                               rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('dilation', [1, 2])
def test_conv1d_causal(dilation, conv_path):
    x, k = rand((2, 7, 2)), rand((3, 2, 3), 1)
    out = K.conv1d(x, k, padding='causal', dilation_rate=dilation)
    xp = np.pad(x, [(0, 0), (dilation * 2, 0), (0, 0)])
    ref = np_conv(xp, k, (1,), 'valid', (dilation,))
    assert out.shape == (2, 7, 3)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)
    # output t depends only on inputs <= t
    x2 = x.copy()
    x2[:, 5:] += 1.
    out2 = K.conv1d(x2, k, padding='causal', dilation_rate=dilation)
    np.testing.assert_allclose(np.asarray(out2)[:, :5], np.asarray(out)[:, :5], rtol=1e-6)
    # channels_first causal pads the time axis
    out_cf = K.conv1d(to_cf(x), k, padding='causal', dilation_rate=dilation,
                      data_format='channels_first')
    np.testing.assert_allclose(out_cf, to_cf(ref), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('padding,strides,dilation,data_format', [
    ('valid', (1, 1), (1, 1), 'channels_last'),
    ('same', (1, 1), (1, 1), 'channels_last'),
    ('same', (2, 2), (1, 1), 'channels_last'),
    ('valid', (1, 2), (1, 1), 'channels_last'),
    ('same', (1, 1), (2, 2), 'channels_last'),
    ('same', (2, 1), (1, 1), 'channels_first'),
    ('valid', (1, 1), (2, 1), 'channels_first')])
def test_conv2d(padding, strides, dilation, data_format, conv_path):
    x, k = rand((2, 7, 6, 3)), rand((3, 2, 3, 4), 1)
    ref = np_conv(x, k, strides, padding, dilation)
    x, ref = in_format(data_format, x, ref)
    out = K.conv2d(x, k, strides=strides, padding=padding, data_format=data_format,
                   dilation_rate=dilation)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


def test_conv2d_uses_image_data_format_default():
    x, k = rand((1, 5, 5, 2)), rand((3, 3, 2, 2), 1)
    old = K.image_data_format()
    try:
        K.set_image_data_format('channels_first')
        out = K.conv2d(to_cf(x), k)
    finally:
        K.set_image_data_format(old)
    np.testing.assert_allclose(out, to_cf(np_conv(x, k, (1, 1), 'valid', (1, 1))),
                               rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('padding,strides,dilation,data_format', [
    ('valid', (1, 1, 1), (1, 1, 1), 'channels_last'),
    ('same', (2, 1, 2), (1, 1, 1), 'channels_last'),
    ('same', (1, 1, 1), (2, 2, 1), 'channels_last'),
    ('valid', (1, 2, 1), (1, 1, 1), 'channels_first')])
def test_conv3d(padding, strides, dilation, data_format, conv_path):
    x, k = rand((1, 5, 6, 4, 2)), rand((2, 3, 2, 2, 3), 1)
    ref = np_conv(x, k, strides, padding, dilation)
    x, ref = in_format(data_format, x, ref)
    out = K.conv3d(x, k, strides=strides, padding=padding, data_format=data_format,
                   dilation_rate=dilation)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('in_sp,out_sp,strides,padding,dilation,data_format', [
    ((4, 5), (9, 11), (2, 2), 'valid', (1, 1), 'channels_last'),
    ((4, 5), (8, 10), (2, 2), 'same', (1, 1), 'channels_last'),
    ((4, 5), (10, 11), (2, 2), 'valid', (1, 1), 'channels_last'),  # output padding
    ((4, 5), (7, 9), (2, 2), 'same', (1, 1), 'channels_last'),
    ((4, 5), (8, 9), (1, 1), 'valid', (2, 2), 'channels_last'),
    ((4, 3), (8, 6), (2, 2), 'same', (1, 1), 'channels_first')])
def test_conv2d_transpose(in_sp, out_sp, strides, padding, dilation, data_format, conv_path):
    x, k = rand((2,) + in_sp + (3,)), rand((3, 3, 2, 3), 1)
    ref = np_conv_transpose(x, k, out_sp, strides, padding, dilation)
    x, ref = in_format(data_format, x, ref)
    output_shape = (None,) + ref.shape[1:]
    out = K.conv2d_transpose(x, k, output_shape, strides=strides, padding=padding,
                             data_format=data_format, dilation_rate=dilation)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('in_sp,out_sp,strides,padding', [
    ((2, 3, 3), (5, 7, 6), (2, 2, 2), 'valid'),
    ((3, 2, 2), (5, 3, 3), (2, 2, 2), 'same')])
def test_conv3d_transpose(in_sp, out_sp, strides, padding, conv_path):
    x, k = rand((1,) + in_sp + (2,)), rand((2, 3, 2, 3, 2), 1)
    ref = np_conv_transpose(x, k, out_sp, strides, padding, (1, 1, 1))
    out = K.conv3d_transpose(x, k, (1,) + out_sp + (3,), strides=strides, padding=padding)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


def test_conv_transpose_is_adjoint_of_conv(conv_path):
    # <conv(z), x> == <z, conv_transpose(x)> for any z, x
    z, x, k = rand((2, 7, 8, 2)), rand((2, 4, 4, 3), 1), rand((3, 3, 2, 3), 2)
    fwd = np.asarray(K.conv2d(z, k, strides=(2, 2), padding='same'))
    bwd = np.asarray(K.conv2d_transpose(x, k, (2, 7, 8, 2), strides=(2, 2), padding='same'))
    np.testing.assert_allclose(np.sum(fwd * x), np.sum(z * bwd), rtol=1e-4)


@pytest.mark.backends('jax', reason="jax.vjp of the JAX backend's transposed convolution")
@pytest.mark.parametrize('in_sp,out_sp,strides,padding,data_format', [
    ((4, 5), (9, 11), (2, 2), 'valid', 'channels_last'),
    ((4, 5), (10, 11), (2, 2), 'valid', 'channels_last'),  # output padding
    ((4, 3), (8, 6), (2, 2), 'same', 'channels_first')])
def test_conv2d_transpose_gradients(in_sp, out_sp, strides, padding, data_format, conv_path):
    """The transposed convolution's input gradient is the convolution of the output
    gradient, its kernel gradient that convolution's kernel gradient against the input
    (both against the NumPy loops)."""
    import jax
    x, k = rand((2,) + in_sp + (3,)), rand((3, 3, 2, 3), 1)
    g = rand((2,) + out_sp + (2,), 2)
    ref_dx = np_conv(g, k, strides, padding, (1, 1))
    ref_dk = np_conv_grads(g, k, x, strides, padding, (1, 1))[1]
    xf, gf, ref_dx = in_format(data_format, x, g, ref_dx)

    def f(a, b):
        return K.conv2d_transpose(a, b, gf.shape, strides=strides, padding=padding,
                                  data_format=data_format)
    dx, dk = jax.vjp(f, xf, k)[1](gf)
    np.testing.assert_allclose(dx, ref_dx, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dk, ref_dk, rtol=RTOL, atol=ATOL)


def np_depthwise(x, dk, strides, padding, dilation):
    in_ch, mult = dk.shape[-2:]
    outs = []
    for c in range(in_ch):
        outs.append(np_conv(x[..., c:c + 1], dk[..., c:c + 1, :], strides, padding, dilation))
    return np.concatenate(outs, axis=-1)  # channel index c * mult + m


@pytest.mark.parametrize('padding,strides,dilation,data_format', [
    ('valid', (1, 1), (1, 1), 'channels_last'),
    ('same', (2, 2), (1, 1), 'channels_last'),
    ('same', (1, 1), (2, 2), 'channels_last'),
    ('valid', (1, 1), (1, 1), 'channels_first')])
def test_depthwise_conv2d(padding, strides, dilation, data_format, conv_path):
    x, dk = rand((2, 6, 7, 3)), rand((3, 3, 3, 2), 1)
    ref = np_depthwise(x, dk, strides, padding, dilation)
    x, ref = in_format(data_format, x, ref)
    out = K.depthwise_conv2d(x, dk, strides=strides, padding=padding, data_format=data_format,
                             dilation_rate=dilation)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('padding,strides,dilation,data_format', [
    ('valid', (2, 2), (1, 1), 'channels_last'),
    ('same', (1, 1), (2, 2), 'channels_last'),
    ('same', (1, 1), (1, 1), 'channels_first')])
def test_separable_conv2d(padding, strides, dilation, data_format, conv_path):
    x, dk, pk = rand((2, 7, 7, 3)), rand((3, 3, 3, 2), 1), rand((1, 1, 6, 4), 2)
    ref = np_conv(np_depthwise(x, dk, strides, padding, dilation), pk, (1, 1), 'valid',
                  (1, 1))
    x, ref = in_format(data_format, x, ref)
    out = K.separable_conv2d(x, dk, pk, strides=strides, padding=padding,
                             data_format=data_format, dilation_rate=dilation)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('padding,strides', [('same', 1), ('valid', 2)])
def test_separable_conv1d(padding, strides, conv_path):
    x, dk, pk = rand((2, 10, 2)), rand((3, 2, 2), 1), rand((1, 4, 3), 2)
    ref = np_conv(np_depthwise(x, dk, (strides,), padding, (1,)), pk, (1,), 'valid', (1,))
    out = K.separable_conv1d(x, dk, pk, strides=strides, padding=padding)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


def np_pool(x, pool, strides, padding, mode):
    """Channels-last pooling over the real (non-padding) elements of each window."""
    rank = x.ndim - 2
    outs, starts = [], []
    for i in range(rank):
        n = x.shape[1 + i]
        if padding == 'same':
            out, lo, _ = _same_pads(n, pool[i], strides[i])
        else:
            out, lo = (n - pool[i]) // strides[i] + 1, 0
        outs.append(out)
        starts.append([o * strides[i] - lo for o in range(out)])
    y = np.zeros((x.shape[0],) + tuple(outs) + (x.shape[-1],))
    for pos in np.ndindex(*outs):
        sl = tuple(slice(max(starts[i][pos[i]], 0), starts[i][pos[i]] + pool[i])
                   for i in range(rank))
        win = x[(slice(None),) + sl + (slice(None),)]
        axes = tuple(range(1, rank + 1))
        y[(slice(None),) + pos] = win.max(axis=axes) if mode == 'max' else win.mean(axis=axes)
    return y


@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('pool,strides,padding,data_format', [
    ((2, 2), (2, 2), 'valid', 'channels_last'),
    ((3, 3), (2, 2), 'same', 'channels_last'),
    ((2, 3), (1, 1), 'same', 'channels_last'),
    ((3, 2), (2, 1), 'valid', 'channels_first'),
    ((3, 3), (2, 2), 'same', 'channels_first')])
def test_pool2d(mode, pool, strides, padding, data_format):
    x = rand((2, 7, 6, 3)) - 2.  # all negative: zero padding would leak into max
    ref = np_pool(x, pool, strides, padding, mode)
    x, ref = in_format(data_format, x, ref)
    out = K.pool2d(x, pool, strides=strides, padding=padding, data_format=data_format,
                   pool_mode=mode)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('pool,strides,padding', [
    ((2, 2, 2), (2, 2, 2), 'valid'), ((3, 2, 3), (2, 1, 2), 'same')])
def test_pool3d(mode, pool, strides, padding):
    x = rand((1, 5, 4, 5, 2)) - 2.
    ref = np_pool(x, pool, strides, padding, mode)
    out = K.pool3d(x, pool, strides=strides, padding=padding, pool_mode=mode)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)
    out_cf = K.pool3d(to_cf(x), pool, strides=strides, padding=padding, pool_mode=mode,
                      data_format='channels_first')
    np.testing.assert_allclose(out_cf, to_cf(ref), rtol=RTOL, atol=ATOL)


def test_local_conv1d():
    x = rand((2, 7, 3))
    ks, s = 3, 2
    out_len = (7 - ks) // s + 1
    kernel = rand((out_len, ks * 3, 4), 1)
    ref = np.zeros((2, out_len, 4))
    for o in range(out_len):
        patch = x[:, o * s:o * s + ks, :].reshape(2, -1)  # (position, channel) order
        ref[:, o] = patch @ kernel[o]
    out = K.local_conv1d(x, kernel, (ks,), (s,))
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_local_conv2d(data_format):
    x = rand((2, 6, 5, 3))
    ks, st = (3, 2), (1, 2)
    orow, ocol = (6 - 3) // 1 + 1, (5 - 2) // 2 + 1
    kernel = rand((orow * ocol, 3 * 2 * 3, 4), 1)
    ref = np.zeros((2, orow, ocol, 4))
    for i, j in itertools.product(range(orow), range(ocol)):
        patch = x[:, i * st[0]:i * st[0] + ks[0], j * st[1]:j * st[1] + ks[1], :]
        if data_format == 'channels_first':
            patch = np.moveaxis(patch, -1, 1)  # flattened in (channel, row, col) order
        ref[:, i, j] = patch.reshape(2, -1) @ kernel[i * ocol + j]
    xin = to_cf(x) if data_format == 'channels_first' else x
    out = K.local_conv2d(xin, kernel, ks, st, (orow, ocol), data_format=data_format)
    if data_format == 'channels_first':
        ref = to_cf(ref)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


def test_conv_ops_under_jit_and_grad():
    from keras.backend import execution as X
    x, k = rand((1, 5, 5, 2)), rand((3, 3, 2, 2), 1)
    f = X.jit(lambda a, b: K.conv2d(a, b, padding='same'))
    np.testing.assert_allclose(f(x, k), np_conv(x, k, (1, 1), 'same', (1, 1)),
                               rtol=RTOL, atol=ATOL)
    g = X.grad(lambda a: K.sum(K.pool2d(a, (2, 2), (2, 2), 'same', pool_mode='max')))(x)
    # each window contributes exactly one 1 to the gradient per channel
    assert np.asarray(g).sum() == pytest.approx(9 * 2)
    gt = X.grad(lambda b: K.sum(K.conv2d_transpose(x, b, (1, 10, 10, 2), (2, 2),
                                                     'same')))(k)
    assert np.all(np.isfinite(np.asarray(gt)))


# ------------------------------------------------------------ gradients
def np_conv_grads(x, k, g, strides, padding, dilation):
    """Gradients of sum(conv(x, k) * g) w.r.t. x and k (channels last), by the loops of
    `np_conv`: each output position adds its patch times g to the kernel gradient and g
    times the kernel to the input gradient of its patch."""
    rank = x.ndim - 2
    ks = k.shape[:rank]
    eff = [(ks[i] - 1) * dilation[i] + 1 for i in range(rank)]
    pads = [(0, 0)]
    for i in range(rank):
        lo, hi = (_same_pads(x.shape[1 + i], eff[i], strides[i])[1:] if padding == 'same'
                  else (0, 0))
        pads.append((lo, hi))
    xp = np.pad(x.astype(np.float64), pads + [(0, 0)])
    dxp, dk = np.zeros_like(xp), np.zeros(k.shape)
    for pos in np.ndindex(*g.shape[1:-1]):
        sl = (slice(None),) + tuple(
            slice(pos[i] * strides[i], pos[i] * strides[i] + eff[i], dilation[i])
            for i in range(rank)) + (slice(None),)
        gp = g[(slice(None),) + pos].astype(np.float64)
        dk += np.tensordot(xp[sl], gp, axes=([0], [0]))
        dxp[sl] += np.tensordot(gp, k.astype(np.float64), axes=([1], [rank + 1]))
    inner = (slice(None),) + tuple(slice(lo, lo + n) for (lo, _), n in
                                   zip(pads[1:], x.shape[1:-1])) + (slice(None),)
    return dxp[inner], dk


CONV = {1: K.conv1d, 2: K.conv2d, 3: K.conv3d}


GRADIENT_CASES = [
    ((2, 9, 3), (3, 3, 4), (1,), 'valid', (1,), 'channels_last'),
    ((2, 10, 3), (4, 3, 2), (3,), 'same', (1,), 'channels_first'),
    ((2, 11, 2), (3, 2, 3), (1,), 'same', (3,), 'channels_last'),
    ((2, 7, 6, 3), (3, 2, 3, 4), (1, 1), 'valid', (1, 1), 'channels_last'),
    ((2, 7, 6, 3), (3, 3, 3, 4), (2, 2), 'same', (1, 1), 'channels_last'),
    ((2, 8, 7, 3), (3, 3, 3, 4), (2, 3), 'valid', (1, 1), 'channels_first'),
    ((2, 9, 8, 2), (3, 2, 2, 3), (1, 1), 'same', (2, 3), 'channels_last'),
    ((2, 6, 6, 3), (1, 1, 3, 4), (2, 2), 'valid', (1, 1), 'channels_first'),
    ((1, 5, 6, 4, 2), (3, 2, 2, 2, 3), (2, 1, 2), 'same', (1, 1, 1), 'channels_last'),
    ((1, 6, 5, 5, 2), (2, 2, 3, 2, 3), (1, 2, 1), 'valid', (2, 1, 1), 'channels_first'),
    # 1x1 kernels (their kernel gradient is one product): strides that do not divide
    ((2, 10, 3), (1, 3, 2), (3,), 'valid', (1,), 'channels_last'),
    ((2, 7, 5, 3), (1, 1, 3, 4), (2, 3), 'same', (1, 1), 'channels_last'),
    ((2, 7, 5, 3), (1, 1, 3, 4), (1, 1), 'valid', (1, 1), 'channels_last'),
    ((1, 5, 4, 3, 2), (1, 1, 1, 2, 3), (2, 1, 2), 'same', (1, 1, 1), 'channels_first'),
]


@pytest.mark.parametrize('x_shape,k_shape,strides,padding,dilation,data_format',
                         GRADIENT_CASES)
def test_conv_gradients(x_shape, k_shape, strides, padding, dilation, data_format,
                        conv_path):
    """Input and kernel gradients of every padding, stride (dividing the input or not),
    dilation, rank and data format, against the NumPy loops."""
    rank = len(x_shape) - 2
    x, k = rand(x_shape), rand(k_shape, 1)
    out_shape = np_conv(x, k, strides, padding, dilation).shape
    g = rand(out_shape, 2)
    ref_dx, ref_dk = np_conv_grads(x, k, g, strides, padding, dilation)
    xf, gf, ref_dx = in_format(data_format, x, g, ref_dx)

    def loss(a, b):
        y = CONV[rank](a, b, strides=strides if rank > 1 else strides[0], padding=padding,
                       data_format=data_format,
                       dilation_rate=dilation if rank > 1 else dilation[0])
        return K.sum(y * gf)
    dx = X.grad(lambda a: loss(a, k))(xf)
    dk = X.grad(lambda b: loss(xf, b))(k)
    np.testing.assert_allclose(dx, ref_dx, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dk, ref_dk, rtol=RTOL, atol=ATOL)


@pytest.mark.backends('jax', reason="jax.vjp of the JAX backend's convolutions")
@pytest.mark.parametrize('x_shape,k_shape,strides,padding,dilation,data_format',
                         GRADIENT_CASES)
def test_differentiated_convolution_forward(x_shape, k_shape, strides, padding, dilation,
                                            data_format, conv_path):
    """A differentiated convolution's forward pass (oneDNN's in a train step, where it
    runs; XLA's otherwise) against the NumPy loops."""
    import jax
    rank = len(x_shape) - 2
    x, k = rand(x_shape), rand(k_shape, 1)
    ref = in_format(data_format, np_conv(x, k, strides, padding, dilation))[0]
    xf = in_format(data_format, x)[0]
    y, _ = jax.vjp(lambda a, b: CONV[rank](
        a, b, strides=strides if rank > 1 else strides[0], padding=padding,
        data_format=data_format, dilation_rate=dilation if rank > 1 else dilation[0]), xf, k)
    np.testing.assert_allclose(y, ref, rtol=RTOL, atol=ATOL)


def biased_conv_fn(rank, strides, padding, dilation, data_format):
    """`K._biased_convolution` with a rank's strides and dilation (integers for 1D)."""
    def fn(x, kernel, bias):
        return K._biased_convolution(x, kernel, bias, strides if rank > 1 else strides[0],
                                     padding, data_format,
                                     dilation if rank > 1 else dilation[0])
    return fn


@pytest.mark.backends('jax', reason="the JAX backend's convolution and bias as one op")
@pytest.mark.parametrize('x_shape,k_shape,strides,padding,dilation,data_format',
                         GRADIENT_CASES)
def test_biased_convolution(x_shape, k_shape, strides, padding, dilation, data_format,
                            conv_path):
    """A Conv layer's convolution and bias (`K._biased_convolution`): not differentiated,
    differentiated (oneDNN adding the bias in its forward pass, where it runs), and the
    gradients of the input, kernel and bias, against the NumPy loops."""
    import jax
    rank = len(x_shape) - 2
    x, k, b = rand(x_shape), rand(k_shape, 1), rand(k_shape[-1:], 3)
    y_ref = np_conv(x, k, strides, padding, dilation) + b
    g = rand(y_ref.shape, 2)
    ref_dx, ref_dk = np_conv_grads(x, k, g, strides, padding, dilation)
    ref_db = g.astype(np.float64).sum(axis=tuple(range(g.ndim - 1)))
    xf, gf, y_ref, ref_dx = in_format(data_format, x, g, y_ref, ref_dx)
    fn = biased_conv_fn(rank, strides, padding, dilation, data_format)
    np.testing.assert_allclose(fn(xf, k, b), y_ref, rtol=RTOL, atol=ATOL)
    y, vjp = jax.vjp(fn, xf, k, b)
    np.testing.assert_allclose(y, y_ref, rtol=RTOL, atol=ATOL)
    for got, ref in zip(vjp(gf), (ref_dx, ref_dk, ref_db)):
        np.testing.assert_allclose(got, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.backends('jax', reason="the JAX backend's convolution and bias as one op")
@pytest.mark.parametrize('dilation', [1, 2])
def test_biased_convolution_causal(dilation, conv_path):
    """'causal' 1D: the input padded on the left only, then a 'valid' convolution."""
    import jax
    x, k, b = rand((2, 9, 3)), rand((3, 3, 4), 1), rand((4,), 3)
    padded = np.pad(x, ((0, 0), (2 * dilation, 0), (0, 0)))
    fn = biased_conv_fn(1, (1,), 'causal', (dilation,), 'channels_last')
    y, vjp = jax.vjp(fn, x, k, b)
    np.testing.assert_allclose(y, np_conv(padded, k, (1,), 'valid', (dilation,)) + b,
                               rtol=RTOL, atol=ATOL)
    g = rand(y.shape, 2)
    dpadded, ref_dk = np_conv_grads(padded, k, g, (1,), 'valid', (dilation,))
    for got, ref in zip(vjp(g), (dpadded[:, 2 * dilation:], ref_dk, g.sum(axis=(0, 1)))):
        np.testing.assert_allclose(got, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.backends('jax', reason="the JAX backend's convolution and bias as one op")
def test_biased_convolution_gradient_of_gradient(conv_path):
    """A gradient of the gradients (a gradient penalty) is that of the convolution and
    bias added apart."""
    import jax
    import jax.numpy as jnp
    x, k, b = rand((2, 7, 6, 3)), rand((3, 3, 3, 4), 1), rand((4,), 3)
    args = ((2, 1), 'same', (1, 1), 'channels_last')

    def penalty(conv):
        def inner(x, k, b):
            return jnp.sum(jnp.sin(conv(x, k, b)))
        return lambda x, k, b: sum(jnp.sum(d ** 2) for d in
                                   jax.grad(inner, argnums=(0, 1, 2))(x, k, b))
    fused = biased_conv_fn(2, *args)

    def apart(x, k, b):
        return K.bias_add(K.conv2d(x, k, args[0], args[1], args[3], args[2]), b)
    got = jax.grad(penalty(fused), argnums=(0, 1, 2))(x, k, b)
    ref = jax.grad(penalty(apart), argnums=(0, 1, 2))(x, k, b)
    for a, r in zip(got, ref):
        # (second derivatives summed over the positions: float32 rounding of sums of terms
        # as large as the largest entry, ~1e2 here, so an entry near zero is compared at
        # the array's scale; oneDNN's AVX2 kernels, another summation order than its
        # AVX-512 ones, left 3.6e-5 on an entry of -0.041 among entries of 1e2)
        np.testing.assert_allclose(a, r, rtol=1e-4, atol=1e-6 * float(np.abs(r).max()))


@pytest.mark.backends('jax', reason="the JAX backend's convolution and bias as one op")
def test_biased_convolution_rejects_a_bias_of_another_length():
    with pytest.raises(ValueError, match=r'conv2d: expected a bias of shape \(4,\).*'
                                         r'\(3, 3, 3, 4\).*got shape \(5,\)'):
        K._biased_convolution(rand((1, 5, 5, 3)), rand((3, 3, 3, 4)), rand((5,)), (1, 1),
                              'same', 'channels_last', (1, 1))


@pytest.mark.backends('jax', reason="the JAX backend's gradient of 1x1 convolutions")
@pytest.mark.parametrize('strides', [(1, 1), (2, 2)])
def test_pointwise_kernel_gradient_is_one_product(strides, xla_convolutions):
    """On XLA, the kernel gradient of a 1x1 convolution contracts the input (at the
    output's positions) with the output gradient in one product, without transposing
    either."""
    import jax
    x, k = rand((2, 6, 5, 3)), rand((1, 1, 3, 4), 1)
    jaxpr = jax.make_jaxpr(X.grad(lambda b: K.sum(K.conv2d(x, b, strides=strides) ** 2)))(k)
    eqns = [(e.primitive.name, e.invars[0].aval.shape if e.invars else (),
             e.outvars[0].aval.shape) for e in jaxpr.jaxpr.eqns]
    assert any(name == 'dot_general' and out == k.shape[2:] for name, _, out in eqns), eqns
    # only the kernel itself is transposed (for the input gradient), and no convolution
    # computes the kernel gradient
    assert all(shape == k.shape for name, shape, _ in eqns if name == 'transpose'), eqns
    y_shape = K.int_shape(K.conv2d(x, k, strides=strides))
    assert all(out in (y_shape, x.shape) for name, _, out in eqns
               if name == 'conv_general_dilated'), eqns


@pytest.mark.backends('jax', reason="the JAX backend's convolution gradient")
@pytest.mark.parametrize('channels', [3, 64, 65, 66, 96])
def test_differentiated_convolution_computes_the_same_values(channels, conv_path):
    """Under differentiation on XLA a convolution's input passes through an identity
    product (materialized once for the kernel gradient): the values are those of the
    plain convolution bit for bit (on oneDNN, whose forward pass a train step runs, to
    float32 rounding), the gradients those of the NumPy loops."""
    import jax
    x, k = rand((2, 6, 5, channels)), rand((3, 3, channels, 4), 1)
    plain = np.asarray(K.conv2d(x, k, padding='same'))
    primal, vjp = jax.vjp(lambda a, b: K.conv2d(a, b, padding='same'), x, k)
    if conv_path == 'xla':
        np.testing.assert_array_equal(np.asarray(primal), plain)
    else:
        np.testing.assert_allclose(np.asarray(primal), plain, rtol=RTOL, atol=ATOL)
    g = rand(plain.shape, 2)
    ref_dx, ref_dk = np_conv_grads(x, k, g, (1, 1), 'same', (1, 1))
    dx, dk = vjp(g)
    np.testing.assert_allclose(np.asarray(dx), ref_dx, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(np.asarray(dk), ref_dk, rtol=RTOL, atol=ATOL)


@pytest.mark.backends('jax', reason="the JAX backend's convolution gradient")
@pytest.mark.parametrize('channels,row', [(1, None), (16, 16), (64, 64), (65, None),
                                          (66, 2), (96, 32), (256, 32)])
def test_convolution_input_materialized_in_rows(channels, row):
    """On the CPU an input of up to 64 channels is multiplied by the identity over each
    position's channels, a wider one over rows of 32 channels (or the largest power of
    two dividing its channels), at a fixed cost an entry; one channel, or an odd number
    above 64, is left as it is (and every input on other devices). The product returns
    the input's values exactly, extreme finite ones included (a negative zero becomes a
    zero, as in any sum)."""
    import jax
    from keras.backend.jax import conv_ops
    if jax.default_backend() != 'cpu':
        row = None
    x = rand((2, 3, 4, channels))
    x[0, 0, 0, 0], x[0, 0, 0, -1], x[1, 2, 3, 0] = 3e38, -3e38, -1e-30
    jaxpr = jax.make_jaxpr(conv_ops._materialized)(x)
    dots = [e for e in jaxpr.jaxpr.eqns if e.primitive.name == 'dot_general']
    if row is None:
        assert not dots, jaxpr
    else:
        assert len(dots) == 1 and dots[0].invars[1].aval.shape == (row, row), jaxpr
    out = np.asarray(jax.jit(conv_ops._materialized)(x))
    np.testing.assert_array_equal(out, x)


def test_separable_conv_gradients(conv_path):
    """The pointwise step of a separable convolution differentiates like a 1x1 conv2d."""
    x, dk, pk = rand((2, 6, 5, 3)), rand((3, 3, 3, 2), 1), rand((1, 1, 6, 4), 2)
    g = rand((2, 2, 2, 4), 3)

    def loss(b):
        return K.sum(K.separable_conv2d(x, dk, b, strides=(2, 2)) * g)
    mid = np.asarray(K.depthwise_conv2d(x, dk, strides=(2, 2)))
    np.testing.assert_allclose(X.grad(loss)(pk), np_conv_grads(mid, pk, g, (1, 1), 'valid',
                                                               (1, 1))[1],
                               rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('x_shape,k_shape,strides,padding,dilation,data_format', [
    ((2, 7, 6, 3), (3, 3, 3, 1), (1, 1), 'same', (1, 1), 'channels_last'),
    ((2, 7, 8, 3), (3, 2, 3, 2), (2, 2), 'same', (1, 1), 'channels_first'),
    ((2, 9, 8, 2), (3, 3, 2, 3), (2, 3), 'valid', (1, 1), 'channels_last'),
    ((2, 9, 9, 2), (3, 3, 2, 2), (1, 1), 'same', (2, 2), 'channels_last'),
])
def test_depthwise_conv_gradients(x_shape, k_shape, strides, padding, dilation, data_format,
                                  conv_path):
    """A depthwise convolution is a full one whose kernel connects each input channel only
    to its own `multiplier` outputs (output c * multiplier + m): input and kernel gradients
    against the NumPy loops of that block-diagonal convolution."""
    x, dk = rand(x_shape), rand(k_shape, 1)
    channels, mult = k_shape[-2:]
    dense = np.zeros(k_shape[:2] + (channels, channels * mult), 'float32')
    for c in range(channels):
        dense[:, :, c, c * mult:(c + 1) * mult] = dk[:, :, c, :]
    g = rand(np_conv(x, dense, strides, padding, dilation).shape, 2)
    ref_dx, ref_dense = np_conv_grads(x, dense, g, strides, padding, dilation)
    ref_dk = np.stack([ref_dense[:, :, c, c * mult:(c + 1) * mult] for c in range(channels)],
                      axis=2)
    xf, gf, ref_dx = in_format(data_format, x, g, ref_dx)

    def loss(a, b):
        return K.sum(K.depthwise_conv2d(a, b, strides=strides, padding=padding,
                                        data_format=data_format, dilation_rate=dilation) * gf)
    np.testing.assert_allclose(X.grad(lambda a: loss(a, dk))(xf), ref_dx, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(X.grad(lambda b: loss(xf, b))(dk), ref_dk, rtol=RTOL, atol=ATOL)


@pytest.mark.backends('jax', reason='second-order jax.grad')
def test_depthwise_conv_gradient_of_gradient(conv_path):
    """The gradient of a depthwise convolution's kernel gradient (a gradient penalty on it)
    is JAX's second derivative of the same grouped convolution."""
    import jax
    import jax.numpy as jnp
    from jax import lax
    x, dk = rand((2, 7, 6, 3)), rand((3, 3, 3, 2), 1)

    def loss(b, a):
        return jnp.sum(jnp.tanh(K.depthwise_conv2d(a, b, strides=(2, 1), padding='same')))

    def plain(b, a):
        y = lax.conv_general_dilated(a, jnp.reshape(b, (3, 3, 1, 6)), (2, 1), 'SAME',
                                     dimension_numbers=('NHWC', 'HWIO', 'NHWC'),
                                     feature_group_count=3)
        return jnp.sum(jnp.tanh(y))
    first = [jax.grad(f)(dk, x) for f in (loss, plain)]
    np.testing.assert_allclose(first[0], first[1], rtol=RTOL, atol=ATOL)
    second = [jax.grad(lambda a: jnp.sum(jax.grad(f)(dk, a) ** 2))(x) for f in (loss, plain)]
    np.testing.assert_allclose(second[0], second[1], rtol=1e-4, atol=1e-5)


def test_separable_conv1d_gradient(conv_path):
    """The depthwise step of a 1D separable convolution, through its pointwise step."""
    x, dk, pk = rand((2, 9, 2)), rand((3, 2, 2), 1), rand((1, 4, 3), 2)
    dense = np.zeros((3, 2, 4), 'float32')
    for c in range(2):
        dense[:, c, 2 * c:2 * c + 2] = dk[:, c, :]
    g = rand((2, 5, 3), 3)
    # d loss / d depthwise output = g through the 1x1 pointwise kernel
    g_mid = np.einsum('nto,io->nti', g, pk[0])
    ref_dense = np_conv_grads(x, dense, g_mid, (2,), 'same', (1,))[1]
    ref_dk = np.stack([ref_dense[:, c, 2 * c:2 * c + 2] for c in range(2)], axis=1)
    got = X.grad(lambda b: K.sum(K.separable_conv1d(x, b, pk, strides=2, padding='same') * g))(dk)
    np.testing.assert_allclose(got, ref_dk, rtol=RTOL, atol=ATOL)


@pytest.mark.backends('jax', reason="XLA's convolution layouts are the JAX backend's")
@pytest.mark.parametrize('rank,strides,padding,data_format', [
    (1, 2, 'same', 'channels_last'), (2, (1, 1), 'valid', 'channels_last'),
    (2, (2, 2), 'same', 'channels_first'), (3, (1, 2, 1), 'same', 'channels_last')])
def test_conv_gradients_stay_on_the_fast_kernel_inside_loops(rank, strides, padding,
                                                             data_format, xla_convolutions):
    """On XLA, the train step of a convolution holds only convolutions in XLA's canonical layout
    (which its CPU backend runs on the same kernel inside a loop as under `jit`), that of a
    depthwise one no convolution; JAX's own gradient of the same convolution and a
    transposed convolution's gradient hold other layouts."""
    import jax
    from jax import lax
    x, k = rand((2,) + (6,) * rank + (3,)), rand((3,) * rank + (3, 4), 1)
    x = in_format(data_format, x)[0]

    def ours(a, b):
        return K.sum(CONV[rank](a, b, strides=strides, padding=padding,
                                data_format=data_format) ** 2)
    assert not X.loop_slow_on_cpu(jax.grad(ours, (0, 1)), (x, k))

    def plain(a, b):
        spatial = 'DHW'[3 - rank:]
        image = ('NC' + spatial) if data_format == 'channels_first' else ('N' + spatial + 'C')
        y = lax.conv_general_dilated(a, b, (strides,) if rank == 1 else strides,
                                     padding.upper(),
                                     dimension_numbers=(image, spatial + 'IO', image))
        return (y ** 2).sum()
    assert X.loop_slow_on_cpu(jax.grad(plain, (0, 1)), (x, k))
    if rank == 2:
        # depthwise: shifted windows, no convolution at all; transposed: JAX's gradient
        depthwise = jax.grad(lambda a, b: K.sum(K.depthwise_conv2d(
            a, b, data_format=data_format) ** 2), (0, 1))
        assert not X.loop_slow_on_cpu(depthwise, (x, rand((3, 3, 3, 2), 2)))
        out_shape = (2, 13, 13, 4) if data_format == 'channels_last' else (2, 4, 13, 13)
        transposed = jax.grad(lambda a, b: K.sum(K.conv2d_transpose(
            a, b, out_shape, (2, 2), data_format=data_format) ** 2), (0, 1))
        assert X.loop_slow_on_cpu(transposed, (x, rand((3, 3, 4, 3), 2)))


@pytest.mark.backends('jax', reason='lax.scan and second-order jax.grad')
def test_conv_gradients_inside_a_scan_and_of_second_order(conv_path):
    """Scanned steps give the gradients of unscanned ones, and the gradient can itself be
    differentiated (to JAX's own second derivative of the same convolution)."""
    import jax
    import jax.numpy as jnp
    from jax import lax
    x, k = rand((2, 7, 6, 3)), rand((3, 3, 3, 4), 1)

    def loss(b, a):
        return jnp.sum(jnp.tanh(K.conv2d(a, b, strides=(2, 1), padding='same')))
    step = jax.grad(loss)
    xs = jnp.stack([x, 2 * x, -x])
    _, scanned = jax.jit(lambda b: lax.scan(lambda c, a: (c, step(c, a)), b, xs))(k)
    for i in range(3):
        np.testing.assert_allclose(scanned[i], step(k, xs[i]), rtol=RTOL, atol=ATOL)

    def plain(b, a):
        y = lax.conv_general_dilated(a, b, (2, 1), 'SAME',
                                     dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
        return jnp.sum(jnp.tanh(y))
    second = [jax.grad(lambda b: jnp.sum(jax.grad(f, 1)(b, x) ** 2))(k) for f in (loss, plain)]
    np.testing.assert_allclose(second[0], second[1], rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------ argument errors
def test_conv_bad_padding():
    with pytest.raises(ValueError, match=r"padding.*'full'"):
        K.conv2d(rand((1, 5, 5, 2)), rand((3, 3, 2, 2)), padding='full')
    with pytest.raises(ValueError, match=r"padding.*'causal'"):
        K.conv2d(rand((1, 5, 5, 2)), rand((3, 3, 2, 2)), padding='causal')


def test_conv_bad_strides_and_rank():
    with pytest.raises(ValueError, match=r'strides.*\(1, 2, 3\)'):
        K.conv2d(rand((1, 5, 5, 2)), rand((3, 3, 2, 2)), strides=(1, 2, 3))
    with pytest.raises(ValueError, match=r'conv2d.*4D input.*\(5, 5, 2\)'):
        K.conv2d(rand((5, 5, 2)), rand((3, 3, 2, 2)))
    with pytest.raises(ValueError, match=r'data_format.*channels_middle'):
        K.conv2d(rand((1, 5, 5, 2)), rand((3, 3, 2, 2)), data_format='channels_middle')


def test_conv_channel_mismatch():
    with pytest.raises(ValueError, match=r'3 input channels.*has 2'):
        K.conv2d(rand((1, 5, 5, 2)), rand((3, 3, 3, 2)))


def test_conv_transpose_bad_output_shape():
    x, k = rand((1, 4, 4, 3)), rand((3, 3, 2, 3))
    with pytest.raises(ValueError, match=r'output_shape.*inconsistent'):
        K.conv2d_transpose(x, k, (1, 20, 20, 2), strides=(2, 2), padding='same')
    with pytest.raises(ValueError, match=r'output_shape.*4 dimensions'):
        K.conv2d_transpose(x, k, (8, 8, 2), strides=(2, 2), padding='same')
    with pytest.raises(ValueError, match=r'kernel_size \+ \(5, 3\)'):
        K.conv2d_transpose(x, k, (1, 8, 8, 5), strides=(2, 2), padding='same')


def test_pool_bad_arguments():
    x = rand((1, 4, 4, 2))
    with pytest.raises(ValueError, match=r"pool_mode.*'sum'"):
        K.pool2d(x, (2, 2), pool_mode='sum')
    with pytest.raises(ValueError, match=r'pool_size.*0'):
        K.pool2d(x, (0, 2))
    with pytest.raises(ValueError, match=r'pool size 5 is larger than the input size 4'):
        K.pool2d(x, (5, 2))


def test_local_conv_bad_kernel():
    with pytest.raises(ValueError, match=r'kernel must have shape \(3, 9, filters\)'):
        K.local_conv1d(rand((2, 7, 3)), rand((3, 8, 4)), (3,), (2,))
    with pytest.raises(ValueError, match=r'output_shape.*\(2,\)'):
        K.local_conv2d(rand((2, 6, 5, 3)), rand((4, 18, 4)), (3, 2), (1, 2), (2,))


def test_average_pooling_is_differentiable():
    """Gradient of sum(avg_pool(x)) w.r.t. x: each input pixel receives 1/count of every
    window that covers it ('same' padding excludes the padded cells from the count)."""
    x = np.random.RandomState(0).rand(1, 4, 5, 2).astype('float32')
    xp = K.placeholder((1, 4, 5, 2))
    grad = K.gradients(K.sum(K.pool2d(xp, (3, 3), (1, 1), 'same', pool_mode='avg')), [xp])[0]
    got = K.function([xp], [grad])([x])[0]
    counts = np.zeros((4, 5))
    for i in range(4):
        for j in range(5):
            rows = range(max(i - 1, 0), min(i + 2, 4))
            cols = range(max(j - 1, 0), min(j + 2, 5))
            counts[i, j] = len(rows) * len(cols)
    expected = np.zeros((4, 5))
    for i in range(4):
        for j in range(5):
            for a in range(max(i - 1, 0), min(i + 2, 4)):
                for b in range(max(j - 1, 0), min(j + 2, 5)):
                    expected[a, b] += 1. / counts[i, j]
    np.testing.assert_allclose(got[0, :, :, 0], expected, rtol=1e-5)
    np.testing.assert_allclose(got[0, :, :, 1], expected, rtol=1e-5)
