"""Sample weights that are all one (no `sample_weight` and no `class_weight`, or weights
of one) stay out of the compiled steps' data: the steps weigh by one without reading them
(`training_utils.UnitWeights`), which spares a gather and the weights' mean per step."""
import numpy as np
import pytest

from keras import backend as K
from keras.engine import training
from keras.layers import Dense, Input, LSTM, Masking, TimeDistributed
from keras.models import Model, Sequential


def _scalar_mse(y_true, y_pred):
    # a loss of rank 0: Keras 2.2.4 broadcast it against the weights before the mean
    return K.mean(K.square(y_true - y_pred))


def _dense(loss):
    inp = Input((6,))
    model = Model(inp, Dense(3, activation='softmax')(Dense(5, activation='relu')(inp)))
    model.compile('sgd', loss, metrics=['acc'], weighted_metrics=['acc'])
    rng = np.random.RandomState(0)
    x = rng.rand(40, 6).astype('float32')
    y = np.eye(3, dtype='float32')[rng.randint(0, 3, 40)]
    return model, x, y, {}


def _temporal():
    model = Sequential([Masking(input_shape=(5, 4)), LSTM(4, return_sequences=True),
                        TimeDistributed(Dense(2))])
    model.compile('adam', 'mse', sample_weight_mode='temporal', metrics=['mae'])
    rng = np.random.RandomState(0)
    x = rng.rand(24, 5, 4).astype('float32')
    x[:, -1] = 0.                                   # a masked last step
    return model, x, rng.rand(24, 5, 2).astype('float32'), {}


CASES = {
    'categorical': lambda: _dense('categorical_crossentropy'),
    'scalar_loss': lambda: _dense(_scalar_mse),
    'class_weight_of_one': lambda: _dense('categorical_crossentropy')[:3] +
    ({'class_weight': {0: 1., 1: 1., 2: 1.}},),
    'temporal_masked': _temporal,
}


def _train(case, monkeypatch, as_data):
    if as_data:
        # the weights of one go into the steps as an array, as any other weights do
        monkeypatch.setattr(training, '_all_ones', lambda a: False)
    np.random.seed(1)
    model, x, y, kwargs = CASES[case]()
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_split=0.25,
                        **kwargs)
    logs = [history.history[k] for k in sorted(history.history)]
    logs.append(model.evaluate(x, y, batch_size=8, verbose=0))
    logs.append(model.train_on_batch(x[:8], y[:8], **kwargs))
    monkeypatch.undo()
    return model.get_weights(), logs


@pytest.mark.parametrize('case', sorted(CASES))
def test_weights_of_one_left_out_train_as_weights_of_one_read(case, monkeypatch):
    weights, logs = _train(case, monkeypatch, as_data=False)
    ref_weights, ref_logs = _train(case, monkeypatch, as_data=True)
    for w, r in zip(weights, ref_weights):
        np.testing.assert_allclose(w, r, rtol=1e-6, atol=1e-7)
    for got, want in zip(logs, ref_logs):
        np.testing.assert_allclose(np.asarray(got, 'float64'), np.asarray(want, 'float64'),
                                   rtol=1e-6)


def test_only_weights_of_one_are_left_out_of_the_device_data():
    model, x, y, _ = _dense('categorical_crossentropy')
    ones, halves = np.ones(40, 'float32'), np.full(40, 0.5, 'float32')
    xs, ys, sws = model._to_device(([x], [y], [ones]), rows_indexed=True)
    assert sws == [None] and len(xs) == 1 and len(ys) == 1
    assert model._to_device(([x], [y], [halves]), rows_indexed=True)[2][0] is not None
    # data whose padding rows a step may read keeps its weights (the padding's are zero)
    assert model._to_device(([x], [y], [ones]))[2][0] is not None
    # weights that are not all one still weigh: a zero drops a sample (Keras 2.2 divides
    # the weighted scores by the share of nonzero weights)
    weighted = np.where(np.arange(40) < 20, 1., 0.).astype('float32')
    full = model.evaluate(x[:20], y[:20], batch_size=20, verbose=0)
    first = model.evaluate(x, y, batch_size=40, verbose=0, sample_weight=weighted)
    np.testing.assert_allclose(first[0], full[0], rtol=1e-5)


def test_generator_batches_are_not_padded():
    """A generator's batch runs through a step over all its rows: padded to a bucket of
    rows (50 -> 52), the padding weighed zero in the loss but counted in the unweighted
    metrics (accuracy 17/52 for 15/50) and would in batch statistics."""
    model, x, y, _ = _dense('categorical_crossentropy')
    x, y = np.concatenate([x, x[:10]]), np.concatenate([y, y[:10]])     # 50 rows

    def batches():
        while True:
            yield x, y
    assert training.bucket_rows(len(x)) > len(x)
    np.testing.assert_allclose(model.evaluate_generator(batches(), steps=1),
                               model.evaluate(x, y, batch_size=50, verbose=0), rtol=1e-6)
    twin = Model.from_config(model.get_config())
    twin.set_weights(model.get_weights())
    twin.compile('sgd', 'categorical_crossentropy', metrics=['acc'], weighted_metrics=['acc'])
    model.fit_generator(batches(), steps_per_epoch=1, epochs=1, verbose=0)
    twin.train_on_batch(x, y)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
