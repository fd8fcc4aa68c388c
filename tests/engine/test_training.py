"""compile / fit / evaluate / predict / *_on_batch against NumPy references."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras.layers import Input, Dense, Dropout
from keras.models import Model, Sequential
from keras import optimizers, losses
from keras.backend.keras_tensor import KerasTensor


@pytest.fixture(autouse=True)
def _fresh():
    K.clear_session()
    np.random.seed(1234)
    yield


def _mlp():
    m = Sequential()
    m.add(Dense(units=8, activation='relu', input_dim=5))
    m.add(Dense(units=3, activation='softmax'))
    return m


def _np_forward(weights, x):
    k1, b1, k2, b2 = weights
    h = np.maximum(x @ k1 + b1, 0)
    z = h @ k2 + b2
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def _np_cce(y, p):
    p = np.clip(p / p.sum(-1, keepdims=True), 1e-7, 1 - 1e-7)
    return -(y * np.log(p)).sum(-1)


def _data(n=64):
    rng = np.random.RandomState(0)
    x = rng.randn(n, 5).astype('float32')
    y = np.eye(3, dtype='float32')[rng.randint(0, 3, n)]
    return x, y


def test_getting_started_snippet_runs_and_learns():
    x, y = _data(256)
    y = np.eye(3, dtype='float32')[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)]
    model = _mlp()
    model.compile(loss=losses.categorical_crossentropy,
                  optimizer=optimizers.SGD(lr=0.05, momentum=0.9, nesterov=True),
                  metrics=['accuracy'])
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert set(history.history) == {'loss', 'acc'}
    assert history.history['loss'][-1] < history.history['loss'][0] * 0.7
    assert history.history['accuracy'] == history.history['acc']
    loss_and_metrics = model.evaluate(x, y, batch_size=128, verbose=0)
    assert len(loss_and_metrics) == 2
    classes = model.predict(x, batch_size=128)
    assert classes.shape == (256, 3)
    np.testing.assert_allclose(classes, _np_forward(model.get_weights(), x), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(loss_and_metrics[0], _np_cce(y, classes).mean(), rtol=1e-4)
    acc = (classes.argmax(1) == y.argmax(1)).mean()
    np.testing.assert_allclose(loss_and_metrics[1], acc, rtol=1e-6)


def test_evaluate_weights_partial_batches_by_size():
    x, y = _data(70)
    model = _mlp()
    model.compile('sgd', 'categorical_crossentropy', metrics=['acc'])
    loss, acc = model.evaluate(x, y, batch_size=32, verbose=0)
    p = _np_forward(model.get_weights(), x)
    np.testing.assert_allclose(loss, _np_cce(y, p).mean(), rtol=1e-4)


def test_train_on_batch_matches_manual_sgd_step():
    x, y = _data(16)
    model = _mlp()
    model.compile(optimizers.SGD(lr=0.1), 'mse')
    w0 = model.get_weights()
    loss = model.train_on_batch(x, y)
    p = _np_forward(w0, x)
    np.testing.assert_allclose(loss, ((p - y) ** 2).mean(), rtol=1e-5)
    # finite-difference check of one bias coordinate of the update direction
    w1 = model.get_weights()
    eps = 1e-3
    wp = [w.copy() for w in w0]
    wp[3][0] += eps
    wm = [w.copy() for w in w0]
    wm[3][0] -= eps
    grad = (((_np_forward(wp, x) - y) ** 2).mean() - ((_np_forward(wm, x) - y) ** 2).mean()) / (2 * eps)
    np.testing.assert_allclose(w1[3][0], w0[3][0] - 0.1 * grad, rtol=1e-2, atol=1e-6)
    assert model.test_on_batch(x, y) < loss + 1e-3
    np.testing.assert_allclose(model.predict_on_batch(x), _np_forward(w1, x), rtol=1e-4, atol=1e-6)


def test_multi_output_logs_names_loss_weights_and_dicts():
    a = Input((4,), name='a')
    h = Dense(6, activation='relu', name='h')(a)
    o1 = Dense(1, activation='sigmoid', name='o1')(h)
    o2 = Dense(3, activation='softmax', name='o2')(h)
    model = Model(a, [o1, o2])
    model.compile('adam', loss={'o1': 'binary_crossentropy', 'o2': 'categorical_crossentropy'},
                  loss_weights={'o1': 0.5, 'o2': 2.}, metrics={'o1': ['acc'], 'o2': ['acc', 'mae']})
    assert model.metrics_names == ['loss', 'o1_loss', 'o2_loss', 'o1_acc', 'o2_acc', 'o2_mean_absolute_error']
    rng = np.random.RandomState(1)
    x = rng.rand(20, 4).astype('float32')
    y1 = (rng.rand(20, 1) > .5).astype('float32')
    y2 = np.eye(3)[rng.randint(0, 3, 20)]
    hist = model.fit({'a': x}, {'o1': y1, 'o2': y2}, epochs=2, batch_size=5, verbose=0)
    assert set(hist.history) == set(model.metrics_names)
    out = model.evaluate(x, [y1, y2], batch_size=20, verbose=0)
    np.testing.assert_allclose(out[0], 0.5 * out[1] + 2. * out[2], rtol=1e-5)


def test_validation_split_and_validation_data():
    x, y = _data(40)
    model = _mlp()
    model.compile('rmsprop', 'categorical_crossentropy', metrics=['accuracy'])
    hist = model.fit(x, y, validation_split=0.25, epochs=2, batch_size=8, verbose=0)
    assert set(hist.history) == {'loss', 'acc', 'val_loss', 'val_acc'}
    assert hist.history['val_accuracy'] == hist.history['val_acc']
    hist = model.fit(x, y, validation_data=(x[:10], y[:10], np.ones(10)), epochs=1, verbose=0)
    val_loss = model.evaluate(x[:10], y[:10], verbose=0)[0]
    assert hist.history['val_loss'][0] == pytest.approx(val_loss, rel=1e-5)


def test_sample_and_class_weights():
    x, y = _data(12)
    model = _mlp()
    model.compile('sgd', 'categorical_crossentropy')
    p = _np_forward(model.get_weights(), x)
    per = _np_cce(y, p)
    sw = np.arange(12, dtype='float32')
    loss = model.test_on_batch(x, y, sample_weight=sw)
    expected = (per * sw).mean() / (sw != 0).mean()
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    cw = {0: 1., 1: 2., 2: 3.}
    model.compile(optimizers.SGD(lr=0.), 'categorical_crossentropy')
    loss = model.train_on_batch(x, y, class_weight=cw)
    w = np.array([cw[c] for c in y.argmax(1)])
    np.testing.assert_allclose(loss, (per * w).mean(), rtol=1e-5)
    with pytest.raises(ValueError, match='class_weight'):
        model.train_on_batch(x, y, class_weight={0: 1.})


def test_dropout_active_only_in_training():
    model = Sequential([Dense(50, input_dim=10, kernel_initializer='ones'), Dropout(0.5)])
    model.compile(optimizers.SGD(lr=0.), 'mse')
    x = np.ones((4, 10), 'float32')
    np.testing.assert_allclose(model.predict(x), 10 * np.ones((4, 50)))
    y = np.zeros((4, 50), 'float32')
    train_loss = model.train_on_batch(x, y)
    test_loss = model.test_on_batch(x, y)
    assert test_loss == pytest.approx(100.)
    # half the units are zeroed and the rest doubled: E[loss] = 0.5 * 400 = 200
    assert 120 < train_loss < 280


def test_shuffle_false_is_deterministic_and_initial_epoch():
    x, y = _data(30)
    m1 = _mlp()
    w = m1.get_weights()
    m1.compile(optimizers.SGD(lr=0.1), 'mse')
    h1 = m1.fit(x, y, batch_size=7, epochs=2, shuffle=False, verbose=0)
    m2 = _mlp()
    m2.set_weights(w)
    m2.compile(optimizers.SGD(lr=0.1), 'mse')
    h2 = m2.fit(x, y, batch_size=7, epochs=3, initial_epoch=1, shuffle=False, verbose=0)
    assert len(h2.history['loss']) == 2
    assert h1.history['loss'] == pytest.approx(h2.history['loss'], rel=1e-6)
    for a, b in zip(m1.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_freezing_takes_effect_at_next_compile():
    x, y = _data(16)
    model = _mlp()
    model.compile(optimizers.SGD(lr=0.5), 'mse')
    first = model.layers[0]
    first.trainable = False
    w_before = first.get_weights()[0].copy()
    model.train_on_batch(x, y)
    assert not np.allclose(first.get_weights()[0], w_before)  # compiled before freezing
    model.compile(optimizers.SGD(lr=0.5), 'mse')
    w_before = first.get_weights()[0].copy()
    model.train_on_batch(x, y)
    np.testing.assert_array_equal(first.get_weights()[0], w_before)


def test_set_weights_between_fits_is_seen_without_recompiling():
    x, y = _data(16)
    model = _mlp()
    model.compile(optimizers.SGD(lr=0.), 'mse')
    model.fit(x, y, epochs=1, verbose=0)
    new = [np.zeros_like(w) for w in model.get_weights()]
    model.set_weights(new)
    np.testing.assert_allclose(model.predict(x), np.full((16, 3), 1 / 3.), rtol=1e-6)
    K.set_value(model.optimizer.lr, 0.5)
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.allclose(model.get_weights()[3], 0)


def test_regularization_losses_enter_the_training_loss():
    x, y = _data(8)
    model = Sequential([Dense(3, input_dim=5, kernel_regularizer=keras.regularizers.l2(0.1),
                              activity_regularizer=keras.regularizers.l1(0.01))])
    model.compile(optimizers.SGD(lr=0.), 'mse')
    k, b = model.get_weights()
    out = x @ k + b
    expected = ((out - y) ** 2).mean() + 0.1 * (k ** 2).sum() + 0.01 * np.abs(out).sum() / 1.
    # Keras 2.2 adds the activity penalty summed over the batch
    np.testing.assert_allclose(model.train_on_batch(x, y), expected, rtol=1e-4)


def test_bad_input_errors():
    x, y = _data(10)
    model = _mlp()
    model.compile('sgd', 'categorical_crossentropy')
    with pytest.raises(ValueError, match='same number of samples'):
        model.fit(x, y[:5], verbose=0)
    with pytest.raises(ValueError, match=r'expected dense_1_input to have shape \(5,\)'):
        model.fit(np.ones((10, 4)), y, verbose=0)
    with pytest.raises(ValueError, match='2 dimensions'):
        model.predict(np.ones((2, 5, 1)))
    with pytest.raises(TypeError, match='numeric'):
        model.predict(np.array([['a'] * 5] * 2))
    with pytest.raises(ValueError, match='Unknown loss'):
        model.compile('sgd', 'not_a_loss')
    with pytest.raises(ValueError, match='Unknown optimizer|not_an_opt'):
        model.compile('not_an_opt', 'mse')
    with pytest.raises(ValueError, match='not_an_act|Unknown activation'):
        Dense(2, activation='not_an_act')
    with pytest.raises(ValueError, match='Unknown initializer|not_init'):
        Dense(2, kernel_initializer='not_init')
    with pytest.raises(TypeError, match='fit.*bogus'):
        model.fit(x, y, bogus=1)
    with pytest.raises(ValueError, match='batch_size'):
        model.fit(x, y, batch_size=0)
    with pytest.raises(RuntimeError, match='compile'):
        _mlp().fit(x, y, verbose=0)
    with pytest.raises(RuntimeError, match='no layers|no inputs'):
        Sequential().predict(x)


def test_progress_bar_output(capsys):
    x, y = _data(64)
    model = _mlp()
    model.compile('sgd', 'categorical_crossentropy', metrics=['acc'])
    model.fit(x, y, epochs=2, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert 'Epoch 1/2' in out and 'Epoch 2/2' in out
    assert '64/64 [==============================]' in out and 'loss:' in out and 'acc:' in out
    model.fit(x, y, epochs=1, batch_size=16, verbose=2)
    out = capsys.readouterr().out
    assert ' - loss:' in out and '[===' not in out


def test_no_recompilation_across_epochs():
    x, y = _data(100)
    model = _mlp()
    model.compile('sgd', 'categorical_crossentropy')
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)

    def sizes():
        return {k: fn._cache_size() for k, fn in model._compiled_cache.items()
                if k[0] == 'train' and hasattr(fn, '_cache_size')}
    before = sizes()
    assert before
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    model.set_weights(model.get_weights())
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    after = sizes()
    # a scan may be compiled once the dispatch plan is decided; nothing compiled again
    assert all(after[k] == before[k] for k in before)


def test_symbolic_add_loss_without_compile_loss():
    """The Keras 2 VAE recipe: a loss built from graph tensors with K ops, `add_loss`,
    `compile(optimizer)` with no loss, `fit(x)` without targets."""
    import warnings
    from keras.layers import Lambda
    np.random.seed(0)
    inp = Input((6,))
    code = Dense(3, activation='tanh', name='code')(inp)
    noisy = Lambda(lambda t: t + 0. * K.random_normal((K.shape(t)[0], 3)))(code)
    out = Dense(6, name='out')(noisy)
    model = Model(inp, out)
    model.add_loss(K.mean(K.square(out - inp)) + 0.5 * K.mean(K.square(code)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model.compile(optimizer=optimizers.SGD(lr=0.1))
    assert any('missing from loss dictionary' in str(w.message) for w in caught)
    x = np.random.RandomState(1).rand(40, 6).astype('float32')

    def reference():
        k1, b1 = model.get_layer('code').get_weights()
        k2, b2 = model.get_layer('out').get_weights()
        h = np.tanh(x @ k1 + b1)
        y = h @ k2 + b2
        return np.mean((y - x) ** 2) + 0.5 * np.mean(h ** 2)

    np.testing.assert_allclose(model.evaluate(x, batch_size=40, verbose=0), reference(),
                               rtol=1e-5)
    np.testing.assert_allclose(model.test_on_batch(x, None), reference(), rtol=1e-5)
    before = reference()
    history = model.fit(x, epochs=3, batch_size=8, verbose=0)
    assert len(history.history['loss']) == 3
    assert reference() < before
    assert model.predict(x).shape == (40, 6)

    plain = Model(inp, out)
    with pytest.raises(ValueError, match='no loss to optimize'):
        plain.compile(optimizer='sgd')


def test_weight_constraint_is_applied_once_per_step():
    """A constraint that halves the kernel, after one SGD step with lr=0 (no change from
    the gradient), leaves exactly half of the initial kernel (applied twice: a quarter)."""
    from keras import constraints

    class Halve(constraints.Constraint):
        def __call__(self, w):
            return w * 0.5

    model = Sequential([Dense(3, input_shape=(4,), kernel_constraint=Halve(),
                              use_bias=False)])
    model.compile(optimizers.SGD(lr=0.), 'mse')
    before = model.get_weights()[0]
    x = np.ones((8, 4), 'float32')
    model.train_on_batch(x, np.zeros((8, 3), 'float32'))
    np.testing.assert_allclose(model.get_weights()[0], before * 0.5, rtol=1e-6)
    model.fit(x, np.zeros((8, 3), 'float32'), batch_size=8, epochs=1, verbose=0)
    np.testing.assert_allclose(model.get_weights()[0], before * 0.25, rtol=1e-6)


def test_data_enter_the_model_in_the_dtypes_of_its_inputs():
    # Keras 2.2.4 fed arrays through placeholders of the Input's dtype: integer data reach
    # a float model as floats (TensorFlow ops do not promote int32 * float32 by themselves)
    from keras.layers import Masking, GlobalAveragePooling1D, Lambda
    model = Sequential([Masking(mask_value=0., input_shape=(3, 4)), GlobalAveragePooling1D()])
    model.compile('sgd', 'mae')
    x = np.random.randint(1, 5, size=(2, 3, 4))
    x[0, 1:] = 0
    out = model.predict(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [x[0, 0], x[1].mean(0)], rtol=1e-6)
    assert np.isfinite(model.train_on_batch(x, np.ones((2, 4), 'int32')))
    assert np.isfinite(model.evaluate(x, np.ones((2, 4)), verbose=0))

    ints = Input(shape=(2,), dtype='int32')
    identity = Model(ints, Lambda(lambda t: t)(ints))
    assert identity.predict(np.array([[1.7, -2.2]])).dtype == np.int32
    floats = Input(shape=(2,))
    assert Model(floats, Lambda(lambda t: t)(floats)).predict(
        np.array([[1, 2]], 'int64')).dtype == np.float32


def test_boolean_one_hot_data_and_targets():
    # one-hot arrays built with dtype=bool (Keras 2's text generation examples) feed an LSTM
    # and a softmax's categorical cross-entropy as 0/1 floats
    from keras.layers import LSTM
    x = np.zeros((6, 2, 5), dtype=bool)
    y = np.zeros((6, 5), dtype=bool)
    x[np.arange(6), 0, np.arange(6) % 5] = True
    y[np.arange(6), (np.arange(6) + 1) % 5] = True
    model = Sequential([LSTM(4, input_shape=(2, 5)), Dense(5, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy', metrics=['acc'])
    loss = model.train_on_batch(x, y)[0]
    probs = model.predict(x.astype('float32'))
    np.testing.assert_allclose(model.predict(x), probs, rtol=1e-6)
    expected = -np.log(probs[y]).mean()
    assert model.evaluate(x, y, verbose=0)[0] == pytest.approx(expected, rel=1e-5)
    assert np.isfinite(loss)


def test_a_float64_model_trains_and_evaluates_with_weights(floatx64):
    # targets, sample weights and masks meet the scores in the model's own dtype (Keras 2.2.4's
    # target placeholders took the output's dtype; TensorFlow does not mix float widths)
    from keras.layers import Conv1D, Flatten, Masking, LSTM
    x, y = np.random.rand(8, 5, 2), np.random.rand(8, 1)
    conv = Sequential([Conv1D(2, 3, input_shape=(5, 2)), Flatten(), Dense(1)])
    conv.compile('adam', 'mae', metrics=['mse'])
    history = conv.fit(x, y, epochs=2, verbose=0, sample_weight=np.linspace(0, 1, 8))
    assert np.all(np.isfinite(history.history['loss']))
    assert np.all(np.isfinite(conv.evaluate(x, y, verbose=0)))
    masked = Sequential([Masking(input_shape=(5, 2)), LSTM(3, return_sequences=True)])
    masked.compile('sgd', 'mse', sample_weight_mode='temporal')
    x[0, 3:] = 0
    assert np.isfinite(masked.train_on_batch(x, np.random.rand(8, 5, 3),
                                             sample_weight=np.ones((8, 5))))


def test_a_float64_model_computes_in_float64(floatx64):
    model = Sequential([Dense(2, input_shape=(3,))])
    kernel = np.array([[1., 2.], [3., 4.], [5., 6.]]) * (1 + 1e-12)
    model.set_weights([kernel, np.array([1e-10, 0.])])
    x = np.array([[1., 0., 0.]])
    out = model.predict(x)
    assert out.dtype == np.float64
    # a float32 computation would round both the kernel's 1e-12 and the bias's 1e-10 away
    assert out[0, 0] - 1. == pytest.approx(1e-12 + 1e-10, rel=1e-3)
    # and so would float32 input data
    x = np.array([[1. + 1e-11, 0., 0.]])
    assert model.predict(x)[0, 0] - 1. == pytest.approx(1e-11 + 1e-12 + 1e-10, rel=1e-3)
    model.compile('sgd', 'mse')
    assert model.evaluate(x, np.ones((1, 2)), verbose=0) == pytest.approx(
        np.mean((x @ kernel + [1e-10, 0.] - 1.) ** 2), rel=1e-9)
    # the logs of a step are float64 too (a float32 log rounds the loss at 6e-8)
    y = np.array([[2., 3.]])
    loss = model.train_on_batch(x, y)
    assert np.asarray(loss).dtype == np.float64
    assert loss == pytest.approx(np.mean((x @ kernel + [1e-10, 0.] - y) ** 2), rel=1e-12)


def test_float64_convolutions_and_recurrences_compute_in_float64(floatx64):
    # every layer kind keeps the model's float64 (a float32 output of one layer made the
    # next one's recurrence fail on JAX, its carry float32 and its inputs float64)
    from keras.layers import BatchNormalization, Conv1D, Conv2D, Flatten, LSTM
    rng = np.random.RandomState(0)
    x = rng.rand(4, 6, 3)
    model = Sequential([Conv1D(2, 3, use_bias=False, input_shape=(6, 3)),
                        BatchNormalization(), LSTM(3), Dense(1)])
    model.compile('adam', 'mse')
    assert all(K.dtype(layer.output) == 'float64' for layer in model.layers)
    history = model.fit(x, rng.rand(4, 1), epochs=2, verbose=0).history
    assert np.float32(history['loss'][0]) != history['loss'][0]      # not a float32 value
    assert all(w.dtype == np.float64 for w in model.get_weights())
    # a convolution against NumPy in float64 (a float32 one is off by ~1e-7 relative)
    conv = Sequential([Conv1D(1, 3, use_bias=False, input_shape=(6, 3))])
    kernel = rng.rand(3, 3, 1)
    conv.set_weights([kernel])
    expected = np.stack([np.einsum('bkc,kco->bo', x[:, i:i + 3], kernel) for i in range(4)], 1)
    out = conv.predict(x)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, expected, rtol=1e-13)
    image = Sequential([Conv2D(2, 3, input_shape=(5, 5, 1)), Flatten()])
    assert image.predict(rng.rand(2, 5, 5, 1)).dtype == np.float64


def test_a_model_fed_by_an_input_tensor_counts_by_steps():
    # with no data to pass (the input is a variable), Keras 2.2.4 wants `steps`: predict
    # runs the whole input once per step and concatenates, evaluate averages the steps
    data = np.random.rand(10, 3).astype('float32')
    inp = Input(tensor=K.variable(data))
    model = Model(inp, Dense(4)(inp))
    model.compile('sgd', 'mse')
    kernel, bias = model.get_weights()
    expected = data @ kernel + bias
    with pytest.raises(ValueError, match='`steps`'):
        model.predict(None, batch_size=10)
    with pytest.raises(ValueError, match='`steps`'):
        model.predict(None)
    out = model.predict(None, steps=3)
    assert out.shape == (30, 4)
    np.testing.assert_allclose(out, np.concatenate([expected] * 3), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(None, steps=1), expected, rtol=1e-5, atol=1e-6)
    y = np.zeros((10, 4), 'float32')
    with pytest.raises(ValueError, match='`steps`'):
        model.evaluate(None, None)
    assert model.evaluate(None, y, steps=2, verbose=0) == pytest.approx(
        np.mean(expected ** 2), rel=1e-5)


@pytest.mark.backends('tensorflow', reason='only TensorFlow tells a missing gradient from a '
                      'zero one (JAX differentiates argmax as zero)')
def test_a_loss_without_gradient_raises_on_tensorflow():
    from keras.layers import Lambda
    inp = Input((3,))
    hard = Lambda(lambda t: K.reshape(K.cast(K.argmax(t), 'float32'), (-1, 1)),
                  output_shape=(1,))(Dense(5)(inp))
    model = Model(inp, hard)
    model.compile('sgd', 'mse')
    with pytest.raises(ValueError, match='None` for gradient'):
        model.fit(np.zeros((4, 3)), np.zeros((4, 1)), verbose=0)


def test_weights_outside_the_loss_do_not_stop_training():
    # a head without a loss leaves its weights without gradient: the others still train
    inp = Input((3,))
    trained, idle = Dense(2, name='trained')(inp), Dense(2, name='idle')(inp)
    model = Model(inp, [trained, idle])
    model.compile('sgd', loss=['mse', None])
    before = [w.copy() for w in model.get_weights()]
    model.train_on_batch(np.ones((4, 3)), [np.ones((4, 2))])
    after = model.get_weights()
    assert not np.allclose(after[0], before[0])
    np.testing.assert_array_equal(after[2], before[2])


def test_updates_added_to_a_model_run_with_each_training_step():
    # model.add_update(K.update(v, tensor)) outside any layer call: Keras 2.2.4's training
    # function ran it (with the batch's values, before the weights' update); test and
    # predict steps do not
    inp = Input((3,))
    out = Dense(1)(inp)
    model = Model(inp, out)
    seen, steps = K.variable(0.), K.variable(0.)
    # (the increment must be symbolic: K.update_add(steps, 1.) would run at once)
    model.add_update([K.update(seen, K.mean(out)),
                      K.update_add(steps, K.ones_like(K.mean(out)))])
    assert K.get_value(steps) == 0.
    model.compile('sgd', 'mse')
    x = np.random.rand(4, 3).astype('float32')
    expected = model.predict(x).mean()
    assert K.get_value(seen) == 0.
    model.train_on_batch(x, np.ones((4, 1)))
    assert K.get_value(seen) == pytest.approx(expected, rel=1e-5)
    assert K.get_value(steps) == 1.
    model.evaluate(x, np.ones((4, 1)), verbose=0)
    model.predict(x)
    assert K.get_value(steps) == 1.
    model.fit(x, np.ones((4, 1)), batch_size=2, epochs=2, verbose=0)
    assert K.get_value(steps) == 5.
    assert len(model.trainable_weights) == 2


class _CallUpdates(keras.layers.Layer):
    """Adds updates in `call` both ways Keras 2.2.4 allowed: a `(variable, value)` pair
    (the batch mean of its input) and a `K.update_add` result (a call counter)."""

    def build(self, input_shape):
        self.last_mean = self.add_weight('last_mean', (input_shape[-1],),
                                         initializer='zeros', trainable=False)
        self.calls = self.add_weight('calls', (), initializer='zeros', trainable=False)
        super(_CallUpdates, self).build(input_shape)

    def call(self, x):
        self.add_update([(self.last_mean, K.mean(x, axis=0)),
                         K.update_add(self.calls, 1.)], x)
        return x


def test_updates_a_layer_adds_in_its_call_run_in_training_and_in_k_function():
    inp = Input((3,))
    layer = _CallUpdates()
    model = Model(inp, Dense(1)(layer(inp)))
    model.compile('sgd', 'mse')
    x = np.arange(24, dtype='float32').reshape(8, 3)
    model.fit(x, np.zeros((8, 1)), batch_size=4, epochs=1, shuffle=False, verbose=0)
    # the pair was applied by the step, as the K.update_add was (2.2.4 ran both)
    np.testing.assert_allclose(K.get_value(layer.last_mean), x[4:].mean(0), rtol=1e-6)
    assert K.get_value(layer.calls) == 2.
    # the updates listed are the graph's (variable, tensor) pairs, no value of a step's trace
    for updates in (layer.updates, model.updates):
        assert len(updates) == 2
        assert all(isinstance(u, tuple) and isinstance(u[1], KerasTensor) for u in updates)
    model.predict(x)
    assert K.get_value(layer.calls) == 2.
    # Keras 2.2.4's manual run of a model's updates
    run = K.function([inp], [model.output], updates=model.updates)
    run([x[:2]])
    np.testing.assert_allclose(K.get_value(layer.last_mean), x[:2].mean(0), rtol=1e-6)
    assert K.get_value(layer.calls) == 3.
    assert len(layer.updates) == 2


def test_k_function_runs_updates_made_outside_steps_at_every_call():
    # Keras 2.2.4: an update made outside a step is an op run by each call of the function,
    # with a constant increment as with a symbolic one
    v, w = K.variable(0.), K.variable(0.)
    x = K.placeholder(shape=(None, 2))
    run = K.function([x], [K.sum(x)], updates=[K.update_add(v, 1.),
                                               K.update_add(w, K.ones_like(K.mean(x)))])
    assert K.get_value(v) == 0. and K.get_value(w) == 0.     # nothing ran yet
    run([np.ones((2, 2))])
    run([np.ones((2, 2))])
    assert K.get_value(v) == 2. and K.get_value(w) == 2.
    with pytest.raises(ValueError, match=r'updates must be \(variable, new_value\) pairs'):
        K.function([x], [K.sum(x)], updates=[np.zeros(2)])


def test_variables_as_data_are_data_tensors_run_by_steps():
    # Keras 2.2.4 took variables handed as x/y for data tensors: counted by steps (each step
    # the whole tensors), never by batch_size, and not split for validation
    inp = Input((3,))
    model = Model(inp, Dense(2)(inp))
    model.compile('sgd', 'mse')
    x_value = np.random.rand(6, 3).astype('float32')
    x, y = K.variable(x_value), K.variable(np.zeros((6, 2)))
    with pytest.raises(ValueError, match='should specify the `steps_per_epoch`'):
        model.fit(x, y, batch_size=2, verbose=0)
    with pytest.raises(ValueError, match='cannot use `validation_split`'):
        model.fit([x], [y], steps_per_epoch=2, validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match='`steps`'):
        model.evaluate({model.input_names[0]: x}, y, batch_size=2, verbose=0)
    with pytest.raises(ValueError, match='`steps`'):
        model.predict(x)
    history = model.fit(x, y, steps_per_epoch=2, verbose=0)
    assert len(history.history['loss']) == 1
    kernel, bias = model.get_weights()
    expected = x_value @ kernel + bias
    np.testing.assert_allclose(model.predict(x, steps=2), np.concatenate([expected] * 2),
                               rtol=1e-5, atol=1e-6)
    assert model.evaluate(x, y, steps=1, verbose=0) == pytest.approx(np.mean(expected ** 2),
                                                                     rel=1e-5)


def test_metric_tensors_appended_after_compile_are_logged():
    # Keras 2.2.4 code adds metrics of the graph by appending to `metrics_tensors` and
    # `metrics_names` after compile (Mask R-CNN's losses, for one)
    inp = Input((3,))
    hidden = Dense(4, activation='relu')(inp)
    out = Dense(2)(hidden)
    model = Model(inp, out)
    model.compile('sgd', 'mse', metrics=['mae'])
    model.metrics_names.append('hidden_mean')
    model.metrics_tensors.append(K.mean(hidden))
    model.metrics_names.append('out_sq')
    model.metrics_tensors.append(K.sum(K.square(out), axis=-1))   # averaged over the batch
    rng = np.random.RandomState(3)
    x, y = rng.rand(8, 3).astype('float32'), rng.rand(8, 2).astype('float32')
    k1, b1, k2, b2 = model.get_weights()
    h = np.maximum(x @ k1 + b1, 0)
    o = h @ k2 + b2
    expected = [np.mean((o - y) ** 2), np.mean(np.abs(o - y)), h.mean(), (o ** 2).sum(-1).mean()]
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=8, verbose=0), expected,
                               rtol=1e-5)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, validation_data=(x, y))
    assert sorted(history.history) == sorted(
        ['loss', 'mean_absolute_error', 'hidden_mean', 'out_sq', 'val_loss',
         'val_mean_absolute_error', 'val_hidden_mean', 'val_out_sq'])
    np.testing.assert_allclose(history.history['out_sq'][0], expected[3], rtol=1e-5)
    k1, b1, k2, b2 = model.get_weights()
    h = np.maximum(x @ k1 + b1, 0)
    np.testing.assert_allclose(history.history['val_hidden_mean'][0], h.mean(), rtol=1e-5)
    assert len(model.train_on_batch(x, y)) == 4
    # a tensor without its name is refused, naming both lists
    model.metrics_tensors.append(K.max(hidden))
    with pytest.raises(ValueError, match=r'metrics_tensors holds 3 tensor.*2 name'):
        model.evaluate(x, y, verbose=0)


def test_metric_tensors_appended_to_a_model_compiled_without_metrics():
    # Mask R-CNN compiles with no metrics, then appends its losses to the empty list
    inp = Input((3,))
    out = Dense(2)(inp)
    model = Model(inp, out)
    model.compile('sgd', 'mse')
    assert model.metrics_tensors == []
    model.metrics_names.append('out_mean')
    model.metrics_tensors.append(K.mean(out))
    x = np.random.RandomState(4).rand(4, 3).astype('float32')
    kernel, bias = model.get_weights()
    loss, out_mean = model.evaluate(x, np.zeros((4, 2)), verbose=0)
    np.testing.assert_allclose(out_mean, (x @ kernel + bias).mean(), rtol=1e-5)


def test_a_loss_that_needs_the_graph_runs_on_it():
    # Keras 2.2 applied a loss once to the model's symbolic output, so a loss could take
    # K.gradients of it (a WGAN-GP's gradient penalty) or read its layer; the step runs
    # such a loss's graph. Here the loss is mean(d out / d hidden ** 2): d out / d hidden
    # is the second kernel, for every sample, and the first layer gets no gradient
    inp = Input((3,))
    hidden = Dense(4)(inp)
    out = Dense(1)(hidden)
    model = Model(inp, out)

    def gradient_penalty(y_true, y_pred):
        assert y_pred._keras_history[0] is out._keras_history[0]
        return K.mean(K.square(K.gradients(y_pred, hidden)[0]), axis=-1)
    model.compile(optimizers.SGD(0.5), gradient_penalty)
    x, y = np.random.RandomState(0).rand(6, 3), np.zeros((6, 1))
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), np.mean(k2 ** 2), rtol=1e-6)
    model.train_on_batch(x, y)
    new_k1, new_b1, new_k2, new_b2 = model.get_weights()
    np.testing.assert_allclose(new_k2, k2 - 0.5 * 2 * k2 / 4, rtol=1e-6)
    np.testing.assert_allclose(new_k1, k1)
    np.testing.assert_allclose(new_b2, b2)


def test_a_loss_failing_on_values_and_on_the_graph_raises_its_own_error():
    inp = Input((3,))
    model = Model(inp, Dense(1)(inp))

    def broken(y_true, y_pred):
        raise ZeroDivisionError('the loss itself fails')
    model.compile('sgd', broken)
    with pytest.raises(ZeroDivisionError, match='the loss itself fails') as raised:
        model.train_on_batch(np.ones((2, 3)), np.ones((2, 1)))
    if hasattr(raised.value, '__notes__'):   # (Python 3.11+) the graph's attempt is told too
        assert 'applied to the output' in raised.value.__notes__[0]


def test_evaluate_and_predict_progress_advances_with_the_dispatches(capsys):
    # the bar starts before the work and advances as dispatches finish (it was drawn once,
    # after the work, so its times read 0s)
    model = _mlp()
    model.compile('sgd', 'categorical_crossentropy')
    x = np.random.rand(4000, 5).astype('float32')
    y = np.eye(3)[np.random.randint(3, size=4000)]
    from keras.utils import generic_utils
    seen = []
    original = generic_utils.Progbar.update

    def update(self, current, values=None):
        seen.append(current)
        return original(self, current, values)
    generic_utils.Progbar.update = update
    try:
        model.evaluate(x, y, batch_size=32, verbose=1)
        evaluated = list(seen)
        del seen[:]
        model.predict(x, batch_size=32, verbose=1)
    finally:
        generic_utils.Progbar.update = original
    for counts in (evaluated, seen):
        assert counts[-1] == 4000 and len(counts) >= 2 and counts == sorted(counts)
    assert '4000/4000' in capsys.readouterr().out


def test_a_loss_updating_a_variable_updates_it_at_every_batch_and_in_evaluate():
    # a loss counting its calls with `K.update_add` (Keras 2.2.4's graph ran the update
    # whenever it computed the loss: every training batch, the first included, and every
    # batch of evaluate); the first batch's update was lost, evaluate's never made
    calls = K.variable(0.)

    def counted_mse(y_true, y_pred):
        return K.mean(K.square(y_true - y_pred), axis=-1) + 0. * K.update_add(calls, 1.)

    x = Input((4,))
    model = Model(x, Dense(3)(x))
    model.compile('sgd', counted_mse)
    data, targets = np.ones((16, 4)), np.ones((16, 3))
    for epoch in range(2):
        model.fit(data, targets, batch_size=4, epochs=1, verbose=0)
        assert K.get_value(calls) == 4. * (epoch + 1)
    model.evaluate(data, targets, batch_size=4, verbose=0)
    assert K.get_value(calls) == 12.
    model.train_on_batch(data[:4], targets[:4])
    assert K.get_value(calls) == 13.



def test_a_loss_keeping_a_tensor_on_its_object_is_called_afresh_by_every_step():
    # Keras 2.2.4 called a loss once and its train and test functions shared what it left
    # on its object (a tensor cached on the first call); every compiled step calls it
    # here, and a later trace found the value of the first one (JAX: a leaked tracer)
    class ScaledMSE(object):
        def __init__(self):
            self.scale = None

        def __call__(self, y_true, y_pred):
            if self.scale is None:
                self.scale = 2. * K.ones_like(y_pred[0])
            self.last_error = K.square(y_true - y_pred)
            return K.mean(self.last_error * self.scale, axis=-1)

        def error_metric(self, y_true, y_pred):
            # a metric reporting what the loss left on the object in the same step
            return K.mean(self.last_error, axis=-1)

    loss = ScaledMSE()
    x = Input((4,))
    model = Model(x, Dense(2, kernel_initializer='zeros')(x))
    model.compile('sgd', loss, metrics=[loss.error_metric])
    data, targets = np.ones((8, 4)), np.full((8, 2), 3.)
    model.fit(data, targets, batch_size=4, epochs=1, verbose=0,
              validation_data=(data[:6], targets[:6]))
    model.fit(data, targets, batch_size=3, epochs=1, verbose=0)
    model.compile('sgd', loss, metrics=[loss.error_metric])
    model.set_weights([np.zeros((4, 2)), np.zeros(2)])
    total, metric = model.evaluate(data, targets, batch_size=5, verbose=0)
    np.testing.assert_allclose([total, metric], [18., 9.], rtol=1e-6)
    # nothing of a finished trace stays on the object
    assert loss.scale is None and not hasattr(loss, 'last_error')


def test_an_input_on_a_tensor_beside_fed_inputs_reads_the_whole_tensor_at_each_batch():
    # spektral's graph signal classification: `Input(tensor=...)` of a fixed Laplacian next
    # to the node features; Keras 2.2.4's graph read the tensor whole at every batch (it
    # was sliced by batch as if it were data, and its length checked against the data's)
    from keras.layers import Lambda, Flatten
    n = 5
    laplacian = K.variable(np.eye(n, dtype='float32') * 2.)
    features = Input((n, 3))
    fixed = Input(tensor=laplacian)
    mixed = Lambda(lambda t: K.batch_dot(
        K.tile(K.expand_dims(t[1], 0), [K.shape(t[0])[0], 1, 1]), t[0]))([features, fixed])
    model = Model([features, fixed], mixed)
    assert len(model._feed_inputs) == 1
    x = np.random.rand(8, n, 3).astype('float32')
    np.testing.assert_allclose(model.predict(x, batch_size=3), 2. * x, rtol=1e-6)
    K.set_value(laplacian, np.eye(n, dtype='float32') * 3.)
    np.testing.assert_allclose(model.predict(x, batch_size=3), 3. * x, rtol=1e-6)
    head = Model([features, fixed], Dense(2, kernel_initializer='ones')(Flatten()(mixed)))
    head.compile('sgd', 'mse')
    y = np.zeros((8, 2))
    expected = np.mean((3. * x.reshape(8, -1).sum(1)) ** 2)
    np.testing.assert_allclose(head.evaluate(x, y, batch_size=3, verbose=0), expected,
                               rtol=1e-5)
    head.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_data=(x, y))
    assert head.train_on_batch(x, y) < expected
