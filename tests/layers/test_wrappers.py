"""TimeDistributed and the Wrapper base."""
import numpy as np
import pytest

from keras import backend as K
from keras import layers
from keras.models import Model, Sequential
from keras.utils.test_utils import layer_test


def test_time_distributed_dense_layer_test():
    layer_test(layers.TimeDistributed,
               kwargs={'layer': layers.Dense(2, kernel_initializer='ones')},
               input_shape=(3, 2, 4))


def test_time_distributed_conv2d_matches_per_step():
    conv = layers.Conv2D(3, 2, kernel_initializer='zeros')
    td = layers.TimeDistributed(conv)
    x = np.random.rand(2, 4, 5, 5, 2).astype('float32')
    td.build(x.shape)
    conv.set_weights([np.random.rand(2, 2, 2, 3).astype('float32'), np.array([.1, .2, .3])])
    y = np.asarray(td(x))
    assert y.shape == (2, 4, 4, 4, 3)
    for t in range(4):
        np.testing.assert_allclose(y[:, t], np.asarray(conv(x[:, t])), rtol=1e-5, atol=1e-6)
    assert td.compute_output_shape((None, 4, 5, 5, 2)) == (None, 4, 4, 4, 3)
    assert td.weights == conv.weights and td.get_weights()[1].shape == (3,)
    # trained inside a model
    inp = layers.Input(shape=(4, 5, 5, 2))
    model = Model(inp, layers.TimeDistributed(layers.Conv2D(3, 2, kernel_initializer='ones'))(inp))
    model.compile('sgd', 'mse')
    before = model.get_weights()[0].copy()
    model.fit(x, np.zeros((2, 4, 4, 4, 3)), verbose=0)
    assert not np.allclose(model.get_weights()[0], before)


def test_time_distributed_nested_model_with_batchnorm():
    i = layers.Input(shape=(5,))
    inner = Model(i, layers.BatchNormalization()(layers.Dense(3, kernel_initializer='ones')(i)))
    inp = layers.Input(shape=(4, 5))
    td = layers.TimeDistributed(inner)
    out = td(inp)
    assert K.int_shape(out) == (None, 4, 3)
    assert len(td.trainable_weights) == 4 and len(td.non_trainable_weights) == 2
    model = Model(inp, out)
    model.compile('sgd', 'mse')
    x = np.random.rand(6, 4, 5).astype('float32')
    # the dense output the one training step normalizes (kernel of ones, zero bias)
    dense_out = x.reshape(-1, 5) @ np.ones((5, 3), 'float32')
    model.fit(x, np.random.rand(6, 4, 3), batch_size=6, verbose=0)
    # one step: zero-debiased moving mean = mean over batch*time of the dense output
    moving_mean = inner.layers[2].get_weights()[2]
    assert moving_mean.shape == (3,) and np.all(np.isfinite(moving_mean))
    np.testing.assert_allclose(moving_mean, dense_out.mean(axis=0), rtol=1e-5)
    pred = model.predict(x)
    np.testing.assert_allclose(pred.reshape(-1, 3), inner.predict(x.reshape(-1, 5)),
                               rtol=1e-5, atol=1e-5)


def test_time_distributed_masks():
    inp = layers.Input(shape=(3, 4), dtype='int32')
    td_emb = layers.TimeDistributed(layers.Embedding(5, 2, mask_zero=True))
    emb = td_emb(inp)
    assert K.int_shape(emb) == (None, 3, 4, 2)
    ids = np.array([[[1, 0, 2, 0], [0, 0, 0, 0], [3, 3, 3, 3]]])
    np.testing.assert_array_equal(td_emb.compute_mask(ids, None), ids != 0)
    # inner layer that passes its mask on (Dense): the per-step masks, reshaped back
    td_dense = layers.TimeDistributed(layers.Dense(2))
    x = np.zeros((1, 3, 4, 2), 'float32')
    td_dense.build(x.shape)
    np.testing.assert_array_equal(td_dense.compute_mask(x, ids != 0), ids != 0)
    assert td_dense.compute_mask(x, None) is None
    # inner layer that consumes the mask: the input mask is reduced to (batch, time)
    td_pool = layers.TimeDistributed(layers.GlobalAveragePooling1D())
    td_pool.build(x.shape)
    np.testing.assert_array_equal(td_pool.compute_mask(x, ids != 0), [[True, False, True]])
    np.testing.assert_allclose(np.asarray(td_pool(x + 1., mask=ids != 0))[0, 0], [1., 1.])
    seq_inp = layers.Input(shape=(3,), dtype='int32')
    masked = layers.Embedding(5, 2, mask_zero=True)(seq_inp)
    out = layers.TimeDistributed(layers.Dense(2))(masked)
    assert K.int_shape(out._keras_mask) == (None, 3)


def test_config_round_trip_and_errors():
    td = layers.TimeDistributed(layers.Conv2D(2, 3, padding='same'), name='td')
    config = td.get_config()
    assert config['layer']['class_name'] == 'Conv2D'
    clone = layers.TimeDistributed.from_config(config)
    assert clone.layer.get_config()['padding'] == 'same' and clone.name == 'td'
    model = Sequential([layers.TimeDistributed(layers.Dense(2), input_shape=(3, 4))])
    clone = Sequential.from_config(model.get_config())
    x = np.random.rand(2, 3, 4)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)
    with pytest.raises(ValueError, match='3D'):
        layers.TimeDistributed(layers.Dense(2))(layers.Input(shape=(3,)))
    with pytest.raises(TypeError, match='layer'):
        layers.TimeDistributed('dense')


def test_trainable_follows_inner_layer():
    dense = layers.Dense(2, trainable=False)
    td = layers.TimeDistributed(dense)
    assert td.trainable is False
    td.build((None, 3, 4))
    assert td.trainable_weights == [] and len(td.non_trainable_weights) == 2
    td.trainable = True
    assert dense.trainable and len(td.trainable_weights) == 2
    assert isinstance(td, layers.Wrapper)


def test_time_distributed_input_map_as_keras_224():
    from keras.utils.generic_utils import object_list_uid
    model = Sequential()
    td = layers.TimeDistributed(layers.Dense(2), input_shape=(3, 4))
    model.add(td)
    uid = object_list_uid(model.inputs)
    assert list(td._input_map) == [uid]
    assert K.int_shape(td._input_map[uid]) == (None, 4)
