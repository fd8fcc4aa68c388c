"""Pooling layers: NumPy references, masking, configs, errors and aliases."""
import numpy as np
import pytest

from keras import layers
from keras.models import Model
from keras.utils.test_utils import layer_test


def test_max_and_average_pooling_2d_reference():
    x = np.random.rand(2, 4, 6, 3).astype('float32')
    y = np.asarray(layers.MaxPooling2D((2, 3))(x))
    ref = x.reshape(2, 2, 2, 2, 3, 3).max(axis=(2, 4))
    np.testing.assert_allclose(y, ref)
    y = np.asarray(layers.AveragePooling2D((2, 3), data_format='channels_first')(
        x.transpose(0, 3, 1, 2)))
    ref = x.reshape(2, 2, 2, 2, 3, 3).mean(axis=(2, 4)).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(y, ref, rtol=1e-6)


def test_average_pooling_1d_same_counts_real_elements():
    x = np.arange(5, dtype='float32').reshape(1, 5, 1)
    y = np.asarray(layers.AveragePooling1D(2, strides=2, padding='same')(x))[0, :, 0]
    np.testing.assert_allclose(y, [0.5, 2.5, 4.])
    y = np.asarray(layers.MaxPooling1D(3, strides=1, padding='same')(-x))[0, :, 0]
    np.testing.assert_allclose(y, [0., 0., -1., -2., -3.])


def test_global_pooling_and_masked_average():
    x = np.random.rand(2, 3, 4, 5).astype('float32')
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(x), x.mean((1, 2)), rtol=1e-6)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D(data_format='channels_first')(x),
                               x.max((2, 3)))
    np.testing.assert_allclose(layers.GlobalMaxPooling3D()(x[..., None]).shape, (2, 1))
    seq = x[:, :, :, 0]
    mask = np.array([[1, 1, 0], [1, 0, 0]], bool)
    y = np.asarray(layers.GlobalAveragePooling1D()(seq, mask=mask))
    ref = np.stack([seq[0, :2].mean(0), seq[1, :1].mean(0)])
    np.testing.assert_allclose(y, ref, rtol=1e-6)
    np.testing.assert_allclose(
        layers.GlobalAveragePooling1D(data_format='channels_first')(seq), seq.mean(2),
        rtol=1e-6)
    # masks travel through a model: Embedding(mask_zero) -> GlobalAveragePooling1D
    inp = layers.Input(shape=(4,), dtype='int32')
    emb = layers.Embedding(5, 2, mask_zero=True, embeddings_initializer='ones')
    out = layers.GlobalAveragePooling1D()(emb(inp))
    assert getattr(out, '_keras_mask', None) is None
    w = np.arange(10, dtype='float32').reshape(5, 2)
    emb.set_weights([w])
    pred = Model(inp, out).predict(np.array([[1, 2, 0, 0]]))
    np.testing.assert_allclose(pred, [(w[1] + w[2]) / 2], rtol=1e-6)


def test_layer_test_pooling():
    layer_test(layers.MaxPooling2D, kwargs={'strides': (1, 1), 'padding': 'same'},
               input_shape=(2, 4, 4, 2))
    layer_test(layers.AveragePooling1D, kwargs={'pool_size': 2, 'data_format': 'channels_first'},
               input_shape=(2, 3, 4))


@pytest.mark.parametrize('cls', [layers.MaxPooling1D, layers.AveragePooling2D,
                                 layers.MaxPooling3D, layers.GlobalAveragePooling1D,
                                 layers.GlobalMaxPooling2D, layers.GlobalAveragePooling3D])
def test_config_round_trip(cls):
    layer = cls(data_format='channels_first')
    config = layer.get_config()
    assert cls.from_config(config).get_config() == config
    assert config['data_format'] == 'channels_first'


def test_config_values_and_errors():
    c = layers.MaxPooling1D(3).get_config()
    assert c['pool_size'] == (3,) and c['strides'] == (3,)     # (Keras 2.2.4's 1-tuples)
    assert c['strides'][0] == 3
    c = layers.AveragePooling2D((2, 3)).get_config()
    assert c['pool_size'] == (2, 3) and c['strides'] == (2, 3)
    with pytest.raises(ValueError, match='padding'):
        layers.MaxPooling2D(padding='causal')
    with pytest.raises(ValueError, match='pool_size'):
        layers.MaxPooling2D(pool_size=(2, 2, 2))
    with pytest.raises(ValueError, match='data_format'):
        layers.GlobalMaxPooling2D(data_format='nhwc')


def test_aliases():
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool2D is layers.AveragePooling2D
    assert layers.MaxPool1D is layers.MaxPooling1D and layers.AvgPool3D is layers.AveragePooling3D
    assert layers.GlobalMaxPool2D is layers.GlobalMaxPooling2D
    assert layers.GlobalAvgPool1D is layers.GlobalAveragePooling1D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
