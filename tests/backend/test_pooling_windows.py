"""Max and average pooling run as strided slices of the padded input with their own
gradients (conv_ops._max_pool, _sum_pool); values and gradients must equal the definition
for any window, stride and padding: the max of each window with the gradient to the first
maximum of the window in row-major order (Keras 2 on TensorFlow), ties and NaNs included,
and the mean over the real elements of each window."""
import pytest  # noqa: E402
pytestmark = pytest.mark.backends('jax', reason="the JAX backend's own pooling gradients (conv_ops._max_pool, _sum_pool)")

import itertools

import numpy as np
import jax
import jax.numpy as jnp

from keras import backend as K


def _pads(n, k, s, padding):
    if padding == 'valid':
        return (n - k) // s + 1, 0
    out = -(-n // s)
    return out, max((out - 1) * s + k - n, 0) // 2


def _np_pool_and_grad(x, pool, strides, padding, mode, g, channels_first):
    """NumPy reference: pooled values and d(sum(out * g))/dx."""
    if channels_first:
        x, g = np.moveaxis(x, 1, -1), np.moveaxis(g, 1, -1)
    rank = len(pool)
    geometry = [_pads(n, k, s, padding) for n, k, s in zip(x.shape[1:1 + rank], pool, strides)]
    out_shape = tuple(o for o, _ in geometry)
    out = np.zeros((x.shape[0],) + out_shape + (x.shape[-1],), x.dtype)
    grad = np.zeros_like(x)
    for b, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        for pos in itertools.product(*[range(n) for n in out_shape]):
            # the window's real elements (padding never wins a max, never counts in a mean)
            starts = [p * s - lo for p, s, (_, lo) in zip(pos, strides, geometry)]
            window = tuple(slice(max(a, 0), min(a + k, n))
                           for a, k, n in zip(starts, pool, x.shape[1:1 + rank]))
            block = x[(b,) + window + (c,)]
            where = (b,) + window + (c,)
            if mode == 'max':
                flat = int(np.argmax(block))           # first maximum (or NaN), row-major
                out[(b,) + pos + (c,)] = block.reshape(-1)[flat]
                at = np.unravel_index(flat, block.shape)
                grad[(b,) + tuple(w.start + a for w, a in zip(window, at)) + (c,)] += \
                    g[(b,) + pos + (c,)]
            else:
                out[(b,) + pos + (c,)] = block.mean()
                grad[where] += g[(b,) + pos + (c,)] / block.size
    if channels_first:
        out, grad = np.moveaxis(out, -1, 1), np.moveaxis(grad, -1, 1)
    return out, grad


def _pool(t, pool, strides, padding, mode, data_format):
    rank = len(pool)
    if rank == 3:
        return K.pool3d(t, pool, strides, padding, data_format, mode)
    if rank == 2:
        return K.pool2d(t, pool, strides, padding, data_format, mode)
    # Keras 2's MaxPooling1D: pool2d over an added axis
    axis = 2 if data_format == 'channels_last' else 3
    return K.squeeze(K.pool2d(K.expand_dims(t, axis), pool + (1,), strides + (1,), padding,
                              data_format, mode), axis)


GEOMETRIES = [
    # rank, spatial shape, pool size, strides, padding
    (1, (7,), (2,), (2,), 'valid'),
    (1, (9,), (3,), (1,), 'same'),
    (2, (6, 4), (2, 2), (2, 2), 'valid'),
    (2, (7, 5), (3, 2), (3, 2), 'valid'),             # windows tile, edges dropped
    (2, (7, 7), (3, 3), (1, 1), 'same'),              # overlapping (Inception's pooling)
    (2, (8, 9), (3, 3), (2, 2), 'same'),              # overlapping, padded (ResNet50's)
    (2, (9, 8), (3, 2), (2, 3), 'valid'),             # window and strides differ per axis
    (2, (5, 6), (2, 3), (1, 2), 'same'),
    (3, (4, 5, 4), (2, 2, 2), (2, 2, 2), 'valid'),
    (3, (5, 4, 5), (3, 2, 3), (2, 1, 2), 'same'),
]


@pytest.mark.parametrize('rank,spatial,pool,strides,padding', GEOMETRIES)
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('mode', ['max', 'avg'])
def test_values_and_gradients_match_the_definition(rank, spatial, pool, strides, padding,
                                                   data_format, mode):
    rng = np.random.RandomState(rank)
    shape = (2,) + spatial + (3,) if data_format == 'channels_last' else (2, 3) + spatial
    x = (np.round(rng.rand(*shape) * 2) / 2).astype('float32')   # many ties
    if mode == 'max':
        x -= 1.                       # negative values: a zero padding would win the max

    def fn(t):
        return _pool(t, pool, strides, padding, mode, data_format)
    out, vjp = jax.vjp(fn, jnp.asarray(x))
    g = rng.rand(*out.shape).astype('float32')
    ref_out, ref_grad = _np_pool_and_grad(x, pool, strides, padding, mode, g,
                                          data_format == 'channels_first')
    assert out.shape == ref_out.shape
    if mode == 'max':
        np.testing.assert_array_equal(np.asarray(out), ref_out)
    else:
        np.testing.assert_allclose(np.asarray(out), ref_out, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(vjp(g)[0]), ref_grad, rtol=1e-6, atol=1e-6)
    # the undifferentiated forward pass (a different program) gives the same values: the
    # same maxima; averages to the last bit but one (jaxlib 0.5.0's XLA divides by the window
    # counts one way under jit and another in the differentiated program: 1 ulp apart)
    if mode == 'max':
        np.testing.assert_array_equal(np.asarray(jax.jit(fn)(x)), np.asarray(out))
    else:
        np.testing.assert_allclose(np.asarray(jax.jit(fn)(x)), np.asarray(out), rtol=2.5e-7)


@pytest.mark.parametrize('pool,strides,padding', [((2, 2), (2, 2), 'valid'),
                                                  ((3, 3), (1, 1), 'same'),
                                                  ((3, 3), (2, 2), 'same')])
def test_max_with_nans_and_infinities(pool, strides, padding):
    """Values are the window maxima (NaN where a window holds one), and the gradient goes to
    the first NaN of such a window, as NumPy's argmax picks it."""
    rng = np.random.RandomState(5)
    x = (np.round(rng.rand(3, 6, 8, 4) * 2) / 2).astype('float32')
    x[rng.rand(*x.shape) < 0.08] = np.nan
    x[0, :2, :2, 0] = -5.                            # a window without NaN
    x[1, 2:4, 4:6, 1] = [[1., np.inf], [np.inf, 0.]]  # tied infinities
    out, vjp = jax.vjp(lambda t: K.pool2d(t, pool, strides, padding), jnp.asarray(x))
    g = rng.rand(*out.shape).astype('float32')
    ref_out, ref_grad = _np_pool_and_grad(x, pool, strides, padding, 'max', g, False)
    assert np.isnan(ref_out).any()
    np.testing.assert_array_equal(np.asarray(out), ref_out)
    np.testing.assert_allclose(np.asarray(vjp(g)[0]), ref_grad, rtol=1e-6, atol=1e-6)


def test_integer_max_pooling():
    x = np.random.RandomState(0).randint(-50, 50, size=(2, 7, 7, 3)).astype('int32')
    out = np.asarray(K.pool2d(x, (3, 3), (2, 2), padding='same'))
    ref, _ = _np_pool_and_grad(x.astype('float64'), (3, 3), (2, 2), 'same', 'max',
                               np.zeros((2, 4, 4, 3)), False)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, ref)


def test_gradient_of_the_gradient_of_average_pooling():
    """The sum pooling's gradient is differentiable (a gradient penalty through it): the
    gradient of <grad(loss), v> for loss = sum(avg(x) ** 2), i.e. 2 A^T A v, equals the
    NumPy reference's."""
    rng = np.random.RandomState(3)
    x = rng.rand(1, 5, 5, 2).astype('float32')
    v = rng.rand(*x.shape).astype('float32')

    def loss(t):
        return jnp.sum(K.pool2d(t, (3, 3), (1, 1), 'same', pool_mode='avg') ** 2)
    got = jax.grad(lambda t: jnp.vdot(jax.grad(loss)(t), v))(jnp.asarray(x))
    pooled, _ = _np_pool_and_grad(v, (3, 3), (1, 1), 'same', 'avg', np.zeros((1, 5, 5, 2)),
                                  False)
    _, ref = _np_pool_and_grad(v, (3, 3), (1, 1), 'same', 'avg', 2 * pooled, False)
    np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('rank,spatial,pool,strides,padding', [
    (2, (6, 4), (2, 2), (2, 2), 'valid'),             # windows tile the input
    (2, (7, 5), (3, 2), (3, 2), 'valid'),             # tiling, edges dropped
    (1, (7,), (2,), (2,), 'valid'),
    (3, (4, 5, 4), (2, 2, 2), (2, 2, 2), 'valid'),
    (2, (5, 5), (3, 3), (1, 1), 'same'),              # overlapping windows
])
def test_gradient_of_the_gradient_of_max_pooling(rank, spatial, pool, strides, padding):
    """The max pooling's gradient is differentiable (Keras 2's SWWAE example trains a model
    that takes K.gradients of a pooled output): for loss = sum(max(x) ** 2) the gradient of
    <grad(loss), v> is 2 S^T S v, S the selection of each window's first maximum in x."""
    rng = np.random.RandomState(5)
    x = rng.rand(1, *spatial, 2).astype('float32')
    v = rng.rand(*x.shape).astype('float32')

    def loss(t):
        return jnp.sum(_pool(t, pool, strides, padding, 'max', 'channels_last') ** 2)
    got = jax.grad(lambda t: jnp.vdot(jax.grad(loss)(t), v))(jnp.asarray(x))
    # S^T as a matrix: its columns are the reference gradients of each pooled entry
    pooled = np.asarray(_pool(x, pool, strides, padding, 'max', 'channels_last'))
    columns = []
    for i in range(pooled.size):
        unit = np.zeros(pooled.size, 'float32')
        unit[i] = 1.
        columns.append(_np_pool_and_grad(x, pool, strides, padding, 'max',
                                         unit.reshape(pooled.shape), False)[1].ravel())
    s_t = np.stack(columns, 1)
    ref = (s_t @ (2 * s_t.T @ v.ravel())).reshape(x.shape)
    np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('mode', ['max', 'avg'])
def test_windows_too_large_for_slices_keep_reduce_window(mode):
    """Beyond SLICED_POOL_MAX_WINDOW elements a window is pooled by XLA's reduce-window (the
    sliced gradient sums a term per element): the same values and gradients."""
    from keras.backend.jax import conv_ops
    rng = np.random.RandomState(7)
    x = (np.round(rng.rand(2, 12, 11, 2) * 2) / 2 - 1.).astype('float32')
    pool, strides = (9, 9), (1, 2)
    assert 81 > conv_ops.SLICED_POOL_MAX_WINDOW
    out, vjp = jax.vjp(lambda t: K.pool2d(t, pool, strides, 'same', pool_mode=mode),
                       jnp.asarray(x))
    text = jax.jit(lambda t: K.pool2d(t, pool, strides, 'same', pool_mode=mode)).lower(
        x).as_text()
    assert 'reduce_window' in text
    g = rng.rand(*out.shape).astype('float32')
    ref_out, ref_grad = _np_pool_and_grad(x, pool, strides, 'same', mode, g, False)
    np.testing.assert_allclose(np.asarray(out), ref_out, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(vjp(g)[0]), ref_grad, rtol=1e-5, atol=1e-5)
