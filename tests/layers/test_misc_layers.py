"""Noise, advanced activations, locally-connected and embedding layers."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras import layers
from keras.models import Model
from keras.utils.test_utils import layer_test, get_test_data


def test_noise_layers_identity_in_inference_and_noisy_in_training():
    x = np.random.rand(2000).astype("float32") + 1  # 1-D: cheap random compile
    for layer in [layers.GaussianNoise(0.5), layers.GaussianDropout(0.3),
                  layers.AlphaDropout(0.3, seed=1)]:
        np.testing.assert_array_equal(np.asarray(layer(x)), x)
        with K.StatelessScope(rng=keras.backend.next_rng_key(3)):
            y = np.asarray(layer(x, training=True))
        assert y.shape == x.shape and not np.allclose(y, x)
    with K.StatelessScope(rng=keras.backend.next_rng_key(4)):
        y = np.asarray(layers.GaussianNoise(0.5)(x, training=True))
    assert abs((y - x).std() - 0.5) < 0.05
    with K.StatelessScope(rng=keras.backend.next_rng_key(5)):
        y = np.asarray(layers.GaussianDropout(0.2)(x, training=True))
    assert abs((y / x).mean() - 1) < 0.05
    layer_test(layers.AlphaDropout, kwargs={'rate': 0.2}, input_shape=(3, 2, 3))
    # rates outside (0, 1) drop nothing, as in Keras 2.2.4 (deepface's DeepID turns its
    # Dropout(rate=1) off so); Dropout clips its rate to [0, 1]
    for layer in [layers.Dropout(1), layers.Dropout(-0.5), layers.SpatialDropout1D(1.5),
                  layers.GaussianDropout(1.), layers.AlphaDropout(1.)]:
        sequences = x.reshape(4, 5, -1) if isinstance(layer, layers.SpatialDropout1D) else x
        with K.StatelessScope(rng=keras.backend.next_rng_key(6)):
            np.testing.assert_array_equal(np.asarray(layer(sequences, training=True)), sequences)
    assert layers.Dropout(1.5).get_config()['rate'] == 1.
    with pytest.raises(TypeError, match="rate.*number.*'0.5'"):
        layers.Dropout('0.5')   # (as Keras 2.2.4's min(1., max(0., rate)) refused it)
    assert layers.GaussianNoise(0.1).get_config()['stddev'] == 0.1


def test_advanced_activations():
    x = np.linspace(-3, 3, 24).astype('float32').reshape(2, 3, 4)
    np.testing.assert_allclose(layers.LeakyReLU(0.2)(x), np.where(x > 0, x, 0.2 * x), rtol=1e-6)
    np.testing.assert_allclose(layers.ELU(0.5)(x), np.where(x > 0, x, 0.5 * np.expm1(x)),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layers.ThresholdedReLU(1.)(x), np.where(x > 1, x, 0))
    e = np.exp(x - x.max(1, keepdims=True))
    np.testing.assert_allclose(layers.Softmax(axis=1)(x), e / e.sum(1, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(layers.ReLU(max_value=2., negative_slope=.1, threshold=.5)(x),
                               np.minimum(np.where(x > .5, x, .1 * (x - .5)), 2.), rtol=1e-5,
                               atol=1e-6)
    prelu = layers.PReLU(alpha_initializer='ones', shared_axes=[1])
    prelu.build((None, 3, 4))
    assert prelu.alpha.shape == (1, 4)
    prelu.set_weights([np.array([[.1, .2, .3, .4]])])
    np.testing.assert_allclose(prelu(x), np.where(x > 0, x, x * np.array([.1, .2, .3, .4])),
                               rtol=1e-6)
    layer_test(layers.PReLU, kwargs={'shared_axes': (1, 2)}, input_shape=(2, 3, 2, 4))
    for cls, kw in [(layers.LeakyReLU, {'alpha': .1}), (layers.ELU, {'alpha': .5}),
                    (layers.ThresholdedReLU, {'theta': 2.}), (layers.Softmax, {'axis': 1}),
                    (layers.ReLU, {'max_value': 6., 'negative_slope': .1, 'threshold': 1.}),
                    (layers.PReLU, {'shared_axes': [1, 2]})]:
        config = cls(**kw).get_config()
        assert cls.from_config(config).get_config() == config
    with pytest.raises(ValueError, match='max_value'):
        layers.ReLU(max_value=-1)
    with pytest.raises(ValueError, match='negative_slope'):
        layers.ReLU(negative_slope=-1)
    with pytest.raises(ValueError, match='shared_axes'):
        layers.PReLU(shared_axes=[0])


def test_locally_connected():
    lc = layers.LocallyConnected1D(2, 3, strides=2, kernel_initializer='zeros')
    lc.build((None, 7, 3))
    assert [w.shape for w in lc.weights] == [(3, 9, 2), (3, 2)]
    k = np.random.rand(3, 9, 2).astype('float32')
    b = np.random.rand(3, 2).astype('float32')
    lc.set_weights([k, b])
    x = np.random.rand(2, 7, 3).astype('float32')
    ref = np.stack([x[:, 2 * i:2 * i + 3].reshape(2, -1) @ k[i] for i in range(3)], 1) + b
    np.testing.assert_allclose(lc(x), ref, rtol=1e-5)
    lc2 = layers.LocallyConnected2D(3, (2, 2), data_format='channels_first',
                                    kernel_initializer='zeros')
    lc2.build((None, 2, 4, 5))
    assert [w.shape for w in lc2.weights] == [(12, 8, 3), (3, 4, 3)]
    assert lc2.compute_output_shape((None, 2, 4, 5)) == (None, 3, 3, 4)
    layer_test(layers.LocallyConnected2D,
               kwargs={'filters': 2, 'kernel_size': (2, 2), 'kernel_initializer': 'ones'},
               input_shape=(2, 4, 3, 2))
    with pytest.raises(ValueError, match='valid'):
        layers.LocallyConnected2D(2, 3, padding='same')
    with pytest.raises(ValueError, match='fully'):
        layers.LocallyConnected1D(2, 3).build((None, None, 3))
    config = layers.LocallyConnected2D(2, 3, strides=2).get_config()
    assert layers.LocallyConnected2D.from_config(config).get_config() == config


def test_embedding():
    emb = layers.Embedding(10, 3, input_length=4, mask_zero=True,
                           embeddings_initializer='zeros')
    assert emb.batch_input_shape == (None, 4)
    emb.build((None, 4))
    w = np.random.rand(10, 3).astype('float32')
    emb.set_weights([w])
    ids = np.array([[1, 0, 9, 2]])
    np.testing.assert_allclose(emb(ids), w[ids])
    np.testing.assert_allclose(emb(ids.astype('float32')), w[ids])  # cast to int32
    np.testing.assert_array_equal(emb.compute_mask(ids), ids != 0)
    assert layers.Embedding(10, 3).compute_mask(ids) is None
    assert emb.compute_output_shape((None, 4)) == (None, 4, 3)
    with pytest.raises(ValueError, match='input_length'):
        emb.compute_output_shape((None, 5))
    with pytest.raises(ValueError, match='output_dim'):
        layers.Embedding(10, 0)
    config = emb.get_config()
    assert config['input_length'] == 4 and config['mask_zero'] is True
    assert layers.Embedding.from_config(config).get_config() == config
    layer_test(layers.Embedding, kwargs={'input_dim': 10, 'output_dim': 2, 'input_length': 3,
                                         'embeddings_initializer': 'ones'},
               input_shape=(2, 3), input_dtype='int32', expected_output_dtype='float32')


def test_get_test_data():
    (x_train, y_train), (x_test, y_test) = get_test_data(num_train=20, num_test=10,
                                                         input_shape=(3,), num_classes=3)
    assert x_train.shape == (20, 3) and y_test.shape == (10,)
    assert set(np.unique(y_train)) <= {0, 1, 2}
    (x_train, y_train), _ = get_test_data(num_train=5, num_test=1, input_shape=(2, 2),
                                          output_shape=(4,), classification=False)
    assert x_train.shape == (5, 2, 2) and y_train.shape == (5, 4)


def test_embedding_input_length_must_match_the_input_shape():
    from keras.models import Sequential
    from keras.layers import Embedding
    for kwargs in (dict(input_length=2, input_shape=(3, 4, 5)),
                   dict(input_length=2, input_shape=(3, 5))):
        with pytest.raises(ValueError, match='input_length'):
            Sequential([Embedding(10, 4, **kwargs)])
    model = Sequential([Embedding(10, 4, input_length=(3, None), input_shape=(3, 5))])
    assert model.output_shape == (None, 3, 5, 4)


def test_embedding_indices_outside_the_table_are_an_error_naming_them():
    # TensorFlow 1 raised on the CPU ("indices[0,1] = 5 is not in [0, 5)"); a compiled
    # lookup gave NaN, and training went NaN (an input_dim one short of the vocabulary)
    from keras.models import Sequential
    inp = layers.Input((3,))
    model = Model(inp, layers.Dense(1)(layers.Flatten()(layers.Embedding(5, 2)(inp))))
    model.compile('sgd', 'mse')
    with pytest.raises(ValueError, match=r'embedding_\d+ \(an Embedding of input_dim=5\) was '
                                         r"given indices\[0,1\] = 5 of input 'input_\d+', "
                                         r'which is not in \[0, 5\)'):
        model.predict(np.array([[1, 5, 2]]))
    with pytest.raises(ValueError, match=r'indices\[1,2\] = -1 '):
        model.fit(np.array([[1, 2, 2], [0, 3, -1]]), np.ones((2, 1)), verbose=0)
    with pytest.raises(ValueError, match=r'indices\[0,0\] = 7 '):
        model.fit_generator(iter([(np.array([[7, 0, 0]]), np.ones((1, 1)))]),
                            steps_per_epoch=1, verbose=0)
    weights = model.get_weights()
    model.fit(np.array([[0, 4, 1]]), np.ones((1, 1)), verbose=0)   # (the last index is 4)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert not np.array_equal(model.get_weights()[0], weights[0])
    sequential = Sequential([layers.Embedding(5, 2, input_length=3), layers.Flatten()])
    with pytest.raises(ValueError, match=r'indices\[0,2\] = 5.0 '):   # (floats: truncated)
        sequential.predict(np.array([[1., 4.9, 5.]]))


def test_flatten_of_an_input_of_unknown_size_is_an_error_at_the_call():
    # Keras 2.2.4 raised at once (an Embedding without input_length before Flatten), not at
    # the Dense after it
    from keras.models import Sequential
    model = Sequential([layers.Embedding(50, 8)])
    with pytest.raises(ValueError, match=r'The shape of the input to "Flatten" is not fully '
                                         r'defined \(got \(None, 8\)\)'):
        model.add(layers.Flatten())
    with pytest.raises(ValueError, match='not fully defined'):
        layers.Flatten()(layers.Input((3, None)))
    assert K.int_shape(layers.Flatten()(layers.Input((3, 4)))) == (None, 12)


def test_mobilenetv2_module_name_of_keras_224():
    from keras.applications import mobilenetv2, mobilenet_v2
    assert mobilenetv2.MobileNetV2 is mobilenet_v2.MobileNetV2


def test_reshape_takes_the_batch_size_of_its_input():
    # stellargraph's GraphSAGE reshapes the features of zero sampled neighbours: -1 cannot
    # be inferred for an empty tensor, Keras 2.2.4 gave the batch size itself
    inp = layers.Input((0, 2))
    model = Model(inp, layers.Reshape((1, 0, 2))(inp))
    assert model.predict(np.zeros((3, 0, 2))).shape == (3, 1, 0, 2)
    inp = layers.Input((None, 2))
    x = np.arange(24, dtype='float32').reshape(2, 6, 2)
    got = Model(inp, layers.Reshape((-1, 4))(inp)).predict(x)
    np.testing.assert_array_equal(got, x.reshape(2, 3, 4))


def test_advanced_activation_parameters_are_held_as_floatx_arrays():
    # Keras 2.2.4 held them as `K.cast_to_floatx(value)`: MMdnn's converter reads
    # `layer.alpha.tolist()`; configs hold floats
    x = np.array([[-2., -0.5, 0.5, 3.]], 'float32')
    for layer, attribute, reference in [
            (layers.LeakyReLU(0.1), 'alpha', np.where(x > 0, x, 0.1 * x)),
            (layers.ELU(0.5), 'alpha', np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
            (layers.ThresholdedReLU(0.6), 'theta', np.where(x > 0.6, x, 0.)),
            (layers.ReLU(2., threshold=0.2), 'threshold', np.where(x > 0.2, np.minimum(x, 2.), 0.))]:
        value = getattr(layer, attribute)
        assert isinstance(value, np.ndarray) and value.dtype == np.float32 and value.ndim == 0
        assert layer.get_config()[attribute] == value.tolist()
        np.testing.assert_allclose(np.asarray(layer(x)), reference, rtol=1e-6)
        restored = type(layer).from_config(layer.get_config())
        np.testing.assert_array_equal(np.asarray(restored(x)), np.asarray(layer(x)))
