"""Keras 2.2.4's symbolic training tensors and the functions code builds from them (keract,
gradient-norm callbacks): `model.total_loss`, `targets`, `sample_weights`, `_feed_inputs`,
`_feed_targets`, `_feed_sample_weights`, and `K.function` fed fewer values than inputs.
Both backends."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras.layers import Dense, Input
from keras.models import Model, Sequential


def _two_output_model():
    x = Input((3,), name='x')
    hidden = Dense(4, activation='tanh', kernel_regularizer=keras.regularizers.l2(0.01))(x)
    a = Dense(2, name='a')(hidden)
    b = Dense(1, activation='sigmoid', name='b')(hidden)
    model = Model(x, [a, b])
    model.compile(keras.optimizers.SGD(lr=0.1), ['mse', 'binary_crossentropy'],
                  loss_weights=[1., 0.5])
    return model


def _data():
    rng = np.random.RandomState(0)
    x = rng.rand(6, 3).astype('float32')
    ys = [rng.rand(6, 2).astype('float32'), (rng.rand(6, 1) > 0.5).astype('float32')]
    sws = [rng.rand(6).astype('float32'), np.ones(6, 'float32')]
    return x, ys, sws


def test_total_loss_is_the_loss_the_steps_compute():
    model = _two_output_model()
    x, ys, sws = _data()
    # (on TensorFlow 'a_target:0', the placeholder's output, as in Keras 2.2.4)
    assert [t.name.split(':')[0] for t in model._feed_targets] == ['a_target', 'b_target']
    assert [K.int_shape(w) for w in model._feed_sample_weights] == [(None,), (None,)]
    assert model._feed_inputs == model.inputs
    total = K.function(model._feed_inputs + model._feed_targets + model._feed_sample_weights,
                       [model.total_loss])
    expected = model.test_on_batch(x, ys, sample_weight=sws)[0]
    np.testing.assert_allclose(total([x] + ys + sws)[0], expected, rtol=1e-5)


def test_gradients_of_total_loss_are_the_training_gradients():
    model = _two_output_model()
    x, ys, sws = _data()
    grads = model.optimizer.get_gradients(model.total_loss, model.trainable_weights)
    f = K.function(model.inputs + model.targets + model.sample_weights + [K.learning_phase()],
                   grads)
    before = model.get_weights()
    values = f([x] + ys + sws + [0])
    model.train_on_batch(x, ys, sample_weight=sws)
    for w0, g, w1 in zip(before, values, model.get_weights()):
        np.testing.assert_allclose(w0 - 0.1 * g, w1, rtol=1e-4, atol=1e-6)


def test_training_tensors_exist_after_compile_only():
    model = Sequential([Dense(1, input_shape=(2,))])
    assert not hasattr(model, 'total_loss')
    model.compile('sgd', 'sparse_categorical_crossentropy')
    assert model.train_function is None and model.predict_function is None
    assert K.int_shape(model.targets[0]) == (None, 1)
    # the graph walked from a layer shows the model's own nodes only
    assert model.layers[-1]._outbound_nodes == []


def test_ops_and_gradients_on_a_models_tensors_add_no_outbound_node_to_its_layers():
    # keras-explain's LRP takes a layer's `_outbound_nodes[0]` as the next layer of the
    # model; after another explainer had taken `model.output[0][i]` or K.gradients it found
    # the engine's op layers there (KeyError: 'tensor_op_1'). In Keras 2.2.4 those were
    # TensorFlow ops, not layers
    model = Sequential([Dense(4, input_shape=(3,)), Dense(2)])
    first, last = model.layers
    assert [n.outbound_layer for n in first._outbound_nodes] == [last]
    score = model.output[0][1]
    grads = K.gradients(K.sum(model.output), model.input)
    model.compile('sgd', 'mse')
    assert model.total_loss is not None and model.layers[-1].output._keras_mask is None
    assert last._outbound_nodes == []
    assert [n.outbound_layer for n in first._outbound_nodes] == [last]
    # the ops still compute from the model's tensors
    data = np.random.RandomState(0).rand(2, 3).astype('float32')
    value, grad = K.function([model.input], [score] + grads)([data])
    np.testing.assert_allclose(value, model.predict(data)[0, 1], rtol=1e-6)
    kernels = [w for w in model.get_weights() if w.ndim == 2]
    expected = np.tile(kernels[0].dot(kernels[1]).sum(axis=1), (2, 1))
    # (float32 sums of products of size ~1: an element near 0 is exact to ~1e-7 absolute)
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-6)


def test_k_function_fed_fewer_values_than_inputs():
    # keract: K.function(_feed_inputs + _feed_targets + _feed_sample_weights, [output])
    # called with what `_standardize_user_data(x)` gives (no targets, no weights)
    model = _two_output_model()
    x, _, _ = _data()
    f = K.function(model._feed_inputs + model._feed_targets + model._feed_sample_weights,
                   [model.outputs[0]])
    xs, ys, sws = model._standardize_user_data(x)
    assert ys == [] and sws == []
    np.testing.assert_allclose(f(xs + ys + sws)[0], model.predict(x)[0], rtol=1e-6)
    np.testing.assert_allclose(f([x, None, None])[0], model.predict(x)[0], rtol=1e-6)
    needs_target = K.function(model._feed_inputs + model._feed_targets +
                              model._feed_sample_weights, [model.total_loss])
    with pytest.raises(ValueError, match='no value was given for the input.*a_target'):
        needs_target([x])


def test_one_function_of_two_models_whose_layers_share_names():
    # keras-adversarial trains two players with one function of both total losses; their
    # output layers (and so their target placeholders) have the same names
    models = []
    for seed in (0, 1):
        np.random.seed(seed)
        model = Sequential([Dense(1, input_shape=(3,), name='out')])
        model.compile('sgd', 'mse')
        models.append(model)
    feeds = [t for m in models
             for t in m._feed_inputs + m._feed_targets + m._feed_sample_weights]
    f = K.function(feeds, [np.float32(0) + models[0].total_loss + models[1].total_loss])
    x, y, sw = np.ones((2, 3)), np.ones((2, 1)), np.ones(2)
    expected = sum(m.test_on_batch(x, y) for m in models)
    np.testing.assert_allclose(f([x, y, sw] * 2)[0], expected, rtol=1e-5)


def test_training_tensors_can_be_set_as_in_keras_2_2_4():
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile('sgd', 'mse')
    doubled = model.total_loss * 2.
    model.total_loss = doubled
    assert model.total_loss is doubled
    model._feed_targets = []
    assert model._feed_targets == [] and len(model.targets) == 1
    model.compile('sgd', 'mse')    # a new compile makes its own
    assert model.total_loss is not doubled and len(model._feed_targets) == 1


def test_metrics_tensors_are_the_tensors_of_metrics_names_after_the_loss():
    # the hand-built train function of Keras 2.2.4 code: [total_loss] + metrics_tensors,
    # logged under metrics_names
    model = _two_output_model()
    model.compile('sgd', ['mse', 'binary_crossentropy'], metrics={'b': ['acc']})
    assert len(model.metrics_tensors) == len(model.metrics_names) - 1 == 3
    x, ys, sws = _data()
    f = K.function(model._feed_inputs + model._feed_targets + model._feed_sample_weights,
                   [model.total_loss] + model.metrics_tensors)
    np.testing.assert_allclose(f([x] + ys + sws),
                               model.test_on_batch(x, ys, sample_weight=sws), rtol=1e-5)
    # a tensor appended with its name is logged after them
    model.metrics_tensors.append(K.mean(model.outputs[0]))
    model.metrics_names.append('mean_a')
    logs = model.test_on_batch(x, ys, sample_weight=sws)
    np.testing.assert_allclose(logs[-1], model.predict(x)[0].mean(), rtol=1e-5)
