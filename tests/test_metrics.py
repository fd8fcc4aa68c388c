"""keras.metrics: fixture numerics (Keras 2.2.4), NumPy references, names and get/serialize."""
import json
import os

import numpy as np
import pytest

from keras import losses, metrics

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'losses_metrics')

METRIC_NAMES = ['binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy',
                'top_k_categorical_accuracy', 'sparse_top_k_categorical_accuracy']
# Loss functions Keras 2.2.4 re-exports from keras.metrics.
LOSSES_AS_METRICS = ['mean_squared_error', 'mean_absolute_error',
                     'mean_absolute_percentage_error', 'mean_squared_logarithmic_error',
                     'hinge', 'logcosh', 'squared_hinge', 'categorical_crossentropy',
                     'sparse_categorical_crossentropy', 'binary_crossentropy',
                     'kullback_leibler_divergence', 'poisson', 'cosine_proximity']


def _cases():
    with open(os.path.join(FIXTURES, 'index.json')) as f:
        return json.load(f)['cases']


@pytest.mark.parametrize('case', [c for c in _cases() if c['function'] in METRIC_NAMES],
                         ids=lambda c: c['id'])
def test_metric_fixture(case):
    data = np.load(os.path.join(FIXTURES, case['file']))
    fn = getattr(metrics, case['function'])
    out = np.asarray(fn(data['y_true'], data['y_pred'], **case['kwargs']))
    # Keras 2.2.4's top-k metrics average over the batch: score against that value.
    expected = data['result_batch_mean'] if 'result_batch_mean' in data.files else data['result']
    assert out.shape == expected.shape
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, **case['tolerance'])


def test_top_k_per_sample_matches_fixture_mean():
    for case in _cases():
        if 'top_k' in case['function']:
            data = np.load(os.path.join(FIXTURES, case['file']))
            np.testing.assert_allclose(data['result'].mean(), data['result_batch_mean'],
                                       rtol=1e-6)


@pytest.mark.parametrize('case', [c for c in _cases() if c['function'] in LOSSES_AS_METRICS],
                         ids=lambda c: c['id'])
def test_loss_fixture_through_metrics(case):
    data = np.load(os.path.join(FIXTURES, case['file']))
    out = np.asarray(metrics.get(case['function'])(data['y_true'], data['y_pred']))
    np.testing.assert_allclose(out, data['result'], **case['tolerance'])


# ---------------------------------------------------------------- NumPy references
def test_binary_accuracy_reference():
    rng = np.random.RandomState(0)
    t = rng.randint(0, 2, size=(5, 4, 3)).astype('float32')
    p = rng.uniform(0, 1, size=(5, 4, 3)).astype('float32')
    out = np.asarray(metrics.binary_accuracy(t, p))
    assert out.shape == (5, 4)
    np.testing.assert_allclose(out, np.mean(t == (p > 0.5), -1), rtol=1e-6)


def test_categorical_accuracy_reference():
    rng = np.random.RandomState(1)
    t = np.eye(6, dtype='float32')[rng.randint(0, 6, size=(3, 7))]
    p = rng.uniform(size=(3, 7, 6)).astype('float32')
    out = np.asarray(metrics.categorical_accuracy(t, p))
    assert out.shape == (3, 7)
    np.testing.assert_array_equal(out, (t.argmax(-1) == p.argmax(-1)).astype('float32'))


def test_sparse_categorical_accuracy_label_shapes():
    rng = np.random.RandomState(2)
    p = rng.uniform(size=(8, 5)).astype('float32')
    labels = rng.randint(0, 5, size=8)
    ref = (labels == p.argmax(-1)).astype('float32')
    for y_true in (labels.astype('float32'), labels[:, None].astype('float32'),
                   labels.astype('int32')):
        np.testing.assert_array_equal(np.asarray(metrics.sparse_categorical_accuracy(y_true, p)),
                                      ref)
    # sequence output: (batch, time, 1) labels
    p3 = rng.uniform(size=(2, 4, 5)).astype('float32')
    l3 = rng.randint(0, 5, size=(2, 4))
    out = np.asarray(metrics.sparse_categorical_accuracy(l3[..., None].astype('float32'), p3))
    np.testing.assert_array_equal(out, (l3 == p3.argmax(-1)).astype('float32'))


def _ref_in_top_k(p, labels, k):
    # numbers of strictly larger scores < k (ties at the boundary count as in, as tf)
    target = p[np.arange(len(p)), labels]
    return (np.sum(p > target[:, None], -1) < k)


@pytest.mark.parametrize('k', [1, 2, 3, 5])
def test_top_k_reference(k):
    rng = np.random.RandomState(k)
    p = rng.uniform(size=(50, 8)).astype('float32')
    labels = rng.randint(0, 8, size=50)
    ref = _ref_in_top_k(p, labels, k).mean()
    t = np.eye(8, dtype='float32')[labels]
    out = np.asarray(metrics.top_k_categorical_accuracy(t, p, k=k))
    assert out.shape == ()
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    out = np.asarray(metrics.sparse_top_k_categorical_accuracy(labels[:, None].astype('float32'),
                                                               p, k=k))
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    out = np.asarray(metrics.sparse_top_k_categorical_accuracy(labels.astype('int32'), p, k=k))
    np.testing.assert_allclose(out, ref, rtol=1e-6)


def test_top_k_ties_count_as_in():
    p = np.array([[0.5, 0.5, 0.5, 0.1], [0.9, 0.1, 0.1, 0.1]], 'float32')
    labels = np.array([2, 3])
    # row 0: class 2 tied with the two largest -> in the top 1; row 1: class 3 tied at 0.1
    # with two others, one score above -> in top 2.
    assert float(metrics.sparse_top_k_categorical_accuracy(labels, p, k=1)) == 0.5
    assert float(metrics.sparse_top_k_categorical_accuracy(labels, p, k=2)) == 1.0


def test_top_k_default_k_is_5():
    p = np.tile(np.arange(10, dtype='float32'), (2, 1))
    labels = np.array([5, 4])  # 5 is 5th largest (in), 4 is 6th (out)
    assert float(metrics.sparse_top_k_categorical_accuracy(labels, p)) == 0.5
    t = np.eye(10, dtype='float32')[labels]
    assert float(metrics.top_k_categorical_accuracy(t, p)) == 0.5


def test_metrics_are_jittable():
    from keras.backend import execution as X
    rng = np.random.RandomState(3)
    p = rng.uniform(size=(6, 5)).astype('float32')
    labels = rng.randint(0, 5, size=(6, 1)).astype('float32')
    t = np.eye(5, dtype='float32')[labels[:, 0].astype(int)]
    for fn, yt in [(metrics.binary_accuracy, t), (metrics.categorical_accuracy, t),
                   (metrics.sparse_categorical_accuracy, labels),
                   (metrics.top_k_categorical_accuracy, t),
                   (metrics.sparse_top_k_categorical_accuracy, labels)]:
        np.testing.assert_allclose(np.asarray(X.jit(fn)(yt, p)), np.asarray(fn(yt, p)))


# ------------------------------------------------------------------ names / get
@pytest.mark.parametrize('name', LOSSES_AS_METRICS)
def test_losses_reexported(name):
    assert getattr(metrics, name) is getattr(losses, name)
    assert metrics.get(name) is getattr(losses, name)


@pytest.mark.parametrize('alias,target', [
    ('mse', 'mean_squared_error'), ('MSE', 'mean_squared_error'),
    ('mae', 'mean_absolute_error'), ('MAE', 'mean_absolute_error'),
    ('mape', 'mean_absolute_percentage_error'), ('MAPE', 'mean_absolute_percentage_error'),
    ('msle', 'mean_squared_logarithmic_error'), ('MSLE', 'mean_squared_logarithmic_error'),
    ('cosine', 'cosine_proximity')])
def test_aliases(alias, target):
    assert getattr(metrics, alias) is getattr(losses, target)
    assert metrics.get(alias) is getattr(losses, target)


@pytest.mark.parametrize('name', METRIC_NAMES)
def test_get_serialize_round_trip(name):
    fn = getattr(metrics, name)
    assert metrics.get(name) is fn
    assert metrics.serialize(fn) == name
    assert metrics.deserialize(metrics.serialize(fn)) is fn


def test_get_callable_and_custom_objects():
    def my_metric(y_true, y_pred):
        return y_pred
    assert metrics.get(my_metric) is my_metric
    assert metrics.deserialize('my_metric', custom_objects={'my_metric': my_metric}) is my_metric


def test_unknown_metric_raises_with_name():
    with pytest.raises(ValueError, match='no_such_metric'):
        metrics.get('no_such_metric')
    with pytest.raises(ValueError):
        metrics.get(None)
    with pytest.raises(ValueError):
        metrics.get(7)
