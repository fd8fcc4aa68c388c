"""MobileNet / MobileNetV2 (Keras 2.2.4 = keras_applications 1.0.6 definitions)."""
import copy
import os
import time

import numpy as np
import pytest

from manifest_utils import NUMERIC, load_manifest, assert_matches, numeric_entry

from keras import backend as K
from keras.applications import mobilenet, mobilenet_v2
from keras.applications.mobilenet import MobileNet
from keras.applications.mobilenet_v2 import MobileNetV2
from keras.models import Model



def _swap_softmax_reshape(manifest):
    """The 1.0.8 manifests reshape before the softmax; Keras 2.2.4 (1.0.6) applies
    `act_softmax` to the (1, 1, classes) map and then `reshape_2`. Swap exactly those
    two entries (weightless, so nothing else changes)."""
    m = copy.deepcopy(manifest)
    layers = m['layers']
    i = next(k for k, l in enumerate(layers) if l['name'] == 'reshape_2')
    reshape, act = layers[i], layers[i + 1]
    assert act['name'] == 'act_softmax' and act['inbound_layers'] == ['reshape_2']
    assert reshape['inbound_layers'] == ['conv_preds']
    conv_shape = layers[i - 1]['output_shape']
    act['inbound_layers'] = ['conv_preds']
    act['inbound_nodes'] = [[['conv_preds', 0, 0, {}]]]
    act['output_shape'] = conv_shape
    reshape['inbound_layers'] = ['act_softmax']
    reshape['inbound_nodes'] = [[['act_softmax', 0, 0, {}]]]
    act['index'], reshape['index'] = i, i + 1
    layers[i], layers[i + 1] = act, reshape
    m['output_layers'] = [['reshape_2', 0, 0]]
    return m


def _build(fn, manifest):
    K.clear_session()
    return fn(**manifest['call_kwargs'])


# ---------------------------------------------------------------- manifests
@pytest.mark.parametrize('stem', ['mobilenet_0.25_top', 'mobilenet_1.00_top'])
def test_mobilenet_top_manifest(stem):
    manifest = load_manifest(stem)
    model = _build(MobileNet, manifest)
    assert_matches(model, _swap_softmax_reshape(manifest))
    assert [l.name for l in model.layers[-3:]] == ['conv_preds', 'act_softmax',
                                                   'reshape_2']
    assert model.get_layer('act_softmax').output_shape == (None, 1, 1, 1000)
    assert model.output_shape == (None, 1000)


@pytest.mark.parametrize('stem', ['mobilenet_0.25_notop_avg',
                                  'mobilenet_1.00_notop_avg'])
def test_mobilenet_notop_manifest(stem):
    manifest = load_manifest(stem)
    assert_matches(_build(MobileNet, manifest), manifest)


@pytest.mark.parametrize('stem', ['mobilenet_v2_0.35_top', 'mobilenet_v2_0.35_notop_avg',
                                  'mobilenet_v2_1.00_top', 'mobilenet_v2_1.00_notop_avg'])
def test_mobilenet_v2_manifest(stem):
    manifest = load_manifest(stem)
    assert_matches(_build(MobileNetV2, manifest), manifest)


def test_swap_helper_only_touches_the_two_layers():
    manifest = load_manifest('mobilenet_0.25_top')
    swapped = _swap_softmax_reshape(manifest)
    assert [l['name'] for l in swapped['layers'][:-2]] == \
        [l['name'] for l in manifest['layers'][:-2]]
    assert [l['name'] for l in swapped['layers'][-2:]] == ['act_softmax', 'reshape_2']
    assert swapped['weighted_layer_order'] == manifest['weighted_layer_order']


# ---------------------------------------------------------------- names, variants
def test_model_names_and_shapes():
    K.clear_session()
    m = MobileNet(input_shape=(128, 128, 3), alpha=0.5, weights=None)
    assert m.name == 'mobilenet_0.50_128'
    assert m.input_shape == (None, 128, 128, 3)
    m = MobileNet(alpha=0.25, include_top=False, weights=None)
    assert m.name == 'mobilenet_0.25_None'
    assert m.output_shape == (None, None, None, 256)
    m = MobileNet(alpha=0.25, include_top=False, pooling='max', weights=None,
                  depth_multiplier=2, input_shape=(96, 96, 3))
    assert m.output_shape == (None, 256)
    assert m.get_layer('conv_dw_1').get_weights()[0].shape == (3, 3, 8, 2)
    m = MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None, classes=7)
    assert m.name == 'mobilenetv2_0.35_96'
    assert m.output_shape == (None, 7)
    m = MobileNetV2(alpha=1.4, include_top=False, pooling='max', weights=None,
                    input_shape=(64, 80, 3))
    assert m.name == 'mobilenetv2_1.40_64'
    assert m.output_shape == (None, 1792)


def test_input_tensor():
    from keras.layers import Input
    K.clear_session()
    t = Input(shape=(96, 96, 3))
    m = MobileNetV2(input_tensor=t, alpha=0.35, include_top=False, weights=None)
    assert m.inputs[0] is t
    assert m.name == 'mobilenetv2_0.35_None'
    K.clear_session()
    t = Input(shape=(64, 64, 3))
    m = MobileNet(input_tensor=t, alpha=0.25, include_top=False, weights=None,
                  pooling='avg')
    assert m.inputs[0] is t and m.output_shape == (None, 256)
    with pytest.raises(ValueError, match='input_shape'):
        MobileNetV2(input_tensor=t, input_shape=(96, 96, 3), include_top=False,
                    weights=None)


def test_channels_first_is_forced_to_channels_last():
    K.clear_session()
    K.set_image_data_format('channels_first')
    try:
        with pytest.warns(UserWarning, match='channels_last'):
            m = MobileNet(alpha=0.25, include_top=False, weights=None)
        assert K.image_data_format() == 'channels_first'
        assert m.input_shape == (None, None, None, 3)
    finally:
        K.set_image_data_format('channels_last')


# ---------------------------------------------------------------- argument rules
def test_mobilenet_argument_errors():
    K.clear_session()
    with pytest.raises(ValueError, match='weights'):
        MobileNet(weights='no_such_file.h5')
    with pytest.raises(ValueError, match='classes'):
        MobileNet(weights='imagenet', classes=10)
    with pytest.raises(ValueError, match='pooling'):
        MobileNet(weights=None, include_top=False, pooling='average')
    with pytest.raises(ValueError, match='alpha'):
        MobileNet(weights='imagenet', alpha=0.3)
    with pytest.raises(ValueError, match='depth_multiplier'):
        MobileNet(weights='imagenet', depth_multiplier=2)
    with pytest.raises(ValueError, match='rows'):
        MobileNet(weights='imagenet', include_top=False, input_shape=(100, 100, 3))
    with pytest.raises(ValueError, match='rows'):
        MobileNet(weights='imagenet', include_top=False, input_shape=(128, 160, 3))
    with pytest.raises(ValueError, match='input_shape'):
        MobileNet(weights='imagenet', input_shape=(200, 200, 3))
    with pytest.raises(ValueError, match='at least 32'):
        MobileNet(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match='channels'):
        MobileNet(weights='imagenet', include_top=False, input_shape=(128, 128, 1))
    with pytest.raises(ValueError, match='alpha'):
        MobileNet(weights=None, alpha=-1.)
    with pytest.raises(ValueError, match='dropout'):
        MobileNet(weights=None, dropout=1.5)
    with pytest.raises(TypeError):
        MobileNet(weights=None, foo=1)


def test_mobilenet_v2_argument_errors():
    K.clear_session()
    with pytest.raises(ValueError, match='weights'):
        MobileNetV2(weights='no_such_file.h5')
    with pytest.raises(ValueError, match='classes'):
        MobileNetV2(weights='imagenet', classes=10)
    with pytest.raises(ValueError, match='pooling'):
        MobileNetV2(weights=None, include_top=False, pooling='maximum')
    with pytest.raises(ValueError, match='alpha'):
        MobileNetV2(weights='imagenet', alpha=0.25)
    with pytest.raises(ValueError, match='depth_multiplier'):
        MobileNetV2(weights='imagenet', depth_multiplier=2)
    with pytest.raises(ValueError, match='at least 32'):
        MobileNetV2(weights=None, include_top=False, input_shape=(31, 64, 3))
    with pytest.raises(ValueError, match='input_shape'):
        MobileNetV2(weights='imagenet', input_shape=(128, 160, 3))
    with pytest.raises(TypeError):
        MobileNetV2(weights=None, foo=1)


# ---------------------------------------------------------------- weight files
def test_weight_file_names():
    assert mobilenet.weights_file_name(0.25, 224, True) == 'mobilenet_2_5_224_tf.h5'
    assert mobilenet.weights_file_name(0.5, 128, False) == \
        'mobilenet_5_0_128_tf_no_top.h5'
    assert mobilenet.weights_file_name(0.75, 160, True) == 'mobilenet_7_5_160_tf.h5'
    assert mobilenet.weights_file_name(1.0, 192, False) == \
        'mobilenet_1_0_192_tf_no_top.h5'
    assert mobilenet.BASE_WEIGHT_PATH == \
        'https://github.com/fchollet/deep-learning-models/releases/download/v0.6/'
    assert mobilenet_v2.weights_file_name(1.0, 224, True) == \
        'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5'
    assert mobilenet_v2.weights_file_name(0.35, 96, False) == \
        'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5'
    assert mobilenet_v2.weights_file_name(0.5, 128, True) == \
        'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_128.h5'
    assert mobilenet_v2.BASE_WEIGHT_PATH == \
        'https://github.com/JonathanCMitchell/mobilenet_v2_keras/releases/download/v1.1/'


def _randomise(model, seed=0):
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype('float32')
                       if 'variance' in w.name or 'gamma' in w.name
                       else rng.normal(0, 0.3, w.shape).astype('float32')
                       for w in model.weights])


def test_fake_official_file_is_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv('KERAS_HOME', str(tmp_path))
    K.clear_session()
    ref = MobileNet(alpha=0.25, weights=None)
    _randomise(ref)
    os.makedirs(str(tmp_path / 'models'))
    ref.save_weights(str(tmp_path / 'models' / 'mobilenet_2_5_224_tf.h5'))
    x = np.random.RandomState(1).uniform(-1, 1, (1, 224, 224, 3)).astype('float32')
    y_ref = ref.predict(x)
    K.clear_session()
    model = MobileNet(alpha=0.25, weights='imagenet')
    np.testing.assert_allclose(model.predict(x), y_ref, rtol=1e-5, atol=1e-6)
    # the same file given as a path
    by_path = MobileNet(alpha=0.25, weights=str(tmp_path / 'models' /
                                                'mobilenet_2_5_224_tf.h5'))
    for a, b in zip(by_path.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)

    # a notop file for an undefined input size: the 224 weights, with a warning
    ref_notop = MobileNet(alpha=0.25, weights=None, include_top=False, pooling='avg')
    _randomise(ref_notop, seed=3)
    ref_notop.save_weights(str(tmp_path / 'models' / 'mobilenet_2_5_224_tf_no_top.h5'))
    x = x[:, :64, :64]
    y_ref = ref_notop.predict(x)
    with pytest.warns(UserWarning, match='224'):
        model = MobileNet(alpha=0.25, weights='imagenet', include_top=False,
                          pooling='avg')
    assert model.name == 'mobilenet_0.25_224'
    np.testing.assert_allclose(model.predict(x), y_ref, rtol=1e-5, atol=1e-6)


def test_missing_official_file_names_file_and_url(tmp_path, monkeypatch):
    from keras.utils import data_utils
    monkeypatch.setenv('KERAS_HOME', str(tmp_path))
    calls = []

    def no_network(origin, fpath, *args, **kwargs):
        calls.append(origin)
        raise OSError('network disabled in tests')

    monkeypatch.setattr(data_utils, '_download', no_network)
    t = time.time()
    for fn, kwargs, fname, base in [
            (MobileNet, dict(alpha=0.25), 'mobilenet_2_5_224_tf.h5',
             mobilenet.BASE_WEIGHT_PATH),
            (MobileNet, dict(alpha=0.5, include_top=False, input_shape=(160, 160, 3)),
             'mobilenet_5_0_160_tf_no_top.h5', mobilenet.BASE_WEIGHT_PATH),
            (MobileNetV2, dict(alpha=0.35, input_shape=(96, 96, 3)),
             'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5',
             mobilenet_v2.BASE_WEIGHT_PATH)]:
        K.clear_session()
        with pytest.raises(OSError) as info:
            fn(weights='imagenet', **kwargs)
        assert fname in str(info.value)
        assert base + fname in str(info.value)
        assert calls[-1] == base + fname
    assert time.time() - t < 30


# ---------------------------------------------------------------- numerics
@pytest.mark.parametrize('by_name', [False, True])
def test_numeric_fixture(by_name):
    entry = numeric_entry('mobilenet_0.25_128')
    data = np.load(os.path.join(NUMERIC, entry['io_file']))
    tol = entry['tolerance']
    kwargs = dict(entry['call_kwargs'])
    kwargs['input_shape'] = tuple(kwargs['input_shape'])
    K.clear_session()
    model = MobileNet(**kwargs)
    assert model.name == entry['model_name']
    assert model.count_params() == entry['total_params']
    assert len(model.layers) == entry['n_layers']
    model.load_weights(os.path.join(NUMERIC, entry['weights_file']), by_name=by_name)

    probes = entry['probes']
    outputs = [model.get_layer(p['keras224_layer']).output for p in probes]
    probe_model = Model(model.inputs, outputs + [model.output])
    results = probe_model.predict(data['x'])
    np.testing.assert_allclose(results[-1], data['y'], **tol)
    for probe, got in zip(probes, results[:-1]):
        expected = data[probe['key']]
        shape = probe.get('keras224_shape_keras_applications_1_0_6', probe['shape'])
        assert got.shape == tuple(shape), probe
        np.testing.assert_allclose(got.reshape(expected.shape), expected,
                                   err_msg=probe['keras224_layer'], **tol)


def test_preprocess_input():
    data = np.load(os.path.join(NUMERIC, 'mobilenet_0.25_128_io.npz'))
    out = mobilenet.preprocess_input(data['x_uint8'])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, data['x'], rtol=1e-6, atol=1e-5)
    # MobileNetV2 (Keras 2.2.4): x / 128 - 1, as float32; float arrays in place
    x = np.array([[[[0., 128., 255.]]]], dtype='float64')
    out = mobilenet_v2.preprocess_input(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[[[-1., 0., 255. / 128 - 1]]]], rtol=1e-6)
    np.testing.assert_allclose(x, [[[[-1., 0., 255. / 128 - 1]]]])
    out = mobilenet_v2.preprocess_input(data['x_uint8'])
    np.testing.assert_allclose(out, data['x_uint8'].astype('float32') / 128. - 1.,
                               rtol=1e-6)
    t = K.constant(np.array([[[[0., 64., 255.]]]], dtype='float32'))
    np.testing.assert_allclose(K.eval(mobilenet_v2.preprocess_input(t)),
                               [[[[-1., -0.5, 255. / 128 - 1]]]], rtol=1e-6)


def test_decode_predictions_reexported():
    from keras.applications import imagenet_utils
    assert mobilenet.decode_predictions is imagenet_utils.decode_predictions
    assert mobilenet_v2.decode_predictions is imagenet_utils.decode_predictions
    import keras.applications as apps
    assert apps.MobileNet is MobileNet and apps.MobileNetV2 is MobileNetV2


def test_small_v2_predicts():
    K.clear_session()
    m = MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, weights=None, classes=5)
    y = m.predict(np.zeros((2, 32, 32, 3), 'float32'))
    assert y.shape == (2, 5)
    np.testing.assert_allclose(y.sum(axis=1), 1., rtol=1e-5)
