"""An update made outside a step used as a tensor (`s = K.update_add(seen, 1.)`, then
`K.less(s, 3.)`), as Keras 2.2.4 code used TensorFlow 1's assign op: its value is the
variable's new value, and computing it makes the assignment, once per evaluation or step
(keras-yolo2's warm-up counter in its loss)."""
import numpy as np

from keras import backend as K
from keras.layers import Dense, Input, Lambda
from keras.models import Model
from keras.optimizers import SGD


def test_an_update_used_as_a_tensor_assigns_where_it_is_computed():
    v = K.variable(0.)
    s = K.update_add(v, 1.)
    less = K.less(s, 3.)
    assert K.get_value(v) == 0.          # nothing ran yet
    assert K.eval(less) and K.get_value(v) == 1.
    assert K.eval(s + 1.) == 3. and K.get_value(v) == 2.
    assert K.eval(2. * s) == 6. and K.eval(-s) == -4. and K.get_value(v) == 4.
    # one evaluation or call runs it once, however often it is read there
    assert K.eval(s - s) == 0. and K.get_value(v) == 5.
    f = K.function([], [s, s * 2.])
    assert [float(o) for o in f([])] == [6., 12.] and K.get_value(v) == 6.
    assert [float(o) for o in f([])] == [7., 14.] and K.get_value(v) == 7.
    # the pair is still a pair for `K.function(updates=...)`
    g = K.function([], [], updates=[K.update_sub(v, 2.)])
    g([])
    assert K.get_value(v) == 5.
    assert tuple.__len__(s) == 2 and (s + (1,))[2] == 1


def _warm_up_model(closure):
    a, w = Input((3,)), Input((2,))
    model = Model([a, w], Lambda(lambda t: t[0])([Dense(2)(a), w]))
    seen = K.variable(0.)

    def loss(y_true, y_pred):
        # keras-yolo2: a batch counter incremented by the loss, 10 more for the first two
        # batches; reading the input `w` by closure builds the loss on the graph
        s = K.update_add(seen, 1.)
        err = K.mean(K.square(y_true - y_pred) * (w if closure else 1.))
        return K.switch(K.less(s, 3.), err + 10., err)
    model.compile(SGD(0.), loss=loss)
    return model, seen


def test_a_loss_counting_its_batches_with_an_update_counts_every_step():
    x, w, y = np.ones((2, 3), 'float32'), np.ones((2, 2), 'float32'), np.zeros((2, 2))
    for closure in (True, False):
        model, seen = _warm_up_model(closure)
        losses = [float(model.train_on_batch([x, w], y))]
        losses.append(float(model.evaluate([x, w], y, verbose=0)))   # its graph ran too
        losses += [float(model.train_on_batch([x, w], y)) for _ in range(2)]
        assert K.get_value(seen) == 4.
        err = losses[-1]
        np.testing.assert_allclose(losses, [err + 10., err + 10., err, err], rtol=1e-5)


def test_a_variable_a_loss_makes_is_made_once():
    # Keras 2.2.4 called a loss once, at compile: a counter it makes with `K.variable` in its
    # body is one variable, which every step reads and increments
    a = Input((3,))
    model = Model(a, Dense(2)(a))
    made = []

    def loss(y_true, y_pred):
        seen = K.variable(0.)
        made.append(seen)
        s = K.update_add(seen, 1.)
        err = K.mean(K.square(y_true - y_pred))
        return K.switch(K.less(s, 3.), err + 10., err)
    model.compile(SGD(0.), loss=loss)
    x, y = np.ones((2, 3), 'float32'), np.zeros((2, 2), 'float32')
    losses = [float(model.train_on_batch(x, y)) for _ in range(4)]
    losses.append(float(model.evaluate(x, y, verbose=0)))
    err = losses[-1]
    np.testing.assert_allclose(losses, [err + 10., err + 10., err, err, err], rtol=1e-5)
    assert len(set(id(v) for v in made)) == 1 and K.get_value(made[0]) == 5.
