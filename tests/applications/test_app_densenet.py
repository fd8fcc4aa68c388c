"""DenseNet121/169/201: architecture manifests, the `densenet_tiny` numeric fixture,
preprocess_input (mode 'torch') and the argument checks."""
import os

import numpy as np
import pytest

from keras import backend as K
from keras.applications import densenet
from keras.models import Model

from manifest_utils import NUMERIC, load_manifest, assert_matches, numeric_entry

_BUILDERS = {'DenseNet121': densenet.DenseNet121,
             'DenseNet169': densenet.DenseNet169,
             'DenseNet201': densenet.DenseNet201}


@pytest.mark.parametrize('stem', ['densenet121_top', 'densenet121_notop_avg',
                                  'densenet169_top', 'densenet169_notop_avg',
                                  'densenet201_top', 'densenet201_notop_avg'])
def test_manifest(stem):
    manifest = load_manifest(stem)
    kwargs = dict(manifest.get('keras224_call_kwargs', manifest['call_kwargs']))
    kwargs['weights'] = None
    K.clear_session()
    model = _BUILDERS[manifest['application']](**kwargs)
    assert_matches(model, manifest)


def _tiny_model():
    K.clear_session()
    return densenet.DenseNet(blocks=[1, 2, 1, 1], include_top=True, weights=None,
                             input_shape=(32, 32, 3), classes=10)


def test_tiny_structure():
    entry = numeric_entry('densenet_tiny')
    model = _tiny_model()
    assert model.name == entry['model_name'] == 'densenet'
    assert [l.name for l in model.layers] == entry['keras224_layer_names']
    assert model.count_params() == entry['total_params']
    assert list(model.output_shape) == [None, 10]


@pytest.mark.parametrize('by_name', [False, True])
def test_tiny_numeric(by_name):
    entry = numeric_entry('densenet_tiny')
    tol = entry['tolerance']
    data = np.load(os.path.join(NUMERIC, entry['io_file']))
    model = _tiny_model()
    model.load_weights(os.path.join(NUMERIC, entry['weights_file']), by_name=by_name)
    probes = entry['probes']
    probe_model = Model(model.inputs,
                        [model.output] + [model.get_layer(p['keras224_layer']).output
                                          for p in probes])
    outs = probe_model.predict(data['x'])
    for p, out in zip(probes, outs[1:]):
        np.testing.assert_allclose(out, data[p['key']], rtol=tol['rtol'], atol=tol['atol'],
                                   err_msg=p['keras224_layer'])
    np.testing.assert_allclose(outs[0], data['y'], rtol=tol['rtol'], atol=tol['atol'])
    np.testing.assert_allclose(model.predict(data['x']), data['y'],
                               rtol=tol['rtol'], atol=tol['atol'])


def test_tiny_preprocess_input():
    data = np.load(os.path.join(NUMERIC, 'densenet_tiny_io.npz'))
    out = densenet.preprocess_input(data['x_uint8'])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, data['x'], rtol=1e-6, atol=1e-5)
    xf = data['x_uint8'].astype('float32')
    assert densenet.preprocess_input(xf) is xf  # in place, as in Keras 2.2
    np.testing.assert_allclose(xf, data['x'], rtol=1e-6, atol=1e-5)
    # symbolic path and channels_first give the same numbers
    sym = K.eval(densenet.preprocess_input(K.constant(data['x_uint8'].astype('float32'))))
    np.testing.assert_allclose(sym, data['x'], rtol=1e-5, atol=1e-5)
    cf = densenet.preprocess_input(data['x_uint8'].transpose(0, 3, 1, 2),
                                   data_format='channels_first')
    np.testing.assert_allclose(cf.transpose(0, 2, 3, 1), data['x'], rtol=1e-6, atol=1e-5)


def test_decode_predictions_reexport():
    from keras.applications import imagenet_utils
    assert densenet.decode_predictions is imagenet_utils.decode_predictions


def test_model_names_and_pooling_variants():
    K.clear_session()
    m = densenet.DenseNet(blocks=[1, 1, 1, 1], include_top=False, weights=None,
                          pooling='max')
    assert m.name == 'densenet'
    assert m.layers[-1].name == 'max_pool'
    # channels: 64 +32 -> 96 /2 -> 48 +32 -> 80 /2 -> 40 +32 -> 72 /2 -> 36 +32 -> 68
    assert list(m.output_shape) == [None, 68]
    m = densenet.DenseNet(blocks=[1, 1, 1, 1], include_top=False, weights=None,
                          input_shape=(32, 32, 3))
    assert m.layers[-1].name == 'relu'
    assert list(m.output_shape) == [None, 1, 1, 68]


def test_input_tensor():
    from keras.layers import Input
    K.clear_session()
    inp = Input(shape=(40, 40, 3))
    m = densenet.DenseNet(blocks=[1, 1, 1, 1], include_top=False, weights=None,
                          input_tensor=inp, pooling='avg')
    assert m.inputs[0] is inp
    assert list(m.output_shape) == [None, 68]


def test_constants():
    assert densenet.DENSENET121_WEIGHT_PATH == (
        'https://github.com/keras-team/keras-applications/releases/download/densenet/'
        'densenet121_weights_tf_dim_ordering_tf_kernels.h5')
    assert densenet.DENSENET201_WEIGHT_PATH_NO_TOP.endswith(
        'densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5')


@pytest.mark.parametrize('kwargs,word', [
    (dict(weights='no_such_file.h5'), 'weights'),
    (dict(weights='imagenet', classes=10), 'classes'),
    (dict(weights=None, classes=0), 'classes'),
    (dict(weights=None, include_top=False, pooling='average'), 'pooling'),
    (dict(weights='imagenet', input_shape=(200, 200, 3)), 'input_shape'),
    (dict(weights=None, include_top=False, input_shape=(31, 64, 3)), 'at least'),
    (dict(weights='imagenet', include_top=False, input_shape=(64, 64, 1)), 'channels'),
])
def test_argument_errors(kwargs, word):
    K.clear_session()
    with pytest.raises(ValueError, match=word):
        densenet.DenseNet121(**kwargs)


def test_include_top_needs_static_shape():
    K.clear_session()
    with pytest.raises(ValueError, match='static'):
        densenet.DenseNet121(weights=None, input_shape=(None, None, 3))


@pytest.mark.parametrize('blocks', [[1, 2, 3], 'abc', [1, -1, 1, 1], None])
def test_bad_blocks(blocks):
    with pytest.raises(ValueError, match='blocks'):
        densenet.DenseNet(blocks, weights=None)


def test_imagenet_needs_known_blocks():
    with pytest.raises(ValueError, match='blocks'):
        densenet.DenseNet([1, 1, 1, 1], weights='imagenet')


def test_unexpected_kwarg():
    with pytest.raises(TypeError):
        densenet.DenseNet121(weights=None, foo=1)


def test_imagenet_weight_file(monkeypatch):
    """weights='imagenet' asks the shared loader for the canonical file name, URL
    and md5 (the loader itself is tested with imagenet_utils)."""
    calls = []
    from keras.applications import imagenet_utils

    def fake_load(model, weights, fname=None, origin=None, file_hash=None):
        calls.append((model.name, weights, fname, origin, file_hash))
        return model
    monkeypatch.setattr(imagenet_utils, 'load_application_weights', fake_load)
    K.clear_session()
    densenet.DenseNet169(include_top=False, weights='imagenet')
    assert calls == [('densenet169', 'imagenet',
                      'densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5',
                      densenet.DENSENET169_WEIGHT_PATH_NO_TOP,
                      'b8c4d4c20dd625c148057b9ff1c1176b')]


def test_channels_first():
    old = K.image_data_format()
    K.set_image_data_format('channels_first')
    try:
        K.clear_session()
        m = densenet.DenseNet([1, 1, 1, 1], include_top=False, weights=None,
                              input_shape=(3, 32, 32), pooling='avg')
        assert m.get_layer('bn').get_config()['axis'] in (1, [1])
        assert list(m.get_layer('relu').output_shape) == [None, 68, 1, 1]
        assert list(m.output_shape) == [None, 68]
    finally:
        K.set_image_data_format(old)
