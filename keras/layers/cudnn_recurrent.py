"""CuDNNGRU and CuDNNLSTM (Keras 2.2 API and weight layout), on any device.

Keras 2.2.4 ran these layers with the cuDNN kernel.  Here the same cuDNN
equations run with `K.rnn` (a `lax.scan`) on any device, reading the weights
exactly as cuDNN reads them:

* each gate's input kernel slice `kernel[:, g*u:(g+1)*u]` (shape (input_dim, u))
  is handed to cuDNN as a flat row-major buffer that cuDNN reads as a
  (u, input_dim) matrix, so the effective kernel is
  `reshape(slice, (u, input_dim)).T`; the recurrent slices are used transposed;
* biases are `[input biases, recurrent biases]` (8u for LSTM, 6u for GRU), added
  separately (GRU: the recurrent bias of the candidate is inside the reset gate).

Weight lists are converted between CuDNNLSTM and LSTM and between CuDNNGRU and
GRU(reset_after=True), as Keras 2.2.4 does when loading weights saved by one into
the other, by `keras.engine.weight_conversion._convert_rnn_weights` (re-exported here).
"""
import collections

from .. import backend as K
from .. import regularizers
from ..engine.base_layer import Layer, InputSpec
from ..engine.weight_conversion import _convert_rnn_weights  # noqa: F401  (the loader's conversion)
from ..utils.generic_utils import to_list
from ._weight_args import args_config as _args_config, add_bias as _add_bias
from .rnn.rnn import RNN
from .rnn._utils import (_check_bool, _check_units, _init_weight_args, _add_kernels,
                         _forget_bias_initializer)

__all__ = ['CuDNNGRU', 'CuDNNLSTM']

_Cell = collections.namedtuple('cell', 'state_size')


class _CuDNNRNN(RNN):
    """Shared machinery of the CuDNN layers (no masking, no dropout, no unroll)."""

    def __init__(self, units, kernel_initializer, recurrent_initializer, bias_initializer,
                 kernel_regularizer, recurrent_regularizer, bias_regularizer,
                 activity_regularizer, kernel_constraint, recurrent_constraint, bias_constraint,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        if kwargs.pop('unroll', False):
            raise TypeError('unroll: unrolling is not possible with CuDNN RNNs')
        self.units = _check_units('units', units)   # before `self.cell` is read
        Layer.__init__(self, **kwargs)
        _init_weight_args(self, kernel_initializer, recurrent_initializer, bias_initializer,
                          kernel_regularizer, recurrent_regularizer, bias_regularizer,
                          kernel_constraint, recurrent_constraint, bias_constraint)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.return_sequences = _check_bool('return_sequences', return_sequences)
        self.return_state = _check_bool('return_state', return_state)
        self.go_backwards = _check_bool('go_backwards', go_backwards)
        self.stateful = _check_bool('stateful', stateful)
        self.unroll = False
        self.supports_masking = False
        self.input_spec = [InputSpec(ndim=3)]
        self.state_spec = [InputSpec(shape=(None, dim)) for dim in self.cell.state_size]
        self.constants_spec = None
        self._states = None
        self._num_constants = None
        self._state_variables = []
        self._sublayers = []

    def _input_dim(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError('%s: expected an input of rank 3 (batch, time, features), got '
                             'shape %s' % (self.name, input_shape))
        if input_shape[-1] is None:
            raise ValueError('%s: the last dimension of the input must be known, got input '
                             'shape %s' % (self.name, input_shape))
        batch_size = input_shape[0] if self.stateful else None
        self.input_spec[0] = InputSpec(shape=(batch_size, None, input_shape[-1]))
        return int(input_shape[-1])

    def _finish_build(self):
        self.built = True
        if self.stateful:
            self.reset_states()

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(mask, list):
            mask = mask[0]
        if mask is not None:
            raise ValueError('Masking is not supported for CuDNN RNNs (%s got a mask).'
                             % (self.name,))
        if isinstance(inputs, (list, tuple)):
            initial_state = list(inputs[1:]) or None
            inputs = inputs[0]
        if initial_state is not None:
            initial_state = to_list(initial_state, allow_tuple=True)
        initial_state = self._initial_states_for_call(inputs, initial_state)
        step = self._step_function()
        last_output, outputs, states = K.rnn(step, inputs, initial_state,
                                             go_backwards=self.go_backwards)
        return self._call_outputs(last_output, outputs, states)

    def _effective_weights(self, n_gates):
        """Plain-Keras (input_dim, n*u) / (u, n*u) kernels equivalent to the cuDNN buffers,
        and the (n*u,) input and recurrent biases."""
        u = self.units
        kernel = self.kernel.value
        recurrent_kernel = self.recurrent_kernel.value
        input_dim = int(self.kernel.shape[0])
        ks = [K.transpose(K.reshape(kernel[:, g * u:(g + 1) * u], (u, input_dim)))
              for g in range(n_gates)]
        rs = [K.transpose(recurrent_kernel[:, g * u:(g + 1) * u]) for g in range(n_gates)]
        bias = self.bias.value
        return (K.concatenate(ks, axis=-1), K.concatenate(rs, axis=-1),
                bias[:n_gates * u], bias[n_gates * u:])

    def get_config(self):
        config = _args_config(self, ('return_sequences', 'return_state', 'go_backwards',
                                     'stateful'))
        base_config = Layer.get_config(self)
        return dict(list(base_config.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# Keras 2.2.4 get_config keys of the CuDNN layers (before the `_CuDNNRNN` ones), in order.
_CUDNN_KEYS = ('units', 'kernel_initializer', 'recurrent_initializer', 'bias_initializer',
               'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
               'activity_regularizer', 'kernel_constraint', 'recurrent_constraint',
               'bias_constraint')


class CuDNNGRU(_CuDNNRNN):
    """GRU with the cuDNN equations (reset gate after the recurrent product, sigmoid/tanh).

    Weights: kernel (input_dim, 3u), recurrent_kernel (u, 3u), bias (6u,), gates z, r, h.

    # Arguments
        units: positive integer, dimensionality of the output space.
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
        return_sequences: boolean: return the whole output sequence (`True`) or only the last
            output.
        return_state: boolean: also return the last state(s), after the output.
        stateful: boolean: the last state of each sample of a batch is the initial state of the
            sample of the same index in the next batch. Needs a fixed batch size
            (`batch_input_shape` or `batch_size`) and unshuffled data; `reset_states()` clears
            the states.
    """

    def __init__(self, units, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, return_sequences=False, return_state=False,
                 stateful=False, **kwargs):
        super(CuDNNGRU, self).__init__(
            units, kernel_initializer, recurrent_initializer, bias_initializer,
            kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint,
            return_sequences=return_sequences, return_state=return_state, stateful=stateful,
            **kwargs)

    @property
    def cell(self):
        return _Cell(state_size=(self.units,))

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        _add_kernels(self, (input_dim, self.units * 3), (self.units, self.units * 3))
        _add_bias(self, (self.units * 6,))
        self._finish_build()

    def _step_function(self):
        u = self.units
        kernel, recurrent_kernel, input_bias, recurrent_bias = self._effective_weights(3)

        def step(x_t, states):
            h_tm1 = states[0]
            matrix_x = K.dot(x_t, kernel) + input_bias
            matrix_inner = K.dot(h_tm1, recurrent_kernel) + recurrent_bias
            z = K.sigmoid(matrix_x[:, :u] + matrix_inner[:, :u])
            r = K.sigmoid(matrix_x[:, u:2 * u] + matrix_inner[:, u:2 * u])
            hh = K.tanh(matrix_x[:, 2 * u:] + r * matrix_inner[:, 2 * u:])
            h = z * h_tm1 + (1. - z) * hh
            return h, [h]
        return step

    def get_config(self):
        config = _args_config(self, _CUDNN_KEYS)
        base_config = super(CuDNNGRU, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class CuDNNLSTM(_CuDNNRNN):
    """LSTM with the cuDNN equations (sigmoid gates, tanh activations).

    Weights: kernel (input_dim, 4u), recurrent_kernel (u, 4u), bias (8u,), gates i, f, c, o.

    # Arguments
        units: positive integer, dimensionality of the output space.
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
        return_state: boolean: also return the last state(s), after the output.
        stateful: boolean: the last state of each sample of a batch is the initial state of the
            sample of the same index in the next batch. Needs a fixed batch size
            (`batch_input_shape` or `batch_size`) and unshuffled data; `reset_states()` clears
            the states.
    """

    def __init__(self, units, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 return_state=False, stateful=False, **kwargs):
        super(CuDNNLSTM, self).__init__(
            units, kernel_initializer, recurrent_initializer, bias_initializer,
            kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint,
            return_sequences=return_sequences, return_state=return_state, stateful=stateful,
            **kwargs)
        self.unit_forget_bias = _check_bool('unit_forget_bias', unit_forget_bias)

    @property
    def cell(self):
        return _Cell(state_size=(self.units, self.units))

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        _add_kernels(self, (input_dim, self.units * 4), (self.units, self.units * 4))
        bias_initializer = None
        if self.unit_forget_bias:
            # the forget bias of the recurrent set (slot 5 of 8) starts at one
            bias_initializer = _forget_bias_initializer(self.bias_initializer, self.units,
                                                        offset=self.units * 5)
        _add_bias(self, (self.units * 8,), bias_initializer)
        self._finish_build()

    def _step_function(self):
        u = self.units
        kernel, recurrent_kernel, input_bias, recurrent_bias = self._effective_weights(4)

        def step(x_t, states):
            h_tm1, c_tm1 = states[0], states[1]
            z = (K.dot(x_t, kernel) + input_bias) + (K.dot(h_tm1, recurrent_kernel) +
                                                     recurrent_bias)
            i = K.sigmoid(z[:, :u])
            f = K.sigmoid(z[:, u:2 * u])
            c = f * c_tm1 + i * K.tanh(z[:, 2 * u:3 * u])
            o = K.sigmoid(z[:, 3 * u:])
            h = o * K.tanh(c)
            return h, [h, c]
        return step

    def get_config(self):
        config = _args_config(self, _CUDNN_KEYS + ('unit_forget_bias',))
        base_config = super(CuDNNLSTM, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


# The other module-level names of Keras 2.2.4's `keras.layers.cudnn_recurrent`.
from collections import namedtuple  # noqa: E402,F401

from .. import initializers, constraints  # noqa: E402,F401

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['InputSpec', 'K', 'RNN', 'constraints', 'initializers', 'namedtuple',
            'regularizers']
