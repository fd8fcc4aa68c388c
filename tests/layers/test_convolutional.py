"""Convolutional layers: layer_test checks, NumPy references, configs, errors, aliases."""
import warnings

import numpy as np
import pytest

import keras
from keras import backend as K
from keras import layers
from keras.layers import convolutional
from keras.models import Model
from keras.utils.test_utils import layer_test

CONST = {'kernel_initializer': 'ones', 'bias_initializer': 'zeros'}


def np_conv2d_valid(x, k):
    """Cross-correlation, channels_last, stride 1, 'valid'."""
    kh, kw = k.shape[:2]
    out = np.zeros((x.shape[0], x.shape[1] - kh + 1, x.shape[2] - kw + 1, k.shape[3]))
    for i in range(out.shape[1]):
        for j in range(out.shape[2]):
            out[:, i, j] = np.tensordot(x[:, i:i + kh, j:j + kw], k, axes=3)
    return out


def test_conv2d_layer_test_channels_last_and_first():
    layer_test(layers.Conv2D, kwargs=dict(filters=2, kernel_size=(3, 2), padding='same',
                                          strides=(2, 1), **CONST),
               input_shape=(2, 5, 4, 3))
    out = layer_test(layers.Conv2D, kwargs=dict(filters=2, kernel_size=3,
                                                data_format='channels_first', **CONST),
                     input_shape=(2, 3, 5, 6))
    assert out.shape == (2, 2, 3, 4)


def test_conv1d_causal_layer_test_and_reference():
    x = np.random.rand(2, 6, 3).astype('float32')
    layer = layers.Conv1D(2, 3, padding='causal', dilation_rate=2, **CONST)
    y = np.asarray(layer(x))
    # causal: left padding of dilation*(k-1), output t sees x[t], x[t-2], x[t-4]
    xp = np.concatenate([np.zeros((2, 4, 3), 'float32'), x], axis=1)
    ref = xp[:, 0:6] + xp[:, 2:8] + xp[:, 4:10]
    np.testing.assert_allclose(y, np.repeat(ref.sum(-1, keepdims=True), 2, -1), rtol=1e-5)
    layer_test(layers.Conv1D, kwargs=dict(filters=2, kernel_size=3, padding='causal', **CONST),
               input_shape=(2, 6, 3))


def test_conv2d_matches_numpy_and_channels_first_agrees():
    x = np.random.rand(2, 6, 5, 3).astype('float32')
    k = np.random.rand(3, 2, 3, 4).astype('float32') - .5
    b = np.random.rand(4).astype('float32')
    last = layers.Conv2D(4, (3, 2), kernel_initializer='zeros')
    last.build(x.shape)
    last.set_weights([k, b])
    y = np.asarray(last(x))
    np.testing.assert_allclose(y, np_conv2d_valid(x, k) + b, rtol=1e-4, atol=1e-5)
    first = layers.Conv2D(4, (3, 2), data_format='channels_first', kernel_initializer='zeros')
    first.build((2, 3, 6, 5))
    first.set_weights([k, b])
    y_first = np.asarray(first(x.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(y_first, y.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-6)
    assert first.compute_output_shape((None, 3, 6, 5)) == (None, 4, 4, 4)


def test_conv3d_and_separable_and_depthwise_shapes():
    assert layers.Conv3D(2, 3, padding='same', strides=2).compute_output_shape(
        (None, 5, 6, 7, 1)) == (None, 3, 3, 4, 2)
    z = dict(depthwise_initializer='zeros', pointwise_initializer='zeros')
    sep = layers.SeparableConv2D(5, 3, depth_multiplier=2, **z)
    sep.build((None, 7, 7, 3))
    assert [w.shape for w in sep.weights] == [(3, 3, 3, 2), (1, 1, 6, 5), (5,)]
    sep1 = layers.SeparableConv1D(4, 3, depth_multiplier=3, use_bias=False, **z)
    sep1.build((None, 9, 2))
    assert [w.shape for w in sep1.weights] == [(3, 2, 3), (1, 6, 4)]
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2, data_format='channels_first',
                                depthwise_initializer='zeros')
    dw.build((None, 3, 7, 7))
    assert [w.shape for w in dw.weights] == [(3, 3, 3, 2), (6,)]
    assert dw.compute_output_shape((None, 3, 7, 7)) == (None, 6, 5, 5)
    layer_test(layers.SeparableConv2D,
               kwargs=dict(filters=2, kernel_size=3, depth_multiplier=2, padding='same',
                           depthwise_initializer='ones', pointwise_initializer='ones'),
               input_shape=(2, 4, 4, 2))
    layer_test(layers.DepthwiseConv2D,
               kwargs=dict(kernel_size=2, depth_multiplier=2, depthwise_initializer='ones'),
               input_shape=(2, 4, 4, 2))


def test_conv2d_transpose_output_padding_and_shape():
    layer = layers.Conv2DTranspose(3, 3, strides=2, output_padding=1, padding='valid',
                                   kernel_initializer='zeros')
    assert layer.compute_output_shape((None, 4, 5, 2)) == (None, 10, 12, 3)
    layer.build((None, 4, 5, 2))
    assert layer.kernel.shape == (3, 3, 3, 2)
    layer_test(layers.Conv2DTranspose,
               kwargs=dict(filters=2, kernel_size=3, strides=2, padding='same', **CONST),
               input_shape=(2, 3, 4, 3))
    t3 = layers.Conv3DTranspose(2, 2, strides=2, data_format='channels_first')
    assert t3.compute_output_shape((None, 3, 2, 3, 4)) == (None, 2, 4, 6, 8)
    assert 'dilation_rate' not in t3.get_config()


def test_conv2d_transpose_is_adjoint_of_conv2d():
    # <conv(z), x> == <z, conv_transpose(x)> for the same kernel
    k = np.random.rand(3, 3, 2, 4).astype('float32')  # conv: in 2 -> out 4
    conv = layers.Conv2D(4, 3, strides=2, padding='same', use_bias=False,
                         kernel_initializer='zeros')
    conv.build((1, 8, 8, 2))
    conv.set_weights([k])
    tconv = layers.Conv2DTranspose(2, 3, strides=2, padding='same', use_bias=False,
                                   kernel_initializer='zeros')
    tconv.build((1, 4, 4, 4))
    tconv.set_weights([k])  # (kh, kw, filters=2, in=4)
    z = np.random.rand(1, 8, 8, 2).astype('float32')
    x = np.random.rand(1, 4, 4, 4).astype('float32')
    lhs = np.sum(np.asarray(conv(z)) * x)
    rhs = np.sum(z * np.asarray(tconv(x)))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-4)


def test_cropping_upsampling_padding():
    x = np.arange(2 * 4 * 5 * 3, dtype='float32').reshape(2, 4, 5, 3)
    np.testing.assert_array_equal(layers.Cropping2D(((1, 0), (2, 1)))(x), x[:, 1:, 2:4])
    np.testing.assert_array_equal(layers.Cropping2D(1, data_format='channels_first')(x),
                                  x[:, :, 1:-1, 1:-1])
    np.testing.assert_array_equal(layers.Cropping1D((1, 2))(x[:, 0]), x[:, 0, 1:3])
    np.testing.assert_array_equal(layers.UpSampling2D((2, 1))(x), np.repeat(x, 2, axis=1))
    np.testing.assert_array_equal(layers.UpSampling1D(3)(x[:, 0]), np.repeat(x[:, 0], 3, 1))
    np.testing.assert_array_equal(layers.ZeroPadding2D(((1, 0), (0, 2)))(x),
                                  np.pad(x, ((0, 0), (1, 0), (0, 2), (0, 0))))
    np.testing.assert_array_equal(layers.ZeroPadding2D(1, data_format='channels_first')(x),
                                  np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))))
    x5 = x[..., None]
    np.testing.assert_array_equal(layers.ZeroPadding3D(1)(x5).shape, (2, 6, 7, 5, 1))
    np.testing.assert_array_equal(layers.Cropping3D(((1, 1), (0, 1), (1, 1)))(x5),
                                  x5[:, 1:3, 0:4, 1:2])
    np.testing.assert_array_equal(layers.UpSampling3D((1, 2, 1))(x5), np.repeat(x5, 2, 2))
    layer_test(layers.ZeroPadding2D, kwargs={'padding': (2, 1)}, input_shape=(2, 3, 3, 1))


def test_upsampling2d_bilinear_no_half_pixel():
    x = np.array([0., 1., 2.], 'float32').reshape(1, 3, 1, 1)
    y = np.asarray(layers.UpSampling2D((2, 1), interpolation='bilinear')(x))[0, :, 0, 0]
    # source coordinate i * 3/6 = i/2, upper neighbour clamped
    np.testing.assert_allclose(y, [0., .5, 1., 1.5, 2., 2.], rtol=1e-6)


ALL_CONV_LAYERS = [
    (layers.Conv1D, dict(filters=2, kernel_size=3, padding='causal', dilation_rate=2)),
    (layers.Conv2D, dict(filters=2, kernel_size=3, data_format='channels_first',
                         kernel_regularizer='l2', activation='relu')),
    (layers.Conv3D, dict(filters=2, kernel_size=(1, 2, 3), strides=2)),
    (layers.SeparableConv1D, dict(filters=2, kernel_size=3, depth_multiplier=2)),
    (layers.SeparableConv2D, dict(filters=2, kernel_size=3, pointwise_constraint='max_norm')),
    (layers.DepthwiseConv2D, dict(kernel_size=3, depth_multiplier=3)),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2, output_padding=1)),
    (layers.Conv3DTranspose, dict(filters=2, kernel_size=3, output_padding=(0, 1, 0),
                                  strides=2)),
    (layers.Cropping1D, dict(cropping=(1, 2))),
    (layers.Cropping2D, dict(cropping=((1, 2), (3, 4)), data_format='channels_first')),
    (layers.Cropping3D, dict(cropping=2)),
    (layers.UpSampling1D, dict(size=3)),
    (layers.UpSampling2D, dict(size=(2, 3), interpolation='bilinear')),
    (layers.UpSampling3D, dict(size=2)),
    (layers.ZeroPadding1D, dict(padding=(1, 2))),
    (layers.ZeroPadding2D, dict(padding=((1, 2), (3, 4)))),
    (layers.ZeroPadding3D, dict(padding=2)),
]


@pytest.mark.parametrize('cls,kwargs', ALL_CONV_LAYERS, ids=lambda v: getattr(v, '__name__', ''))
def test_config_round_trip(cls, kwargs):
    layer = cls(**kwargs)
    config = layer.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config
    restored = layers.deserialize(layers.serialize(layer))
    assert type(restored) is cls and restored.get_config() == config


def test_config_values():
    c = layers.Conv2D(4, 3, strides=2, data_format='channels_first').get_config()
    assert c['kernel_size'] == (3, 3) and c['strides'] == (2, 2) and 'rank' not in c
    assert c['data_format'] == 'channels_first' and c['padding'] == 'valid'
    c = layers.DepthwiseConv2D(3).get_config()
    assert 'filters' not in c and 'kernel_initializer' not in c and c['depth_multiplier'] == 1
    c = layers.SeparableConv2D(2, 3).get_config()
    assert 'kernel_initializer' not in c and 'pointwise_initializer' in c
    assert layers.ZeroPadding2D(1).get_config()['padding'] == ((1, 1), (1, 1))
    assert layers.Cropping2D((1, 2)).get_config()['cropping'] == ((1, 1), (2, 2))


def test_argument_errors():
    with pytest.raises(ValueError, match='filters'):
        layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match='kernel_size'):
        layers.Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match='causal'):
        layers.Conv2D(2, 3, padding='causal')
    with pytest.raises(ValueError, match='padding'):
        layers.Conv2D(2, 3, padding='full_of_it')
    with pytest.raises(ValueError, match='data_format'):
        layers.Conv2D(2, 3, data_format='channels_middle')
    with pytest.raises(ValueError, match='output padding'):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match='interpolation'):
        layers.UpSampling2D(interpolation='bicubic')
    with pytest.raises(ValueError, match='cropping'):
        layers.Cropping2D(((1, 2, 3), (1, 1)))
    with pytest.raises(ValueError, match='padding'):
        layers.ZeroPadding2D(-1)
    with pytest.raises(TypeError, match='not understood'):
        layers.Conv2D(2, 3, bogus=1)
    with pytest.raises(ValueError, match='channel dimension'):
        layers.Conv2D(2, 3).build((None, 5, 5, None))
    inp = layers.Input(shape=(5, 5, 3))
    with pytest.raises(ValueError, match='ndim'):
        layers.Conv1D(2, 3)(inp)


def test_aliases_and_legacy_arguments():
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution1D is layers.Conv1D and layers.Convolution3D is layers.Conv3D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.Deconvolution2D is layers.Conv2DTranspose is layers.Deconv2D
    assert layers.Deconvolution3D is layers.Conv3DTranspose is layers.Deconv3D
    assert convolutional.Convolution2DTranspose is layers.Conv2DTranspose
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        legacy = layers.Convolution2D(4, 3, 3, border_mode='same', subsample=(2, 2),
                                      dim_ordering='th')
        assert legacy.kernel_size == (3, 3) and legacy.padding == 'same'
        assert legacy.strides == (2, 2) and legacy.data_format == 'channels_first'
        atrous = layers.AtrousConvolution2D(4, (3, 3), atrous_rate=(2, 2))
        assert isinstance(atrous, layers.Conv2D) and atrous.dilation_rate == (2, 2)
        atrous1 = layers.AtrousConv1D(nb_filter=3, filter_length=2, atrous_rate=2)
        assert atrous1.filters == 3 and atrous1.dilation_rate == (2,)


@pytest.mark.backends('jax', reason="the JAX backend's convolution and bias as one op")
@pytest.mark.parametrize('cls,kwargs,shape', [
    (layers.Conv1D, dict(padding='causal', dilation_rate=2), (10, 3)),
    (layers.Conv2D, dict(padding='same', strides=2), (9, 8, 3)),
    (layers.Conv2D, dict(data_format='channels_first'), (3, 8, 7)),
    (layers.Conv3D, dict(padding='same'), (5, 4, 6, 2)),
])
def test_conv_layer_bias_as_one_op_trains_as_apart(cls, kwargs, shape, monkeypatch):
    """A Conv layer with a bias computes its convolution and bias as one backend op
    (`K._biased_convolution`); `fit` gives the weights of the two ops apart."""
    from keras import optimizers

    def trained(biased_convolution):
        monkeypatch.setattr(K, '_biased_convolution', biased_convolution)
        inp = layers.Input(shape=shape)
        h = cls(4, 3, activation='relu', kernel_initializer='he_normal',
                bias_initializer='uniform', **kwargs)(inp)
        model = Model(inp, layers.Dense(2)(layers.Flatten()(h)))
        model.set_weights([np.random.RandomState(i).uniform(-0.5, 0.5, w.shape)
                           for i, w in enumerate(model.get_weights())])
        model.compile(optimizers.SGD(0.05), 'mse')
        rng = np.random.RandomState(7)
        x, y = rng.uniform(-1, 1, (16,) + shape), rng.uniform(-1, 1, (16, 2))
        model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        return model.get_weights()
    fused = K._biased_convolution
    assert fused is not None
    apart = trained(None)
    for got, ref in zip(trained(fused), apart):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


def test_inception_module_fits_on_random_data():
    from keras.layers import Conv2D, MaxPooling2D, Input, concatenate, add
    input_img = Input(shape=(32, 32, 3))
    tower_1 = Conv2D(8, (1, 1), padding='same', activation='relu')(input_img)
    tower_1 = Conv2D(8, (3, 3), padding='same', activation='relu')(tower_1)
    tower_2 = Conv2D(8, (1, 1), padding='same', activation='relu')(input_img)
    tower_2 = Conv2D(8, (5, 5), padding='same', activation='relu')(tower_2)
    tower_3 = MaxPooling2D((3, 3), strides=(1, 1), padding='same')(input_img)
    tower_3 = Conv2D(8, (1, 1), padding='same', activation='relu')(tower_3)
    output = concatenate([tower_1, tower_2, tower_3], axis=1)
    y = Conv2D(3, (3, 3), padding='same')(input_img)
    z = add([input_img, y])
    assert K.int_shape(output) == (None, 96, 32, 8)
    assert K.int_shape(z) == (None, 32, 32, 3)
    model = Model(input_img, [output, z])
    model.compile('rmsprop', 'mse')
    x = np.random.rand(8, 32, 32, 3).astype('float32')
    targets = [np.random.rand(8, 96, 32, 8).astype('float32'),
               np.random.rand(8, 32, 32, 3).astype('float32')]
    history = model.fit(x, targets, batch_size=4, epochs=2, verbose=0)
    losses = history.history['loss']
    assert len(losses) == 2 and all(np.isfinite(losses))
    assert losses[1] < losses[0]
    out = model.predict(x[:2])
    assert out[0].shape == (2, 96, 32, 8) and out[1].shape == (2, 32, 32, 3)


def test_strides_with_dilation_against_numpy():
    # Keras 2.2.4 accepts both at once (TensorFlow then refused to run it); JAX runs it
    rng = np.random.RandomState(0)
    x = rng.rand(2, 11, 3).astype('float32')
    layer = layers.Conv1D(4, 3, strides=2, dilation_rate=2, use_bias=False)
    out = np.asarray(layer(x))
    kernel = layer.get_weights()[0]                    # (3, 3, 4)
    length = (11 - (3 - 1) * 2 - 1) // 2 + 1
    ref = np.stack([sum(x[:, 2 * t + 2 * k] @ kernel[k] for k in range(3))
                    for t in range(length)], axis=1)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
