"""keras.utils.test_utils.layer_test as Keras 2.2.4's: third-party layer libraries run their
tests with it (keras-contrib's CosineDense and Capsule tests)."""
import numpy as np
import pytest

from keras import backend as K
from keras.engine.base_layer import Layer
from keras.layers import Dense, Dropout
from keras.utils.generic_utils import CustomObjectScope
from keras.utils.test_utils import layer_test


def test_more_samples_than_a_predict_batch_and_any_batch_size():
    # 2.2.4 tested the layer in a functional model on an Input of unknown batch size only
    out = layer_test(Dense, kwargs={'units': 2}, input_shape=(100, 4))
    assert out.shape == (100, 2)
    layer_test(Dropout, kwargs={'rate': 0.5}, input_shape=(40, 3))


class Scaled(Layer):
    """A layer with a `weights` argument (None by default) and no weights of its own."""

    def __init__(self, factor=2., weights=None, **kwargs):
        super(Scaled, self).__init__(**kwargs)
        if weights is not None:
            raise AssertionError('weights given: %r' % (weights,))
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        config = super(Scaled, self).get_config()
        config['factor'] = self.factor
        return config


def test_a_layer_without_weights_is_not_rebuilt_from_an_empty_list():
    data = np.arange(6.).reshape(2, 3).astype('float32')
    with CustomObjectScope({'Scaled': Scaled}):     # (as keras-contrib registers its layers)
        out = layer_test(Scaled, kwargs={'factor': 3.}, input_data=data,
                         expected_output=3. * data)
    np.testing.assert_allclose(out, 3. * data)


def test_a_wrong_output_size_or_value_fails():
    class Wrong(Layer):
        def call(self, x):
            return K.concatenate([x, x])

        def compute_output_shape(self, input_shape):
            return input_shape

    with pytest.raises(AssertionError):
        layer_test(Wrong, input_shape=(2, 3))
    with pytest.raises(AssertionError):
        layer_test(Scaled, kwargs={'factor': 3.}, input_data=np.ones((2, 3), 'float32'),
                   expected_output=np.ones((2, 3)))
