"""Behaviour of the recurrent layers: configs, statefulness, dropout, custom cells,
constants, symbolic initial states, masking, training, CuDNN layouts, ConvLSTM2D and
Bidirectional.  Numbers are checked against NumPy references."""
import numpy as np
import pytest

from keras import backend as K
from keras import layers, optimizers, regularizers
from keras.layers.cudnn_recurrent import _convert_rnn_weights
from keras.models import Model, Sequential


def _sigmoid(x):
    return 1. / (1. + np.exp(-x))


def _hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0., 1.)


def np_lstm(x, kernel, recurrent_kernel, bias, h=None, c=None, ra=_hard_sigmoid):
    """NumPy LSTM (gate order i, f, c, o); returns (outputs (b, t, u), h, c)."""
    u = recurrent_kernel.shape[0]
    b = x.shape[0]
    h = np.zeros((b, u), 'float32') if h is None else h
    c = np.zeros((b, u), 'float32') if c is None else c
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias
        i, f, g, o = ra(z[:, :u]), ra(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), ra(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1), h, c


def np_simple_rnn(x, kernel, recurrent_kernel, bias, h=None):
    h = np.zeros((x.shape[0], recurrent_kernel.shape[0]), 'float32') if h is None else h
    outs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        outs.append(h)
    return np.stack(outs, 1), h


def _randomize(layer, rng, scale=0.5):
    layer.set_weights([rng.uniform(-scale, scale, w.shape).astype('float32')
                       for w in layer.get_weights()])
    return layer.get_weights()


@pytest.fixture
def rng():
    return np.random.RandomState(1234)


# ---------------------------------------------------------------------- configs
@pytest.mark.parametrize('make', [
    lambda: layers.SimpleRNN(4, activation='relu', dropout=0.2, return_sequences=True,
                             kernel_regularizer=regularizers.l2(0.01)),
    lambda: layers.GRU(3, reset_after=True, recurrent_activation='sigmoid', implementation=2,
                       go_backwards=True, return_state=True),
    lambda: layers.LSTM(5, unit_forget_bias=False, recurrent_dropout=0.1, unroll=True,
                        stateful=True, batch_input_shape=(2, 3, 4)),
    lambda: layers.ConvLSTM2D(2, (3, 3), padding='same', data_format='channels_first',
                              return_sequences=True),
    lambda: layers.CuDNNLSTM(3, return_sequences=True),
    lambda: layers.CuDNNGRU(3, return_state=True),
    lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode='sum'),
    lambda: layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_state=True),
    lambda: layers.RNN(layers.SimpleRNNCell(3), go_backwards=True),
])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = layer.__class__.from_config(config)
    assert clone.get_config() == config
    clone2 = layers.deserialize(layers.serialize(layer))
    assert clone2.__class__ is layer.__class__
    assert clone2.get_config() == config


def test_config_keys_keras224():
    config = layers.LSTM(3).get_config()
    for key in ('units', 'activation', 'recurrent_activation', 'use_bias', 'unit_forget_bias',
                'implementation', 'return_sequences', 'return_state', 'go_backwards',
                'stateful', 'unroll', 'dropout', 'recurrent_dropout', 'activity_regularizer'):
        assert key in config
    assert 'cell' not in config
    assert config['recurrent_activation'] == 'hard_sigmoid'
    assert config['implementation'] == 1
    assert layers.GRU(3).get_config()['reset_after'] is False
    rnn_config = layers.RNN(layers.LSTMCell(2)).get_config()
    assert rnn_config['cell']['class_name'] == 'LSTMCell'
    bidi = layers.Bidirectional(layers.GRU(2), merge_mode='ave').get_config()
    assert bidi['merge_mode'] == 'ave' and bidi['layer']['class_name'] == 'GRU'


def test_bad_arguments():
    with pytest.raises(ValueError, match='units'):
        layers.LSTM(0)
    with pytest.raises(ValueError, match='implementation'):
        layers.GRU(3, implementation=3)
    with pytest.raises(ValueError, match='cell'):
        layers.RNN(object())
    with pytest.raises(TypeError, match='foo'):
        layers.LSTM(3, foo=1)
    with pytest.raises(TypeError, match='dropout'):
        layers.SimpleRNN(3, dropout='a lot')
    with pytest.raises(ValueError, match='merge_mode'):
        layers.Bidirectional(layers.LSTM(3), merge_mode='max')
    with pytest.raises(TypeError, match='unroll'):
        layers.ConvLSTM2D(2, 3, unroll=True)
    with pytest.raises(ValueError, match='unroll'):
        layers.LSTM(2, unroll=True)(layers.Input((None, 3)))
    with pytest.raises(ValueError, match='batch size'):
        layers.LSTM(2, stateful=True)(layers.Input((4, 3)))   # no batch size
    with pytest.raises(AttributeError, match='stateful'):
        layers.LSTM(2).reset_states()


def test_weight_names_and_layout():
    layer = layers.LSTM(3, name='lstm_x')
    layer.build((None, 5, 4))
    assert [w.name for w in layer.weights] == ['lstm_x/kernel', 'lstm_x/recurrent_kernel',
                                               'lstm_x/bias']
    gru = layers.GRU(2, reset_after=True)
    gru.build((None, 5, 4))
    assert [w.shape for w in gru.weights] == [(4, 6), (2, 6), (2, 6)]
    # unit_forget_bias: forget-gate slice of the bias starts at one
    np.testing.assert_array_equal(layer.get_weights()[2], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    cudnn = layers.CuDNNLSTM(2)
    cudnn.build((None, 5, 4))
    assert [w.shape for w in cudnn.weights] == [(4, 8), (2, 8), (16,)]
    np.testing.assert_array_equal(cudnn.get_weights()[2], [0] * 10 + [1, 1] + [0] * 4)


def test_regularizer_losses():
    layer = layers.LSTM(3, kernel_regularizer=regularizers.l2(0.1),
                        activity_regularizer=regularizers.l1(0.01))
    layer.build((None, 4, 2))
    assert len(layer.losses) == 1
    kernel = layer.get_weights()[0]
    np.testing.assert_allclose(float(layer.losses[0]), 0.1 * np.sum(kernel ** 2), rtol=1e-5)


# ---------------------------------------------------------------------- numerics
def test_lstm_matches_numpy_and_initial_state(rng):
    x = rng.randn(2, 4, 3).astype('float32')
    h0 = rng.randn(2, 5).astype('float32')
    c0 = rng.randn(2, 5).astype('float32')
    layer = layers.LSTM(5, return_sequences=True, return_state=True)
    layer.build(x.shape)
    w = _randomize(layer, rng)
    seq, h, c = layer(x, initial_state=[h0, c0])
    ref_seq, ref_h, ref_c = np_lstm(x, *w, h=h0, c=c0)
    np.testing.assert_allclose(np.asarray(seq), ref_seq, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(h), ref_h, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(c), ref_c, rtol=1e-5, atol=1e-5)


def test_symbolic_initial_state_becomes_graph_input(rng):
    x = rng.randn(3, 4, 2).astype('float32')
    h0 = rng.randn(3, 3).astype('float32')
    inp = layers.Input((4, 2))
    state_in = layers.Input((3,))
    layer = layers.SimpleRNN(3, return_sequences=True)
    out = layer(inp, initial_state=state_in)
    node = layer._inbound_nodes[-1]
    assert len(node.input_tensors) == 2
    model = Model([inp, state_in], out)
    w = _randomize(layer, rng)
    ref, _ = np_simple_rnn(x, *w, h=h0)
    np.testing.assert_allclose(model.predict([x, h0]), ref, rtol=1e-5, atol=1e-5)
    # the positional form [x, h0] is the same call
    layer2 = layers.SimpleRNN(3, return_sequences=True)
    out2 = layer2([inp, state_in])
    assert len(layer2._inbound_nodes[-1].input_tensors) == 2
    # the model config lists the state as an inbound tensor and rebuilds
    clone = Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict([x, h0]), ref, rtol=1e-5, atol=1e-5)
    assert out2.shape == (None, 4, 3)
    # wrong number of states
    with pytest.raises(ValueError):
        layers.LSTM(3)(inp, initial_state=[state_in])


def test_numpy_initial_state_on_symbolic_input_is_rejected_when_mixed(rng):
    inp = layers.Input((4, 2))
    s = layers.Input((3,))
    with pytest.raises(ValueError):
        layers.LSTM(3)(inp, initial_state=[s, np.zeros((1, 3), 'float32')])


class MinimalRNNCell(layers.Layer):
    """The Keras 2.2 documentation example cell."""

    def __init__(self, units, **kwargs):
        self.units = units
        self.state_size = units
        super(MinimalRNNCell, self).__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer='uniform', name='kernel')
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer='uniform', name='recurrent_kernel')
        self.built = True

    def call(self, inputs, states):
        prev_output = states[0]
        h = K.dot(inputs, self.kernel)
        output = h + K.dot(prev_output, self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        config = super(MinimalRNNCell, self).get_config()
        config['units'] = self.units
        return config


def test_custom_python_cell(rng):
    x = rng.randn(2, 5, 3).astype('float32')
    inp = layers.Input((None, 3))
    layer = layers.RNN(MinimalRNNCell(4), return_sequences=True)
    model = Model(inp, layer(inp))
    kernel, rec = _randomize(layer, rng)
    h = np.zeros((2, 4), 'float32')
    ref = []
    for t in range(5):
        h = x[:, t] @ kernel + h @ rec
        ref.append(h)
    np.testing.assert_allclose(model.predict(x), np.stack(ref, 1), rtol=1e-5, atol=1e-5)
    clone = Model.from_config(model.get_config(), custom_objects={'MinimalRNNCell': MinimalRNNCell})
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)
    # stacked python cells
    stacked = layers.RNN([MinimalRNNCell(4), MinimalRNNCell(2)])
    assert stacked(layers.Input((None, 3))).shape == (None, 2)


class CellWithConstants(layers.Layer):
    def __init__(self, units, **kwargs):
        self.units = units
        self.state_size = units
        super(CellWithConstants, self).__init__(**kwargs)

    def build(self, input_shape):
        input_shape, constant_shape = input_shape[0], input_shape[1]
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer='uniform', name='kernel')
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer='uniform', name='recurrent_kernel')
        self.constant_kernel = self.add_weight(shape=(constant_shape[-1], self.units),
                                               initializer='uniform', name='constant_kernel')
        self.built = True

    def call(self, inputs, states, constants):
        output = (K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel) +
                  K.dot(constants[0], self.constant_kernel))
        return output, [output]

    def get_config(self):
        config = super(CellWithConstants, self).get_config()
        config['units'] = self.units
        return config


def test_constants(rng):
    x = rng.randn(2, 3, 4).astype('float32')
    cst = rng.randn(2, 5).astype('float32')
    inp = layers.Input((3, 4))
    c_in = layers.Input((5,))
    layer = layers.RNN(CellWithConstants(2))
    out = layer(inp, constants=c_in)
    assert len(layer._inbound_nodes[-1].input_tensors) == 2
    model = Model([inp, c_in], out)
    kernel, rec, ck = _randomize(layer, rng)
    h = np.zeros((2, 2), 'float32')
    for t in range(3):
        h = x[:, t] @ kernel + h @ rec + cst @ ck
    np.testing.assert_allclose(model.predict([x, cst]), h, rtol=1e-5, atol=1e-5)
    # concrete call with numpy constants
    np.testing.assert_allclose(np.asarray(layer(x, constants=cst)), h, rtol=1e-5, atol=1e-5)
    config = layer.get_config()
    assert config['num_constants'] == 1
    clone = Model.from_config(model.get_config(),
                              custom_objects={'CellWithConstants': CellWithConstants})
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict([x, cst]), h, rtol=1e-5, atol=1e-5)
    # initial state and constants together
    s_in = layers.Input((2,))
    layer2 = layers.RNN(CellWithConstants(2))
    out2 = layer2(inp, initial_state=s_in, constants=c_in)
    assert len(layer2._inbound_nodes[-1].input_tensors) == 3
    m2 = Model([inp, s_in, c_in], out2)
    m2.set_weights(model.get_weights())
    h0 = rng.randn(2, 2).astype('float32')
    h = h0
    for t in range(3):
        h = x[:, t] @ kernel + h @ rec + cst @ ck
    np.testing.assert_allclose(m2.predict([x, h0, cst]), h, rtol=1e-5, atol=1e-5)
    # a cell without `constants` refuses them
    with pytest.raises(ValueError):
        layers.RNN(MinimalRNNCell(2))(inp, constants=c_in)


def test_stacked_cells_equal_stacked_layers_keras224_state_order(rng):
    x = rng.randn(2, 4, 3).astype('float32')
    for reverse in (False, True):
        cells = layers.StackedRNNCells([layers.LSTMCell(4), layers.LSTMCell(2)],
                                       reverse_state_order=reverse)
        rnn = layers.RNN(cells, return_state=True)
        out = rnn(x)
        w = _randomize(rnn, rng)
        out, s0, s1, s2, s3 = rnn(x)
        seq1, h1, c1 = np_lstm(x, *w[:3])
        _, h2, c2 = np_lstm(seq1, *w[3:])
        np.testing.assert_allclose(np.asarray(out), h2, rtol=1e-5, atol=1e-5)
        # Keras 2.2.4: the cells' states in cell order; reverse_state_order: the last first
        expected = [h2, c2, h1, c1] if reverse else [h1, c1, h2, c2]
        for got, ref in zip([s0, s1, s2, s3], expected):
            np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-5, atol=1e-5)
        assert rnn.cell.state_size == ((2, 2, 4, 4) if reverse else (4, 4, 2, 2))
        assert rnn.compute_output_shape((None, 4, 3))[0] == (None, 2)
    config = cells.get_config()
    assert config['reverse_state_order'] is True
    assert layers.StackedRNNCells.from_config(config).reverse_state_order


# ---------------------------------------------------------------------- masking
def test_masking_embedding_mask_zero_carries_state(rng):
    tokens = np.array([[0, 0, 3, 4, 1], [5, 2, 6, 1, 2]], 'int32')
    inp = layers.Input((5,), dtype='int32')
    emb = layers.Embedding(8, 3, mask_zero=True)
    lstm = layers.LSTM(4, return_sequences=True)
    model = Model(inp, lstm(emb(inp)))
    out = model.predict(tokens)
    e = emb.get_weights()[0]
    seq, _, _ = np_lstm(e[tokens[:1, 2:]], *lstm.get_weights())
    # leading masked steps output zeros; the rest equals the unpadded sequence
    np.testing.assert_allclose(out[0, :2], 0., atol=1e-7)
    np.testing.assert_allclose(out[0, 2:], seq[0], rtol=1e-5, atol=1e-5)
    # trailing mask repeats the previous output (Keras 2.2.4)
    tokens2 = np.array([[3, 4, 0, 0, 0]], 'int32')
    out2 = model.predict(tokens2)
    for t in (2, 3, 4):
        np.testing.assert_allclose(out2[0, t], out2[0, 1], rtol=1e-6)


def test_masking_layer_and_mask_propagation(rng):
    x = rng.randn(2, 4, 3).astype('float32')
    x[1, 2:] = 0.
    inp = layers.Input((4, 3))
    masked = layers.Masking(0.)(inp)
    seq = layers.SimpleRNN(2, return_sequences=True)(masked)
    assert seq._keras_mask is not None
    last = layers.SimpleRNN(2)(masked)
    assert last._keras_mask is None
    model = Model(inp, [seq, last])
    s, l = model.predict(x)
    np.testing.assert_allclose(s[1, 2], s[1, 1], rtol=1e-6)
    np.testing.assert_allclose(s[1, 3], s[1, 1], rtol=1e-6)


def test_cudnn_rejects_mask():
    x = np.ones((1, 3, 2), 'float32')
    with pytest.raises(ValueError):
        layers.CuDNNLSTM(2)(x, mask=np.ones((1, 3), bool))


# ---------------------------------------------------------------------- dropout
def test_dropout_training_vs_inference_mask_fixed_over_time():
    units, steps = 64, 6
    layer = layers.SimpleRNN(units, activation=None, use_bias=False, dropout=0.5,
                             return_sequences=True)
    layer.build((None, steps, units))
    layer.set_weights([np.eye(units, dtype='float32'), np.zeros((units, units), 'float32')])
    x = np.ones((3, steps, units), 'float32')
    inference = np.asarray(layer(x, training=False))
    np.testing.assert_allclose(inference, 1.)
    train = np.asarray(layer(x, training=True))
    assert set(np.unique(train)) <= {0., 2.}
    assert 0 < np.mean(train == 0.) < 1
    # the same mask at every time step, different masks across samples
    for t in range(1, steps):
        np.testing.assert_array_equal(train[:, t], train[:, 0])
    assert not np.array_equal(train[0, 0], train[1, 0])


def test_recurrent_dropout_mask_fixed_over_time():
    units, steps = 32, 4
    layer = layers.SimpleRNN(units, activation=None, use_bias=False, recurrent_dropout=0.5,
                             return_sequences=True)
    layer.build((None, steps, units))
    layer.set_weights([np.eye(units, dtype='float32'), np.eye(units, dtype='float32')])
    train = np.asarray(layer(np.ones((2, steps, units), 'float32'), training=True))
    # h_t = 1 + m * h_{t-1} with one fixed m in {0, 2} per unit
    def units_with_mask_value(m):
        expected = [1.]
        for _ in range(steps - 1):
            expected.append(1. + m * expected[-1])
        return np.all(np.isclose(train, np.array(expected)[None, :, None]), axis=1)

    zero_cols = units_with_mask_value(0.)
    two_cols = units_with_mask_value(2.)
    assert np.all(zero_cols | two_cols)
    assert zero_cols.any() and two_cols.any()


@pytest.mark.parametrize('make', [
    lambda: layers.LSTM(3, dropout=0.3, recurrent_dropout=0.3, implementation=2),
    lambda: layers.GRU(3, dropout=0.3, recurrent_dropout=0.3, reset_after=True),
])
def test_dropout_gated_layers(make):
    layer = make()
    x = np.random.RandomState(0).randn(4, 5, 2).astype('float32')
    a = np.asarray(layer(x, training=False))
    b = np.asarray(layer(x, training=False))
    np.testing.assert_array_equal(a, b)
    c = np.asarray(layer(x, training=True))
    assert not np.allclose(a, c)


# ---------------------------------------------------------------------- stateful
def _stateful_model(units=3, batch=2, steps=4, dim=5):
    model = Sequential([layers.LSTM(units, stateful=True, batch_input_shape=(batch, steps, dim),
                                    return_sequences=False)])
    return model


def test_stateful_predict_carries_state_and_reset(rng):
    model = _stateful_model()
    lstm = model.layers[0]
    assert len(lstm._state_variables) == 2
    w = _randomize(lstm, rng)
    x1 = rng.randn(2, 4, 5).astype('float32')
    x2 = rng.randn(2, 4, 5).astype('float32')
    p1 = model.predict(x1, batch_size=2)
    p2 = model.predict(x2, batch_size=2)
    _, h_ref, c_ref = np_lstm(np.concatenate([x1, x2], 1), *w)
    np.testing.assert_allclose(p1, np_lstm(x1, *w)[1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(p2, h_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(K.get_value(lstm.states[0]), h_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(K.get_value(lstm.states[1]), c_ref, rtol=1e-5, atol=1e-5)
    model.reset_states()
    np.testing.assert_array_equal(K.get_value(lstm.states[0]), 0.)
    np.testing.assert_allclose(model.predict(x1, batch_size=2), p1, rtol=1e-6)
    # reset to given values
    h0 = rng.randn(2, 3).astype('float32')
    c0 = rng.randn(2, 3).astype('float32')
    lstm.reset_states([h0, c0])
    np.testing.assert_allclose(model.predict(x1, batch_size=2),
                               np_lstm(x1, *w, h=h0, c=c0)[1], rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError):
        lstm.reset_states([h0])
    with pytest.raises(ValueError):
        lstm.reset_states([h0, np.zeros((3, 3))])
    # several batches in one predict call: sample slot i continues across batches
    model.reset_states()
    x = rng.randn(4, 4, 5).astype('float32')
    out = model.predict(x, batch_size=2)
    np.testing.assert_allclose(out[2:], np_lstm(np.concatenate([x[:2], x[2:]], 1), *w)[1],
                               rtol=1e-5, atol=1e-5)


def test_stateful_direct_call_updates_states(rng):
    layer = layers.SimpleRNN(2, stateful=True, batch_input_shape=(1, 3, 2))
    layer.build((1, 3, 2))
    w = _randomize(layer, rng)
    x = rng.randn(1, 3, 2).astype('float32')
    layer(x)
    second = np.asarray(layer(x))
    np.testing.assert_allclose(second, np_simple_rnn(np.concatenate([x, x], 1), *w)[1],
                               rtol=1e-5, atol=1e-5)


def test_stateful_training_shuffle_false_carries_across_batches(rng):
    model = _stateful_model(units=2, batch=2, steps=3, dim=2)
    model.compile(optimizers.SGD(lr=0.0), 'mse')
    lstm = model.layers[0]
    w = _randomize(lstm, rng)
    x = rng.randn(4, 3, 2).astype('float32')
    y = rng.randn(4, 2).astype('float32')
    model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    # with lr=0 the weights stay; the states went through batch 1 then batch 2
    _, h_ref, c_ref = np_lstm(np.concatenate([x[:2], x[2:]], 1), *w)
    np.testing.assert_allclose(K.get_value(lstm.states[0]), h_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(K.get_value(lstm.states[1]), c_ref, rtol=1e-5, atol=1e-5)


def test_stateful_bidirectional_and_convlstm(rng):
    bidi = layers.Bidirectional(layers.GRU(2, stateful=True), batch_input_shape=(2, 3, 2))
    model = Sequential([bidi])
    x = rng.randn(2, 3, 2).astype('float32')
    a = model.predict(x, batch_size=2)
    b = model.predict(x, batch_size=2)
    assert not np.allclose(a, b)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x, batch_size=2), a, rtol=1e-6)
    conv = layers.ConvLSTM2D(2, (3, 3), padding='same', stateful=True,
                             batch_input_shape=(1, 2, 4, 4, 1))
    cm = Sequential([conv])
    xc = rng.randn(1, 2, 4, 4, 1).astype('float32')
    c1 = cm.predict(xc, batch_size=1)
    c2 = cm.predict(xc, batch_size=1)
    assert c1.shape == (1, 4, 4, 2) and not np.allclose(c1, c2)
    assert [s.shape for s in conv.states] == [(1, 4, 4, 2), (1, 4, 4, 2)]
    conv.reset_states()
    np.testing.assert_allclose(cm.predict(xc, batch_size=1), c1, rtol=1e-6)


# ---------------------------------------------------------------------- training
def test_lstm_text_model_trains(rng):
    n, steps, vocab = 64, 7, 20
    tokens = rng.randint(1, vocab, size=(n, steps)).astype('int32')
    lengths = rng.randint(2, steps + 1, size=n)
    for i, length in enumerate(lengths):
        tokens[i, :steps - length] = 0
    labels = (np.sum(tokens == 3, axis=1) > 0).astype('float32')
    model = Sequential([layers.Embedding(vocab, 8, mask_zero=True, input_length=steps),
                        layers.LSTM(8),
                        layers.Dense(1, activation='sigmoid')])
    model.compile(optimizers.Adam(lr=0.02), 'binary_crossentropy', metrics=['accuracy'])
    history = model.fit(tokens, labels, batch_size=16, epochs=8, verbose=0)
    losses = history.history['loss']
    assert losses[-1] < losses[0] * 0.9
    assert np.all(np.isfinite(losses))


def test_dropout_lstm_fit_runs(rng):
    model = Sequential([layers.LSTM(4, dropout=0.2, recurrent_dropout=0.2, input_shape=(5, 3)),
                        layers.Dense(1)])
    model.compile('sgd', 'mse')
    x = rng.randn(16, 5, 3).astype('float32')
    h = model.fit(x, rng.randn(16, 1).astype('float32'), batch_size=8, epochs=2, verbose=0)
    assert np.all(np.isfinite(h.history['loss']))


def test_time_distributed_conv_to_lstm(rng):
    inp = layers.Input((4, 6, 6, 1))
    x = layers.TimeDistributed(layers.Conv2D(2, (3, 3)))(inp)
    x = layers.TimeDistributed(layers.Flatten())(x)
    out = layers.LSTM(3)(x)
    model = Model(inp, out)
    assert model.output_shape == (None, 3)
    model.compile('sgd', 'mse')
    xs = rng.randn(4, 4, 6, 6, 1).astype('float32')
    model.fit(xs, rng.randn(4, 3).astype('float32'), epochs=1, batch_size=2, verbose=0)
    assert model.predict(xs).shape == (4, 3)


# ---------------------------------------------------------------------- CuDNN
def test_cudnn_lstm_weights_convert_equal_numerics(rng):
    x = rng.randn(3, 5, 4).astype('float32')
    cudnn = layers.CuDNNLSTM(3, return_sequences=True, return_state=True)
    cudnn.build(x.shape)
    w = _randomize(cudnn, rng)
    plain = layers.LSTM(3, recurrent_activation='sigmoid', return_sequences=True,
                        return_state=True)
    plain.build(x.shape)
    converted = _convert_rnn_weights(plain, w)
    plain.set_weights(converted)
    for a, b in zip(cudnn(x), plain(x)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    # independent reference: cuDNN reads each gate slice as a (units, input_dim) matrix
    u, d = 3, 4
    kernel = np.hstack([w[0][:, g * u:(g + 1) * u].reshape(u, d).T for g in range(4)])
    rec = np.hstack([w[1][:, g * u:(g + 1) * u].T for g in range(4)])
    ref_seq, ref_h, ref_c = np_lstm(x, kernel, rec, w[2][:4 * u] + w[2][4 * u:], ra=_sigmoid)
    seq, h, c = cudnn(x)
    np.testing.assert_allclose(np.asarray(seq), ref_seq, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(c), ref_c, rtol=1e-5, atol=1e-5)
    # back to the CuDNN layout: kernels round-trip exactly, biases keep their sum
    back = _convert_rnn_weights(cudnn, converted)
    np.testing.assert_allclose(back[0], w[0])
    np.testing.assert_allclose(back[1], w[1])
    np.testing.assert_allclose(back[2][:12] + back[2][12:], w[2][:12] + w[2][12:], rtol=1e-6)


def test_cudnn_gru_weights_convert_equal_numerics(rng):
    x = rng.randn(2, 4, 3).astype('float32')
    cudnn = layers.CuDNNGRU(5, return_sequences=True)
    cudnn.build(x.shape)
    w = _randomize(cudnn, rng)
    plain = layers.GRU(5, recurrent_activation='sigmoid', reset_after=True, return_sequences=True)
    plain.build(x.shape)
    plain.set_weights(_convert_rnn_weights(plain, w))
    np.testing.assert_allclose(np.asarray(cudnn(x)), np.asarray(plain(x)), rtol=1e-5, atol=1e-6)
    for a, b in zip(_convert_rnn_weights(cudnn, plain.get_weights()), w):
        np.testing.assert_allclose(a, b)
    with pytest.raises(ValueError):
        _convert_rnn_weights(layers.GRU(5), w)   # reset_after=False is not compatible
    # go_backwards (as used by Bidirectional) and a symbolic model
    inp = layers.Input((4, 3))
    bidi = layers.Bidirectional(layers.CuDNNGRU(5), merge_mode='concat')
    model = Model(inp, bidi(inp))
    assert model.predict(x).shape == (2, 10)


# ---------------------------------------------------------------------- ConvLSTM2D
def test_conv_lstm_channels_first_matches_channels_last(rng):
    x = rng.randn(2, 3, 5, 4, 2).astype('float32')
    last = layers.ConvLSTM2D(3, (3, 2), padding='same', return_sequences=True,
                             data_format='channels_last')
    first = layers.ConvLSTM2D(3, (3, 2), padding='same', return_sequences=True,
                              data_format='channels_first')
    last.build(x.shape)
    xf = np.transpose(x, (0, 1, 4, 2, 3))
    first.build(xf.shape)
    w = _randomize(last, rng)
    first.set_weights(w)
    y_last = np.asarray(last(x))
    y_first = np.asarray(first(xf))
    np.testing.assert_allclose(np.transpose(y_first, (0, 1, 3, 4, 2)), y_last,
                               rtol=1e-5, atol=1e-5)
    assert first.compute_output_shape(xf.shape) == y_first.shape
    inp = layers.Input((None, 5, 4, 2))
    out, h, c = layers.ConvLSTM2D(2, 3, strides=2, return_state=True)(inp)
    assert out.shape == (None, 2, 1, 2) and h.shape == c.shape == (None, 2, 1, 2)


# ---------------------------------------------------------------------- Bidirectional
def test_bidirectional_weights_state_and_initial_state(rng):
    x = rng.randn(2, 4, 3).astype('float32')
    inner = layers.LSTM(2, return_sequences=True, return_state=True)
    bidi = layers.Bidirectional(inner, merge_mode='concat')
    inp = layers.Input((4, 3))
    outs = bidi(inp)
    assert len(outs) == 5
    assert outs[0].shape == (None, 4, 4) and outs[1].shape == (None, 2)
    w = _randomize(bidi, rng)
    assert len(w) == 6
    assert bidi.forward_layer.name.startswith('forward_')
    assert bidi.weights[0].name.startswith(bidi.name + '/forward_')
    model = Model(inp, outs)
    seq, fh, fc, bh, bc = model.predict(x)
    f_seq, f_h, f_c = np_lstm(x, *w[:3])
    b_seq, b_h, b_c = np_lstm(x[:, ::-1], *w[3:])
    np.testing.assert_allclose(seq, np.concatenate([f_seq, b_seq[:, ::-1]], -1),
                               rtol=1e-5, atol=1e-5)
    for got, ref in zip([fh, fc, bh, bc], [f_h, f_c, b_h, b_c]):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
    # symbolic initial state: [forward h, c, backward h, c]
    states = [layers.Input((2,)) for _ in range(4)]
    bidi2 = layers.Bidirectional(layers.LSTM(2), merge_mode='sum', weights=w)
    out2 = bidi2(inp, initial_state=states)
    assert len(bidi2._inbound_nodes[-1].input_tensors) == 5
    m2 = Model([inp] + states, out2)
    s = [rng.randn(2, 2).astype('float32') for _ in range(4)]
    f = np_lstm(x, *w[:3], h=s[0], c=s[1])[1]
    b = np_lstm(x[:, ::-1], *w[3:], h=s[2], c=s[3])[1]
    np.testing.assert_allclose(m2.predict([x] + s), f + b, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError):
        layers.Bidirectional(layers.LSTM(2))(inp, initial_state=states[:3])
    # config round trip keeps the wrapped layer
    clone = layers.Bidirectional.from_config(bidi.get_config())
    assert clone.forward_layer.return_state and clone.backward_layer.go_backwards


def test_bidirectional_trainable_and_masks():
    bidi = layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True), merge_mode=None)
    inp = layers.Input((3, 2))
    masked = layers.Masking()(inp)
    f, b = bidi(masked)
    assert f._keras_mask is not None and b._keras_mask is not None
    assert len(bidi.trainable_weights) == 6
    bidi.trainable = False
    assert bidi.trainable_weights == [] and len(bidi.non_trainable_weights) == 6
    assert not bidi.forward_layer.trainable and not bidi.backward_layer.trainable


def test_stateful_evaluate_and_test_on_batch_carry_state(rng):
    """Keras 2.2.4 runs the state updates in its test function too."""
    model = _stateful_model()
    model.compile(optimizers.SGD(lr=0.0), 'mse')
    lstm = model.layers[0]
    w = _randomize(lstm, rng)
    x1 = rng.randn(2, 4, 5).astype('float32')
    x2 = rng.randn(2, 4, 5).astype('float32')
    y = rng.randn(2, 3).astype('float32')
    first = model.test_on_batch(x1, y)
    second = model.test_on_batch(x2, y)
    h1 = np_lstm(x1, *w)[1]
    h2 = np_lstm(np.concatenate([x1, x2], 1), *w)[1]
    np.testing.assert_allclose(first, np.mean((h1 - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(second, np.mean((h2 - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(K.get_value(lstm.states[0]), h2, rtol=1e-5, atol=1e-5)
    # evaluate over two batches continues sample slots across batches
    model.reset_states()
    x = np.concatenate([x1, x2])
    yy = np.concatenate([y, y])
    loss = model.evaluate(x, yy, batch_size=2, verbose=0)
    np.testing.assert_allclose(loss, (np.mean((h1 - y) ** 2) + np.mean((h2 - y) ** 2)) / 2,
                               rtol=1e-5)
    np.testing.assert_allclose(K.get_value(lstm.states[0]), h2, rtol=1e-5, atol=1e-5)


def test_activity_regularizer_of_an_eager_call_is_conditional_on_its_inputs():
    from keras import backend as K
    layer = layers.SimpleRNN(2, activity_regularizer='l2')
    x = K.variable(np.ones((3, 4, 5)))
    layer(x)
    assert len(layer.get_losses_for(x)) == 1 and len(layer.cell.get_losses_for(x)) == 0


def test_a_cell_caching_masks_of_its_own_trains_and_predicts_again():
    # keras-ordered-neurons' cell draws a dropconnect mask when it holds none and its layer
    # never resets it: the mask of one trace must not reach the next (fit, then predict)
    from keras.layers.recurrent import _generate_dropout_mask

    class DropConnectCell(layers.Layer):
        def __init__(self, units, rate, **kwargs):
            super(DropConnectCell, self).__init__(**kwargs)
            self.units, self.rate, self.state_size = units, rate, units
            self._recurrent_dropconnect_masks = None

        def build(self, input_shape):
            self.kernel = self.add_weight('kernel', (input_shape[-1], self.units),
                                          initializer='glorot_uniform')
            self.recurrent = self.add_weight('recurrent', (self.units, self.units),
                                             initializer='orthogonal')
            super(DropConnectCell, self).build(input_shape)

        def call(self, inputs, states, training=None):
            if self._recurrent_dropconnect_masks is None:
                self._recurrent_dropconnect_masks = _generate_dropout_mask(
                    K.ones_like(self.recurrent), self.rate, training=training, count=1)
            recurrent = self.recurrent * self._recurrent_dropconnect_masks[0]
            h = K.tanh(K.dot(inputs, self.kernel) + K.dot(states[0], recurrent))
            return h, [h]

    model = Sequential([layers.RNN(DropConnectCell(3, 0.5), input_shape=(4, 2)),
                        layers.Dense(1)])
    model.compile('sgd', 'mse')
    x, y = np.ones((6, 4, 2), 'float32'), np.ones((6, 1), 'float32')
    model.fit(x, y, epochs=2, batch_size=3, verbose=0)
    first = model.predict(x)
    np.testing.assert_allclose(model.predict(x), first)     # no dropconnect at inference
    assert np.isfinite(model.evaluate(x, y, verbose=0))


def test_a_cell_keeping_its_dropout_mask_under_a_name_of_its_own():
    # titu1994's IndRNNCell caches its recurrent mask in `_recurrent_masks`: the mask of
    # one trace (the shape inference) was read by the next (the train step)
    from keras import backend as K
    from keras.layers import Layer, RNN

    class MaskCachingCell(Layer):
        def __init__(self, units, **kwargs):
            super(MaskCachingCell, self).__init__(**kwargs)
            self.units = self.state_size = units
            self._recurrent_masks = None

        def build(self, input_shape):
            self.kernel = self.add_weight(name='kernel', shape=(input_shape[-1], self.units),
                                          initializer='ones')
            self.built = True

        def call(self, x, states, training=None):
            if self._recurrent_masks is None:
                ones = K.ones_like(states[0])
                self._recurrent_masks = K.in_train_phase(lambda: K.dropout(ones, 0.5), ones,
                                                         training=training)
            h = K.dot(x, self.kernel) + states[0] * self._recurrent_masks
            return h, [h]

    cell = MaskCachingCell(4)
    model = Sequential([RNN(cell, input_shape=(3, 2))])
    model.compile('sgd', 'mse')
    data = np.random.RandomState(0).rand(2, 3, 2).astype('float32')
    model.fit(data, np.ones((2, 4)), epochs=2, verbose=0)
    h = np.zeros((2, 4), 'float32')
    kernel = K.get_value(cell.kernel)
    for t in range(3):
        h = data[:, t].dot(kernel) + h
    np.testing.assert_allclose(model.predict(data), h, rtol=1e-5)
    assert cell._recurrent_masks is None


@pytest.mark.parametrize('layer_class', ['LSTM', 'GRU', 'SimpleRNN'])
def test_leading_masked_steps_output_the_initial_state(layer_class):
    # Keras 2.2.4's symbolic loop gave a masked step the state before it
    # (`tf.where(mask_t, output, states[0])`): an initial state shows at pre-padding
    from keras.layers import Input, Masking
    from keras.models import Model
    cls = getattr(layers, layer_class)
    x = np.random.RandomState(0).rand(2, 4, 3).astype('float32')
    x[:, :2] = 0.
    inp, h0 = Input((4, 3)), Input((5,))
    states = [h0, h0] if layer_class == 'LSTM' else [h0]
    layer = cls(5, return_sequences=True)
    model = Model([inp, h0], layer(Masking(0.)(inp), initial_state=states))
    h = np.full((2, 5), 0.7, 'float32')
    out = model.predict([x, h])
    np.testing.assert_allclose(out[:, :2], np.full((2, 2, 5), 0.7), rtol=1e-6)
    assert not np.allclose(out[:, 2], 0.7)
