"""imagenet_utils: preprocess_input / decode_predictions against the fixtures, the
input-shape and argument checks, and the weight-file lookup."""
import json
import os

import numpy as np
import pytest

import keras
from keras import backend as K
from keras.applications import imagenet_utils

from manifest_utils import NUMERIC as FIX, load_numeric_index


@pytest.mark.parametrize('entry', load_numeric_index()['preprocess_input'],
                         ids=lambda e: e['key'])
def test_preprocess_input_numpy_matches_fixture(entry):
    data = np.load(os.path.join(FIX, 'preprocess_input.npz'))
    x = data[entry['input_key']]
    out = imagenet_utils.preprocess_input(x.copy(), data_format=entry['data_format'],
                                          mode=entry['mode'])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, data[entry['key']], rtol=1e-6, atol=1e-5)
    # a float input gives the same result, modified in place as in Keras 2.2.4; in caffe
    # mode the result is a channel-reversed view of it (so the input holds the result in
    # RGB order: Keras 2.2.4's own test checks `x == out[..., ::-1]`)
    xf = x.astype('float32')
    out_f = imagenet_utils.preprocess_input(xf, data_format=entry['data_format'],
                                            mode=entry['mode'])
    np.testing.assert_allclose(out_f, data[entry['key']], rtol=1e-6, atol=1e-5)
    if entry['mode'] == 'caffe':
        assert out_f.base is xf
        axis = -1 if entry['data_format'] == 'channels_last' else x.ndim - 3
        np.testing.assert_allclose(xf, np.flip(data[entry['key']], axis), rtol=1e-6,
                                   atol=1e-5)
    else:
        assert out_f is xf


@pytest.mark.parametrize('mode', ['caffe', 'tf', 'torch'])
@pytest.mark.parametrize('layout,fmt', [('nhwc', 'channels_last'),
                                        ('nchw', 'channels_first')])
def test_preprocess_input_symbolic_and_tensor(mode, layout, fmt):
    data = np.load(os.path.join(FIX, 'preprocess_input.npz'))
    x = data['x_uint8_' + layout].astype('float32')
    expected = data['%s_%s' % (mode, layout)]
    # backend tensor
    out = K.eval(imagenet_utils.preprocess_input(K.constant(x), data_format=fmt,
                                                 mode=mode))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-5)
    # symbolic tensor inside a model
    inp = keras.layers.Input(shape=x.shape[1:])
    y = imagenet_utils.preprocess_input(inp, data_format=fmt, mode=mode)
    model = keras.models.Model(inp, y)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-6, atol=1e-5)


def test_preprocess_input_default_data_format_and_errors():
    x = np.arange(2 * 2 * 2 * 3, dtype='float32').reshape(2, 2, 2, 3)
    out = imagenet_utils.preprocess_input(x.copy())  # caffe, channels_last default
    np.testing.assert_allclose(out[..., 0], x[..., 2] - 103.939, rtol=1e-6)
    with pytest.raises(ValueError, match='mode'):
        imagenet_utils.preprocess_input(x, mode='caffee')
    with pytest.raises(ValueError, match='data_format'):
        imagenet_utils.preprocess_input(x, data_format='NHWC')
    with pytest.raises(ValueError, match='3 colour channels'):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 4), 'float32'), mode='torch')


def _synthetic_index():
    return {str(i): ['n%08d' % (7 * i + 1440764), 'class_%04d' % i] for i in range(1000)}


def test_decode_predictions_matches_fixture(monkeypatch):
    with open(os.path.join(FIX, 'decode_predictions_synthetic.json')) as f:
        expected = json.load(f)
    preds = np.load(os.path.join(FIX, 'decode_predictions_preds.npz'))['preds']
    monkeypatch.setattr(imagenet_utils, 'CLASS_INDEX', _synthetic_index())
    for top, key in ((5, 'top5'), (3, 'top3')):
        got = imagenet_utils.decode_predictions(preds, top=top)
        assert isinstance(got, list) and len(got) == len(preds)
        for row, exp_row in zip(got, expected[key]):
            assert [t[:2] for t in row] == [tuple(e[:2]) for e in exp_row]
            np.testing.assert_allclose([t[2] for t in row], [e[2] for e in exp_row],
                                       rtol=1e-6)
            assert all(isinstance(t, tuple) for t in row)


def test_decode_predictions_real_class_index():
    monkey_free = imagenet_utils.decode_predictions
    preds = np.zeros((2, 1000), 'float32')
    preds[0, 281] = 1.  # tabby cat
    preds[1, 1] = 0.7
    preds[1, 999] = 0.3
    out = monkey_free(preds, top=2)
    assert out[0][0][:2] == ('n02123045', 'tabby')
    assert out[1][0][:2] == ('n01443537', 'goldfish')
    assert out[1][1][:2] == ('n15075141', 'toilet_tissue')
    with pytest.raises(ValueError, match='shape'):
        monkey_free(np.zeros((2, 10)))
    with pytest.raises(ValueError, match='shape'):
        monkey_free(np.zeros(1000))


def test_obtain_input_shape_rules():
    f = imagenet_utils._obtain_input_shape
    assert f(None, 224, 32, 'channels_last', require_flatten=True) == (224, 224, 3)
    assert f(None, 224, 32, 'channels_last', require_flatten=False) == (None, None, 3)
    assert f(None, 224, 32, 'channels_first', require_flatten=False) == (3, None, None)
    assert f((100, 120, 3), 224, 32, 'channels_last', False, 'imagenet') == (100, 120, 3)
    with pytest.raises(ValueError, match='input_shape'):
        f((100, 100, 3), 224, 32, 'channels_last', True, 'imagenet')
    with pytest.raises(ValueError, match='at least 32x32'):
        f((31, 100, 3), 224, 32, 'channels_last', False)
    with pytest.raises(ValueError, match='3 channels'):
        f((64, 64, 1), 224, 32, 'channels_last', False, 'imagenet')
    with pytest.raises(ValueError, match='static `input_shape`'):
        f((None, None, 3), 224, 32, 'channels_last', True)
    with pytest.raises(ValueError, match='three integers'):
        f((64, 64), 224, 32, 'channels_last', False)


def test_validate_arguments(tmp_path):
    v = imagenet_utils.validate_arguments
    v('imagenet', True, 1000)
    v(None, True, 7, 'max')
    path = tmp_path / 'w.h5'
    path.write_bytes(b'')
    v(str(path), True, 5)
    with pytest.raises(ValueError, match='`weights`'):
        v('imagenett', True, 1000)
    with pytest.raises(ValueError, match='`classes` should be 1000'):
        v('imagenet', True, 10)
    with pytest.raises(ValueError, match='`pooling`'):
        v(None, False, 1000, pooling='average')


def test_imagenet_weights_path_cache_and_offline(tmp_path, monkeypatch):
    monkeypatch.setenv('KERAS_HOME', str(tmp_path))
    from keras.utils import data_utils

    def no_network(origin, fpath, timeout=30):
        raise OSError('network unreachable')

    monkeypatch.setattr(data_utils, '_download', no_network)
    # the datasets' error class (an OSError, as before)
    with pytest.raises(data_utils.DownloadError) as info:
        imagenet_utils.imagenet_weights_path('some_weights.h5',
                                             'https://example.invalid/some_weights.h5')
    message = str(info.value)
    assert 'some_weights.h5' in message and 'https://example.invalid' in message
    assert os.path.join(str(tmp_path), 'models') in message
    # one sentence: file, URL, cause, where to put it; nothing said twice
    assert message.count('https://example.invalid') == 1 and 'network unreachable' in message
    assert message.count(os.path.join(str(tmp_path), 'models')) == 1
    (tmp_path / 'models').mkdir(exist_ok=True)
    cached = tmp_path / 'models' / 'some_weights.h5'
    cached.write_bytes(b'x')
    assert imagenet_utils.imagenet_weights_path(
        'some_weights.h5', 'https://example.invalid/some_weights.h5') == str(cached)


def test_keras_modules_injection_passes_this_keras_modules():
    # Keras 2.2.4 wrapped keras_applications' model functions with it; third-party code
    # imports it to call such functions
    import keras
    from keras.applications import keras_modules_injection

    def build(units, backend=None, layers=None, models=None, utils=None):
        x = layers.Input((3,))
        return models.Model(x, layers.Dense(units)(x)), backend, utils

    model, backend, utils = keras_modules_injection(build)(2)
    assert isinstance(model, keras.models.Model) and model.output_shape == (None, 2)
    assert backend is keras.backend and utils is keras.utils
    # arguments the call gives win
    assert keras_modules_injection(build)(2, utils='mine')[2] == 'mine'


def test_keras_2_2_4s_application_and_preprocessing_packages_come_with_it():
    # Keras 2.2.4 required keras_applications and keras_preprocessing, and libraries import
    # them directly (keras-vggface and keras_squeezenet: _obtain_input_shape); their models
    # build with this Keras's modules
    from keras_applications import mobilenet
    from keras_applications.imagenet_utils import _obtain_input_shape
    from keras_preprocessing.image import ImageDataGenerator
    from keras.applications import keras_modules_injection
    assert _obtain_input_shape(None, 224, 32, 'channels_last',
                               require_flatten=False) == (None, None, 3)
    model = keras_modules_injection(mobilenet.MobileNet)(
        input_shape=(32, 32, 3), alpha=0.25, weights=None, classes=3)
    assert isinstance(model, keras.models.Model) and model.output_shape == (None, 3)
    assert model.predict(np.zeros((2, 32, 32, 3), 'float32')).shape == (2, 3)
    images = np.arange(2 * 4 * 4 * 3, dtype='float32').reshape(2, 4, 4, 3)
    batch = next(ImageDataGenerator(rescale=0.5).flow(images, batch_size=2, shuffle=False))
    np.testing.assert_allclose(batch, images * 0.5)
