"""InceptionV3, InceptionResNetV2 and Xception (keras_applications 1.0.6 semantics).

The architecture manifests were built with keras_applications 1.0.8, which checks
the input shape with `require_flatten=include_top`; Keras 2.2.4 (1.0.6) uses
`require_flatten=False` for these three models, so `include_top=True` without an
`input_shape` leaves the spatial size free. The `_top` manifests are therefore
reproduced with the explicit default `input_shape=(299, 299, 3)`, and the call
without it is checked to give the same layers and weights with free spatial sizes.
"""
import warnings

import numpy as np
import pytest

from keras import backend as K
from keras.applications import inception_resnet_v2, inception_v3, xception
from keras.applications.inception_resnet_v2 import InceptionResNetV2
from keras.applications.inception_v3 import InceptionV3
from keras.applications.xception import Xception
from keras.layers import Input
from keras.models import Model, model_from_json

from manifest_utils import assert_matches, compare_model, load_manifest

_DEFAULT = (299, 299, 3)


def _lambda_function_ok(model):
    """The manifests store the reference's Lambda bytecode (it embeds the source
    file name, so it cannot match); check the serialisation kind instead."""
    for layer in model.layers:
        if type(layer).__name__ == 'Lambda':
            assert layer.get_config()['function_type'] == 'lambda', layer.name


def _matches_except_lambda_bytecode(model, manifest):
    errors = [e for e in compare_model(model, manifest) if ': config function=' not in e]
    assert not errors, '%d mismatches with the manifest:\n  %s' % (
        len(errors), '\n  '.join(errors[:25]))
    _lambda_function_ok(model)


# ---------------------------------------------------------------------------
# architecture manifests
# ---------------------------------------------------------------------------
@pytest.mark.parametrize('fn, stem, kwargs', [
    (InceptionV3, 'inception_v3_top', dict(include_top=True, input_shape=_DEFAULT)),
    (InceptionV3, 'inception_v3_notop_avg', dict(include_top=False, pooling='avg')),
    (Xception, 'xception_top', dict(include_top=True, input_shape=_DEFAULT)),
    (Xception, 'xception_notop_avg', dict(include_top=False, pooling='avg')),
], ids=['inception_v3_top', 'inception_v3_notop_avg', 'xception_top',
        'xception_notop_avg'])
def test_manifest(fn, stem, kwargs):
    K.clear_session()
    model = fn(weights=None, **kwargs)
    assert_matches(model, load_manifest(stem))


@pytest.mark.parametrize('stem, kwargs', [
    ('inception_resnet_v2_top', dict(include_top=True, input_shape=_DEFAULT)),
    ('inception_resnet_v2_notop_avg', dict(include_top=False, pooling='avg')),
], ids=['top', 'notop_avg'])
def test_manifest_inception_resnet_v2(stem, kwargs):
    K.clear_session()
    model = InceptionResNetV2(weights=None, **kwargs)
    _matches_except_lambda_bytecode(model, load_manifest(stem))
    # the scaled residual: Lambda named '<block>_<idx>' between '_conv' and '_ac'
    names = [l.name for l in model.layers]
    for name in ('block35_1', 'block35_1_mixed', 'block35_1_conv', 'block35_1_ac',
                 'block17_20', 'block8_10', 'block8_10_conv'):
        assert name in names
    assert 'block8_10_ac' not in names  # the last block is linear
    block = model.get_layer('block17_3')
    assert block.get_config()['arguments'] == {'scale': 0.1}
    assert model.get_layer('block35_1').get_config()['arguments'] == {'scale': 0.17}
    assert model.get_layer('block8_10').get_config()['arguments'] == {'scale': 1.}


def test_top_without_input_shape_leaves_spatial_size_free():
    # Keras 2.2.4 (keras_applications 1.0.6): require_flatten=False
    K.clear_session()
    model = InceptionV3(include_top=True, weights=None)
    assert model.input_shape == (None, None, None, 3)
    assert model.output_shape == (None, 1000)
    errors = compare_model(model, load_manifest('inception_v3_top'))
    assert errors and all('shape' in e for e in errors), errors[:5]



def test_inception_v3_input_tensor_recipe():
    K.clear_session()
    tensor = Input(shape=(224, 224, 3))
    model = InceptionV3(input_tensor=tensor, weights=None, include_top=True)
    assert model.inputs[0] is tensor
    assert model.input_shape == (None, 224, 224, 3)
    assert model.output_shape == (None, 1000)
    assert model.name == 'inception_v3'


def test_inception_v3_small_predict():
    K.clear_session()
    model = InceptionV3(include_top=False, weights=None, input_shape=(75, 75, 3),
                        pooling='avg')
    assert model.output_shape == (None, 2048)
    x = np.random.RandomState(0).uniform(0, 255, (2, 75, 75, 3)).astype('float32')
    y = model.predict(inception_v3.preprocess_input(x))
    assert y.shape == (2, 2048)
    assert np.all(np.isfinite(y))
    assert np.all(y >= 0)  # average of ReLU outputs


def test_pooling_max_and_classes():
    K.clear_session()
    model = Xception(include_top=False, weights=None, input_shape=(71, 71, 3),
                     pooling='max')
    assert model.layers[-1].__class__.__name__ == 'GlobalMaxPooling2D'
    assert model.output_shape == (None, 2048)
    K.clear_session()
    model = Xception(include_top=True, weights=None, classes=7,
                     input_shape=(71, 71, 3))
    assert model.output_shape == (None, 7)
    assert model.get_layer('predictions').get_config()['units'] == 7


def test_inception_resnet_block_serialises():
    """A block's Lambda (function + `scale` argument) survives to_json/from_json."""
    K.clear_session()
    inp = Input((9, 9, 32))
    out = inception_resnet_v2.inception_resnet_block(inp, 0.17, 'block35', 1)
    out = inception_resnet_v2.inception_resnet_block(out, 1., 'block8', 2,
                                                     activation=None)
    model = Model(inp, out)
    assert [l.name for l in model.layers[-3:]] == [
        'block8_2_mixed', 'block8_2_conv', 'block8_2']
    assert 'block35_1_ac' in [l.name for l in model.layers]
    assert model.output_shape == (None, 9, 9, 32)
    x = np.random.RandomState(1).randn(2, 9, 9, 32).astype('float32')
    y = model.predict(x)
    # the last block is linear: its output is x_in + 1.0 * conv(mixed)
    clone = model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x), y, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match='block_type|block35'):
        inception_resnet_v2.inception_resnet_block(inp, 0.1, 'block99', 1)


def test_conv2d_bn_helpers():
    K.clear_session()
    inp = Input((16, 16, 3))
    out = inception_v3.conv2d_bn(inp, 8, 3, 3, name='stem')
    model = Model(inp, out)
    assert [l.name for l in model.layers[1:]] == ['stem_conv', 'stem_bn', 'stem']
    bn = model.get_layer('stem_bn')
    assert bn.get_config()['scale'] is False
    assert [w.name.split('/')[-1].split(':')[0] for w in bn.weights] == [
        'beta', 'moving_mean', 'moving_variance']
    assert model.get_layer('stem_conv').get_config()['use_bias'] is False

    K.clear_session()
    inp = Input((16, 16, 3))
    out = inception_resnet_v2.conv2d_bn(inp, 8, 3, name='c')
    out = inception_resnet_v2.conv2d_bn(out, 4, 1, activation=None, use_bias=True,
                                        name='d')
    model = Model(inp, out)
    assert [l.name for l in model.layers[1:]] == ['c', 'c_bn', 'c_ac', 'd']


# ---------------------------------------------------------------------------
# argument errors
# ---------------------------------------------------------------------------
@pytest.mark.parametrize('fn', [InceptionV3, InceptionResNetV2, Xception],
                         ids=['InceptionV3', 'InceptionResNetV2', 'Xception'])
def test_argument_errors(fn):
    with pytest.raises(ValueError, match='weights'):
        fn(weights='no/such/file.h5')
    with pytest.raises(ValueError, match='classes'):
        fn(weights='imagenet', include_top=True, classes=10)
    with pytest.raises(ValueError, match='pooling'):
        fn(weights=None, include_top=False, pooling='average')
    with pytest.raises(ValueError, match='input_shape|at least'):
        fn(weights=None, include_top=False, input_shape=(299, 299))
    with pytest.raises(TypeError):
        fn(weights=None, not_an_argument=1)


def test_min_sizes():
    with pytest.raises(ValueError, match='at least 75'):
        InceptionV3(weights=None, include_top=False, input_shape=(74, 74, 3))
    with pytest.raises(ValueError, match='at least 75'):
        InceptionResNetV2(weights=None, include_top=False, input_shape=(75, 60, 3))
    with pytest.raises(ValueError, match='at least 71'):
        Xception(weights=None, include_top=False, input_shape=(70, 70, 3))
    with pytest.raises(ValueError, match='3 channels'):
        InceptionV3(weights='imagenet', include_top=False, input_shape=(150, 150, 1))


def test_xception_channels_first_builds_channels_last():
    K.clear_session()
    old = K.image_data_format()
    K.set_image_data_format('channels_first')
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            model = Xception(include_top=False, weights=None, input_shape=(71, 71, 3),
                             pooling='avg')
        assert any('channels_last' in str(w.message) for w in caught)
        assert K.image_data_format() == 'channels_first'  # restored
        assert model.input_shape == (None, 71, 71, 3)
        assert model.get_layer('block1_conv1').get_config()['data_format'] == \
            'channels_last'
        # restored also when the arguments are rejected
        with pytest.raises(ValueError):
            Xception(include_top=False, weights=None, input_shape=(70, 70, 3))
        assert K.image_data_format() == 'channels_first'
    finally:
        K.set_image_data_format(old)


def test_inception_v3_channels_first_shapes():
    K.clear_session()
    old = K.image_data_format()
    K.set_image_data_format('channels_first')
    try:
        model = InceptionV3(include_top=False, weights=None, input_shape=(3, 75, 75))
        assert model.input_shape == (None, 3, 75, 75)
        assert model.output_shape == (None, 2048, 1, 1)  # no pooling: 4-D
        assert model.get_layer('mixed0').output_shape == (None, 256, 7, 7)
        assert model.get_layer('batch_normalization_1').get_config()['axis'] == 1
    finally:
        K.set_image_data_format(old)


# ---------------------------------------------------------------------------
# preprocessing / decoding / weight file constants
# ---------------------------------------------------------------------------
@pytest.mark.parametrize('module', [inception_v3, inception_resnet_v2, xception],
                         ids=['inception_v3', 'inception_resnet_v2', 'xception'])
def test_preprocess_and_decode(module):
    x = np.array([[[[0., 127.5, 255.]]]], dtype='float32')
    np.testing.assert_allclose(module.preprocess_input(x.copy()),
                               [[[[-1., 0., 1.]]]], atol=1e-6)
    x = np.array([[[[0, 51, 255]]]], dtype='uint8')
    np.testing.assert_allclose(module.preprocess_input(x), [[[[-1., -0.6, 1.]]]],
                               atol=1e-6)
    preds = np.zeros((1, 1000), dtype='float32')
    preds[0, 386] = 1.
    top = module.decode_predictions(preds, top=1)
    assert top[0][0][0] == 'n02504458' and top[0][0][2] == 1.


def test_weight_file_constants():
    assert inception_v3.WEIGHTS_PATH.endswith(
        'v0.5/inception_v3_weights_tf_dim_ordering_tf_kernels.h5')
    assert inception_v3.WEIGHTS_PATH_NO_TOP.endswith(
        'v0.5/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5')
    assert inception_v3.WEIGHTS_HASH == '9a0d58056eeedaa3f26cb7ebd46da564'
    assert inception_v3.WEIGHTS_HASH_NO_TOP == 'bcbd6486424b2319ff4ef7d526e38f63'
    assert inception_resnet_v2.BASE_WEIGHT_URL.endswith('/releases/download/v0.7/')
    assert inception_resnet_v2.WEIGHTS_FILE == \
        'inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5'
    assert inception_resnet_v2.WEIGHTS_HASH == 'e693bd0210a403b3192acc6073ad2e96'
    assert inception_resnet_v2.WEIGHTS_HASH_NO_TOP == 'd19885ff4a710c122648d3b5c3b684e4'
    assert xception.TF_WEIGHTS_PATH.endswith(
        'v0.4/xception_weights_tf_dim_ordering_tf_kernels.h5')
    assert xception.WEIGHTS_HASH == '0a58e3b7378bc2990ea3b43d5981f1f6'
    assert xception.WEIGHTS_HASH_NO_TOP == 'b0042744bf5b25fce3cb969f33bebb97'
