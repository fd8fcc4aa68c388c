"""Host data reaches the device without compiling anything: building a model, setting
weights and starting `fit` must not compile a conversion program per weight shape (each
costs tens of milliseconds of start-up)."""
import contextlib
import logging

import numpy as np
import jax
import pytest

import keras
from keras import backend as K

# what is counted is JAX's compilation log (the TensorFlow backend moves host data with
# tf.convert_to_tensor, which compiles nothing)
pytestmark = pytest.mark.backends('jax', reason="counts JAX's XLA compilations")


@contextlib.contextmanager
def count_compilations():
    seen = []

    class Handler(logging.Handler):
        def emit(self, record):
            if record.getMessage().startswith('Finished XLA compilation'):
                seen.append(record.getMessage())

    handler = Handler()
    logger = logging.getLogger('jax')
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    jax.config.update('jax_log_compiles', True)
    try:
        yield seen
    finally:
        jax.config.update('jax_log_compiles', False)
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@pytest.mark.parametrize('dtype', ['float32', 'float16', 'int32'])
def test_variables_from_host_data_compile_nothing(dtype):
    rng = np.random.RandomState(0)
    first, second, const = rng.rand(37, 29) * 50, rng.rand(37, 29) * 50, rng.rand(3, 31, 7)
    with count_compilations() as seen:
        # float64 host data of shapes no earlier test used: a conversion per shape before
        v = K.variable(first, dtype=dtype)
        K.set_value(v, second)
        c = K.constant(const, dtype=dtype)
        u = K.random_uniform((41, 5), seed=3)
    assert seen == []
    assert K.dtype(v) == dtype and K.get_value(v).dtype == np.dtype(dtype)
    np.testing.assert_array_equal(K.get_value(v), second.astype(dtype))
    np.testing.assert_array_equal(K.get_value(c), const.astype(dtype))
    assert K.int_shape(u) == (41, 5)


def test_values_are_converted_as_before():
    rng = np.random.RandomState(1)
    host = rng.rand(6, 4)
    v = K.variable(host)
    np.testing.assert_allclose(K.get_value(v), host.astype('float32'), rtol=0, atol=0)
    K.set_value(v, host * 3)
    np.testing.assert_allclose(K.get_value(v), (host * 3).astype('float32'), rtol=0, atol=0)
    b = K.variable(np.arange(5), dtype='bfloat16')
    assert K.dtype(b) == 'bfloat16'
    np.testing.assert_array_equal(K.get_value(b).astype('float32'), np.arange(5, dtype='float32'))


def test_model_build_and_fit_compile_only_the_steps():
    rng = np.random.RandomState(2)
    x = rng.rand(64, 13).astype('float32')
    y = rng.rand(64, 3).astype('float32')
    with count_compilations() as seen:
        model = keras.models.Sequential([keras.layers.Dense(17, activation='relu', input_dim=13),
                                         keras.layers.Dense(3)])
        model.compile('adam', 'mse')
        built = len(seen)
        model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    assert built == 0, seen
    # the train step itself (one batch of 64: one dispatch) and nothing to move the data
    assert len(seen) == 1, seen
