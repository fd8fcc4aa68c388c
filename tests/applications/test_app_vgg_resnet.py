"""VGG16, VGG19, ResNet50 (and the ResNet50 blocks) against the architecture
manifests and the `resnet_tiny` numeric fixture."""
import os
import warnings

import numpy as np
import pytest

from manifest_utils import NUMERIC, load_manifest, assert_matches, numeric_entry

from keras import backend as K
from keras.layers import Input, ZeroPadding2D, Conv2D, BatchNormalization, \
    Activation, MaxPooling2D, GlobalAveragePooling2D, Dense
from keras.models import Model
from keras.applications import imagenet_utils, vgg16, vgg19, resnet50



@pytest.fixture(autouse=True)
def _fresh_session():
    K.clear_session()
    fmt = K.image_data_format()
    yield
    K.set_image_data_format(fmt)
    K.clear_session()


# ---------------------------------------------------------------------------
# architecture manifests
# ---------------------------------------------------------------------------
@pytest.mark.parametrize('stem,fn,kwargs', [
    ('vgg16_top', vgg16.VGG16, dict(include_top=True)),
    ('vgg16_notop_avg', vgg16.VGG16, dict(include_top=False, pooling='avg')),
    ('vgg19_top', vgg19.VGG19, dict(include_top=True)),
    ('vgg19_notop_avg', vgg19.VGG19, dict(include_top=False, pooling='avg')),
    ('resnet50_top', resnet50.ResNet50, dict(include_top=True)),
    ('resnet50_notop_avg', resnet50.ResNet50, dict(include_top=False, pooling='avg')),
])
def test_manifest(stem, fn, kwargs):
    manifest = load_manifest(stem)
    assert {k: v for k, v in manifest['call_kwargs'].items() if k != 'weights'} == kwargs
    K.clear_session()
    model = fn(weights=None, **kwargs)
    assert_matches(model, manifest)


def test_lazy_package_attributes():
    import keras.applications as apps
    assert apps.VGG16 is vgg16.VGG16
    assert apps.VGG19 is vgg19.VGG19
    assert apps.ResNet50 is resnet50.ResNet50
    for mod in (vgg16, vgg19, resnet50):
        assert mod.decode_predictions is imagenet_utils.decode_predictions


def test_weight_constants():
    assert vgg16.WEIGHTS_PATH.endswith('/v0.1/vgg16_weights_tf_dim_ordering_tf_kernels.h5')
    assert vgg16.WEIGHTS_PATH_NO_TOP.endswith(
        '/v0.1/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5')
    assert vgg19.WEIGHTS_PATH.endswith('/v0.1/vgg19_weights_tf_dim_ordering_tf_kernels.h5')
    assert resnet50.WEIGHTS_PATH.endswith(
        '/v0.2/resnet50_weights_tf_dim_ordering_tf_kernels.h5')
    assert resnet50.WEIGHTS_PATH_NO_TOP.endswith(
        '/v0.2/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5')
    assert (vgg16.WEIGHTS_HASH, vgg16.WEIGHTS_HASH_NO_TOP) == (
        '64373286793e3c8b2b4e3219cbf3544b', '6d6bbae143d832006294945121d1f1fc')
    assert (vgg19.WEIGHTS_HASH, vgg19.WEIGHTS_HASH_NO_TOP) == (
        'cbe5617147190e668d6c5d5026f83318', '253f8cb515780f3b799900260a226db6')
    assert (resnet50.WEIGHTS_HASH, resnet50.WEIGHTS_HASH_NO_TOP) == (
        'a7b3fe01876f51b976af0dea6bc144eb', 'a268eb855778b3df3c7506639542a6af')


# ---------------------------------------------------------------------------
# argument handling
# ---------------------------------------------------------------------------
@pytest.mark.parametrize('fn', [vgg16.VGG16, vgg19.VGG19, resnet50.ResNet50])
def test_argument_errors(fn):
    with pytest.raises(ValueError, match='weights'):
        fn(weights='no/such/file.h5')
    with pytest.raises(ValueError, match='classes'):
        fn(weights='imagenet', include_top=True, classes=10)
    with pytest.raises(ValueError, match='pooling'):
        fn(weights=None, include_top=False, pooling='average')
    with pytest.raises(ValueError, match='input_shape'):
        fn(weights='imagenet', include_top=True, input_shape=(200, 200, 3))
    with pytest.raises(ValueError, match='at least 32'):
        fn(weights=None, include_top=False, input_shape=(31, 64, 3))
    with pytest.raises(ValueError, match='3 channels'):
        fn(weights='imagenet', include_top=False, input_shape=(64, 64, 4))
    with pytest.raises(ValueError, match='static'):
        fn(weights=None, include_top=True, input_shape=(None, None, 3))
    with pytest.raises(TypeError, match='bogus'):
        fn(weights=None, bogus=1)


def test_vgg_pooling_and_input_tensor():
    model = vgg16.VGG16(weights=None, include_top=False, input_shape=(32, 48, 3))
    assert model.output_shape == (None, 1, 1, 512)
    assert model.layers[-1].name == 'block5_pool'
    K.clear_session()
    model = vgg19.VGG19(weights=None, include_top=False, pooling='max')
    assert type(model.layers[-1]).__name__ == 'GlobalMaxPooling2D'
    assert model.output_shape == (None, 512)
    K.clear_session()
    inp = Input((40, 40, 3))
    x = Activation('linear')(inp)
    model = vgg16.VGG16(weights=None, include_top=False, input_tensor=x)
    assert model.inputs[0] is inp   # the source inputs of `input_tensor`
    assert model.output_shape == (None, 1, 1, 512)


def test_vgg_channels_first():
    K.set_image_data_format('channels_first')
    model = vgg16.VGG16(weights=None, include_top=False, pooling='avg')
    assert model.input_shape == (None, 3, None, None)
    assert model.output_shape == (None, 512)


def test_resnet_small_top_and_no_pooling_warning():
    model = resnet50.ResNet50(weights=None, include_top=True, input_shape=(64, 64, 3),
                              classes=7)
    assert model.output_shape == (None, 7)
    assert model.get_layer('fc1000').units == 7
    K.clear_session()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        model = resnet50.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3))
    assert any('has been changed since Keras 2.2.0' in str(x.message) for x in w)
    assert model.output_shape == (None, 1, 1, 2048)
    assert model.layers[-1].name == 'activation_49'


def test_weights_from_path_and_imagenet_cache(tmp_path, monkeypatch):
    """`weights=<path>` loads that file; `weights='imagenet'` uses the canonical
    file name in $KERAS_HOME/models (no download when the file is there)."""
    src = vgg16.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    rng = np.random.RandomState(0)
    values = [rng.standard_normal(w.shape).astype('float32') * 0.01
              for w in src.weights]
    src.set_weights(values)
    models_dir = tmp_path / 'models'
    models_dir.mkdir()
    path = str(models_dir / vgg16.WEIGHTS_FILE_NO_TOP)
    src.save_weights(path)

    K.clear_session()
    model = vgg16.VGG16(weights=path, include_top=False, pooling='avg')
    for got, exp in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, exp)

    monkeypatch.setenv('KERAS_HOME', str(tmp_path))
    from keras.backend.config import keras_home
    assert os.path.abspath(os.path.expanduser(keras_home())) == os.path.abspath(str(tmp_path))
    K.clear_session()
    model = vgg16.VGG16(weights='imagenet', include_top=False)
    for got, exp in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, exp)


# ---------------------------------------------------------------------------
# preprocessing
# ---------------------------------------------------------------------------
@pytest.mark.parametrize('mod', [vgg16, vgg19, resnet50])
def test_preprocess_input_caffe(mod):
    data = np.load(os.path.join(NUMERIC, 'preprocess_input.npz'))
    for layout, fmt in (('nhwc', 'channels_last'), ('nchw', 'channels_first'),
                        ('hwc', 'channels_last'), ('chw', 'channels_first')):
        got = mod.preprocess_input(data['x_uint8_' + layout], data_format=fmt)
        np.testing.assert_allclose(got, data['caffe_' + layout], rtol=1e-6, atol=1e-5)


# ---------------------------------------------------------------------------
# resnet_tiny: the ResNet50 blocks against stored weights and outputs
# ---------------------------------------------------------------------------
def _resnet_tiny():
    inp = Input((32, 32, 3))
    x = ZeroPadding2D((3, 3), name='conv1_pad')(inp)
    x = Conv2D(8, (7, 7), strides=(2, 2), padding='valid',
               kernel_initializer='he_normal', name='conv1')(x)
    x = BatchNormalization(axis=3, name='bn_conv1')(x)
    x = Activation('relu')(x)
    x = ZeroPadding2D((1, 1), name='pool1_pad')(x)
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = resnet50.conv_block(x, kernel_size=3, filters=[4, 4, 16], stage=2, block='a',
                            strides=(1, 1))
    x = resnet50.identity_block(x, 3, [4, 4, 16], stage=2, block='b')
    x = resnet50.conv_block(x, 3, [8, 8, 32], stage=3, block='a')
    x = resnet50.identity_block(x, 3, [8, 8, 32], stage=3, block='b')
    x = GlobalAveragePooling2D(name='avg_pool')(x)
    x = Dense(10, activation='softmax', name='fc10')(x)
    return Model(inp, x, name='resnet_tiny')


@pytest.mark.parametrize('by_name', [False, True])
def test_resnet_tiny_numeric(by_name):
    entry = numeric_entry('resnet_tiny')
    data = np.load(os.path.join(NUMERIC, entry['io_file']))
    model = _resnet_tiny()
    assert [l.name for l in model.layers] == entry['keras224_layer_names']
    assert model.count_params() == entry['total_params']
    model.load_weights(os.path.join(NUMERIC, entry['weights_file']), by_name=by_name)
    tol = entry['tolerance']
    probes = entry['probes']
    probe_model = Model(model.inputs, [model.output] +
                        [model.get_layer(p['keras224_layer']).output for p in probes])
    outs = probe_model.predict(data['x'])
    np.testing.assert_allclose(outs[0], data['y'], **tol)
    for probe, out in zip(probes, outs[1:]):
        assert list(out.shape) == probe['shape']
        np.testing.assert_allclose(out, data[probe['key']], err_msg=probe['key'], **tol)
    np.testing.assert_allclose(model.predict(data['x']), data['y'], **tol)


def test_resnet_tiny_preprocess():
    data = np.load(os.path.join(NUMERIC, 'resnet_tiny_io.npz'))
    x_uint8 = data['x_uint8']
    got = resnet50.preprocess_input(x_uint8)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, data['x'], rtol=1e-6, atol=1e-5)
    np.testing.assert_array_equal(x_uint8, data['x_uint8'])   # the uint8 input is kept
