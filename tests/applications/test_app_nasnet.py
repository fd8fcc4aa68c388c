"""NASNetMobile / NASNetLarge (keras_applications 1.0.6 / Keras 2.2.4)."""
import os
import warnings

import numpy as np
import pytest

from manifest_utils import load_manifest, assert_matches

from keras import backend as K
from keras.applications import nasnet
from keras.applications import imagenet_utils

_MODELS = {}


def _build_manifest_model(stem):
    """Each manifest model is built once per test session (NASNetLarge has ~1000
    layers and 85-89 M parameters)."""
    if stem not in _MODELS:
        manifest = load_manifest(stem)
        kwargs = dict(manifest.get('keras224_call_kwargs', manifest['call_kwargs']))
        kwargs['weights'] = None
        if 'input_shape' in kwargs:
            kwargs['input_shape'] = tuple(kwargs['input_shape'])
        K.clear_session()
        _MODELS[stem] = (getattr(nasnet, manifest['application'])(**kwargs), manifest)
    return _MODELS[stem]


@pytest.mark.parametrize('stem', ['nasnet_mobile_top', 'nasnet_mobile_notop_avg',
                                  'nasnet_large_top', 'nasnet_large_notop_avg'])
def test_manifest(stem):
    model, manifest = _build_manifest_model(stem)
    if stem != 'nasnet_mobile_notop_avg':  # only that one is used again
        del _MODELS[stem]  # (NASNetLarge holds ~350 MB of weights)
    assert_matches(model, manifest)


def test_mobile_notop_predict():
    model, _ = _build_manifest_model('nasnet_mobile_notop_avg')
    del _MODELS['nasnet_mobile_notop_avg']
    x = np.random.RandomState(0).uniform(0, 255, (1, 224, 224, 3)).astype('float32')
    y = model.predict(nasnet.preprocess_input(x))
    assert y.shape == (1, 1056)
    assert np.all(np.isfinite(y)) and np.all(y >= 0)  # average of ReLU outputs


def test_free_spatial_size_graph():
    """Keras 2.2.4: include_top=False without input_shape leaves the size free and
    builds a different graph (projections instead of factorised reductions)."""
    K.clear_session()
    with pytest.warns(UserWarning, match='free spatial input size'):
        model = nasnet.NASNetMobile(include_top=False, weights=None, input_shape=None,
                                    pooling='avg')
    assert model.input_shape == (None, None, None, 3)
    assert model.output_shape == (None, 1056)
    names = [l.name for l in model.layers]
    assert len([l for l in model.layers if l.weights]) == 382  # fixed size: 388
    assert 'adjust_conv_projection_stem_2' in names
    assert 'adjust_conv_projection_reduce_4' in names
    assert not any(n.startswith('adjust_relu_1_') for n in names)


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match='weights'):
        nasnet.NASNetMobile(weights='no/such/file.h5')
    with pytest.raises(ValueError, match='classes'):
        nasnet.NASNetMobile(weights='imagenet', classes=10)
    with pytest.raises(ValueError, match='pooling'):
        nasnet.NASNetMobile(weights=None, include_top=False, pooling='average')
    with pytest.raises(ValueError, match='penultimate_filters'):
        nasnet.NASNet(penultimate_filters=1000, weights=None)
    with pytest.raises(ValueError, match='static'):
        nasnet.NASNetLarge(weights='imagenet', include_top=False,
                           input_shape=(None, None, 3))
    with pytest.raises(ValueError, match='input_shape'):
        nasnet.NASNetMobile(weights='imagenet', include_top=False)
    with pytest.raises(ValueError, match='input_shape'):
        nasnet.NASNetMobile(weights='imagenet', input_shape=(200, 200, 3))
    with pytest.raises(ValueError, match='at least 32'):
        nasnet.NASNetMobile(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match='static'):
        nasnet.NASNetMobile(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match='default_size'):
        nasnet.NASNet(weights='imagenet', default_size=300, include_top=False,
                      input_shape=(300, 300, 3))
    with pytest.raises(ValueError, match='num_blocks'):
        nasnet.NASNet(weights=None, num_blocks=-1)
    with pytest.raises(TypeError, match='unexpected keyword'):
        nasnet.NASNetMobile(weights=None, alpha=1.0)


def test_imagenet_weight_files(monkeypatch, tmp_path):
    """Cache names, URLs and md5 hashes of the official files (no model built)."""
    calls = []
    monkeypatch.setattr(nasnet, '_build', lambda *args: 'model')
    monkeypatch.setattr(imagenet_utils, 'load_application_weights',
                        lambda model, weights, *args: calls.append(args))
    monkeypatch.setenv('KERAS_HOME', str(tmp_path))
    base = 'https://github.com/titu1994/Keras-NASNet/releases/download/v1.2/'
    nasnet.NASNetMobile()
    nasnet.NASNetMobile(include_top=False, input_shape=(224, 224, 3))
    nasnet.NASNetLarge()
    nasnet.NASNetLarge(include_top=False, input_shape=(400, 400, 3))
    assert calls == [
        ('nasnet_mobile.h5', base + 'NASNet-mobile.h5',
         '020fb642bf7360b370c678b08e0adf61'),
        ('nasnet_mobile_no_top.h5', base + 'NASNet-mobile-no-top.h5',
         '1ed92395b5b598bdda52abe5c0dbfd63'),
        ('nasnet_large.h5', base + 'NASNet-large.h5',
         '11577c9a518f0070763c2b964a382f17'),
        ('nasnet_large_no_top.h5', base + 'NASNet-large-no-top.h5',
         'd81d89dc07e6e56530c4e77faddd61b5'),
    ]
    # a file placed in the cache under the URL's name is used when the Keras
    # 2.2.4 cache name is absent
    os.makedirs(str(tmp_path / 'models'))
    (tmp_path / 'models' / 'NASNet-mobile.h5').write_bytes(b'')
    del calls[:]
    nasnet.NASNetMobile()
    assert calls[0][0] == 'NASNet-mobile.h5'


def test_channels_first_is_switched_and_restored(monkeypatch):
    seen = []
    monkeypatch.setattr(nasnet, '_build',
                        lambda input_shape, *args: seen.append(
                            (input_shape, K.image_data_format())) or 'model')
    old = K.image_data_format()
    try:
        K.set_image_data_format('channels_first')
        with pytest.warns(UserWarning, match='channels_last'):
            nasnet.NASNetMobile(weights=None)
        assert K.image_data_format() == 'channels_first'
        assert seen == [((224, 224, 3), 'channels_last')]
        # restored even when building fails
        monkeypatch.setattr(nasnet, '_build', lambda *args: 1 / 0)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with pytest.raises(ZeroDivisionError):
                nasnet.NASNetMobile(weights=None)
        assert K.image_data_format() == 'channels_first'
    finally:
        K.set_image_data_format(old)


def test_small_nasnet_weights_path_and_input_tensor(tmp_path):
    """A small NASNet: weights from a file path, an input_tensor, max pooling."""
    from keras.layers import Input
    K.clear_session()
    small = dict(penultimate_filters=96, num_blocks=1, stem_block_filters=8,
                 include_top=False, pooling='max')
    model = nasnet.NASNet(input_shape=(32, 32, 3), weights=None, **small)
    assert model.name == 'NASNet' and model.output_shape == (None, 96)
    path = str(tmp_path / 'small.h5')
    model.save_weights(path)
    inp = Input((32, 32, 3))
    again = nasnet.NASNet(input_tensor=inp, weights=path, **small)
    assert again.inputs[0] is inp
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_preprocess_input():
    x = np.array([[[[0., 127.5, 255.]]]], dtype='float32')
    np.testing.assert_allclose(nasnet.preprocess_input(x.copy()), [[[[-1., 0., 1.]]]])
    assert nasnet.decode_predictions is imagenet_utils.decode_predictions
