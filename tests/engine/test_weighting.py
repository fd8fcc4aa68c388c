"""class_weight, sample_weight (per sample and temporal), masked losses and weighted_metrics,
checked against NumPy references of Keras 2.2's `weighted_masked_objective`."""
import numpy as np
import pytest

from keras import backend as K
from keras import optimizers
from keras.layers import Dense, Input, Masking
from keras.models import Model, Sequential

EPS = 1e-7


@pytest.fixture(autouse=True)
def _fresh_names():
    K.clear_session()
    yield


# --------------------------------------------------------------------- NumPy references
def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _sigmoid(z):
    return 1. / (1. + np.exp(-z))


def _cce(y, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(y * np.log(p), axis=-1)


def _bce(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)), axis=-1)


def _mse(y, p):
    return np.mean((y - p) ** 2, axis=-1)


def _mae(y, p):
    return np.mean(np.abs(y - p), axis=-1)


def _weighted_masked(score, weights=None, mask=None):
    """Keras 2.2 weighted_masked_objective on an already computed score array."""
    score = np.asarray(score, 'float64')
    if mask is not None:
        mask = mask.astype('float64')
        score = score * mask / mask.mean()
    if weights is not None:
        weights = np.asarray(weights, 'float64')
        if score.ndim > weights.ndim:
            score = score.mean(axis=tuple(range(weights.ndim, score.ndim)))
        score = score * weights / np.mean(weights != 0)
    return score.mean()


# --------------------------------------------------------------------- models
def _classifier(n_classes=3, seed=0, metrics=None, weighted_metrics=None):
    rng = np.random.RandomState(seed)
    model = Sequential([Dense(n_classes, input_shape=(4,),
                              activation='softmax' if n_classes > 1 else 'sigmoid')])
    loss = 'categorical_crossentropy' if n_classes > 1 else 'binary_crossentropy'
    model.compile(optimizers.SGD(lr=0.), loss, metrics=metrics,
                  weighted_metrics=weighted_metrics)
    w = [rng.randn(4, n_classes).astype('float32'), rng.randn(n_classes).astype('float32') * .1]
    model.set_weights(w)
    return model, w


def _data(n=12, n_classes=3, seed=1):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 4).astype('float32')
    labels = rng.randint(0, n_classes, n)
    labels[:n_classes] = np.arange(n_classes)  # every class present
    return x, np.eye(n_classes, dtype='float32')[labels], labels


# --------------------------------------------------------------------- class_weight
def test_class_weight_categorical():
    model, (w, b) = _classifier()
    x, y, labels = _data()
    cw = {0: 1., 1: 2.5, 2: 0.5}
    score = _cce(y, _softmax(x @ w + b))
    expected = _weighted_masked(score, np.array([cw[c] for c in labels]))
    loss = model.train_on_batch(x, y, class_weight=cw)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    # class weights with zeros: the mean is over the non-zero weights
    cw0 = {0: 0., 1: 1., 2: 3.}
    expected = _weighted_masked(score, np.array([cw0[c] for c in labels]))
    np.testing.assert_allclose(model.train_on_batch(x, y, class_weight=cw0), expected, rtol=1e-5)
    # fit averages the per-batch weighted losses by batch size
    h = model.fit(x, y, batch_size=5, epochs=1, shuffle=False, verbose=0, class_weight=cw)
    per_batch = [_weighted_masked(score[s:s + 5], [cw[c] for c in labels[s:s + 5]])
                 for s in (0, 5, 10)]
    np.testing.assert_allclose(h.history['loss'][0], np.average(per_batch, weights=[5, 5, 2]),
                               rtol=1e-5)


def test_class_weight_binary_targets_column():
    model, (w, b) = _classifier(n_classes=1)
    x, _, _ = _data()
    y = (x[:, :1] > 0).astype('float32')
    cw = {0: 1., 1: 4.}
    score = _bce(y, _sigmoid(x @ w + b))
    expected = _weighted_masked(score, np.where(y[:, 0] > 0, 4., 1.))
    np.testing.assert_allclose(model.train_on_batch(x, y, class_weight=cw), expected, rtol=1e-5)


def test_class_weight_errors_and_sample_weight_precedence():
    model, (w, b) = _classifier()
    x, y, labels = _data()
    with pytest.raises(ValueError, match='class_weight'):
        model.train_on_batch(x, y, class_weight={0: 1., 1: 2.})
    # Keras 2.2: when both are given, sample_weight wins
    sw = np.linspace(0.1, 2, len(x)).astype('float32')
    expected = _weighted_masked(_cce(y, _softmax(x @ w + b)), sw)
    loss = model.train_on_batch(x, y, sample_weight=sw, class_weight={0: 9., 1: 9., 2: 9.})
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_class_weight_multi_output_per_output_dict():
    inp = Input((4,))
    a = Dense(3, activation='softmax', name='a')(inp)
    b = Dense(2, activation='softmax', name='b')(inp)
    model = Model(inp, [a, b])
    model.compile(optimizers.SGD(lr=0.), 'categorical_crossentropy', loss_weights=[1., 0.5])
    wa, ba, wb, bb = model.get_weights()
    x, ya, la = _data(n_classes=3)
    _, yb, lb = _data(n_classes=2, seed=5)
    cw = {'a': {0: 1., 1: 2., 2: 3.}, 'b': {0: 0.5, 1: 1.5}}
    la_ = _weighted_masked(_cce(ya, _softmax(x @ wa + ba)), [cw['a'][c] for c in la])
    lb_ = _weighted_masked(_cce(yb, _softmax(x @ wb + bb)), [cw['b'][c] for c in lb])
    outs = model.train_on_batch(x, [ya, yb], class_weight=cw)
    assert model.metrics_names == ['loss', 'a_loss', 'b_loss']
    np.testing.assert_allclose(outs, [la_ + 0.5 * lb_, la_, lb_], rtol=1e-5)
    # a list of dicts works too; an output left out of the dict is unweighted
    outs = model.train_on_batch(x, [ya, yb], class_weight={'a': cw['a']})
    lb_plain = _weighted_masked(_cce(yb, _softmax(x @ wb + bb)))
    np.testing.assert_allclose(outs[2], lb_plain, rtol=1e-5)
    outs = model.train_on_batch(x, [ya, yb], class_weight=[cw['a'], cw['b']])
    np.testing.assert_allclose(outs, [la_ + 0.5 * lb_, la_, lb_], rtol=1e-5)
    # sample weights per output (dict)
    swa = np.linspace(0, 1, len(x)).astype('float32')
    outs = model.test_on_batch(x, {'a': ya, 'b': yb}, sample_weight={'a': swa})
    la_sw = _weighted_masked(_cce(ya, _softmax(x @ wa + ba)), swa)
    np.testing.assert_allclose(outs, [la_sw + 0.5 * lb_plain, la_sw, lb_plain], rtol=1e-5)


# --------------------------------------------------------------------- sample_weight
def test_sample_weight_per_sample_and_evaluate_batches():
    model, (w, b) = _classifier(metrics=['acc'])
    x, y, labels = _data(n=10)
    sw = np.array([0, 1, 2, 0.5, 0, 3, 1, 1, 2, 0.25], 'float32')
    p = _softmax(x @ w + b)
    score = _cce(y, p)
    acc = (p.argmax(1) == labels).astype('float64')
    loss, metric = model.test_on_batch(x, y, sample_weight=sw)
    np.testing.assert_allclose(loss, _weighted_masked(score, sw), rtol=1e-5)
    # plain metrics are not weighted
    np.testing.assert_allclose(metric, acc.mean(), rtol=1e-6)
    # evaluate: batch-size-weighted average of the per-batch weighted losses
    res = model.evaluate(x, y, sample_weight=sw, batch_size=4, verbose=0)
    per_batch = [_weighted_masked(score[s:s + 4], sw[s:s + 4]) for s in (0, 4, 8)]
    np.testing.assert_allclose(res[0], np.average(per_batch, weights=[4, 4, 2]), rtol=1e-5)
    with pytest.raises(ValueError, match='sample_weight_mode="temporal"'):
        model.test_on_batch(x, y, sample_weight=np.ones((10, 2)))
    with pytest.raises(ValueError, match='sample'):
        model.test_on_batch(x, y, sample_weight=np.ones(7))


def test_weighted_metrics():
    model, (w, b) = _classifier(metrics=['mae'], weighted_metrics=['mae', 'acc'])
    assert model.metrics_names == ['loss', 'mean_absolute_error',
                                   'weighted_mean_absolute_error', 'weighted_acc']
    x, y, labels = _data(n=10)
    sw = np.linspace(0, 3, 10).astype('float32')
    p = _softmax(x @ w + b)
    mae = _mae(y, p)
    acc = (p.argmax(1) == labels).astype('float64')
    outs = model.test_on_batch(x, y, sample_weight=sw)
    np.testing.assert_allclose(outs, [_weighted_masked(_cce(y, p), sw), mae.mean(),
                                      _weighted_masked(mae, sw), _weighted_masked(acc, sw)],
                               rtol=1e-5)
    # class weights also weight the weighted metrics
    cw = {0: 2., 1: 1., 2: 0.}
    cws = np.array([cw[c] for c in labels])
    outs = model.train_on_batch(x, y, class_weight=cw)
    np.testing.assert_allclose(outs, [_weighted_masked(_cce(y, p), cws), mae.mean(),
                                      _weighted_masked(mae, cws), _weighted_masked(acc, cws)],
                               rtol=1e-5)


# --------------------------------------------------------------------- temporal
def _sequence_model(mask=False, sample_weight_mode=None, metrics=None):
    inp = Input((5, 2))
    h = Masking(0.)(inp) if mask else inp
    out = Dense(3)(h)
    model = Model(inp, out)
    model.compile(optimizers.SGD(lr=0.), 'mse', sample_weight_mode=sample_weight_mode,
                  metrics=metrics)
    return model


def _sequence_data(seed=2):
    rng = np.random.RandomState(seed)
    x = rng.randn(6, 5, 2).astype('float32')
    y = rng.randn(6, 5, 3).astype('float32')
    return x, y


def test_temporal_sample_weight():
    model = _sequence_model(sample_weight_mode='temporal')
    w, b = model.get_weights()
    x, y = _sequence_data()
    sw = np.random.RandomState(3).rand(6, 5).astype('float32')
    sw[0, :2] = 0.
    score = _mse(y, x @ w + b)  # (6, 5)
    expected = _weighted_masked(score, sw)
    np.testing.assert_allclose(model.test_on_batch(x, y, sample_weight=sw), expected, rtol=1e-5)
    np.testing.assert_allclose(model.train_on_batch(x, y, sample_weight=sw), expected, rtol=1e-5)
    # no weights given: ones per timestep
    np.testing.assert_allclose(model.test_on_batch(x, y), score.mean(), rtol=1e-5)
    with pytest.raises(ValueError, match='2D'):
        model.test_on_batch(x, y, sample_weight=np.ones(6))
    flat = Sequential([Dense(1, input_shape=(2,))])
    flat.compile('sgd', 'mse', sample_weight_mode='temporal')
    with pytest.raises(ValueError, match='temporal'):
        flat.test_on_batch(x[:, 0], y[:, 0, :1], sample_weight=np.ones((6, 1)))
    with pytest.raises(ValueError, match='sample_weight_mode'):
        flat.compile('sgd', 'mse', sample_weight_mode='timestep')


def test_masked_loss_and_metrics():
    model = _sequence_model(mask=True, metrics=['mae'])
    w, b = model.get_weights()
    x, y = _sequence_data()
    x[0, 3:] = 0.  # masked timesteps
    x[2, 0] = 0.
    x[4, :] = 0.   # a fully masked sample
    mask = np.any(x != 0., axis=-1)
    pred = x @ w + b
    expected_loss = _weighted_masked(_mse(y, pred), np.ones(6), mask)
    expected_mae = _weighted_masked(_mae(y, pred), None, mask)
    outs = model.test_on_batch(x, y)
    np.testing.assert_allclose(outs, [expected_loss, expected_mae], rtol=1e-5)
    # the masked mean is the mean over the unmasked timesteps (NumPy formulation)
    np.testing.assert_allclose(outs[0], _mse(y, pred)[mask].mean(), rtol=1e-5)
    # masked outputs do not influence the loss
    y2 = y.copy()
    y2[~mask] = 100.
    np.testing.assert_allclose(model.test_on_batch(x, y2), outs, rtol=1e-6)


def test_masked_loss_with_temporal_weights_and_training():
    model = _sequence_model(mask=True, sample_weight_mode='temporal')
    w, b = model.get_weights()
    x, y = _sequence_data(seed=4)
    x[1, 2:] = 0.
    x[3, :1] = 0.
    mask = np.any(x != 0., axis=-1)
    sw = np.random.RandomState(5).rand(6, 5).astype('float32') + 0.5
    sw[5] = 0.
    score = _mse(y, x @ w + b)
    expected = _weighted_masked(score, sw, mask)
    np.testing.assert_allclose(model.test_on_batch(x, y, sample_weight=sw), expected, rtol=1e-5)
    # gradient step: SGD on the masked, weighted loss (NumPy reference gradient)
    model.compile(optimizers.SGD(lr=0.1), 'mse', sample_weight_mode='temporal')
    model.train_on_batch(x, y, sample_weight=sw)
    m = mask.astype('float64')
    coef = m / m.mean() * sw / np.mean(sw != 0) / sw.size  # d(total)/d(score[i, t])
    err = (x @ w + b - y)  # (6, 5, 3)
    dpred = 2 * err / 3 * coef[..., None]
    gw = np.einsum('ntf,ntu->fu', x, dpred)
    gb = dpred.sum((0, 1))
    new_w, new_b = model.get_weights()
    np.testing.assert_allclose(new_w, w - 0.1 * gw, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(new_b, b - 0.1 * gb, rtol=1e-4, atol=1e-6)


def test_a_batch_all_masked_or_weighted_zero_has_a_loss_of_zero():
    # Keras 2.2.4 divided the masked scores by the mean of an all-zero mask: a NaN loss,
    # whose gradient then made every weight NaN (2.2.5 added an epsilon to the divisor)
    model = _sequence_model(mask=True, sample_weight_mode='temporal')
    weights = model.get_weights()
    x, y = _sequence_data(seed=6)
    assert model.train_on_batch(np.zeros_like(x), y) == 0.
    assert model.train_on_batch(x, y, sample_weight=np.zeros(x.shape[:2])) == 0.
    for got, before in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, before)


def test_loss_weights_given_as_variables_follow_their_values(tmp_path):
    # KL annealing (chemical_vae): `loss_weights=[1., kl_weight]` or an expression of the
    # variable, and a callback's K.set_value; Keras 2.2.4's graph multiplied each output's
    # loss by the variable, so the total loss and the gradients follow it
    from keras.models import load_model
    kl_weight = K.variable(1.)
    x = Input((4,))
    model = Model(x, [Dense(2, name='a')(x), Dense(2, name='b')(x)])
    model.compile('sgd', loss=['mse', 'mse'], loss_weights={'a': 1., 'b': 0.5 * kl_weight})
    data = np.random.RandomState(0).rand(8, 4).astype('float32')
    targets = [np.ones((8, 2)), np.ones((8, 2))]
    for value in (1., 0., 3.):
        K.set_value(kl_weight, value)
        total, loss_a, loss_b = model.evaluate(data, targets, verbose=0)
        np.testing.assert_allclose(total, loss_a + 0.5 * value * loss_b, rtol=1e-5)
    # with a zero weight the second output's kernel gets no gradient
    K.set_value(kl_weight, 0.)
    before = model.get_layer('b').get_weights()[0]
    model.fit(data, targets, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.get_layer('b').get_weights()[0], before)
    # the training config keeps the weight's value then
    K.set_value(kl_weight, 2.)
    model.save(str(tmp_path / 'annealed.h5'))
    assert load_model(str(tmp_path / 'annealed.h5')).loss_weights == {'a': 1., 'b': 1.}
    with pytest.raises(TypeError, match='loss_weights'):
        model.compile('sgd', loss=['mse', 'mse'], loss_weights=[1., 'two'])


def test_loss_weights_given_as_backend_scalars_and_loaded_variables():
    # Keras 2.2.4 multiplied each output's loss by its weight, whatever tensor it was: a
    # backend constant works as a number, and a variable annealed with TensorFlow 1's
    # `Variable.load(value, session)` (uzh-rpg's Dronet callback) is read by every step
    x = Input((3,))
    model = Model(x, [Dense(1, name='a')(x), Dense(1, name='b')(x)])
    beta = K.variable(0.)
    model.compile('sgd', loss=['mse', 'mse'], loss_weights=[K.constant(2.), beta])
    data = np.random.RandomState(1).rand(4, 3).astype('float32')
    targets = [np.zeros((4, 1)), np.ones((4, 1))]
    for value in (0., 3.):
        beta.load(value, K.get_session() if K.backend() == 'tensorflow' else None)
        assert beta.eval() == value
        total, loss_a, loss_b = model.evaluate(data, targets, verbose=0)
        np.testing.assert_allclose(total, 2. * loss_a + value * loss_b, rtol=1e-5)
    with pytest.raises(TypeError, match='loss_weights'):
        model.compile('sgd', loss=['mse', 'mse'], loss_weights=[1., K.constant([1., 2.])])
