"""Raw TensorFlow ops given values of the JAX backend (Keras 2 code written for TensorFlow,
run with the default backend): the error names the line of the user's code that called
TensorFlow and the backend that runs such ops, wherever the call is (a layer's shape
inference, a Keras tensor outside layers, a loss traced in a step)."""
import numpy as np
import pytest

from keras import backend as K
from keras.layers import Dense, Input, Lambda
from keras.models import Model

pytestmark = pytest.mark.backends('jax', reason='TensorFlow ops on the JAX backend')
tf = pytest.importorskip('tensorflow')


def _notes(error):
    return '\n'.join([str(error)] + list(getattr(error, '__notes__', ())))


def test_a_tensorflow_op_in_a_lambda_names_the_line_and_the_backend():
    x = Input((4,))
    with pytest.raises(Exception) as info:
        Lambda(lambda t: tf.divide(t, 2.))(x)   # the line named
    notes = _notes(info.value)
    assert 'A TensorFlow function, called at test_tensorflow_ops_on_jax.py:' in notes
    assert 'tf.divide(t, 2.)' in notes and 'KERAS_BACKEND=tensorflow' in notes


def test_a_tensorflow_op_on_a_model_input_names_the_line_and_the_backend():
    x = Input((4,))
    with pytest.raises(TypeError) as info:
        tf.split(x, 2, axis=1)
    notes = _notes(info.value)
    assert "'input_" in notes and 'tf.split(x, 2, axis=1)' in notes
    assert 'KERAS_BACKEND=tensorflow' in notes


def test_a_tensorflow_loss_names_the_line_and_the_backend():
    x = Input((4,))
    model = Model(x, Dense(2)(x))
    model.compile('sgd', lambda y_true, y_pred: tf.reduce_mean(tf.square(y_true - y_pred)))
    with pytest.raises(Exception) as info:
        model.train_on_batch(np.ones((2, 4)), np.ones((2, 2)))
    notes = _notes(info.value)
    assert 'tf.reduce_mean(tf.square(y_true - y_pred))' in notes
    assert 'KERAS_BACKEND=tensorflow' in notes


def test_errors_without_tensorflow_in_them_get_no_such_note():
    x = Input((4,))
    with pytest.raises(Exception) as info:
        Lambda(lambda t: np.asarray(t) * 2)(x)
    assert 'TensorFlow function' not in _notes(info.value)
    with pytest.raises(TypeError) as info:
        np.asarray(x)
    assert 'TensorFlow function' not in _notes(info.value)
