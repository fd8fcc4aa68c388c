"""BatchNormalization: Keras 2.2.4 training statistics, frozen layers, config, errors."""
import numpy as np
import pytest

import keras
from keras import layers
from keras import backend as K
from keras.models import Model, Sequential


def _model(layer, shape):
    inp = layers.Input(shape=shape)
    model = Model(inp, layer(inp))
    model.compile(keras.optimizers.SGD(lr=0.), 'mse')
    return model


def test_zero_debiased_moving_average_over_two_steps():
    momentum, eps = 0.9, 1e-3
    bn = layers.BatchNormalization(momentum=momentum, epsilon=eps)
    model = _model(bn, (3,))
    x1 = np.random.rand(5, 3).astype('float32')
    x2 = np.random.rand(5, 3).astype('float32') * 2
    model.train_on_batch(x1, x1)
    model.train_on_batch(x2, x2)
    n = 5
    v1, v2 = x1.var(0) * n / (n - 1 - eps), x2.var(0) * n / (n - 1 - eps)
    b_mean = (x1.mean(0) * (1 - momentum)) * momentum + x2.mean(0) * (1 - momentum)
    b_var = (v1 * (1 - momentum)) * momentum + v2 * (1 - momentum)
    debias = 1 - momentum ** 2
    gamma, beta, mean, var = bn.get_weights()
    np.testing.assert_allclose(mean, b_mean / debias, rtol=1e-5)
    np.testing.assert_allclose(var, b_var / debias, rtol=1e-5)
    np.testing.assert_allclose(gamma, 1.)
    # the step count is state, not a weight
    assert len(bn.weights) == 4 and len(bn._state_variables) == 1
    assert K.get_value(bn._update_step) == 2
    assert [w.name.split('/')[-1] for w in bn.weights] == ['gamma', 'beta', 'moving_mean',
                                                           'moving_variance']


def test_inference_uses_moving_statistics_and_training_batch_statistics():
    bn = layers.BatchNormalization(axis=1, epsilon=1e-3)
    x = np.random.rand(4, 2, 3).astype('float32')
    bn.build(x.shape)
    bn.set_weights([np.array([2., 3.]), np.array([.1, .2]), np.array([.5, .4]),
                    np.array([1.5, .5])])
    y = np.asarray(bn(x))
    ref = (x - np.array([.5, .4])[:, None]) / np.sqrt(np.array([1.5, .5])[:, None] + 1e-3) * \
        np.array([2., 3.])[:, None] + np.array([.1, .2])[:, None]
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    y_train = np.asarray(bn(x, training=True))
    m, v = x.mean((0, 2), keepdims=True), x.var((0, 2), keepdims=True)
    ref = (x - m) / np.sqrt(v + 1e-3) * np.array([2., 3.])[:, None] + np.array([.1, .2])[:, None]
    np.testing.assert_allclose(y_train, ref, rtol=1e-4, atol=1e-5)
    # a direct call does not change the moving statistics (Keras 2.2.4 registers updates only)
    np.testing.assert_allclose(bn.get_weights()[2], [.5, .4])


@pytest.mark.parametrize('freeze', ['layer', 'model'])
def test_a_frozen_layer_keeps_its_statistics_and_trains_on_the_batchs(freeze):
    """Keras 2.2.4: a frozen BatchNormalization (the layer, or a model holding it) runs
    none of its updates, and in training still normalizes with the batch's mean and
    variance (K.in_train_phase); inference uses the moving statistics (tf.keras 2 later
    made a frozen layer normalize with the moving statistics in training too)."""
    bn = layers.BatchNormalization(trainable=(freeze != 'layer'))
    inner = _model(bn, (3,))
    inputs = keras.layers.Input((3,))
    model = keras.models.Model(inputs, inner(inputs))
    if freeze == 'model':
        inner.trainable = False
    before = [w.copy() for w in bn.get_weights()]
    x = np.random.RandomState(0).rand(6, 3).astype('float32') * 5
    model.compile(keras.optimizers.SGD(lr=0.1), 'mse')
    normed = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(model.train_on_batch(x, np.zeros_like(x)), np.mean(normed ** 2),
                               rtol=1e-5)
    for a, b in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.trainable_weights == []
    np.testing.assert_allclose(model.predict(x), x / np.sqrt(1 + 1e-3), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(bn(x, training=True)), normed, rtol=1e-4, atol=1e-5)


def test_fit_in_sequential_with_conv_updates_statistics():
    model = Sequential([layers.Conv2D(2, 3, input_shape=(6, 6, 1), kernel_initializer='ones'),
                        layers.BatchNormalization(), layers.GlobalAveragePooling2D()])
    model.compile('sgd', 'mse')
    x = np.random.rand(8, 6, 6, 1).astype('float32')
    model.fit(x, np.random.rand(8, 2), epochs=1, batch_size=8, verbose=0)
    mean = model.layers[1].get_weights()[2]
    assert np.all(mean != 0)


def test_config_and_errors():
    bn = layers.BatchNormalization(axis=1, momentum=0.5, center=False, gamma_regularizer='l2')
    config = bn.get_config()
    assert config['axis'] == 1 and config['momentum'] == 0.5 and config['center'] is False
    assert layers.BatchNormalization.from_config(config).get_config() == config
    with pytest.raises(ValueError, match='momentum'):
        layers.BatchNormalization(momentum=2.)
    with pytest.raises(TypeError, match='axis'):
        layers.BatchNormalization(axis='channels')
    with pytest.raises(ValueError, match='Axis'):
        layers.BatchNormalization().build((None, None))
    bn = layers.BatchNormalization(center=False, scale=False)
    bn.build((None, 3))
    assert len(bn.weights) == 2


def test_freezing_between_compile_and_the_first_fit_stops_the_updates_as_in_keras_224():
    """Keras 2.2.4 collected the updates when it made the train function, at the first fit
    after compile: a layer frozen before that fit runs none (its weights, collected at
    compile, still train, with the discrepancy warning); frozen after it, it goes on."""
    x = np.random.RandomState(1).rand(6, 3).astype('float32') * 5
    for freeze_before_first_fit in (True, False):
        bn = layers.BatchNormalization()
        inputs = keras.layers.Input((3,))
        model = Model(inputs, bn(inputs))
        model.compile(keras.optimizers.SGD(lr=0.1), 'mse')
        if not freeze_before_first_fit:
            model.train_on_batch(x, np.zeros_like(x))
        moving = [w.copy() for w in bn.get_weights()[2:]]
        bn.trainable = False
        with pytest.warns(UserWarning, match='Discrepancy'):
            model.train_on_batch(x, np.zeros_like(x))
        unchanged = [np.array_equal(a, b) for a, b in zip(moving, bn.get_weights()[2:])]
        assert unchanged == [freeze_before_first_fit] * 2
