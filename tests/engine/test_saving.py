"""Saving and loading: Keras 2 HDF5 files (reference fixtures), our own round trips,
weights loading modes, atomic writes, pickling, clone_model, custom objects."""
import copy
import json
import os
import pickle
import warnings

import h5py
import numpy as np
import pytest

import keras
from keras import backend as K
from keras import layers as L
from keras.engine import saving
from keras.engine.saving import preprocess_weights_for_loading
from keras.layers import Input, Dense
from keras.models import (Model, Sequential, clone_model, load_model, model_from_json,
                          save_model)
from keras.utils import io_utils
from keras.utils.generic_utils import CustomObjectScope

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'fixtures', 'h5')
with open(os.path.join(FIXTURES, 'index.json')) as _f:
    INDEX = {m['id']: m for m in json.load(_f)['models']}

# Layers each fixture needs (written by other parts of the project).
NEEDED = {
    'cnn_bn_dropout': ['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'Dropout', 'Flatten'],
    'lstm_text': ['Embedding', 'LSTM'],
    'functional_two_io_shared': ['Concatenate', 'Subtract'],
}


@pytest.fixture(autouse=True)
def _fresh_names():
    K.clear_session()
    yield


def _require_layers(model_id):
    missing = [n for n in NEEDED.get(model_id, []) if not hasattr(L, n)]
    assert not missing, 'keras.layers lacks %s (needed by fixture %s)' % (missing, model_id)


def _io(model_id):
    return np.load(os.path.join(FIXTURES, INDEX[model_id]['io_file']))


def _inputs(model_id):
    io = _io(model_id)
    xs = [io[i['key']] for i in INDEX[model_id]['inputs']]
    return xs if len(xs) > 1 else xs[0]


def _check_predictions(model, model_id):
    meta = INDEX[model_id]
    io = _io(model_id)
    preds = model.predict(_inputs(model_id))
    preds = preds if isinstance(preds, list) else [preds]
    assert len(preds) == len(meta['outputs'])
    for p, out in zip(preds, meta['outputs']):
        np.testing.assert_allclose(p, io[out['key']], rtol=meta['tolerance']['rtol'],
                                   atol=meta['tolerance']['atol'])


def _train_data(model_id):
    meta = INDEX[model_id]
    io = _io(model_id)
    x = [io[k] for k in meta['train_data']['x']]
    y = [io[k] for k in meta['train_data']['y']]
    return (x if len(x) > 1 else x[0]), (y if len(y) > 1 else y[0])


def _load_reference(model_id, **kwargs):
    with warnings.catch_warnings():
        # tf.keras optimizer state only partly maps onto Keras 2.2 optimizers (warned).
        warnings.simplefilter('ignore')
        return load_model(os.path.join(FIXTURES, INDEX[model_id]['model_file']), **kwargs)


# ----------------------------------------------------------------------------- reference files
@pytest.mark.parametrize('model_id', sorted(INDEX))
def test_load_model_reference_file(model_id):
    _require_layers(model_id)
    meta = INDEX[model_id]
    model = _load_reference(model_id)
    assert model.__class__.__name__ == ('Sequential' if meta['model_class'] == 'Sequential'
                                        else 'Model')
    assert model.name == meta['model_name']
    assert [l.name for l in model.layers] == [n for n in meta['layers']]
    assert model.count_params() == meta['n_params']
    _check_predictions(model, model_id)
    x, y = _train_data(model_id)
    result = model.evaluate(x, y, batch_size=meta['evaluate_batch_size'], verbose=0)
    expected = list(meta['evaluate_after_fit'].values())
    assert len(model.metrics_names) == len(expected)
    np.testing.assert_allclose(result, expected, rtol=1e-4)
    # The loaded optimizer continues training.
    before = [w.copy() for w in model.get_weights()]
    iterations = int(K.get_value(model.optimizer.iterations))
    logs = model.train_on_batch(x, y)
    assert np.all(np.isfinite(logs))
    assert int(K.get_value(model.optimizer.iterations)) == iterations + 1
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize('model_id', sorted(INDEX))
def test_load_weights_into_model_from_json(model_id):
    _require_layers(model_id)
    with open(os.path.join(FIXTURES, INDEX[model_id]['json_file'])) as f:
        model = model_from_json(f.read())
    model.load_weights(os.path.join(FIXTURES, INDEX[model_id]['weights_file']))
    _check_predictions(model, model_id)
    # The weights of a model file load the same way (group model_weights).
    K.clear_session()
    with open(os.path.join(FIXTURES, INDEX[model_id]['json_file'])) as f:
        model = model_from_json(f.read())
    model.load_weights(os.path.join(FIXTURES, INDEX[model_id]['model_file']))
    _check_predictions(model, model_id)


def test_reference_optimizer_state_is_restored_by_name():
    model = _load_reference('mlp_sequential')
    with h5py.File(os.path.join(FIXTURES, 'mlp_sequential_model.h5'), 'r') as f:
        group = f['optimizer_weights']
        m_kernel = np.asarray(group['Adam/dense/kernel/m:0'])
        v_bias = np.asarray(group['Adam/dense_1/bias/v:0'])
        iterations = int(np.asarray(group['Adam/iter:0']))
    assert iterations == 4  # 32 samples, batch size 8, one epoch
    opt = model.optimizer
    assert int(K.get_value(opt.iterations)) == iterations
    np.testing.assert_array_equal(K.get_value(opt.ms[0]), m_kernel)
    np.testing.assert_array_equal(K.get_value(opt.vs[3]), v_bias)
    # Hyper-parameters come from training_config ("learning_rate" -> lr).
    np.testing.assert_allclose(K.get_value(opt.lr), 0.01, rtol=1e-6)


def test_reference_optimizer_state_warns_when_partial():
    path = os.path.join(FIXTURES, 'mlp_sequential_model.h5')
    with pytest.warns(UserWarning, match='loaded partially'):
        load_model(path)


def test_reference_rmsprop_counter_restored():
    _require_layers('functional_two_io_shared')
    model = _load_reference('functional_two_io_shared')
    assert int(K.get_value(model.optimizer.iterations)) == 4  # 20 samples, batch size 5
    assert model.loss == {'out_binary': 'binary_crossentropy',
                          'out_class': 'categorical_crossentropy'}


def test_load_model_without_compile():
    model = load_model(os.path.join(FIXTURES, 'mlp_sequential_model.h5'), compile=False)
    assert not model._is_compiled
    _check_predictions(model, 'mlp_sequential')


# ----------------------------------------------------------------------------- own models
def _mlp(name='mlp'):
    model = Sequential(name=name)
    model.add(Dense(6, activation='relu', input_shape=(4,), name='hidden'))
    model.add(Dense(3, activation='softmax', name='out'))
    return model


def _data(n=16, dim=4, classes=3, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, dim).astype('float32')
    y = np.eye(classes, dtype='float32')[rng.randint(0, classes, n)]
    return x, y


def _two_io_model():
    a = Input(shape=(5,), name='in_a')
    b = Input(shape=(5,), name='in_b')
    shared = Dense(4, activation='tanh', name='shared')
    ha, hb = shared(a), shared(b)
    merged = L.Concatenate(name='merged')([ha, hb])
    out_bin = Dense(1, activation='sigmoid', name='out_bin')(merged)
    out_cls = Dense(3, activation='softmax', name='out_cls')(L.Subtract(name='diff')([ha, hb]))
    return Model([a, b], [out_bin, out_cls], name='two_io')


def _nested_model():
    inner = Sequential(name='inner')
    inner.add(Dense(5, activation='relu', input_shape=(4,), name='inner_dense'))
    inner.add(L.BatchNormalization(name='inner_bn'))
    inner.add(Dense(3, activation='tanh', name='inner_dense_2'))
    x = Input(shape=(4,), name='outer_in')
    h = inner(x)
    out = Dense(2, activation='softmax', name='head')(h)
    return Model(x, out, name='outer')


def _assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)


def _assert_same_next_step(original, loaded, x, y):
    """Both models take the same next training step: same loss, same weights after it
    (BatchNormalization moving statistics included: their zero-debiasing step count is
    saved with the weights), same optimizer state."""
    la = original.train_on_batch(x, y)
    lb = loaded.train_on_batch(x, y)
    np.testing.assert_allclose(la, lb, rtol=1e-6, atol=1e-7)
    for wa, wb in zip(K.batch_get_value(original.weights),
                      K.batch_get_value(loaded.weights)):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-7)
    for wa, wb in zip(original.optimizer.get_weights(), loaded.optimizer.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-7)


def test_sequential_round_trip_and_layout(tmp_path):
    model = _mlp()
    model.compile(keras.optimizers.Adam(lr=0.01, decay=0.1), 'categorical_crossentropy',
                  metrics=['accuracy'])
    x, y = _data()
    model.train_on_batch(x[:8], y[:8])
    model.train_on_batch(x[8:], y[8:])
    path = str(tmp_path / 'mlp.h5')
    model.save(path)

    with h5py.File(path, 'r') as f:
        assert f.attrs['keras_version'] == keras.__version__.encode()
        assert f.attrs['backend'] == b'tensorflow'
        config = json.loads(f.attrs['model_config'].decode('utf-8'))
        assert config['class_name'] == 'Sequential'
        assert [l['config']['name'] for l in config['config']['layers']] == ['hidden', 'out']
        training = json.loads(f.attrs['training_config'].decode('utf-8'))
        assert set(training) >= {'optimizer_config', 'loss', 'metrics', 'sample_weight_mode',
                                 'loss_weights'}
        assert training['optimizer_config']['class_name'] == 'Adam'
        assert training['loss'] == 'categorical_crossentropy'
        assert training['metrics'] == ['accuracy']
        g = f['model_weights']
        assert [n.decode() for n in g.attrs['layer_names']] == ['hidden', 'out']
        assert [n.decode() for n in g['hidden'].attrs['weight_names']] == \
            ['hidden/kernel:0', 'hidden/bias:0']
        np.testing.assert_array_equal(g['hidden/hidden/kernel:0'], model.layers[0].get_weights()[0])
        names = [n.decode() for n in f['optimizer_weights'].attrs['weight_names']]
        assert names[0] == 'Adam/iterations:0' and 'Adam/hidden/kernel/m:0' in names
        assert f['optimizer_weights/Adam/iterations:0'][()] == 2

    loaded = load_model(path)
    assert isinstance(loaded, Sequential)
    _assert_same_weights(model, loaded)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    assert loaded.metrics_names == model.metrics_names
    assert int(K.get_value(loaded.optimizer.iterations)) == 2
    _assert_same_next_step(model, loaded, x[:8], y[:8])


def test_functional_multi_io_shared_round_trip(tmp_path):
    model = _two_io_model()
    model.compile(keras.optimizers.RMSprop(lr=0.01),
                  loss={'out_bin': 'binary_crossentropy', 'out_cls': 'categorical_crossentropy'},
                  loss_weights={'out_bin': 0.5, 'out_cls': 1.0},
                  metrics={'out_cls': ['accuracy']})
    rng = np.random.RandomState(1)
    xa, xb = rng.randn(10, 5).astype('float32'), rng.randn(10, 5).astype('float32')
    yb = rng.randint(0, 2, (10, 1)).astype('float32')
    yc = np.eye(3, dtype='float32')[rng.randint(0, 3, 10)]
    model.train_on_batch([xa, xb], [yb, yc])
    path = str(tmp_path / 'two_io.h5')
    save_model(model, path)
    with h5py.File(path, 'r') as f:
        config = json.loads(f.attrs['model_config'].decode('utf-8'))
        assert config['class_name'] == 'Model'
        shared = [l for l in config['config']['layers'] if l['name'] == 'shared'][0]
        assert len(shared['inbound_nodes']) == 2
    loaded = load_model(path)
    assert loaded.input_names == ['in_a', 'in_b']
    assert loaded.output_names == ['out_bin', 'out_cls']
    assert len(loaded.get_layer('shared')._inbound_nodes) == 2
    _assert_same_weights(model, loaded)
    for p, q in zip(model.predict([xa, xb]), loaded.predict([xa, xb])):
        np.testing.assert_allclose(p, q, rtol=1e-6)
    _assert_same_next_step(model, loaded, [xa, xb], [yb, yc])


def test_nested_model_round_trip_and_weight_order(tmp_path):
    model = _nested_model()
    model.compile('adam', 'categorical_crossentropy')
    x, _ = _data(8)
    y = np.eye(2, dtype='float32')[np.arange(8) % 2]
    model.train_on_batch(x, y)
    path = str(tmp_path / 'nested.h5')
    model.save(path)
    with h5py.File(path, 'r') as f:
        g = f['model_weights']
        assert [n.decode() for n in g.attrs['layer_names']] == ['outer_in', 'inner', 'head']
        # Keras 2 order for a nested model: all trainable weights, then non-trainable ones.
        assert [n.decode() for n in g['inner'].attrs['weight_names']] == [
            'inner_dense/kernel:0', 'inner_dense/bias:0', 'inner_bn/gamma:0', 'inner_bn/beta:0',
            'inner_dense_2/kernel:0', 'inner_dense_2/bias:0',
            'inner_bn/moving_mean:0', 'inner_bn/moving_variance:0']
        assert len(g['outer_in'].attrs['weight_names']) == 0
        moving_mean = np.asarray(g['inner/inner_bn/moving_mean:0'])
    np.testing.assert_array_equal(
        moving_mean, K.get_value(model.get_layer('inner').get_layer('inner_bn').moving_mean))
    loaded = load_model(path)
    assert isinstance(loaded.get_layer('inner'), Sequential)
    _assert_same_weights(model, loaded)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    _assert_same_next_step(model, loaded, x, y)


def test_save_weights_load_weights_topological(tmp_path):
    model = _two_io_model()
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    with h5py.File(path, 'r') as f:
        assert 'model_config' not in f.attrs
        assert [n.decode() for n in f.attrs['layer_names']] == \
            [l.name for l in model.layers]
    K.clear_session()
    rebuilt = model_from_json(model.to_json())
    rebuilt.load_weights(path)
    _assert_same_weights(model, rebuilt)


def test_load_weights_errors_name_layers_and_counts(tmp_path):
    path = str(tmp_path / 'w.h5')
    _mlp().save_weights(path)
    # Different number of layers with weights.
    three = Sequential([Dense(6, input_shape=(4,)), Dense(3), Dense(2)])
    with pytest.raises(ValueError, match=r'containing 2 layers.*model with 3 layers'):
        three.load_weights(path)
    # Same count, different shape.
    other = Sequential([Dense(6, input_shape=(4,), name='a'), Dense(5, name='b')])
    with pytest.raises(ValueError, match=r'"b".*\(6, 5\).*\(6, 3\)'):
        other.load_weights(path)
    # Different number of weights in a layer.
    nobias = Sequential([Dense(6, input_shape=(4,)), Dense(3, use_bias=False)])
    with pytest.raises(ValueError, match='expects 1 weights, but the saved weights have 2'):
        nobias.load_weights(path)


def test_load_weights_by_name_and_skip_mismatch(tmp_path):
    source = _mlp()
    path = str(tmp_path / 'w.h5')
    source.save_weights(path)
    target = Sequential([Dense(6, activation='relu', input_shape=(4,), name='hidden'),
                         Dense(7, name='other'), Dense(3, name='out_wide')])
    before = target.get_layer('other').get_weights()
    target.load_weights(path, by_name=True)
    for a, b in zip(target.get_layer('hidden').get_weights(), source.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(target.get_layer('other').get_weights(), before):
        np.testing.assert_array_equal(a, b)

    mismatched = Sequential([Dense(6, input_shape=(4,), name='hidden'), Dense(4, name='out')])
    with pytest.raises(ValueError, match=r'"out".*\(6, 4\).*\(6, 3\)'):
        mismatched.load_weights(path, by_name=True)
    kept = mismatched.get_layer('out').get_weights()
    with pytest.warns(UserWarning, match='Skipping loading of weights for layer out'):
        mismatched.load_weights(path, by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(mismatched.get_layer('out').get_weights()[0], kept[0])
    np.testing.assert_array_equal(mismatched.get_layer('hidden').get_weights()[0],
                                  source.layers[0].get_weights()[0])
    nobias = Sequential([Dense(6, input_shape=(4,), name='hidden'),
                         Dense(3, name='out', use_bias=False)])
    with pytest.raises(ValueError, match=r'"out"\) expects 1 weight\(s\).*2 element'):
        nobias.load_weights(path, by_name=True)
    with pytest.warns(UserWarning, match=r'mismatch in number of weights \(1 vs 2\)'):
        nobias.load_weights(path, by_name=True, skip_mismatch=True)


def test_load_weights_reshape(tmp_path):
    source = Sequential([L.Embedding(12, 2, input_length=3, name='emb')])
    path = str(tmp_path / 'w.h5')
    source.save_weights(path)
    target = Sequential([L.Embedding(24, 1, input_length=3, name='emb')])
    with pytest.raises(ValueError, match=r'\(24, 1\).*\(12, 2\)'):
        target.load_weights(path)
    target.load_weights(path, reshape=True)
    np.testing.assert_array_equal(target.get_weights()[0],
                                  source.get_weights()[0].reshape(24, 1))


def test_chunked_and_string_attributes(tmp_path):
    path = str(tmp_path / 'attrs.h5')
    names = ['layer_%05d_%s' % (i, 'x' * 40) for i in range(2000)]
    with h5py.File(path, 'w') as f:
        saving.save_attributes_to_hdf5_group(f, 'layer_names', names)
        assert 'layer_names' not in f.attrs and 'layer_names1' in f.attrs
        assert all(f.attrs[k].nbytes <= io_utils.HDF5_OBJECT_HEADER_LIMIT for k in f.attrs)
        f.attrs['vlen'] = np.array(['a', 'bc'], dtype=h5py.string_dtype())
    with h5py.File(path, 'r') as f:
        assert saving.load_attributes_from_hdf5_group(f, 'layer_names') == names
        assert saving.load_attributes_from_hdf5_group(f, 'vlen') == ['a', 'bc']

    # A weights file whose layer_names was split into chunks loads.
    model = _mlp()
    wpath = str(tmp_path / 'w.h5')
    model.save_weights(wpath)
    with h5py.File(wpath, 'a') as f:
        del f.attrs['layer_names']
        f.attrs['layer_names0'] = np.array([b'hidden'])
        f.attrs['layer_names1'] = np.array([b'out'])
    K.clear_session()
    other = _mlp()
    other.load_weights(wpath)
    _assert_same_weights(model, other)


def test_atomic_write_keeps_previous_file(tmp_path, monkeypatch):
    model = _mlp()
    model.compile('sgd', 'mse')
    path = str(tmp_path / 'model.h5')
    model.save(path)
    original = [w.copy() for w in model.get_weights()]
    model.set_weights([w + 1 for w in original])

    def boom(*args, **kwargs):
        raise RuntimeError('disk full')
    monkeypatch.setattr(saving, 'save_weights_to_hdf5_group', boom)
    with pytest.raises(RuntimeError, match='disk full'):
        model.save(path)
    with pytest.raises(RuntimeError, match='disk full'):
        model.save_weights(path)
    monkeypatch.undo()
    assert os.listdir(str(tmp_path)) == ['model.h5']  # no temporary file left behind
    loaded = load_model(path)
    for a, b in zip(loaded.get_weights(), original):
        np.testing.assert_array_equal(a, b)


def test_overwrite_false_asks(tmp_path, monkeypatch):
    model = _mlp()
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    model.set_weights([w + 1 for w in model.get_weights()])
    asked = []
    monkeypatch.setattr(io_utils, 'ask_to_proceed_with_overwrite',
                        lambda p: asked.append(p) or False)
    model.save_weights(path, overwrite=False)
    assert asked == [path]
    other = _mlp()
    other.load_weights(path)
    assert not np.allclose(other.get_weights()[0], model.get_weights()[0])
    monkeypatch.setattr(io_utils, 'ask_to_proceed_with_overwrite', lambda p: True)
    model.save_weights(path, overwrite=False)
    other.load_weights(path)
    _assert_same_weights(model, other)


def test_corrupt_and_foreign_files(tmp_path):
    not_h5 = str(tmp_path / 'text.h5')
    with open(not_h5, 'w') as f:
        f.write('not an hdf5 file')
    with pytest.raises(IOError, match='not a readable HDF5 file'):
        load_model(not_h5)
    with pytest.raises(IOError, match='no such file'):
        load_model(str(tmp_path / 'missing.h5'))

    foreign = str(tmp_path / 'foreign.h5')
    with h5py.File(foreign, 'w') as f:
        f.create_dataset('data', data=np.arange(3))
    with pytest.raises(ValueError, match='model_config'):
        load_model(foreign)
    with pytest.raises(ValueError, match='layer_names'):
        _mlp().load_weights(foreign)

    weights = str(tmp_path / 'w.h5')
    _mlp().save_weights(weights)
    with pytest.raises(ValueError, match='weights file.*load_weights'):
        load_model(weights)
    with h5py.File(weights, 'a') as f:
        del f['out']
    with pytest.raises(ValueError, match="'out'.*no group"):
        _mlp().load_weights(weights)

    model = _mlp()
    model.compile('sgd', 'mse')
    path = str(tmp_path / 'm.h5')
    model.save(path)
    with h5py.File(path, 'a') as f:
        del f['model_weights/hidden/hidden/kernel:0']
    with pytest.raises(ValueError, match="hidden/kernel:0"):
        load_model(path)


def test_h5py_objects_dicts_and_h5dict(tmp_path):
    model = _mlp()
    model.compile('adam', 'categorical_crossentropy')
    x, y = _data(8)
    model.train_on_batch(x, y)
    path = str(tmp_path / 'm.h5')
    with h5py.File(path, 'w') as f:
        save_model(model, f)
    with h5py.File(path, 'r') as f:
        loaded = load_model(f)
    _assert_same_weights(model, loaded)
    with h5py.File(path, 'r') as f:
        other = _mlp()
        other.load_weights(f)
    _assert_same_weights(model, other)

    memory = {}
    save_model(model, memory)
    loaded = load_model(memory)
    _assert_same_weights(model, loaded)
    _assert_same_next_step(model, loaded, x, y)

    h5d = io_utils.H5Dict(str(tmp_path / 'h5dict.h5'), mode='w')
    save_model(model, h5d)
    h5d.close()
    _assert_same_weights(model, load_model(str(tmp_path / 'h5dict.h5')))


def test_bad_arguments():
    with pytest.raises(TypeError, match='filepath.*int'):
        load_model(3)
    with pytest.raises(TypeError, match='custom_objects'):
        load_model({}, custom_objects=['x'])
    with pytest.raises(TypeError, match='model'):
        save_model('not a model', {})


# ----------------------------------------------------------------------------- pickling
class ScaledDense(L.Dense):
    """A custom layer (module level, so it is importable by pickle)."""

    def __init__(self, units, scale=2.0, **kwargs):
        super(ScaledDense, self).__init__(units, **kwargs)
        self.scale = scale

    def call(self, inputs):
        return super(ScaledDense, self).call(inputs) * self.scale

    def get_config(self):
        config = super(ScaledDense, self).get_config()
        config['scale'] = self.scale
        return config


def scaled_mse(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1) * 3.0


def test_pickle_and_deepcopy():
    model = _two_io_model()
    model.compile('adam', ['binary_crossentropy', 'categorical_crossentropy'])
    rng = np.random.RandomState(2)
    xs = [rng.randn(6, 5).astype('float32') for _ in range(2)]
    ys = [rng.randint(0, 2, (6, 1)).astype('float32'),
          np.eye(3, dtype='float32')[rng.randint(0, 3, 6)]]
    model.train_on_batch(xs, ys)
    restored = pickle.loads(pickle.dumps(model))
    _assert_same_weights(model, restored)
    _assert_same_next_step(model, restored, xs, ys)

    plain = _nested_model()
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # an uncompiled model copies without warnings
        copied = copy.deepcopy(plain)
    assert copied is not plain and not copied._is_compiled
    _assert_same_weights(plain, copied)
    np.testing.assert_allclose(copied.predict(xs[0][:, :4]), plain.predict(xs[0][:, :4]),
                               rtol=1e-6)


def test_pickle_custom_layer_without_scope():
    model = Sequential([ScaledDense(3, scale=0.5, input_shape=(4,), name='scaled')])
    restored = pickle.loads(pickle.dumps(model))
    assert isinstance(restored.layers[0], ScaledDense) and restored.layers[0].scale == 0.5
    x, _ = _data(4)
    np.testing.assert_allclose(restored.predict(x), model.predict(x), rtol=1e-6)


# ----------------------------------------------------------------------------- custom objects
def test_custom_layer_and_loss(tmp_path):
    x_in = Input(shape=(4,))
    out = ScaledDense(3, scale=1.5, name='scaled')(x_in)
    model = Model(x_in, out)
    model.compile('sgd', loss=scaled_mse)
    x, y = _data(8)
    model.train_on_batch(x, y)
    path = str(tmp_path / 'custom.h5')
    model.save(path)
    with h5py.File(path, 'r') as f:
        assert json.loads(f.attrs['training_config'].decode())['loss'] == 'scaled_mse'
    with pytest.raises(ValueError, match='Unknown layer: ScaledDense'):
        load_model(path)
    loaded = load_model(path, custom_objects={'ScaledDense': ScaledDense,
                                              'scaled_mse': scaled_mse})
    assert loaded.loss is scaled_mse or loaded.loss_functions[0] is scaled_mse
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    with CustomObjectScope({'ScaledDense': ScaledDense, 'scaled_mse': scaled_mse}):
        scoped = load_model(path)
    _assert_same_next_step(model, scoped, x, y)
    # The loss really is the custom one: 3x the mean squared error.
    pred = loaded.predict(x)
    expected = 3.0 * np.mean(np.mean((pred - y) ** 2, axis=-1))
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), expected, rtol=1e-5)


# ----------------------------------------------------------------------------- clone_model
def test_clone_functional_shared_layers():
    model = _two_io_model()
    clone = clone_model(model)
    assert clone is not model
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert len(clone.get_layer('shared')._inbound_nodes) == 2  # still shared
    assert all(a is not b for a, b in zip(clone.weights, model.weights))
    assert json.loads(clone.to_json())['config'] == json.loads(model.to_json())['config']
    clone.set_weights(model.get_weights())
    rng = np.random.RandomState(3)
    xs = [rng.randn(3, 5).astype('float32') for _ in range(2)]
    for p, q in zip(model.predict(xs), clone.predict(xs)):
        np.testing.assert_allclose(p, q, rtol=1e-6)


def test_clone_functional_with_input_tensors():
    model = _nested_model()
    new_input = Input(shape=(4,), name='new_in')
    clone = clone_model(model, input_tensors=[new_input])
    assert clone.inputs[0] is new_input
    assert clone.get_layer('inner') is not model.get_layer('inner')
    clone.set_weights(model.get_weights())
    x, _ = _data(5)
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)
    with pytest.raises(ValueError, match='input_tensors has 2'):
        clone_model(model, input_tensors=[Input((4,)), Input((4,))])


def test_clone_sequential():
    model = _mlp()
    clone = clone_model(model)
    assert isinstance(clone, Sequential) and clone.name == model.name
    assert [l.name for l in clone.layers] == ['hidden', 'out']
    clone.set_weights(model.get_weights())
    x, _ = _data(5)
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)

    new_input = Input(batch_shape=(None, 4), name='seq_in')
    clone2 = clone_model(model, input_tensors=new_input)
    assert clone2.inputs[0] is new_input
    assert clone2.layers[0] is not model.layers[0]
    with pytest.raises(ValueError, match='other than an `InputLayer`'):
        clone_model(model, input_tensors=Dense(4)(Input((4,))))

    # A Sequential built with build() (first layer without an input shape) clones too.
    deferred = Sequential([Dense(3, name='d')])
    deferred.build((None, 7))
    assert clone_model(deferred).layers[0].get_weights()[0].shape == (7, 3)


def test_clone_custom_layer_inside_nested_model():
    inner = Sequential([ScaledDense(3, input_shape=(4,), name='scaled')], name='inner')
    x = Input(shape=(4,))
    model = Model(x, Dense(2, name='head')(inner(x)))
    clone = clone_model(model)
    assert isinstance(clone.get_layer('inner').layers[0], ScaledDense)


# ----------------------------------------------------------------------------- conversions
def _lstm_weights(rng, input_dim, units):
    return [rng.randn(input_dim, 4 * units).astype('float32'),
            rng.randn(units, 4 * units).astype('float32'),
            rng.randn(4 * units).astype('float32')]


def test_cudnn_lstm_conversion_matches_outputs():
    rng = np.random.RandomState(4)
    x = rng.randn(2, 5, 3).astype('float32')
    lstm = L.LSTM(4, recurrent_activation='sigmoid', return_sequences=True)
    cudnn = L.CuDNNLSTM(4, return_sequences=True)
    lstm.build((None, 5, 3))
    cudnn.build((None, 5, 3))
    weights = _lstm_weights(rng, 3, 4)
    lstm.set_weights(weights)
    converted = preprocess_weights_for_loading(cudnn, weights)
    assert converted[2].shape == (32,)
    cudnn.set_weights(converted)
    np.testing.assert_allclose(np.asarray(cudnn(x)), np.asarray(lstm(x)), rtol=1e-4, atol=1e-5)
    back = preprocess_weights_for_loading(lstm, cudnn.get_weights())
    for a, b in zip(back, weights):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_cudnn_gru_conversion_matches_outputs():
    rng = np.random.RandomState(5)
    x = rng.randn(2, 5, 3).astype('float32')
    gru = L.GRU(4, recurrent_activation='sigmoid', reset_after=True, return_sequences=True)
    cudnn = L.CuDNNGRU(4, return_sequences=True)
    gru.build((None, 5, 3))
    cudnn.build((None, 5, 3))
    weights = [rng.randn(3, 12).astype('float32'), rng.randn(4, 12).astype('float32'),
               rng.randn(2, 12).astype('float32')]
    gru.set_weights(weights)
    cudnn.set_weights(preprocess_weights_for_loading(cudnn, weights))
    np.testing.assert_allclose(np.asarray(cudnn(x)), np.asarray(gru(x)), rtol=1e-4, atol=1e-5)
    plain = L.GRU(4, reset_after=False)
    plain.build((None, 5, 3))
    with pytest.raises(ValueError, match='not compatible'):
        preprocess_weights_for_loading(plain, cudnn.get_weights())


def test_keras1_lstm_and_theano_kernel_conversions():
    lstm = L.LSTM(2)
    lstm.build((None, 3, 3))
    parts = [np.full(s, i, dtype='float32') for i, s in enumerate(
        [(3, 2), (2, 2), (2,)] * 4)]  # Keras 1 order: i, c, f, o (W, U, b each)
    kernel, recurrent, bias = preprocess_weights_for_loading(lstm, parts, '1')
    # Keras 2 gate order i, f, c, o.
    np.testing.assert_array_equal(kernel[0], [0, 0, 6, 6, 3, 3, 9, 9])
    np.testing.assert_array_equal(bias, [2, 2, 8, 8, 5, 5, 11, 11])
    assert recurrent.shape == (2, 8)

    conv = L.Conv2D(2, (2, 3))
    conv.build((None, 5, 5, 1))
    k = np.arange(12, dtype='float32').reshape(2, 3, 1, 2)
    flipped = preprocess_weights_for_loading(conv, [k, np.zeros(2)], '2.2.4', 'theano')[0]
    np.testing.assert_array_equal(flipped, k[::-1, ::-1])
    same = preprocess_weights_for_loading(conv, [k, np.zeros(2)], '2.2.4', 'tensorflow')[0]
    np.testing.assert_array_equal(same, k)


@pytest.mark.parametrize('model_id', sorted(INDEX))
def test_resaved_reference_model_keeps_the_layout(model_id, tmp_path):
    _require_layers(model_id)
    summary = INDEX[model_id]['model_file_summary']
    model = _load_reference(model_id)
    path = str(tmp_path / 'resaved.h5')
    model.save(path)
    with h5py.File(path, 'r') as f:
        assert {'keras_version', 'backend', 'model_config', 'training_config'} <= set(f.attrs)
        assert {'model_weights', 'optimizer_weights'} <= set(f.keys())
        g = f['model_weights']
        assert saving.load_attributes_from_hdf5_group(g, 'layer_names') == summary['layer_names']
        for layer in summary['layers']:
            names = saving.load_attributes_from_hdf5_group(g[layer['layer']], 'weight_names')
            assert [list(g[layer['layer']][n].shape) for n in names] == layer['shapes']
            if '_cell/' not in ''.join(layer['weight_names']):
                assert names == layer['weight_names']
            else:  # Keras 2.2 names RNN weights <layer>/<weight>:0 (no cell scope)
                assert names == [n.replace('lstm_cell/', '') for n in layer['weight_names']]
        training = json.loads(f.attrs['training_config'].decode('utf-8'))
        assert 'lr' in training['optimizer_config']['config']
    _check_predictions(load_model(path, compile=False), model_id)


def test_topology_alias_module():
    from keras.engine import topology
    from keras.engine.network import Network
    assert topology.Network is Network and topology.Layer is L.Layer
    assert topology.load_weights_from_hdf5_group is saving.load_weights_from_hdf5_group
    assert topology.preprocess_weights_for_loading is preprocess_weights_for_loading
    x = Input((2,))
    assert topology.get_source_inputs(Dense(1)(x)) == [x]


def test_skip_mismatch_in_topological_mode(tmp_path):
    path = str(tmp_path / 'w.h5')
    source = _mlp()
    source.save_weights(path)
    target = Sequential([Dense(6, input_shape=(4,), name='a'), Dense(5, name='b')])
    kept = target.layers[1].get_weights()[0]
    with pytest.warns(UserWarning, match=r'Skipping loading of a weight.*"b"'):
        target.load_weights(path, skip_mismatch=True)
    np.testing.assert_array_equal(target.layers[0].get_weights()[0],
                                  source.layers[0].get_weights()[0])
    np.testing.assert_array_equal(target.layers[1].get_weights()[0], kept)


def test_tf_keras_config_keys_are_normalized():
    config = {'class_name': 'Functional', 'config': {
        'name': 'm', 'trainable': True,
        'layers': [
            {'class_name': 'InputLayer', 'name': 'x', 'inbound_nodes': [],
             'config': {'batch_input_shape': [None, 3], 'dtype': 'float32', 'sparse': False,
                        'ragged': False, 'name': 'x', 'optional': False}},
            {'class_name': 'Dense', 'name': 'd', 'module': 'keras.layers',
             'registered_name': None, 'build_config': {'input_shape': [None, 3]},
             'inbound_nodes': [[['x', 0, 0, {}]]],
             'config': {'name': 'd', 'units': 2,
                        'dtype': {'class_name': 'Policy', 'config': {'name': 'float32'}},
                        'kernel_initializer': {'module': 'keras.initializers',
                                               'class_name': 'GlorotUniform',
                                               'config': {'seed': None},
                                               'registered_name': None}}}],
        'input_layers': [['x', 0, 0]], 'output_layers': [['d', 0, 0]]}}
    model = keras.models.model_from_config(config)
    assert isinstance(model, Model) and model.get_layer('d').dtype == 'float32'
    config['config']['layers'][0]['config']['ragged'] = True
    with pytest.raises(ValueError, match="'ragged'=True has no Keras 2.2 equivalent"):
        keras.models.model_from_config(config)


def _bn_model():
    x = Input((3,))
    h = L.Dense(4, name='d')(x)
    h = L.BatchNormalization(momentum=0.9, name='bn')(h)
    inner = Sequential([L.BatchNormalization(momentum=0.5, input_shape=(4,), name='ibn')],
                       name='inner')
    out = L.Dense(1, name='o')(inner(h))
    model = Model(x, out)
    model.compile(keras.optimizers.SGD(lr=0.1), 'mse')
    return model


def test_batchnorm_zero_debias_step_saved_and_restored(tmp_path):
    rng = np.random.RandomState(0)
    x = rng.rand(16, 3).astype('float32')
    y = rng.rand(16, 1).astype('float32')
    model = _bn_model()
    for _ in range(3):
        model.train_on_batch(x, y)
    path = str(tmp_path / 'bn.h5')
    model.save(path)
    with h5py.File(path, 'r') as f:
        assert f['model_weights/bn'].attrs['zero_debias_step'] == 3
        assert f['model_weights/inner'].attrs['ibn/zero_debias_step'] == 3
        # the weights themselves keep the Keras 2 layout
        assert [n.decode() for n in f['model_weights/bn'].attrs['weight_names']] == \
            ['bn/gamma:0', 'bn/beta:0', 'bn/moving_mean:0', 'bn/moving_variance:0']
    loaded = load_model(path)
    _assert_same_next_step(model, loaded, x, y)

    # an independent NumPy reference of Keras 2.2.4's zero-debiased moving mean for `bn`
    # after one more step: b_t = moving_t * (1 - m**t); b_{t+1} = b_t*m + batch_mean*(1-m)
    kernel, bias = model.get_layer('d').get_weights()
    batch_mean = (x @ kernel + bias).mean(0)
    before = loaded.get_layer('bn').get_weights()[2]
    loaded.train_on_batch(x, y)
    m = 0.9
    expected = (before * (1 - m ** 4) * m + batch_mean * (1 - m)) / (1 - m ** 5)
    kernel2, bias2 = loaded.get_layer('d').get_weights()
    assert np.allclose(kernel2, kernel) is False  # the step also trained the Dense layer
    np.testing.assert_allclose(loaded.get_layer('bn').get_weights()[2], expected,
                               rtol=1e-5, atol=1e-6)


def test_batchnorm_weights_without_step_restart_debiasing(tmp_path):
    """A Keras 2 file (no step attribute) loads as a fresh Keras 2.2.4 session would:
    the first training step sets the moving mean to the batch mean."""
    rng = np.random.RandomState(1)
    x = rng.rand(8, 3).astype('float32')
    y = rng.rand(8, 1).astype('float32')
    model = _bn_model()
    model.train_on_batch(x, y)
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    with h5py.File(path, 'a') as f:
        del f['bn'].attrs['zero_debias_step']
    fresh = _bn_model()
    fresh.load_weights(path)
    kernel, bias = fresh.get_layer('d').get_weights()
    fresh.train_on_batch(x, y)
    np.testing.assert_allclose(fresh.get_layer('bn').get_weights()[2],
                               (x @ kernel + bias).mean(0), rtol=1e-5, atol=1e-6)
    assert K.get_value(fresh.get_layer('inner').get_layer('ibn')._update_step) == 2


# ------------------------------------------------------------------ Keras 2.2.4 behaviours
def test_save_and_load_through_a_binary_stream():
    import io
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile('adam', 'mse')
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    loaded = load_model(buffer)
    x = np.ones((2, 3), 'float32')
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)


def test_model_with_an_unused_input_saves_and_loads(tmp_path):
    a = Input(shape=(4, 3))
    b = Input(shape=(2,))
    out = L.Lambda(lambda t: t[:, :, :1])(a)
    model = Model([a, b], out)
    assert [l.name for l in model._input_layers] == [a._keras_history[0].name,
                                                      b._keras_history[0].name]
    path = str(tmp_path / 'unused.h5')
    model.save(path)
    loaded = load_model(path)
    assert len(loaded.inputs) == 2
    x = np.random.RandomState(0).rand(2, 4, 3).astype('float32')
    np.testing.assert_allclose(loaded.predict([x, np.zeros((2, 2))]), x[:, :, :1])


def test_lambda_numpy_arguments_round_trip(tmp_path):
    mean = np.random.RandomState(1).rand(4, 3)
    inputs = Input(shape=(4, 3))
    out = L.Lambda(lambda t, mu, scale: t - mu, arguments={'mu': mean, 'scale': 2})(inputs)
    model = Model(inputs, out)
    path = str(tmp_path / 'lambda.h5')
    model.save(path)
    loaded = load_model(path)
    arguments = loaded.layers[1].arguments
    assert isinstance(arguments['mu'], np.ndarray) and arguments['scale'] == 2
    np.testing.assert_allclose(arguments['mu'], mean)
    x = np.ones((1, 4, 3), 'float32')
    np.testing.assert_allclose(loaded.predict(x), x - mean, rtol=1e-6)


def test_nested_model_with_a_one_element_output_list_returns_a_tensor():
    x = Input(shape=(2,))
    inner = Model(inputs=[x], outputs=[Dense(2)(x)])
    y = inner(Input(shape=(2,)))
    assert not isinstance(y, list) and K.int_shape(y) == (None, 2)


def _tripled(x):
    """A named function of a module (not `__main__`), as a library's Lambda uses one."""
    return x * 3.


def test_a_lambda_of_a_named_module_function_loads_without_custom_objects(tmp_path):
    # Keras 2.2.4 stored every Python function of a Lambda as its code (segmentation_models'
    # FPN saves `expand_dims` and `slice_tensor` so): load_model needs no custom_objects
    model = keras.models.Sequential([L.Lambda(_tripled, input_shape=(3,)), L.Dense(2)])
    assert model.layers[0].get_config()['function_type'] == 'lambda'
    path = str(tmp_path / 'lambda.h5')
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.arange(6, dtype='float32').reshape(2, 3)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    # given in custom_objects, the function itself is used (with its module's globals)
    loaded = keras.models.load_model(path, custom_objects={'_tripled': _tripled})
    assert loaded.layers[0].function is _tripled


def test_a_lambda_of_a_backend_op_loads(tmp_path):
    # HPInc/pointnet-keras: `Lambda(K.expand_dims)`; the file holds a call of the op through
    # `K`, which the module loading it has (Keras 2.2.4's core module has it too)
    inp = L.Input((4, 3))
    out = L.Lambda(K.squeeze, arguments={'axis': -1})(L.Lambda(K.expand_dims)(inp))
    model = keras.models.Model(inp, L.Dense(2)(out))
    path = str(tmp_path / 'ops.h5')
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.arange(12, dtype='float32').reshape(1, 4, 3)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    assert K.int_shape(loaded.layers[1].output) == (None, 4, 3, 1)
