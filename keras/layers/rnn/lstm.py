"""LSTM and its cell."""
from ... import backend as K
from ...legacy import interfaces
from ... import activations, regularizers

from ._utils import (_add_kernels, _add_lstm_bias, _check_bool, _check_implementation,
                     _forward_cell_properties, _gate_projection)
from .cell_base import _CellBase
from .rnn import (RNN, _call_without_constants, _from_config_upgrading_implementation,
                  _layer_config)


class LSTMCell(_CellBase):
    """Cell of LSTM (gate order i, f, c, o).

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (default `tanh`).
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
        implementation: 1 or 2, as in Keras 2.2: mode 1 applies a separate dropout mask to the
            input (and state) of each gate, mode 2 one mask shared by all gates; without dropout
            both compute the same.
    """

    def __init__(self, units, activation='tanh', recurrent_activation='hard_sigmoid',
                 use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., implementation=1,
                 **kwargs):
        super(LSTMCell, self).__init__(**kwargs)
        self._init_common(units, activation, use_bias, kernel_initializer,
                          recurrent_initializer, bias_initializer, kernel_regularizer,
                          recurrent_regularizer, bias_regularizer, kernel_constraint,
                          recurrent_constraint, bias_constraint, dropout, recurrent_dropout)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = _check_bool('unit_forget_bias', unit_forget_bias)
        self.implementation = _check_implementation(implementation)
        self.state_size = (self.units, self.units)

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        _add_kernels(self, (input_dim, self.units * 4), (self.units, self.units * 4))
        _add_lstm_bias(self, self.units)
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
        u = self.units
        dp_mask, rec_dp_mask = self.get_dropout_masks(inputs, h_tm1, training, 4)
        kernel = self.kernel
        recurrent_kernel = self.recurrent_kernel
        bias = self.bias

        if self.implementation == 1:
            if 0 < self.dropout < 1.:
                inputs_i, inputs_f, inputs_c, inputs_o = [inputs * m for m in dp_mask]
            else:
                inputs_i = inputs_f = inputs_c = inputs_o = inputs
            x_i = K.dot(inputs_i, kernel[:, :u])
            x_f = K.dot(inputs_f, kernel[:, u:2 * u])
            x_c = K.dot(inputs_c, kernel[:, 2 * u:3 * u])
            x_o = K.dot(inputs_o, kernel[:, 3 * u:])
            if self.use_bias:
                x_i = K.bias_add(x_i, bias[:u])
                x_f = K.bias_add(x_f, bias[u:2 * u])
                x_c = K.bias_add(x_c, bias[2 * u:3 * u])
                x_o = K.bias_add(x_o, bias[3 * u:])
            if 0 < self.recurrent_dropout < 1.:
                h_tm1_i, h_tm1_f, h_tm1_c, h_tm1_o = [h_tm1 * m for m in rec_dp_mask]
            else:
                h_tm1_i = h_tm1_f = h_tm1_c = h_tm1_o = h_tm1
            i = self.recurrent_activation(x_i + K.dot(h_tm1_i, recurrent_kernel[:, :u]))
            f = self.recurrent_activation(x_f + K.dot(h_tm1_f, recurrent_kernel[:, u:2 * u]))
            c = f * c_tm1 + i * self.activation(
                x_c + K.dot(h_tm1_c, recurrent_kernel[:, 2 * u:3 * u]))
            o = self.recurrent_activation(x_o + K.dot(h_tm1_o, recurrent_kernel[:, 3 * u:]))
        else:
            if 0. < self.dropout < 1.:
                inputs = inputs * dp_mask[0]
            z = K.dot(inputs, kernel)
            if 0. < self.recurrent_dropout < 1.:
                h_tm1 = h_tm1 * rec_dp_mask[0]
            z = z + K.dot(h_tm1, recurrent_kernel)
            if self.use_bias:
                z = K.bias_add(z, bias)
            z0 = z[:, :u]
            z1 = z[:, u:2 * u]
            z2 = z[:, 2 * u:3 * u]
            z3 = z[:, 3 * u:]
            i = self.recurrent_activation(z0)
            f = self.recurrent_activation(z1)
            c = f * c_tm1 + i * self.activation(z2)
            o = self.recurrent_activation(z3)
        h = o * self.activation(c)
        return h, [h, c]

    # `RNN` runs `_project` on the whole sequence, then `_recurrent` at each step, for
    # this class and for subclasses that keep this `call`
    _projected_call = call
    _mask_count = 4

    def _project(self, inputs):
        masks = self._input_dropout_masks()
        if masks is not None and self.implementation != 1:
            masks = masks[:1]
        return _gate_projection(inputs, self.kernel, self.bias, masks, 4)

    def _recurrent(self, z, states):
        h_tm1, c_tm1 = states[0], states[1]
        u = self.units
        recurrent_kernel = self.recurrent_kernel
        rec_masks = self._recurrent_dropout_mask \
            if 0. < self.recurrent_dropout < 1. else None
        if rec_masks is not None and self.implementation == 1:
            # one product per gate (no concatenation inside the time loop)
            z_i, z_f, z_c, z_o = [z_g + K.dot(h_tm1 * m, recurrent_kernel[:, g * u:(g + 1) * u])
                                  for g, (z_g, m) in enumerate(zip(K._split_columns(z, 4),
                                                                   rec_masks))]
        else:
            if rec_masks is not None:
                h_tm1 = h_tm1 * rec_masks[0]
            z = z + K.dot(h_tm1, recurrent_kernel)
            # one split (its gradient is one concatenation, not four padded slices)
            z_i, z_f, z_c, z_o = K._split_columns(z, 4)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def _whole_sequence(self, z, states, go_backwards, mask):
        """The backend's LSTM recurrence (`K._lstm_recurrence`, with a gradient of its own,
        masked sequences included) where it computes what `_recurrent` computes: `tanh`
        activation, a `hard_sigmoid` or `sigmoid` recurrent activation, and `_recurrent`
        not overridden."""
        fused = K._lstm_recurrence
        kind = {activations.hard_sigmoid: 'hard_sigmoid',
                activations.sigmoid: 'sigmoid'}.get(self.recurrent_activation)
        if fused is None or kind is None or self.activation is not activations.tanh or \
                type(self)._recurrent is not LSTMCell._recurrent:
            return None
        dropped = None
        if 0. < self.recurrent_dropout < 1.:
            masks = self._recurrent_dropout_mask
            if not isinstance(masks, (list, tuple)):
                masks = [masks]
            # implementation 1: a mask per gate; 2: the first for all gates
            dropped = list(masks) if self.implementation == 1 else masks[0]
        return fused(z, states[0], states[1], self.recurrent_kernel, dropped, kind,
                     go_backwards, mask=mask)

    def get_config(self):
        return self._cell_config(('recurrent_activation', 'unit_forget_bias', 'implementation'))


_LSTM_KEYS = ('units', 'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer',
              'recurrent_initializer', 'bias_initializer', 'unit_forget_bias',
              'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
              'kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'dropout',
              'recurrent_dropout', 'implementation')


@_forward_cell_properties(_LSTM_KEYS)
class LSTM(RNN):
    """Long Short-Term Memory layer (Hochreiter 1997).

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (default `tanh`).
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
        dropout: float between 0 and 1, fraction of the units to drop for the linear
            transformation of the inputs (training only; one mask per sequence).
        recurrent_dropout: float between 0 and 1, fraction of the units to drop for the linear
            transformation of the recurrent state (training only; one mask per sequence).
        implementation: 1 or 2, as in Keras 2.2: mode 1 applies a separate dropout mask to the
            input (and state) of each gate, mode 2 one mask shared by all gates; without dropout
            both compute the same.
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

    # Example
    ```python
    import numpy as np
    from keras.models import Sequential
    from keras.layers import LSTM, Dense

    model = Sequential()
    model.add(LSTM(16, return_sequences=True, input_shape=(10, 8)))  # (None, 10, 16)
    model.add(LSTM(16))                                              # (None, 16)
    model.add(Dense(1))
    model.compile('adam', 'mse')
    model.fit(np.random.random((32, 10, 8)), np.random.random((32, 1)), epochs=1, verbose=0)
    ```
    """

    @interfaces.legacy_recurrent_support
    def __init__(self, units, activation='tanh', recurrent_activation='hard_sigmoid',
                 use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.,
                 recurrent_dropout=0., implementation=1, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation,
                        use_bias=use_bias, kernel_initializer=kernel_initializer,
                        recurrent_initializer=recurrent_initializer,
                        unit_forget_bias=unit_forget_bias, bias_initializer=bias_initializer,
                        kernel_regularizer=kernel_regularizer,
                        recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint,
                        bias_constraint=bias_constraint, dropout=dropout,
                        recurrent_dropout=recurrent_dropout, implementation=implementation)
        super(LSTM, self).__init__(cell, return_sequences=return_sequences,
                                   return_state=return_state, go_backwards=go_backwards,
                                   stateful=stateful, unroll=unroll, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    call = _call_without_constants

    def get_config(self):
        return _layer_config(self, _LSTM_KEYS)

    from_config = classmethod(_from_config_upgrading_implementation)
