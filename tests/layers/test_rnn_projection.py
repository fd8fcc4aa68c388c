"""SimpleRNN, GRU and LSTM compute the input side of all time steps in one product before
the time loop; the result must equal the step-by-step cell (checked here against a
subclass that overrides `call`, which takes the step-by-step path)."""
import numpy as np
import pytest

from keras import backend as K
from keras.layers import GRU, LSTM, SimpleRNN, Input, Masking, Bidirectional
from keras.layers import recurrent
from keras.layers.rnn.rnn import _projectable
from keras.models import Model


def _stepwise(cell_cls):
    class Stepwise(cell_cls):
        def call(self, inputs, states, training=None):
            return super(Stepwise, self).call(inputs, states, training=training)
    return Stepwise


def _layers(layer_cls, cell_cls, **kwargs):
    fast = layer_cls(6, return_sequences=True, **kwargs)
    slow = recurrent.RNN(_stepwise(cell_cls)(6, **kwargs), return_sequences=True)
    return fast, slow


CASES = [
    (SimpleRNN, recurrent.SimpleRNNCell, {}),
    (SimpleRNN, recurrent.SimpleRNNCell, {'dropout': 0.3, 'recurrent_dropout': 0.4}),
    (GRU, recurrent.GRUCell, {'implementation': 1}),
    (GRU, recurrent.GRUCell, {'implementation': 1, 'dropout': 0.3, 'recurrent_dropout': 0.4}),
    (GRU, recurrent.GRUCell, {'implementation': 2, 'dropout': 0.3, 'recurrent_dropout': 0.4}),
    (GRU, recurrent.GRUCell, {'implementation': 1, 'reset_after': True}),
    (GRU, recurrent.GRUCell, {'implementation': 2, 'reset_after': True, 'dropout': 0.2,
                              'recurrent_dropout': 0.2}),
    (GRU, recurrent.GRUCell, {'implementation': 1, 'reset_after': True, 'dropout': 0.2,
                              'recurrent_dropout': 0.2}),
    (LSTM, recurrent.LSTMCell, {'implementation': 1}),
    (LSTM, recurrent.LSTMCell, {'implementation': 1, 'dropout': 0.3, 'recurrent_dropout': 0.4}),
    (LSTM, recurrent.LSTMCell, {'implementation': 2, 'dropout': 0.3, 'recurrent_dropout': 0.4}),
    (LSTM, recurrent.LSTMCell, {'use_bias': False}),
]


@pytest.mark.parametrize('layer_cls,cell_cls,kwargs', CASES)
@pytest.mark.parametrize('training', [0, 1])
def test_projected_cells_match_step_by_step_cells(layer_cls, cell_cls, kwargs, training):
    rng = np.random.RandomState(0)
    x = rng.rand(3, 5, 4).astype('float32')
    x[1, 3:] = 0.                                     # masked tail
    inp = Input((5, 4))
    masked = Masking(0.)(inp)
    fast, slow = _layers(layer_cls, cell_cls, **kwargs)
    # the same dropout draws: the same seeds drawn for the calls' random ops (as Keras 2.2.4's
    # ops drew theirs when the graph was built), so the same keys for the functions
    np.random.seed(7)
    f_model = Model(inp, fast(masked))
    np.random.seed(7)
    s_model = Model(inp, slow(masked))
    s_model.set_weights(f_model.get_weights())
    assert _projectable(fast.cell) and not _projectable(slow.cell)
    fn_fast = K.function([inp, K.learning_phase()], [f_model.output])
    fn_slow = K.function([inp, K.learning_phase()], [s_model.output])
    out_fast = fn_fast([x, training])[0]
    out_slow = fn_slow([x, training])[0]
    np.testing.assert_allclose(out_fast, out_slow, rtol=1e-5, atol=1e-6)


TRAIN_CASES = [
    (LSTM, recurrent.LSTMCell, {'implementation': 2}),
    # the JAX backend's own LSTM recurrence, with its other gate activation
    (LSTM, recurrent.LSTMCell, {'implementation': 2, 'recurrent_activation': 'sigmoid'}),
    (LSTM, recurrent.LSTMCell, {'implementation': 1}),
    (GRU, recurrent.GRUCell, {'implementation': 2}),
    (GRU, recurrent.GRUCell, {'implementation': 1}),
    (GRU, recurrent.GRUCell, {'implementation': 2, 'reset_after': True}),
]


@pytest.mark.parametrize('layer_cls,cell_cls,kwargs', TRAIN_CASES)
def test_projected_cells_train_like_the_stepwise_ones(layer_cls, cell_cls, kwargs):
    # the projected step cuts its gates out with one split (whose gradient is one
    # concatenation); the step-by-step cell slices them: the same gradients, so the same
    # weights after training
    rng = np.random.RandomState(1)
    x = rng.rand(16, 7, 3).astype('float32')
    y = rng.rand(16, 6).astype('float32')
    inp = Input((7, 3))
    kwargs = dict(kwargs, dropout=0.2, recurrent_dropout=0.2)
    fast = Bidirectional(layer_cls(6, **kwargs), merge_mode='sum')
    from keras.utils.generic_utils import custom_object_scope
    stepwise = _stepwise(cell_cls)
    with custom_object_scope({'Stepwise': stepwise}):
        slow = Bidirectional(recurrent.RNN(stepwise(6, **kwargs)), merge_mode='sum')
    # (the same seeds drawn for both calls' random ops: the same dropout masks)
    models = []
    for layer in (fast, slow):
        np.random.seed(3)
        models.append(Model(inp, layer(inp)))
    initial = models[0].get_weights()
    models[1].set_weights(initial)
    for m in models:
        m.compile('adam', 'mse')
        m.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # training moved every weight (the comparison above is not between untouched weights)
    for before, after in zip(initial, models[0].get_weights()):
        assert np.abs(after - before).max() > 1e-4
