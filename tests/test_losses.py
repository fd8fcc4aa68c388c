"""keras.losses: fixture numerics (Keras 2.2.4), float64 NumPy references, get/serialize."""
import json
import os
import zlib

import numpy as np
import pytest

from keras import losses

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'losses_metrics')
EPS = 1e-7

LOSS_NAMES = ['mean_squared_error', 'mean_absolute_error', 'mean_absolute_percentage_error',
              'mean_squared_logarithmic_error', 'squared_hinge', 'hinge', 'categorical_hinge',
              'logcosh', 'categorical_crossentropy', 'sparse_categorical_crossentropy',
              'binary_crossentropy', 'kullback_leibler_divergence', 'poisson',
              'cosine_proximity']


def load_cases(kind):
    with open(os.path.join(FIXTURES, 'index.json')) as f:
        cases = json.load(f)['cases']
    if kind == 'losses':
        return [c for c in cases if c['function'] in LOSS_NAMES]
    return [c for c in cases if c['function'] not in LOSS_NAMES]


@pytest.mark.parametrize('case', load_cases('losses'), ids=lambda c: c['id'])
def test_loss_fixture(case):
    data = np.load(os.path.join(FIXTURES, case['file']))
    fn = getattr(losses, case['function'])
    out = np.asarray(fn(data['y_true'], data['y_pred'], **case['kwargs']))
    expected = data['result']
    assert out.shape == expected.shape
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, **case['tolerance'])


def test_every_loss_has_a_fixture():
    assert {c['function'] for c in load_cases('losses')} == set(LOSS_NAMES)


# ---------------------------------------------------------------- float64 references
def _l2n(x):
    return x / np.sqrt(np.maximum(np.sum(x ** 2, -1, keepdims=True), 1e-12))


def _bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    z = np.log(p / (1 - p))
    return np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))


def _cce(t, p):
    p = p / p.sum(-1, keepdims=True)
    return -np.sum(t * np.log(np.clip(p, EPS, 1 - EPS)), -1)


REFS = {
    'mean_squared_error': lambda t, p: np.mean((p - t) ** 2, -1),
    'mean_absolute_error': lambda t, p: np.mean(np.abs(p - t), -1),
    'mean_absolute_percentage_error':
        lambda t, p: 100 * np.mean(np.abs((t - p) / np.clip(np.abs(t), EPS, None)), -1),
    'mean_squared_logarithmic_error':
        lambda t, p: np.mean((np.log(np.clip(p, EPS, None) + 1)
                              - np.log(np.clip(t, EPS, None) + 1)) ** 2, -1),
    'squared_hinge': lambda t, p: np.mean(np.maximum(1 - t * p, 0) ** 2, -1),
    'hinge': lambda t, p: np.mean(np.maximum(1 - t * p, 0), -1),
    'categorical_hinge':
        lambda t, p: np.maximum(0, np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1),
    'logcosh': lambda t, p: np.mean(np.log(np.cosh(p - t)), -1),
    'categorical_crossentropy': _cce,
    'binary_crossentropy': lambda t, p: np.mean(_bce(t, p), -1),
    'kullback_leibler_divergence':
        lambda t, p: np.sum(np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), -1),
    'poisson': lambda t, p: np.mean(p - t * np.log(p + EPS), -1),
    'cosine_proximity': lambda t, p: -np.sum(_l2n(t) * _l2n(p), -1),
}


def _inputs(name, shape, rng):
    if name in ('hinge', 'squared_hinge'):
        t = rng.choice([-1., 1.], size=shape)
        p = rng.uniform(-2, 2, size=shape)
    elif name in ('categorical_crossentropy', 'categorical_hinge', 'kullback_leibler_divergence'):
        t = np.eye(shape[-1])[rng.randint(0, shape[-1], size=shape[:-1])]
        p = rng.uniform(0.01, 1, size=shape)
        p /= p.sum(-1, keepdims=True)
    elif name in ('binary_crossentropy',):
        t = rng.randint(0, 2, size=shape).astype('float64')
        p = rng.uniform(0.02, 0.98, size=shape)
    elif name in ('poisson',):
        t = rng.poisson(2.0, size=shape).astype('float64')
        p = rng.uniform(0.1, 4, size=shape)
    else:
        t = rng.uniform(-1, 3, size=shape)
        p = rng.uniform(-1, 3, size=shape)
    return t.astype('float32'), p.astype('float32')


@pytest.mark.parametrize('shape', [(6, 5), (3, 4, 5)], ids=['2d', '3d'])
@pytest.mark.parametrize('name', sorted(REFS))
def test_loss_numpy_reference(name, shape):
    rng = np.random.RandomState(zlib.crc32(name.encode()) % 1000)
    t, p = _inputs(name, shape, rng)
    out = np.asarray(getattr(losses, name)(t, p))
    assert out.shape == shape[:-1]
    ref = REFS[name](t.astype('float64'), p.astype('float64'))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


def test_sparse_categorical_crossentropy_label_shapes():
    rng = np.random.RandomState(1)
    p = rng.uniform(0.05, 1, size=(4, 3, 6)).astype('float32')
    p /= p.sum(-1, keepdims=True)
    labels = rng.randint(0, 6, size=(4, 3))
    ref = -np.log(np.take_along_axis(p.astype('float64'), labels[..., None], -1)[..., 0])
    for y_true in (labels.astype('float32'), labels[..., None].astype('float32'),
                   labels.astype('int32')):
        out = np.asarray(losses.sparse_categorical_crossentropy(y_true, p))
        np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_sparse_categorical_crossentropy_unnormalised_keras224():
    # Keras 2.2.4 applies log_softmax to log(clip(p)): unnormalised y_pred is renormalised
    p = np.array([[0.2, 0.3, 0.5], [0.4, 0.4, 0.9]], 'float32')
    labels = np.array([[2.], [0.]], 'float32')
    q = p.astype('float64') / p.sum(-1, keepdims=True)
    ref = -np.log(q[[0, 1], [2, 0]])
    out = np.asarray(losses.sparse_categorical_crossentropy(labels, p))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_binary_crossentropy_saturated_keras224():
    # Keras 2.2.4 evaluates sigmoid cross-entropy on the logit of the clipped p:
    # p = 0 -> logit(1e-7) -> 16.118 (the tf.keras formula would give 15.42).
    out = np.asarray(losses.binary_crossentropy(np.array([[1.]], 'float32'),
                                                np.array([[0.]], 'float32')))
    np.testing.assert_allclose(out, [np.log((1 - 1e-7) / 1e-7)], rtol=1e-3)


def test_logcosh_large_errors_finite():
    out = np.asarray(losses.logcosh(np.zeros((1, 2), 'float32'),
                                    np.array([[200., -300.]], 'float32')))
    np.testing.assert_allclose(out, [np.mean([200 - np.log(2), 300 - np.log(2)])], rtol=1e-6)


def test_hinge_uses_labels_as_given():
    # 0/1 labels are not converted to -1/+1 (Keras 2.2.4).
    out = np.asarray(losses.hinge(np.array([[0., 1.]], 'float32'),
                                  np.array([[0.5, 0.5]], 'float32')))
    np.testing.assert_allclose(out, [(1.0 + 0.5) / 2], rtol=1e-6)


def test_losses_are_jittable():
    from keras.backend import execution as X
    rng = np.random.RandomState(0)
    for name in REFS:
        t, p = _inputs(name, (4, 5), rng)
        fn = getattr(losses, name)
        np.testing.assert_allclose(np.asarray(X.jit(fn)(t, p)), np.asarray(fn(t, p)),
                                   rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------- get / serialize
ALIASES = {'mse': 'mean_squared_error', 'MSE': 'mean_squared_error',
           'mae': 'mean_absolute_error', 'MAE': 'mean_absolute_error',
           'mape': 'mean_absolute_percentage_error', 'MAPE': 'mean_absolute_percentage_error',
           'msle': 'mean_squared_logarithmic_error', 'MSLE': 'mean_squared_logarithmic_error',
           'kld': 'kullback_leibler_divergence', 'KLD': 'kullback_leibler_divergence',
           'cosine': 'cosine_proximity'}


@pytest.mark.parametrize('alias', sorted(ALIASES))
def test_aliases(alias):
    fn = getattr(losses, ALIASES[alias])
    assert getattr(losses, alias) is fn
    assert losses.get(alias) is fn


@pytest.mark.parametrize('name', LOSS_NAMES)
def test_get_serialize_round_trip(name):
    fn = getattr(losses, name)
    assert losses.get(name) is fn
    assert losses.serialize(fn) == name
    assert losses.deserialize(losses.serialize(fn)) is fn


def test_get_passthrough_and_none():
    assert losses.get(None) is None

    def my_loss(y_true, y_pred):
        return y_pred
    assert losses.get(my_loss) is my_loss
    assert losses.deserialize('my_loss', custom_objects={'my_loss': my_loss}) is my_loss


def test_unknown_loss_raises_with_name():
    with pytest.raises(ValueError, match='no_such_loss'):
        losses.get('no_such_loss')
    with pytest.raises(ValueError):
        losses.get(3.5)
    with pytest.raises(ValueError):
        losses.get('serialize')


def test_sparse_categorical_crossentropy_target_layouts_and_one_hot_hint():
    from keras import backend as K
    from keras import losses
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], 'float32')
    expected = -np.log([0.7, 0.8])
    for target in (np.array([0, 2]), np.array([[0], [2]])):
        np.testing.assert_allclose(K.eval(losses.sparse_categorical_crossentropy(target, probs)),
                                   expected, rtol=1e-5)
    # channels_first outputs (n, classes, h, w) with targets (n, 1, h, w), as Keras 2.2.4
    out = np.transpose(probs.reshape(1, 2, 1, 3), (0, 3, 1, 2))  # (1, 3, 2, 1)
    value = K.eval(K.sparse_categorical_crossentropy(np.array([0, 2]).reshape(1, 1, 2, 1),
                                                     out, axis=1))
    np.testing.assert_allclose(value.reshape(-1), expected, rtol=1e-5)
    with pytest.raises(ValueError, match='one-hot encoded, use `categorical_crossentropy`'):
        losses.sparse_categorical_crossentropy(np.eye(3)[[0, 2]], probs)


def test_sparse_class_indices_outside_the_output_are_an_error_naming_them():
    # TensorFlow 1 raised on the CPU ("Received a label value of 4 which is outside the
    # valid range of [0, 4)"); the compiled loss gave NaN (the AIND translation notebook
    # passes the vocabulary size one short of the largest index)
    from keras.layers import Dense
    from keras.models import Sequential
    model = Sequential([Dense(4, activation='softmax', input_shape=(3,))])
    model.compile('adam', 'sparse_categorical_crossentropy', metrics=['acc'])
    x = np.random.RandomState(0).rand(8, 3).astype('float32')
    weights = model.get_weights()
    with pytest.raises(ValueError, match=r'label value of 4 \(at index \[4,0\]\) which is '
                                         r'outside the valid range of \[0, 4\)'):
        model.fit(x, np.array([0, 1, 2, 3, 4, 1, 2, 3])[:, None], epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r'label value of -1 \(at index \[1,0\]\)'):
        model.evaluate(x[:2], np.array([0, -1]), verbose=0)
    with pytest.raises(ValueError, match=r'label value of 4.0 '):
        model.train_on_batch(x[:1], np.array([[4.]]))
    for got, before in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, before)
    # the last class index trains
    history = model.fit(x[:2], np.array([[3], [0]]), epochs=1, verbose=0)
    assert np.isfinite(history.history['loss'][0])


def test_categorical_crossentropy_of_logits_takes_rows_of_classes_as_tensorflow_1():
    # TensorFlow 1's softmax_cross_entropy_with_logits flattened targets and logits to rows
    # of classes: one-hot targets (T, 1, V) against logits (T, V) give T losses
    # (ELMo-keras' softmax), not a (T, T) broadcast
    from keras import backend as K
    rng = np.random.RandomState(0)
    logits = rng.randn(3, 5).astype('float32')
    ids = np.array([1, 3, 0])
    one_hot = np.eye(5, dtype='float32')[ids][:, None, :]
    got = K.eval(K.categorical_crossentropy(K.constant(one_hot), K.constant(logits),
                                            from_logits=True))
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    assert got.shape == (3,)
    np.testing.assert_allclose(got, -log_softmax[np.arange(3), ids], rtol=1e-5)
    same = K.eval(K.categorical_crossentropy(K.constant(one_hot[:, 0]), K.constant(logits),
                                             from_logits=True))
    np.testing.assert_allclose(same, got, rtol=1e-6)
