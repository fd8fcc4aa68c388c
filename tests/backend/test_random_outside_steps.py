"""Random ops called outside every compiled step (`K.random_normal(shape)` at the top level
of a script) are kept as the op and drawn again wherever they are used, as Keras 2.2.4's
TensorFlow op drew at every session run: `K.eval` twice gives two draws, a `K.function` or a
model using one draws at every call, once per call however often it is used there."""
import numpy as np
import pytest

from keras import backend as K
from keras.layers import Input, Lambda
from keras.models import Model

OPS = {
    'random_normal': lambda s, **kw: K.random_normal(s, mean=-10., stddev=5., **kw),
    'random_uniform': lambda s, **kw: K.random_uniform(s, minval=-1., maxval=1., **kw),
    'truncated_normal': lambda s, **kw: K.truncated_normal(s, mean=0., stddev=2., **kw),
    'random_binomial': lambda s, **kw: K.random_binomial(s, p=0.3, **kw),
}
# mean and standard deviation of each op's distribution (a normal cut at two standard
# deviations keeps 0.7737 of its variance)
MOMENTS = {'random_normal': (-10., 5.), 'random_uniform': (0., 2. / np.sqrt(12.)),
           'truncated_normal': (0., 2. * np.sqrt(0.7737413)),
           'random_binomial': (0.3, np.sqrt(0.3 * 0.7))}


@pytest.mark.parametrize('name', sorted(OPS))
@pytest.mark.parametrize('seed', [None, 1337])
def test_evaluating_one_op_again_draws_again(name, seed):
    r = OPS[name]((10, 10), seed=seed)
    samples = np.array([K.eval(r) for _ in range(200)])
    assert len(set(s.tobytes() for s in samples)) == 200
    # the draws together follow the op's distribution (20,000 values: the bounds are
    # several standard errors wide)
    mean, std = MOMENTS[name]
    assert abs(samples.mean() - mean) < 0.03 * std + 1e-9
    assert abs(samples.std() - std) < 0.03 * std


def test_a_seeded_op_draws_the_same_sequence_when_made_again():
    first = [K.eval(K.random_uniform((5,), seed=7)) for _ in range(2)]
    np.testing.assert_array_equal(first[0], first[1])
    a, b = K.random_uniform((5,), seed=7), K.random_uniform((5,), seed=7)
    for _ in range(3):
        np.testing.assert_array_equal(K.eval(a), K.eval(b))
    # its first draw is NumPy's for the seed, which weights initialized from it keep
    np.testing.assert_allclose(K.get_value(K.variable(K.random_uniform((5,), seed=7))),
                               np.random.RandomState(7).uniform(0., 1., 5), rtol=1e-6)


def test_one_evaluation_draws_once():
    r = K.random_normal((4,))
    np.testing.assert_array_equal(K.eval(r - r), np.zeros(4))
    np.testing.assert_allclose(K.eval(K.sum(r * 0. + r) - K.sum(r)), 0., atol=1e-5)


def test_a_k_function_draws_at_every_call_once_per_call():
    x = K.placeholder((None, 3))
    r = K.random_normal((1, 3))
    f = K.function([x], [x + r, x - r])
    calls = [f([np.zeros((2, 3), 'float32')]) for _ in range(3)]
    for plus, minus in calls:
        np.testing.assert_allclose(plus, -minus)        # one draw of the call
        np.testing.assert_allclose(plus[0], plus[1])     # broadcast over the batch
    assert len(set(plus.tobytes() for plus, _ in calls)) == 3


def test_a_layer_closing_over_an_op_made_outside_draws_at_every_batch():
    noise = K.random_uniform((1, 2))
    inp = Input((2,))
    model = Model(inp, Lambda(lambda t: t + noise)(inp))
    out = model.predict(np.zeros((4, 2), 'float32'), batch_size=2)
    assert not np.allclose(out[:2], out[2:])       # a new draw per batch
    np.testing.assert_allclose(out[0], out[1])     # one per batch
    assert not np.allclose(model.predict(np.zeros((1, 2), 'float32')),
                           model.predict(np.zeros((1, 2), 'float32')))
    assert np.all((out >= 0.) & (out < 1.))


def test_an_op_of_an_outside_draw_keeps_its_shape_dtype_and_array_conversions():
    r = K.random_uniform((2, 3), dtype='float32')
    assert K.int_shape(r) == (2, 3) and K.dtype(r) == 'float32'
    assert np.asarray(r).shape == (2, 3)
    assert K.eval(r[0]).shape == (3,)
    assert K.int_shape(K.dot(r, K.ones((3, 4)))) == (2, 4)
    assert K.int_shape(K.variable(r)) == (2, 3)


def test_dropout_of_a_placeholder_and_with_a_tensor_noise_shape():
    # Keras 2.2.4: `K.function([z], [K.dropout(z, 0.5)])` was a graph op, drawn at every
    # call; keras-position-wise-feed-forward calls `K.dropout(h, rate, K.shape(h))` in a
    # layer (TensorFlow took a tensor of sizes as the noise shape)
    from keras.layers import Input, Lambda
    from keras.models import Model
    z = K.placeholder((None, 50))
    f = K.function([z], [K.dropout(z, 0.5)])
    ones = np.ones((4, 50), 'float32')
    first, second = f([ones])[0], f([ones])[0]
    assert set(np.unique(first)) <= {0., 2.} and 0 < first.mean() < 2
    assert not np.array_equal(first, second)
    x = Input((6,))
    model = Model(x, Lambda(lambda h: K.in_train_phase(K.dropout(h, 0.5, K.shape(h)), h))(x))
    model.compile('sgd', 'mse')
    data = np.ones((8, 6), 'float32')
    np.testing.assert_array_equal(model.predict(data), data)
    model.train_on_batch(data, data)    # (the training phase draws the mask)
    with K.learning_phase_scope(1):
        dropped = K.function([x], [model.output])([data])[0]
    assert set(np.unique(dropped)) <= {0., 2.}
