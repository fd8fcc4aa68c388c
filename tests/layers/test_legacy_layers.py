"""Legacy layers of keras.layers (Keras 2.2.4 `keras/legacy/layers.py`): MaxoutDense, Highway
and the Keras 2.0 abstract recurrent bases Recurrent / ConvRecurrent2D (tested with minimal
subclasses). Numbers are checked against NumPy references."""
import warnings

import h5py
import numpy as np
import pytest

from keras import backend as K
from keras import layers, optimizers, regularizers
from keras.engine.base_layer import InputSpec
from keras.layers import ConvRecurrent2D, Highway, MaxoutDense, Recurrent
from keras.models import Model, Sequential, load_model

ATOL = 1e-5


@pytest.fixture
def rng():
    return np.random.RandomState(4321)


def _quiet(factory, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return factory(*args, **kwargs)


def _randomize(layer, rng, scale=0.5):
    layer.set_weights([rng.uniform(-scale, scale, w.shape).astype('float32')
                       for w in layer.get_weights()])
    return layer.get_weights()


def _sigmoid(x):
    return 1. / (1. + np.exp(-x))


# ====================================================================== MaxoutDense
def np_maxout(x, W, b=None):
    z = np.stack([x @ W[k] + (0. if b is None else b[k]) for k in range(W.shape[0])], 0)
    return z.max(axis=0)


def test_maxout_dense_deprecation_warning():
    with pytest.warns(UserWarning, match='MaxoutDense'):
        MaxoutDense(3)


def test_maxout_dense_weights_and_numbers(rng):
    layer = _quiet(MaxoutDense, 3, nb_feature=5, name='maxout')
    x = rng.randn(4, 6).astype('float32')
    out = np.asarray(layer(x))
    assert [w.name for w in layer.weights] == ['maxout/W', 'maxout/b']
    assert [tuple(w.shape) for w in layer.weights] == [(5, 6, 3), (5, 3)]
    np.testing.assert_array_equal(K.get_value(layer.b), 0.)
    W, b = _randomize(layer, rng)
    out = np.asarray(layer(x))
    assert out.shape == (4, 3)
    np.testing.assert_allclose(out, np_maxout(x, W, b), rtol=1e-5, atol=ATOL)
    assert layer.compute_output_shape((None, 6)) == (None, 3)


def test_maxout_dense_no_bias_initial_weights_and_input_dim(rng):
    W = rng.randn(2, 5, 4).astype('float32')
    layer = _quiet(MaxoutDense, 4, nb_feature=2, bias=False, weights=[W], input_dim=5)
    model = Sequential([layer])
    assert model.output_shape == (None, 4)
    assert len(layer.weights) == 1
    np.testing.assert_array_equal(layer.get_weights()[0], W)
    x = rng.randn(3, 5).astype('float32')
    np.testing.assert_allclose(model.predict(x), np_maxout(x, W), rtol=1e-5, atol=ATOL)


def test_maxout_dense_config_round_trip():
    layer = _quiet(MaxoutDense, 7, nb_feature=3, init='he_normal',
                   W_regularizer=regularizers.l2(0.01), b_regularizer=regularizers.l1(0.1),
                   activity_regularizer=regularizers.l1(0.5), W_constraint='max_norm',
                   b_constraint='non_neg', bias=False, input_dim=4)
    config = layer.get_config()
    for key in ('output_dim', 'nb_feature', 'init', 'W_regularizer', 'b_regularizer',
                'activity_regularizer', 'W_constraint', 'b_constraint', 'bias', 'input_dim'):
        assert key in config
    assert config['output_dim'] == 7 and config['nb_feature'] == 3
    assert config['bias'] is False and config['input_dim'] == 4
    assert config['batch_input_shape'] == (None, 4)
    clone = _quiet(layers.deserialize, {'class_name': 'MaxoutDense', 'config': config})
    assert isinstance(clone, MaxoutDense)
    assert clone.get_config() == config


def test_maxout_dense_regularizers_and_rank_check(rng):
    layer = _quiet(MaxoutDense, 2, W_regularizer=regularizers.l2(0.1),
                   b_regularizer=regularizers.l1(0.1))
    layer.build((None, 3))
    assert len(layer.losses) == 2
    W = K.get_value(layer.W)
    np.testing.assert_allclose(np.asarray(layer.losses[0]), 0.1 * np.sum(W ** 2), rtol=1e-5)
    with pytest.raises(ValueError):
        _quiet(MaxoutDense, 2).build((None, 3, 4))


# ====================================================================== Highway
def np_highway(x, W, W_carry, b=None, b_carry=None, act=lambda v: v):
    g = x @ W_carry + (0. if b_carry is None else b_carry)
    t = _sigmoid(g)
    h = act(x @ W + (0. if b is None else b))
    return h * t + (1. - t) * x


def test_highway_deprecation_warnings():
    with pytest.warns(UserWarning, match='Highway'):
        Highway()
    with pytest.warns(UserWarning) as record:
        layer = Highway(transform_bias=-2)
    messages = [str(w.message) for w in record]
    assert any('Highway' in m for m in messages)
    assert any('transform_bias' in m for m in messages)
    assert not hasattr(layer, 'transform_bias')


def test_highway_weights_and_numbers(rng):
    layer = _quiet(Highway, activation='relu', name='hw')
    x = rng.randn(5, 4).astype('float32')
    layer(x)
    assert [w.name for w in layer.weights] == ['hw/W', 'hw/W_carry', 'hw/b', 'hw/b_carry']
    assert [tuple(w.shape) for w in layer.weights] == [(4, 4), (4, 4), (4,), (4,)]
    np.testing.assert_array_equal(K.get_value(layer.b), 0.)
    np.testing.assert_array_equal(K.get_value(layer.b_carry), 1.)
    W, W_carry, b, b_carry = _randomize(layer, rng)
    out = np.asarray(layer(x))
    ref = np_highway(x, W, W_carry, b, b_carry, act=lambda v: np.maximum(v, 0.))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=ATOL)
    assert layer.compute_output_shape((None, 4)) == (None, 4)


def test_highway_linear_no_bias(rng):
    W = rng.randn(3, 3).astype('float32')
    Wc = rng.randn(3, 3).astype('float32')
    layer = _quiet(Highway, bias=False, weights=[W, Wc], input_dim=3)
    model = Sequential([layer])
    assert model.output_shape == (None, 3)
    assert [tuple(w.shape) for w in layer.weights] == [(3, 3), (3, 3)]
    x = rng.randn(6, 3).astype('float32')
    np.testing.assert_allclose(model.predict(x), np_highway(x, W, Wc), rtol=1e-5, atol=ATOL)


def test_highway_config_round_trip_and_regularizers():
    layer = _quiet(Highway, init='orthogonal', activation='tanh',
                   W_regularizer=regularizers.l2(0.01), b_regularizer=regularizers.l2(0.02),
                   W_constraint='unit_norm', b_constraint='max_norm', input_dim=5)
    config = layer.get_config()
    assert config['activation'] == 'tanh' and config['input_dim'] == 5 and config['bias']
    clone = _quiet(layers.deserialize, {'class_name': 'Highway', 'config': config})
    assert isinstance(clone, Highway) and clone.get_config() == config
    layer.build((None, 5))
    assert len(layer.losses) == 2        # W and b only: the carry weights are unregularized
    assert layer.W_carry.constraint is None and layer.W.constraint is not None


def test_legacy_dense_layers_hdf5_round_trip(rng, tmp_path):
    model = _quiet(Sequential, [
        _quiet(MaxoutDense, 4, nb_feature=3, input_dim=5, name='mx'),
        _quiet(Highway, activation='tanh', name='hw')])
    for layer in model.layers:
        _randomize(layer, rng)
    x = rng.randn(3, 5).astype('float32')
    expected = model.predict(x)
    path = str(tmp_path / 'legacy.h5')
    model.save(path)
    with h5py.File(path, 'r') as f:
        names = [n.decode() if isinstance(n, bytes) else n
                 for n in f['model_weights']['mx'].attrs['weight_names']]
        assert names == ['mx/W:0', 'mx/b:0']
        names = [n.decode() if isinstance(n, bytes) else n
                 for n in f['model_weights']['hw'].attrs['weight_names']]
        assert names == ['hw/W:0', 'hw/W_carry:0', 'hw/b:0', 'hw/b_carry:0']
    loaded = _quiet(load_model, path)
    assert isinstance(loaded.layers[0], MaxoutDense) and isinstance(loaded.layers[1], Highway)
    np.testing.assert_allclose(loaded.predict(x), expected, rtol=1e-6, atol=1e-6)


# ====================================================================== Recurrent
class MinimalRNN(Recurrent):
    """h_t = tanh(x_t . kernel + h_{t-1} . recurrent_kernel + bias), a Keras 2.0-style layer."""

    def __init__(self, units, **kwargs):
        super(MinimalRNN, self).__init__(**kwargs)
        self.units = units
        self.state_spec = InputSpec(shape=(None, units))

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        batch_size = input_shape[0] if self.stateful else None
        input_dim = input_shape[2]
        self.input_spec[0] = InputSpec(shape=(batch_size, None, input_dim))
        self.states = [None]
        if self.stateful:
            self.reset_states()
        self.kernel = self.add_weight(name='kernel', shape=(input_dim, self.units),
                                      initializer='glorot_uniform')
        self.recurrent_kernel = self.add_weight(name='recurrent_kernel',
                                                shape=(self.units, self.units),
                                                initializer='orthogonal')
        self.bias = self.add_weight(name='bias', shape=(self.units,), initializer='zeros')
        self.built = True

    def step(self, inputs, states):
        h = K.tanh(K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel)
                   + self.bias)
        return h, [h]

    def get_config(self):
        config = {'units': self.units}
        base = super(MinimalRNN, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class ScaledAccumulator(Recurrent):
    """Two states and Keras 2.0 hooks: `preprocess_input` projects every step at once,
    `get_constants` hands a constant scale to `step` after the states.
    c_t = c_{t-1} + scale * (x_t . kernel);  h_t = tanh(c_t) + h_{t-1} * 0.5; output h_t."""

    def __init__(self, units, scale=2., **kwargs):
        super(ScaledAccumulator, self).__init__(**kwargs)
        self.units = units
        self.scale = scale
        self.state_spec = [InputSpec(shape=(None, units)), InputSpec(shape=(None, units))]

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        batch_size = input_shape[0] if self.stateful else None
        self.input_spec[0] = InputSpec(shape=(batch_size, None, input_shape[2]))
        self.states = [None, None]
        self.kernel = self.add_weight(name='kernel', shape=(input_shape[2], self.units),
                                      initializer='glorot_uniform')
        if self.stateful:
            self.reset_states()
        self.built = True

    def preprocess_input(self, inputs, training=None):
        return K.dot(inputs, self.kernel)

    def get_constants(self, inputs, training=None):
        return [K.constant(self.scale)]

    def step(self, inputs, states):
        h_tm1, c_tm1, scale = states
        c = c_tm1 + scale * inputs
        h = K.tanh(c) + 0.5 * h_tm1
        return h, [h, c]


def np_minimal_rnn(x, kernel, recurrent_kernel, bias, h=None, mask=None, go_backwards=False):
    """Outputs in processing order, final state. A masked step keeps the state and repeats
    the previous output (zeros before the first unmasked step)."""
    b, t = x.shape[:2]
    h = np.zeros((b, kernel.shape[1]), 'float32') if h is None else h
    out = np.zeros_like(h)
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    outs = []
    for i in steps:
        new = np.tanh(x[:, i] @ kernel + h @ recurrent_kernel + bias)
        if mask is not None:
            m = mask[:, i:i + 1].astype(bool)
            h = np.where(m, new, h)
            out = np.where(m, new, out)
        else:
            h = out = new
        outs.append(out)
    return np.stack(outs, 1), h


def np_accumulator(x, kernel, scale, h=None, c=None):
    b = x.shape[0]
    u = kernel.shape[1]
    h = np.zeros((b, u), 'float32') if h is None else h
    c = np.zeros((b, u), 'float32') if c is None else c
    outs = []
    for i in range(x.shape[1]):
        c = c + scale * (x[:, i] @ kernel)
        h = np.tanh(c) + 0.5 * h
        outs.append(h)
    return np.stack(outs, 1), h, c


def test_recurrent_base_is_abstract(rng):
    layer = Recurrent()
    with pytest.raises(NotImplementedError):
        layer.step(None, [])
    assert layer.get_constants(None) == []
    x = rng.randn(2, 3, 4).astype('float32')
    assert layer.preprocess_input(x) is x
    assert layer.states == [None]
    assert layer.supports_masking and layer.input_spec[0].ndim == 3


@pytest.mark.parametrize('return_sequences', [False, True])
@pytest.mark.parametrize('go_backwards', [False, True])
@pytest.mark.parametrize('unroll', [False, True])
def test_minimal_rnn_matches_numpy(rng, return_sequences, go_backwards, unroll):
    layer = MinimalRNN(3, return_sequences=return_sequences, go_backwards=go_backwards,
                       unroll=unroll)
    x = rng.randn(2, 5, 4).astype('float32')
    layer.build(x.shape)
    w = _randomize(layer, rng)
    out = np.asarray(layer(x))
    seq, h = np_minimal_rnn(x, *w, go_backwards=go_backwards)
    np.testing.assert_allclose(out, seq if return_sequences else h, rtol=1e-5, atol=ATOL)
    assert [v.name for v in layer.weights] == [
        layer.name + '/kernel', layer.name + '/recurrent_kernel', layer.name + '/bias']


def test_minimal_rnn_symbolic_model_shapes_and_training(rng):
    model = Sequential([MinimalRNN(3, return_sequences=True, input_shape=(5, 4)),
                        MinimalRNN(2)])
    assert model.layers[0].output_shape == (None, 5, 3)
    assert model.output_shape == (None, 2)
    w1 = _randomize(model.layers[0], rng)
    w2 = _randomize(model.layers[1], rng)
    x = rng.randn(6, 5, 4).astype('float32')
    ref = np_minimal_rnn(np_minimal_rnn(x, *w1)[0], *w2)[1]
    np.testing.assert_allclose(model.predict(x), ref, rtol=1e-5, atol=ATOL)
    model.compile(optimizers.SGD(lr=0.1), 'mse')
    y = rng.randn(6, 2).astype('float32')
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, batch_size=6, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


def test_recurrent_input_dim_and_input_length_kwargs():
    layer = MinimalRNN(2, input_dim=4, input_length=6)
    assert layer.batch_input_shape == (None, 6, 4)
    model = Sequential([layer])
    assert model.output_shape == (None, 2)


def test_minimal_rnn_masking(rng):
    x = rng.randn(3, 5, 2).astype('float32')
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 1, 1, 0, 1]], bool)
    layer = MinimalRNN(3, return_sequences=True)
    layer.build(x.shape)
    w = _randomize(layer, rng)
    out = np.asarray(layer(x, mask=K.constant(mask.astype('float32'))))
    seq, _ = np_minimal_rnn(x, *w, mask=mask)
    np.testing.assert_allclose(out, seq, rtol=1e-5, atol=ATOL)
    # through a model: Masking drops the all-zero steps, the mask propagates
    x_padded = x * mask[:, :, None]
    inp = layers.Input((5, 2))
    masked = layers.Masking(0.)(inp)
    rnn = MinimalRNN(3, return_sequences=True, go_backwards=True)
    seq_out = rnn(masked)
    last = MinimalRNN(3)(seq_out)
    model = Model(inp, [seq_out, last])
    wa = _randomize(rnn, rng)
    wb = _randomize(model.layers[-1], rng)
    out_seq, out_last = model.predict(x_padded)
    ref_seq, _ = np_minimal_rnn(x_padded, *wa, mask=mask, go_backwards=True)
    np.testing.assert_allclose(out_seq, ref_seq, rtol=1e-5, atol=ATOL)
    # the output mask of a go_backwards layer is the input mask as given (Keras 2.2.4)
    _, ref_last = np_minimal_rnn(ref_seq, *wb, mask=mask)
    np.testing.assert_allclose(out_last, ref_last, rtol=1e-5, atol=ATOL)


def test_compute_output_shape_and_mask():
    layer = ScaledAccumulator(4, return_sequences=True, return_state=True)
    layer.build((None, 7, 3))
    assert layer.compute_output_shape((None, 7, 3)) == [(None, 7, 4), (None, 4), (None, 4)]
    layer.return_state = False
    assert layer.compute_output_shape([(2, 7, 3), (2, 4)]) == (2, 7, 4)
    layer.return_sequences = False
    assert layer.compute_output_shape((None, 7, 3)) == (None, 4)
    mask = np.ones((2, 7), bool)
    assert layer.compute_mask(None, mask) is None
    layer.return_sequences = True
    assert layer.compute_mask(None, [mask, None]) is mask
    layer.return_state = True
    assert layer.compute_mask(None, mask) == [mask, None, None]


def test_constants_preprocess_and_return_state(rng):
    layer = ScaledAccumulator(3, scale=1.5, return_sequences=True, return_state=True)
    x = rng.randn(2, 4, 5).astype('float32')
    outputs = layer(x)
    assert len(outputs) == 3
    kernel, = _randomize(layer, rng)
    seq, h, c = [np.asarray(o) for o in layer(x)]
    ref_seq, ref_h, ref_c = np_accumulator(x, kernel, 1.5)
    np.testing.assert_allclose(seq, ref_seq, rtol=1e-5, atol=ATOL)
    np.testing.assert_allclose(h, ref_h, rtol=1e-5, atol=ATOL)
    np.testing.assert_allclose(c, ref_c, rtol=1e-5, atol=ATOL)


def test_initial_state_numeric_and_symbolic(rng):
    x = rng.randn(2, 4, 3).astype('float32')
    h0 = rng.randn(2, 2).astype('float32')
    c0 = rng.randn(2, 2).astype('float32')
    layer = ScaledAccumulator(2, scale=0.5)
    layer(x)
    kernel, = _randomize(layer, rng)
    _, ref_h, _ = np_accumulator(x, kernel, 0.5, h=h0, c=c0)
    out = np.asarray(layer(x, initial_state=[K.constant(h0), K.constant(c0)]))
    np.testing.assert_allclose(out, ref_h, rtol=1e-5, atol=ATOL)
    # symbolic: the states become inputs of the node
    inp = layers.Input((4, 3))
    sh = layers.Input((2,))
    sc = layers.Input((2,))
    out_t = layer(inp, initial_state=[sh, sc])
    assert len(layer.input_spec) == 1           # restored after the call
    model = Model([inp, sh, sc], out_t)
    np.testing.assert_allclose(model.predict([x, h0, c0]), ref_h, rtol=1e-5, atol=ATOL)
    # the list form [x] + states (as a model loaded from a config passes it)
    out2 = layer([inp, sh, sc])
    model2 = Model([inp, sh, sc], out2)
    np.testing.assert_allclose(model2.predict([x, h0, c0]), ref_h, rtol=1e-5, atol=ATOL)
    # mixing Keras tensors and arrays is an error; so is a wrong number of states
    with pytest.raises(ValueError):
        layer(inp, initial_state=[sh, K.constant(c0)])
    with pytest.raises(ValueError):
        layer(x, initial_state=[K.constant(h0)])


def test_stateful_direct_calls_and_reset_states(rng):
    layer = MinimalRNN(3, stateful=True, batch_input_shape=(2, 4, 2))
    layer.build((2, 4, 2))
    assert len(layer._state_variables) == 1
    assert tuple(layer.states[0].shape) == (2, 3)
    w = _randomize(layer, rng)
    x1 = rng.randn(2, 4, 2).astype('float32')
    x2 = rng.randn(2, 4, 2).astype('float32')
    layer(x1)
    out = np.asarray(layer(x2))
    _, ref = np_minimal_rnn(np.concatenate([x1, x2], 1), *w)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=ATOL)
    np.testing.assert_allclose(K.get_value(layer.states[0]), ref, rtol=1e-5, atol=ATOL)
    layer.reset_states()
    np.testing.assert_array_equal(K.get_value(layer.states[0]), 0.)
    h0 = rng.randn(2, 3).astype('float32')
    layer.reset_states(h0)
    out = np.asarray(layer(x1))
    np.testing.assert_allclose(out, np_minimal_rnn(x1, *w, h=h0)[1], rtol=1e-5, atol=ATOL)
    with pytest.raises(ValueError):
        layer.reset_states([h0, h0])
    with pytest.raises(ValueError):
        layer.reset_states(np.zeros((3, 3)))
    with pytest.raises(AttributeError):
        MinimalRNN(3).reset_states()
    with pytest.raises(ValueError):      # no batch size known
        MinimalRNN(3, stateful=True).build((None, 4, 2))


def test_stateful_model_predict_and_reset(rng):
    model = Sequential([ScaledAccumulator(2, scale=0.3, stateful=True,
                                          batch_input_shape=(2, 3, 4))])
    layer = model.layers[0]
    assert len(layer._state_variables) == 2
    kernel, = _randomize(layer, rng)
    x1 = rng.randn(2, 3, 4).astype('float32')
    x2 = rng.randn(2, 3, 4).astype('float32')
    p1 = model.predict(x1, batch_size=2)
    p2 = model.predict(x2, batch_size=2)
    _, h_ref, c_ref = np_accumulator(np.concatenate([x1, x2], 1), kernel, 0.3)
    np.testing.assert_allclose(p1, np_accumulator(x1, kernel, 0.3)[1], rtol=1e-5, atol=ATOL)
    np.testing.assert_allclose(p2, h_ref, rtol=1e-5, atol=ATOL)
    np.testing.assert_allclose(K.get_value(layer.states[1]), c_ref, rtol=1e-5, atol=ATOL)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x1, batch_size=2), p1, rtol=1e-6, atol=1e-6)


def test_stateful_without_states_created_is_an_error(rng):
    class Forgetful(MinimalRNN):
        def build(self, input_shape):
            super(Forgetful, self).build(input_shape)
            self.states = [None]
    layer = Forgetful(2, stateful=True)
    with pytest.raises(ValueError, match='reset_states'):
        layer(rng.randn(2, 3, 2).astype('float32'))


def test_unroll_needs_known_timesteps():
    with pytest.raises(ValueError, match='unroll'):
        MinimalRNN(2, unroll=True)(layers.Input((None, 3)))


def test_recurrent_config_round_trip():
    layer = MinimalRNN(5, return_sequences=True, return_state=True, go_backwards=True,
                       stateful=False, unroll=True, implementation=2, name='minimal')
    config = layer.get_config()
    for key, value in [('return_sequences', True), ('return_state', True),
                       ('go_backwards', True), ('stateful', False), ('unroll', True),
                       ('implementation', 2), ('units', 5), ('name', 'minimal')]:
        assert config[key] == value
    clone = MinimalRNN.from_config(config)
    assert clone.get_config() == config
    clone = layers.deserialize({'class_name': 'MinimalRNN', 'config': config},
                               custom_objects={'MinimalRNN': MinimalRNN})
    assert isinstance(clone, MinimalRNN) and clone.get_config() == config
    assert Recurrent().get_config()['implementation'] == 0


def test_recurrent_subclass_saved_and_loaded(rng, tmp_path):
    model = Sequential([MinimalRNN(3, input_shape=(4, 2), name='rnn')])
    _randomize(model.layers[0], rng)
    x = rng.randn(2, 4, 2).astype('float32')
    path = str(tmp_path / 'rnn.h5')
    model.save(path)
    loaded = _quiet(load_model, path, custom_objects={'MinimalRNN': MinimalRNN})
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6, atol=1e-6)


# ====================================================================== ConvRecurrent2D
class MinimalConvRNN(ConvRecurrent2D):
    """h_t = tanh(conv(x_t, kernel) + conv_same(h_{t-1}, recurrent_kernel) + bias)."""

    def __init__(self, filters, kernel_size, **kwargs):
        super(MinimalConvRNN, self).__init__(filters, kernel_size, **kwargs)

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        channel_axis = 2 if self.data_format == 'channels_first' else -1
        channels = input_shape[channel_axis]
        batch_size = input_shape[0] if self.stateful else None
        self.input_spec[0] = InputSpec(shape=(batch_size, None) + tuple(input_shape[2:]))
        self.states = [None]
        self.kernel = self.add_weight(name='kernel',
                                      shape=self.kernel_size + (channels, self.filters),
                                      initializer='glorot_uniform')
        self.recurrent_kernel = self.add_weight(name='recurrent_kernel',
                                                shape=(3, 3, self.filters, self.filters),
                                                initializer='glorot_uniform')
        self.bias = self.add_weight(name='bias', shape=(self.filters,), initializer='zeros')
        if self.stateful:
            self.reset_states()
        self.built = True

    def step(self, inputs, states):
        z = K.conv2d(inputs, self.kernel, strides=self.strides, padding=self.padding,
                     data_format=self.data_format, dilation_rate=self.dilation_rate)
        z = z + K.conv2d(states[0], self.recurrent_kernel, padding='same',
                         data_format=self.data_format)
        h = K.tanh(K.bias_add(z, self.bias, data_format=self.data_format))
        return h, [h]


def np_conv2d(x, kernel, stride=1, padding='valid'):
    """channels_last cross-correlation (as Keras convolutions are)."""
    kh, kw = kernel.shape[:2]
    if padding == 'same':
        x = np.pad(x, [(0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)])
    rows = (x.shape[1] - kh) // stride + 1
    cols = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], rows, cols, kernel.shape[3]), 'float32')
    for i in range(rows):
        for j in range(cols):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return out


def np_conv_rnn(x, kernel, recurrent_kernel, bias, stride=1, h=None, go_backwards=False):
    outs = []
    steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    for i in steps:
        z = np_conv2d(x[:, i], kernel, stride)
        if h is None:
            h = np.zeros_like(z)
        h = np.tanh(z + np_conv2d(h, recurrent_kernel, padding='same') + bias)
        outs.append(h)
    return np.stack(outs, 1), h


def test_conv_recurrent_base_attributes_and_config():
    layer = ConvRecurrent2D(6, 3, strides=2, padding='SAME', data_format='channels_first',
                            dilation_rate=1, return_sequences=True, go_backwards=True,
                            stateful=False, return_state=True, unroll=True, name='crnn')
    assert layer.kernel_size == (3, 3) and layer.strides == (2, 2)
    assert layer.padding == 'same' and layer.dilation_rate == (1, 1)
    assert layer.input_spec[0].ndim == 5 and layer.state_spec is None
    config = layer.get_config()
    for key, value in [('filters', 6), ('kernel_size', (3, 3)), ('strides', (2, 2)),
                       ('padding', 'same'), ('data_format', 'channels_first'),
                       ('dilation_rate', (1, 1)), ('return_sequences', True),
                       ('go_backwards', True), ('stateful', False), ('return_state', True),
                       ('unroll', True), ('implementation', 0)]:
        assert config[key] == value
    clone = ConvRecurrent2D.from_config(config)
    assert clone.get_config() == config
    assert ConvRecurrent2D(2, (1, 2)).data_format == K.image_data_format()


def test_conv_recurrent_compute_output_shape():
    layer = ConvRecurrent2D(4, (3, 3), strides=(2, 2), data_format='channels_last')
    assert layer.compute_output_shape((None, 7, 10, 12, 3)) == (None, 4, 5, 4)
    layer.return_sequences = True
    assert layer.compute_output_shape([(None, 7, 10, 12, 3)]) == (None, 7, 4, 5, 4)
    layer = ConvRecurrent2D(4, (3, 3), dilation_rate=(2, 2), data_format='channels_first',
                            return_state=True)
    layer.states = [None, None]
    assert layer.compute_output_shape((8, 7, 3, 10, 12)) == [(8, 4, 6, 8), (8, 4, 6, 8),
                                                            (8, 4, 6, 8)]
    layer = ConvRecurrent2D(4, (3, 5), padding='same', data_format='channels_first',
                            return_sequences=True)
    assert layer.compute_output_shape((None, None, 3, 10, None)) == (None, None, 4, 10, None)


@pytest.mark.parametrize('stride,return_sequences,go_backwards',
                         [(1, True, False), (2, False, True), (1, False, False)])
def test_minimal_conv_rnn_matches_numpy(rng, stride, return_sequences, go_backwards):
    x = rng.randn(2, 3, 7, 6, 2).astype('float32')
    layer = MinimalConvRNN(3, (3, 2), strides=stride, data_format='channels_last',
                           return_sequences=return_sequences, go_backwards=go_backwards)
    layer.build(x.shape)
    w = _randomize(layer, rng)
    out = np.asarray(layer(x))
    seq, h = np_conv_rnn(x, *w, stride=stride, go_backwards=go_backwards)
    np.testing.assert_allclose(out, seq if return_sequences else h, rtol=1e-5, atol=ATOL)
    assert out.shape == layer.compute_output_shape(x.shape)


def test_minimal_conv_rnn_channels_first_model(rng):
    x = rng.randn(2, 3, 2, 6, 5).astype('float32')      # (batch, time, channels, rows, cols)
    inp = layers.Input((3, 2, 6, 5))
    layer = MinimalConvRNN(4, 3, data_format='channels_first', return_sequences=True)
    model = Model(inp, layer(inp))
    assert model.output_shape == (None, 3, 4, 4, 3)
    w = _randomize(layer, rng)
    seq, _ = np_conv_rnn(np.transpose(x, (0, 1, 3, 4, 2)), *w)
    np.testing.assert_allclose(model.predict(x), np.transpose(seq, (0, 1, 4, 2, 3)),
                               rtol=1e-5, atol=ATOL)


def test_minimal_conv_rnn_stateful(rng):
    layer = MinimalConvRNN(2, 3, data_format='channels_last', stateful=True)
    layer.build((2, 2, 5, 6, 1))
    assert tuple(layer.states[0].shape) == (2, 3, 4, 2)
    w = _randomize(layer, rng)
    x1 = rng.randn(2, 2, 5, 6, 1).astype('float32')
    x2 = rng.randn(2, 2, 5, 6, 1).astype('float32')
    layer(x1)
    out = np.asarray(layer(x2))
    _, ref = np_conv_rnn(np.concatenate([x1, x2], 1), *w)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=ATOL)
    layer.reset_states()
    np.testing.assert_array_equal(K.get_value(layer.states[0]), 0.)
    np.testing.assert_allclose(np.asarray(layer(x1)), np_conv_rnn(x1, *w)[1],
                               rtol=1e-5, atol=ATOL)


def test_legacy_layers_pass_layer_test_with_their_unbuilt_weights():
    # layer_test hands the (empty) weights of an unbuilt layer back as `weights=`
    from keras.utils.test_utils import layer_test
    from keras.legacy import layers as legacy_layers
    out = layer_test(legacy_layers.Highway, kwargs={}, input_shape=(3, 2))
    assert out.shape == (3, 2)
    out = layer_test(legacy_layers.MaxoutDense, kwargs={'output_dim': 3}, input_shape=(3, 2))
    assert out.shape == (3, 3)
