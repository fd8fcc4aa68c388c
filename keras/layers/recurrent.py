"""Keras 2.2.4's `keras.layers.recurrent`: the recurrent layers, which live in
`keras.layers.rnn` (one module per layer)."""
from .rnn import (RNN, SimpleRNN, GRU, LSTM, SimpleRNNCell, GRUCell, LSTMCell,  # noqa: F401
                  StackedRNNCells)

__all__ = ['RNN', 'SimpleRNN', 'GRU', 'LSTM', 'SimpleRNNCell', 'GRUCell', 'LSTMCell',
           'StackedRNNCells']
