"""Convolutional recurrent layers (Keras 2.2): ConvRNN2D, ConvLSTM2DCell, ConvLSTM2D."""
from .. import backend as K
from ..legacy import interfaces
from .. import activations, regularizers
from ..engine.base_layer import Layer, InputSpec
from ..utils import conv_utils
from ._weight_args import args_config as _args_config
from .rnn.rnn import RNN, _layer_config, _call_without_constants
from .rnn.dropout_rnn_cell import DropoutRNNCellMixin
from .rnn._utils import (_forward_cell_properties, _check_bool, _check_units, _state_list,
                         _init_weight_args, _add_kernels, _add_lstm_bias, _rnn_output_shape)

__all__ = ['ConvRNN2D', 'ConvLSTM2DCell', 'ConvLSTM2D']


def _output_map_shape(conv, input_shape):
    """Per-step output map `(batch, rows', cols', filters)` (or channels first) of a
    convolutional recurrent layer or cell `conv` on the 5D `input_shape`."""
    if conv.data_format == 'channels_first':
        rows, cols = input_shape[3], input_shape[4]
    else:
        rows, cols = input_shape[2], input_shape[3]
    rows = conv_utils.conv_output_length(rows, conv.kernel_size[0], padding=conv.padding,
                                         stride=conv.strides[0],
                                         dilation=conv.dilation_rate[0])
    cols = conv_utils.conv_output_length(cols, conv.kernel_size[1], padding=conv.padding,
                                         stride=conv.strides[1],
                                         dilation=conv.dilation_rate[1])
    if conv.data_format == 'channels_first':
        return (input_shape[0], conv.filters, rows, cols)
    return (input_shape[0], rows, cols, conv.filters)


class ConvRNN2D(RNN):
    """Base class for convolutional-recurrent layers over 5D inputs
    `(samples, time, rows, cols, channels)` (or channels first).

    # Arguments
        cell: a convolutional RNN cell, e.g. `ConvLSTM2DCell`.
        return_sequences: boolean: return the whole output sequence (`True`) or only the last
            output.
        return_state: boolean: also return the last state(s), after the output.
        go_backwards: boolean: process the input sequence backwards and return the reversed
            sequence.
        stateful: boolean: the last state of each sample of a batch is the initial state of the
            sample of the same index in the next batch. Needs a fixed batch size
            (`batch_input_shape` or `batch_size`) and unshuffled data; `reset_states()` clears
            the states.
        unroll: boolean: unroll the time loop completely (`lax.scan(..., unroll=True)`): the
            same results, often faster for short sequences, slower to compile.
    """

    _input_ndim = 5

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        if unroll:
            raise TypeError('unroll: unrolling is not possible with convolutional RNNs '
                            '(got unroll=%r)' % (unroll,))
        if isinstance(cell, (list, tuple)):
            raise TypeError('cell: it is not possible at the moment to stack convolutional '
                            'cells (got a %s)' % (type(cell).__name__,))
        super(ConvRNN2D, self).__init__(cell, return_sequences=return_sequences,
                                        return_state=return_state, go_backwards=go_backwards,
                                        stateful=stateful, unroll=False, **kwargs)
        self.input_spec = [InputSpec(ndim=5)]

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        map_shape = _output_map_shape(self.cell, input_shape)
        return _rnn_output_shape(self, input_shape, map_shape,
                                 [map_shape for _ in _state_list(self.cell.state_size)])

    def _check_state_spec(self):
        cell = self.cell
        channel_axis = 1 if cell.data_format == 'channels_first' else 3
        n = len(_state_list(cell.state_size))
        if self.state_spec is not None:
            got = [spec.shape[channel_axis] if spec.shape else None for spec in self.state_spec]
            if got != [cell.filters] * n:
                raise ValueError('An `initial_state` was passed that is not compatible with '
                                 '`cell.state_size`. Received `state_spec`=%s; however '
                                 '`cell.state_size` is %s' % (self.state_spec, cell.state_size))
        else:
            self.state_spec = [InputSpec(shape=(None, None, None, None)) for _ in range(n)]

    def get_initial_state(self, inputs):
        """All-zero initial states, of the cell's output shape for `inputs`.

        # Arguments
            inputs: the input sequence, `(samples, timesteps, ...)`.

        # Returns
            A list of tensors, one per state.
        """
        # zeros with the spatial shape of the cell's input convolution output
        initial_state = K.zeros_like(inputs)
        initial_state = K.sum(initial_state, axis=1)
        shape = list(self.cell.kernel_shape)
        shape[-1] = self.cell.filters
        initial_state = self.cell.input_conv(initial_state, K.zeros(tuple(shape)),
                                             padding=self.cell.padding)
        return [initial_state for _ in _state_list(self.cell.state_size)]

    def _state_shapes(self, batch_size):
        input_shape = self.input_spec[0].shape
        state_shape = self.compute_output_shape(input_shape)
        if self.return_state:
            state_shape = state_shape[0]
        if self.return_sequences:
            state_shape = state_shape[:1] + state_shape[2:]
        state_shape = (batch_size,) + tuple(state_shape[1:])
        return [state_shape for _ in _state_list(self.cell.state_size)]


# ConvLSTM2DCell's arguments (and ConvLSTM2D's, taken from the cell) in config order.
_CONV_LSTM_KEYS = ('filters', 'kernel_size', 'strides', 'padding', 'data_format',
                   'dilation_rate', 'activation', 'recurrent_activation', 'use_bias',
                   'kernel_initializer', 'recurrent_initializer', 'bias_initializer',
                   'unit_forget_bias', 'kernel_regularizer', 'recurrent_regularizer',
                   'bias_regularizer', 'kernel_constraint', 'recurrent_constraint',
                   'bias_constraint', 'dropout', 'recurrent_dropout')


class ConvLSTM2DCell(DropoutRNNCellMixin, Layer):
    """Cell of ConvLSTM2D: an LSTM whose input and recurrent transforms are convolutions.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of integers, the size of the convolution window (one
            integer: the same for every spatial dimension).
        strides: an integer or tuple of 2 integers, the strides of the input convolution.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        dilation_rate: an integer or tuple of integers, the dilation rate of a dilated (atrous)
            convolution.
        activation: activation of the cell (default `tanh`).
        recurrent_activation: activation of the recurrent step (gates), default `hard_sigmoid`
            as in Keras 2.2.
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights matrix (see
            `keras.initializers`).
        recurrent_initializer: initializer of the `recurrent_kernel` weights matrix (the linear
            transformation of the recurrent state).
        bias_initializer: initializer of the bias vector.
        unit_forget_bias: boolean: add 1 to the bias of the forget gate at initialization (and
            use zeros for the other biases), as recommended by Jozefowicz et al.
        kernel_regularizer: regularizer applied to the `kernel` weights matrix (see
            `keras.regularizers`).
        recurrent_regularizer: regularizer applied to the `recurrent_kernel` weights matrix.
        bias_regularizer: regularizer applied to the bias vector.
        kernel_constraint: constraint applied to the `kernel` weights matrix after each update
            (see `keras.constraints`).
        recurrent_constraint: constraint applied to the `recurrent_kernel` weights matrix.
        bias_constraint: constraint applied to the bias vector.
        dropout: float between 0 and 1, fraction of the units to drop for the linear
            transformation of the inputs (training only; one mask per sequence).
        recurrent_dropout: float between 0 and 1, fraction of the units to drop for the linear
            transformation of the recurrent state (training only; one mask per sequence).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), activation='tanh', recurrent_activation='hard_sigmoid',
                 use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super(ConvLSTM2DCell, self).__init__(**kwargs)
        self.filters = _check_units('filters', filters)
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, 2, 'kernel_size')
        self.strides = conv_utils.normalize_tuple(strides, 2, 'strides')
        self.padding = conv_utils.normalize_padding(padding)
        if self.padding not in ('valid', 'same'):
            raise ValueError('padding: expected "valid" or "same" for ConvLSTM2D, got %r'
                             % (padding,))
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, 2, 'dilation_rate')
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = _check_bool('use_bias', use_bias)
        _init_weight_args(self, kernel_initializer, recurrent_initializer, bias_initializer,
                          kernel_regularizer, recurrent_regularizer, bias_regularizer,
                          kernel_constraint, recurrent_constraint, bias_constraint)
        self.unit_forget_bias = _check_bool('unit_forget_bias', unit_forget_bias)
        self._init_dropout(dropout, recurrent_dropout)
        self.state_size = (self.filters, self.filters)

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        channel_axis = 1 if self.data_format == 'channels_first' else -1
        input_dim = input_shape[channel_axis]
        if input_dim is None:
            raise ValueError('%s: the channel dimension of the inputs should be defined, got '
                             'input shape %s' % (self.name, tuple(input_shape)))
        input_dim = int(input_dim)
        kernel_shape = self.kernel_size + (input_dim, self.filters * 4)
        self.kernel_shape = kernel_shape
        recurrent_kernel_shape = self.kernel_size + (self.filters, self.filters * 4)
        _add_kernels(self, kernel_shape, recurrent_kernel_shape)
        _add_lstm_bias(self, self.filters)
        self.built = True

    def call(self, inputs, states, training=None):
        """One step of the recurrence.

        # Arguments
            inputs: the input of one timestep, `(batch, input_dim)`.
            states: the list of states at the previous timestep.
            training: the learning phase (for dropout); `None`: the current one.

        # Returns
            `(output, new_states)`.
        """
        h_tm1 = states[0]
        c_tm1 = states[1]
        dp_mask, rec_dp_mask = self.get_dropout_masks(inputs, h_tm1, training, 4)

        if 0 < self.dropout < 1.:
            inputs_i, inputs_f, inputs_c, inputs_o = [inputs * m for m in dp_mask]
        else:
            inputs_i = inputs_f = inputs_c = inputs_o = inputs
        if 0 < self.recurrent_dropout < 1.:
            h_tm1_i, h_tm1_f, h_tm1_c, h_tm1_o = [h_tm1 * m for m in rec_dp_mask]
        else:
            h_tm1_i = h_tm1_f = h_tm1_c = h_tm1_o = h_tm1

        f = self.filters
        kernel = self.kernel
        recurrent_kernel = self.recurrent_kernel
        kernels = [kernel[..., g * f:(g + 1) * f] for g in range(4)]
        recurrent_kernels = [recurrent_kernel[..., g * f:(g + 1) * f] for g in range(4)]
        if self.use_bias:
            biases = [self.bias[g * f:(g + 1) * f] for g in range(4)]
        else:
            biases = [None] * 4

        x_i = self.input_conv(inputs_i, kernels[0], biases[0], padding=self.padding)
        x_f = self.input_conv(inputs_f, kernels[1], biases[1], padding=self.padding)
        x_c = self.input_conv(inputs_c, kernels[2], biases[2], padding=self.padding)
        x_o = self.input_conv(inputs_o, kernels[3], biases[3], padding=self.padding)
        h_i = self.recurrent_conv(h_tm1_i, recurrent_kernels[0])
        h_f = self.recurrent_conv(h_tm1_f, recurrent_kernels[1])
        h_c = self.recurrent_conv(h_tm1_c, recurrent_kernels[2])
        h_o = self.recurrent_conv(h_tm1_o, recurrent_kernels[3])

        i = self.recurrent_activation(x_i + h_i)
        f_gate = self.recurrent_activation(x_f + h_f)
        c = f_gate * c_tm1 + i * self.activation(x_c + h_c)
        o = self.recurrent_activation(x_o + h_o)
        h = o * self.activation(c)
        return h, [h, c]

    def input_conv(self, x, w, b=None, padding='valid'):
        """The convolution of an input frame with one gate's input kernel (strides, padding and
        dilation of the layer), plus its bias.

        # Arguments
            x: the input frame.
            w: the gate's kernel.
            b: the gate's bias, or `None`.
            padding: `'valid'` or `'same'`.

        # Returns
            A tensor.
        """
        conv_out = K.conv2d(x, w, strides=self.strides, padding=padding,
                            data_format=self.data_format, dilation_rate=self.dilation_rate)
        if b is not None:
            conv_out = K.bias_add(conv_out, b, data_format=self.data_format)
        return conv_out

    def recurrent_conv(self, x, w):
        """The convolution of the previous hidden state with one gate's recurrent kernel (stride 1,
        `'same'` padding).

        # Arguments
            x: the hidden state.
            w: the gate's recurrent kernel.

        # Returns
            A tensor.
        """
        return K.conv2d(x, w, strides=(1, 1), padding='same', data_format=self.data_format)

    def get_config(self):
        config = _args_config(self, _CONV_LSTM_KEYS)
        base_config = super(ConvLSTM2DCell, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


@_forward_cell_properties(_CONV_LSTM_KEYS)
class ConvLSTM2D(ConvRNN2D):
    """Convolutional LSTM over 5D inputs (samples, time, rows, cols, channels).

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of integers, the size of the convolution window (one
            integer: the same for every spatial dimension).
        strides: an integer or tuple of 2 integers, the strides of the input convolution.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        dilation_rate: an integer or tuple of integers, the dilation rate of a dilated (atrous)
            convolution.
        activation: activation of the cell (default `tanh`).
        recurrent_activation: activation of the recurrent step (gates), default `hard_sigmoid`
            as in Keras 2.2.
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights matrix (see
            `keras.initializers`).
        recurrent_initializer: initializer of the `recurrent_kernel` weights matrix (the linear
            transformation of the recurrent state).
        bias_initializer: initializer of the bias vector.
        unit_forget_bias: boolean: add 1 to the bias of the forget gate at initialization (and
            use zeros for the other biases), as recommended by Jozefowicz et al.
        kernel_regularizer: regularizer applied to the `kernel` weights matrix (see
            `keras.regularizers`).
        recurrent_regularizer: regularizer applied to the `recurrent_kernel` weights matrix.
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        kernel_constraint: constraint applied to the `kernel` weights matrix after each update
            (see `keras.constraints`).
        recurrent_constraint: constraint applied to the `recurrent_kernel` weights matrix.
        bias_constraint: constraint applied to the bias vector.
        return_sequences: boolean: return the whole output sequence (`True`) or only the last
            output.
        go_backwards: boolean: process the input sequence backwards and return the reversed
            sequence.
        stateful: boolean: the last state of each sample of a batch is the initial state of the
            sample of the same index in the next batch. Needs a fixed batch size
            (`batch_input_shape` or `batch_size`) and unshuffled data; `reset_states()` clears
            the states.
        dropout: float between 0 and 1, fraction of the units to drop for the linear
            transformation of the inputs (training only; one mask per sequence).
        recurrent_dropout: float between 0 and 1, fraction of the units to drop for the linear
            transformation of the recurrent state (training only; one mask per sequence).
    """

    @interfaces.legacy_convlstm2d_support
    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), activation='tanh', recurrent_activation='hard_sigmoid',
                 use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 go_backwards=False, stateful=False, dropout=0., recurrent_dropout=0.,
                 **kwargs):
        cell = ConvLSTM2DCell(filters=filters, kernel_size=kernel_size, strides=strides,
                              padding=padding, data_format=data_format,
                              dilation_rate=dilation_rate, activation=activation,
                              recurrent_activation=recurrent_activation, use_bias=use_bias,
                              kernel_initializer=kernel_initializer,
                              recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer,
                              unit_forget_bias=unit_forget_bias,
                              kernel_regularizer=kernel_regularizer,
                              recurrent_regularizer=recurrent_regularizer,
                              bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint, dropout=dropout,
                              recurrent_dropout=recurrent_dropout)
        super(ConvLSTM2D, self).__init__(cell, return_sequences=return_sequences,
                                         go_backwards=go_backwards, stateful=stateful,
                                         **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    call = _call_without_constants

    def get_config(self):
        return _layer_config(self, _CONV_LSTM_KEYS)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# The other module-level names of Keras 2.2.4's `keras.layers.convolutional_recurrent`.
import warnings  # noqa: E402,F401

import numpy as np  # noqa: E402,F401

from .. import initializers, constraints  # noqa: E402,F401
from ..utils.generic_utils import has_arg, to_list, transpose_shape  # noqa: E402,F401
from .rnn.dropout_rnn_cell import _generate_dropout_mask  # noqa: E402,F401
from .rnn._utils import _standardize_args  # noqa: E402,F401


def __getattr__(name):
    # its legacy base classes, which `keras.layers.legacy` defines (it imports this module)
    if name in ('Recurrent', 'ConvRecurrent2D'):
        from . import legacy
        return getattr(legacy, name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['ConvRecurrent2D', 'InputSpec', 'K', 'Layer', 'RNN', 'Recurrent',
            'activations', 'constraints', 'conv_utils', 'has_arg', 'initializers',
            'interfaces', 'regularizers', 'to_list', 'transpose_shape']
