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


def test_topology_container_alias():
    from keras.engine.topology import Container, Network
    from keras.layers import Dense, Input
    x = Input((2,))
    net = Container(x, Dense(3)(x))
    assert isinstance(net, Network) and net.output_shape == (None, 3)
