"""Callbacks: Keras 2.2 behaviour of every callback, checked on small models."""
import csv
import glob
import http.server
import io
import json
import os
import socket
import threading
import urllib.parse

import numpy as np
import pytest

from keras import backend as K
from keras import callbacks
from keras import optimizers
from keras.layers import Dense
from keras.models import Sequential


@pytest.fixture(autouse=True)
def _fresh_names():
    K.clear_session()
    yield


def _data(n=32, d=3, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, d).astype('float32')
    y = (x @ np.array([[1.], [-2.], [0.5]], 'float32')[:d] + 0.3).astype('float32')
    return x, y


def _model(lr=0.05, metrics=None):
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizers.SGD(lr=lr), 'mse', metrics=metrics or [])
    model.set_weights([np.array([[0.1], [0.2], [-0.3]], 'float32'), np.zeros((1,), 'float32')])
    return model


def _scripted(key, values):
    """LambdaCallback overwriting logs[key] at each epoch end with scripted values."""
    def on_epoch_end(epoch, logs):
        logs[key] = values[epoch]
    return callbacks.LambdaCallback(on_epoch_end=on_epoch_end)


class _StubModel(object):
    """Minimal model for driving epoch-level callbacks directly."""

    def __init__(self):
        self.stop_training = False
        self.saved = []
        self.weights = [np.zeros(2)]
        self.optimizer = optimizers.SGD(lr=0.1)

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, filepath, overwrite=True):
        self.saved.append(('model', filepath, self.get_weights()))

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(('weights', filepath, self.get_weights()))


# --------------------------------------------------------------------- CallbackList
def test_needs_every_batch():
    lst = callbacks.CallbackList([callbacks.History(), callbacks.BaseLogger()])
    assert not lst.needs_every_batch()
    assert callbacks.CallbackList([callbacks.TerminateOnNaN()]).needs_every_batch()
    assert not callbacks.CallbackList([callbacks.EarlyStopping(),
                                       callbacks.TensorBoard.__new__(callbacks.TensorBoard)]
                                      ).needs_every_batch()
    assert callbacks.CallbackList([callbacks.LambdaCallback(on_batch_end=lambda b, l: None)]
                                  ).needs_every_batch()
    assert not callbacks.CallbackList([callbacks.LambdaCallback(on_epoch_end=lambda e, l: None)]
                                      ).needs_every_batch()


# --------------------------------------------------------------------- ModelCheckpoint
def test_model_checkpoint_template_names(tmp_path):
    x, y = _data()
    model = _model()
    saved = []
    model.save_weights = lambda path, overwrite=True: saved.append(path)
    template = str(tmp_path / 'weights.{epoch:02d}-{val_loss:.2f}.hdf5')
    cb = callbacks.ModelCheckpoint(template, save_weights_only=True)
    h = model.fit(x, y, batch_size=8, epochs=3, verbose=0, validation_data=(x, y), callbacks=[cb])
    expected = [str(tmp_path / ('weights.%02d-%.2f.hdf5' % (e + 1, v)))
                for e, v in enumerate(h.history['val_loss'])]
    assert saved == expected


def test_model_checkpoint_best_only_and_modes():
    stub = _StubModel()
    cb = callbacks.ModelCheckpoint('m{epoch}.h5', monitor='val_loss', save_best_only=True)
    cb.set_model(stub)
    for epoch, v in enumerate([1.0, 0.8, 0.9, 0.5, 0.6]):
        stub.weights = [np.full(2, float(epoch))]
        cb.on_epoch_end(epoch, {'val_loss': v})
    assert [(kind, p, w[0][0]) for kind, p, w in stub.saved] == \
        [('model', 'm1.h5', 0.), ('model', 'm2.h5', 1.), ('model', 'm4.h5', 3.)]
    assert cb.best == 0.5

    # 'auto' with an accuracy monitor maximizes; 'max' too; period skips epochs
    for mode in ('auto', 'max'):
        stub = _StubModel()
        cb = callbacks.ModelCheckpoint('a{epoch}', monitor='val_acc', save_best_only=True,
                                       save_weights_only=True, mode=mode)
        cb.set_model(stub)
        for epoch, v in enumerate([0.5, 0.4, 0.7]):
            cb.on_epoch_end(epoch, {'val_acc': v})
        assert [(k, p) for k, p, _ in stub.saved] == [('weights', 'a1'), ('weights', 'a3')]
    stub = _StubModel()
    cb = callbacks.ModelCheckpoint('p{epoch}', period=2)
    cb.set_model(stub)
    for epoch in range(5):
        cb.on_epoch_end(epoch, {})
    assert [p for _, p, _ in stub.saved] == ['p2', 'p4']
    with pytest.warns(RuntimeWarning, match='unknown'):
        callbacks.ModelCheckpoint('x', mode='bogus')


def test_model_checkpoint_missing_monitor_warns_and_verbose(capsys):
    stub = _StubModel()
    cb = callbacks.ModelCheckpoint('f', monitor='val_loss', save_best_only=True, verbose=1)
    cb.set_model(stub)
    with pytest.warns(RuntimeWarning, match='val_loss available'):
        cb.on_epoch_end(0, {'loss': 1.})
    assert stub.saved == []
    cb.on_epoch_end(0, {'val_loss': 2.})
    cb.on_epoch_end(1, {'val_loss': 3.})
    out = capsys.readouterr().out
    assert 'Epoch 00001: val_loss improved from inf to 2.00000, saving model to f' in out
    assert 'Epoch 00002: val_loss did not improve from 2.00000' in out


def test_model_checkpoint_best_only_file_contents(tmp_path):
    import keras.engine.saving  # noqa: F401
    import h5py
    x, y = _data()
    model = _model()
    per_epoch = []
    record = callbacks.LambdaCallback(on_epoch_end=lambda e, l: per_epoch.append(model.get_weights()))
    path = str(tmp_path / 'best.h5')
    cb = callbacks.ModelCheckpoint(path, monitor='val_loss', save_best_only=True,
                                   save_weights_only=True)
    scripted = _scripted('val_loss', [0.9, 0.5, 0.7, 0.8])
    model.fit(x, y, batch_size=8, epochs=4, verbose=0, callbacks=[record, scripted, cb])
    assert os.path.exists(path)
    with h5py.File(path, 'r') as f:
        assert 'layer_names' in f.attrs
    fresh = _model()
    fresh.load_weights(path)
    for a, b in zip(fresh.get_weights(), per_epoch[1]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    # full model (default): model.save with the architecture, one file per epoch
    template = str(tmp_path / 'model-{epoch}.h5')
    model.fit(x, y, batch_size=8, epochs=2, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(template, monitor='loss')])
    for epoch in (1, 2):
        with h5py.File(template.format(epoch=epoch), 'r') as f:
            assert 'model_config' in f.attrs and 'model_weights' in f


# --------------------------------------------------------------------- EarlyStopping
def _drive(cb, values, key='val_loss', stub=None):
    stub = stub or _StubModel()
    cb.set_model(stub)
    cb.on_train_begin()
    ran = 0
    for epoch, v in enumerate(values):
        ran += 1
        stub.weights = [np.full(2, float(epoch))]
        cb.on_epoch_end(epoch, {key: v})
        if stub.stop_training:
            break
    cb.on_train_end()
    return ran, stub


def test_early_stopping_patience():
    cb = callbacks.EarlyStopping(patience=2)
    ran, _ = _drive(cb, [1.0, 0.9, 0.95, 0.97, 0.8])
    assert ran == 4 and cb.stopped_epoch == 3 and cb.best == 0.9
    cb = callbacks.EarlyStopping(patience=0)
    ran, _ = _drive(cb, [1.0, 0.9, 0.95, 0.8])
    assert ran == 3
    # min_delta: improvements smaller than min_delta do not count
    cb = callbacks.EarlyStopping(patience=1, min_delta=0.1)
    ran, _ = _drive(cb, [1.0, 0.95, 0.5])
    assert ran == 2
    # max mode (auto with acc)
    cb = callbacks.EarlyStopping(monitor='val_acc', patience=1)
    ran, _ = _drive(cb, [0.5, 0.6, 0.55, 0.9], key='val_acc')
    assert ran == 3 and cb.best == 0.6


def test_early_stopping_baseline(capsys):
    cb = callbacks.EarlyStopping(patience=2, baseline=0.5, verbose=1)
    ran, _ = _drive(cb, [0.9, 0.8, 0.4, 0.6])
    assert ran == 2 and cb.stopped_epoch == 1
    assert 'Epoch 00002: early stopping' in capsys.readouterr().out
    cb = callbacks.EarlyStopping(patience=2, baseline=0.5)
    ran, _ = _drive(cb, [0.9, 0.4, 0.45, 0.6, 0.7, 0.8])
    assert ran == 4 and cb.best == 0.4


def test_early_stopping_restore_best_weights_in_fit():
    x, y = _data()
    model = _model()
    per_epoch = []
    record = callbacks.LambdaCallback(on_epoch_end=lambda e, l: per_epoch.append(model.get_weights()))
    cb = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    h = model.fit(x, y, batch_size=8, epochs=10, verbose=0,
                  callbacks=[record, _scripted('val_loss', [1., .5, .7, .9, .2, .1, 0, 0, 0, 0]),
                             cb])
    assert h.epoch == [0, 1, 2, 3]
    assert h.history['val_loss'] == [1., .5, .7, .9]
    for a, b in zip(model.get_weights(), per_epoch[1]):
        np.testing.assert_array_equal(a, b)
    # without restore the last weights stay
    model = _model()
    per_epoch = []
    model.fit(x, y, batch_size=8, epochs=10, verbose=0,
              callbacks=[record, _scripted('val_loss', [1., .5, .7, .9]),
                         callbacks.EarlyStopping(patience=2)])
    for a, b in zip(model.get_weights(), per_epoch[-1]):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_missing_monitor_warns():
    cb = callbacks.EarlyStopping(monitor='val_nope')
    with pytest.warns(RuntimeWarning, match='val_nope'):
        ran, stub = _drive(cb, [1., 2.])
    assert ran == 2 and not stub.stop_training
    with pytest.raises(ValueError, match='patience'):
        callbacks.EarlyStopping(patience=-1)


# --------------------------------------------------------------------- ReduceLROnPlateau
def test_reduce_lr_on_plateau_values():
    x, y = _data()
    model = _model(lr=1.0)
    lrs = []
    val = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.95, 0.89]
    cb = callbacks.ReduceLROnPlateau(monitor='val_loss', factor=0.5, patience=2, cooldown=1,
                                     min_lr=0.2, min_delta=0.01)
    record = callbacks.LambdaCallback(on_epoch_end=lambda e, l: lrs.append(l['lr']))
    model.compile(optimizers.SGD(lr=1.0), 'mse')
    h = model.fit(x, y, batch_size=32, epochs=10, verbose=0,
                  callbacks=[_scripted('val_loss', val), cb, record])
    # Keras 2.2 rule: in a cooldown epoch the counter is decremented, and since it reaches 0
    # the same epoch already counts towards the patience.
    # epoch 0 best=1; 1 best=.9; 2 wait1; 3 wait2 -> lr .5 (cooldown 1); 4 cooldown ends, wait1;
    # 5 wait2 -> .25; 6 wait1; 7 wait2 -> max(.125, min_lr) = .2; 8, 9: lr stays at min_lr
    np.testing.assert_allclose([float(K.get_value(model.optimizer.lr))], [0.2])
    # logs['lr'] is the lr in force during the epoch (before the reduction at its end)
    expected_logged = [1., 1., 1., 1., .5, .5, .25, .25, .2, .2]
    np.testing.assert_allclose(lrs, expected_logged, rtol=1e-6)
    np.testing.assert_allclose(h.history['lr'], expected_logged, rtol=1e-6)


def test_reduce_lr_on_plateau_args():
    with pytest.warns(UserWarning, match='epsilon'):
        cb = callbacks.ReduceLROnPlateau(epsilon=0.3)
    assert cb.min_delta == 0.3
    with pytest.raises(ValueError, match='factor'):
        callbacks.ReduceLROnPlateau(factor=1.0)
    with pytest.raises(TypeError, match='bogus'):
        callbacks.ReduceLROnPlateau(bogus=1)
    # max mode for accuracies: the lr drops when acc stops increasing
    stub = _StubModel()
    cb = callbacks.ReduceLROnPlateau(monitor='val_acc', patience=1, factor=0.1)
    cb.set_model(stub)
    cb.on_train_begin()
    for epoch, v in enumerate([0.5, 0.6, 0.6]):
        cb.on_epoch_end(epoch, {'val_acc': v})
    np.testing.assert_allclose(K.get_value(stub.optimizer.lr), 0.01, rtol=1e-6)


# --------------------------------------------------------------------- LearningRateScheduler
def test_learning_rate_scheduler_no_recompile():
    x, y = _data(n=32)
    model = _model(lr=0.05)
    traces = []
    original = model._losses_and_metrics

    def counting(*args, **kwargs):
        traces.append(1)
        return original(*args, **kwargs)
    model._losses_and_metrics = counting
    schedule = [0.1, 0.0, 0.02]
    seen = []
    cb = callbacks.LearningRateScheduler(lambda epoch: schedule[epoch])
    record = callbacks.LambdaCallback(
        on_epoch_begin=lambda e, l: seen.append((model.get_weights(),
                                                 float(K.get_value(model.optimizer.lr)))))
    model.fit(x, y, batch_size=32, epochs=3, verbose=0, shuffle=False, callbacks=[cb, record])
    assert [lr for _, lr in seen] == pytest.approx(schedule)
    assert len(traces) == 1  # one trace of the train step for all epochs
    # reference: full-batch SGD on the mse of a linear model
    w, b = seen[0][0]
    for epoch, lr in enumerate(schedule):
        np.testing.assert_allclose(seen[epoch][0][0], w, rtol=1e-5, atol=1e-6)
        err = x @ w + b - y
        w = w - lr * 2 * x.T @ err / len(x)
        b = b - lr * 2 * err.mean(0)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-5, atol=1e-6)


def test_learning_rate_scheduler_two_args_and_errors(capsys):
    x, y = _data()
    model = _model(lr=0.05)
    got = []

    def schedule(epoch, lr):
        got.append((epoch, lr))
        return lr * 0.5
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(schedule, verbose=1)])
    assert got == [(0, pytest.approx(0.05)), (1, pytest.approx(0.025))]
    assert 'Epoch 00002: LearningRateScheduler setting learning rate to 0.0125' in \
        capsys.readouterr().out
    with pytest.raises(ValueError, match='should be float'):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(lambda e: 'fast')])
    with pytest.raises(TypeError, match='schedule'):
        callbacks.LearningRateScheduler(0.1)


def test_learning_rate_scheduler_puts_the_rate_in_the_epoch_logs(tmp_path):
    # Keras 2.2.4 did, as ReduceLROnPlateau does: tutorials plot history.history['lr'],
    # CSVLogger writes an lr column
    x, y = _data()
    model = _model(lr=0.05)
    path = str(tmp_path / 'log.csv')
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda epoch: 0.04 * 0.5 ** epoch),
        callbacks.CSVLogger(path)])
    assert history.history['lr'] == pytest.approx([0.04, 0.02, 0.01])
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    assert [float(row['lr']) for row in rows] == pytest.approx([0.04, 0.02, 0.01])


def test_fit_with_validation_says_how_many_samples_it_trains_and_validates_on(capsys):
    x, y = _data(n=20)
    model = _model()
    model.fit(x, y, batch_size=10, epochs=1, verbose=2, validation_split=0.25)
    out = capsys.readouterr().out
    assert out.startswith('Train on 15 samples, validate on 5 samples\nEpoch 1/1')
    model.fit(x, y, batch_size=10, epochs=1, verbose=1, validation_data=(x[:3], y[:3]))
    assert capsys.readouterr().out.startswith('Train on 20 samples, validate on 3 samples')
    model.fit(x, y, batch_size=10, epochs=1, verbose=0, validation_split=0.25)
    model.fit(x, y, batch_size=10, epochs=1, verbose=1)
    assert 'Train on' not in capsys.readouterr().out


# --------------------------------------------------------------------- CSVLogger
def test_csv_logger_content_and_append(tmp_path):
    x, y = _data()
    model = _model(metrics=['mae'])
    path = str(tmp_path / 'log.csv')
    h = model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_data=(x, y),
                  callbacks=[callbacks.CSVLogger(path)])
    with open(path, newline='') as f:
        raw = f.read()
    assert raw.count('\r\n') == 3
    rows = list(csv.reader(raw.splitlines()))
    keys = sorted(h.history)
    assert rows[0] == ['epoch'] + keys
    for epoch in range(2):
        assert int(rows[epoch + 1][0]) == epoch
        for k, v in zip(keys, rows[epoch + 1][1:]):
            assert float(v) == pytest.approx(h.history[k][epoch], rel=1e-6)
    # append: no second header
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, validation_data=(x, y),
              callbacks=[callbacks.CSVLogger(path, append=True)])
    with open(path) as f:
        rows = list(csv.reader(f))
    assert len(rows) == 4 and rows[0][0] == 'epoch' and rows[3][0] == '0'
    # no append: overwritten; custom separator
    model.fit(x, y, batch_size=8, epochs=1, verbose=0,
              callbacks=[callbacks.CSVLogger(path, separator=';')])
    with open(path) as f:
        lines = f.read().splitlines()
    assert lines[0] == 'epoch;loss;mean_absolute_error' and len(lines) == 2
    # append to a missing file writes the header
    path2 = str(tmp_path / 'new.csv')
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path2, append=True)])
    with open(path2) as f:
        assert f.readline().startswith('epoch,')


def test_csv_logger_stopped_training_fills_na(tmp_path):
    path = str(tmp_path / 'na.csv')
    stub = _StubModel()
    cb = callbacks.CSVLogger(path)
    cb.set_model(stub)
    cb.on_train_begin()
    cb.on_epoch_end(0, {'loss': 1.0, 'val_loss': 2.0})
    stub.stop_training = True
    cb.on_epoch_end(1, {'loss': 0.5})
    cb.on_train_end()
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows == [['epoch', 'loss', 'val_loss'], ['0', '1.0', '2.0'], ['1', '0.5', 'NA']]


# --------------------------------------------------------------------- LambdaCallback
def test_lambda_callback_hook_order():
    x, y = _data(n=24)
    model = _model()
    events = []
    weights_at_begin = []
    cb = callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append('train_begin'),
        on_epoch_begin=lambda e, logs: events.append('epoch_begin %d' % e),
        on_batch_begin=lambda b, logs: (events.append('batch_begin %d' % b),
                                        weights_at_begin.append(model.get_weights()[0].copy())),
        on_batch_end=lambda b, logs: events.append('batch_end %d %.6f' % (b, logs['loss'])),
        on_epoch_end=lambda e, logs: events.append('epoch_end %d' % e),
        on_train_end=lambda logs: events.append('train_end'),
        extra_attribute=7)
    assert cb.extra_attribute == 7
    h = []
    record = callbacks.LambdaCallback(on_batch_end=lambda b, logs: h.append(logs['loss']))
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False, callbacks=[cb, record])
    expected = ['train_begin']
    i = 0
    for e in range(2):
        expected.append('epoch_begin %d' % e)
        for b in range(3):
            expected += ['batch_begin %d' % b, 'batch_end %d %.6f' % (b, h[i])]
            i += 1
        expected.append('epoch_end %d' % e)
    expected.append('train_end')
    assert events == expected
    # batch hooks run live: the weights change between consecutive batch_begin calls
    assert all(not np.array_equal(a, b) for a, b in zip(weights_at_begin, weights_at_begin[1:]))


# --------------------------------------------------------------------- TerminateOnNaN
def test_terminate_on_nan(capsys):
    x, y = _data(n=40)
    x[17] = np.nan  # in the third batch of 8
    model = _model()
    batches = []
    record = callbacks.LambdaCallback(on_batch_end=lambda b, logs: batches.append(logs['loss']))
    h = model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False,
                  callbacks=[callbacks.TerminateOnNaN(), record])
    assert len(batches) == 3 and np.isnan(batches[-1]) and np.isfinite(batches[:2]).all()
    assert h.epoch == [0]
    assert 'Batch 2: Invalid loss, terminating training' in capsys.readouterr().out


# --------------------------------------------------------------------- RemoteMonitor
class _Recorder(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        length = int(self.headers.get('Content-Length', 0))
        body = self.rfile.read(length).decode('utf-8')
        type(self).received.append((self.path, self.headers.get('Content-Type'),
                                    self.headers.get('X-Test'), body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'ok')

    def log_message(self, *args):
        pass


def test_remote_monitor_posts_json():
    _Recorder.received = []
    server = http.server.HTTPServer(('127.0.0.1', 0), _Recorder)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05},
                              daemon=True)
    thread.start()
    try:
        root = 'http://127.0.0.1:%d' % server.server_address[1]
        x, y = _data()
        model = _model()
        h = model.fit(x, y, epochs=2, verbose=0, callbacks=[
            callbacks.RemoteMonitor(root=root, send_as_json=True, headers={'X-Test': 'yes'})])
        model.fit(x, y, epochs=1, verbose=0, callbacks=[
            callbacks.RemoteMonitor(root=root, path='/form/', field='payload')])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    rec = _Recorder.received
    assert len(rec) == 3
    for epoch in range(2):
        path, ctype, xtest, body = rec[epoch]
        assert (path, ctype, xtest) == ('/publish/epoch/end/', 'application/json', 'yes')
        data = json.loads(body)
        assert data['epoch'] == epoch
        assert data['loss'] == pytest.approx(h.history['loss'][epoch])
    path, ctype, _, body = rec[2]
    assert path == '/form/' and ctype == 'application/x-www-form-urlencoded'
    form = urllib.parse.parse_qs(body)
    assert json.loads(form['payload'][0])['epoch'] == 0


def test_remote_monitor_unreachable_warns():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    cb = callbacks.RemoteMonitor(root='http://127.0.0.1:%d' % port)
    cb.timeout = 2.
    with pytest.warns(RuntimeWarning, match='could not reach RemoteMonitor'):
        cb.on_epoch_end(0, {'loss': np.float32(1.5)})


# --------------------------------------------------------------------- TensorBoard
# The callback writes through the backend's summary writer (`K.summary.SummaryWriter`): classic
# summaries (simple_value, histo, image protos) on JAX, TensorFlow 2's tensor summaries from
# `tf.summary` on TensorFlow. TensorBoard's reader (the plugin EventAccumulator its server
# uses) reads both as tensors, so the tests below check the same values on either backend.
def _accumulator(log_dir):
    """TensorBoard's reader over the event files of `log_dir`, keeping every event."""
    from tensorboard.backend.event_processing import plugin_event_accumulator
    acc = plugin_event_accumulator.EventAccumulator(log_dir, size_guidance={'tensors': 0})
    acc.Reload()
    return acc


def _series(acc, tag):
    """(step, value as a NumPy array) of every event of `tag`."""
    from tensorboard.util import tensor_util
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def _plugin_tags(acc, plugin):
    try:
        return sorted(acc.PluginTagToContent(plugin))
    except KeyError:   # no summary of this plugin
        return []


def _scalars(log_dir):
    acc = _accumulator(log_dir)
    return dict((tag, [(step, float(v)) for step, v in _series(acc, tag)])
                for tag in _plugin_tags(acc, 'scalars'))


def _check_histogram(buckets, values):
    """`buckets` ((k, 3): left edge, right edge, count) is the 30-bucket histogram of
    `values` between their extremes (NumPy's reference)."""
    counts, edges = np.histogram(values, bins=30)
    assert buckets.shape == (30, 3)
    np.testing.assert_array_equal(buckets[:, 2], counts)
    atol = 1e-6 * (edges[-1] - edges[0])
    np.testing.assert_allclose(buckets[:, 0], edges[:-1], rtol=1e-5, atol=atol)
    np.testing.assert_allclose(buckets[:, 1], edges[1:], rtol=1e-5, atol=atol)


def test_tensorboard_epoch_scalars_histograms_graph(tmp_path):
    x, y = _data(n=32)
    vx, vy = _data(n=16, seed=1)
    model = _model(metrics=['mae'])
    log_dir = str(tmp_path / 'tb')
    tb = callbacks.TensorBoard(log_dir=log_dir, histogram_freq=1, write_grads=True,
                               write_images=True, batch_size=8)
    h = model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_data=(vx, vy),
                  callbacks=[tb])
    acc = _accumulator(log_dir)
    scalars = _scalars(log_dir)
    for key in ('loss', 'val_loss', 'mean_absolute_error', 'val_mean_absolute_error'):
        assert [s for s, _ in scalars[key]] == [0, 1]
        np.testing.assert_allclose([v for _, v in scalars[key]], h.history[key], rtol=1e-6)
    assert 'batch' not in scalars and 'size' not in scalars
    kernel, bias = model.get_weights()
    hist = _series(acc, 'dense_1/kernel')
    assert [step for step, _ in hist] == [0, 1]
    _check_histogram(hist[-1][1], kernel)
    assert set(_plugin_tags(acc, 'histograms')) == {
        'dense_1/kernel', 'dense_1/bias', 'dense_1/kernel_grad', 'dense_1/bias_grad',
        'dense_1_out'}
    _check_histogram(_series(acc, 'dense_1_out')[-1][1], model.predict(vx))
    # gradient of the mse on the validation data (NumPy reference)
    err = vx @ kernel + bias - vy
    _check_histogram(_series(acc, 'dense_1/kernel_grad')[-1][1], 2 * vx.T @ err / len(vx))
    # the (3, 1) kernel is drawn as a 1 x 3 grey image whose pixels follow the weights
    assert _plugin_tags(acc, 'images') == ['dense_1/bias_image', 'dense_1/kernel_image']
    images = _series(acc, 'dense_1/kernel_image')
    assert [step for step, _ in images] == [0, 1]
    image = images[-1][1]
    assert len(image) == 3 and (int(image[0]), int(image[1])) == (3, 1)   # width, height, PNG
    from PIL import Image
    pixels = np.asarray(Image.open(io.BytesIO(image[2])).convert('L'), 'float32')[0]
    assert np.argmax(pixels) == np.argmax(kernel[:, 0])
    assert np.argmin(pixels) == np.argmin(kernel[:, 0])
    graph = acc.Graph()
    assert [n.op for n in graph.node][-1] == 'Dense'
    assert [n.name for n in graph.node][-1] == model.layers[-1].name
    assert graph.node[-1].attr['output_shape'].s.decode() == str(model.layers[-1].output_shape)
    (step, config), = _series(acc, 'model_config')
    assert step == 0
    assert json.loads(config.item().decode()) == json.loads(model.to_json())


def test_tensorboard_histograms_of_diverged_weights(tmp_path):
    """Non-finite entries are left out of a histogram (an all-NaN tensor writes none)
    instead of failing the callback."""
    writer = K.summary.SummaryWriter(str(tmp_path))
    writer.histogram('w', np.array([1., np.nan, 2., np.inf, 4.]), 3)
    writer.histogram('nan', np.full(4, np.nan), 3)
    writer.close()
    acc = _accumulator(str(tmp_path))
    (step, buckets), = _series(acc, 'w')
    assert step == 3
    _check_histogram(buckets, [1., 2., 4.])
    assert _plugin_tags(acc, 'histograms') == ['w']


def test_tensorboard_without_the_tensorboard_package(tmp_path, monkeypatch):
    """Both backends' writers need the `tensorboard` package (TensorFlow's `tf.summary` ops
    live there) and say so when it is missing."""
    import sys
    monkeypatch.setitem(sys.modules, 'tensorboard', None)
    with pytest.raises(ImportError, match='pip install tensorboard'):
        K.summary.SummaryWriter(str(tmp_path))
    x, y = _data()
    with pytest.raises(ImportError, match='needs the `tensorboard` package'):
        _model().fit(x, y, epochs=1, verbose=0,
                     callbacks=[callbacks.TensorBoard(log_dir=str(tmp_path / 'tb'))])


def _raw_events(log_dir):
    """The event files of `log_dir` and every summary value in them, as (file name, step,
    `Summary.Value` proto), read as stored (TensorBoard's loader without the conversion of
    classic summaries to tensors)."""
    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
    files = sorted(glob.glob(os.path.join(log_dir, 'events.out.tfevents.*')))
    return files, [(os.path.basename(f), e.step, v) for f in files
                   for e in LegacyEventFileLoader(f).Load() for v in e.summary.value]


def _fit_for_raw_events(log_dir):
    x, y = _data(n=24)
    vx, vy = _data(n=8, seed=1)
    model = _model()
    h = model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_data=(vx, vy),
                  callbacks=[callbacks.TensorBoard(log_dir=log_dir, histogram_freq=1,
                                                   write_images=True)])
    return model, vx, h


@pytest.mark.backends('tensorflow', reason="checks the files of TensorFlow's tf.summary")
def test_tensorboard_on_tensorflow_writes_with_tf_summary(tmp_path, monkeypatch):
    """On TensorFlow the callback writes with `tf.summary`: the event file is TensorFlow 2's
    writer's (`.v2`), every summary is a tensor tagged with its plugin (scalars are float32
    tensors, not the classic simple_value), and the scalars are the History's values."""
    import tensorflow as tf
    called = []
    scalar = tf.summary.scalar
    monkeypatch.setattr(tf.summary, 'scalar', lambda *a, **k: called.append(a[0]) or
                        scalar(*a, **k))
    log_dir = str(tmp_path / 'tf')
    model, vx, h = _fit_for_raw_events(log_dir)
    assert sorted(set(called)) == ['loss', 'val_loss']
    files, values = _raw_events(log_dir)
    assert len(files) == 1 and files[0].endswith('.v2')
    assert {v.WhichOneof('value') for _, _, v in values} == {'tensor'}
    plugins = dict((v.tag, v.metadata.plugin_data.plugin_name) for _, _, v in values)
    assert plugins['loss'] == plugins['val_loss'] == 'scalars'
    assert plugins['dense_1/kernel'] == plugins['dense_1_out'] == 'histograms'
    assert plugins['dense_1/kernel_image'] == 'images'
    assert plugins['model_config'] == 'text'
    for key in ('loss', 'val_loss'):
        logged = [(step, tf.make_ndarray(v.tensor)) for _, step, v in values if v.tag == key]
        assert [step for step, _ in logged] == [0, 1]
        assert all(value.dtype == np.float32 and value.shape == () for _, value in logged)
        assert [float(value) for _, value in logged] == [float(np.float32(v))
                                                         for v in h.history[key]]
    (buckets,) = [tf.make_ndarray(v.tensor) for _, step, v in values
                  if v.tag == 'dense_1_out' and step == 1]
    _check_histogram(buckets, model.predict(vx))


@pytest.mark.backends('tensorflow', reason="TensorFlow's file systems (tf.io.gfile)")
def test_tensorboard_on_tensorflow_writes_to_tf_file_systems(tmp_path, monkeypatch):
    """On TensorFlow `log_dir` may be any file system TensorFlow reaches (here its in-memory
    `ram://`, as `gs://` would be): the events and the projector's files go there and
    nothing is written to a local folder of that name."""
    import tensorflow as tf
    monkeypatch.chdir(tmp_path)
    log_dir = 'ram://keras_tensorboard_%d' % os.getpid()
    x, y = _data(n=16)
    model = _model()
    h = model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[callbacks.TensorBoard(
        log_dir=log_dir, embeddings_freq=1, embeddings_layer_names=['dense_1'],
        embeddings_data=x[:4])])
    assert os.listdir(str(tmp_path)) == []
    (events,) = tf.io.gfile.glob(log_dir + '/events.out.tfevents.*')
    losses = [(e.step, float(tf.make_ndarray(v.tensor)))
              for e in tf.compat.v1.train.summary_iterator(events)
              for v in e.summary.value if v.tag == 'loss']
    assert losses == [(0, float(np.float32(h.history['loss'][0]))),
                      (1, float(np.float32(h.history['loss'][1])))]
    with tf.io.gfile.GFile(log_dir + '/00001/dense_1/tensors.tsv') as f:
        rows = np.loadtxt(io.StringIO(f.read()), delimiter='\t').reshape(4, -1)
    np.testing.assert_allclose(rows, model.predict(x[:4]), rtol=1e-4, atol=1e-6)
    with tf.io.gfile.GFile(log_dir + '/projector_config.pbtxt') as f:
        # (ram:// appends when a file is rewritten, so the config of each epoch is there)
        assert 'tensor_path: "00001/dense_1/tensors.tsv"' in f.read()


@pytest.mark.backends('jax', reason="checks the files of the tensorboard package's writer")
def test_tensorboard_on_jax_writes_classic_summaries(tmp_path):
    """On JAX the callback writes with the `tensorboard` package alone: classic summaries
    (simple_value scalars, histograms with their sums, PNG images)."""
    log_dir = str(tmp_path / 'jax')
    model, vx, h = _fit_for_raw_events(log_dir)
    files, values = _raw_events(log_dir)
    assert len(files) == 1 and not files[0].endswith('.v2')
    for key in ('loss', 'val_loss'):
        logged = [(step, v.simple_value) for _, step, v in values if v.tag == key]
        assert [step for step, _ in logged] == [0, 1]
        np.testing.assert_allclose([value for _, value in logged], h.history[key], rtol=1e-6)
    (out,) = [v.histo for _, step, v in values if v.tag == 'dense_1_out' and step == 1]
    ref = model.predict(vx).astype('float64')
    np.testing.assert_allclose([out.num, out.min, out.max, out.sum, out.sum_squares],
                               [ref.size, ref.min(), ref.max(), ref.sum(), (ref ** 2).sum()],
                               rtol=1e-5)
    (image,) = [v.image for _, step, v in values if v.tag == 'dense_1/kernel_image' and step == 1]
    assert (image.width, image.height, image.colorspace) == (3, 1, 1)


def test_tensorboard_update_freq(tmp_path):
    x, y = _data(n=24)
    model = _model()
    log_dir = str(tmp_path / 'b')
    batch_losses = []
    record = callbacks.LambdaCallback(on_batch_end=lambda b, l: batch_losses.append(l['loss']))
    h = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False, callbacks=[
        callbacks.TensorBoard(log_dir=log_dir, update_freq='batch', write_graph=False), record])
    loss = _scalars(log_dir)['loss']
    # per batch at 8, 16, ..., 48 samples; the epoch values at 24 and 48 samples
    steps = [s for s, _ in loss]
    assert steps == [8, 16, 24, 24, 32, 40, 48, 48]
    values = [v for _, v in loss]
    np.testing.assert_allclose(values[:3] + values[4:7], batch_losses, rtol=1e-6)
    np.testing.assert_allclose([values[3], values[7]], h.history['loss'], rtol=1e-6)

    log_dir = str(tmp_path / 'n')
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[
        callbacks.TensorBoard(log_dir=log_dir, update_freq=16, write_graph=False)])
    assert [s for s, _ in _scalars(log_dir)['loss']] == [16, 24]
    with pytest.raises(ValueError, match='update_freq'):
        callbacks.TensorBoard(log_dir=log_dir, update_freq='often')


def test_tensorboard_histograms_need_validation_and_embeddings(tmp_path):
    x, y = _data()
    model = _model()
    with pytest.raises(ValueError, match='validation_data must be provided'):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[
            callbacks.TensorBoard(log_dir=str(tmp_path / 'h'), histogram_freq=1)])
    with pytest.raises(ValueError, match='embeddings_data'):
        callbacks.TensorBoard(log_dir=str(tmp_path / 'e'), embeddings_freq=1)
    meta = tmp_path / 'meta.tsv'
    meta.write_text(''.join('label%d\n' % i for i in range(10)))
    log_dir = str(tmp_path / 'emb')
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.TensorBoard(
        log_dir=log_dir, embeddings_freq=1, embeddings_layer_names=['dense_1'],
        embeddings_data=x[:10], embeddings_metadata=str(meta))])
    tensors = glob.glob(os.path.join(log_dir, '*', 'dense_1', 'tensors.tsv'))
    assert len(tensors) == 1
    rows = np.loadtxt(tensors[0], delimiter='\t').reshape(10, -1)
    np.testing.assert_allclose(rows, model.predict(x[:10]), rtol=1e-4, atol=1e-6)
    labels = open(os.path.join(os.path.dirname(tensors[0]), 'metadata.tsv')).read().split()
    assert labels == ['label%d' % i for i in range(10)]
    # the projector's config, read as TensorBoard's projector plugin reads it
    from google.protobuf import text_format
    from tensorboard.plugins.projector import ProjectorConfig
    with open(os.path.join(log_dir, 'projector_config.pbtxt')) as f:
        config = text_format.Parse(f.read(), ProjectorConfig())
    (entry,) = config.embeddings
    assert entry.tensor_name.startswith('dense_1')
    assert os.path.samefile(os.path.join(log_dir, entry.tensor_path), tensors[0])
    assert os.path.samefile(os.path.join(log_dir, entry.metadata_path),
                            os.path.join(os.path.dirname(tensors[0]), 'metadata.tsv'))


def test_tensorboard_embeddings_metadata_named_relative_to_the_log_dir(tmp_path,
                                                                     monkeypatch):
    """Keras 2.2.4's embeddings example writes `log_dir/metadata.tsv` and passes
    `embeddings_metadata='metadata.tsv'` (TensorBoard's projector reads a relative path in
    the log directory); a file found nowhere gives a warning, not a failed epoch."""
    x, y = _data()
    model = _model()
    monkeypatch.chdir(tmp_path)
    log_dir = tmp_path / 'logs'
    log_dir.mkdir()
    (log_dir / 'metadata.tsv').write_text(''.join('digit%d\n' % i for i in range(10)))
    board = callbacks.TensorBoard(log_dir=str(log_dir), embeddings_freq=1,
                                  embeddings_layer_names=['dense_1'], embeddings_data=x[:10],
                                  embeddings_metadata='metadata.tsv')
    model.fit(x, y, epochs=1, verbose=0, callbacks=[board])
    (tensors,) = glob.glob(os.path.join(str(log_dir), '*', 'dense_1', 'tensors.tsv'))
    labels = open(os.path.join(os.path.dirname(tensors), 'metadata.tsv')).read().split()
    assert labels == ['digit%d' % i for i in range(10)]

    elsewhere = tmp_path / 'other'
    board = callbacks.TensorBoard(log_dir=str(elsewhere), embeddings_freq=1,
                                  embeddings_layer_names=['dense_1'], embeddings_data=x[:10],
                                  embeddings_metadata={'dense_1': 'missing.tsv'})
    with pytest.warns(UserWarning, match="'missing.tsv' was not found"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[board])
    (tensors,) = glob.glob(os.path.join(str(elsewhere), '*', 'dense_1', 'tensors.tsv'))
    rows = np.loadtxt(tensors, delimiter='\t').reshape(10, -1)
    np.testing.assert_allclose(rows, model.predict(x[:10]), rtol=1e-4, atol=1e-6)


def test_progress_bar_draws_only_at_dispatch_boundaries(monkeypatch, capsys):
    """Batches that ran in one compiled dispatch are reported together; the bar is drawn
    for the last of them only, so rates and ETAs use the real elapsed time."""
    from keras.utils import generic_utils
    drawn = []
    original = generic_utils.Progbar._draw

    def recording_draw(self, current, now, finished):
        drawn.append(current)
        return original(self, current, now, finished)

    monkeypatch.setattr(generic_utils.Progbar, '_draw', recording_draw)
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile(optimizers.SGD(lr=0.01), 'mse')
    model._steps_per_dispatch = 64
    batch_size, n_batches = 2, 150          # 64 + 64 scanned, then 22 single batches
    x = np.random.rand(batch_size * n_batches, 3).astype('float32')
    y = np.random.rand(batch_size * n_batches, 2).astype('float32')
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert 'Epoch 1/1' in out
    assert drawn and drawn[0] == 64 * batch_size
    boundaries = {64 * batch_size} | {b * batch_size for b in range(128, n_batches + 1)}
    assert set(drawn) <= boundaries
    assert drawn[-1] == n_batches * batch_size


def test_pipelined_dispatch_gives_the_same_training_as_per_batch_dispatch():
    """With only the built-in loggers the next dispatch is queued before the previous
    logs are reported; training and the logged averages must not change."""
    assert callbacks.CallbackList([callbacks.BaseLogger(), callbacks.History(),
                                   callbacks.ProgbarLogger()]).batch_hooks_read_logs_only()
    recorded = []
    per_batch = callbacks.LambdaCallback(on_batch_end=lambda b, logs: recorded.append(logs['loss']))
    assert not callbacks.CallbackList([per_batch]).batch_hooks_read_logs_only()

    rng = np.random.RandomState(3)
    x = rng.rand(70 * 4 + 3, 3).astype('float32')   # 2 dispatches + a partial batch
    y = rng.rand(len(x), 2).astype('float32')
    results = []
    for extra in ([], [per_batch]):
        np.random.seed(11)
        model = Sequential([Dense(2, input_shape=(3,))])
        model.compile(optimizers.SGD(lr=0.05, momentum=0.5), 'mse')
        history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0,
                            callbacks=extra)
        results.append((history.history['loss'], model.get_weights()))
    (loss_a, w_a), (loss_b, w_b) = results
    np.testing.assert_allclose(loss_a, loss_b, rtol=1e-6)
    for a, b in zip(w_a, w_b):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert len(recorded) == 2 * 71


def test_fit_without_validation_gives_callbacks_an_empty_validation_data():
    # Keras 2.2.4's fit set `validation_data = []` when there was none (keras-one-cycle's
    # LRFinder reads it); with validation data, the arrays
    import keras
    from keras.layers import Dense
    from keras.models import Sequential
    seen = []

    class Probe(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.append(self.validation_data)
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile('sgd', 'mse')
    x, y = np.ones((4, 2)), np.ones((4, 1))
    model.fit(x, y, epochs=1, verbose=0, callbacks=[Probe()])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[Probe()], validation_data=(x, y))
    assert seen[0] == []
    assert len(seen[1]) >= 2 and np.array_equal(seen[1][0], x)


def test_logs_hold_numpy_scalars_as_keras_2_2_4_gave_them():
    # keras-tqdm reads `value[()]`; Keras 2.2.4's batch logs were the session's float32
    # scalars and its epoch averages NumPy scalars
    seen = {}

    class Record(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.setdefault('batch', []).append({k: logs[k][()] for k in ('loss', 'acc')})
            seen['batch_type'] = type(logs['loss'])

        def on_epoch_end(self, epoch, logs=None):
            seen['epoch'] = {k: (type(v), v[()]) for k, v in logs.items()}

    model = Sequential([Dense(1, input_shape=(2,), activation='sigmoid')])
    model.compile('sgd', 'binary_crossentropy', metrics=['acc'])
    x, y = np.ones((8, 2)), np.ones((8, 1))
    for fit in (lambda cbs: model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=cbs,
                                      validation_data=(x, y)),
                lambda cbs: model.fit_generator(iter([(x, y)] * 4), steps_per_epoch=2,
                                                epochs=1, verbose=0, callbacks=cbs,
                                                validation_data=iter([(x, y)] * 2),
                                                validation_steps=1)):
        seen.clear()
        fit([Record()])
        assert seen['batch_type'] is np.float32 and len(seen['batch']) == 2
        assert set(seen['epoch']) == {'loss', 'acc', 'val_loss', 'val_acc'}
        assert all(t is np.float64 for t, _ in seen['epoch'].values())
        np.testing.assert_allclose(seen['epoch']['loss'][1],
                                   np.mean([b['loss'] for b in seen['batch']]), rtol=1e-6)


def test_tensorboard_writer_writes_a_summary_protos_scalars(tmp_path):
    # Keras 2.2.4's `TensorBoard.writer` was a TensorFlow `FileWriter`: callbacks log a
    # custom scalar by `writer.add_summary(Summary(value=[...]), epoch)` (keras-retinanet)
    from tensorboard.compat.proto import summary_pb2

    class LogsMap(callbacks.Callback):
        def __init__(self, tensorboard):
            super(LogsMap, self).__init__()
            self.tensorboard = tensorboard

        def on_epoch_end(self, epoch, logs=None):
            summary = summary_pb2.Summary()
            value = summary.value.add()
            value.simple_value = 0.25 * (epoch + 1)
            value.tag = 'mAP'
            self.tensorboard.writer.add_summary(summary, epoch)
            if epoch == 1:    # serialized, as FileWriter also took it
                self.tensorboard.writer.add_summary(summary.SerializeToString(), 7)

    x, y = _data(n=16)
    log_dir = str(tmp_path / 'tb')
    tb = callbacks.TensorBoard(log_dir=log_dir)
    _model().fit(x, y, epochs=2, verbose=0, callbacks=[tb, LogsMap(tb)])
    assert _scalars(log_dir)['mAP'] == [(0, 0.25), (1, 0.5), (7, 0.5)]


def test_validation_data_ends_with_the_learning_phase_for_a_model_using_it():
    # Keras 2.2.4 appended the learning phase `0.` for a model with Dropout (or any layer
    # using the phase): Kaggle callbacks score `self.model.predict(self.validation_data[:-3])`
    # against `self.validation_data[-3]`
    import keras
    from keras.layers import Dense, Dropout
    from keras.models import Sequential
    from keras.utils import Sequence
    seen = []

    class Probe(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(list(self.validation_data))
    x, y = np.random.rand(8, 2).astype('float32'), np.random.rand(8, 1).astype('float32')
    dropout = Sequential([Dense(3, input_shape=(2,)), Dropout(0.5), Dense(1)])
    plain = Sequential([Dense(1, input_shape=(2,))])

    class Batches(Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return x[i * 4:(i + 1) * 4], y[i * 4:(i + 1) * 4]
    for model in (dropout, plain):
        model.compile('sgd', 'mse')
        model.fit(x, y, epochs=1, verbose=0, callbacks=[Probe()], validation_data=(x, y))
        model.fit(x, y, epochs=1, verbose=0, callbacks=[Probe()], validation_split=0.5)
        model.fit_generator(Batches(), epochs=1, verbose=0, callbacks=[Probe()],
                            validation_data=(x, y))
    for data in seen[:3]:
        assert len(data) == 4 and data[-1] == 0.
        assert data[-3].shape[1] == 1 and dropout.predict(data[:-3]).shape == data[-3].shape
    for data in seen[3:]:
        assert len(data) == 3
    np.testing.assert_array_equal(seen[0][-3], y)
