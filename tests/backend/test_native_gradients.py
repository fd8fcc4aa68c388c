"""Gradients by the native handlers on the CPU: kernel gradients by oneDNN's sgemm
(`onednn.matmul`, `K.dot`'s `_projection` and `_rows_product`) and lookups' gradients
(`onednn.scatter_rows`, `K.gather`'s `_take_rows`): the handlers against NumPy, the
gradients of `K.dot`, of the LSTM recurrence and of `K.gather` against XLA's, and the
custom calls in train steps."""
import numpy as np
import pytest

import keras
from keras import backend as K

from test_backend_conv_ops import onednn_installed

pytestmark = [pytest.mark.backends('jax', reason="a custom call of the JAX backend"),
              pytest.mark.skipif(not onednn_installed(),
                                 reason='the native handlers need the onednn-cpu-gomp package')]


def _close(out, ref, k):
    # float32 sums of k products: a relative error of ~1e-6 per term, growing as sqrt(k)
    scale = np.abs(ref).max() + 1.
    np.testing.assert_allclose(out, ref, rtol=0, atol=2e-6 * np.sqrt(k) * scale)


# (m, k, n): one share on the calling thread; the rows split over the pool; the columns;
# sizes that do not divide evenly
SIZES = [(3, 4, 5), (300, 257, 71), (61, 300, 333), (129, 2560, 512)]


@pytest.mark.parametrize('transpose_a', [False, True])
@pytest.mark.parametrize('transpose_b', [False, True])
@pytest.mark.parametrize('size', SIZES)
def test_matmul_matches_numpy(size, transpose_a, transpose_b):
    import jax
    from keras.backend.jax import onednn
    m, k, n = size
    rng = np.random.RandomState(m + k + n)
    a = rng.randn(*((k, m) if transpose_a else (m, k))).astype('float32')
    b = rng.randn(*((n, k) if transpose_b else (k, n))).astype('float32')
    out = jax.jit(lambda a, b: onednn.matmul(a, b, transpose_a, transpose_b))(a, b)
    ref = (a.T if transpose_a else a).astype('float64') @ (b.T if transpose_b else b)
    assert out.shape == (m, n)
    _close(np.asarray(out), ref, k)


def test_matmul_of_no_inner_entries_is_zeros():
    import jax
    from keras.backend.jax import onednn
    out = jax.jit(lambda a, b: onednn.matmul(a, b, transpose_a=True))(
        np.zeros((0, 3), 'float32'), np.zeros((0, 4), 'float32'))
    np.testing.assert_array_equal(np.asarray(out), np.zeros((3, 4)))


def test_matmul_refuses_unequal_inner_sizes():
    import jax
    from keras.backend.jax import onednn
    with pytest.raises(Exception, match='expected equal inner sizes'):
        jax.block_until_ready(onednn.matmul(np.ones((3, 4), 'float32'),
                                            np.ones((5, 6), 'float32')))


def _xla_dot(x, w):
    import jax.numpy as jnp
    return jnp.tensordot(x, w, axes=[[x.ndim - 1], [0]])


@pytest.mark.parametrize('shape', [(64, 30), (8, 20, 30), (2, 3, 4, 30)])
def test_dot_gradients_match_xla(shape):
    """`K.dot(x, kernel)`'s gradients (the kernel's by sgemm over every leading axis of x),
    and a gradient of a gradient (a gradient penalty), as XLA computes them."""
    import jax
    import jax.numpy as jnp
    rng = np.random.RandomState(len(shape))
    x = rng.randn(*shape).astype('float32')
    w = rng.randn(30, 17).astype('float32')

    def loss(dot):
        return lambda x, w: jnp.sum(jnp.tanh(dot(x, w)) ** 2)
    ours = jax.jit(jax.grad(loss(K.dot), argnums=(0, 1)))(x, w)
    ref = jax.grad(loss(_xla_dot), argnums=(0, 1))(x, w)
    rows = int(np.prod(shape[:-1]))
    _close(np.asarray(ours[0]), np.asarray(ref[0]), 17)
    _close(np.asarray(ours[1]), np.asarray(ref[1]), rows)

    def penalty(dot):
        return lambda w: jnp.sum(jax.grad(loss(dot), argnums=0)(x, w) ** 2)
    _close(np.asarray(jax.jit(jax.grad(penalty(K.dot)))(w)),
           np.asarray(jax.grad(penalty(_xla_dot))(w)), rows * 30)


def test_lstm_recurrent_kernel_gradient_matches_xla(monkeypatch):
    """The recurrence's recurrent kernel gradient (one product over the batch and time
    axes) by sgemm and by XLA's product, with a recurrent dropout mask."""
    import jax
    import jax.numpy as jnp
    from keras.backend.jax import control_ops, ops
    rng = np.random.RandomState(3)
    z = rng.randn(6, 9, 4 * 8).astype('float32')
    h0, c0 = (rng.randn(6, 8).astype('float32') for _ in range(2))
    kernel = rng.randn(8, 32).astype('float32') * 0.3
    mask = (rng.rand(6, 8) > 0.2).astype('float32') / 0.8

    def grads():
        def loss(z, kernel):
            last, outputs, _ = control_ops._lstm_recurrence(z, h0, c0, kernel, mask, 'sigmoid')
            return jnp.sum(outputs ** 2) + jnp.sum(last)
        return jax.jit(jax.grad(loss, argnums=(0, 1)))(z, kernel)
    native = grads()
    text = jax.jit(jax.grad(lambda k: jnp.sum(control_ops._lstm_recurrence(
        z, h0, c0, k, mask, 'sigmoid')[1]))).lower(kernel).as_text()
    assert text.count('@keras_onednn_matmul') == 1
    monkeypatch.setattr(ops.onednn, 'handles', lambda x: False)
    xla = grads()
    _close(np.asarray(native[1]), np.asarray(xla[1]), 6 * 9)
    _close(np.asarray(native[0]), np.asarray(xla[0]), 8)


def test_dense_kernel_gradients_run_natively_and_fit_the_same_weights(monkeypatch):
    """A gradient through `K.dot` with a kernel (x of rank 2 and 3) makes one sgemm call per
    product; a model of Dense layers on 3D and 2D inputs ends a `fit` with the weights it
    gets from XLA's products."""
    import jax
    import jax.numpy as jnp
    from keras.backend.jax import ops
    w = np.ones((5, 4), 'float32')
    for shape in [(16, 5), (16, 7, 5)]:
        x = np.ones(shape, 'float32')
        text = jax.jit(jax.grad(lambda w: jnp.sum(K.dot(x, w) ** 2))).lower(w).as_text()
        assert text.count('@keras_onednn_matmul') == 1

    def trained():
        np.random.seed(0)
        L = keras.layers
        inp = L.Input(shape=(7, 5))
        h = L.Flatten()(L.Dense(6, activation='tanh')(inp))
        model = keras.models.Model(inp, L.Dense(3, activation='softmax')(h))
        model.compile(keras.optimizers.SGD(0.1), 'categorical_crossentropy')
        rng = np.random.RandomState(1)
        x = rng.randn(64, 7, 5).astype('float32')
        y = np.eye(3, dtype='float32')[rng.randint(0, 3, 64)]
        model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
        return model.get_weights()
    traced = []
    matmul = ops.onednn.matmul
    monkeypatch.setattr(ops.onednn, 'matmul', lambda *a, **k: traced.append(1) or matmul(*a, **k))
    native = trained()
    assert len(traced) >= 2      # both kernels' gradients in the compiled train step
    monkeypatch.undo()
    monkeypatch.setattr(ops, '_projection',
                        lambda x, y: jnp.tensordot(x, y, axes=[[x.ndim - 1], [0]]))
    xla = trained()
    for got, ref in zip(native, xla):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


def test_scatter_rows_matches_numpy():
    """Repeated rows add up, indices in [-rows, 0) count from the end, others are dropped; a
    table large enough to be zeroed in shares over the pool."""
    import jax
    from keras.backend.jax import onednn
    rng = np.random.RandomState(0)
    for rows, width, n in [(7, 3, 12), (20000, 128, 2560)]:
        indices = rng.randint(-rows - 3, rows + 3, n).astype('int32')
        indices[:4] = [1, 1, -1, rows - 1]
        updates = rng.randn(n, width).astype('float32')
        out = np.asarray(jax.jit(lambda i, u: onednn.scatter_rows(i, u, rows))(indices, updates))
        ref = np.zeros((rows, width))
        for i, u in zip(indices, updates):
            if -rows <= i < rows:
                ref[i % rows] += u
        np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)


def test_gather_gradients_match_xla():
    """`K.gather`'s gradient (and a gradient of it) as `jnp.take`'s, out-of-range indices
    included (their rows get nothing)."""
    import jax
    import jax.numpy as jnp
    rng = np.random.RandomState(1)
    table = rng.randn(50, 3, 2).astype('float32')
    indices = np.array([[1, 5, -1, 49], [1, 1, 7, -50], [60, -51, 3, 3]], 'int32')
    weights = rng.randn(3, 4, 3, 2).astype('float32')

    def loss(take):
        return lambda t: jnp.sum(jnp.where(jnp.isnan(take(t)), 0., jnp.sin(take(t)) * weights))
    ours = loss(lambda t: K.gather(t, indices))
    ref = loss(lambda t: jnp.take(t, indices, axis=0))
    text = jax.jit(jax.grad(ours)).lower(table).as_text()
    assert text.count('@keras_scatter_rows') == 1
    np.testing.assert_allclose(np.asarray(jax.jit(jax.grad(ours))(table)),
                               np.asarray(jax.grad(ref)(table)), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        np.asarray(jax.grad(lambda t: jnp.sum(jax.grad(ours)(t) ** 2))(table)),
        np.asarray(jax.grad(lambda t: jnp.sum(jax.grad(ref)(t) ** 2))(table)),
        rtol=1e-5, atol=1e-5)


def test_an_embedding_fits_the_same_weights_natively(monkeypatch):
    """An Embedding trained by `fit` with the native lookup gradient (traced into its train
    step) ends with the weights it gets from XLA's scatter."""
    import jax.numpy as jnp
    from keras.backend.jax import ops

    def trained():
        np.random.seed(0)
        model = keras.models.Sequential([
            keras.layers.Embedding(300, 8, input_length=6), keras.layers.Flatten(),
            keras.layers.Dense(1, activation='sigmoid')])
        model.compile(keras.optimizers.Adam(0.01), 'binary_crossentropy')
        rng = np.random.RandomState(1)
        x = rng.randint(0, 300, (96, 6)).astype('int32')
        y = rng.randint(0, 2, (96, 1)).astype('float32')
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
        return model.get_weights()
    traced = []
    scatter = ops.onednn.scatter_rows
    monkeypatch.setattr(ops.onednn, 'scatter_rows',
                        lambda *a, **k: traced.append(1) or scatter(*a, **k))
    native = trained()
    assert traced
    monkeypatch.undo()
    monkeypatch.setattr(ops, '_take_rows', lambda t, i: jnp.take(t, i, axis=0))
    xla = trained()
    for got, ref in zip(native, xla):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


def test_scatter_rows_refuses_a_result_of_another_width():
    import jax
    from keras.backend.jax import onednn
    assert onednn.available()
    call = jax.ffi.ffi_call(onednn.SCATTER_ROWS, jax.ShapeDtypeStruct((5, 4), np.float32))
    with pytest.raises(Exception, match=r'got updates of shape \(3, 2\) and a result of '
                                        r'shape \(5, 4\)'):
        jax.block_until_ready(call(np.zeros(3, 'int32'), np.ones((3, 2), 'float32')))
