"""Module paths of Keras 2.2 that scripts import: keras.objectives, keras.backend.common,
keras.backend.tensorflow_backend, keras.engine.topology.Container."""
import warnings

import numpy as np
import pytest


def test_objectives_is_losses():
    from keras import losses, objectives
    assert objectives.mean_squared_error is losses.mean_squared_error
    assert objectives.get('categorical_crossentropy') is losses.categorical_crossentropy


def test_backend_common_configuration():
    from keras import backend as K
    from keras.backend import common
    assert common.epsilon() == K.epsilon()
    assert common.floatx() == K.floatx()
    assert common.image_data_format() == K.image_data_format()
    assert common.cast_to_floatx(np.arange(3)).dtype == np.dtype(K.floatx())


def test_backend_common_globals_are_the_configuration():
    """`K.common` and its Keras 2.2.4 globals, which custom losses read
    (`K.clip(y_pred, K.common._EPSILON, 1 - K.common._EPSILON)`) and some code sets."""
    from keras import backend as K
    assert K.common.image_dim_ordering() == 'tf'
    from keras.backend.common import _EPSILON, _FLOATX, _IMAGE_DATA_FORMAT
    assert (_EPSILON, _FLOATX, _IMAGE_DATA_FORMAT) == (K.epsilon(), K.floatx(),
                                                        K.image_data_format())
    saved = K.epsilon()
    try:
        K.common._EPSILON = 1e-4
        assert K.epsilon() == 1e-4
        y_pred = K.constant([0., 1.])
        np.testing.assert_allclose(
            K.eval(K.clip(y_pred, K.common._EPSILON, 1 - K.common._EPSILON)), [1e-4, 1 - 1e-4])
        K.set_epsilon(1e-3)
        assert K.common._EPSILON == 1e-3
    finally:
        K.set_epsilon(saved)
    with pytest.raises(ValueError, match='floatx'):
        K.common._FLOATX = 'int8'
    assert K.floatx() == 'float32'
    with pytest.raises(AttributeError, match='_NO_SUCH'):
        K.common._NO_SUCH


@pytest.mark.backends('jax', reason='the JAX backend\'s session shims (the TensorFlow backend\'s '
                     'real ones: tests/backend/test_tensorflow_backend.py)')
def test_tensorflow_backend_shims():
    from keras.backend import tensorflow_backend as tfb
    x = np.arange(6, dtype='float32').reshape(2, 3)
    np.testing.assert_allclose(tfb.eval(tfb.mean(tfb.constant(x), axis=1)), x.mean(1))
    gpus = tfb._get_available_gpus()
    assert isinstance(gpus, list) and all(g.startswith('/gpu:') for g in gpus)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        tfb.set_session('a session')
    assert 'no TensorFlow session' in str(caught[0].message)
    with pytest.raises(RuntimeError, match='K.function'):
        tfb.get_session()
    # the same through keras.backend, where Keras 2 scripts install a session for its GPU
    # options: the script goes on
    from keras import backend as K
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        K.set_session('a session')
    assert 'no TensorFlow session' in str(caught[0].message)
    assert caught[0].filename == __file__
    with pytest.raises(RuntimeError, match='K.function'):
        K.get_session()


def test_tensorflow_backend_private_helpers_code_of_its_time_calls():
    # a focal loss's `K.tensorflow_backend._to_tensor(K.epsilon(), ...)`; custom layers
    # calling `tf.nn` ops with `_preprocess_padding(self.padding)`
    from keras import backend as K
    from keras.backend import tensorflow_backend as tfb
    eps = tfb._to_tensor(K.epsilon(), 'float32')
    assert K.dtype(eps) == 'float32' and float(K.eval(eps)) == pytest.approx(1e-7)
    np.testing.assert_array_equal(K.eval(tfb._to_tensor(np.ones((2, 2)), 'float32')),
                                  np.ones((2, 2)))
    assert (tfb._preprocess_padding('same'), tfb._preprocess_padding('valid')) == \
        ('SAME', 'VALID')
    with pytest.raises(ValueError, match='Invalid padding'):
        tfb._preprocess_padding('causal')
    assert tfb._has_nchw_support() == bool(tfb._get_available_gpus())


def test_topology_container_alias():
    from keras.engine.topology import Container, Network
    from keras.layers import Dense, Input
    x = Input((2,))
    net = Container(x, Dense(3)(x))
    assert isinstance(net, Network) and net.output_shape == (None, 3)
