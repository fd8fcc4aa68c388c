"""Losses, metrics and layers that read the optimizer's variables (its step counter, its
learning rate) see their values at each batch, as Keras 2.2.4's graph read them."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras.layers import Dense, Input, Lambda
from keras.models import Model, Sequential


@pytest.fixture(autouse=True)
def _fresh_names():
    K.clear_session()
    yield


def _data(n=8):
    rng = np.random.RandomState(0)
    return rng.rand(n, 2).astype('float32'), rng.rand(n, 1).astype('float32')


def _counting_model(opt):
    def step(y_true, y_pred):
        return K.cast(opt.iterations, 'float32')
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(opt, 'mse', metrics=[step])
    return model


@pytest.mark.parametrize('evaluate_first', [False, True])
def test_a_metric_reading_the_step_counter_counts_in_fit_and_evaluate(evaluate_first):
    x, y = _data()
    model = _counting_model(keras.optimizers.SGD(lr=0.1))
    if evaluate_first:
        assert model.evaluate(x, y, verbose=0)[1] == 0.
    # each batch reads the count before its update: batches 0, 1 then 2, 3
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert history.history['step'] == [0.5, 2.5]
    assert model.evaluate(x, y, verbose=0)[1] == 4.
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] == 6.
    assert model.train_on_batch(x, y)[1] == 6.
    assert model.test_on_batch(x, y)[1] == 7.


def test_learning_rate_metrics_follow_the_schedule_and_the_decay():
    x, y = _data()
    opt = keras.optimizers.Adam(lr=0.01, decay=0.5)

    def lr(y_true, y_pred):
        return opt.lr

    def decayed_lr(y_true, y_pred):
        # the rate Adam's update uses at this step
        return opt.lr / (1. + opt.decay * K.cast(opt.iterations, K.dtype(opt.decay)))
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(opt, 'mse', metrics=[lr, decayed_lr])
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: 0.01 / (epoch + 1))
    history = model.fit(x, y, batch_size=4, epochs=3, verbose=0, callbacks=[schedule])
    np.testing.assert_allclose(history.history['lr'], [0.01, 0.005, 0.01 / 3], rtol=1e-6)
    # two batches an epoch: steps 0, 1, then 2, 3, then 4, 5
    expected = [np.mean([base / (1 + 0.5 * step) for step in steps]) for base, steps in
                [(0.01, (0, 1)), (0.005, (2, 3)), (0.01 / 3, (4, 5))]]
    np.testing.assert_allclose(history.history['decayed_lr'], expected, rtol=1e-6)
    gen = ((x, y) for _ in iter(int, 1))
    K.set_value(opt.lr, 0.25)
    history = model.fit_generator(gen, steps_per_epoch=2, epochs=1, verbose=0)
    np.testing.assert_allclose(history.history['lr'], [0.25], rtol=1e-6)
    np.testing.assert_allclose(history.history['decayed_lr'],
                               [np.mean([0.25 / (1 + 0.5 * 6), 0.25 / (1 + 0.5 * 7)])],
                               rtol=1e-6)


def test_a_layer_reading_the_step_counter_sees_it_in_training_and_prediction():
    x, y = _data()
    opt = keras.optimizers.SGD(lr=0.0)
    inputs = Input((2,))
    # a warm-up factor of the step count, as annealing layers compute it
    scaled = Lambda(lambda t: t * K.cast(opt.iterations, 'float32'))(inputs)
    model = Model(inputs, Dense(1, kernel_initializer='ones', use_bias=False)(scaled))
    model.compile(opt, 'mse')
    total = x.sum(1, keepdims=True)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(x), 2 * total, rtol=1e-6)
    # the step reads the count before its update
    np.testing.assert_allclose(model.train_on_batch(x, y), np.mean((2 * total - y) ** 2),
                               rtol=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(x), 3 * total, rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), np.mean((3 * total - y) ** 2),
                               rtol=1e-5)
