"""fit_generator / evaluate_generator / predict_generator with generators and Sequences."""
import threading
import time

import numpy as np
import pytest

from keras import backend as K
from keras import callbacks
from keras import optimizers
from keras.layers import Dense, Input
from keras.models import Model, Sequential
from keras.utils import Sequence

pytestmark = pytest.mark.filterwarnings('ignore:os.fork:RuntimeWarning')

_W = [np.array([[0.1, -0.2], [0.2, 0.1], [-0.3, 0.4]], 'float32'), np.zeros((2,), 'float32')]


@pytest.fixture(autouse=True)
def _fresh_names():
    K.clear_session()
    yield


def _arrays(n=40, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 3).astype('float32')
    labels = (x[:, 0] > x[:, 1]).astype('int64')
    y = np.eye(2, dtype='float32')[labels]
    return x, y


def _model(lr=0.1):
    model = Sequential([Dense(2, input_shape=(3,), activation='softmax')])
    model.compile(optimizers.SGD(lr=lr), 'categorical_crossentropy', metrics=['acc'])
    model.set_weights(_W)
    return model


class ArraySequence(Sequence):
    def __init__(self, x, y, batch_size, sleep=0., weights=None):
        self.x, self.y, self.batch_size, self.sleep = x, y, batch_size, sleep
        self.weights = weights
        self.epochs_ended = 0
        self.calls = 0
        self._lock = threading.Lock()

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, i):
        with self._lock:
            self.calls += 1
        if self.sleep:
            time.sleep(self.sleep)
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        if self.weights is not None:
            return self.x[s], self.y[s], self.weights[s]
        return self.x[s], self.y[s]

    def on_epoch_end(self):
        self.epochs_ended += 1


def _np_predict(model, x):
    w, b = model.get_weights()
    logits = x @ w + b
    p = np.exp(logits - logits.max(1, keepdims=True))
    return p / p.sum(1, keepdims=True)


def _np_evaluate(model, x, y):
    """NumPy reference of [categorical crossentropy, accuracy] of the softmax model."""
    p = _np_predict(model, x)
    return [-np.mean(np.sum(y * np.log(p), axis=1)), np.mean(p.argmax(1) == y.argmax(1))]


def _looping(x, y, batch_size):
    while True:
        for i in range(0, len(x), batch_size):
            yield x[i:i + batch_size], y[i:i + batch_size]


# --------------------------------------------------------------------- fit_generator
@pytest.mark.parametrize('workers', [0, 1, 3])
def test_fit_generator_sequence_matches_fit(workers):
    x, y = _arrays()
    ref = _model()
    h_ref = ref.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    model = _model()
    seq = ArraySequence(x, y, 8)
    h = model.fit_generator(seq, epochs=2, shuffle=False, workers=workers, verbose=0)
    assert sorted(h.history) == ['acc', 'loss']
    assert h.epoch == [0, 1]
    np.testing.assert_allclose(h.history['loss'], h_ref.history['loss'], rtol=1e-5)
    np.testing.assert_allclose(h.history['acc'], h_ref.history['acc'], rtol=1e-6)
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    # (the enqueuer calls `on_epoch_end`; Keras 2.2.4 read a Sequence without workers by
    # iterating it, never calling it)
    assert seq.epochs_ended >= 1 if workers else seq.epochs_ended == 0


def test_fit_generator_python_generator_and_validation_kinds():
    x, y = _arrays()
    vx, vy = _arrays(24, seed=1)
    for validation, vsteps in (((vx, vy), None), (_looping(vx, vy, 8), 3),
                               (ArraySequence(vx, vy, 5), None)):
        model = _model()
        checked = []

        def check(epoch, logs):
            loss, acc = _np_evaluate(model, vx, vy)
            checked.append((logs['val_loss'] - loss, logs['val_acc'] - acc))
        h = model.fit_generator(_looping(x, y, 8), steps_per_epoch=5, epochs=2, verbose=0,
                                validation_data=validation, validation_steps=vsteps,
                                callbacks=[callbacks.LambdaCallback(on_epoch_end=check)])
        assert sorted(h.history) == ['acc', 'loss', 'val_acc', 'val_loss']
        np.testing.assert_allclose(checked, 0., atol=1e-5)


def test_fit_generator_progbar_and_logs(capsys):
    x, y = _arrays()
    model = _model()
    seen = []
    cb = callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen.append((b, logs['size'])))
    model.fit_generator(ArraySequence(x, y, 16), epochs=1, verbose=1, callbacks=[cb],
                        shuffle=False)
    assert seen == [(0, 16), (1, 16), (2, 8)]
    out = capsys.readouterr().out
    assert 'Epoch 1/1' in out and '3/3' in out and 'loss:' in out


def test_fit_generator_argument_errors():
    x, y = _arrays()
    model = _model()
    with pytest.raises(ValueError, match='steps_per_epoch'):
        model.fit_generator(_looping(x, y, 8))
    with pytest.raises(ValueError, match='validation_steps'):
        model.fit_generator(_looping(x, y, 8), steps_per_epoch=2,
                            validation_data=_looping(x, y, 8))
    with pytest.raises(ValueError, match='validation_data'):
        model.fit_generator(_looping(x, y, 8), steps_per_epoch=2, validation_data=(x, y, x, y))
    with pytest.raises(ValueError, match='workers'):
        model.fit_generator(_looping(x, y, 8), steps_per_epoch=2, workers=-1)
    with pytest.raises(TypeError, match='generator'):
        model.fit_generator(x, steps_per_epoch=2)

    def bad():
        while True:
            yield x[:4]
    with pytest.raises(ValueError, match='Output of generator'):
        model.fit_generator(bad(), steps_per_epoch=2, verbose=0, workers=0)

    def short():
        for i in range(3):
            yield x[:4], y[:4]
    with pytest.raises(ValueError, match='stopped after 1 step.*epoch 2'):
        model.fit_generator(short(), steps_per_epoch=2, epochs=3, verbose=0)


def test_fit_generator_sequence_errors_propagate():
    class Broken(ArraySequence):
        def __getitem__(self, i):
            if i == 2:
                raise KeyError('broken batch')
            return ArraySequence.__getitem__(self, i)
    x, y = _arrays()
    model = _model()
    with pytest.raises(KeyError, match='broken batch'):
        model.fit_generator(Broken(x, y, 8), epochs=1, verbose=0, workers=2)


def test_fit_generator_stop_training_and_initial_epoch():
    x, y = _arrays()
    model = _model()
    batches = []

    def on_batch_end(batch, logs):
        batches.append(batch)
        if batch == 2:
            model.stop_training = True
    h = model.fit_generator(ArraySequence(x, y, 4), epochs=5, verbose=0, callbacks=[
        callbacks.LambdaCallback(on_batch_end=on_batch_end)])
    assert batches == [0, 1, 2] and h.epoch == [0]
    model = _model()
    h = model.fit_generator(ArraySequence(x, y, 8), epochs=4, initial_epoch=2, verbose=0)
    assert h.epoch == [2, 3]


def test_fit_generator_class_weight_and_sample_weight():
    x, y = _arrays()
    ref = _model()
    cw = {0: 1., 1: 3.}
    ref_losses = [ref.train_on_batch(x[i:i + 8], y[i:i + 8], class_weight=cw)[0]
                  for i in range(0, 40, 8)]
    model = _model()
    losses = []
    cb = callbacks.LambdaCallback(on_batch_end=lambda b, logs: losses.append(logs['loss']))
    model.fit_generator(ArraySequence(x, y, 8), epochs=1, verbose=0, class_weight=cw,
                        shuffle=False, callbacks=[cb])
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-5)
    # sample weights from the sequence
    sw = np.linspace(0., 2., 40).astype('float32')
    ref = _model()
    ref_losses = [ref.train_on_batch(x[i:i + 8], y[i:i + 8], sample_weight=sw[i:i + 8])[0]
                  for i in range(0, 40, 8)]
    model = _model()
    losses = []
    model.fit_generator(ArraySequence(x, y, 8, weights=sw), epochs=1, verbose=0, shuffle=False,
                        callbacks=[cb])
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-5)


def test_fit_generator_multiprocessing_sequence():
    x, y = _arrays()
    ref = _model()
    h_ref = ref.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    model = _model()
    h = model.fit_generator(ArraySequence(x, y, 8), epochs=2, shuffle=False, workers=2,
                            use_multiprocessing=True, verbose=0)
    np.testing.assert_allclose(h.history['loss'], h_ref.history['loss'], rtol=1e-5)


def test_fit_generator_multiprocessing_generator_warns():
    x, y = _arrays()
    model = _model()
    with pytest.warns(UserWarning, match='may duplicate your data'):
        h = model.fit_generator(_looping(x, y, 8), steps_per_epoch=3, epochs=1, workers=2,
                                use_multiprocessing=True, verbose=0)
    assert np.isfinite(h.history['loss']).all()


def test_fit_with_sequence_routes_to_generator():
    x, y = _arrays()
    model = _model()
    seq = ArraySequence(x, y, 8)
    h = model.fit(seq, epochs=1, verbose=0)
    assert seq.calls >= 5 and len(h.history['loss']) == 1
    res = model.evaluate(seq, verbose=0)
    np.testing.assert_allclose(res, _np_evaluate(model, x, y), rtol=1e-5)
    np.testing.assert_allclose(model.predict(seq), _np_predict(model, x), rtol=1e-5, atol=1e-7)


class _ConcurrencyProbe(ArraySequence):
    """Records how many loads run at once and how many have begun.

    The first loads wait (up to a timeout) for a second load to be in flight, so loaders
    that run in parallel meet there and a serial loader is seen as serial, whatever the
    machine's speed."""

    def __init__(self, x, y, batch_size):
        super(_ConcurrencyProbe, self).__init__(x, y, batch_size)
        self.in_flight = self.most_in_flight = 0
        self.loads_started = 0
        self.two_at_once = threading.Event()
        self.started = threading.Condition()

    def __getitem__(self, i):
        with self.started:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.loads_started += 1
            if self.in_flight >= 2:
                self.two_at_once.set()
            self.started.notify_all()
        try:
            self.two_at_once.wait(timeout=5)
            return super(_ConcurrencyProbe, self).__getitem__(i)
        finally:
            with self.started:
                self.in_flight -= 1


def test_fit_generator_workers_load_in_parallel_and_ahead_of_the_step():
    x, y = _arrays(80)
    model = _model()
    ahead_at_first_step = []

    def wait_for_loads_ahead(probe, timeout):
        def on_batch_begin(batch, logs):
            if batch == 0:
                with probe.started:
                    ahead_at_first_step.append(probe.started.wait_for(
                        lambda: probe.loads_started >= 3, timeout=timeout))
        return callbacks.LambdaCallback(on_batch_begin=on_batch_begin)

    probe = _ConcurrencyProbe(x, y, 4)
    model.fit_generator(probe, epochs=1, verbose=0, workers=4, max_queue_size=10,
                        callbacks=[wait_for_loads_ahead(probe, 5)])
    assert probe.most_in_flight >= 2          # several workers load at once
    assert ahead_at_first_step == [True]      # batches 1, 2, ... load while batch 0 trains
    # the probe tells a serial loader apart: without workers, one load at a time, on demand
    serial = _ConcurrencyProbe(x, y, 4)
    serial.two_at_once.set()                  # nothing to wait for
    # (the callback holds the only thread that could load: no wait can change the answer)
    model.fit_generator(serial, epochs=1, verbose=0, workers=0,
                        callbacks=[wait_for_loads_ahead(serial, 0)])
    assert serial.most_in_flight == 1
    assert ahead_at_first_step == [True, False]


# --------------------------------------------------------------------- evaluate_generator
def test_evaluate_generator_batch_size_weighted():
    x, y = _arrays(37)
    model = _model()
    model.fit(x, y, epochs=1, verbose=0)
    ref = _np_evaluate(model, x, y)
    seq = ArraySequence(x, y, 10)  # batches of 10, 10, 10, 7
    for workers in (0, 2):
        res = model.evaluate_generator(seq, workers=workers)
        np.testing.assert_allclose(res, ref, rtol=1e-5)
    # NumPy reference of the weighted average of per-batch values
    per_batch = [model.test_on_batch(*seq[i]) for i in range(4)]
    manual = np.average(per_batch, axis=0, weights=[10, 10, 10, 7])
    np.testing.assert_allclose(model.evaluate_generator(_looping(x, y, 10), steps=4), manual,
                               rtol=1e-6)
    with pytest.raises(ValueError, match='steps'):
        model.evaluate_generator(_looping(x, y, 10))


def test_evaluate_generator_scalar_and_verbose(capsys):
    x, y = _arrays()
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile('sgd', 'mse')
    model.set_weights(_W)
    res = model.evaluate_generator(ArraySequence(x, y, 8), verbose=1)
    assert isinstance(res, float)
    np.testing.assert_allclose(res, np.mean((x @ _W[0] - y) ** 2), rtol=1e-5)
    assert '5/5' in capsys.readouterr().out


# --------------------------------------------------------------------- predict_generator
def test_predict_generator_inputs_and_tuples():
    x, y = _arrays(30)
    model = _model()
    expected = _np_predict(model, x)

    def xs_only():
        for i in range(0, 30, 8):
            yield x[i:i + 8]
    out = model.predict_generator(xs_only(), steps=4)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    out = model.predict_generator(ArraySequence(x, y, 7), workers=2)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    out = model.predict_generator(ArraySequence(x, y, 7), steps=1, workers=0)
    np.testing.assert_allclose(out, expected[:7], rtol=1e-6)


def test_predict_generator_multi_output():
    inp = Input((3,))
    a = Dense(2, name='a')(inp)
    b = Dense(1, name='b')(inp)
    model = Model(inp, [a, b])
    model.compile('sgd', 'mse')
    x, _ = _arrays(20)
    outs = model.predict_generator(iter([x[:12], x[12:]]), steps=2, workers=0)
    ref = model.predict(x)
    assert len(outs) == 2
    for o, r in zip(outs, ref):
        np.testing.assert_allclose(o, r, rtol=1e-6)


def test_dicts_may_carry_keys_the_model_does_not_read():
    """Keras 2.2.4 takes from an input or target dict the keys the model names and ignores
    the rest (its OCR example's generator yields the source strings beside the inputs);
    a key the model needs is still required."""
    x, y = _arrays(16)
    inp = Input((3,), name='features')
    model = Model(inp, Dense(2, activation='softmax', name='label')(inp))
    model.compile(optimizers.SGD(lr=0.1), 'categorical_crossentropy')
    model.set_weights(_W)
    twin = _model()
    extra = ['word %d' % i for i in range(16)]

    def batches():
        while True:
            for i in range(0, 16, 8):
                yield ({'features': x[i:i + 8], 'source_str': extra[i:i + 8]},
                       {'label': y[i:i + 8], 'unused': np.zeros(8)})
    model.fit_generator(batches(), steps_per_epoch=2, epochs=2, verbose=0)
    twin.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    loss = model.evaluate({'features': x, 'source_str': extra}, {'label': y}, verbose=0)
    assert loss == pytest.approx(twin.evaluate(x, y, verbose=0)[0], rel=1e-6)
    with pytest.raises(ValueError, match='No data provided for "features"'):
        model.predict({'feature': x})


@pytest.mark.parametrize('workers', [0, 1])
def test_a_generator_may_set_itself_up_in_on_train_begin(workers):
    """As Keras 2.2.4 orders it (and its OCR example relies on it): the callbacks'
    on_train_begin runs before any training or validation batch is drawn."""
    x, y = _arrays(16)
    events = []

    class Batches(callbacks.Callback):
        def on_train_begin(self, logs=None):
            time.sleep(0.2)             # a worker that started drawing would draw first
            events.append('train_begin')
            self.position = 0

        def draw(self, kind):
            while True:
                events.append(kind)
                i = self.position % 16
                self.position += 8
                yield x[i:i + 8], y[i:i + 8]

    source = Batches()
    model = _model()
    model.fit_generator(source.draw('train'), steps_per_epoch=2, epochs=2, verbose=0,
                        validation_data=source.draw('validation'), validation_steps=1,
                        callbacks=[source], workers=workers)
    assert events[0] == 'train_begin' and events.count('train_begin') == 1
    assert {'train', 'validation'} <= set(events)


def test_fractional_step_counts_round_up_as_keras_2_2_4_counted_them():
    # `steps_per_epoch=len(x_train) / 32` (the example of Keras 2.2.4's ImageDataGenerator;
    # face_classification, ART's KerasClassifier): 2.2.4 ran batches while fewer than
    # `steps` were done, so 2.5 steps are 3 batches
    x, y = _arrays(40)
    seq = ArraySequence(x, y, 8)
    model = _model()
    seen = []
    counter = callbacks.LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))
    model.fit_generator(_looping(x, y, 8), steps_per_epoch=20 / 8, epochs=1, verbose=0,
                        validation_data=seq, validation_steps=3 / 2., callbacks=[counter],
                        workers=0)
    assert seen == [0, 1, 2]
    reference = _model()
    reference.fit_generator(_looping(x, y, 8), steps_per_epoch=3, epochs=1, verbose=0,
                            workers=0)
    np.testing.assert_allclose(model.get_weights()[0], reference.get_weights()[0], rtol=1e-6)
    predictions = model.predict_generator(seq, steps=2.1, workers=0)
    assert predictions.shape == (24, 2)
    np.testing.assert_allclose(model.evaluate_generator(seq, steps=1.5, workers=0),
                               _np_evaluate(model, x[:16], y[:16]), rtol=1e-5)
    for steps in (0., -1.5, float('nan'), float('inf')):
        with pytest.raises(ValueError, match='steps'):
            model.predict_generator(seq, steps=steps, workers=0)


def test_a_sequence_read_without_workers_is_read_in_order_as_keras_224():
    # Keras 2.2.4 read a Sequence with `workers=0` by `for item in seq`, over and over: in
    # order whatever `shuffle` says, `on_epoch_end` never called (its enqueuer did both)
    x, y = np.random.rand(40, 4).astype('float32'), np.random.rand(40, 1).astype('float32')

    class Recording(Sequence):
        def __init__(self):
            self.order, self.ends = [], 0

        def __len__(self):
            return 5

        def __getitem__(self, i):
            self.order.append(i)
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

        def on_epoch_end(self):
            self.ends += 1
    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile('sgd', 'mse')
    seq = Recording()
    state = np.random.get_state()[1].copy()
    model.fit_generator(seq, epochs=2, workers=0, verbose=0, shuffle=True)
    assert seq.order == [0, 1, 2, 3, 4] * 2 and seq.ends == 0
    np.testing.assert_array_equal(np.random.get_state()[1], state)   # no draw for an order
