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

`_convert_rnn_weights` converts weight lists between CuDNNLSTM and LSTM and
between CuDNNGRU and GRU(reset_after=True), as Keras 2.2.4 does when loading
weights saved by one into the other.
"""
import collections

import numpy as np

from .. import backend as K
from .. import initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec
from ..utils.generic_utils import to_list
from .recurrent import RNN, _check_bool, _check_units

__all__ = ['CuDNNGRU', 'CuDNNLSTM']

_Cell = collections.namedtuple('cell', 'state_size')


class _CuDNNRNN(RNN):
    """Shared machinery of the CuDNN layers (no masking, no dropout, no unroll)."""

    def __init__(self, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        if kwargs.pop('unroll', False):
            raise TypeError('unroll: unrolling is not possible with CuDNN RNNs')
        Layer.__init__(self, **kwargs)
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
        elif self.stateful:
            initial_state = list(self.states)
        else:
            initial_state = self.get_initial_state(inputs)
        if len(initial_state) != len(self.states):
            raise ValueError('Layer %s has %d states but was passed %d initial states.'
                             % (self.name, len(self.states), len(initial_state)))
        step = self._step_function()
        last_output, outputs, states = K.rnn(step, inputs, initial_state,
                                             go_backwards=self.go_backwards)
        if self.stateful:
            for var, value in zip(self.states, states):
                K.update(var, value)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def _effective_kernels(self, n_gates):
        """Plain-Keras (input_dim, n*u) / (u, n*u) kernels equivalent to the cuDNN buffers."""
        u = self.units
        kernel = self.kernel.value
        recurrent_kernel = self.recurrent_kernel.value
        input_dim = int(self.kernel.shape[0])
        ks = [K.transpose(K.reshape(kernel[:, g * u:(g + 1) * u], (u, input_dim)))
              for g in range(n_gates)]
        rs = [K.transpose(recurrent_kernel[:, g * u:(g + 1) * u]) for g in range(n_gates)]
        return K.concatenate(ks, axis=-1), K.concatenate(rs, axis=-1)

    def get_config(self):
        config = {'return_sequences': self.return_sequences,
                  'return_state': self.return_state,
                  'go_backwards': self.go_backwards,
                  'stateful': self.stateful}
        base_config = Layer.get_config(self)
        return dict(list(base_config.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _common_init(layer, units, kernel_initializer, recurrent_initializer, bias_initializer,
                 kernel_regularizer, recurrent_regularizer, bias_regularizer,
                 activity_regularizer, kernel_constraint, recurrent_constraint,
                 bias_constraint):
    layer.units = _check_units('units', units)
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.recurrent_initializer = initializers.get(recurrent_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.recurrent_regularizer = regularizers.get(recurrent_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.activity_regularizer = regularizers.get(activity_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.recurrent_constraint = constraints.get(recurrent_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)


def _common_config(layer):
    return {'units': layer.units,
            'kernel_initializer': initializers.serialize(layer.kernel_initializer),
            'recurrent_initializer': initializers.serialize(layer.recurrent_initializer),
            'bias_initializer': initializers.serialize(layer.bias_initializer),
            'kernel_regularizer': regularizers.serialize(layer.kernel_regularizer),
            'recurrent_regularizer': regularizers.serialize(layer.recurrent_regularizer),
            'bias_regularizer': regularizers.serialize(layer.bias_regularizer),
            'activity_regularizer': regularizers.serialize(layer.activity_regularizer),
            'kernel_constraint': constraints.serialize(layer.kernel_constraint),
            'recurrent_constraint': constraints.serialize(layer.recurrent_constraint),
            'bias_constraint': constraints.serialize(layer.bias_constraint)}


class CuDNNGRU(_CuDNNRNN):
    """GRU with the cuDNN equations (reset gate after the recurrent product, sigmoid/tanh).

    Weights: kernel (input_dim, 3u), recurrent_kernel (u, 3u), bias (6u,), gates z, r, h.
    """

    def __init__(self, units, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, return_sequences=False, return_state=False,
                 stateful=False, **kwargs):
        self.units = _check_units('units', units)
        super(CuDNNGRU, self).__init__(return_sequences=return_sequences,
                                       return_state=return_state, stateful=stateful, **kwargs)
        _common_init(self, units, kernel_initializer, recurrent_initializer, bias_initializer,
                     kernel_regularizer, recurrent_regularizer, bias_regularizer,
                     activity_regularizer, kernel_constraint, recurrent_constraint,
                     bias_constraint)

    @property
    def cell(self):
        return _Cell(state_size=(self.units,))

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=(input_dim, self.units * 3), name='kernel',
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units * 3),
                                                name='recurrent_kernel',
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(shape=(self.units * 6,), name='bias',
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint)
        self._finish_build()

    def _step_function(self):
        u = self.units
        kernel, recurrent_kernel = self._effective_kernels(3)
        bias = self.bias.value
        input_bias, recurrent_bias = bias[:3 * u], bias[3 * u:]

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
        config = _common_config(self)
        base_config = super(CuDNNGRU, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class CuDNNLSTM(_CuDNNRNN):
    """LSTM with the cuDNN equations (sigmoid gates, tanh activations).

    Weights: kernel (input_dim, 4u), recurrent_kernel (u, 4u), bias (8u,), gates i, f, c, o.
    """

    def __init__(self, units, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros',
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 return_state=False, stateful=False, **kwargs):
        self.units = _check_units('units', units)
        super(CuDNNLSTM, self).__init__(return_sequences=return_sequences,
                                        return_state=return_state, stateful=stateful, **kwargs)
        _common_init(self, units, kernel_initializer, recurrent_initializer, bias_initializer,
                     kernel_regularizer, recurrent_regularizer, bias_regularizer,
                     activity_regularizer, kernel_constraint, recurrent_constraint,
                     bias_constraint)
        self.unit_forget_bias = _check_bool('unit_forget_bias', unit_forget_bias)

    @property
    def cell(self):
        return _Cell(state_size=(self.units, self.units))

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=(input_dim, self.units * 4), name='kernel',
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units * 4),
                                                name='recurrent_kernel',
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.unit_forget_bias:
            units = self.units
            base_init = self.bias_initializer

            def bias_initializer(shape, *args, **kwargs):
                # the forget bias of the recurrent set (slot 5 of 8) starts at one
                return K.concatenate([base_init((units * 5,), *args, **kwargs),
                                      initializers.Ones()((units,), *args, **kwargs),
                                      base_init((units * 2,), *args, **kwargs)])
        else:
            bias_initializer = self.bias_initializer
        self.bias = self.add_weight(shape=(self.units * 8,), name='bias',
                                    initializer=bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint)
        self._finish_build()

    def _step_function(self):
        u = self.units
        kernel, recurrent_kernel = self._effective_kernels(4)
        bias = self.bias.value
        input_bias, recurrent_bias = bias[:4 * u], bias[4 * u:]

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
        config = _common_config(self)
        config['unit_forget_bias'] = self.unit_forget_bias
        base_config = super(CuDNNLSTM, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


# ---------------------------------------------------------------------- weight conversion
def _transform_kernels(kernels, func, n_gates):
    return np.hstack([func(k) for k in np.hsplit(kernels, n_gates)])


def _transpose_input(from_cudnn):
    order = 'F' if from_cudnn else 'C'

    def transform(kernel):
        return kernel.T.reshape(kernel.shape, order=order)
    return transform


def _convert_rnn_weights(layer, weights):
    """Convert a weight list saved by CuDNNLSTM/LSTM or CuDNNGRU/GRU(reset_after=True) into
    the layout of `layer` (Keras 2.2.4 rules; anything else is returned unchanged).

    Raises ValueError for GRU(reset_after=False) <-> CuDNNGRU or an unknown bias shape.
    """
    weights = [np.asarray(w) for w in weights]
    target_class = layer.__class__.__name__

    if target_class in ('LSTM', 'CuDNNLSTM') and len(weights) == 3:
        units = weights[1].shape[0]
        bias_shape = weights[2].shape
        n_gates = 4
        if bias_shape == (2 * units * n_gates,):
            source = 'CuDNNLSTM'
        elif bias_shape == (units * n_gates,):
            source = 'LSTM'
        else:
            raise ValueError('weights: invalid LSTM bias shape %s for %d units (expected (%d,) '
                             'or (%d,))' % (bias_shape, units, units * n_gates,
                                            2 * units * n_gates))
        if source != target_class:
            from_cudnn = source == 'CuDNNLSTM'
            kernels = _transform_kernels(weights[0], _transpose_input(from_cudnn), n_gates)
            recurrent_kernels = _transform_kernels(weights[1], lambda k: k.T, n_gates)
            if from_cudnn:
                biases = np.sum(np.split(weights[2], 2, axis=0), axis=0)
            else:
                biases = np.tile(0.5 * weights[2], 2)
            weights = [kernels, recurrent_kernels, biases]

    if target_class in ('GRU', 'CuDNNGRU') and len(weights) == 3:
        units = weights[1].shape[0]
        bias_shape = weights[2].shape
        n_gates = 3
        if bias_shape == (2 * units * n_gates,):
            source = 'CuDNNGRU'
        elif bias_shape == (2, units * n_gates):
            source = 'GRU(reset_after=True)'
        elif bias_shape == (units * n_gates,):
            source = 'GRU(reset_after=False)'
        else:
            raise ValueError('weights: invalid GRU bias shape %s for %d units' % (bias_shape,
                                                                                   units))
        if target_class == 'CuDNNGRU':
            target = 'CuDNNGRU'
        elif getattr(layer, 'reset_after', False):
            target = 'GRU(reset_after=True)'
        else:
            target = 'GRU(reset_after=False)'
        if source != target:
            if 'GRU(reset_after=False)' in (source, target):
                raise ValueError('weights: %s weights are not compatible with %s'
                                 % (source, target))
            from_cudnn = source == 'CuDNNGRU'
            kernels = _transform_kernels(weights[0], _transpose_input(from_cudnn), n_gates)
            recurrent_kernels = _transform_kernels(weights[1], lambda k: k.T, n_gates)
            biases = weights[2].reshape((2, -1) if from_cudnn else -1)
            weights = [kernels, recurrent_kernels, biases]
    return weights
