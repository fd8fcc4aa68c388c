"""Keras 2.2.4 module paths, private-but-used APIs and backend behaviours that existing
Keras 2 code relies on (issue 17)."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras.layers import Dense, Input, Lambda, TimeDistributed
from keras.models import Model, Sequential


def _two_output_model():
    a = Input((3,), name='in_a')
    b = Input((2,), name='in_b')
    h = keras.layers.concatenate([a, b])
    out1 = Dense(2, name='out_1')(h)
    out2 = Dense(1, name='out_2')(h)
    return Model([a, b], [out1, out2])


# ------------------------------------------------------------------ module paths
def test_training_utils_module():
    from keras.engine import training_utils as tu
    assert tu.make_batches(5, 2) == [(0, 2), (2, 4), (4, 5)]
    a = np.zeros((4, 3))
    tu.check_array_length_consistency(None, None, None)
    tu.check_array_length_consistency([a], [a], [a])
    with pytest.raises(ValueError, match='same number of samples'):
        tu.check_array_length_consistency([a], None, None)  # None counts as 0 samples
    with pytest.raises(ValueError, match='same number of samples'):
        tu.check_array_length_consistency([a], [np.zeros((3, 1))], None)
    with pytest.raises(ValueError, match='You are passing a target array'):
        tu.check_loss_and_target_compatibility(
            [np.zeros((2, 3, 1))], [keras.losses.categorical_crossentropy], [(2, 3, 1)])
    weighted = tu.weighted_masked_objective(keras.losses.mean_squared_error)
    y_true = np.array([[0.], [2.]], 'float32')
    y_pred = np.zeros((2, 1), 'float32')
    # per-sample losses 0 and 4, weights 1 and 3: mean(w * l) / mean(w != 0) = 6
    value = K.eval(weighted(y_true, y_pred, np.array([1., 3.], 'float32')))
    np.testing.assert_allclose(value, 6.0, rtol=1e-6)
    assert tu.collect_metrics(['acc'], ['a', 'b']) == [['acc'], ['acc']]
    assert tu.collect_metrics({'b': 'mae'}, ['a', 'b']) == [[], ['mae']]
    assert tu.standardize_single_array(np.zeros(3)).shape == (3, 1)
    assert tu.check_num_samples([a]) == 4
    assert sorted(tu.batch_shuffle(np.arange(5), 2).tolist()) == [0, 1, 2, 3, 4]


def test_pooling_layers_importable_from_convolutional():
    from keras.layers import convolutional, pooling
    for name in ('MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D',
                 'AveragePooling2D', 'AveragePooling3D'):
        assert getattr(convolutional, name) is getattr(pooling, name)


def test_mobilenetv2_module_alias():
    from keras.applications import mobilenetv2, mobilenet_v2
    assert mobilenetv2.MobileNetV2 is mobilenet_v2.MobileNetV2
    assert mobilenetv2.preprocess_input is mobilenet_v2.preprocess_input


def test_keras_test_decorator_clears_session():
    from keras.utils.test_utils import keras_test

    @keras_test
    def build():
        return Dense(2).name
    Dense(2)
    build()  # the counters are reset after it ...
    assert build() == build() == 'dense_1'  # ... so each later test starts from dense_1


# ------------------------------------------------------------------ private API
def test_network_private_layer_lists():
    model = _two_output_model()
    assert [l.name for l in model._input_layers] == ['in_a', 'in_b']
    assert [l.name for l in model._output_layers] == ['out_1', 'out_2']
    assert [(l.name, n, t) for l, n, t in model._output_coordinates] == \
        [('out_1', 0, 0), ('out_2', 0, 0)]


def test_make_functions_run_batches_as_keras_224():
    model = _two_output_model()
    with pytest.raises(RuntimeError, match='compile'):
        model._make_train_function()
    model.compile('sgd', 'mse')
    xa, xb = np.ones((4, 3), 'float32'), np.ones((4, 2), 'float32')
    y1, y2 = np.zeros((4, 2), 'float32'), np.zeros((4, 1), 'float32')
    w = np.ones(4, 'float32')
    model._make_test_function()
    expected = model.test_on_batch([xa, xb], [y1, y2])
    outs = model.test_function([xa, xb, y1, y2, w, w])
    np.testing.assert_allclose([float(o) for o in outs], expected, rtol=1e-6)
    model._make_train_function()
    before = model.get_weights()
    outs = model.train_function([xa, xb, y1, y2, w, w, 1])  # trailing learning phase
    assert len(outs) == 3
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    model._make_predict_function()
    preds = model.predict_function([xa, xb])
    np.testing.assert_allclose(preds[0], model.predict([xa, xb])[0], rtol=1e-6)
    with pytest.raises(ValueError, match='expected 6 input values'):
        model.test_function([xa, xb])


# ------------------------------------------------------------------ writable arrays
def test_arrays_handed_to_the_user_are_writable():
    model = Sequential([Dense(2, input_shape=(3,))])
    x = np.ones((2, 3), 'float32')
    arrays = [model.predict(x), model.predict_on_batch(x), model.get_weights()[0],
              K.get_value(model.layers[0].kernel), K.eval(K.ones((2,))),
              K.batch_get_value([model.layers[0].bias])[0],
              K.function(model.inputs, model.outputs)([x])[0]]
    for a in arrays:
        a -= 1  # Keras 2 users modify these in place
    kernel = model.get_weights()[0]
    kernel[:] = 0
    assert np.any(model.get_weights()[0] != 0)  # a copy, not the variable's storage


# ------------------------------------------------------------------ backend
def test_zeros_ones_random_accept_an_integer_shape():
    assert K.eval(K.zeros(1)).shape == (1,)
    np.testing.assert_array_equal(K.eval(K.ones(3)), np.ones(3))
    assert K.eval(K.random_uniform(4)).shape == (4,)
    assert K.eval(K.random_normal(2)).shape == (2,)


def test_stacked_static_sizes_are_a_reshape_target_in_a_lambda():
    inputs = Input((24,))
    out = Lambda(lambda t: K.reshape(t, K.stack([K.shape(t)[0], 2, 12])))(inputs)
    assert K.int_shape(out)[1:] == (2, 12)
    x = np.arange(48, dtype='float32').reshape(2, 24)
    np.testing.assert_array_equal(Model(inputs, out).predict(x), x.reshape(2, 2, 12))
    stacked = K.stack([2, 3])
    assert stacked.dtype == np.int32 and stacked.tolist() == [2, 3]
    np.testing.assert_allclose(K.eval(K.stack([K.ones(2), K.zeros(2)])), [[1, 1], [0, 0]])
