"""GRU and its cell."""
from ... import backend as K
from ...legacy import interfaces
from ... import activations, regularizers
from .._weight_args import add_optional_bias

from ._utils import (_add_kernels, _check_bool, _check_implementation,
                     _forward_cell_properties, _gate_projection)
from .cell_base import _CellBase
from .rnn import (RNN, _call_without_constants, _from_config_upgrading_implementation,
                  _layer_config)


class GRUCell(_CellBase):
    """Cell of GRU (gate order z, r, h). `reset_after=True` uses a (2, 3*units) bias.

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
        reset_after: GRU convention: apply the reset gate after (`True`, the cuDNN-compatible
            form) or before (`False`) the matrix product of the recurrent state.
    """

    def __init__(self, units, activation='tanh', recurrent_activation='hard_sigmoid',
                 use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0., recurrent_dropout=0., implementation=1, reset_after=False,
                 **kwargs):
        super(GRUCell, self).__init__(**kwargs)
        self._init_common(units, activation, use_bias, kernel_initializer,
                          recurrent_initializer, bias_initializer, kernel_regularizer,
                          recurrent_regularizer, bias_regularizer, kernel_constraint,
                          recurrent_constraint, bias_constraint, dropout, recurrent_dropout)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.implementation = _check_implementation(implementation)
        self.reset_after = _check_bool('reset_after', reset_after)
        self.state_size = self.units

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        _add_kernels(self, (input_dim, self.units * 3), (self.units, self.units * 3))
        add_optional_bias(self, (2, 3 * self.units) if self.reset_after else (3 * self.units,))
        self.built = True

    def _biases(self):
        """(input_bias, recurrent_bias) as arrays (recurrent_bias None unless reset_after)."""
        if self.bias is None:
            return None, None
        if not self.reset_after:
            return self.bias, None
        return K.flatten(self.bias[0]), K.flatten(self.bias[1])

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
        u = self.units
        dp_mask, rec_dp_mask = self.get_dropout_masks(inputs, h_tm1, training, 3)
        input_bias, recurrent_bias = self._biases()
        kernel = self.kernel
        recurrent_kernel = self.recurrent_kernel

        if self.implementation == 1:
            if 0. < self.dropout < 1.:
                inputs_z, inputs_r, inputs_h = (inputs * dp_mask[0], inputs * dp_mask[1],
                                                inputs * dp_mask[2])
            else:
                inputs_z = inputs_r = inputs_h = inputs
            x_z = K.dot(inputs_z, kernel[:, :u])
            x_r = K.dot(inputs_r, kernel[:, u:2 * u])
            x_h = K.dot(inputs_h, kernel[:, 2 * u:])
            if self.use_bias:
                x_z = K.bias_add(x_z, input_bias[:u])
                x_r = K.bias_add(x_r, input_bias[u:2 * u])
                x_h = K.bias_add(x_h, input_bias[2 * u:])
            if 0. < self.recurrent_dropout < 1.:
                h_tm1_z, h_tm1_r, h_tm1_h = (h_tm1 * rec_dp_mask[0], h_tm1 * rec_dp_mask[1],
                                             h_tm1 * rec_dp_mask[2])
            else:
                h_tm1_z = h_tm1_r = h_tm1_h = h_tm1
            recurrent_z = K.dot(h_tm1_z, recurrent_kernel[:, :u])
            recurrent_r = K.dot(h_tm1_r, recurrent_kernel[:, u:2 * u])
            if self.reset_after and self.use_bias:
                recurrent_z = K.bias_add(recurrent_z, recurrent_bias[:u])
                recurrent_r = K.bias_add(recurrent_r, recurrent_bias[u:2 * u])
            z = self.recurrent_activation(x_z + recurrent_z)
            r = self.recurrent_activation(x_r + recurrent_r)
            if self.reset_after:
                recurrent_h = K.dot(h_tm1_h, recurrent_kernel[:, 2 * u:])
                if self.use_bias:
                    recurrent_h = K.bias_add(recurrent_h, recurrent_bias[2 * u:])
                recurrent_h = r * recurrent_h
            else:
                recurrent_h = K.dot(r * h_tm1_h, recurrent_kernel[:, 2 * u:])
            hh = self.activation(x_h + recurrent_h)
        else:
            if 0. < self.dropout < 1.:
                inputs = inputs * dp_mask[0]
            matrix_x = K.dot(inputs, kernel)
            if self.use_bias:
                matrix_x = K.bias_add(matrix_x, input_bias)
            x_z = matrix_x[:, :u]
            x_r = matrix_x[:, u:2 * u]
            x_h = matrix_x[:, 2 * u:]
            if 0. < self.recurrent_dropout < 1.:
                # Keras 2.2.4: the masked h_tm1 is also the one mixed into the new state
                h_tm1 = h_tm1 * rec_dp_mask[0]
            if self.reset_after:
                matrix_inner = K.dot(h_tm1, recurrent_kernel)
                if self.use_bias:
                    matrix_inner = K.bias_add(matrix_inner, recurrent_bias)
            else:
                matrix_inner = K.dot(h_tm1, recurrent_kernel[:, :2 * u])
            recurrent_z = matrix_inner[:, :u]
            recurrent_r = matrix_inner[:, u:2 * u]
            z = self.recurrent_activation(x_z + recurrent_z)
            r = self.recurrent_activation(x_r + recurrent_r)
            if self.reset_after:
                recurrent_h = r * matrix_inner[:, 2 * u:]
            else:
                recurrent_h = K.dot(r * h_tm1, recurrent_kernel[:, 2 * u:])
            hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]

    # `RNN` runs `_project` on the whole sequence, then `_recurrent` at each step, for
    # this class and for subclasses that keep this `call`
    _projected_call = call
    _mask_count = 3

    def _project(self, inputs):
        masks = self._input_dropout_masks()
        if masks is not None and self.implementation != 1:
            masks = masks[:1]
        return _gate_projection(inputs, self.kernel, self._biases()[0], masks, 3)

    def _recurrent(self, x, states):
        h_tm1 = states[0]
        u = self.units
        recurrent_kernel = self.recurrent_kernel
        recurrent_bias = self._biases()[1]
        rec_masks = self._recurrent_dropout_mask \
            if 0. < self.recurrent_dropout < 1. else None
        x_z, x_r, x_h = K._split_columns(x, 3)
        if rec_masks is not None and self.implementation == 1:
            h_z, h_r, h_h = [h_tm1 * m for m in rec_masks]
        else:
            if rec_masks is not None:
                # Keras 2.2.4: the masked h_tm1 is also the one mixed into the new state
                h_tm1 = h_tm1 * rec_masks[0]
            h_z = h_r = h_h = h_tm1
        if h_z is h_r:
            inner = K.dot(h_z, recurrent_kernel if self.reset_after
                          else recurrent_kernel[:, :2 * u])
            parts = K._split_columns(inner, 3 if self.reset_after else 2)
            recurrent_z, recurrent_r = parts[0], parts[1]
        else:
            recurrent_z = K.dot(h_z, recurrent_kernel[:, :u])
            recurrent_r = K.dot(h_r, recurrent_kernel[:, u:2 * u])
            parts = None
        if self.reset_after and recurrent_bias is not None:
            recurrent_z = recurrent_z + recurrent_bias[:u]
            recurrent_r = recurrent_r + recurrent_bias[u:2 * u]
        z = self.recurrent_activation(x_z + recurrent_z)
        r = self.recurrent_activation(x_r + recurrent_r)
        if self.reset_after:
            recurrent_h = parts[2] if parts is not None and h_h is h_z \
                else K.dot(h_h, recurrent_kernel[:, 2 * u:])
            if recurrent_bias is not None:
                recurrent_h = recurrent_h + recurrent_bias[2 * u:]
            recurrent_h = r * recurrent_h
        else:
            recurrent_h = K.dot(r * h_h, recurrent_kernel[:, 2 * u:])
        hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]

    def get_config(self):
        return self._cell_config(('recurrent_activation', 'implementation', 'reset_after'))


_GRU_KEYS = ('units', 'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer',
             'recurrent_initializer', 'bias_initializer', 'kernel_regularizer',
             'recurrent_regularizer', 'bias_regularizer', 'kernel_constraint',
             'recurrent_constraint', 'bias_constraint', 'dropout', 'recurrent_dropout',
             'implementation', 'reset_after')


@_forward_cell_properties(_GRU_KEYS)
class GRU(RNN):
    """Gated Recurrent Unit (Cho et al. 2014); `reset_after=True` is the CuDNN-compatible
    variant.

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
        reset_after: GRU convention: apply the reset gate after (`True`, the cuDNN-compatible
            form) or before (`False`) the matrix product of the recurrent state.

    # Example
    ```python
    from keras.layers import Input, GRU
    from keras.models import Model

    inputs = Input(shape=(None, 8))                 # sequences of any length
    outputs, state = GRU(16, return_state=True)(inputs)
    model = Model(inputs, [outputs, state])
    print(model.output_shape)                        # [(None, 16), (None, 16)]
    ```
    """

    @interfaces.legacy_recurrent_support
    def __init__(self, units, activation='tanh', recurrent_activation='hard_sigmoid',
                 use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., implementation=1,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=False, **kwargs):
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation,
                       use_bias=use_bias, kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                       recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                       recurrent_constraint=recurrent_constraint,
                       bias_constraint=bias_constraint, dropout=dropout,
                       recurrent_dropout=recurrent_dropout, implementation=implementation,
                       reset_after=reset_after)
        super(GRU, self).__init__(cell, return_sequences=return_sequences,
                                  return_state=return_state, go_backwards=go_backwards,
                                  stateful=stateful, unroll=unroll, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    call = _call_without_constants

    def get_config(self):
        return _layer_config(self, _GRU_KEYS)

    from_config = classmethod(_from_config_upgrading_implementation)
