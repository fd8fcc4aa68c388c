"""Keras 2.2.4 graph and training semantics that Keras 2 code relies on (issue 17): which
tensors depend on the learning phase, shapes fixed by concrete arrays, TimeDistributed on
unknown sizes, target and input tensors given as variables, stateful metrics, argument
checks; each against a NumPy reference or the exact Keras 2.2.4 behaviour."""
import warnings

import numpy as np
import pytest

from keras import backend as K
from keras import layers
from keras.layers import (Input, Dense, Dropout, BatchNormalization, Embedding, SimpleRNN,
                          TimeDistributed, Masking, concatenate)
from keras.models import Model, Sequential, clone_model
from keras.optimizers import SGD
from python_process import run_python


@pytest.fixture(autouse=True)
def _fresh():
    K.clear_session()
    np.random.seed(1234)
    yield
    K.clear_session()


# ------------------------------------------------------------------ learning phase
def test_outputs_record_whether_they_depend_on_the_learning_phase():
    a = Input((4,))
    b = Input((4,))
    dense_out = Dense(3)(a)
    drop_out = Dropout(0.5)(b)
    assert dense_out._uses_learning_phase is False
    assert drop_out._uses_learning_phase is True
    # an explicit `training` argument fixes the phase
    assert Dropout(0.5)(b, training=True)._uses_learning_phase is False
    # downstream of a phase-dependent tensor
    assert concatenate([dense_out, drop_out])._uses_learning_phase is True
    assert Dense(2)(drop_out)._uses_learning_phase is True
    assert BatchNormalization()(a)._uses_learning_phase is True

    model = Model([a, b], [dense_out, drop_out])
    assert model.uses_learning_phase is True
    assert Model(a, dense_out).uses_learning_phase is False
    # a model whose outputs depend on the phase marks every output of its calls
    c, d = Input((4,)), Input((4,))
    assert [t._uses_learning_phase for t in model([c, d])] == [True, True]
    assert Model(a, dense_out)(c)._uses_learning_phase is False


def test_calls_on_concrete_tensors_mark_learning_phase_use():
    x = K.ones((2, 3, 4))
    assert Dropout(0.5)(x)._uses_learning_phase is True
    assert Dense(2)(x)._uses_learning_phase is False
    assert Dropout(0.5)(x, training=True)._uses_learning_phase is False
    lstm = layers.LSTM(3, dropout=0.5, recurrent_dropout=0.5)
    assert lstm(x)._uses_learning_phase is True
    # the default (test) phase still applies: dropout leaves the values alone
    np.testing.assert_allclose(K.eval(Dropout(0.5)(x)), np.ones((2, 3, 4)))


def test_concrete_calls_run_in_the_default_phase():
    x = K.ones((2, 4))
    np.testing.assert_allclose(K.eval(Dropout(0.9)(x)), np.ones((2, 4)))
    with K.learning_phase_scope(1):
        dropped = K.eval(Dropout(0.999, seed=1)(K.ones((4, 100))))
    assert (dropped == 0).mean() > 0.9


def test_fixed_learning_phase_applies_to_predict_and_evaluate():
    x = np.random.RandomState(0).normal(3., 2., (16, 2)).astype('float32')
    inp = Input((2,))
    model = Model(inp, BatchNormalization(epsilon=1e-5)(inp))
    model.compile('sgd', 'mse')
    # moving statistics (mean 0, variance 1): the identity, up to epsilon
    np.testing.assert_allclose(model.predict(x), x / np.sqrt(1 + 1e-5), rtol=1e-5)
    K.set_learning_phase(1)
    try:
        # the batch's own statistics, as Keras 2.2.4 does with the phase fixed to 1
        expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
        np.testing.assert_allclose(model.predict(x, batch_size=16), expected, atol=1e-4)
        loss = model.evaluate(x, expected, batch_size=16, verbose=0)
        assert loss < 1e-6
    finally:
        K.clear_session()
    np.testing.assert_allclose(model.predict(x), x / np.sqrt(1 + 1e-5), rtol=1e-5)


# ------------------------------------------------------------------ shapes
def test_rnn_initial_state_in_a_variable_fixes_the_batch_size():
    rng = np.random.RandomState(1)
    h0 = rng.normal(size=(2, 3)).astype('float32')
    inp = Input((4, 5))
    layer = SimpleRNN(3)
    out = layer(inp, initial_state=[K.variable(h0)])
    assert K.int_shape(out) == (2, 3)  # the variable's batch size, as TensorFlow inferred
    model = Model(inp, out)
    x = rng.normal(size=(2, 4, 5)).astype('float32')
    kernel, recurrent, bias = layer.get_weights()
    h = h0
    for t in range(4):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
    np.testing.assert_allclose(model.predict(x), h, rtol=1e-5, atol=1e-6)
    model.compile('sgd', 'mse')
    model.fit(x, np.zeros((2, 3)), epochs=1, batch_size=2, verbose=0)


def test_dropout_noise_shape_with_a_fixed_batch_size():
    inp = Input((2,))
    out = Dropout(0.5, noise_shape=[3, 1])(inp)
    assert K.int_shape(out) == (None, 2)
    model = Model(inp, out)
    x = np.ones((3, 2), 'float32')
    np.testing.assert_allclose(model.predict(x), x)  # no dropout at test time
    with K.learning_phase_scope(1):
        dropped = K.eval(model.layers[1](K.variable(x)))
    # one draw per row, shared along the second axis
    assert all(list(row) in ([0., 0.], [2., 2.]) for row in dropped)


def test_time_distributed_masks_with_unknown_sizes():
    model = Sequential()
    model.add(TimeDistributed(Embedding(5, 6, mask_zero=True), input_shape=(None, None)))
    model.add(TimeDistributed(SimpleRNN(7, return_sequences=True)))
    x = np.array([[[1, 2, 0, 0], [3, 0, 0, 0], [0, 0, 0, 0]],
                  [[4, 4, 4, 1], [2, 3, 0, 0], [1, 0, 0, 0]]], 'int32')
    first = model.layers[0].compute_mask(model.input)
    second = model.layers[1].compute_mask(model.layers[1].input, first)
    values = K.function([model.input], [first, second])([x])
    np.testing.assert_array_equal(values[0], x > 0)
    np.testing.assert_array_equal(values[1], x > 0)   # return_sequences keeps the mask


def test_masked_sequential_inside_time_distributed():
    inputs = Input((3, 4))
    masked = Masking(0.)(inputs)
    inner = Sequential([Dense(5, input_shape=(4,))])
    outputs = TimeDistributed(inner)(masked)
    model = Model(inputs, outputs)
    x = np.random.RandomState(2).randint(1, 5, (4, 3, 4)).astype('float32')
    x[0, 1:] = 0.
    mask = model.layers[2].compute_mask(model.layers[2].input,
                                        model.layers[1].compute_mask(model.layers[1].input))
    np.testing.assert_array_equal(K.function([model.input], [mask])([x])[0], x.any(-1))


def test_node_keeps_its_own_copy_of_the_input_list():
    x_in = Input((None, None))
    x_list = [x_in]
    x = x_in
    for _ in range(4):
        x_list.append(x)    # Keras 2 code appends to the list a layer was called on
        x = layers.concatenate(x_list, axis=1)
    model = Model(x_in, x)
    data = np.arange(3, dtype='float32').reshape(1, 3, 1)
    np.testing.assert_allclose(model.predict(data), np.tile(data, (1, 16, 1)))


def test_concatenate_refuses_a_single_input_on_every_call():
    a, b = Input((2,)), Input((2,))
    layer = layers.Concatenate()
    layer([a, b])
    with pytest.raises(ValueError, match='at least 2 inputs'):
        layer([a])


def test_model_input_computed_from_an_input_that_is_not_given():
    j = Dense(4)(Input((4,), name='upstream'))
    k = Input((4,))
    with pytest.raises(ValueError, match='Graph disconnected.*upstream'):
        Model([j, k], layers.add([j, k]))


# ------------------------------------------------------------------ compile / fit
def _two_outputs():
    inp = Input((3,))
    return Model(inp, [Dense(2, name='a')(inp), Dense(1, name='b')(inp)])


def test_compile_and_fit_argument_checks():
    model = _two_outputs()
    with pytest.raises(TypeError, match='loss_weights'):
        model.compile('sgd', 'mse', loss_weights=(0.5, 0.5))
    with pytest.raises(ValueError, match='Output "b" missing'):
        model.compile('sgd', 'mse', sample_weight_mode={'a': 'temporal'})
    model.compile('sgd', 'mse')
    x, ya, yb = np.ones((4, 3)), np.ones((4, 2)), np.ones((4, 1))
    with pytest.raises(TypeError, match='2 outputs.*list or a dict'):
        model.train_on_batch(x, [ya, yb], sample_weight=(np.ones(4), np.ones(4)))
    with pytest.warns(UserWarning, match='names no output'):
        model.train_on_batch(x, [ya, yb], sample_weight={'c': np.ones(4)})


def test_scipy_sparse_data_is_densified_a_batch_at_a_time():
    # Keras 2.2.4's loops densified each batch of SciPy sparse inputs (a TF-IDF matrix of
    # a large vocabulary, dense, may not fit in memory)
    sparse = pytest.importorskip('scipy.sparse')

    class Watched(sparse.csr_matrix):
        densified = []

        def toarray(self, *args, **kwargs):
            Watched.densified.append(self.shape[0])
            return super(Watched, self).toarray(*args, **kwargs)

    matrix = sparse.random(50, 6, density=0.3, format='csr', random_state=3)
    x, dense_x = Watched(matrix), matrix.toarray()
    y = np.random.RandomState(4).rand(50, 2)
    inp = Input((6,), sparse=True)
    model = Model(inp, Dense(2)(inp))
    model.compile('sgd', 'mse')
    weights = model.get_weights()
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                        validation_split=0.2)
    trained = model.get_weights()
    predicted = model.predict(x, batch_size=16)
    evaluated = model.evaluate(x, y, batch_size=16, verbose=0)
    assert Watched.densified and max(Watched.densified) <= 16
    model.set_weights(weights)
    dense_history = model.fit(dense_x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                              validation_split=0.2)
    for got, want in zip(trained, model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(history.history['val_loss'], dense_history.history['val_loss'],
                               rtol=1e-5)
    np.testing.assert_allclose(predicted, model.predict(dense_x, batch_size=16), rtol=1e-5)
    np.testing.assert_allclose(evaluated, model.evaluate(dense_x, y, batch_size=16, verbose=0),
                               rtol=1e-5)
    # one batch, a generator's batch, and targets are densified at once
    np.testing.assert_allclose(model.predict_on_batch(x[:4]), model.predict(dense_x[:4]),
                               rtol=1e-5)
    model.fit_generator(iter([(x[:8], sparse.csr_matrix(y[:8]))]), steps_per_epoch=1,
                        verbose=0)


def test_numpy_data_never_imports_scipy():
    # asking whether data is a SciPy sparse matrix must not import SciPy: the import took
    # ~0.12 s of the first batch of every fit on NumPy data (on the JAX backend nothing
    # else imports it; TensorFlow imports it itself)
    code = ('import sys, numpy as np\n'
            'from keras.models import Sequential\n'
            'from keras.layers import Dense\n'
            'scipy = lambda: set(n for n in sys.modules if n.split(".")[0] == "scipy")\n'
            'm = Sequential([Dense(2, input_shape=(3,))])\n'
            'm.compile("sgd", "mse")\n'
            'before = scipy()\n'
            'x, y = np.ones((8, 3)), np.ones((8, 2))\n'
            'm.fit(x, y, batch_size=4, validation_split=0.25, verbose=0)\n'
            'm.evaluate(x, y, verbose=0); m.predict(x); m.train_on_batch(x, y)\n'
            'print(sorted(scipy() - before))\n')
    out = run_python(code)
    assert out.stdout.strip().splitlines()[-1] == '[]'


def test_changing_trainable_after_compile_warns():
    a = Input((3,))
    inner = Model(a, Dense(1)(a))
    inner.trainable = False
    b = Input((3,))
    outer = Model(b, Dense(1)(inner(b)))
    outer.compile('adam', 'mse')
    inner.trainable = True
    with pytest.warns(UserWarning, match='Discrepancy'):
        outer.summary(print_fn=lambda s: None)
    with pytest.warns(UserWarning, match='Discrepancy'):
        outer.fit(np.zeros((4, 3)), np.zeros((4, 1)), verbose=0)
    outer.compile('adam', 'mse')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        outer.summary(print_fn=lambda s: None)


def test_target_tensors_given_as_variables():
    rng = np.random.RandomState(5)
    x = rng.normal(size=(10, 4)).astype('float32')
    t = rng.normal(size=(10, 4)).astype('float32')
    model = Sequential([Dense(4, input_shape=(4,), name='dense')])
    for targets in ([K.variable(t)], {'dense': K.variable(t)}, K.variable(t)):
        model.compile('sgd', 'mse', target_tensors=targets)
        loss = model.test_on_batch(x, None)
        np.testing.assert_allclose(loss, np.mean((model.predict(x) - t) ** 2), rtol=1e-5)
    with pytest.raises(ValueError):   # that output takes no data
        model.train_on_batch(x, t)
    with pytest.raises(TypeError, match='target_tensors'):
        model.compile('sgd', 'mse', target_tensors=set())
    with pytest.raises(ValueError, match='one entry per model output'):
        model.compile('sgd', 'mse', target_tensors=[K.variable(t), K.variable(t)])
    with pytest.raises(ValueError, match='Unknown entry'):
        model.compile('sgd', 'mse', target_tensors={'other': None})
    two = _two_outputs()
    with pytest.raises(ValueError, match='single tensor'):
        two.compile('sgd', 'mse', target_tensors=K.variable(t[:, :2]))
    # a placeholder target is fed the data passed
    two.compile('sgd', 'mse', target_tensors=[K.placeholder((None, 2)), None])
    two.train_on_batch(x[:, :3], [t[:, :2], t[:, :1]])


def test_model_on_variable_inputs_takes_no_data_for_them():
    rng = np.random.RandomState(6)
    a = rng.normal(size=(10, 4)).astype('float32')
    y = rng.normal(size=(10, 4)).astype('float32')
    inp = Input((4,))
    model = Model(inp, Dense(4)(inp))
    clone = clone_model(model, input_tensors=[K.variable(a)])
    clone.set_weights(model.get_weights())
    clone.compile('sgd', 'mse')
    loss = clone.test_on_batch(None, y)
    np.testing.assert_allclose(loss, np.mean((model.predict(a) - y) ** 2), rtol=1e-5)
    clone.train_on_batch(None, y)


class _TruePositives(layers.Layer):
    """A Keras 2.2 stateful metric: counts the true positives over the batches."""

    def __init__(self, name='true_positives', **kwargs):
        super(_TruePositives, self).__init__(name=name, **kwargs)
        self.stateful = True
        self.count = K.variable(value=0, dtype='int32')

    def reset_states(self):
        K.set_value(self.count, 0)

    def __call__(self, y_true, y_pred):
        y_true = K.cast(y_true, 'int32')
        y_pred = K.cast(K.round(y_pred), 'int32')
        batch = K.cast(K.sum(y_pred * y_true), 'int32')
        current = self.count * 1
        self.add_update(K.update_add(self.count, batch), inputs=[y_true, y_pred])
        return current + batch


def test_stateful_metric_accumulates_over_batches():
    rng = np.random.RandomState(7)
    x = rng.normal(size=(100, 2)).astype('float32')
    y = rng.randint(2, size=(100, 1))
    inp = Input((2,))
    model = Model(inp, Dense(1, activation='sigmoid', name='out')(inp))
    model.compile('sgd', 'binary_crossentropy', metrics=['acc', _TruePositives()])
    history = model.fit(x, y, validation_data=(x[:30], y[:30]), epochs=2, batch_size=10,
                        verbose=0)

    def reference(xs, ys):
        return np.sum((model.predict(xs) > 0.5) & (ys == 1))
    outs = model.evaluate(x, y, batch_size=10, verbose=0)
    assert outs[2] == reference(x, y)
    assert model.evaluate(x, y, batch_size=7, verbose=0)[2] == outs[2]   # reset each time
    assert history.history['val_true_positives'][-1] == reference(x[:30], y[:30])
    # the epoch's log is the count after its last batch: at most the number of positives
    assert history.history['true_positives'][-1] <= y.sum()


# ------------------------------------------------------------------ backend and saving
def test_placeholders_are_not_keras_tensors():
    assert K.is_keras_tensor(Input((2,))) is True
    assert K.is_keras_tensor(K.placeholder((2, 4))) is False
    assert K.is_keras_tensor(K.variable(np.ones(2))) is False
    with pytest.raises(ValueError):
        K.is_keras_tensor(np.ones(2))
    assert K._BACKEND == K.backend()


def test_custom_loss_class_reloads_from_a_saved_training_config(tmp_path):
    from keras import losses
    from keras.models import load_model
    from keras.utils.generic_utils import custom_object_scope

    class ScaledMSE(object):
        def __init__(self, scale):
            self.scale = scale
            self.__name__ = 'ScaledMSE'

        def __call__(self, y_true, y_pred):
            return self.scale * losses.mean_squared_error(y_true, y_pred)

        def get_config(self):
            return {'scale': self.scale}

    path = str(tmp_path / 'model.h5')
    with custom_object_scope({'ScaledMSE': ScaledMSE}):
        inp = Input((2,))
        model = Model(inp, Dense(1, name='out')(inp))
        model.compile('sgd', loss={'out': ScaledMSE(3.)})
        model.save(path)
        loaded = load_model(path)
    assert isinstance(loaded.loss_functions[0], ScaledMSE)
    assert loaded.loss_functions[0].scale == 3.
    x, y = np.ones((4, 2), 'float32'), np.zeros((4, 1), 'float32')
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0),
                               3. * np.mean(model.predict(x) ** 2), rtol=1e-5)


def test_weight_count_mismatch_message(tmp_path):
    path = str(tmp_path / 'w.h5')
    inp = Input((2,))
    Model(inp, Dense(2, name='b')(Dense(2, name='a')(inp))).save_weights(path)
    inp = Input((2,))
    with pytest.raises(ValueError, match=r'.* load .* [0-9]+ layers into .* [0-9]+ layers.'):
        Model(inp, Dense(2, name='a')(inp)).load_weights(path)


def test_layer_names_built_at_run_time_are_the_interned_literals():
    # keras-grad-cam and its copies find a layer with `l.name is 'block5_conv3'`: the
    # literal names of Keras 2.2.4's application code made that hold; names built with `%`
    # (as keras_applications builds 'block%d_conv%d') must be the same objects
    import operator
    stage, index = 5, 3
    conv = layers.Conv2D(2, 3, name='block%d_conv%d' % (stage, index))
    assert operator.is_(conv.name, 'block5_conv3')
    auto = Dense(2)
    assert operator.is_(auto.name, 'dense_1')


def test_an_input_wrapping_a_tensor_computes_as_that_tensor():
    # neural style transfer (titu1994's): `Input(tensor=K.concatenate([base, style,
    # combination_placeholder]), batch_shape=...)`, then the gradients of a loss on the
    # model's features with respect to the placeholder. Keras 2.2.4 made the tensor itself
    # the input, so the functions reaching it computed it from the placeholder
    from keras.layers import Conv2D
    base = K.variable(np.full((1, 4, 4, 2), 0.5))
    combination = K.placeholder((1, 4, 4, 2))
    image = Input(tensor=K.concatenate([base, combination], axis=0), batch_shape=(2, 4, 4, 2))
    assert not K.is_placeholder(image)
    conv = Conv2D(1, 1, use_bias=False, kernel_initializer='ones')
    features = conv(image)
    model = Model(image, features)
    assert model.layers == [image._keras_history[0], conv]
    loss = K.sum(K.square(features[1] - features[0]))
    f = K.function([combination], [loss] + K.gradients(loss, combination))
    x = np.random.rand(1, 4, 4, 2).astype('float32')
    value, gradient = f([x])
    # features are the sums over the channels; the loss is sum((s(x) - s(base)) ** 2)
    difference = x.sum(-1) - 1.
    np.testing.assert_allclose(value, (difference ** 2).sum(), rtol=1e-5)
    np.testing.assert_allclose(gradient, np.repeat(2. * difference[..., None], 2, -1),
                               rtol=1e-5)
    # the model itself starts at its input, which takes data
    np.testing.assert_allclose(model.predict(np.ones((2, 4, 4, 2))), np.full((2, 4, 4, 1), 2.))
    config_layers = model.get_config()['layers']
    assert config_layers[0]['inbound_nodes'] == []


def test_an_input_on_a_variable_has_its_value_in_functions_and_its_own_sizes():
    # keras/examples/neural_doodle.py: `Input(tensor=masks_variable, shape=(None, None,
    # None))` read by a K.function of another placeholder; the ops on the input saw the
    # variable's own sizes while `_keras_shape` was the declared one
    masks = K.variable(np.arange(48.).reshape(2, 4, 6, 1))
    mask_input = Input(tensor=masks, shape=(None, None, 1))
    assert K.int_shape(mask_input) == (None, None, None, 1)
    assert K.int_shape(mask_input[0, :, :, 0] * K.ones((4, 6))) == (4, 6)
    target = K.placeholder((2, 4, 6, 1))
    product = K.sum(Dense(1, kernel_initializer='ones', use_bias=False)(mask_input) * target)
    f = K.function([target], [product] + K.gradients(product, target))
    value, gradient = f([np.ones((2, 4, 6, 1))])
    np.testing.assert_allclose(value, np.arange(48.).sum())
    np.testing.assert_allclose(gradient, np.arange(48.).reshape(2, 4, 6, 1))
    K.set_value(masks, np.ones((2, 4, 6, 1)))
    assert f([np.ones((2, 4, 6, 1))])[0] == 48.
    # a tensor computed from it alone has a value, as in Keras 2.2.4's session; one that
    # needs a fed placeholder says so
    doubled = Dense(1, kernel_initializer='ones', use_bias=False)(mask_input)
    np.testing.assert_allclose(K.eval(doubled), np.ones((2, 4, 6, 1)))
    assert K.get_value(K.sum(doubled)) == 48.
    with pytest.raises(TypeError, match='placeholders'):
        K.eval(product)


def test_a_lambda_made_in_a_loop_computes_with_its_own_iterations_values(tmp_path):
    # ResNeXt's grouped convolutions (titu1994's se_resnext): `for c in range(card):
    # Lambda(lambda z: z[..., c * g:(c + 1) * g])`. Keras 2.2.4 ran the function when the
    # layer was called, so each group read its own slice; run again at every step, every
    # group read the last one
    from keras.models import load_model
    x = Input((4,))

    def grouped(t):
        outs = []
        for c in range(2):
            outs.append(layers.Lambda(
                lambda z: K.sum(z[:, c * 2:(c + 1) * 2], -1, keepdims=True) * (c + 1))(t))
        return layers.concatenate(outs)

    model = Model(x, grouped(x))
    data = np.arange(8.).reshape(2, 4)
    expected = np.stack([data[:, :2].sum(1), 2. * data[:, 2:].sum(1)], 1)
    np.testing.assert_allclose(model.predict(data), expected)
    model.save(str(tmp_path / 'grouped.h5'))
    np.testing.assert_allclose(load_model(str(tmp_path / 'grouped.h5')).predict(data), expected)
    # the layer called again after the loop's variable changed computes with the new value
    # there, as 2.2.4's second call built a graph of its own
    scale = 2.
    scaled = layers.Lambda(lambda z: z * scale)
    first = scaled(x)
    np.testing.assert_allclose(Model(x, first).predict(data), 2. * data)
    scale = 5.
    second = scaled(x)
    np.testing.assert_allclose(Model(x, second).predict(data), 5. * data)


def test_appending_to_a_layers_weight_lists_in_build_adds_weights():
    # kapre 0.1's Spectrogram (trainable_kernel=True) and many custom layers append their
    # variables to `self.trainable_weights` (Keras 2.2.4 gave the layer's own list)
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = K.variable(np.ones(input_shape[-1]), name='w')
            self.trainable_weights.append(self.w)
            self.c = K.variable(np.full(input_shape[-1], 2.), name='c')
            self.non_trainable_weights.append(self.c)
            super(Scale, self).build(input_shape)

        def call(self, x):
            return x * self.w * self.c

    model = Sequential([Scale(input_shape=(3,))])
    model.compile('sgd', 'mse')
    assert model.count_params() == 6
    assert len(model.trainable_weights) == 1 and len(model.non_trainable_weights) == 1
    model.fit(np.ones((4, 3)), np.zeros((4, 3)), batch_size=4, verbose=0)
    # mse = mean((2w)^2), d/dw = 8w / 3 per unit: w = 1 - 0.01 * 8 / 3
    np.testing.assert_allclose(K.get_value(model.layers[0].w), np.full(3, 1. - 0.08 / 3),
                               rtol=1e-6)
    np.testing.assert_allclose(K.get_value(model.layers[0].c), np.full(3, 2.))


def test_a_call_reading_its_layers_updates_ends():
    # `self.updates.append(K.update_add(...))` in a custom layer's call read the updates
    # while they were being made from that call, without end
    class Count(layers.Layer):
        def build(self, input_shape):
            self.n = self.add_weight('n', (), initializer='zeros', trainable=False)
            super(Count, self).build(input_shape)

        def call(self, x):
            self.updates.append(K.update_add(self.n, 1.))
            return x

    model = Sequential([Count(input_shape=(3,))])
    model.compile('sgd', 'mse')
    model.fit(np.ones((8, 3)), np.ones((8, 3)), batch_size=4, epochs=1, verbose=0)
    # (the update made in the call is the step's, once a batch: Keras 2.2.4 dropped an
    # update appended so, here it is kept)
    assert K.get_value(model.layers[0].n) == 2.


def test_a_functional_models_layers_are_its_own_list():
    # deepcpg's fine-tuning: `while model.layers[-1].name != name: model.layers.pop()`, then
    # a new head on `model.layers[-1].output` (a copy made the loop endless)
    x = Input((3,))
    hidden = Dense(4, name='hidden')(x)
    model = Model(x, Dense(2, name='head')(Dense(3, name='extra')(hidden)))
    assert model.layers is model.layers
    while model.layers[-1].name != 'hidden':
        model.layers.pop()
    assert model.layers[0] is x._keras_history[0] and len(model.layers) == 2
    tuned = Model(model.input, Dense(5, name='new_head')(model.layers[-1].output))
    assert [layer.name for layer in tuned.layers][1:] == ['hidden', 'new_head']
    assert tuned.predict(np.ones((2, 3))).shape == (2, 5)



def test_object_arrays_of_numbers_are_fed_as_numbers():
    # `pd.get_dummies(df).values` of int and bool columns has dtype object (Wide-and-Deep):
    # Keras 2.2.4's session converted it to the placeholder's dtype
    data = np.array([[30, True, False], [40, False, True], [50, True, False],
                     [60, False, True]], dtype=object)
    targets = np.eye(2)[[0, 1, 0, 1]]
    numbers = data.astype('float32')
    model = Sequential([Dense(2, activation='softmax', input_shape=(3,))])
    model.compile('sgd', 'categorical_crossentropy')
    np.testing.assert_allclose(model.predict(data), model.predict(numbers), rtol=1e-6)
    assert model.test_on_batch(data, targets.astype(object)) == \
        model.test_on_batch(numbers, targets)
    model.fit(data, targets.astype(object), epochs=1, verbose=0)
    with pytest.raises(TypeError, match="input: expected numeric data.*'a'"):
        model.predict(np.array([['a', 1, 2]], dtype=object))


@pytest.mark.parametrize('class_weight, says', [
    (np.array([1., 5.]), 'dict(enumerate(weights))'), ('auto', "'auto' is not a dict")])
def test_class_weights_not_in_a_dict_are_ignored_with_a_warning_as_in_keras_224(class_weight,
                                                                              says):
    # scikit-learn's compute_class_weight gives an array (LSTM-FCN passes it to fit), old
    # blogs pass Keras 1's 'auto': Keras 2.2.4 used class weights only when they were a
    # dict and trained unweighted
    data = np.random.RandomState(0).rand(8, 3)
    targets = np.eye(2)[np.arange(8) % 2]
    trained = []
    for class_weight in (None, class_weight):
        model = Sequential([Dense(2, activation='softmax', input_shape=(3,),
                                  kernel_initializer='ones')])
        model.compile('sgd', 'categorical_crossentropy')
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            model.fit(data, targets, class_weight=class_weight, epochs=2, shuffle=False,
                      verbose=0)
        assert any(says in str(w.message) for w in caught) == (class_weight is not None)
        trained.append(model.get_weights()[0])
    np.testing.assert_array_equal(trained[0], trained[1])


def test_sample_weights_and_class_weights_together_warn_that_class_weights_are_ignored():
    model = Sequential([Dense(2, activation='softmax', input_shape=(3,))])
    model.compile('sgd', 'categorical_crossentropy')
    data, targets = np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]]
    with pytest.warns(UserWarning, match='`class_weight` argument will be ignored'):
        model.train_on_batch(data, targets, sample_weight=np.ones(4), class_weight={0: 1, 1: 2})


def test_yaml_architectures_of_keras_224_and_objects_in_lambda_closures():
    # Keras 2.2.4's to_yaml was yaml.dump of the config: tuples tagged !!python/tuple (the
    # safe loader had no constructor for them), any object as a Python object (LSTNet_keras
    # saves models whose Lambdas close over their builder so, because to_json fails)
    from keras.models import model_from_yaml, K as models_K, has_arg
    assert models_K is K and has_arg(lambda a: a, 'a')
    written_by_224 = '\n'.join([
        'backend: tensorflow', 'class_name: Sequential', 'config:', '  layers:',
        '  - class_name: Conv1D', '    config:', '      activation: relu',
        '      batch_input_shape: !!python/tuple [null, 20, 3]',
        '      dilation_rate: !!python/tuple [1]', '      dtype: float32', '      filters: 4',
        '      kernel_size: !!python/tuple [3]', '      name: conv1d_1',
        '      padding: valid', '      strides: !!python/tuple [1]', '      trainable: true',
        '      use_bias: true', '  name: sequential_1', 'keras_version: 2.2.4', ''])
    model = model_from_yaml(written_by_224)
    assert model.output_shape == (None, 18, 4) and model.layers[0].kernel_size == (3,)

    class Builder(object):
        size = 4

        def build(self):
            x = Input((8,))
            return Model(x, layers.Lambda(lambda t: K.reshape(t, (-1, self.size)))(x))
    built = Builder().build()
    with pytest.raises(TypeError, match='Not JSON Serializable'):
        built.to_json()
    assert '!!python/object' in built.to_yaml()
    # a model with nothing but JSON in its config still reads back
    plain = Sequential([Dense(2, input_shape=(3,))])
    assert model_from_yaml(plain.to_yaml()).output_shape == (None, 2)


def test_callbacks_see_validation_targets_in_their_own_dtype():
    # dragonn's MetricsCallback asserts its labels are bool: Keras 2.2.4 fed the targets to
    # its placeholders converted and left `validation_data` as given
    from keras.callbacks import Callback

    class Peek(Callback):
        dtypes = []

        def on_epoch_end(self, epoch, logs=None):
            self.dtypes.append([a.dtype.kind for a in self.validation_data])
    x = Input((3,))
    model = Model(x, Dense(1, activation='sigmoid')(x))
    model.compile('sgd', 'binary_crossentropy')
    data = np.random.RandomState(0).rand(10, 3)
    labels = np.arange(10)[:, None] % 2 == 0
    model.fit(data, labels, validation_data=(data, labels), epochs=1, verbose=0,
              callbacks=[Peek()])
    model.fit(data, labels, validation_split=0.3, epochs=1, verbose=0, callbacks=[Peek()])
    assert Peek.dtypes == [['f', 'b', 'f'], ['f', 'b', 'f']]
    # the steps compute with the labels as numbers
    assert model.evaluate(data, labels, verbose=0) == \
        model.evaluate(data, labels.astype('float32'), verbose=0)
    assert model.test_on_batch(data, labels) == \
        model.test_on_batch(data, labels.astype('float32'))



def test_keras_224_model_attributes_for_code_building_its_own_train_function():
    # bojone/keras_lookahead copies 2.2.4's `_make_train_function`: inputs + the learning
    # phase when `_uses_dynamic_learning_phase()`, the weights `compile` collected, and
    # K.function(..., **model._function_kwargs)
    x = Input((3,))
    model = Model(x, Dropout(0.5)(Dense(8, kernel_initializer='ones')(x)))
    model.compile('sgd', 'mse')
    assert model._function_kwargs == {}
    assert model._collected_trainable_weights == model.trainable_weights
    assert model._uses_dynamic_learning_phase()
    inputs = model._feed_inputs + [K.learning_phase()]
    f = K.function(inputs, [model.output], **model._function_kwargs)
    data = np.ones((2, 3))
    assert set(np.unique(f([data, 1])[0])) == {0., 6.}     # training: dropout applied
    np.testing.assert_array_equal(f([data, 0])[0], np.full((2, 8), 3.))
    K.set_learning_phase(0)
    try:
        assert not model._uses_dynamic_learning_phase()
    finally:
        K.state._clear_learning_phase()


def test_random_integers_and_int_shape_inside_a_call():
    # bojone's vMF sampling: K.random_uniform(..., dtype='int32') in a Lambda; his flow
    # layers keep `[i or -1 for i in K.int_shape(x)]` from their call (None for the batch)
    seen = []

    def sample(t):
        seen.append(K.int_shape(t))
        return K.random_uniform(K.shape(t[:, :1]), 0, 10, dtype='int32')
    x = Input((4,))
    model = Model(x, layers.Lambda(sample)(x))
    assert seen[0] == (None, 4)
    values = model.predict(np.zeros((50, 4)))
    assert values.dtype.kind == 'i' and values.min() >= 0 and values.max() < 10
    assert len(np.unique(values)) > 1


# ------------------------------------------------------------------ updates run when run
def test_an_update_of_variables_made_outside_a_step_runs_each_time_it_is_run():
    # keras-lookahead: `K.update(slow, slow + alpha * (fast - slow))` built once, run with
    # K.batch_get_value every k batches; each run reads the variables' values then
    slow, fast = K.variable(1.), K.variable(3.)
    op = K.update(slow, slow + 0.5 * (fast - slow))
    assert K.get_value(slow) == 1.          # nothing ran yet
    K.batch_get_value([op])
    assert K.get_value(slow) == 2.
    K.set_value(fast, 4.)
    assert K.eval(op) == 3.                 # (2 + 0.5 * (4 - 2)), returned and assigned
    assert K.get_value(slow) == 3.
    counter = K.variable(0.)
    increment = K.update_add(counter, 1.)
    K.batch_get_value([increment, increment])
    assert K.get_value(counter) == 2.
    # a constant new value is assigned at once too (a callback's K.update(v, 0.))
    K.update(counter, 5.)
    assert K.get_value(counter) == 5.
    with pytest.raises(ValueError, match='shape'):
        K.update(K.variable(np.zeros(3)), slow * 2.)
    # a variable made from a variable's shape is a variable (bojone's weight averages)
    zeros = K.zeros(K.shape(K.variable(np.ones((2, 3)))))
    K.set_value(zeros, np.ones((2, 3)))
    np.testing.assert_array_equal(K.get_value(zeros), np.ones((2, 3)))


def _ema_reference(values, momentum):
    """Zero-debiased moving averages of `values` (TensorFlow's zero_debias=True)."""
    biased, out = 0., []
    for t, v in enumerate(values, 1):
        biased = momentum * biased + (1. - momentum) * v
        out.append(biased / (1. - momentum ** t))
    return out


def test_moving_average_update_is_zero_debiased_in_layers_and_functions():
    class Averaged(layers.Layer):
        # a normalization layer of Keras 2 code (SwitchNormalization's moving statistics)
        def build(self, input_shape):
            self.average = self.add_weight(name='average', shape=(input_shape[-1],),
                                           initializer='ones', trainable=False)
            super(Averaged, self).build(input_shape)

        def call(self, x, training=None):
            def train():
                self.add_update([K.moving_average_update(self.average, K.mean(x, axis=0),
                                                         0.9)], x)
                return x
            return K.in_train_phase(train, lambda: x + 0. * self.average, training=training)

    inp = Input((3,))
    averaged = Averaged()
    batches = [np.tile([[1., 2., 3.]], (4, 1)), np.tile([[3., 1., 2.]], (4, 1)),
               np.tile([[0., 4., 1.]], (4, 1))]
    # called on arrays, the layer computes at once, its update too (and keeps none of it)
    averaged(batches[0], training=True)
    np.testing.assert_allclose(K.get_value(averaged.average), [1., 2., 3.], rtol=1e-5)
    model = Model(inp, Dense(1)(averaged(inp)))
    model.compile('sgd', 'mse')
    for x in batches[1:]:
        model.train_on_batch(x, np.zeros((4, 1)))
    expected = _ema_reference([b[0] for b in batches], 0.9)[-1]
    np.testing.assert_allclose(K.get_value(averaged.average), expected, rtol=1e-5)

    # in K.function(..., updates=...), every call updates the average from its value then
    average = K.variable(np.zeros(3))
    x = K.placeholder(shape=(3,))
    run = K.function([x], [], updates=[K.moving_average_update(average, x, 0.9)])
    for b in batches:
        run([b[0]])
    np.testing.assert_allclose(K.get_value(average), expected, rtol=1e-5)


def test_metrics_updates_and_added_updates_of_variables_run_with_every_step():
    # bojone's ExponentialMovingAverage: averages of the weights made before training,
    # appended to `model.metrics_updates`, run by every train step
    inp = Input((3,))
    model = Model(inp, Dense(1, kernel_initializer='ones', use_bias=False)(inp))
    model.compile('sgd', 'mse')
    kernel = model.weights[0]
    average = K.zeros(K.int_shape(kernel))
    model.metrics_updates.append(K.moving_average_update(average, kernel, 0.5))
    steps = K.variable(0.)
    model.add_update(K.update_add(steps, 1.))
    np.testing.assert_array_equal(K.get_value(average), np.zeros((3, 1)))
    seen = []
    for _ in range(3):
        seen.append(K.get_value(kernel)[0, 0])    # the step averages the weights it began with
        model.train_on_batch(np.ones((4, 3)), np.zeros((4, 1)))
    np.testing.assert_allclose(K.get_value(average), np.full((3, 1), _ema_reference(seen, 0.5)[-1]),
                               rtol=1e-5)
    assert K.get_value(steps) == 3.


def test_a_train_test_or_predict_function_the_code_assigns_is_what_fit_and_friends_run():
    # keras-lookahead replaces `model.train_function` with a wrapper of its own
    inp = Input((3,))
    model = Model(inp, Dense(1)(inp))
    model.compile('sgd', 'mse')
    model._make_train_function()
    model._make_test_function()
    model._make_predict_function()
    own = model.train_function, model.test_function, model.predict_function
    calls = []

    def wrapping(kind, fn):
        def run(ins):
            calls.append((kind, [np.shape(a) for a in ins]))
            return fn(ins)
        return run
    model.train_function = wrapping('train', own[0])
    model.test_function = wrapping('test', own[1])
    model.predict_function = wrapping('predict', own[2])
    model._make_train_function()        # (as in Keras 2.2.4, an assigned function is kept)
    x, y = np.random.rand(8, 3).astype('float32'), np.random.rand(8, 1).astype('float32')
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_data=(x, y))
    model.train_on_batch(x[:4], y[:4])
    loss = model.evaluate(x, y, batch_size=8, verbose=0)
    predicted = model.predict(x, batch_size=4)
    kinds = [kind for kind, _ in calls]
    assert kinds == ['train', 'train', 'test', 'test', 'train', 'test', 'predict', 'predict']
    # inputs, targets, then the sample weights (ones where none were given)
    assert calls[0][1] == [(4, 3), (4, 1), (4,)]
    assert calls[-1][1] == [(4, 3)]
    np.testing.assert_allclose(predicted, own[2]([x])[0], rtol=1e-6)
    np.testing.assert_allclose(loss, np.mean((predicted - y) ** 2), rtol=1e-5)
    assert len(history.history['val_loss']) == 1


def test_paddings_and_filled_shapes_given_as_tensors_of_the_graph():
    # bojone's SparseSelfAttention pads to a multiple of its rate; relative attention
    # encodings fill zeros of a shape stacked from the input's
    inp = Input((None, 4))
    padded = layers.Lambda(lambda t: K.temporal_padding(t, (0, 3 - K.shape(t)[1] % 3)))(inp)
    filled = layers.Lambda(lambda t: K.concatenate(
        [t, K.zeros(K.stack([K.shape(t)[0], K.shape(t)[1], 1]))], axis=-1))(inp)
    ones = layers.Lambda(lambda t: t + K.ones(K.shape(t)))(inp)
    model = Model(inp, [padded, filled, ones])
    x = np.random.rand(2, 4, 4).astype('float32')
    got_padded, got_filled, got_ones = model.predict(x)
    np.testing.assert_array_equal(got_padded, np.pad(x, [(0, 0), (0, 2), (0, 0)]))
    np.testing.assert_array_equal(got_filled, np.concatenate([x, np.zeros((2, 4, 1))], -1))
    np.testing.assert_allclose(got_ones, x + 1., rtol=1e-6)


def test_a_value_a_call_sets_on_its_layer_is_a_tensor_of_the_graph():
    # bojone's Glow adds each flow layer's `self.logdet` as a loss; attention layers keep
    # their weights as `self.a` for inspection (Keras 2.2.4: tensors of the graph)
    class Scaled(layers.Layer):
        def build(self, input_shape):
            self.log_scale = self.add_weight(name='log_scale', shape=(input_shape[-1],),
                                             initializer='zeros')
            super(Scaled, self).build(input_shape)

        def call(self, x):
            self.logdet = -K.sum(self.log_scale) + 0. * K.mean(x)
            self.parts = [K.softmax(x), K.sum(x, axis=-1, keepdims=True)]
            return K.exp(self.log_scale) * x

    inp = Input((4,))
    scaled = Scaled()
    out = scaled(inp)
    model = Model(inp, out)
    assert K.int_shape(scaled.logdet) == ()
    model.add_loss(scaled.logdet)
    model.compile('sgd', lambda y_true, y_pred: 0.5 * K.sum(K.square(y_pred), axis=-1))
    x = np.random.rand(8, 4).astype('float32')
    log_scale = np.full(4, 0.3, 'float32')
    K.set_value(scaled.log_scale, log_scale)
    expected = np.mean(0.5 * np.sum((np.exp(log_scale) * x) ** 2, -1)) - log_scale.sum()
    np.testing.assert_allclose(model.evaluate(x, x, batch_size=8, verbose=0), expected, rtol=1e-5)
    model.fit(x, x, batch_size=8, epochs=1, verbose=0)   # (trains with it)
    softmax, sums = K.function([inp], scaled.parts)([x])
    e = np.exp(x)
    np.testing.assert_allclose(softmax, e / e.sum(-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(sums, x.sum(-1, keepdims=True), rtol=1e-5)
    assert len(model.layers) == 2     # (the kept values are no layers of the model)


def test_a_layer_called_several_times_carries_what_its_calls_set_from_call_to_call():
    # kpot/keras-transformer's Universal Transformer: its adaptive-computation-time layer,
    # called once per depth step, makes its running totals in the first call, updates them
    # in each later one, and adds the ponder cost kept after the last call as a loss
    class Accumulate(layers.Layer):
        total = None

        def build(self, input_shape):
            self.w = self.add_weight(name='w', shape=(input_shape[-1],), initializer='ones')
            super(Accumulate, self).build(input_shape)

        def call(self, x):
            if self.total is None:
                self.total = K.zeros_like(x)
            self.total = self.total + x * self.w
            return 2. * x

    inp = Input((3,))
    acc = Accumulate()
    h, totals = inp, []
    for _ in range(3):
        h = acc(h)
        totals.append(acc.total)
    acc.add_loss(K.mean(acc.total))
    model = Model(inp, h)
    assert len(model.layers) == 2
    x = np.random.rand(4, 3).astype('float32')
    w = np.array([0.5, -1., 2.], 'float32')
    K.set_value(acc.w, w)
    np.testing.assert_allclose(model.predict(x), 8. * x, rtol=1e-6)
    got = K.function([inp], totals)([x])
    for got_total, steps in zip(got, (1., 3., 7.)):   # x, then 2x, then 4x added
        np.testing.assert_allclose(got_total, steps * x * w, rtol=1e-5)
    # the loss reaches the weight through the whole chain
    model.compile(SGD(lr=0.1), loss=None)
    np.testing.assert_allclose(model.train_on_batch(x, None), np.mean(7. * x * w), rtol=1e-5)
    np.testing.assert_allclose(K.get_value(acc.w), w - 0.1 * 7. * x.mean(0) / 3., rtol=1e-5)
    # a later call of the layer may also be the first to set an attribute
    class Marks(layers.Layer):
        def call(self, x):
            if getattr(self, 'first', None) is not None:
                self.second = self.first + x
            else:
                self.first = x + 1.
            return x

    marks = Marks()
    y = marks(marks(inp))
    got_first, got_second = K.function([inp], [marks.first, marks.second])([x])
    np.testing.assert_allclose(got_first, x + 1., rtol=1e-6)
    np.testing.assert_allclose(got_second, 2. * x + 1., rtol=1e-6)
    np.testing.assert_allclose(Model(inp, y).predict(x), x, rtol=1e-6)


def test_random_ops_in_a_loop_draw_at_every_iteration():
    # TensorFlow's while loops ran their random ops at every iteration: a recurrent cell
    # adding noise at each step, Monte Carlo samples drawn in K.map_fn
    rows = K.eval(K.map_fn(lambda i: K.random_normal((3,)), K.variable(np.ones(4))))
    assert len(set(np.round(rows[:, 0], 6))) == 4

    class NoisyCell(layers.Layer):
        state_size = 2

        def call(self, x, states):
            return x + K.random_normal(K.shape(x)), [states[0]]

    for unroll in (False, True):
        inp = Input((5, 2))
        model = Model(inp, layers.RNN(NoisyCell(), return_sequences=True, unroll=unroll)(inp))
        out = model.predict(np.zeros((2, 5, 2)))
        assert len(set(np.round(out[0, :, 0], 6))) == 5
        # in a train step too (the noise reaches the loss: its gradient is zero here)
        model.compile('sgd', 'mse')
        model.train_on_batch(np.zeros((2, 5, 2)), np.zeros((2, 5, 2)))
    # a mask a cell draws on its first call and keeps (Keras 2.2.4's cells) is drawn once
    # for the sequence: the step ran once before TensorFlow's loop
    class MaskingCell(layers.Layer):
        state_size = 3

        def call(self, x, states):
            if getattr(self, '_dropout_mask', None) is None:
                self._dropout_mask = K.dropout(K.ones_like(x), 0.5)
            return x * self._dropout_mask, [states[0]]

    inp = Input((6, 3))
    model = Model(inp, layers.RNN(MaskingCell(), return_sequences=True)(inp))
    out = model.predict(np.ones((4, 6, 3)))
    np.testing.assert_array_equal(out, np.repeat(out[:, :1], 6, axis=1))
    assert 0 < (out == 0).sum() < out.size
    # each step of a fold puts its draw at its own position
    draws = K.eval(K.foldl(lambda acc, row: acc + row * K.random_uniform(()),
                           K.variable(np.eye(6)), initializer=K.constant(np.zeros(6))))
    assert len(set(np.round(draws, 6))) == 6 and (draws > 0).all()


def test_a_batch_broadcast_against_a_known_size_it_equals_when_run():
    # keras-gat feeds a whole graph as one batch: (batch, batch) attention logits masked
    # by a (batch, N) adjacency, which TensorFlow's static shapes broadcast to (?, N)
    n, f = 7, 5
    x, adjacency = Input((f,)), Input((n,))
    attention = layers.Lambda(lambda t: K.softmax(
        K.dot(t[0], K.transpose(t[0])) - 1e9 * (1. - t[1])))([x, adjacency])
    model = Model([x, adjacency], attention)
    features = np.random.rand(n, f).astype('float32')
    mask = (np.random.rand(n, n) > 0.5).astype('float32')
    np.fill_diagonal(mask, 1.)
    logits = features @ features.T - 1e9 * (1. - mask)
    expected = np.exp(logits - logits.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(model.predict([features, mask], batch_size=n), expected,
                               rtol=1e-5, atol=1e-7)


def test_tensorflow_shapes_of_the_tensors_a_call_computes_on():
    # ShuffleNet's channel shuffle reads `x.shape.as_list()` in a Lambda, as TensorFlow's
    # tensors had it; `x.shape.ndims` and `x.shape[-1].value` likewise
    def shuffle(x, groups=2):
        _, h, w, c = x.shape.as_list()
        assert x.shape.ndims == 4 and c == 4
        assert x.shape[-1].value == 4
        x = K.reshape(x, [-1, h, w, groups, c // groups])
        return K.reshape(K.permute_dimensions(x, (0, 1, 2, 4, 3)), [-1, h, w, c])
    inp = Input((2, 2, 4))
    model = Model(inp, layers.Lambda(shuffle)(inp))
    x = np.arange(32.).reshape(2, 2, 2, 4).astype('float32')
    expected = x.reshape(2, 2, 2, 2, 2).transpose(0, 1, 2, 4, 3).reshape(2, 2, 2, 4)
    np.testing.assert_array_equal(model.predict(x), expected)
    model.compile('sgd', 'mse')
    model.fit(x, expected, verbose=0)


def test_a_layer_class_made_by_exec_without_a_module_name():
    # notebook runners exec code into globals without `__name__`: the methods' module is None
    namespace = {}
    exec('from keras import layers\n'
         'class Doubled(layers.Layer):\n'
         '    def call(self, x):\n'
         '        return 2 * x\n'
         '    def compute_output_shape(self, input_shape):\n'
         '        return input_shape\n', namespace)
    assert namespace['Doubled'].compute_output_shape.__module__ is None
    inp = Input((3,))
    model = Model(inp, namespace['Doubled']()(inp))
    np.testing.assert_array_equal(model.predict(np.array([[1., 2., 3.]])), [[2., 4., 6.]])


def test_the_outputs_of_a_shared_layers_calls_have_names_of_their_own():
    # TensorFlow's name scopes named them `shared/...`, `shared_1/...`; keras2c keys the
    # nodes of its generated C on these names
    a, b = Input((4,)), Input((4,))
    shared = Dense(3, name='shared')
    first, second, third = shared(a), shared(b), shared(a)
    assert [t.name.split('/')[0] for t in (first, second, third)] == \
        ['shared', 'shared_1', 'shared_2']
    model = Model([a, b], [first, second])
    model.compile('sgd', 'mse')
    x = np.ones((2, 4))
    model.train_on_batch([x, x], [np.zeros((2, 3)), np.zeros((2, 3))])


def test_an_embedding_subclass_whose_output_shape_reads_what_its_call_sets():
    # bert4keras' Embedding shares its matrix with the output layer: `call(mode=...)` sets
    # the mode its `compute_output_shape` reads (Keras 2.2.4's build did not call it)
    class TiedEmbedding(layers.Embedding):
        def call(self, inputs, mode='embedding'):
            self._current_mode = mode
            if mode == 'embedding':
                return super(TiedEmbedding, self).call(inputs)
            return K.dot(inputs, K.transpose(self.embeddings))

        def compute_output_shape(self, input_shape):
            if self._current_mode == 'embedding':
                return super(TiedEmbedding, self).compute_output_shape(input_shape)
            return input_shape[:2] + (self.input_dim,)

    tokens = Input((None,))
    embedding = TiedEmbedding(10, 4)
    hidden = embedding(tokens)
    logits = embedding(hidden, mode='dense')
    assert K.int_shape(hidden) == (None, None, 4) and K.int_shape(logits) == (None, None, 10)
    ids = np.array([[1, 2, 3]])
    table = K.get_value(embedding.embeddings)
    np.testing.assert_allclose(Model(tokens, logits).predict(ids), table[ids] @ table.T,
                               rtol=1e-5)


def test_targets_of_a_loss_of_the_users_are_taken_as_they_are():
    # bert4keras' CRF loss takes (batch, steps) labels for (batch, steps, tags) scores;
    # Keras 2.2.4 checked the targets' shape only for the losses of keras.losses
    inp = Input((6,))
    scores = Dense(3)(layers.Embedding(10, 4)(inp))

    def sparse_loss(y_true, y_pred):
        y_true = K.cast(K.reshape(y_true, K.shape(y_pred)[:-1]), 'int32')
        return K.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)
    model = Model(inp, scores)
    model.compile('sgd', sparse_loss)
    x, labels = np.random.randint(0, 10, (4, 6)), np.random.randint(0, 3, (4, 6))
    model.fit(x, labels, verbose=0)
    logits = model.predict(x).astype('float64')
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -np.take_along_axis(log_p, labels[..., None], -1).mean()
    np.testing.assert_allclose(model.evaluate(x, labels, verbose=0), expected, rtol=1e-5)
    model.compile('sgd', 'mse')       # a loss of keras.losses: its targets are checked
    with pytest.raises(ValueError, match='expected dense_1 to have 3 dimensions'):
        model.fit(x, labels, verbose=0)


def test_a_multi_input_call_gets_no_mask_when_no_input_has_one():
    # Keras 2.2.4 passed `mask` only when an input had one: attention layers on [q, v]
    # test `if mask is not None` (kulc's ScaledDotProductAttention got [None, None])
    seen = []

    class Attend(layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(mask)
            q, v = inputs
            scores = K.batch_dot(q, v, axes=[2, 2])
            if mask is not None:
                scores -= 1e9 * (1. - K.cast(K.expand_dims(mask[1], 1), 'float32'))
            return K.batch_dot(K.softmax(scores), v)

        def compute_output_shape(self, input_shape):
            return input_shape[0]

        def compute_mask(self, inputs, mask=None):
            return None

    q, v = Input((4, 8)), Input((5, 8))
    model = Model([q, v], Attend()([q, v]))
    data = [np.random.rand(2, 4, 8), np.random.rand(2, 5, 8)]
    scores = np.einsum('bqd,bkd->bqk', *data)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    np.testing.assert_allclose(model.predict(data), np.einsum('bqk,bkd->bqd', weights, data[1]),
                               rtol=1e-5)
    assert seen and all(m is None for m in seen)
    # with a masked input, the masks are passed, one per input
    masked = layers.Masking()(v)
    Attend()([q, masked])
    assert isinstance(seen[-1], list) and seen[-1][0] is None and seen[-1][1] is not None
    # TensorFlow's shape checks on a Keras tensor's shape
    assert q.shape.is_compatible_with((None, 4, 8)) and not q.shape.is_compatible_with(v.shape)
    assert not q.shape.is_fully_defined()


def test_what_the_code_sets_on_the_optimizer_before_the_first_fit_is_what_trains():
    # `model.compile(...); model.optimizer.lr = 0.001; model.fit(...)` (fast.ai v1 copies,
    # Kaggle kernels): Keras 2.2.4 made the train function at the first fit
    from keras import optimizers
    x = np.random.RandomState(0).rand(16, 3)
    y = x.sum(-1, keepdims=True)

    def trained(change):
        model = Sequential([Dense(1, input_dim=3, kernel_initializer='ones',
                                  bias_initializer='zeros')])
        model.compile(SGD(lr=0.1), 'mse')
        change(model)
        model.fit(x, 2. * y, batch_size=16, epochs=1, verbose=0)
        return model

    def set_lr(model):
        model.optimizer.lr = 0.05

    def set_lr_variable(model):
        model.optimizer.lr = K.variable(0.)

    def replace(model):
        model.optimizer = optimizers.Adam(lr=0.)

    # one full-batch SGD step on the mse: w -= lr * 2 x^T (x w - t) / n
    step = 2. * x.T @ (x.sum(-1, keepdims=True) - 2. * y) / len(x)
    np.testing.assert_allclose(trained(set_lr).get_weights()[0], 1. - 0.05 * step, rtol=1e-5)
    np.testing.assert_allclose(trained(set_lr_variable).get_weights()[0], np.ones((3, 1)))
    model = trained(replace)
    np.testing.assert_allclose(model.get_weights()[0], np.ones((3, 1)))
    assert K.get_value(model.optimizer.iterations) == 1
    # after the first fit the train step is made: a float set then changes nothing, also
    # where the step is traced again (another batch size)
    model = trained(lambda m: None)
    model.optimizer.lr = 0.
    before = model.get_weights()[0]
    model.fit(x, 2. * y, batch_size=5, epochs=1, verbose=0)
    assert not np.allclose(model.get_weights()[0], before)
    assert model.optimizer.lr == 0.


def test_slices_of_a_keras_tensor_bounded_by_its_sizes():
    # fast-neural-style's total-variation loss slices the image by `K.shape(x)[1] - 1`;
    # batch halves by `K.shape(x)[0] // 2`: TensorFlow sliced by tensors
    x = Input((5, 6, 2))
    h, w = K.shape(x)[1], K.shape(x)[2]
    tv = K.sum(K.square(x[:, :h - 1, :w - 1, :] - x[:, 1:, :w - 1, :]) +
               K.square(x[:, :h - 1, :w - 1, :] - x[:, :h - 1, 1:, :]))
    half = x[:K.shape(x)[0] // 2]
    assert K.int_shape(half) == (None, 5, 6, 2) and K.int_shape(x[:, :h - 1]) == (None, 4, 6, 2)
    assert K.int_shape(x[:, :h + (-2)]) == (None, 3, 6, 2)      # (a negative number is known)
    model = Model(x, half)
    data = np.random.RandomState(0).rand(4, 5, 6, 2).astype('float32')
    np.testing.assert_array_equal(model.predict(data, batch_size=4), data[:2])
    expected = (np.square(data[:, :-1, :-1] - data[:, 1:, :-1]) +
                np.square(data[:, :-1, :-1] - data[:, :-1, 1:])).sum()
    np.testing.assert_allclose(K.function([x], [tv])([data])[0], expected, rtol=1e-5)
    unknown = Input((None, 3))
    trimmed = unknown[:, :K.shape(unknown)[1] - 1]
    assert K.int_shape(trimmed) == (None, None, 3)
    assert Model(unknown, trimmed).predict(np.zeros((2, 5, 3))).shape == (2, 4, 3)


def test_a_loss_drawing_host_randomness_when_built_draws_the_same_in_every_step_kind():
    # a sliced-Wasserstein loss draws its projections with NumPy when it is built: Keras
    # 2.2.4 built the loss once, at compile; each compiled step kind traced it again and
    # drew other projections, so training, testing and evaluation disagreed
    projections = []

    def sliced(y_true, y_pred):
        projection = np.random.randn(4, 16).astype('float32')
        projections.append(projection)
        return K.mean(K.square(K.dot(y_true, K.constant(projection)) -
                               K.dot(y_pred, K.constant(projection))), axis=-1)

    model = Sequential([Dense(4, input_shape=(4,))])
    model.compile(SGD(lr=0.), sliced)
    x = np.random.RandomState(0).rand(8, 4).astype('float32')
    y = np.random.RandomState(1).rand(8, 4).astype('float32')
    values = [model.train_on_batch(x, y), model.test_on_batch(x, y),
              model.evaluate(x, y, batch_size=8, verbose=0)]
    assert len(projections) >= 2 and all(np.array_equal(p, projections[0]) for p in projections)
    projection = projections[0]
    expected = np.mean(np.square(y @ projection - model.predict(x) @ projection))
    np.testing.assert_allclose(values, [expected] * 3, rtol=1e-5)
    assert not np.array_equal(np.random.randn(4, 16), projection)  # (the stream goes on)


def test_a_loss_drawing_with_pythons_random_module_draws_the_same_in_every_step_kind():
    import random
    scales = []

    def scaled(y_true, y_pred):
        scales.append(random.uniform(1., 2.))
        return scales[-1] * K.mean(K.square(y_true - y_pred), axis=-1)

    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile(SGD(lr=0.), scaled)
    x = np.random.RandomState(0).rand(6, 3).astype('float32')
    y = np.random.RandomState(1).rand(6, 2).astype('float32')
    values = [model.train_on_batch(x, y), model.test_on_batch(x, y)]
    assert len(scales) >= 2 and len(set(scales)) == 1
    expected = scales[0] * np.mean(np.square(y - model.predict(x)))
    np.testing.assert_allclose(values, [expected] * 2, rtol=1e-5)
    assert random.uniform(1., 2.) != scales[0]  # (the stream goes on)


def test_a_loss_that_builds_a_network_and_loads_its_weights():
    # SRGAN's perceptual loss builds VGG19(weights='imagenet') inside the loss function:
    # loading the weights assigned traced values to the variables (UnexpectedTracerError);
    # Keras 2.2.4's session assigned them at once
    fixed = np.random.RandomState(1).rand(4, 3).astype('float32')

    def perceptual(y_true, y_pred):
        net = Sequential([Dense(3, input_shape=(4,), use_bias=False)])
        net.set_weights([fixed])
        net.trainable = False
        return K.mean(K.square(net(y_true) - net(y_pred)), axis=-1)

    model = Sequential([Dense(4, input_shape=(4,), kernel_initializer='identity')])
    model.compile(SGD(lr=0.), perceptual)
    x = np.random.RandomState(2).rand(8, 4).astype('float32')
    y = np.random.RandomState(3).rand(8, 4).astype('float32')
    with pytest.warns(UserWarning, match='made anew by each of its traces'):
        loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, np.mean(np.square(y @ fixed - x @ fixed)), rtol=1e-5)


def test_targets_of_keras_losses_are_checked_against_the_output_shape():
    # Keras 2.2.4's "Error when checking target": a (n, 3) target for a (None, 1) output
    # trained on a broadcast loss for mae, hinge, logcosh, ...
    model = Sequential([Dense(1, input_dim=8)])
    x = np.random.rand(4, 8)
    for loss in ('mae', 'hinge', 'logcosh', 'kullback_leibler_divergence', 'mse'):
        model.compile('sgd', loss)
        with pytest.raises(ValueError, match=r'Error when checking target: expected dense_\d+ '
                                             r'to have shape \(1,\) but got array with shape '
                                             r'\(3,\)'):
            model.fit(x, np.random.rand(4, 3), verbose=0)
        model.fit(x, np.random.rand(4), verbose=0)     # (a 1-D target is a column)
    classifier = Sequential([Dense(10, input_dim=8, activation='softmax')])
    classifier.compile('sgd', 'categorical_crossentropy')
    with pytest.raises(ValueError, match=r'to have shape \(10,\) but got array with shape '
                                         r'\(1,\)'):
        classifier.fit(x, np.random.randint(0, 10, (4, 1)), verbose=0)
    classifier.compile('sgd', 'sparse_categorical_crossentropy')    # one index per sample
    classifier.fit(x, np.random.randint(0, 10, (4,)), verbose=0)
    with pytest.raises(ValueError, match=r'to have shape \(1,\) but got array with shape '
                                         r'\(10,\)'):
        classifier.fit(x, np.eye(10)[np.random.randint(0, 10, 4)], verbose=0)
    # a loss of the user's takes its targets as they are
    model.compile('sgd', lambda y_true, y_pred: K.mean(K.abs(K.mean(y_true, -1, keepdims=True)
                                                             - y_pred), -1))
    model.fit(x, np.random.rand(4, 3), verbose=0)


def test_a_layer_made_inside_a_call_has_one_set_of_weights():
    # Keras-TextClassification's TextDCNN makes a Conv1D in its layer's call (and copied
    # highway snippets a Dense in a Lambda's function): each trace made new weights, which
    # the step took as its state and traced again, forever; then training, evaluation and
    # prediction each used weights of their own. Keras 2.2.4 built its graph once: one set,
    # constants of the graph, neither trained nor saved
    class WideConv(layers.Layer):
        def call(self, x):
            return layers.Conv1D(4, 3, padding='same')(x)

        def compute_output_shape(self, input_shape):
            return input_shape[:2] + (4,)

    inp = Input((10, 8))
    hidden = layers.Lambda(lambda t: Dense(8, activation='tanh')(t))(WideConv()(inp))
    model = Model(inp, Dense(2)(layers.Flatten()(hidden)))
    model.compile('adam', 'mse')
    x, y = np.random.rand(6, 10, 8), np.random.rand(6, 2)
    with warnings.catch_warnings():
        warnings.filterwarnings('error', message='.*made anew')
        model.fit(x, y, batch_size=6, epochs=2, verbose=0)
        predicted = model.predict(x)
        np.testing.assert_allclose(model.evaluate(x, y, batch_size=6, verbose=0),
                                   np.mean((predicted - y) ** 2), rtol=1e-5)
    np.testing.assert_array_equal(model.predict(x), predicted)
    assert len(model.trainable_weights) == 2       # (the last Dense's, as in Keras 2.2.4)
    # a layer made in a loss function is made by each trace of the step: after two rounds
    # of tracing again for its weights, the step keeps them as constants and says so (it
    # traced again forever)
    model.compile('sgd', loss=lambda y_true, y_pred: K.mean(K.square(Dense(2)(y_pred) - y_true)))
    with pytest.warns(UserWarning, match='made anew by each of its traces'):
        model.fit(x, y, batch_size=6, epochs=1, verbose=0)


def test_dropout_at_a_rate_held_in_a_variable():
    # Keras 2.2.4's K.dropout took a tensor level (MatchZoo's DecayingDropoutLayer, a rate
    # schedule held in a K.variable): the rate is read when the step runs
    rate = K.variable(0.5)
    x = Input((2000,))
    model = Model(x, layers.Lambda(lambda t: K.in_train_phase(K.dropout(t, rate), t))(x))
    run = K.function([x, K.learning_phase()], [model.output])
    data = np.ones((2, 2000), 'float32')
    for level in (0.5, 0.75):
        K.set_value(rate, level)
        out = run([data, 1])[0]
        kept = out[out != 0]
        np.testing.assert_allclose(kept, 1. / (1. - level), rtol=1e-6)
        assert abs(1. - kept.size / out.size - level) < 0.03
    np.testing.assert_array_equal(run([data, 0])[0], data)
    model.compile('sgd', 'mse')
    model.fit(data, data, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r'level must be in \[0, 1\), got 1.5'):
        K.dropout(K.constant(data), 1.5)


def test_integers_beyond_int32_in_float_arithmetic_are_numbers():
    # TensorFlow converted a number to the float tensor's dtype: a style loss normalised by
    # `np.prod(shape) ** 2` (an int64 beyond 2**31) gave inf or raised on JAX
    big = 196608 ** 2
    data = np.arange(6, dtype='float32').reshape(2, 3)
    x = Input((3,))
    run = K.function([x], [K.sum(x) / big, K.sum(x) / np.int64(big), x * 3000000000,
                           big / (x + 1.)])
    got = run([data])
    np.testing.assert_allclose(got[0], data.sum() / big, rtol=1e-6)
    np.testing.assert_allclose(got[1], data.sum() / big, rtol=1e-6)
    np.testing.assert_allclose(got[2], data * 3e9, rtol=1e-6)
    np.testing.assert_allclose(got[3], big / (data + 1.), rtol=1e-6)
    v = K.variable(data)
    np.testing.assert_allclose(K.eval(K.sum(v) / np.int64(big)), data.sum() / big, rtol=1e-6)
    model = Sequential([Dense(2, input_shape=(3,), kernel_initializer='ones')])
    model.compile(SGD(lr=0.), lambda t, p: K.sum(K.square(t - p)) / np.int64(big))
    loss = model.train_on_batch(data, np.zeros((2, 2)))
    expected = np.sum(np.square(data @ np.ones((3, 2)))) / big
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_metric_names_of_outputs_of_one_shared_layer_are_deduplicated():
    # the deeplearning.ai jazz model's 30 outputs come from one Dense: Keras 2.2.4 named
    # their metrics dense_1_acc, dense_1_acc_1, ... (the loss names stay as they are)
    x = Input((4,))
    head = Dense(3, activation='softmax', name='head')
    model = Model(x, [head(layers.Lambda(lambda z, i=i: z * (i + 1))(x)) for i in range(3)])
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    assert model.metrics_names == ['loss'] + ['head_loss'] * 3 + \
        ['head_acc', 'head_acc_1', 'head_acc_2']
    data = np.random.RandomState(0).rand(6, 4)
    targets = [np.eye(3)[[0, 1, 2, 0, 1, 2]]] * 3
    history = model.fit(data, targets, epochs=1, verbose=0)
    assert {'head_acc', 'head_acc_1', 'head_acc_2'} <= set(history.history)
    predictions = model.predict(data)
    for k, name in enumerate(['head_acc', 'head_acc_1', 'head_acc_2']):
        want = np.mean(np.argmax(predictions[k], -1) == [0, 1, 2, 0, 1, 2])
        got = model.evaluate(data, targets, verbose=0)[model.metrics_names.index(name)]
        np.testing.assert_allclose(got, want)


def test_predict_takes_the_first_inputs_number_of_samples():
    # Keras 2.2.4's predict loop sliced every input by the first one's batches: one source
    # sentence with initial states of m rows (the deeplearning.ai NMT notebook)
    a, b = Input((3,)), Input((2,))
    model = Model([a, b], Dense(1, kernel_initializer='ones')(layers.concatenate([a, b])))
    first = np.ones((2, 3))
    got = model.predict([first, np.arange(10.).reshape(5, 2)])
    np.testing.assert_allclose(got[:, 0], [3. + 0 + 1, 3. + 2 + 3])
    with pytest.raises(ValueError, match='input 1 has 1 samples, fewer than the 2'):
        model.predict([first, np.ones((1, 2))])


def test_lists_of_numbers_in_arithmetic_inside_a_layer_are_constants():
    # PConv-Keras's VGG preprocessing `Lambda(lambda x: (x - mean) / std)` with lists, as
    # TensorFlow converted them (JAX's traced values refused lists)
    x = Input((2, 3))
    normalized = layers.Lambda(lambda t: (t - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225])(x)
    mixed = layers.Lambda(lambda t: K.maximum(t, [1., 2., 3.]) + ([1., 2., 3.] - t) * (2, 2, 2) +
                          K.cast(K.equal(t, [1., 0., 0.]), 'float32'))(x)
    data = np.ones((2, 2, 3), 'float32')
    got = Model(x, [normalized, mixed]).predict(data)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(got[0], (data - mean) / std, rtol=1e-6)
    np.testing.assert_allclose(got[1], np.broadcast_to([2., 4., 7.], (2, 2, 3)))


def test_numpy_draws_and_dropout_seeds_as_keras_224_took_them():
    # Keras 2.2.4 drew `np.random.randint(10e6)` for each random initializer and each random
    # op (a Dropout's) when the graph was built, and nothing when it predicted or trained
    # without shuffling: draws a seeded script makes afterwards (its data split) are 2.2.4's
    def after(draws):
        np.random.seed(1)
        for _ in range(draws):
            np.random.randint(10e6)
        return np.random.rand()

    from keras.models import Sequential
    x, y = np.random.rand(8, 3).astype('float32'), np.random.rand(8, 1).astype('float32')
    np.random.seed(1)
    model = Sequential([layers.Dense(4, input_dim=3), layers.Dropout(0.5), layers.Dense(1)])
    assert np.random.rand() == after(3)          # two kernels and the Dropout
    np.random.seed(1)
    model = Sequential([layers.Dense(4, input_dim=3), layers.Dropout(0.5), layers.Dense(1)])
    model.compile('sgd', 'mse')
    model.predict(x)
    model.fit(x, y, epochs=2, shuffle=False, verbose=0)
    assert np.random.rand() == after(3)

    # the dropout masks follow the seeds drawn at the build: two models built after the
    # same seed train alike whatever NumPy drew in between
    trained, initial = [], None
    for seed, extra in ((2, 0), (2, 5), (3, 0)):
        np.random.seed(seed)
        model = Sequential([layers.Dense(8, input_dim=3), layers.Dropout(0.5), layers.Dense(1)])
        model.compile('sgd', 'mse')
        initial = initial or model.get_weights()
        model.set_weights(initial)
        np.random.rand(extra)
        model.fit(x, y, epochs=2, shuffle=False, verbose=0)
        trained.append(model.get_weights())
    for a, b in zip(trained[0], trained[1]):
        np.testing.assert_array_equal(a, b)
    # (a graph whose Dropout drew another seed draws other masks)
    assert not np.array_equal(trained[0][0], trained[2][0])


def test_keras_shape_is_set_deleted_and_restored_on_tensors_as_on_tensorflow_1s():
    # recurrentshop's RecurrentModel deletes and restores `_keras_shape` around an inner
    # model's call on the tensors its step gets; Keras 2 code sets it on a call's outputs
    from keras.layers import Input, Lambda
    from keras.models import Model

    def step(t):
        shape = t._keras_shape
        del t._keras_shape
        t._keras_shape = shape
        return t * 2

    x = Input((3,))
    model = Model(x, Lambda(step)(x))
    np.testing.assert_array_equal(model.predict(np.ones((2, 3))), np.full((2, 3), 2.))
    y = Input((None, 4))
    y._keras_shape = (None, 5, 4)
    assert K.int_shape(y) == (None, 5, 4)
    del y._keras_shape
    assert K.int_shape(y) == (None, None, 4)


def test_a_list_of_slices_indexes_as_tensorflow_1s_multidimensional_index():
    # recurrentshop: `z[[slice(None)] + [0] * (ndim - 1)]`; TensorFlow 1 read a list index
    # as the tuple of its entries
    from keras.layers import Input, Lambda
    from keras.models import Model
    a = np.arange(24, dtype='float32').reshape(2, 3, 4)
    x = Input((3, 4))
    model = Model(x, Lambda(lambda t: t[[slice(None), 0, slice(1, 3)]])(x))
    np.testing.assert_array_equal(model.predict(a), a[:, 0, 1:3])
    outside = x[[slice(None), 1]]
    assert K.int_shape(outside) == (None, 4)
    np.testing.assert_array_equal(K.function([x], [outside])([a])[0], a[:, 1])
    v = K.variable(a)
    np.testing.assert_array_equal(K.eval(v[[slice(None), 0]]), a[:, 0])
    if K.backend() == 'jax':     # (JAX's own arrays, which layers' calls get)
        import jax.numpy as jnp
        np.testing.assert_array_equal(jnp.asarray(a)[[slice(None), 0]], a[:, 0])
        np.testing.assert_array_equal(jnp.asarray(a)[jnp.asarray([1, 0])], a[[1, 0]])


def test_updates_of_layers_marked_stateful_run_in_predict_and_evaluate():
    # Keras 2.2.4's predict and test functions ran `model.state_updates`, the updates of the
    # layers whose `stateful` is set (keras-transformer-xl's Memory keeps past segments so)
    from keras.engine.base_layer import Layer
    from keras.layers import Input
    from keras.models import Model

    class Accumulate(Layer):
        def __init__(self, stateful, **kwargs):
            super(Accumulate, self).__init__(**kwargs)
            self.stateful = stateful

        def build(self, input_shape):
            self.mem = self.add_weight('mem', (2, 3), initializer='zeros', trainable=False)
            super(Accumulate, self).build(input_shape)

        def call(self, x):
            new = self.mem + x
            self.add_update(K.update(self.mem, new), x)
            return new

    for stateful in (True, False):
        x = Input((3,))
        layer = Accumulate(stateful)
        model = Model(x, layer(x))
        model.compile('sgd', 'mse')
        assert len(model.state_updates) == (1 if stateful else 0)
        ones = np.ones((2, 3), 'float32')
        first = model.predict(ones, batch_size=2)
        np.testing.assert_array_equal(first, ones)
        second = model.predict(np.ones((4, 3), 'float32'), batch_size=2)   # two batches
        expected = 3. if stateful else 0.
        np.testing.assert_array_equal(K.get_value(layer.mem), np.full((2, 3), expected))
        if stateful:
            np.testing.assert_array_equal(second, [[2.] * 3] * 2 + [[3.] * 3] * 2)
        model.evaluate(ones, ones, batch_size=2, verbose=0)
        np.testing.assert_array_equal(K.get_value(layer.mem),
                                      np.full((2, 3), expected + stateful))


def test_a_model_built_before_clear_session_still_predicts_after_it():
    # K.clear_session drops what the backend keeps of the models built before (JAX's trace
    # and program caches: a process building models one after another grew without end);
    # Keras 2.2.4 dropped its graph, and a model still used here compiles again
    from keras.layers import Dense
    from keras.models import Sequential
    data = np.random.RandomState(0).rand(4, 6).astype('float32')
    model = Sequential([Dense(3, input_shape=(6,))])
    before = model.predict(data)
    for _ in range(3):
        other = Sequential([Dense(3, input_shape=(6,))])
        other.predict(data)
        K.clear_session()
    np.testing.assert_allclose(model.predict(data), before, rtol=1e-6)
    model.compile('sgd', 'mse')
    model.fit(data, np.zeros((4, 3)), verbose=0)
    assert not np.allclose(model.predict(data), before)


def test_first_predictions_of_a_model_from_several_threads_at_once():
    # a server's first burst of requests: threads make a fresh model's first predict at
    # once (the Flask recipes); none may see a half-prepared model
    import sys
    import threading
    from keras.layers import Dense
    from keras.models import Sequential
    data = np.ones((2, 8), 'float32')
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)     # (switches threads often: the window is small)
    try:
        for _ in range(3):
            model = Sequential([Dense(8, input_shape=(8,))] + [Dense(8) for _ in range(40)])
            barrier, errors, results = threading.Barrier(6), [], []

            def request():
                barrier.wait()
                try:
                    results.append(model.predict(data))
                except Exception as e:    # (reported below)
                    errors.append('%s: %s' % (type(e).__name__, e))
            threads = [threading.Thread(target=request) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors
            for r in results[1:]:
                np.testing.assert_allclose(r, results[0], rtol=1e-6)
    finally:
        sys.setswitchinterval(interval)
