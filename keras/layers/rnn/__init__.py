"""Recurrent layers (Keras 2.2): RNN, SimpleRNN, GRU, LSTM, their cells and StackedRNNCells,
one module per layer (`keras.layers.recurrent` re-exports them, as Keras 2.2.4 lays them out).

Every recurrent layer runs its cell over the time axis with `K.rnn` (a `lax.scan`).
"""
from .rnn import RNN
from .stacked_rnn_cells import StackedRNNCells
from .simple_rnn import SimpleRNN, SimpleRNNCell
from .gru import GRU, GRUCell
from .lstm import LSTM, LSTMCell

__all__ = ['RNN', 'SimpleRNN', 'GRU', 'LSTM', 'SimpleRNNCell', 'GRUCell', 'LSTMCell',
           'StackedRNNCells']
