"""Property-based checks (hypothesis): for drawn layer configurations, input shapes and `fit`
arguments, every call either works or raises a ValueError/TypeError whose message names the
argument at fault; no JAX or NumPy internal error reaches the user."""
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip('hypothesis')   # a test dependency (pyproject [test])
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from keras import layers  # noqa: E402
from keras.models import Sequential  # noqa: E402

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))

sizes = st.one_of(st.integers(-2, 6), st.sampled_from([0, 1.5, '3', None, True]))


def _check(make, names, call=None):
    """`make()` (and `call(result)`) works, or fails with a ValueError/TypeError whose
    message mentions one of `names`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            result = make()
            if call is not None:
                call(result)
    except (ValueError, TypeError) as e:
        message = str(e).lower()
        assert any(n.lower() in message for n in names), \
            '%s: %s does not name any of %s' % (type(e).__name__, e, names)


@SETTINGS
@given(units=sizes, batch=st.integers(1, 3), features=st.integers(1, 4))
def test_dense(units, batch, features):
    _check(lambda: Sequential([layers.Dense(units, input_shape=(features,))]), ['units'],
           lambda m: m.predict(np.ones((batch, features), 'float32')))


@SETTINGS
@given(filters=sizes, kernel=sizes, strides=sizes, padding=st.sampled_from(
    ['valid', 'same', 'causal', 'full', 3]), side=st.integers(1, 6))
def test_conv2d(filters, kernel, strides, padding, side):
    _check(lambda: Sequential([layers.Conv2D(filters, kernel, strides=strides, padding=padding,
                                             input_shape=(side, side, 1))]),
           ['filters', 'kernel_size', 'strides', 'padding', 'input'],
           lambda m: m.predict(np.ones((1, side, side, 1), 'float32')))


@SETTINGS
@given(pool=sizes, strides=st.one_of(st.none(), sizes), side=st.integers(1, 5),
       padding=st.sampled_from(['valid', 'same', 'x']))
def test_max_pooling(pool, strides, side, padding):
    _check(lambda: Sequential([layers.MaxPooling2D(pool, strides=strides, padding=padding,
                                                   input_shape=(side, side, 2))]),
           ['pool_size', 'pool size', 'strides', 'padding'],
           lambda m: m.predict(np.ones((1, side, side, 2), 'float32')))


@SETTINGS
@given(units=sizes, dropout=st.one_of(st.floats(-1, 2), st.just('a')), steps=st.integers(0, 3))
def test_lstm(units, dropout, steps):
    _check(lambda: Sequential([layers.LSTM(units, dropout=dropout, input_shape=(steps, 2))]),
           ['units', 'dropout', 'timesteps', 'time steps', 'input'],
           lambda m: m.predict(np.ones((2, steps, 2), 'float32')))


_model = Sequential([layers.Dense(2, input_shape=(3,))])
_model.compile('sgd', 'mse')


@SETTINGS
@given(n=st.integers(0, 5), batch_size=st.one_of(st.none(), sizes),
       epochs=st.one_of(st.integers(-1, 2), st.just(1.5)),
       validation_split=st.one_of(st.floats(-0.5, 1.5), st.just('x')),
       y_rows=st.integers(0, 5))
def test_fit_arguments(n, batch_size, epochs, validation_split, y_rows):
    x = np.ones((n, 3), 'float32')
    y = np.ones((y_rows, 2), 'float32')
    _check(lambda: _model.fit(x, y, batch_size=batch_size, epochs=epochs,
                              validation_split=validation_split, verbose=0),
           ['batch_size', 'epochs', 'validation_split', 'samples', 'sample'])
