"""Optimizers written for Keras 2.2 that wrap, subclass or extend the built-in ones (the
idioms of keras-lookahead, keras-lr-multiplier, keras-gradient-accumulation and AdamW-style
subclasses), checked against NumPy steps of plain SGD on a linear model."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras import optimizers
from keras.layers import Dense, Input, Layer
from keras.models import Model, Sequential

X_DATA = np.array([[1., 2., 0.5], [0.5, -1., 2.], [2., 0., -1.], [-1., 1., 1.]], 'float32')
Y_DATA = np.array([[1.], [0.], [2.], [-1.]], 'float32')
W0 = np.array([[0.5], [-0.25], [1.]], 'float32')


def _model(optimizer, name='d'):
    model = Sequential([Dense(1, use_bias=False, input_shape=(3,), name=name)])
    model.compile(optimizer, 'mse')
    model.layers[0].set_weights([W0])
    return model


def _grad(w, x=X_DATA, y=Y_DATA):
    return 2. / len(x) * x.T @ (x @ w - y)


def _sgd_steps(w, lr, n):
    for _ in range(n):
        w = w - lr * _grad(w)
    return w


class _Collecting(optimizers.Optimizer):
    """Runs a built-in optimizer's `get_updates` with `K.update` replaced by a function
    returning ('update', variable, value) triples, then makes each update itself, moving
    every parameter only `fraction` of the way (keras-lookahead's mechanism)."""

    def __init__(self, optimizer, fraction, **kwargs):
        super(_Collecting, self).__init__(**kwargs)
        self.optimizer = optimizers.get(optimizer)
        self.fraction = fraction

    @property
    def iterations(self):
        return self.optimizer.iterations

    def get_updates(self, loss, params):
        original = K.update
        K.update = lambda x, new_x: ('update', x, new_x)
        try:
            collected = self.optimizer.get_updates(loss, params)
        finally:
            K.update = original
        updates = []
        ids = set(id(p) for p in params)
        for u in collected:
            if isinstance(u, tuple) and len(u) == 3 and u[0] == 'update':
                _, x, new_x = u
                if id(x) in ids:
                    new_x = x + self.fraction * (new_x - x)
                updates.append(K.update(x, new_x))
            else:
                updates.append(u)
        self.weights = self.optimizer.weights
        return updates


def test_a_wrapper_that_replaces_k_update_receives_the_built_in_updates():
    model = _model(_Collecting(optimizers.SGD(lr=0.1), 0.5))
    for _ in range(3):
        model.train_on_batch(X_DATA, Y_DATA)
    np.testing.assert_allclose(model.get_weights()[0], _sgd_steps(W0, 0.05, 3), rtol=1e-5)
    assert K.get_value(model.optimizer.iterations) == 3


class _Groups(optimizers.Optimizer):
    """Calls a built-in optimizer's `get_updates` once per group of parameters, with the
    learning rate times the group's multiplier, and returns its cached updates when it has
    any (keras-lr-multiplier's mechanism)."""

    def __init__(self, optimizer, multipliers, **kwargs):
        super(_Groups, self).__init__(**kwargs)
        self.optimizer = optimizers.get(optimizer)
        self.multipliers = multipliers

    def get_updates(self, loss, params):
        if len(self.updates) > 0:
            return self.updates
        groups = {}
        for p in params:
            mult = [m for prefix, m in self.multipliers.items() if p.name.startswith(prefix)]
            groups.setdefault(mult[0] if mult else 1., []).append(p)
        lr = self.optimizer.lr
        self.updates, self.weights = [], []
        for mult, group in sorted(groups.items()):
            self.optimizer.lr = lr * mult
            self.updates += self.optimizer.get_updates(loss, group)
            for w in self.optimizer.weights:
                if all(w is not v for v in self.weights):
                    self.weights.append(w)
        self.optimizer.lr = lr
        return self.updates


def test_a_wrapper_updating_groups_of_parameters_with_their_own_rates():
    a = Input((3,))
    out_a = Dense(1, use_bias=False, name='slow')(a)
    out_b = Dense(1, use_bias=False, name='fast')(a)
    model = Model(a, [out_a, out_b])
    model.compile(_Groups(optimizers.SGD(lr=0.1), {'fast': 3.}), 'mse')
    model.get_layer('slow').set_weights([W0])
    model.get_layer('fast').set_weights([W0])
    for _ in range(2):
        model.train_on_batch(X_DATA, [Y_DATA, Y_DATA])
    np.testing.assert_allclose(model.get_layer('slow').get_weights()[0],
                               _sgd_steps(W0, 0.1, 2), rtol=1e-5)
    np.testing.assert_allclose(model.get_layer('fast').get_weights()[0],
                               _sgd_steps(W0, 0.3, 2), rtol=1e-5)
    # the weights it appended to its own list are its state (the counter and each
    # group's momentum), saved with the model
    names = [v.name for v in model.optimizer.weights]
    assert names[0] == 'iterations' and len(names) == 3


class _Accumulating(optimizers.Optimizer):
    """Accumulates the gradients of `steps` batches and lets a built-in optimizer apply
    their mean once every `steps` batches, through a replaced `get_gradients`, a
    learning rate switched to zero in between and `iterations` replaced by a computed
    value (keras-gradient-accumulation's mechanism)."""

    def __init__(self, optimizer, steps, **kwargs):
        super(_Accumulating, self).__init__(**kwargs)
        self.optimizer = optimizers.get(optimizer)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.steps = steps
        self._lr = self.optimizer.lr

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        apply = K.equal((self.iterations + 1) % self.steps, 0)
        sums = [K.zeros(K.int_shape(p)) for p in params]
        means = []
        for g, s in zip(grads, sums):
            total = s + g
            self.updates.append(K.update(s, K.switch(apply, K.zeros_like(s), total)))
            means.append(total / self.steps)
        self.optimizer.get_gradients = lambda _loss, _params: means
        real_iterations = self.optimizer.iterations
        self.optimizer.iterations = (self.iterations + 1) // self.steps
        self.optimizer.lr = K.switch(apply, self._lr, 0.)
        try:
            self.updates += self.optimizer.get_updates(loss, params)
        finally:
            self.optimizer.lr = self._lr
            self.optimizer.iterations = real_iterations
            del self.optimizer.get_gradients
        return self.updates


def test_a_wrapper_replacing_get_gradients_learning_rate_and_iterations():
    model = _model(_Accumulating(optimizers.SGD(lr=0.1), 2))
    halves = [(X_DATA[:2], Y_DATA[:2]), (X_DATA[2:], Y_DATA[2:])]
    for x, y in halves:
        model.train_on_batch(x, y)
    # one step on the mean of the two halves' gradients: a step on the whole batch
    np.testing.assert_allclose(model.get_weights()[0], _sgd_steps(W0, 0.1, 1), rtol=1e-5)
    model.train_on_batch(*halves[0])
    np.testing.assert_allclose(model.get_weights()[0], _sgd_steps(W0, 0.1, 1), rtol=1e-5)


class _DoubledSGD(optimizers.SGD):
    """A subclass of a built-in optimizer with a `get_updates` of its own (Keras 2.2.4's
    plain SGD step with twice the learning rate), as AdamW-style subclasses are."""

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        for p, g in zip(params, grads):
            self.updates.append(K.update(p, p - 2. * self.lr * g))
        return self.updates


class _HalvedGradientsSGD(optimizers.SGD):
    """A subclass whose `get_updates` changes the gradients and calls the built-in one."""

    def get_gradients(self, loss, params):
        return [g * 0.5 for g in super(_HalvedGradientsSGD, self).get_gradients(loss, params)]

    def get_updates(self, loss, params):
        return super(_HalvedGradientsSGD, self).get_updates(loss, params)


def test_a_subclass_of_a_built_in_optimizer_trains_with_its_own_get_updates():
    model = _model(_DoubledSGD(lr=0.05))
    for _ in range(2):
        model.train_on_batch(X_DATA, Y_DATA)
    np.testing.assert_allclose(model.get_weights()[0], _sgd_steps(W0, 0.1, 2), rtol=1e-5)
    model = _model(_HalvedGradientsSGD(lr=0.2, momentum=0.5))
    model.train_on_batch(X_DATA, Y_DATA)
    model.train_on_batch(X_DATA, Y_DATA)
    w1 = W0 - 0.1 * _grad(W0)
    velocity = 0.5 * (-0.1 * _grad(W0)) - 0.1 * _grad(w1)
    np.testing.assert_allclose(model.get_weights()[0], w1 + velocity, rtol=1e-5)
    assert K.get_value(model.optimizer.iterations) == 2


class _LossAware(optimizers.Optimizer):
    """Uses the loss it is given: `K.gradients` of it and its value."""

    def __init__(self, lr, **kwargs):
        super(_LossAware, self).__init__(**kwargs)
        self.lr = K.variable(lr)
        self.seen = K.variable(0.)

    def get_updates(self, loss, params):
        grads = K.gradients(loss, params)
        self.updates = [K.update(self.seen, loss)]
        self.updates += [K.update(p, p - self.lr * g) for p, g in zip(params, grads)]
        return self.updates


def test_get_updates_gets_the_steps_loss():
    optimizer = _LossAware(0.1)
    model = _model(optimizer)
    loss = model.train_on_batch(X_DATA, Y_DATA)
    np.testing.assert_allclose(K.get_value(optimizer.seen), loss, rtol=1e-6)
    np.testing.assert_allclose(loss, np.mean((X_DATA @ W0 - Y_DATA) ** 2), rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], _sgd_steps(W0, 0.1, 1), rtol=1e-5)


class _KSGD(optimizers.Optimizer):
    """Keras 2.2.4's SGD written as a custom optimizer, counting its steps."""

    def __init__(self, lr, **kwargs):
        super(_KSGD, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64')
        self.lr = K.variable(lr)

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        self.updates += [K.update(p, p - self.lr * g) for p, g in zip(params, grads)]
        return self.updates


def test_a_custom_optimizers_updates_in_a_k_function_training_loop():
    inp = Input((3,))
    dense = Dense(1, use_bias=False)
    out = dense(inp)
    dense.set_weights([W0])
    target = K.placeholder(shape=(None, 1))
    loss = K.mean(K.square(out - target))
    optimizer = _KSGD(0.1)
    updates = optimizer.get_updates(loss=loss, params=dense.trainable_weights)
    assert K.get_value(optimizer.iterations) == 0     # nothing is run before the function
    train = K.function([inp, target], [loss], updates=updates)
    for _ in range(3):
        train([X_DATA, Y_DATA])
    np.testing.assert_allclose(dense.get_weights()[0], _sgd_steps(W0, 0.1, 3), rtol=1e-5)
    assert K.get_value(optimizer.iterations) == 3


class _Anchored(optimizers.Optimizer):
    """Pulls the parameters halfway back to their values when training began (state made
    from `K.get_value` of the parameters, as keras-lookahead's slow weights are)."""

    def __init__(self, lr, **kwargs):
        super(_Anchored, self).__init__(**kwargs)
        self.lr = lr

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        anchors = [K.variable(K.get_value(p)) for p in params]
        self.weights = anchors
        return [K.update(p, 0.5 * (a + p - self.lr * g))
                for p, a, g in zip(params, anchors, grads)]


def test_a_state_made_from_the_weights_takes_the_weights_set_after_compile():
    model = Sequential([Dense(1, use_bias=False, input_shape=(3,))])
    model.compile(_Anchored(0.1), 'mse')
    model.layers[0].set_weights([W0])       # after compile, before training
    model.train_on_batch(X_DATA, Y_DATA)
    np.testing.assert_allclose(model.get_weights()[0], W0 - 0.05 * _grad(W0), rtol=1e-5)


def test_a_layer_may_return_its_weight_as_an_output():
    class WithTable(Layer):
        def build(self, input_shape):
            self.table = self.add_weight('table', (4, 2), initializer='ones')
            super(WithTable, self).build(input_shape)

        def call(self, x):
            return [K.dot(x, self.table), self.table]

        def compute_output_shape(self, input_shape):
            return [(input_shape[0], 2), (4, 2)]

    x = Input((4,))
    out, table = WithTable()(x)
    assert K.int_shape(table) == (4, 2)
    model = Model(x, [out, table])
    values = model.predict(np.ones((3, 4), 'float32'), batch_size=3)
    np.testing.assert_allclose(values[0], np.full((3, 2), 4.))


def test_a_cell_marking_its_outputs_as_keras_2_2_4s_cells_did_trains():
    class Cell(Layer):
        def __init__(self, units, **kwargs):
            super(Cell, self).__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight('kernel', (input_shape[-1], self.units),
                                          initializer='glorot_uniform')
            super(Cell, self).build(input_shape)

        def call(self, inputs, states, training=None):
            h = K.tanh(K.dot(K.in_train_phase(K.dropout(inputs, 0.5), inputs,
                                              training=training), self.kernel) + states[0])
            if training is None:
                h._uses_learning_phase = True     # Keras 2.2.4's cells with dropout
            h._keras_shape = (None, self.units)
            return h, [h]

    model = Sequential([keras.layers.RNN(Cell(3), input_shape=(5, 2)), Dense(1)])
    model.compile('sgd', 'mse')
    history = model.fit(np.ones((8, 5, 2)), np.ones((8, 1)), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history['loss']))
    assert model.predict(np.ones((2, 5, 2))).shape == (2, 1)


class _CountingItself(optimizers.Optimizer):
    """Runs a built-in optimizer's updates but its step counter, which it leaves out of
    the list it returns (`get_updates(...)[1:]`, bojone's AccumOptimizer), as Keras 2.2.4's
    updates began with `K.update_add(iterations, 1)`."""

    def __init__(self, optimizer, **kwargs):
        super(_CountingItself, self).__init__(**kwargs)
        self.optimizer = optimizers.get(optimizer)
        self.iterations = K.variable(0, dtype='int64', name='iterations')

    def get_updates(self, loss, params):
        inner = self.optimizer.get_updates(loss, params)
        self.first = inner[0]
        self.updates = [K.update_add(self.iterations, 1)] + inner[1:]
        self.weights = [self.iterations] + self.optimizer.weights
        return self.updates


def test_updates_a_wrapper_leaves_out_of_its_list_are_not_made():
    model = _model(_CountingItself(optimizers.Adam(lr=0.1)))
    for _ in range(3):
        model.train_on_batch(X_DATA, Y_DATA)
    inner = model.optimizer.optimizer
    assert model.optimizer.first[0] is inner.iterations
    assert K.get_value(inner.iterations) == 0 and K.get_value(model.optimizer.iterations) == 3
    # Adam's steps with its counter left at 0: each step's bias correction is the first's
    w, m, v = W0.astype('float64'), 0., 0.
    for _ in range(3):
        g = _grad(w)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g ** 2
        w = w - 0.1 * np.sqrt(1. - 0.999) / (1. - 0.9) * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5)


# --- a subclass's own `get_gradients` (keras_gradient_noise's NoisyOptimizer) ---------------
class _ScaledSGD(optimizers.SGD):
    """Scales the clipped gradients `super().get_gradients` gives (2.2.4's `get_updates`
    applied what `self.get_gradients` returned)."""

    def get_gradients(self, loss, params):
        return [3. * g for g in super(_ScaledSGD, self).get_gradients(loss, params)]


def test_a_subclass_get_gradients_gives_the_gradients_the_built_in_rule_applies():
    model = _model(_ScaledSGD(lr=0.05))
    model.train_on_batch(X_DATA, Y_DATA)
    np.testing.assert_allclose(model.get_weights()[0], W0 - 0.05 * 3. * _grad(W0),
                               rtol=1e-5, atol=1e-7)
    # fit's dispatch of several steps at once applies it at every step
    model = _model(_ScaledSGD(lr=0.01))
    model.fit(X_DATA, Y_DATA, batch_size=4, epochs=3, verbose=0)
    w = W0
    for _ in range(3):
        w = w - 0.01 * 3. * _grad(w)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-7)
    # clipnorm applies before the override sees the gradients, as in 2.2.4
    model = _model(_ScaledSGD(lr=0.05, clipnorm=0.1))
    model.train_on_batch(X_DATA, Y_DATA)
    g = _grad(W0)
    np.testing.assert_allclose(model.get_weights()[0],
                               W0 - 0.05 * 3. * g * 0.1 / np.linalg.norm(g), rtol=1e-5)


class _GradientNoiseAdam(optimizers.Adam):
    """keras_gradient_noise's idiom: decayed Gaussian noise added in `get_gradients`."""

    def get_gradients(self, loss, params):
        grads = super(_GradientNoiseAdam, self).get_gradients(loss, params)
        t = K.cast(self.iterations, K.dtype(grads[0]))
        stddev = K.sqrt(1. / (1. + t) ** 0.55)
        return [g + K.random_normal(K.shape(g), stddev=stddev) for g in grads]


class _NoisyUpdates(optimizers.Optimizer):
    """A Keras 2.2 `get_updates` drawing noise for each update."""

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        return [K.update(p, p - 0.1 * (g + K.random_normal(K.int_shape(g))))
                for p, g in zip(params, grads)]


def _moves_on_zero_gradients(optimizer, steps):
    """How far each step moves a weight whose gradient is 0 (the noise alone moves it)."""
    model = Sequential([Dense(1, use_bias=False, input_shape=(1,), kernel_initializer='zeros')])
    model.compile(optimizer, 'mse')
    zeros = np.zeros((1, 1), 'float32')
    ws = [0.]
    for kind in steps:
        if kind == 'batch':
            model.train_on_batch(zeros, zeros)
        else:
            model.fit(np.zeros((4, 1)), np.zeros((4, 1)), batch_size=1, verbose=0)
        ws.append(float(model.get_weights()[0][0, 0]))
    return np.diff(ws)


def test_random_ops_of_an_optimizer_draw_again_at_every_step():
    # (a draw made once when the step was traced would move the weight by the same amount
    # at every step, as it did)
    for optimizer in (_GradientNoiseAdam(lr=0.1), _NoisyUpdates()):
        moves = _moves_on_zero_gradients(optimizer, ['batch'] * 4)
        assert np.all(moves != 0)
        assert len(set(np.round(moves, 6))) == 4, moves
    # four steps of one fit dispatch are not four times one draw
    moves = _moves_on_zero_gradients(_NoisyUpdates(), ['batch', 'fit'])
    assert abs(moves[1] - 4 * moves[0]) > 1e-3


class _CosineSGD(optimizers.Optimizer):
    """keras-adamw's idiom: `get_updates` replaces an attribute by a tensor of its variables
    (`self.eta_t`, `self.lr_t`, "for external tracking"), which the training loop reads."""

    def __init__(self, lr=0.1, total=10, **kwargs):
        super(_CosineSGD, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = K.variable(lr, name='lr')
        self.t_cur = K.variable(0, dtype='int64', name='t_cur')
        self.eta_t = K.variable(1., name='eta_t')
        self.total = total

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1), K.update_add(self.t_cur, 1)]
        self.eta_t = 0.5 * (1 + K.cos(np.pi * K.cast(self.t_cur / self.total, 'float32')))
        self.lr_t = self.lr * self.eta_t
        self.updates += [K.update(p, p - self.lr_t * g) for p, g in zip(params, grads)]
        return self.updates


def test_attributes_a_custom_get_updates_sets_follow_the_variables_between_steps():
    model = _model(_CosineSGD(total=10))
    opt = model.optimizer
    model._make_train_function()     # (2.2.4 ran `get_updates` there, at the first fit)
    w = W0
    for step in range(4):
        eta = 0.5 * (1 + np.cos(np.pi * step / 10))
        assert float(K.get_value(opt.eta_t)) == pytest.approx(eta, rel=1e-6)
        assert float(K.eval(opt.lr_t)) == pytest.approx(0.1 * eta, rel=1e-6)
        assert float(K.function([], [opt.eta_t])([])[0]) == pytest.approx(eta, rel=1e-6)
        model.train_on_batch(X_DATA, Y_DATA)
        w = w - 0.1 * eta * _grad(w)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5)
    assert K.get_value(opt.t_cur) == 4 and K.get_value(opt.iterations) == 4
