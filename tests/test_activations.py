"""keras.activations: fixture numerics (Keras 2.2.4 values), NumPy references, get/serialize."""
import json
import os

import numpy as np
import pytest

from keras import activations

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'layers')


def _activation_cases():
    with open(os.path.join(FIXTURES, 'index.json')) as f:
        index = json.load(f)
    return [c for c in index['cases'] if c['id'].startswith('activation_fn_')]


@pytest.mark.parametrize('case', _activation_cases(), ids=lambda c: c['id'])
def test_activation_fixture(case):
    data = np.load(os.path.join(FIXTURES, case['file']))
    fn = getattr(activations, case['function'])
    y = np.asarray(fn(data['x0'], **case['args']))
    expected = data['y0']
    assert y.shape == expected.shape
    assert y.dtype == expected.dtype
    np.testing.assert_allclose(y, expected, **case['tolerance'])


def test_all_fixture_functions_covered():
    names = {c['function'] for c in _activation_cases()}
    assert names == {'softmax', 'elu', 'selu', 'softplus', 'softsign', 'relu', 'tanh',
                     'sigmoid', 'hard_sigmoid', 'exponential', 'linear'}


X = np.linspace(-6, 6, 49, dtype='float32').reshape(7, 7)


def _ref_softmax(x, axis=-1):
    x = x.astype('float64')
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize('name,ref', [
    ('elu', lambda x: np.where(x > 0, x, np.expm1(x))),
    ('selu', lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
    ('softplus', lambda x: np.log1p(np.exp(x))),
    ('softsign', lambda x: x / (1 + np.abs(x))),
    ('relu', lambda x: np.maximum(x, 0)),
    ('tanh', np.tanh),
    ('sigmoid', lambda x: 1 / (1 + np.exp(-x))),
    ('hard_sigmoid', lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    ('exponential', np.exp),
    ('linear', lambda x: x),
    ('softmax', _ref_softmax),
])
def test_numpy_reference(name, ref):
    y = np.asarray(getattr(activations, name)(X))
    np.testing.assert_allclose(y, ref(X.astype('float64')), rtol=1e-5, atol=1e-6)


def test_relu_options():
    x = X.astype('float64')
    y = np.asarray(activations.relu(X, alpha=0.1, max_value=3.0, threshold=1.0))
    ref = np.clip(x * (x > 1.0), 0, 3.0) - 0.1 * np.maximum(1.0 - x, 0)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


def test_elu_alpha():
    x = X.astype('float64')
    y = np.asarray(activations.elu(X, alpha=0.3))
    np.testing.assert_allclose(y, np.where(x > 0, x, 0.3 * np.expm1(x)), rtol=1e-5, atol=1e-6)


def test_softmax_axis_and_3d():
    x = np.random.RandomState(0).randn(2, 3, 4).astype('float32')
    for axis in (-1, 1, 0):
        np.testing.assert_allclose(np.asarray(activations.softmax(x, axis=axis)),
                                   _ref_softmax(x, axis), rtol=1e-5, atol=1e-6)


def test_softmax_1d_raises():
    with pytest.raises(ValueError, match='1D'):
        activations.softmax(np.zeros(5, 'float32'))


def test_get():
    assert activations.get(None) is activations.linear
    assert activations.get('relu') is activations.relu
    assert activations.get(u'softmax') is activations.softmax

    def custom(x):
        return x * 2
    assert activations.get(custom) is custom


def test_get_unknown_raises_with_name():
    with pytest.raises(ValueError, match='not_an_activation'):
        activations.get('not_an_activation')
    with pytest.raises(ValueError):
        activations.get(42)
    # Module helpers are not activations.
    for name in ('get', 'serialize', 'K'):
        with pytest.raises(ValueError):
            activations.get(name)


@pytest.mark.parametrize('name', ['softmax', 'elu', 'selu', 'softplus', 'softsign', 'relu',
                                  'tanh', 'sigmoid', 'hard_sigmoid', 'exponential', 'linear'])
def test_serialize_round_trip(name):
    fn = getattr(activations, name)
    assert activations.serialize(fn) == name
    assert activations.deserialize(activations.serialize(fn)) is fn


def test_deserialize_custom_objects():
    def my_act(x):
        return x
    assert activations.deserialize('my_act', custom_objects={'my_act': my_act}) is my_act
