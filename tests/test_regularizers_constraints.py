"""keras.regularizers and keras.constraints against NumPy references; get/serialize."""
import numpy as np
import pytest

from keras import backend as K
from keras import constraints, regularizers

EPS = 1e-7
RNG = np.random.RandomState(0)
W = RNG.randn(6, 5).astype('float32') * 3
W4 = RNG.randn(3, 3, 4, 5).astype('float32')


def arr(x):
    return np.asarray(x, dtype='float64')


# ------------------------------------------------------------------ regularizers
@pytest.mark.parametrize('l1,l2', [(0.01, 0.), (0., 0.02), (0.3, 0.05), (0., 0.)])
def test_l1l2_value(l1, l2):
    w = W.astype('float64')
    ref = l1 * np.abs(w).sum() + l2 * np.square(w).sum()
    out = regularizers.L1L2(l1=l1, l2=l2)(W)
    np.testing.assert_allclose(float(out), ref, rtol=1e-5, atol=1e-7)


def test_regularizer_on_variable():
    v = K.variable(W)
    out = regularizers.l2(0.1)(v)
    np.testing.assert_allclose(float(out), 0.1 * np.square(W.astype('float64')).sum(), rtol=1e-5)


def test_shortcuts():
    assert regularizers.l1().get_config() == pytest.approx({'l1': 0.01, 'l2': 0.})
    assert regularizers.l2().get_config() == pytest.approx({'l1': 0., 'l2': 0.01})
    assert regularizers.l1_l2().get_config() == pytest.approx({'l1': 0.01, 'l2': 0.01})
    assert regularizers.l1(0.5).get_config() == {'l1': 0.5, 'l2': 0.0}
    assert regularizers.l1_l2(l1=0.25, l2=0.125).get_config() == {'l1': 0.25, 'l2': 0.125}
    for r in (regularizers.l1(), regularizers.l2(), regularizers.l1_l2()):
        assert isinstance(r, regularizers.L1L2)


def test_base_regularizer_is_zero():
    assert float(regularizers.Regularizer()(W)) == 0.


def test_regularizer_serialize_round_trip():
    r = regularizers.l1_l2(l1=0.5, l2=0.25)
    config = regularizers.serialize(r)
    assert config == {'class_name': 'L1L2', 'config': {'l1': 0.5, 'l2': 0.25}}
    back = regularizers.deserialize(config)
    assert isinstance(back, regularizers.L1L2) and back.get_config() == r.get_config()
    assert regularizers.get(config).get_config() == r.get_config()


def test_regularizer_get():
    assert regularizers.get(None) is None
    assert regularizers.get('l2').get_config() == pytest.approx({'l1': 0., 'l2': 0.01})
    assert isinstance(regularizers.get('L1L2'), regularizers.L1L2)
    r = regularizers.l1()
    assert regularizers.get(r) is r
    with pytest.raises(ValueError, match='l3'):
        regularizers.get('l3')
    with pytest.raises(ValueError):
        regularizers.get(0.01)


# ------------------------------------------------------------------ constraints
def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


@pytest.mark.parametrize('w,axis', [(W, 0), (W, 1), (W4, [0, 1, 2]), (W4, 3)])
def test_max_norm(w, axis):
    w64 = w.astype('float64')
    ax = tuple(axis) if isinstance(axis, list) else axis
    n = _norms(w64, ax)
    ref = w64 * np.clip(n, 0, 2.0) / (EPS + n)
    out = arr(constraints.MaxNorm(max_value=2.0, axis=axis)(w))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    assert np.all(_norms(out, ax) <= 2.0 + 1e-5)


def test_max_norm_leaves_small_vectors():
    w = np.array([[0.3, 3.0], [0.4, 4.0]], 'float32')  # column norms 0.5 and 5
    out = arr(constraints.max_norm(1.0)(w))
    np.testing.assert_allclose(out[:, 0], [0.3, 0.4], rtol=1e-6)
    np.testing.assert_allclose(out[:, 1], [0.6, 0.8], rtol=1e-6)


def test_non_neg():
    out = arr(constraints.NonNeg()(W))
    np.testing.assert_array_equal(out, np.maximum(W, 0))


@pytest.mark.parametrize('axis', [0, 1, [0, 1, 2]])
def test_unit_norm(axis):
    w = W4 if isinstance(axis, list) else W
    ax = tuple(axis) if isinstance(axis, list) else axis
    out = arr(constraints.UnitNorm(axis=axis)(w))
    ref = w.astype('float64') / (EPS + _norms(w.astype('float64'), ax))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_norms(out, ax), 1.0, rtol=1e-5)


@pytest.mark.parametrize('rate', [1.0, 0.5])
def test_min_max_norm(rate):
    w = W.astype('float64')
    n = _norms(w, 0)
    desired = rate * np.clip(n, 4.0, 6.0) + (1 - rate) * n
    ref = w * desired / (EPS + n)
    out = arr(constraints.MinMaxNorm(min_value=4.0, max_value=6.0, rate=rate)(W))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    if rate == 1.0:
        norms = _norms(out, 0)
        assert np.all(norms >= 4.0 - 1e-4) and np.all(norms <= 6.0 + 1e-4)


def test_base_constraint_identity():
    np.testing.assert_array_equal(arr(constraints.Constraint()(W)), W)


def test_constraint_on_variable():
    v = K.variable(W)
    np.testing.assert_array_equal(arr(constraints.non_neg()(v)), np.maximum(W, 0))


def test_constraint_aliases():
    c = constraints
    assert c.max_norm is c.MaxNorm and c.maxnorm is c.MaxNorm
    assert c.non_neg is c.NonNeg and c.nonneg is c.NonNeg
    assert c.unit_norm is c.UnitNorm and c.unitnorm is c.UnitNorm
    assert c.min_max_norm is c.MinMaxNorm


def test_constraint_defaults():
    assert constraints.MaxNorm().get_config() == {'max_value': 2, 'axis': 0}
    assert constraints.UnitNorm().get_config() == {'axis': 0}
    assert constraints.MinMaxNorm().get_config() == {'min_value': 0.0, 'max_value': 1.0,
                                                     'rate': 1.0, 'axis': 0}
    assert constraints.NonNeg().get_config() == {}


@pytest.mark.parametrize('con', [
    constraints.MaxNorm(3, axis=[0, 1, 2]), constraints.NonNeg(), constraints.UnitNorm(axis=1),
    constraints.MinMaxNorm(0.5, 2.0, 0.7, axis=0)], ids=lambda c: type(c).__name__)
def test_constraint_serialize_round_trip(con):
    config = constraints.serialize(con)
    assert config['class_name'] == type(con).__name__
    back = constraints.deserialize(config)
    assert type(back) is type(con) and back.get_config() == con.get_config()
    assert constraints.get(config).get_config() == con.get_config()


@pytest.mark.parametrize('name,cls', [
    ('max_norm', 'MaxNorm'), ('MaxNorm', 'MaxNorm'), ('maxnorm', 'MaxNorm'),
    ('non_neg', 'NonNeg'), ('nonneg', 'NonNeg'), ('unit_norm', 'UnitNorm'),
    ('min_max_norm', 'MinMaxNorm')])
def test_constraint_get_by_name(name, cls):
    assert type(constraints.get(name)).__name__ == cls


def test_constraint_get_misc():
    assert constraints.get(None) is None
    c = constraints.NonNeg()
    assert constraints.get(c) is c
    with pytest.raises(ValueError, match='positive_only'):
        constraints.get('positive_only')
    with pytest.raises(ValueError):
        constraints.get(1)
