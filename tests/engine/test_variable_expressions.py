"""Variables read by compiled steps and functions besides the model's own, and operations on
variables done outside steps: Keras 2 on TensorFlow 1 read both in its graph at every run
(a KL weight in a `K.variable` that a callback anneals, keras-rl's soft target updates
`tau * w + (1 - tau) * w_target`). Run on both backends."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras.layers import Dense, Input, Lambda
from keras.models import Model, Sequential


def _constant_model(loss):
    # a model SGD(lr=0) never changes: its squared error on the data below is 4 per sample
    model = Sequential([Dense(1, input_shape=(2,), kernel_initializer='zeros',
                              bias_initializer='zeros')])
    model.compile(keras.optimizers.SGD(lr=0.), loss)
    return model


def test_a_loss_weight_held_in_a_variable_follows_its_value():
    beta = K.variable(0.)

    def weighted_mse(y_true, y_pred):
        return beta * K.mean(K.square(y_true - y_pred), axis=-1)

    class Anneal(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            K.set_value(beta, float(epoch))

    model = _constant_model(weighted_mse)
    x, y = np.ones((8, 2)), np.full((8, 1), 2.)
    history = model.fit(x, y, batch_size=4, epochs=3, verbose=0, callbacks=[Anneal()])
    np.testing.assert_allclose(history.history['loss'], [0., 4., 8.], rtol=1e-6)
    K.set_value(beta, 0.5)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), 2., rtol=1e-6)
    K.set_value(beta, 3.)
    np.testing.assert_allclose(model.test_on_batch(x, y), 12., rtol=1e-6)
    np.testing.assert_allclose(model.train_on_batch(x, y), 12., rtol=1e-6)


def test_a_layer_reading_a_variable_by_closure_predicts_with_its_value():
    scale = K.variable(2.)
    x = Input((3,))
    model = Model(x, Lambda(lambda t: t * scale)(x))
    f = K.function([x], [model.output])
    data = np.arange(6.).reshape(2, 3)
    for value in (2., 5., -1.):
        K.set_value(scale, value)
        np.testing.assert_allclose(model.predict(data), data * value, rtol=1e-6)
        np.testing.assert_allclose(f([data])[0], data * value, rtol=1e-6)


def test_arithmetic_on_variables_outside_a_step_follows_the_variables():
    a, v = K.variable(2.), K.variable(np.array([1., 2., 3.]))
    complement = 1. - a
    decay = K.exp(-a)
    total = K.sum(v * a)
    assert K.int_shape(total) == () and K.int_shape(v * a) == (3,)
    assert K.dtype(complement) == 'float32'
    np.testing.assert_allclose(K.eval(complement), -1.)
    np.testing.assert_allclose(np.asarray(decay), np.exp(-2.), rtol=1e-6)
    np.testing.assert_allclose(K.eval(total), 12., rtol=1e-6)
    K.set_value(a, 0.5)
    K.set_value(v, np.array([2., 2., 2.]))
    np.testing.assert_allclose(K.eval(complement), 0.5)
    np.testing.assert_allclose(float(decay), np.exp(-0.5), rtol=1e-6)
    np.testing.assert_allclose(K.eval(total), 3., rtol=1e-6)
    np.testing.assert_allclose(K.eval(v[1] + complement), 2.5, rtol=1e-6)


def test_soft_updates_of_variables_in_k_function():
    # keras-rl's target networks: (w_target, tau * w + (1 - tau) * w_target)
    source, target = K.variable(np.ones(3)), K.variable(np.zeros(3))
    tau = 0.1
    update = K.function([], [target * 1.], updates=[(target, tau * source + (1. - tau) * target)])
    expected = np.zeros(3)
    for step in range(4):
        if step == 2:
            K.set_value(source, np.full(3, 5.))
        before, = update([])
        np.testing.assert_allclose(before, expected, rtol=1e-6)
        expected = tau * K.get_value(source) + (1. - tau) * expected
        np.testing.assert_allclose(K.get_value(target), expected, rtol=1e-6)


class _Doubled(keras.layers.Layer):
    """Dense without bias whose kernel is used doubled: computed in `build` (an expression
    of the kernel) or in `call`."""

    def __init__(self, in_build, **kwargs):
        super(_Doubled, self).__init__(**kwargs)
        self.in_build = in_build

    def build(self, input_shape):
        self.kernel = self.add_weight('kernel', (input_shape[-1], 2), initializer='ones')
        if self.in_build:
            self.doubled = self.kernel * 2.
        super(_Doubled, self).build(input_shape)

    def call(self, inputs):
        return K.dot(inputs, self.doubled if self.in_build else self.kernel * 2.)

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (2,)


def test_an_expression_of_a_weight_made_in_build_is_differentiated_in_training():
    x = np.random.RandomState(0).rand(4, 3)
    y = np.random.RandomState(1).rand(4, 2)
    kernels = []
    for in_build in (True, False):
        model = Sequential([_Doubled(in_build, input_shape=(3,))])
        model.compile(keras.optimizers.SGD(lr=0.1), 'mse')
        model.train_on_batch(x, y)
        model.train_on_batch(x, y)
        kernels.append(model.get_weights()[0])
    # NumPy: two SGD steps on mean((2 x k - y)^2)
    k = np.ones((3, 2))
    for _ in range(2):
        grad = 2. * x.T.dot(2. * (2. * x.dot(k) - y)) / y.size
        k = k - 0.1 * grad
    np.testing.assert_allclose(kernels[0], k, rtol=1e-5)
    np.testing.assert_allclose(kernels[1], k, rtol=1e-5)


class _CountingZeros(keras.layers.Layer):
    """Adds `K.zeros(...)`, a variable made by every call (as Keras 2.2.4's ConvLSTM2D made
    its initial state), and counts its traces."""
    traces = 0

    def call(self, inputs):
        _CountingZeros.traces += 1
        return inputs + K.zeros((3,))


def test_variables_read_besides_the_state_cost_one_more_trace_and_no_more():
    weight = K.variable(1.)
    x = Input((3,))
    model = Model(x, Lambda(lambda t: t * weight)(_CountingZeros()(x)))
    model.compile('sgd', 'mse')
    data = np.ones((4, 3))
    before = _CountingZeros.traces
    traces = []
    for value in (1., 2., 3., 4.):
        K.set_value(weight, value)
        np.testing.assert_allclose(model.predict(data), data * value)
        traces.append(_CountingZeros.traces)
    # the first trace found `weight` outside the step's state; the first call ran again,
    # traced with it as an input; the variable the call makes is part of each trace, not
    # an input
    assert traces[0] == before + 2 and traces[3] == traces[0]


class _PenalizedInBuild(keras.layers.Layer):
    """A layer adding a penalty of its kernel in `build`, as Keras 2 layers could."""

    def build(self, input_shape):
        self.kernel = self.add_weight('kernel', (input_shape[-1], 1), initializer='ones')
        self.add_loss(0.5 * K.sum(K.square(self.kernel)))
        super(_PenalizedInBuild, self).build(input_shape)

    def call(self, inputs):
        return K.dot(inputs, self.kernel)

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (1,)


def test_a_loss_added_in_build_from_a_weight_is_computed_and_differentiated_at_each_step():
    model = Sequential([_PenalizedInBuild(input_shape=(2,))])
    model.compile(keras.optimizers.SGD(lr=0.1), 'mse')
    x, y = np.zeros((4, 2)), np.zeros((4, 1))
    # the loss is the penalty 0.5 * sum(k^2), whose gradient k shrinks k by 10% per step
    for step in range(3):
        np.testing.assert_allclose(model.train_on_batch(x, y), 0.5 * 2 * 0.81 ** step,
                                   rtol=1e-5)
        np.testing.assert_allclose(model.get_weights()[0], np.full((2, 1), 0.9 ** (step + 1)),
                                   rtol=1e-5)


def test_an_expression_of_a_variable_in_an_op_of_the_graph_follows_the_variable():
    v = K.variable(1.)
    x = Input((1,))
    f = K.function([x], [np.float32(3) * v * x])     # (3 * v) is an expression, then an op
    model = Model(x, Lambda(lambda t: t * (np.float32(2) * v))(x))
    for value in (1., 10.):
        K.set_value(v, value)
        np.testing.assert_allclose(f([np.ones((1, 1))])[0], [[3. * value]])
        np.testing.assert_allclose(model.predict(np.ones((1, 1))), [[2. * value]])
