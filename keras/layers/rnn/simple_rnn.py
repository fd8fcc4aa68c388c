"""SimpleRNN and its cell."""
import warnings

from ... import backend as K
from ...legacy import interfaces
from ... import regularizers
from .._weight_args import add_optional_bias

from ._utils import (_COMMON_CELL_ATTRS, _add_kernels, _forward_cell_properties,
                     _gate_projection)
from .cell_base import _CellBase
from .rnn import RNN, _call_without_constants, _layer_config


class SimpleRNNCell(_CellBase):
    """Cell of SimpleRNN: `h = activation(x W + b + h_tm1 U)`.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (default `tanh`).
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights matrix (see
            `keras.initializers`).
        recurrent_initializer: initializer of the `recurrent_kernel` weights matrix (the linear
            transformation of the recurrent state).
        bias_initializer: initializer of the bias vector.
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

    def __init__(self, units, activation='tanh', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super(SimpleRNNCell, self).__init__(**kwargs)
        self._init_common(units, activation, use_bias, kernel_initializer,
                          recurrent_initializer, bias_initializer, kernel_regularizer,
                          recurrent_regularizer, bias_regularizer, kernel_constraint,
                          recurrent_constraint, bias_constraint, dropout, recurrent_dropout)
        self.state_size = self.units

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        _add_kernels(self, (input_dim, self.units), (self.units, self.units))
        add_optional_bias(self, (self.units,))
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
        prev_output = states[0]
        dp_mask, rec_dp_mask = self.get_dropout_masks(inputs, prev_output, training, 1)
        if dp_mask is not None:
            h = K.dot(inputs * dp_mask, self.kernel)
        else:
            h = K.dot(inputs, self.kernel)
        if self.bias is not None:
            h = K.bias_add(h, self.bias)
        if rec_dp_mask is not None:
            prev_output = prev_output * rec_dp_mask
        output = h + K.dot(prev_output, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        return output, [output]

    # `RNN` runs `_project` on the whole sequence, then `_recurrent` at each step, for
    # this class and for subclasses that keep this `call`
    _projected_call = call
    _mask_count = 1

    def _project(self, inputs):
        return _gate_projection(inputs, self.kernel, self.bias, self._input_dropout_masks(), 1)

    def _recurrent(self, h, states):
        prev_output = states[0]
        if 0. < self.recurrent_dropout < 1. and self._recurrent_dropout_mask is not None:
            prev_output = prev_output * self._recurrent_dropout_mask
        output = h + K.dot(prev_output, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        return output, [output]

    def get_config(self):
        return self._cell_config()


# Keras 2.2.4 get_config keys (taken from the cell) of the layers, in order.
_SIMPLE_RNN_KEYS = _COMMON_CELL_ATTRS


@_forward_cell_properties(_SIMPLE_RNN_KEYS)
class SimpleRNN(RNN):
    """Fully-connected RNN whose output is fed back as the next input state.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (default `tanh`).
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights matrix (see
            `keras.initializers`).
        recurrent_initializer: initializer of the `recurrent_kernel` weights matrix (the linear
            transformation of the recurrent state).
        bias_initializer: initializer of the bias vector.
        kernel_regularizer: regularizer applied to the `kernel` weights matrix (see
            `keras.regularizers`).
        recurrent_regularizer: regularizer applied to the `recurrent_kernel` weights matrix.
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        kernel_constraint: constraint applied to the `kernel` weights matrix after each update
            (see `keras.constraints`).
        recurrent_constraint: constraint applied to the `recurrent_kernel` weights matrix.
        bias_constraint: constraint applied to the bias vector.
        dropout: float between 0 and 1, fraction of the units to drop for the linear
            transformation of the inputs (training only; one mask per sequence).
        recurrent_dropout: float between 0 and 1, fraction of the units to drop for the linear
            transformation of the recurrent state (training only; one mask per sequence).
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

    @interfaces.legacy_recurrent_support
    def __init__(self, units, activation='tanh', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.,
                 recurrent_dropout=0., return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        if 'implementation' in kwargs:
            kwargs.pop('implementation')
            warnings.warn('The `implementation` argument in `SimpleRNN` has been deprecated. '
                          'Please remove it from your layer call.', stacklevel=2)
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias,
                             kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer,
                             kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, dropout=dropout,
                             recurrent_dropout=recurrent_dropout)
        super(SimpleRNN, self).__init__(cell, return_sequences=return_sequences,
                                        return_state=return_state, go_backwards=go_backwards,
                                        stateful=stateful, unroll=unroll, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    call = _call_without_constants

    def get_config(self):
        return _layer_config(self, _SIMPLE_RNN_KEYS)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if 'implementation' in config:
            config.pop('implementation')
        return cls(**config)
