"""How batches are grouped into compiled dispatches (keras/engine/dispatch.py): the plan
depends on the model, but results never do."""
import numpy as np
import pytest

from keras.engine import dispatch
from keras.layers import Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D
from keras.models import Sequential
from keras import optimizers


def _conv_model():
    model = Sequential([Conv2D(4, 3, activation='relu', input_shape=(8, 8, 1)),
                        MaxPooling2D(), Dropout(0.3), Flatten(), Dense(3, activation='softmax')])
    model.compile(optimizers.Adam(lr=0.01), 'categorical_crossentropy', metrics=['acc'])
    return model


def _dense_model():
    model = Sequential([Dense(8, activation='relu', input_shape=(5,)), Dropout(0.3), Dense(3)])
    model.compile(optimizers.SGD(lr=0.05), 'mse', metrics=['mae'])
    return model


def _conv_data(n=70):
    rng = np.random.RandomState(0)
    x = rng.rand(n, 8, 8, 1).astype('float32')
    y = np.eye(3, dtype='float32')[rng.randint(0, 3, n)]
    return x, y


def _train(build, data, steps_per_dispatch, epochs=2):
    np.random.seed(1)
    model = build()
    model._steps_per_dispatch = steps_per_dispatch
    np.random.seed(2)
    history = model.fit(*data, batch_size=8, epochs=epochs, verbose=0, shuffle=True)
    return model, history.history


@pytest.mark.parametrize('build,data', [
    (_conv_model, _conv_data()),
    (_dense_model, (np.random.RandomState(3).rand(70, 5).astype('float32'),
                    np.random.RandomState(4).rand(70, 3).astype('float32'))),
])
def test_grouping_of_batches_never_changes_training(build, data):
    """Dropout keys are drawn per batch, so one batch per dispatch, four scanned, and the
    automatic plan give the same weights, logs, evaluation and predictions."""
    runs = [_train(build, data, k) for k in (1, 4, None)]
    ref_model, ref_hist = runs[0]
    for model, hist in runs[1:]:
        for a, b in zip(ref_model.get_weights(), model.get_weights()):
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)
        for key in ref_hist:
            np.testing.assert_allclose(ref_hist[key], hist[key], rtol=2e-5, atol=1e-6)
    x = data[0]
    for k in (1, 4):
        ref_model._steps_per_dispatch = k
        pred = ref_model.predict(x, batch_size=8)      # 8 full batches and one of 6
        score = ref_model.evaluate(x, data[1], batch_size=8, verbose=0)
        if k == 1:
            pred_1, score_1 = pred, score
    np.testing.assert_allclose(pred, pred_1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(score, score_1, rtol=1e-5, atol=1e-6)
    assert pred.shape == (70, 3)


def test_train_on_batch_loop_matches_fit():
    """`fit` with the automatic plan does what a loop of `train_on_batch` does."""
    x, y = _conv_data(48)
    np.random.seed(5)
    a = Sequential([Conv2D(2, 3, input_shape=(8, 8, 1)), Flatten(), Dense(3)])
    a.compile(optimizers.SGD(lr=0.1), 'mse')
    b = Sequential([Conv2D(2, 3, input_shape=(8, 8, 1)), Flatten(), Dense(3)])
    b.compile(optimizers.SGD(lr=0.1), 'mse')
    b.set_weights(a.get_weights())
    a.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for i in range(0, 48, 8):
        b.train_on_batch(x[i:i + 8], y[i:i + 8])
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)


def _set_limits(monkeypatch, saving, limits):
    """Replace the module's limits by `limits` and the estimated saving of a scan per batch
    by `saving` seconds."""
    for name, value in limits.items():
        monkeypatch.setattr(dispatch, name, value)
    monkeypatch.setattr(dispatch.Plan, 'saving_per_batch', lambda self: saving)


def _plan_after_fit(model, x, y, monkeypatch, saving=1.0, **limits):
    """The train plan after one epoch, under `_set_limits(monkeypatch, saving, limits)`."""
    _set_limits(monkeypatch, saving, limits)
    model.fit(x, y, batch_size=2, epochs=1, verbose=0)
    return model._compiled_cache[('plan', 'train', 2)].k


def test_cheap_dense_steps_are_scanned(monkeypatch):
    x = np.random.rand(60, 5).astype('float32')
    y = np.random.rand(60, 3).astype('float32')
    # any step counts as cheap and any scan as a gain: the decision rests on the ops
    k = _plan_after_fit(_dense_model(), x, y, monkeypatch, SCAN_BELOW_SECONDS=1e9,
                        SCAN_MIN_GAIN=0.)
    assert dispatch.MIN_STEPS_PER_DISPATCH <= k <= dispatch.MAX_STEPS_PER_DISPATCH


def _transposed_conv_model():
    from keras.layers import Conv2DTranspose
    model = Sequential([Conv2DTranspose(2, 3, strides=2, input_shape=(8, 8, 1)), Flatten(),
                        Dense(3)])
    model.compile(optimizers.SGD(lr=0.05), 'mse')
    return model


@pytest.mark.backends('jax', reason="XLA's CPU runs some convolutions slowly inside loops; "
                     "TensorFlow's kernels do not")
def test_convolutions_are_scanned_unless_slow_in_loops_on_cpu(monkeypatch):
    """Conv2D differentiates into convolutions that XLA's CPU backend runs on its fast
    kernel inside a loop too, and a depthwise convolution into no convolution, so their
    steps are scanned like any other; a transposed convolution on XLA keeps JAX's gradient,
    whose convolutions are not, so its steps stay one per dispatch on the CPU (on oneDNN,
    `test_transposed_convolutions_on_onednn_are_scanned`)."""
    from keras.backend import execution as X
    from keras.backend.jax import conv_ops
    from keras.layers import DepthwiseConv2D
    monkeypatch.setattr(conv_ops, '_on_onednn', lambda a: False)
    x, y = _conv_data(60)
    limits = dict(SCAN_BELOW_SECONDS=1e9, SCAN_MIN_GAIN=0.)
    k = _plan_after_fit(_conv_model(), x, y, monkeypatch, **limits)
    assert dispatch.MIN_STEPS_PER_DISPATCH <= k <= dispatch.MAX_STEPS_PER_DISPATCH
    depthwise = Sequential([DepthwiseConv2D(3, input_shape=(8, 8, 2)), Flatten(), Dense(3)])
    depthwise.compile(optimizers.SGD(lr=0.05), 'mse')
    k = _plan_after_fit(depthwise, np.concatenate([x, x], -1), y, monkeypatch, **limits)
    assert dispatch.MIN_STEPS_PER_DISPATCH <= k <= dispatch.MAX_STEPS_PER_DISPATCH
    model = _transposed_conv_model()
    k = _plan_after_fit(model, x, y, monkeypatch, **limits)
    if X.default_platform() == 'cpu':
        assert k == 1
        # its steps run outside any loop: the counted loop program was traced, not run
        assert [v for key, v in model._compiled_cache.items()
                if key[:3] == ('loop', 'train', 2)] == [False]
        assert [key for key in model._compiled_cache if key[:2] == ('train', 'gather')]


@pytest.mark.backends('jax', reason="the JAX backend's oneDNN convolutions")
def test_transposed_convolutions_on_onednn_are_scanned(monkeypatch):
    """On oneDNN a transposed convolution's step holds custom calls and no XLA
    convolution, so it is scanned like any other."""
    from keras.backend.jax import onednn
    if not onednn.available():
        pytest.skip('oneDNN is not in use here: %s' % (onednn.status()[1],))
    x, y = _conv_data(60)
    k = _plan_after_fit(_transposed_conv_model(), x, y, monkeypatch, SCAN_BELOW_SECONDS=1e9,
                        SCAN_MIN_GAIN=0.)
    assert dispatch.MIN_STEPS_PER_DISPATCH <= k <= dispatch.MAX_STEPS_PER_DISPATCH


def test_steps_too_long_for_a_dispatch_run_one_batch_per_dispatch(monkeypatch):
    x = np.random.rand(60, 5).astype('float32')
    y = np.random.rand(60, 3).astype('float32')
    assert _plan_after_fit(_dense_model(), x, y, monkeypatch, SCAN_MIN_GAIN=0.,
                           MAX_DISPATCH_SECONDS=0.) == 1


def _predict_plan(model, x, monkeypatch, saving=1.0, **limits):
    """The predict plan after one call whose outputs are over the counted loop's limit
    (LOOP_OUTPUT_BYTES set to 0), so that it weighs compiling a scan, under
    `_set_limits(monkeypatch, saving, limits)`. (The TensorFlow backend has no counted loop:
    it scans.)"""
    _set_limits(monkeypatch, saving, dict(limits, LOOP_OUTPUT_BYTES=0))
    model.predict(x, batch_size=2)
    return model._compiled_cache[('plan', 'predict', 2)].k


def test_long_steps_are_scanned_when_the_work_left_repays_the_compilation(monkeypatch):
    """A step past SCAN_BELOW_SECONDS is scanned when compiling the scan is a small share
    of the work still to run, and left undecided (nothing compiled) when it is not."""
    x = np.random.rand(60, 5).astype('float32')
    k = _predict_plan(_dense_model(), x, monkeypatch, SCAN_BELOW_SECONDS=0.,
                      SCAN_TRIAL_SHARE=1e9, SCAN_MIN_GAIN=0.)
    assert dispatch.MIN_STEPS_PER_DISPATCH <= k <= dispatch.MAX_STEPS_PER_DISPATCH
    model = _dense_model()
    k = _predict_plan(model, x, monkeypatch, SCAN_BELOW_SECONDS=0., SCAN_TRIAL_SHARE=0.)
    assert k is None
    assert not [key for key in model._compiled_cache if key[:2] == ('predict', 'scan')]


def test_scan_that_is_not_faster_is_abandoned(monkeypatch):
    x = np.random.rand(120, 5).astype('float32')
    y = np.random.rand(120, 3).astype('float32')
    # demand a 1000x gain from scanning: the first timed scan reverts the plan
    k = _plan_after_fit(_dense_model(), x, y, monkeypatch, SCAN_BELOW_SECONDS=1e9,
                        SCAN_MIN_GAIN=1000., MIN_STEPS_PER_DISPATCH=4,
                        MAX_STEPS_PER_DISPATCH=4)
    assert k == 1


def test_scan_is_not_compiled_when_the_call_is_too_short_to_repay_it(monkeypatch):
    x = np.random.rand(60, 5).astype('float32')
    model = _dense_model()
    k = _predict_plan(model, x, monkeypatch, saving=0., SCAN_BELOW_SECONDS=1e9)
    assert k is None                       # undecided: timed again in the next call
    assert not [key for key in model._compiled_cache if key[:2] == ('predict', 'scan')]


def test_progress_is_reported_from_the_first_batch(monkeypatch):
    """Whatever the plan, the first batch is reported on its own (progress shows at once)."""
    from keras.utils import generic_utils
    drawn = []
    original = generic_utils.Progbar._draw

    def recording_draw(self, current, now, finished):
        drawn.append(current)
        return original(self, current, now, finished)
    monkeypatch.setattr(generic_utils.Progbar, '_draw', recording_draw)
    x = np.random.rand(400, 5).astype('float32')
    y = np.random.rand(400, 3).astype('float32')
    _dense_model().fit(x, y, batch_size=2, epochs=1, verbose=1)
    assert drawn[0] == 2 and drawn[-1] == 400


def test_stateful_predict_carries_state_across_dispatches():
    from keras.layers import SimpleRNN
    from keras.models import Model
    inp = Input(batch_shape=(2, 3, 4))
    model = Model(inp, SimpleRNN(5, stateful=True)(inp))
    x = np.random.rand(2 * 9, 3, 4).astype('float32')
    outs = {}
    for k in (1, 4):
        model.reset_states()
        model._steps_per_dispatch = k
        outs[k] = model.predict(x, batch_size=2)
    np.testing.assert_allclose(outs[1], outs[4], rtol=1e-5, atol=1e-6)
    model.reset_states()
    by_batch = np.concatenate([model.predict_on_batch(x[i:i + 2]) for i in range(0, 18, 2)])
    np.testing.assert_allclose(outs[1], by_batch, rtol=1e-5, atol=1e-6)


def test_bucket_rows_pads_at_most_an_eighth():
    from keras.engine.training import bucket_rows
    previous = 0
    for n in list(range(1, 300)) + [1000, 1001, 1024, 1025, 4097, 60000, 10 ** 6 + 1]:
        rows = bucket_rows(n)
        assert n <= rows <= n * 1.125 and rows >= previous, (n, rows)
        previous = rows
    # nearby lengths share a bucket, powers of two stay as they are
    assert bucket_rows(1000) == bucket_rows(1001) == bucket_rows(1010) == 1024
    assert [bucket_rows(2 ** k) for k in range(12)] == [2 ** k for k in range(12)]


def test_padded_copies_and_large_arrays(monkeypatch):
    # padding copies the data on the host: over PAD_MAX_BYTES the array goes as it is
    from keras.engine import training
    a = np.arange(1001 * 4, dtype='float32').reshape(1001, 4)
    padded = training._padded_to_bucket(a)
    assert padded.shape == (1024, 4) and padded.dtype == a.dtype
    np.testing.assert_array_equal(padded[:1001], a)
    assert not padded[1001:].any()
    # 64-byte aligned, so that JAX's CPU client takes the buffer without copying it again
    assert padded.ctypes.data % 64 == 0
    monkeypatch.setattr(training, 'PAD_MAX_BYTES', a.nbytes - 1)
    assert training._padded_to_bucket(a) is a
    strings = np.array(['a'] * 1001)
    assert training._padded_to_bucket(strings) is strings


def _dense_data(n, seed=0):
    rng = np.random.RandomState(seed)
    return rng.rand(n, 5).astype('float32'), rng.rand(n, 3).astype('float32')


def test_padding_rows_never_reach_training_evaluation_or_predictions():
    # 1001 samples are placed on the device as 1024 rows; one batch of all of them must
    # train exactly as `train_on_batch` on the 1001 host rows
    x, y = _dense_data(1001)
    np.random.seed(1)
    a = _dense_model()
    np.random.seed(1)
    b = _dense_model()
    b.set_weights(a.get_weights())
    for m in (a, b):
        m.layers[1].rate = 0.      # no dropout draws: the two paths see the same network
    a.fit(x, y, batch_size=1001, epochs=1, verbose=0, shuffle=False)
    b.train_on_batch(x, y)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    pred = a.predict(x, batch_size=64)
    assert pred.shape == (1001, 3)
    np.testing.assert_allclose(pred, a.predict(x, batch_size=2048), rtol=1e-5, atol=1e-6)
    loss, mae = a.evaluate(x, y, batch_size=64, verbose=0)
    np.testing.assert_allclose(loss, np.mean((pred - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(mae, np.mean(np.abs(pred - y)), rtol=1e-5)


@pytest.mark.skipif(__import__('keras').backend.backend() != 'jax',
                    reason='counts XLA compilations (JAX backend)')
def test_nearby_data_lengths_reuse_the_compiled_steps():
    import jax
    compiles, listening = [], [True]

    def listener(name, secs, **kwargs):
        if listening[0] and name.endswith('backend_compile_duration'):
            compiles.append(name)
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        model = _dense_model()
        model._steps_per_dispatch = 1
        model.fit(*_dense_data(1000), batch_size=8, epochs=1, verbose=0)
        model.predict(_dense_data(1000)[0], batch_size=8)
        start = len(compiles)
        assert start > 0             # the listener sees compilations
        # same full batches, same (empty) remainder, a length in the same bucket: nothing new
        model.fit(*_dense_data(1008, 1), batch_size=8, epochs=1, verbose=0)
        model.predict(_dense_data(1016, 2)[0], batch_size=8)
        assert len(compiles) == start
    finally:
        listening[0] = False


@pytest.mark.parametrize('minimum', [1, dispatch.MIN_STEPS_PER_DISPATCH])
@pytest.mark.parametrize('step_time', [1e-5, 2.7e-3, 0.03, 0.075, 0.2, 0.3, 0.4, 0.6, 1.5])
def test_dispatch_lasts_about_dispatch_seconds_within_the_step_limits(step_time, minimum):
    """A dispatch holds the fewest steps that reach DISPATCH_SECONDS (a long step's fresh
    temporaries are paid once a dispatch, and logs still arrive at that interval), never
    more than MAX_STEPS_PER_DISPATCH nor, above one, more than last MAX_DISPATCH_SECONDS,
    and never fewer than `minimum` (a compiled scan's four; the counted loop's one)."""
    k = dispatch.steps_per_dispatch(step_time, minimum=minimum)
    assert minimum <= k <= dispatch.MAX_STEPS_PER_DISPATCH
    if k > minimum:                        # not raised to the minimum: no step too many
        assert (k - 1) * step_time < dispatch.DISPATCH_SECONDS
        assert k * step_time <= dispatch.MAX_DISPATCH_SECONDS
    if k < dispatch.MAX_STEPS_PER_DISPATCH and k * step_time < dispatch.DISPATCH_SECONDS:
        # short of DISPATCH_SECONDS only where one step more would pass the longest
        assert (k + 1) * step_time > dispatch.MAX_DISPATCH_SECONDS


def test_loop_rows_hold_the_call_in_a_power_of_two_up_to_the_most_per_dispatch():
    assert [dispatch.loop_rows(n) for n in (1, 2, 3, 4, 5, 30, 33)] == [1, 2, 4, 4, 8, 32, 64]
    assert dispatch.loop_rows(10 ** 6) == dispatch.MAX_STEPS_PER_DISPATCH


@pytest.mark.backends('jax', reason="the counted loop program (X.loop_steps) is the JAX "
                      "backend's")
def test_predictions_whose_loop_rows_pass_the_output_limit_are_not_looped(monkeypatch):
    """The limit on a counted loop's output rows is checked for the rows of every call: a
    call of two batches stays under it, one of many batches of the same size passes it."""
    model = _dense_model()
    x = np.random.rand(400, 5).astype('float32')
    per_batch = 2 * 3 * 4                            # a batch of 2 predictions of 3 floats
    monkeypatch.setattr(dispatch, 'LOOP_OUTPUT_BYTES', 4 * per_batch)
    short = model.predict(x[:4], batch_size=2)       # 2 batches: 2 rows
    assert model._compiled_cache[('loop', 'predict', 2, 2)] is True
    long = model.predict(x, batch_size=2)            # 200 batches: the most rows
    assert model._compiled_cache[('loop', 'predict', 2, dispatch.loop_rows(200))] is False
    np.testing.assert_allclose(long[:4], short, rtol=1e-6)
    assert long.shape == (400, 3)


@pytest.mark.backends('jax', reason="the counted loop program (X.loop_steps) is the JAX "
                      "backend's")
def test_steps_run_one_program_for_any_number_of_batches(monkeypatch):
    """Train, test and predict steps run in one compiled loop whose trip count is an argument:
    one batch per dispatch while the plan is timed, then many, with nothing compiled
    after the first dispatch; so the plan is made in the first call however short."""
    import jax
    monkeypatch.setattr(dispatch, 'SCAN_MIN_GAIN', 0.)     # keep what the plan chooses
    compiles, listening = [], [True]

    def listener(name, secs, **kwargs):
        if listening[0] and name.endswith('backend_compile_duration'):
            compiles.append(name)
    jax.monitoring.register_event_duration_secs_listener(listener)
    seen = {}

    class Count(__import__('keras').callbacks.Callback):
        _chunk_safe = True       # reads no variable: batches may be grouped into dispatches

        def on_batch_end(self, batch, logs=None):
            seen[batch] = len(compiles)
    x, y = _dense_data(400)
    model = _dense_model()
    try:
        history = model.fit(x, y, batch_size=2, epochs=1, verbose=0, callbacks=[Count()],
                            validation_data=_dense_data(40, 1))
    finally:
        listening[0] = False
    plan = model._compiled_cache[('plan', 'train', 2)]
    assert 1 < plan.k <= dispatch.MAX_STEPS_PER_DISPATCH
    assert seen[0] > 0 and seen[199] == seen[0]        # 200 batches, one compilation
    pred = model.predict(x, batch_size=2)
    steps = {key[:2] for key in model._compiled_cache
             if len(key) == 4 and key[0] in ('train', 'test', 'predict')}
    assert steps == {('train', 'loop'), ('test', 'loop'), ('predict', 'loop')}
    # a dispatch's rows past its batches are not predictions
    np.testing.assert_allclose(pred, model.predict(x, batch_size=400), rtol=1e-5, atol=1e-6)
    # the validation of the loop's logs: rows past a dispatch's batches are not averaged in
    expected = model.evaluate(*_dense_data(40, 1), batch_size=2, verbose=0)
    np.testing.assert_allclose(history.history['val_loss'][0], expected[0], rtol=1e-6)


@pytest.mark.backends('jax', reason="the counted loop program (X.loop_steps) is the JAX "
                      "backend's")
def test_the_batches_after_the_last_full_loop_dispatch_run_in_one_dispatch(monkeypatch):
    """A counted loop runs any number of batches: with 4 a dispatch, 11 full batches run as
    4, 4 and 3 (a scan, compiled for exactly 4, runs the last 3 one by one), the last,
    shorter batch on its own; predictions are those of one batch a dispatch."""
    sizes = []
    real = dispatch.dispatches

    def spy(*args, **kwargs):
        for outs, batch_sizes in real(*args, **kwargs):
            sizes.append(len(batch_sizes))
            yield outs, batch_sizes
    monkeypatch.setattr(dispatch, 'dispatches', spy)
    x, _ = _dense_data(94)                 # 11 batches of 8 and one of 6
    model = _dense_model()
    model._steps_per_dispatch = 1
    ref = model.predict(x, batch_size=8)
    assert sizes == [1] * 12
    del sizes[:]
    model._steps_per_dispatch = 4
    pred = model.predict(x, batch_size=8)
    assert sizes == [4, 4, 3, 1]
    np.testing.assert_allclose(pred, ref, rtol=1e-6, atol=1e-7)
