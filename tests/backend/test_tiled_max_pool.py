"""Max pooling whose windows tile the input (strides == pool size, no padding) runs as a
reshape with its own gradient; values and gradients must equal the definition: the max
of each window, the gradient to the first maximum of the window in row-major order
(Keras 2 on TensorFlow), including ties."""
import pytest  # noqa: E402
pytestmark = pytest.mark.backends('jax', reason="the JAX backend's own max-pooling gradient (conv_ops._tiled_max_pool)")

import itertools

import numpy as np
import pytest
import jax
import jax.numpy as jnp

from keras import backend as K


def _np_pool_and_grad(x, pool, g, channels_first):
    """NumPy reference: pooled values and d(sum(out * g))/dx for channels_last data."""
    if channels_first:
        x = np.moveaxis(x, 1, -1)
        g = np.moveaxis(g, 1, -1)
    rank = len(pool)
    out_shape = tuple(s // k for s, k in zip(x.shape[1:1 + rank], pool))
    out = np.zeros((x.shape[0],) + out_shape + (x.shape[-1],), x.dtype)
    grad = np.zeros_like(x)
    for b, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        for pos in itertools.product(*[range(n) for n in out_shape]):
            window = tuple(slice(p * k, p * k + k) for p, k in zip(pos, pool))
            block = x[(b,) + window + (c,)]
            flat = int(np.argmax(block))           # first maximum, row-major
            out[(b,) + pos + (c,)] = block.reshape(-1)[flat]
            where = np.unravel_index(flat, block.shape)
            grad[(b,) + tuple(p * k + w for p, k, w in zip(pos, pool, where)) + (c,)] += \
                g[(b,) + pos + (c,)]
    if channels_first:
        out, grad = np.moveaxis(out, -1, 1), np.moveaxis(grad, -1, 1)
    return out, grad


@pytest.mark.parametrize('rank,spatial,pool', [
    (1, (7,), (2,)), (2, (6, 4), (2, 2)), (2, (7, 5), (3, 2)), (3, (4, 5, 4), (2, 2, 2))])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_values_and_first_max_gradient_with_ties(rank, spatial, pool, data_format):
    rng = np.random.RandomState(rank)
    shape = (2,) + spatial + (3,) if data_format == 'channels_last' else (2, 3) + spatial
    x = (np.round(rng.rand(*shape) * 2) / 2).astype('float32')   # many ties
    def fn(t, pool_size, strides, data_format):
        if rank == 3:
            return K.pool3d(t, pool_size, strides, data_format=data_format)
        if rank == 2:
            return K.pool2d(t, pool_size, strides, data_format=data_format)
        # Keras 2's MaxPooling1D: pool2d over an added axis
        axis = 2 if data_format == 'channels_last' else 3
        return K.squeeze(K.pool2d(K.expand_dims(t, axis), pool_size + (1,), strides + (1,),
                                  data_format=data_format), axis)
    out = np.asarray(fn(x, pool, pool, data_format=data_format))
    g = rng.rand(*out.shape).astype('float32')
    grad = jax.grad(lambda t: jnp.sum(fn(t, pool, pool, data_format=data_format) * g))(x)
    ref_out, ref_grad = _np_pool_and_grad(x, pool, g, data_format == 'channels_first')
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_allclose(np.asarray(grad), ref_grad, rtol=1e-6, atol=0)


def test_overlapping_and_same_padded_windows_keep_reduce_window():
    x = np.random.RandomState(0).rand(1, 5, 5, 2).astype('float32')
    out = np.asarray(K.pool2d(x, (3, 3), (2, 2), padding='same'))
    assert out.shape == (1, 3, 3, 2)
    np.testing.assert_allclose(out[0, 0, 0], x[0, :2, :2].max(axis=(0, 1)))
    np.testing.assert_allclose(out[0, 1, 1], x[0, 1:4, 1:4].max(axis=(0, 1)))


def test_differentiated_forward_values_with_nans_and_infinities():
    """Under differentiation the forward pass is the reduction that also finds each window's
    first maximum: its values must be the window maxima (NaN where a window holds one),
    and the gradient goes to the first NaN of such a window, as NumPy's argmax picks it."""
    rng = np.random.RandomState(5)
    x = (np.round(rng.rand(3, 6, 8, 4) * 2) / 2).astype('float32')
    x[rng.rand(*x.shape) < 0.08] = np.nan
    x[0, :2, :2, 0] = -np.inf                        # a window of -inf only
    x[1, 2:4, 4:6, 1] = [[1., np.inf], [np.inf, 0.]]  # tied infinities
    g = rng.rand(3, 3, 4, 4).astype('float32')
    out, vjp = jax.vjp(lambda t: K.pool2d(t, (2, 2), (2, 2)), x)
    ref_out, ref_grad = _np_pool_and_grad(x, (2, 2), g, False)
    assert np.isnan(ref_out).any()
    np.testing.assert_array_equal(np.asarray(out), ref_out)
    np.testing.assert_allclose(np.asarray(vjp(g)[0]), ref_grad, rtol=1e-6, atol=0)
