"""K.function, K.gradients and K.placeholder on symbolic graphs."""
import numpy as np
import pytest

from keras import backend as K
from keras.layers import Input, Dense, Dropout
from keras.models import Model


def _model():
    np.random.seed(3)
    x = Input((4,))
    h = Dense(3, activation='tanh', name='h')(x)
    d = Dropout(0.5)(h)
    y = Dense(1, name='y')(d)
    return Model(x, y), x, h, d, y


def test_function_with_learning_phase_input():
    m, x, h, d, y = _model()
    f = K.function([m.input, K.learning_phase()], [d, y])
    data = np.random.RandomState(0).rand(50, 4).astype('float32')
    test_d, test_y = f([data, 0])
    k, b = m.get_layer('h').get_weights()
    np.testing.assert_allclose(test_d, np.tanh(data @ k + b), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(test_y, m.predict(data), rtol=1e-5, atol=1e-6)
    train_d, _ = f([data, 1])
    zeros = train_d == 0
    assert 0.3 < zeros.mean() < 0.7
    np.testing.assert_allclose(train_d[~zeros], 2 * test_d[~zeros], rtol=1e-5)
    with pytest.raises(ValueError, match='expected 2 input values'):
        f([data])


def test_gradients_wrt_input_weight_and_intermediate_tensor():
    m, x, h, d, y = _model()
    grads = K.gradients(K.mean(y), [x, m.get_layer('h').kernel, h])
    assert [K.int_shape(g) for g in grads] == [(None, 4), (4, 3), (None, 3)]
    f = K.function([x], grads)
    data = np.random.RandomState(1).rand(2, 4).astype('float32')
    gx, gk, gh = f([data])
    k1, b1 = m.get_layer('h').get_weights()
    k2, _ = m.get_layer('y').get_weights()
    pre = data @ k1 + b1
    # d mean(y) / d h = k2^T / n ; d/dx = (1 - tanh^2) * that @ k1^T
    exp_gh = np.tile(k2[:, 0] / 2., (2, 1))
    np.testing.assert_allclose(gh, exp_gh, rtol=1e-5, atol=1e-7)
    exp_gx = ((1 - np.tanh(pre) ** 2) * exp_gh) @ k1.T
    np.testing.assert_allclose(gx, exp_gx, rtol=1e-4, atol=1e-7)
    exp_gk = data.T @ ((1 - np.tanh(pre) ** 2) * exp_gh)
    np.testing.assert_allclose(gk, exp_gk, rtol=1e-4, atol=1e-7)


def test_placeholder_and_updates():
    p = K.placeholder(shape=(None, 3))
    assert K.int_shape(p) == (None, 3) and K.is_placeholder(p)
    q = K.placeholder(ndim=2)
    assert K.int_shape(q) == (None, None)
    v = K.variable(np.zeros(3))
    f = K.function([p], [K.sum(p, axis=1)], updates=[(v, K.mean(p, axis=0))])
    out = f([np.array([[1., 2., 3.], [3., 4., 5.]])])
    np.testing.assert_allclose(out[0], [6., 12.])
    np.testing.assert_allclose(K.get_value(v), [2., 3., 4.])
