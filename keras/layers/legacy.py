"""Legacy layers that Keras 2.2.4 still exports from `keras.layers` (`keras/legacy/layers.py`):
MaxoutDense, Highway (Keras 1 dense layers, deprecated), and the Keras 2.0 abstract bases
Recurrent and ConvRecurrent2D for recurrent layers written as `step(inputs, states)`.

Weight names, order and shapes follow Keras 2.2.4 so that Keras 2 HDF5 files load:
MaxoutDense `W` (nb_feature, input_dim, output_dim), `b` (nb_feature, output_dim);
Highway `W`, `W_carry` (input_dim, input_dim), `b`, `b_carry` (input_dim,).
"""
import warnings

import numpy as np

from .. import backend as K
from .. import activations, initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec, is_symbolic
from ..utils import conv_utils
from ..utils.generic_utils import has_arg, to_list
from ._weight_args import args_config
from .rnn._utils import (_RNN_FLAGS, _rnn_output_shape, _rnn_output_mask, _rnn_call_outputs,
                         _STATEFUL_BATCH_SIZE_ERROR, _create_state_variables, _state_values,
                         _keras1_input_shape, _call_with_extra_inputs)
from .convolutional_recurrent import _output_map_shape

__all__ = ['MaxoutDense', 'Highway', 'Recurrent', 'ConvRecurrent2D']


def _legacy_dense_input_dim(layer, input_shape):
    if isinstance(input_shape, list):
        input_shape = input_shape[0]
    input_shape = tuple(input_shape)
    if len(input_shape) != 2:
        raise ValueError('%s: expected a 2D input (batch, input_dim), got shape %s'
                         % (layer.name, input_shape))
    input_dim = input_shape[1]
    if input_dim is None:
        raise ValueError('%s: the last dimension of the input must be known, got shape %s'
                         % (layer.name, input_shape))
    return int(input_dim)


def _init_legacy_dense(layer, init, weights, W_regularizer, b_regularizer,
                       activity_regularizer, W_constraint, b_constraint, bias, input_dim,
                       kwargs):
    """The Keras 1 dense arguments MaxoutDense and Highway share (`kwargs` gets the
    `input_shape` of `input_dim`)."""
    layer.init = initializers.get(init)
    layer.W_regularizer = regularizers.get(W_regularizer)
    layer.b_regularizer = regularizers.get(b_regularizer)
    layer.activity_regularizer = regularizers.get(activity_regularizer)
    layer.W_constraint = constraints.get(W_constraint)
    layer.b_constraint = constraints.get(b_constraint)
    layer.bias = bias
    layer.initial_weights = weights
    layer.input_dim = input_dim
    if layer.input_dim:
        kwargs['input_shape'] = (layer.input_dim,)


def _legacy_dense_config(layer):
    """Config entries of the arguments set by `_init_legacy_dense`, except `init`."""
    return {'W_regularizer': regularizers.serialize(layer.W_regularizer),
            'b_regularizer': regularizers.serialize(layer.b_regularizer),
            'activity_regularizer': regularizers.serialize(layer.activity_regularizer),
            'W_constraint': constraints.serialize(layer.W_constraint),
            'b_constraint': constraints.serialize(layer.b_constraint),
            'bias': layer.bias,
            'input_dim': layer.input_dim}


def _apply_initial_weights(layer):
    """Keras 2.2.4 sets the `weights` constructor argument at the end of `build`."""
    weights = getattr(layer, 'initial_weights', None)
    if weights is not None:
        del layer.initial_weights
        if len(weights):   # an empty list (the weights of an unbuilt layer) sets nothing
            layer.set_weights(weights)


class MaxoutDense(Layer):
    """Dense maxout layer (deprecated): the element-wise maximum over `nb_feature` linear
    `Dense(output_dim)` projections of a 2D input, `max_k(x . W[k] + b[k])`.

    Linear only (no activation). Input `(batch, input_dim)`, output `(batch, output_dim)`.

    # Arguments
        output_dim: integer, the output dimension.
        nb_feature: integer, the number of linear projections the maximum is taken over.
        init: initializer of the weights (Keras 1 name).
        weights: initial weights: `[W, b]`.
        W_regularizer: regularizer of `W`.
        b_regularizer: regularizer of `b`.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        W_constraint: constraint on `W`.
        b_constraint: constraint on `b`.
        bias: whether the layer uses biases.
        input_dim: the input dimension (alternative to `input_shape`).
    """

    def __init__(self, output_dim, nb_feature=4, init='glorot_uniform', weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        warnings.warn('The `MaxoutDense` layer is deprecated and will be removed after '
                      '06/2017.', stacklevel=2)
        self.output_dim = output_dim
        self.nb_feature = nb_feature
        _init_legacy_dense(self, init, weights, W_regularizer, b_regularizer,
                           activity_regularizer, W_constraint, b_constraint, bias, input_dim,
                           kwargs)
        super(MaxoutDense, self).__init__(**kwargs)
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        input_dim = _legacy_dense_input_dim(self, input_shape)
        self.input_spec = InputSpec(dtype=K.floatx(), shape=(None, input_dim))
        self.W = self.add_weight(name='W', shape=(self.nb_feature, input_dim, self.output_dim),
                                 initializer=self.init, regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        if self.bias:
            self.b = self.add_weight(name='b', shape=(self.nb_feature, self.output_dim),
                                     initializer='zeros', regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
        else:
            self.b = None
        _apply_initial_weights(self)
        self.built = True

    def compute_output_shape(self, input_shape):
        if not input_shape or len(input_shape) != 2:
            raise ValueError('MaxoutDense: expected a 2D input shape, got %s' % (input_shape,))
        return (input_shape[0], self.output_dim)

    def call(self, x):
        # (batch, input_dim) . (nb_feature, input_dim, output_dim) -> (batch, nb_feature, out)
        """The maximum over the `nb_feature` linear projections.

        # Arguments
            x: input tensor `(batch, input_dim)`.

        # Returns
            A tensor `(batch, output_dim)`.
        """
        z = K.dot(x, self.W)
        if self.bias:
            z = z + self.b
        return K.max(z, axis=1)

    def get_config(self):
        config = {'output_dim': self.output_dim,
                  'init': initializers.serialize(self.init),
                  'nb_feature': self.nb_feature}
        config.update(_legacy_dense_config(self))
        base = super(MaxoutDense, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Highway(Layer):
    """Densely connected highway layer (deprecated):
    `t = sigmoid(x . W_carry + b_carry)`, `y = activation(x . W + b) * t + (1 - t) * x`.

    Input and output `(batch, input_dim)`. `b_carry` starts at ones, `b` at zeros.

    # Arguments
        init: initializer of the weights (Keras 1 name).
        activation: activation of the transform `x . W + b`.
        weights: initial weights: `[W, W_carry, b, b_carry]`.
        W_regularizer: regularizer of `W` and `W_carry`.
        b_regularizer: regularizer of the biases.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        W_constraint: constraint on `W` and `W_carry`.
        b_constraint: constraint on the biases.
        bias: whether the layer uses biases.
        input_dim: the input dimension (alternative to `input_shape`).
    """

    def __init__(self, init='glorot_uniform', activation=None, weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        warnings.warn('The `Highway` layer is deprecated and will be removed after 06/2017.',
                      stacklevel=2)
        if 'transform_bias' in kwargs:
            kwargs.pop('transform_bias')
            warnings.warn('`transform_bias` argument is deprecated and has been removed.',
                          stacklevel=2)
        _init_legacy_dense(self, init, weights, W_regularizer, b_regularizer,
                           activity_regularizer, W_constraint, b_constraint, bias, input_dim,
                           kwargs)
        self.activation = activations.get(activation)
        super(Highway, self).__init__(**kwargs)
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        input_dim = _legacy_dense_input_dim(self, input_shape)
        self.input_spec = InputSpec(dtype=K.floatx(), shape=(None, input_dim))
        self.W = self.add_weight(name='W', shape=(input_dim, input_dim), initializer=self.init,
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        # Keras 2.2.4 gives the carry weights neither regularizer nor constraint
        self.W_carry = self.add_weight(name='W_carry', shape=(input_dim, input_dim),
                                       initializer=self.init)
        if self.bias:
            self.b = self.add_weight(name='b', shape=(input_dim,), initializer='zeros',
                                     regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
            self.b_carry = self.add_weight(name='b_carry', shape=(input_dim,),
                                           initializer='ones')
        else:
            self.b = None
            self.b_carry = None
        _apply_initial_weights(self)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def call(self, x):
        """Applies the highway transform.

        # Arguments
            x: input tensor `(batch, input_dim)`.

        # Returns
            A tensor of the shape of `x`.
        """
        gate = K.dot(x, self.W_carry)
        if self.bias:
            gate = gate + self.b_carry
        transform = activations.sigmoid(gate)
        h = K.dot(x, self.W)
        if self.bias:
            h = h + self.b
        h = self.activation(h)
        return h * transform + (1. - transform) * x

    def get_config(self):
        config = {'init': initializers.serialize(self.init),
                  'activation': activations.serialize(self.activation)}
        config.update(_legacy_dense_config(self))
        base = super(Highway, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Recurrent(Layer):
    """Abstract base of Keras 2.0-style recurrent layers.

    A subclass implements `step(inputs, states) -> (output, new_states)` (where `states`
    holds the recurrent states followed by the constants of `get_constants`), sets
    `self.units`, `self.states` (`[None] * number of states` until `reset_states` makes
    them Variables for a stateful layer) and usually `self.state_spec`; it may override
    `get_initial_state(inputs)`, `get_constants(inputs, training=None)` and
    `preprocess_input(inputs, training=None)`. `call` runs the steps over the time axis
    with `K.rnn` (masking, `go_backwards`, `unroll`, `initial_state`, `return_state`,
    stateful states).

    # Arguments
        return_sequences: return the whole output sequence instead of the last output.
        return_state: also return the final states.
        go_backwards: process the sequence backwards (the returned sequence is reversed).
        stateful: keep the final states of a batch as initial states of the next batch.
        unroll: unroll the loop (needs a known number of time steps).
        implementation: kept for subclasses (0, 1 or 2), stored in the config.
    """

    def __init__(self, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, implementation=0, **kwargs):
        _keras1_input_shape(kwargs)
        super(Recurrent, self).__init__(**kwargs)
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.implementation = implementation
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]
        self.state_spec = None
        self.dropout = 0
        self.recurrent_dropout = 0
        if '_states' not in self.__dict__:
            self._states = None
            self._state_variables = []

    # -------------------------------------------------------------- states
    @property
    def states(self):
        if self._states is None:
            return [None]
        return self._states

    @states.setter
    def states(self, states):
        if states is not None:
            states = list(states)
        self._states = states
        self._state_variables = [s for s in (states or []) if isinstance(s, K.Variable)]

    def _state_shapes(self, batch_size):
        """Shapes of the stateful state Variables."""
        return [(batch_size, self.units) for _ in self.states]

    # -------------------------------------------------------------- shapes / masks
    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        if not hasattr(self, 'units'):
            # no `units`: infer the shapes from `call`
            return super(Recurrent, self).compute_output_shape(input_shape)
        step_shape = (input_shape[0], self.units)
        return _rnn_output_shape(self, input_shape, step_shape,
                                 [step_shape for _ in self.states])

    def compute_mask(self, inputs, mask):
        return _rnn_output_mask(self, mask)

    # -------------------------------------------------------------- hooks for subclasses
    def step(self, inputs, states):
        """One step of the recurrence, what subclasses implement.

        # Arguments
            inputs: the input of one timestep.
            states: the list of states (then the constants).

        # Returns
            `(output, new_states)`.
        """
        raise NotImplementedError

    def get_constants(self, inputs, training=None):
        """Tensors passed unchanged to every `step` (Keras 2.0's dropout masks); none by default.

        # Arguments
            inputs: the input sequence.
            training: the learning phase.

        # Returns
            A list of tensors.
        """
        return []

    def get_initial_state(self, inputs):
        """All-zero initial states `(samples, units)`, one per state.

        # Arguments
            inputs: the input sequence.

        # Returns
            A list of tensors.
        """
        # all-zero states (samples, units) built from the input, so the batch size may be
        # unknown
        zeros = K.sum(K.zeros_like(inputs), axis=tuple(range(1, K.ndim(inputs))))
        zeros = K.tile(K.expand_dims(zeros), [1, self.units])
        return [zeros for _ in self.states]

    def preprocess_input(self, inputs, training=None):
        """Transforms the whole input sequence before the recurrence; the identity by default.

        # Arguments
            inputs: the input sequence.
            training: the learning phase.

        # Returns
            A tensor.
        """
        return inputs

    # -------------------------------------------------------------- call
    def _check_unroll(self, timesteps):
        if self.unroll and timesteps in (None, 1):
            raise ValueError('Cannot unroll a RNN if the time dimension is undefined or equal '
                             'to 1.\n- If using a Sequential model, specify the time dimension '
                             'by passing an `input_shape` or `batch_input_shape` argument to '
                             'your first layer. If your first layer is an Embedding, you can '
                             'also use the `input_length` argument.\n- If using the functional '
                             'API, specify the time dimension by passing a `shape` or '
                             '`batch_shape` argument to your Input layer.')

    def __call__(self, inputs, initial_state=None, **kwargs):
        # `[x] + states` as one list (e.g. a model loaded from a config) means initial states
        if isinstance(inputs, (list, tuple)) and len(inputs) > 1 and initial_state is None:
            initial_state = list(inputs[1:])
            inputs = inputs[0]
        if is_symbolic(inputs):
            # symbolic shape inference would retry an unknown time dimension with concrete
            # sizes, so the check is made here
            self._check_unroll(K.int_shape(inputs)[1])
        if initial_state is None:
            return super(Recurrent, self).__call__(inputs, **kwargs)
        initial_state = to_list(initial_state, allow_tuple=True)
        if self.state_spec is None:
            state_spec = [None for _ in initial_state]
        else:
            state_spec = to_list(self.state_spec)
        return _call_with_extra_inputs(self, super(Recurrent, self).__call__, inputs,
                                       initial_state, state_spec, kwargs,
                                       initial_state=initial_state)

    def call(self, inputs, mask=None, training=None, initial_state=None):
        """Runs `step` over the timesteps of `inputs`.

        # Arguments
            inputs: input sequence `(batch, timesteps, features)`.
            mask: optional boolean mask `(batch, timesteps)`: masked timesteps keep the previous
                output and states.
            training: the learning phase (for dropout); `None`: the current one.
            initial_state: optional list of initial state tensors (zeros by default).

        # Returns
            The last output, or the sequence of outputs with `return_sequences`; followed by the
            last states with `return_state`.
        """
        if isinstance(inputs, (list, tuple)):
            inputs = list(inputs)
            initial_state = inputs[1:] or initial_state
            inputs = inputs[0]
        if initial_state is not None:
            initial_state = to_list(initial_state, allow_tuple=True)
        elif self.stateful:
            initial_state = list(self.states)
            if any(s is None for s in initial_state):
                raise ValueError('%s: the layer is stateful but its states were never '
                                 'created; `build` should call `self.reset_states()` when '
                                 '`self.stateful`' % self.name)
        else:
            initial_state = self.get_initial_state(inputs)
        if isinstance(mask, list):
            mask = mask[0]
        if len(initial_state) != len(self.states):
            raise ValueError('Layer has %d states but was passed %d initial states.'
                             % (len(self.states), len(initial_state)))
        timesteps = K.int_shape(inputs)[1]
        if timesteps is not None and not isinstance(timesteps, (int, np.integer)):
            timesteps = None     # a symbolic (unknown) number of steps
        self._check_unroll(timesteps)
        constants = self._hook(self.get_constants, inputs, training)
        preprocessed = self._hook(self.preprocess_input, inputs, training)
        constants = list(constants) if constants else None
        last_output, outputs, states = K.rnn(self.step, preprocessed, initial_state,
                                             go_backwards=self.go_backwards, mask=mask,
                                             constants=constants, unroll=self.unroll,
                                             input_length=timesteps)
        return _rnn_call_outputs(self, last_output, outputs, to_list(states, allow_tuple=True))

    @staticmethod
    def _hook(method, inputs, training):
        if has_arg(method, 'training'):
            return method(inputs, training=training)
        return method(inputs)

    # -------------------------------------------------------------- stateful states
    def _stateful_batch_size(self):
        spec = to_list(self.input_spec)[0] if self.input_spec else None
        shape = getattr(spec, 'shape', None)
        batch_size = shape[0] if shape else None
        if not batch_size:
            batch_size = getattr(self, 'batch_input_shape', (None,))[0]
        if not batch_size:
            raise ValueError(_STATEFUL_BATCH_SIZE_ERROR)
        return int(batch_size)

    def reset_states(self, states=None):
        """Resets the states of a stateful layer.

        # Arguments
            states: `None` (zeros) or a list of arrays, one per state.
        """
        if not self.stateful:
            raise AttributeError('Layer must be stateful.')
        shapes = [tuple(s) for s in self._state_shapes(self._stateful_batch_size())]
        if states is not None:
            values = _state_values(self, states, shapes)
        else:
            values = [np.zeros(shape, dtype=K.floatx()) for shape in shapes]
        _create_state_variables(self, shapes)
        for var, value in zip(self.states, values):
            K.set_value(var, value)

    # -------------------------------------------------------------- config
    def get_config(self):
        config = args_config(self, _RNN_FLAGS + ('implementation',))
        base = super(Recurrent, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class ConvRecurrent2D(Recurrent):
    """Abstract base of Keras 2.0-style convolutional recurrent layers (e.g. the legacy
    ConvLSTM2D): 5D inputs `(batch, time, rows, cols, channels)` (`channels_last`) or
    `(batch, time, channels, rows, cols)` (`channels_first`); states and outputs are the
    convolution's output maps with `filters` channels.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of 2 integers, the size of the convolution windows.
        strides: an integer or tuple of integers, the strides of the convolution along each
            spatial dimension. A stride other than 1 cannot be combined with a `dilation_rate`
            other than 1.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        dilation_rate: an integer or tuple of integers, the dilation rate of a dilated (atrous)
            convolution.
        return_sequences: boolean: return the whole output sequence (`True`) or only the last
            output.
        go_backwards: boolean: process the input sequence backwards and return the reversed
            sequence.
        stateful: boolean: the last state of each sample of a batch is the initial state of the
            sample of the same index in the next batch. Needs a fixed batch size
            (`batch_input_shape` or `batch_size`) and unshuffled data; `reset_states()` clears
            the states.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), return_sequences=False, go_backwards=False,
                 stateful=False, **kwargs):
        super(ConvRecurrent2D, self).__init__(**kwargs)
        self.filters = filters
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, 2, 'kernel_size')
        self.strides = conv_utils.normalize_tuple(strides, 2, 'strides')
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, 2, 'dilation_rate')
        self.return_sequences = return_sequences
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.input_spec = [InputSpec(ndim=5)]
        self.state_spec = None

    def _map_shape(self, input_shape):
        """Per-step output map `(batch, rows', cols', filters)` (or channels first)."""
        return _output_map_shape(self, input_shape)

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        map_shape = self._map_shape(input_shape)
        return _rnn_output_shape(self, input_shape, map_shape,
                                 [map_shape for _ in self.states])

    def _state_shapes(self, batch_size):
        spec = to_list(self.input_spec)[0] if self.input_spec else None
        input_shape = getattr(spec, 'shape', None) or getattr(self, 'batch_input_shape', None)
        if input_shape is None:
            raise ValueError('%s: the input shape must be known to create the states of a '
                             'stateful layer' % self.name)
        map_shape = self._map_shape(tuple(input_shape))
        if any(d is None for d in map_shape[1:]):
            raise ValueError('%s: the spatial input dimensions must be known to create the '
                             'states of a stateful layer (input shape %s)'
                             % (self.name, tuple(input_shape)))
        return [(batch_size,) + tuple(map_shape[1:]) for _ in self.states]

    def get_initial_state(self, inputs):
        # all-zero output maps: a zero convolution of the summed-over-time input
        zeros = K.sum(K.zeros_like(inputs), axis=1)
        channel_axis = 1 if self.data_format == 'channels_first' else -1
        in_channels = K.int_shape(zeros)[channel_axis]
        kernel = np.zeros(self.kernel_size + (in_channels, self.filters), dtype=K.floatx())
        state = K.conv2d(zeros, kernel, strides=self.strides, padding=self.padding,
                         data_format=self.data_format, dilation_rate=self.dilation_rate)
        return [state for _ in self.states]

    def get_config(self):
        config = {'filters': self.filters,
                  'kernel_size': self.kernel_size,
                  'strides': self.strides,
                  'padding': self.padding,
                  'data_format': self.data_format,
                  'dilation_rate': self.dilation_rate,
                  'return_sequences': self.return_sequences,
                  'go_backwards': self.go_backwards,
                  'stateful': self.stateful}
        base = super(ConvRecurrent2D, self).get_config()
        return dict(list(base.items()) + list(config.items()))
