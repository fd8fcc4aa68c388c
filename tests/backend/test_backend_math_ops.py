"""Math, normalization, slicing, padding/resizing and misc backend ops."""
import numpy as np
import pytest

from keras import backend as K
from keras.backend import execution as X

RTOL, ATOL = 1e-5, 1e-6


def rand(shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, size=shape).astype('float32')


# ------------------------------------------------------------ arange / cumulative
def test_arange():
    np.testing.assert_array_equal(K.arange(5), np.arange(5))
    np.testing.assert_array_equal(K.arange(2, 11, 3), [2, 5, 8])
    assert K.arange(-3).shape == (0,)  # one negative argument: empty (Keras 2)
    np.testing.assert_array_equal(K.arange(-3, 0), [-3, -2, -1])
    assert K.dtype(K.arange(3)) == 'int32'
    assert K.dtype(K.arange(3, dtype='float32')) == 'float32'
    with pytest.raises(ValueError, match=r'step.*0'):
        K.arange(0, 5, 0)


def test_arange_of_floats_is_float32_with_the_default_dtype():
    # Keras 2.2.4 cast only to a dtype other than the default: `K.arange(0., 10, 2.)` of a
    # position encoding was TensorFlow's float32 range (truncating it to int32 made the
    # encoding's later division wrong)
    for args in ((0., 10, 2.), (0.5, 3), (0, 5, 0.5)):
        got = K.arange(*args)
        assert K.dtype(got) == 'float32'
        np.testing.assert_allclose(K.eval(got), np.arange(*args))
    assert K.dtype(K.arange(0., 4., dtype='int32')) == 'float32'
    np.testing.assert_array_equal(K.eval(K.arange(0, 5, 0.5, dtype='float16')),
                                  np.arange(0, 5, 0.5))
    assert K.dtype(K.arange(0, 5, 0.5, dtype='float16')) == 'float16'


def test_64_bit_integers_are_asked_for_without_warnings():
    """Keras 2 code asks for int64 routinely (an `Input(dtype='int64')` of lengths, casts of
    indices): the integers come without a warning, as the 32-bit ones on JAX while its
    64-bit types are off (what JAX computes in; it warned at each call site)."""
    import warnings
    from keras.layers import Dense, Input, Lambda
    from keras.models import Model
    expected = 'int32' if K.backend() == 'jax' and not _jax_x64() else 'int64'
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        cast = K.cast(K.variable(np.array([1.7, -2.2], 'float32')), 'int64')
        assert K.dtype(cast) == expected
        np.testing.assert_array_equal(K.eval(cast), [1, -2])
        assert K.dtype(K.arange(3, dtype=np.int64)) == expected
        x, n = Input((2,)), Input((1,), dtype='int64')
        out = Lambda(lambda t: t[0] * K.cast(t[1], 'float32'))([Dense(1)(x), n])
        model = Model([x, n], out)
        model.compile('sgd', 'mse')
        data = [np.ones((4, 2), 'float32'), np.arange(4, dtype='int64').reshape(4, 1)]
        model.fit(data, np.ones((4, 1), 'float32'), verbose=0)
        pred = model.predict(data)
    np.testing.assert_allclose(pred[:, 0], np.arange(4) * pred[1, 0], rtol=1e-6)


def _jax_x64():
    import jax
    return jax.config.read('jax_enable_x64')


def test_arange_of_a_tensor_end():
    # the end given as a tensor (e.g. a K.constant or a K.shape entry), as Keras 2 allows;
    # a negative one gives an empty range like a negative Python number
    assert K.eval(K.arange(K.constant(-1, dtype='int32'))).shape == (0,)
    np.testing.assert_array_equal(K.eval(K.arange(K.constant(3, dtype='int32'))), [0, 1, 2])
    np.testing.assert_array_equal(K.eval(K.arange(np.int64(-2))), np.arange(0))
    np.testing.assert_array_equal(K.eval(K.arange(K.shape(K.zeros((2, 4)))[1])), np.arange(4))


def test_cumsum_cumprod():
    x = rand((3, 4)) + 1.5
    np.testing.assert_allclose(K.cumsum(x), np.cumsum(x, axis=0), rtol=RTOL)
    np.testing.assert_allclose(K.cumsum(x, axis=1), np.cumsum(x, axis=1), rtol=RTOL)
    np.testing.assert_allclose(K.cumprod(x), np.cumprod(x, axis=0), rtol=RTOL)
    np.testing.assert_allclose(K.cumprod(x, axis=-1), np.cumprod(x, axis=-1), rtol=RTOL)
    v = K.variable(x)
    np.testing.assert_allclose(K.cumsum(v, 1), np.cumsum(x, axis=1), rtol=RTOL)


# ------------------------------------------------------------ batch_dot
def test_batch_dot_docstring_example():
    x, y = rand((32, 20, 1)), rand((32, 30, 20), 1)
    out = K.batch_dot(x, y, axes=(1, 2))
    assert out.shape == (32, 1, 30)
    ref = np.einsum('bij,bkj->bik', np.transpose(x, (0, 2, 1)), y)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)


def test_batch_dot_2d():
    x, y = rand((4, 5)), rand((4, 5), 1)
    out = K.batch_dot(x, y, axes=1)
    assert out.shape == (4, 1)
    np.testing.assert_allclose(out[:, 0], (x * y).sum(1), rtol=RTOL, atol=ATOL)
    # same axes 0: sum over the batch axis, then a trailing axis
    np.testing.assert_allclose(K.batch_dot(x, y, axes=[0, 0])[:, 0], (x * y).sum(0),
                               rtol=RTOL, atol=ATOL)


def test_batch_dot_3d_default_and_axes():
    x, y = rand((3, 4, 5)), rand((3, 5, 6), 1)
    np.testing.assert_allclose(K.batch_dot(x, y), np.einsum('bij,bjk->bik', x, y),
                               rtol=RTOL, atol=ATOL)
    x2 = rand((3, 5, 4), 2)
    np.testing.assert_allclose(K.batch_dot(x2, y, axes=(1, 1)),
                               np.einsum('bji,bjk->bik', x2, y), rtol=RTOL, atol=ATOL)
    y2 = rand((3, 6, 5), 3)
    np.testing.assert_allclose(K.batch_dot(x, y2, axes=(2, 2)),
                               np.einsum('bij,bkj->bik', x, y2), rtol=RTOL, atol=ATOL)
    # negative axes count from the end
    np.testing.assert_allclose(K.batch_dot(x, y2, axes=-1), K.batch_dot(x, y2, axes=(2, 2)),
                               rtol=RTOL)


def test_batch_dot_mixed_ranks():
    x, y = rand((3, 4, 5)), rand((3, 5), 1)
    out = K.batch_dot(x, y, axes=(2, 1))
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out, np.einsum('bij,bj->bi', x, y), rtol=RTOL, atol=ATOL)
    x1, y1 = rand((3, 4)), rand((3, 4, 6), 2)
    out = K.batch_dot(x1, y1, axes=(1, 1))
    assert out.shape == (3, 6)
    np.testing.assert_allclose(out, np.einsum('bi,bik->bk', x1, y1), rtol=RTOL, atol=ATOL)
    # default axes on (b, t, h) and (b, h): Keras 2.2.4's matmul of x with y's vector (the
    # attention-pooling idiom `K.batch_dot(hidden, query)`), whatever the default axes say
    out = K.batch_dot(x, y)
    assert K.int_shape(out) == (3, 4)
    np.testing.assert_allclose(out, np.einsum('bij,bj->bi', x, y), rtol=RTOL, atol=ATOL)


def test_batch_dot_errors():
    with pytest.raises(ValueError, match=r'rank >= 2.*\(3,\)'):
        K.batch_dot(rand((3,)), rand((3, 4)))
    with pytest.raises(ValueError, match=r'axes.*\(1, 2, 3\)'):
        K.batch_dot(rand((3, 4)), rand((3, 4)), axes=(1, 2, 3))
    with pytest.raises(ValueError, match=r'axes\[0\]`=5 is out of range'):
        K.batch_dot(rand((3, 4, 5)), rand((3, 5, 6)), axes=(5, 1))
    with pytest.raises(ValueError, match=r'contracted sizes 5 and 6 differ'):
        K.batch_dot(rand((3, 4, 5)), rand((3, 6, 6)), axes=(2, 1))
    with pytest.raises(ValueError, match=r'contracted sizes 5 and 4 differ'):
        K.batch_dot(rand((3, 4, 5)), rand((3, 4)))


# ------------------------------------------------------------ in_top_k
def test_in_top_k_with_ties():
    pred = np.array([[0.1, 0.5, 0.5, 0.2],
                     [0.4, 0.3, 0.2, 0.1],
                     [0.1, 0.2, 0.3, 0.4]], 'float32')
    targets = np.array([2, 2, 0])
    np.testing.assert_array_equal(K.in_top_k(pred, targets, 1), [True, False, False])
    np.testing.assert_array_equal(K.in_top_k(pred, targets, 3), [True, True, False])
    np.testing.assert_array_equal(K.in_top_k(pred, targets, 4), [True, True, True])
    # non-finite prediction for the target is never in the top k
    pred2 = pred.copy()
    pred2[0, 2] = np.nan
    assert not bool(K.in_top_k(pred2, targets, 4)[0])
    with pytest.raises(ValueError, match=r'predictions.*2D.*\(4,\)'):
        K.in_top_k(pred[0], targets, 1)
    with pytest.raises(TypeError, match=r'k.*1\.5'):
        K.in_top_k(pred, targets, 1.5)


# ------------------------------------------------------------ batch normalization
def test_batch_normalization_last_axis():
    x = rand((4, 3, 5))
    mean, var = rand((5,), 1), np.abs(rand((5,), 2)) + .5
    beta, gamma = rand((5,), 3), rand((5,), 4)
    ref = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(K.batch_normalization(x, mean, var, beta, gamma), ref,
                               rtol=RTOL, atol=1e-5)
    ref2 = (x - mean) / np.sqrt(var + .1)
    np.testing.assert_allclose(K.batch_normalization(x, mean, var, None, None, epsilon=.1),
                               ref2, rtol=RTOL, atol=1e-5)


def test_batch_normalization_axis1():
    x = rand((2, 3, 4, 4))
    mean, var = rand((3,), 1), np.abs(rand((3,), 2)) + .5
    beta, gamma = rand((3,), 3), rand((3,), 4)
    b = lambda p: p.reshape(1, 3, 1, 1)  # noqa: E731
    ref = (x - b(mean)) / np.sqrt(b(var) + 1e-3) * b(gamma) + b(beta)
    np.testing.assert_allclose(K.batch_normalization(x, mean, var, beta, gamma, axis=1), ref,
                               rtol=RTOL, atol=1e-5)
    # already-broadcastable statistics are used as given
    out = K.batch_normalization(x, b(mean), b(var), b(beta), b(gamma), axis=1)
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=1e-5)


def test_normalize_batch_in_training_3d():
    x = rand((4, 3, 5))
    gamma, beta = rand((5,), 1), rand((5,), 2)
    normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, [0, 1])
    m, v = x.mean(axis=(0, 1)), x.var(axis=(0, 1))
    assert mean.shape == (5,) and var.shape == (5,)
    np.testing.assert_allclose(mean, m, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(var, v, rtol=RTOL, atol=ATOL)  # biased
    np.testing.assert_allclose(normed, (x - m) / np.sqrt(v + 1e-3) * gamma + beta,
                               rtol=RTOL, atol=1e-5)


def test_normalize_batch_in_training_channels_first_broadcast():
    x = rand((2, 3, 4, 5))
    gamma, beta = rand((3,), 1), rand((3,), 2)
    normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, [0, 2, 3])
    m, v = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(mean, m, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(var, v, rtol=RTOL, atol=ATOL)
    b = lambda p: p.reshape(1, 3, 1, 1)  # noqa: E731
    np.testing.assert_allclose(normed, (x - b(m)) / np.sqrt(b(v) + 1e-3) * b(gamma) + b(beta),
                               rtol=RTOL, atol=1e-5)


def test_normalize_batch_in_training_fused_4d_returns_bessel_corrected_variance():
    x = rand((2, 3, 4, 5))
    normed, mean, var = K.normalize_batch_in_training(x, None, None, [0, 1, 2])
    n = 2 * 3 * 4
    v = x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(var, v * n / (n - 1), rtol=RTOL, atol=ATOL)
    # the normalization itself uses the biased variance
    np.testing.assert_allclose(normed, (x - x.mean(axis=(0, 1, 2))) / np.sqrt(v + 1e-3),
                               rtol=RTOL, atol=1e-5)


# ------------------------------------------------------------ slice
def test_slice():
    x = rand((4, 5, 6))
    np.testing.assert_array_equal(K.slice(x, (1, 0, 2), (2, -1, 3)), x[1:3, :, 2:5])
    np.testing.assert_array_equal(K.slice(x, [0, 4, 0], [4, 1, 6]), x[:, 4:5])
    with pytest.raises(ValueError, match=r'start.*size.*rank 3'):
        K.slice(x, (0, 0), (1, 1))
    with pytest.raises(ValueError, match=r'start=4, size=2 is out of bounds for dimension 1'):
        K.slice(x, (0, 4, 0), (1, 2, 1))


# ------------------------------------------------------------ padding / resizing
def test_temporal_padding():
    x = rand((2, 3, 4))
    out = K.temporal_padding(x, (1, 2))
    assert out.shape == (2, 6, 4)
    np.testing.assert_array_equal(np.asarray(out)[:, 1:4], x)
    assert np.all(np.asarray(out)[:, [0, 4, 5]] == 0)
    assert K.temporal_padding(x).shape == (2, 5, 4)
    with pytest.raises(ValueError, match=r'padding.*\(1, 2, 3\)'):
        K.temporal_padding(x, (1, 2, 3))


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_spatial_2d_padding(data_format):
    x = rand((2, 3, 4, 5))
    out = np.asarray(K.spatial_2d_padding(x, ((1, 0), (2, 3)), data_format=data_format))
    if data_format == 'channels_last':
        ref = np.pad(x, [(0, 0), (1, 0), (2, 3), (0, 0)])
    else:
        ref = np.pad(x, [(0, 0), (0, 0), (1, 0), (2, 3)])
    np.testing.assert_array_equal(out, ref)
    with pytest.raises(ValueError, match=r'padding.*\(1, 1\)'):
        K.spatial_2d_padding(x, (1, 1))


def test_spatial_3d_padding():
    x = rand((1, 2, 3, 4, 2))
    out = K.spatial_3d_padding(x, ((1, 1), (0, 2), (3, 0)))
    np.testing.assert_array_equal(out, np.pad(x, [(0, 0), (1, 1), (0, 2), (3, 0), (0, 0)]))
    out = K.spatial_3d_padding(x, data_format='channels_first')
    np.testing.assert_array_equal(out, np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1), (1, 1)]))


def test_resize_images_nearest():
    x = rand((2, 3, 4, 2))
    out = K.resize_images(x, 2, 3, 'channels_last')
    ref = x.repeat(2, axis=1).repeat(3, axis=2)
    np.testing.assert_array_equal(out, ref)
    out_cf = K.resize_images(np.moveaxis(x, -1, 1), 2, 3, 'channels_first')
    np.testing.assert_array_equal(out_cf, np.moveaxis(ref, -1, 1))


def np_resize_bilinear(x, out_h, out_w):
    """tf.image.resize_bilinear, align_corners=False, no half-pixel centres."""
    b, h, w, c = x.shape
    y = np.zeros((b, out_h, out_w, c))
    for i in range(out_h):
        sy = i * h / out_h
        y0 = int(np.floor(sy))
        y1 = min(y0 + 1, h - 1)
        fy = sy - y0
        for j in range(out_w):
            sx = j * w / out_w
            x0 = int(np.floor(sx))
            x1 = min(x0 + 1, w - 1)
            fx = sx - x0
            top = x[:, y0, x0] * (1 - fx) + x[:, y0, x1] * fx
            bot = x[:, y1, x0] * (1 - fx) + x[:, y1, x1] * fx
            y[:, i, j] = top * (1 - fy) + bot * fy
    return y


def test_resize_images_bilinear():
    x = rand((2, 3, 4, 2))
    out = K.resize_images(x, 2, 3, 'channels_last', interpolation='bilinear')
    np.testing.assert_allclose(out, np_resize_bilinear(x, 6, 12), rtol=RTOL, atol=1e-6)
    out_cf = K.resize_images(np.moveaxis(x, -1, 1), 3, 2, 'channels_first',
                             interpolation='bilinear')
    np.testing.assert_allclose(out_cf, np.moveaxis(np_resize_bilinear(x, 9, 8), -1, 1),
                               rtol=RTOL, atol=1e-6)


def test_resize_images_errors():
    x = rand((2, 3, 4, 2))
    with pytest.raises(ValueError, match=r"interpolation.*'bicubic'"):
        K.resize_images(x, 2, 2, 'channels_last', interpolation='bicubic')
    with pytest.raises(ValueError, match=r'height_factor.*0'):
        K.resize_images(x, 0, 2, 'channels_last')
    with pytest.raises(ValueError, match=r'data_format.*channels_middle'):
        K.resize_images(x, 2, 2, 'channels_middle')


def test_resize_volumes():
    x = rand((1, 2, 3, 2, 2))
    out = K.resize_volumes(x, 2, 1, 3, 'channels_last')
    np.testing.assert_array_equal(out, x.repeat(2, 1).repeat(3, 3))
    out = K.resize_volumes(x, 1, 2, 2, 'channels_first')
    np.testing.assert_array_equal(out, x.repeat(2, 3).repeat(2, 4))


# ------------------------------------------------------------ misc
def test_random_variables():
    np.random.seed(1)
    v = K.random_uniform_variable((200, 50), -2., 3., seed=3)
    assert isinstance(v, K.Variable)
    val = K.get_value(v)
    assert val.shape == (200, 50) and val.min() >= -2. and val.max() <= 3.
    assert abs(val.mean() - .5) < .05
    w = K.random_normal_variable((200, 50), 1., 2., name='w', seed=4)
    assert w.name == 'w'
    val = K.get_value(w)
    assert abs(val.mean() - 1.) < .05 and abs(val.std() - 2.) < .05
    same = K.get_value(K.random_uniform_variable((200, 50), -2., 3., seed=3))
    np.testing.assert_array_equal(same, K.get_value(v))


def test_sparse_helpers():
    x = np.ones((2, 3), 'float32')
    assert not K.is_sparse(x)
    assert K.to_dense(x) is x
    sp = K.ctc_label_dense_to_sparse(np.array([[1, 2, 3], [4, 5, 6]]), np.array([2, 3]))
    assert K.is_sparse(sp)
    np.testing.assert_array_equal(K.to_dense(sp), [[1, 2, 0], [4, 5, 6]])


def test_variable_shape_and_placeholder_flags():
    v = K.variable(np.zeros((2, 3)))
    assert K.get_variable_shape(v) == (2, 3)
    assert not K.is_placeholder(v)
    assert not K.is_placeholder(np.zeros(2))
    kt = K.KerasTensor((None, 3))
    kt._is_placeholder = True
    assert K.is_placeholder(kt)


def test_variables_read_as_keras_2_code_reads_tensorflow_1_variables():
    v = K.variable(np.zeros((2, 3)))
    # shapes with TensorFlow's methods (custom layers: `self.kernel.get_shape().as_list()`)
    assert v.get_shape().as_list() == [2, 3] and v.shape.as_list() == [2, 3]
    assert v.shape.num_elements() == 6 and v.shape[1:].as_list() == [3]
    # a variable is true whatever its value (`if self.bias:` tests that a layer has one)
    assert bool(K.variable(0.)) and bool(v)
    # the value of a 0-d variable is a NumPy number: a copy of it changed in place (an
    # LR finder's `lr *= factor` after appending it to its history) leaves the first alone
    lr = K.variable(0.5)
    history = [K.get_value(lr)]
    value = K.get_value(lr)
    value *= 2.
    assert history == [0.5] and value == 1. and isinstance(history[0], np.floating)
    assert hash(K.get_value(lr)) == hash(0.5) and isinstance(K.eval(lr), np.floating)
    # arrays stay writable copies of their own
    array = K.get_value(v)
    array += 1.
    assert K.get_value(v).sum() == 0.


def test_squeezing_a_size_unknown_while_the_graph_is_built():
    # foolbox 1.x's KerasModel: K.squeeze(K.squeeze(K.dot(predictions, w), axis=0), axis=0)
    # of one image's predictions; TensorFlow 1 took the unknown batch size to be 1 and
    # checked it when the graph ran
    from keras.layers import Input
    x = Input((5,))
    w = K.placeholder(shape=(5, 1))
    assert K.int_shape(K.squeeze(x, 0)) == (5,)
    score = K.squeeze(K.squeeze(K.dot(x, w), axis=0), axis=0)
    assert K.int_shape(score) == ()
    f = K.function([w, x], [score] + K.gradients(score, x))
    value, gradient = f([np.arange(5.).reshape(5, 1), np.ones((1, 5))])
    assert value == 10.
    np.testing.assert_allclose(gradient, [[0., 1., 2., 3., 4.]])
    with pytest.raises(Exception):
        f([np.arange(5.).reshape(5, 1), np.ones((2, 5))])


def test_print_tensor(capfd):
    out = K.print_tensor(np.array([1., 2.], 'float32'), message='x = {odd}: ')
    np.testing.assert_array_equal(out, [1., 2.])
    captured = capfd.readouterr().out
    assert 'x = {odd}: [1. 2.]' in captured
    with pytest.raises(TypeError, match=r'message.*3'):
        K.print_tensor(np.ones(2), message=3)


def test_name_scope():
    with K.name_scope('outer') as a:
        with K.name_scope('inner') as b:
            assert b == 'outer/inner/'
        assert a == 'outer/'
    with pytest.raises(TypeError, match=r'name.*5'):
        K.name_scope(5)


def test_batch_normalization_4d_channels_last_minimum_epsilon():
    x = rand((1, 2, 2, 3))
    mean, var = np.zeros(3, 'float32'), np.full(3, 1e-5, 'float32')
    out = K.batch_normalization(x, mean, var, None, None, axis=-1, epsilon=0.)
    np.testing.assert_allclose(out, x / np.sqrt(1e-5 + 1.001e-5), rtol=1e-4)


def test_slice_with_traced_start():
    from keras.backend import execution as X
    x = rand((4, 5))
    f = X.jit(lambda s: K.slice(x, s, (2, 3)))
    np.testing.assert_array_equal(f(np.array([1, 2])), x[1:3, 2:5])


def test_bias_add_full_bias_channels_first_is_reshaped_as_keras_224():
    x = rand((2, 3, 4, 5))            # (batch, filters, rows, cols)
    b = rand((4, 5, 3), 1)            # (rows, cols, filters) as LocallyConnected2D stores it
    out = K.bias_add(x, b, data_format='channels_first')
    np.testing.assert_allclose(out, x + b.reshape(1, 3, 4, 5), rtol=1e-6)
    np.testing.assert_allclose(K.bias_add(np.moveaxis(x, 1, -1), b, 'channels_last'),
                               np.moveaxis(x, 1, -1) + b, rtol=1e-6)
    with pytest.raises(ValueError, match=r'bias dimensions 2.*expected 1 or 3'):
        K.bias_add(x, rand((3, 4)), data_format='channels_first')


def test_slice_with_a_traced_start_and_minus_one_for_a_numbered_axis():
    # keras-contrib's CRF: K.slice(x, [0, t], [-1, 2]) with t computed inside K.rnn's step
    x = np.arange(12., dtype='float32').reshape(2, 6)

    def step(inputs, states):
        t = K.cast(states[0][0, 0], 'int32')
        window = K.slice(K.constant(x), [0, t], [-1, 2])
        return K.sum(window, axis=1, keepdims=True), [states[0] + 1]
    _, outputs, _ = K.rnn(step, K.constant(np.zeros((2, 5, 1), 'float32')),
                          [K.constant(np.zeros((2, 1), 'float32'))])
    expected = np.stack([x[:, t:t + 2].sum(1) for t in range(5)], axis=1)[..., None]
    np.testing.assert_allclose(K.eval(outputs), expected)


def test_constant_with_a_shape_follows_tensorflow_1():
    # Keras 2.2.4's K.constant was tf.constant(value, dtype, shape)
    np.testing.assert_array_equal(K.eval(K.constant([-1., 1.], shape=(2, 1))), [[-1.], [1.]])
    np.testing.assert_array_equal(K.eval(K.constant(3., shape=(2, 2))), np.full((2, 2), 3.))
    # a shorter value, then its last element
    np.testing.assert_array_equal(K.eval(K.constant([1., 2.], shape=(2, 2))), [[1., 2.], [2., 2.]])
    with pytest.raises(ValueError, match='3 elements.*shape.*2'):
        K.constant([1., 2., 3.], shape=(2,))
    # so a Constant initializer takes a list for a column kernel (keras-vis's tests)
    from keras.initializers import Constant
    np.testing.assert_array_equal(K.eval(Constant([-1., 1.])((2, 1))), [[-1.], [1.]])
