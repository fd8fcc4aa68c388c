"""The new backend ops must trace abstractly (the engine records them with jax.eval_shape)."""
import numpy as np
import pytest

from keras import backend as K
from keras.backend import keras_tensor


@pytest.fixture
def shape_handler():
    import jax

    def handler(name, op, args, kwargs):
        tensors = []

        def strip(obj):
            if isinstance(obj, K.KerasTensor):
                tensors.append(obj)
                return ('__kt__', len(tensors) - 1)
            if isinstance(obj, (list, tuple)):
                return type(obj)(strip(o) for o in obj)
            return obj

        s_args, s_kwargs = strip(list(args)), {k: strip(v) for k, v in kwargs.items()}

        def fill(obj, vals):
            if isinstance(obj, tuple) and len(obj) == 2 and obj[0] == '__kt__':
                return vals[obj[1]]
            if isinstance(obj, (list, tuple)):
                return type(obj)(fill(o, vals) for o in obj)
            return obj

        specs = [jax.ShapeDtypeStruct(tuple(2 if d is None else d for d in t.shape), t.dtype)
                 for t in tensors]
        out = jax.eval_shape(lambda *v: op(*fill(s_args, v), **fill(s_kwargs, v)), *specs)
        return jax.tree_util.tree_map(lambda o: K.KerasTensor(o.shape, o.dtype), out)

    old = keras_tensor._handler[0]
    keras_tensor.set_symbolic_handler(handler)
    yield
    keras_tensor._handler[0] = old


def kt(*shape):
    return K.KerasTensor(shape)


def test_ops_on_keras_tensors(shape_handler):
    x4 = kt(None, 8, 8, 3)
    assert K.conv2d(x4, np.zeros((3, 3, 3, 5), 'float32'), padding='same').shape == (2, 8, 8, 5)
    assert K.conv2d_transpose(x4, np.zeros((3, 3, 4, 3), 'float32'), (None, 16, 16, 4),
                              strides=(2, 2), padding='same').shape == (2, 16, 16, 4)
    assert K.pool2d(x4, (2, 2), (2, 2), pool_mode='avg').shape == (2, 4, 4, 3)
    assert K.depthwise_conv2d(x4, np.zeros((3, 3, 3, 2), 'float32')).shape == (2, 6, 6, 6)
    assert K.resize_images(x4, 2, 2, 'channels_last', 'bilinear').shape == (2, 16, 16, 3)
    assert K.spatial_2d_padding(x4).shape == (2, 10, 10, 3)
    x3 = kt(None, 5, 4)
    assert K.batch_dot(x3, kt(None, 4, 6)).shape == (2, 5, 6)
    assert K.cumsum(x3, 1).shape == (2, 5, 4)
    assert K.temporal_padding(x3, (2, 0)).shape == (2, 7, 4)
    assert K.local_conv1d(x3, np.zeros((3, 12, 2), 'float32'), (3,), (1,)).shape == (2, 3, 2)
    last, outs, states = K.rnn(lambda x, s: (x[:, :2] + s[0], [x[:, :2] + s[0]]), x3,
                               [np.zeros((2, 2), 'float32')])
    assert outs.shape == (2, 5, 2) and last.shape == (2, 2) and states[0].shape == (2, 2)
    normed, mean, var = K.normalize_batch_in_training(x3, None, None, [0, 1])
    assert normed.shape == (2, 5, 4) and mean.shape == (4,)
    y = kt(None, 6, 5)
    assert K.ctc_batch_cost(kt(None, 3), y, kt(None, 1), kt(None, 1)).shape == (2, 1)
    decoded, log_prob = K.ctc_decode(y, kt(None))
    assert decoded[0].shape == (2, 6) and log_prob.shape == (2, 1)
    assert K.in_top_k(kt(None, 5), kt(None), 2).shape == (2,)


def test_zeros_like_ones_like_on_keras_tensors(shape_handler):
    x = kt(None, 3)
    z = K.zeros_like(x)
    assert isinstance(z, K.KerasTensor) and z.shape == (2, 3)
    assert K.ones_like(x, dtype='int32').dtype == 'int32'


def test_shape_inference_keeps_dict_entries_apart():
    # a dict whose insertion order is not sorted order: each entry keeps its own shape
    from keras.backend import shape_inference
    out = shape_inference.eval_structure(
        lambda s: {'b': s['b'] * 2, 'a': s['a'] * 2},
        {'b': kt(None, 3), 'a': kt(4, 5, 6)})
    assert out['b'].shape == (None, 3), 'expected (None, 3) for b, got %s' % (out['b'].shape,)
    assert out['a'].shape == (4, 5, 6), 'expected (4, 5, 6) for a, got %s' % (out['a'].shape,)
