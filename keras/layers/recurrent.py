"""Keras 2.2.4's `keras.layers.recurrent`: the recurrent layers, which live in
`keras.layers.rnn` (one module per layer)."""
from .rnn import (RNN, SimpleRNN, GRU, LSTM, SimpleRNNCell, GRUCell, LSTMCell,  # noqa: F401
                  StackedRNNCells)

__all__ = ['RNN', 'SimpleRNN', 'GRU', 'LSTM', 'SimpleRNNCell', 'GRUCell', 'LSTMCell',
           'StackedRNNCells']


# The other module-level names of Keras 2.2.4's `keras.layers.recurrent`, which custom
# cells and recurrent layers written for it import from here.
import warnings  # noqa: E402,F401

import numpy as np  # noqa: E402,F401

from .. import backend as K  # noqa: E402,F401
from .. import activations, initializers, regularizers, constraints  # noqa: E402,F401
from ..engine.base_layer import Layer, InputSpec  # noqa: E402,F401
from ..legacy import interfaces  # noqa: E402,F401
from ..utils.generic_utils import has_arg, to_list  # noqa: E402,F401
from .rnn.dropout_rnn_cell import _generate_dropout_mask  # noqa: E402,F401
from .rnn._utils import _standardize_args  # noqa: E402,F401


def __getattr__(name):
    # Keras 2.2.4's module also held the legacy base class `Recurrent` (datalogue's
    # AttentionDecoder subclasses it), which `keras.layers.legacy` defines
    if name == 'Recurrent':
        from . import legacy
        return legacy.Recurrent
    raise AttributeError('module %r has no attribute %r' % (__name__, name))

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['InputSpec', 'K', 'Layer', 'Recurrent', 'activations', 'constraints',
            'has_arg', 'initializers', 'interfaces', 'regularizers', 'to_list']
