"""Recurrent layers (Keras 2.2): RNN, SimpleRNN, GRU, LSTM, their cells and StackedRNNCells.

Every recurrent layer runs its cell over the time axis with `K.rnn` (a `lax.scan`).
"""
import numbers
import warnings

import numpy as np

from .. import backend as K
from ..legacy import interfaces
from .. import activations, initializers, regularizers
from ..engine.base_layer import Layer, InputSpec, is_symbolic
from ..utils.generic_utils import has_arg, to_list
from ._weight_args import (args_config as _args_config, add_bias as _add_bias, add_kernel,
                           add_optional_bias, set_args)

__all__ = ['RNN', 'SimpleRNN', 'GRU', 'LSTM', 'SimpleRNNCell', 'GRUCell', 'LSTMCell',
           'StackedRNNCells']


# ---------------------------------------------------------------------- argument checks
def _check_units(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError('%s: expected a positive integer, got %r' % (name, value))
    return int(value)


def _check_dropout(name, value):
    """Keras 2.2 clips dropout rates into [0, 1]; non-numbers are an error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError('%s: expected a float between 0 and 1, got %r' % (name, value))
    return min(1., max(0., float(value)))


def _check_implementation(value):
    if value == 0:
        warnings.warn('`implementation=0` has been deprecated, and now defaults to '
                      '`implementation=1`. Please update your layer call.', stacklevel=3)
        return 1
    if value not in (1, 2) or isinstance(value, bool):
        raise ValueError('implementation: expected 1 or 2, got %r' % (value,))
    return int(value)


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        if isinstance(value, (int, np.integer)) and value in (0, 1):
            return bool(value)
        raise TypeError('%s: expected a boolean, got %r' % (name, value))
    return bool(value)


def _state_list(state_size):
    if hasattr(state_size, '__len__'):
        return list(state_size)
    return [state_size]


def _generate_dropout_mask(ones, rate, training=None, count=1):
    """Dropout mask(s) drawn once per sequence (the same at every time step)."""
    def dropped_inputs():
        return K.dropout(ones, rate)

    if count > 1:
        return [K.in_train_phase(dropped_inputs, ones, training=training)
                for _ in range(count)]
    return K.in_train_phase(dropped_inputs, ones, training=training)


def _standardize_args(inputs, initial_state, constants, num_constants):
    """Split `inputs` given as a list into (inputs, initial_state, constants), as Keras 2.2."""
    if isinstance(inputs, (list, tuple)):
        inputs = list(inputs)
        if initial_state is not None or constants is not None:
            raise ValueError('When `inputs` is a list ([x] + initial_state + constants), '
                             '`initial_state` and `constants` must not be passed separately; '
                             'got initial_state=%r, constants=%r' % (initial_state, constants))
        if num_constants is not None:
            constants = inputs[-num_constants:]
            inputs = inputs[:-num_constants]
        if len(inputs) > 1:
            initial_state = inputs[1:]
        inputs = inputs[0]

    def to_list_or_none(x):
        if x is None or isinstance(x, list):
            return x
        if isinstance(x, tuple):
            return list(x)
        return [x]

    initial_state = to_list_or_none(initial_state)
    constants = to_list_or_none(constants)
    if initial_state is not None and len(initial_state) == 0:
        initial_state = None
    if constants is not None and len(constants) == 0:
        constants = None
    return inputs, initial_state, constants


def _keras1_input_shape(kwargs):
    """Keras 1 `input_dim` / `input_length` arguments of a recurrent layer: popped from
    `kwargs`, they become its `input_shape` unless an input shape is given."""
    input_dim = kwargs.pop('input_dim', None)
    input_length = kwargs.pop('input_length', None)
    if (input_dim is not None or input_length is not None) and \
            'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
        kwargs['input_shape'] = (input_length, input_dim)


def _call_with_extra_inputs(layer, base_call, inputs, extra_inputs, extra_specs, kwargs,
                            **call_args):
    """`base_call` (the base `__call__` of a recurrent layer or wrapper) given initial states
    and/or constants `extra_inputs`. Keras tensors become inputs of the node, so the graph
    records them (`extra_specs` extend the input spec during the call); other values are
    passed as the `call_args` that are not None."""
    symbolic = is_symbolic(extra_inputs[0])
    if any(is_symbolic(tensor) != symbolic for tensor in extra_inputs):
        raise ValueError('The initial state or constants of an RNN layer cannot be specified '
                         'with a mix of Keras tensors and non-Keras tensors (a "Keras tensor" '
                         'is a tensor that was returned by a Keras layer, or by `Input`)')
    if not symbolic:
        kwargs.update((k, v) for k, v in call_args.items() if v is not None)
        return base_call(inputs, **kwargs)
    if not is_symbolic(inputs):
        raise ValueError('%s: `initial_state`/`constants` are Keras tensors but the inputs are '
                         'not (got %r)' % (layer.name, type(inputs).__name__))
    original_spec = layer.input_spec
    layer.input_spec = to_list(original_spec or [None]) + list(extra_specs)
    try:
        return base_call([inputs] + list(extra_inputs), **kwargs)
    finally:
        layer.input_spec = original_spec


def _iter_cells(cell):
    """The cell and, for stacked cells, every nested cell."""
    yield cell
    for sub in getattr(cell, 'cells', None) or []:
        for c in _iter_cells(sub):
            yield c


def _clear_dropout_masks(cell):
    for c in _iter_cells(cell):
        if hasattr(c, '_dropout_mask'):
            c._dropout_mask = None
        if hasattr(c, '_recurrent_dropout_mask'):
            c._recurrent_dropout_mask = None


def _uses_dropout(cell):
    for c in _iter_cells(cell):
        if hasattr(c, '_dropout_mask') and (getattr(c, 'dropout', 0) or
                                            getattr(c, 'recurrent_dropout', 0)):
            return True
    return False


# ---------------------------------------------------------------------- shared layer pieces
# (also used by the legacy `Recurrent` base and the convolutional RNNs)
# The RNN switches, in their config order.
_RNN_FLAGS = ('return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll')


def _rnn_output_shape(layer, input_shape, step_shape, state_shapes):
    """`compute_output_shape` of a recurrent layer: the per-step output shape
    `step_shape` (`(batch, ...)`), over time with `return_sequences`, then the
    `state_shapes` with `return_state`."""
    if layer.return_sequences:
        output_shape = tuple(input_shape[:2]) + tuple(step_shape[1:])
    else:
        output_shape = step_shape
    if layer.return_state:
        return [output_shape] + list(state_shapes)
    return output_shape


def _rnn_output_mask(layer, mask):
    """`compute_mask` of a recurrent layer."""
    if isinstance(mask, list):
        mask = mask[0]
    output_mask = mask if layer.return_sequences else None
    if layer.return_state:
        return [output_mask] + [None for _ in layer.states]
    return output_mask


def _rnn_call_outputs(layer, last_output, outputs, states):
    """Keep the final states of a stateful layer; the output (and states) to return."""
    if layer.stateful:
        for var, value in zip(layer.states, states):
            K.update(var, value)
    output = outputs if layer.return_sequences else last_output
    if layer.return_state:
        return [output] + list(states)
    return output


_STATEFUL_BATCH_SIZE_ERROR = (
    'If a RNN is stateful, it needs to know its batch size. Specify the batch size of '
    'your input tensors: \n- If using a Sequential model, specify the batch size by '
    'passing a `batch_input_shape` argument to your first layer.\n- If using the '
    'functional API, specify the batch size by passing a `batch_shape` argument to your '
    'Input layer.')


def _create_state_variables(layer, shapes):
    """Make the state Variables of a stateful layer (once)."""
    if layer.states[0] is None:
        layer.states = [K.zeros(shape, name='%s/state_%d' % (layer.name, i))
                        for i, shape in enumerate(shapes)]


def _state_values(layer, states, shapes):
    """The values given to `reset_states`, as NumPy arrays checked against `shapes`."""
    states = to_list(states, allow_tuple=True)
    if len(states) != len(shapes):
        raise ValueError('Layer %s expects %d states, but it received %d state values. '
                         'Input received: %s' % (layer.name, len(shapes), len(states),
                                                 str(states)[:200]))
    values = []
    for index, (value, shape) in enumerate(zip(states, shapes)):
        value = np.asarray(value)
        if value.shape != tuple(shape):
            raise ValueError('State %d is incompatible with layer %s: expected shape=%s, '
                             'found shape=%s' % (index, layer.name, tuple(shape), value.shape))
        values.append(value)
    return values


# ---------------------------------------------------------------------- shared cell pieces
# The arguments every built-in cell takes (`_CellBase`), in their config order.
_COMMON_CELL_ATTRS = ('units', 'activation', 'use_bias', 'kernel_initializer',
                      'recurrent_initializer', 'bias_initializer', 'kernel_regularizer',
                      'recurrent_regularizer', 'bias_regularizer', 'kernel_constraint',
                      'recurrent_constraint', 'bias_constraint', 'dropout', 'recurrent_dropout')

def _init_weight_args(layer, kernel_initializer, recurrent_initializer, bias_initializer,
                      kernel_regularizer, recurrent_regularizer, bias_regularizer,
                      kernel_constraint, recurrent_constraint, bias_constraint):
    """Set the initializers, regularizers and constraints of a recurrent cell or layer."""
    set_args(layer, kernel_initializer=kernel_initializer,
             recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
             kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
             bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
             recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)


def _add_kernels(layer, kernel_shape, recurrent_kernel_shape):
    """Create `layer.kernel` and `layer.recurrent_kernel` from its weight arguments."""
    layer.kernel = add_kernel(layer, kernel_shape)
    layer.recurrent_kernel = add_kernel(layer, recurrent_kernel_shape, 'recurrent')


def _forget_bias_initializer(base_init, units, offset):
    """LSTM `unit_forget_bias`: `base_init` everywhere but `units` ones starting at `offset`
    (the forget gate), for a bias of `offset + 3 * units` entries."""
    def bias_initializer(shape, *args, **kwargs):
        return K.concatenate([base_init((offset,), *args, **kwargs),
                              initializers.Ones()((units,), *args, **kwargs),
                              base_init((units * 2,), *args, **kwargs)])
    return bias_initializer


def _add_lstm_bias(cell, units):
    """The `(4 * units,)` bias of an LSTM cell (None without `use_bias`); with
    `unit_forget_bias` the forget gate's bias starts at one."""
    if not cell.use_bias:
        cell.bias = None
        return
    initializer = None
    if cell.unit_forget_bias:
        initializer = _forget_bias_initializer(cell.bias_initializer, units, offset=units)
    _add_bias(cell, (units * 4,), initializer)


def _make_dropout_masks(cell, inputs, h_tm1, training, count):
    """The cell's (input, recurrent) dropout masks, drawn on the first step of a sequence."""
    if 0 < cell.dropout < 1 and cell._dropout_mask is None:
        cell._dropout_mask = _generate_dropout_mask(K.ones_like(inputs), cell.dropout,
                                                    training=training, count=count)
    if 0 < cell.recurrent_dropout < 1 and cell._recurrent_dropout_mask is None:
        cell._recurrent_dropout_mask = _generate_dropout_mask(
            K.ones_like(h_tm1), cell.recurrent_dropout, training=training, count=count)
    return cell._dropout_mask, cell._recurrent_dropout_mask


def _projectable(cell):
    """Whether `cell` is a built-in cell whose step is split into `_project` (the input
    side, for a whole sequence at once) and `_recurrent` (the rest); a subclass that
    overrides `call` runs step by step through its own `call`."""
    call = getattr(type(cell), 'call', None)
    return call is not None and call in _PROJECTABLE_CALLS


def _gate_projection(inputs, kernel, bias, masks, gates):
    """Input projection of `gates` gates for a (batch, time, features) sequence: one
    product with the whole kernel, or, with per-gate input dropout masks (batch,
    features), one product per gate of the masked inputs; bias added."""
    if masks is None or len(masks) == 1:
        if masks is not None:
            inputs = inputs * K.expand_dims(masks[0], 1)
        out = K.dot(inputs, kernel)
    else:
        width = K.int_shape(kernel)[-1] // gates
        out = K.concatenate([K.dot(inputs * K.expand_dims(m, 1),
                                   kernel[:, g * width:(g + 1) * width])
                             for g, m in enumerate(masks)], axis=-1)
    if bias is not None:
        out = out + bias
    return out


def _input_masks(cell):
    if 0. < cell.dropout < 1. and cell._dropout_mask is not None:
        masks = cell._dropout_mask
        return list(masks) if isinstance(masks, (list, tuple)) else [masks]
    return None


# ---------------------------------------------------------------------- stacked cells
class StackedRNNCells(Layer):
    """A stack of RNN cells behaving as a single cell.

    Keras 2.2.4 state order: the flat list of states (and `state_size`) lists the
    cells in reverse order (the last cell's states first).
    """

    def __init__(self, cells, **kwargs):
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError('cells: expected a non-empty list of RNN cells, got %r' % (cells,))
        for cell in cells:
            if not hasattr(cell, 'call'):
                raise ValueError('cells: all cells must have a `call` method, received %r'
                                 % (cell,))
            if not hasattr(cell, 'state_size'):
                raise ValueError('cells: all cells must have a `state_size` attribute, '
                                 'received %r' % (cell,))
        self.cells = list(cells)
        super(StackedRNNCells, self).__init__(**kwargs)
        self._sublayers = self._layer_cells()

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, 'output_size', None) is not None:
            return last.output_size
        return _state_list(last.state_size)[0]

    @property
    def state_size(self):
        state_size = []
        for cell in self.cells[::-1]:
            state_size += _state_list(cell.state_size)
        return tuple(state_size)

    def call(self, inputs, states, constants=None, **kwargs):
        states = list(states)
        nested_states = []
        for cell in self.cells[::-1]:
            n = len(_state_list(cell.state_size))
            nested_states.append(states[:n])
            states = states[n:]
        nested_states = nested_states[::-1]

        new_nested_states = []
        for cell, cell_states in zip(self.cells, nested_states):
            cell_kwargs = {}
            if 'training' in kwargs and has_arg(cell.call, 'training'):
                cell_kwargs['training'] = kwargs['training']
            if has_arg(cell.call, 'constants'):
                inputs, cell_states = cell.call(inputs, cell_states, constants=constants,
                                                **cell_kwargs)
            else:
                inputs, cell_states = cell.call(inputs, cell_states, **cell_kwargs)
            new_nested_states.append(to_list(cell_states, allow_tuple=True))

        new_states = []
        for cell_states in new_nested_states[::-1]:
            new_states += cell_states
        return inputs, new_states

    def build(self, input_shape):
        constants_shape = None
        if isinstance(input_shape, list):
            constants_shape = input_shape[1:]
            input_shape = input_shape[0]
        for cell in self.cells:
            if isinstance(cell, Layer):
                if has_arg(cell.call, 'constants') and constants_shape:
                    cell.build([input_shape] + constants_shape)
                else:
                    cell.build(input_shape)
                cell.built = True
            output_dim = _state_list(cell.state_size)[0]
            input_shape = (input_shape[0], output_dim)
        self.built = True

    def get_config(self):
        cells = [{'class_name': cell.__class__.__name__, 'config': cell.get_config()}
                 for cell in self.cells]
        config = {'cells': cells}
        base_config = super(StackedRNNCells, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize as deserialize_layer
        config = dict(config)
        cells = [deserialize_layer(c, custom_objects=custom_objects)
                 for c in config.pop('cells')]
        return cls(cells, **config)

    def _layer_cells(self):
        return [cell for cell in self.cells if isinstance(cell, Layer)]

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for cell in self._layer_cells() for w in cell.trainable_weights]

    @property
    def non_trainable_weights(self):
        weights = [w for cell in self._layer_cells() for w in cell.non_trainable_weights]
        if not self.trainable:
            return [w for cell in self._layer_cells() for w in cell.trainable_weights] + weights
        return weights

    def get_weights(self):
        return K.batch_get_value([w for cell in self._layer_cells() for w in cell.weights])

    def set_weights(self, weights):
        weights = list(weights)
        expected = sum(len(cell.weights) for cell in self._layer_cells())
        if len(weights) != expected:
            raise ValueError('StackedRNNCells.set_weights: expected a list of %d arrays, got %d'
                             % (expected, len(weights)))
        for cell in self._layer_cells():
            n = len(cell.weights)
            cell.set_weights(weights[:n])
            weights = weights[n:]


# ---------------------------------------------------------------------- RNN base
class RNN(Layer):
    """Base class for recurrent layers: runs `cell` over the time axis.

    Args:
        cell: an object with `call(input_t, states) -> (output_t, new_states)` (optionally
            accepting `training` and `constants`) and `state_size` (int or list of ints), or
            a list of such cells (stacked).
        return_sequences: return the whole output sequence instead of the last output.
        return_state: also return the final states.
        go_backwards: process the sequence backwards (the returned sequence is reversed).
        stateful: keep the final states of a batch as initial states of the next batch
            (needs a fixed batch size).
        unroll: unroll the loop (needs a known number of time steps).
    """

    _input_ndim = 3

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, 'call'):
            raise ValueError('cell: expected an RNN cell with a `call` method, got %r' % (cell,))
        if not hasattr(cell, 'state_size'):
            raise ValueError('cell: the RNN cell should have an attribute `state_size` (an '
                             'integer or a tuple of integers, one per state), got %r' % (cell,))
        _keras1_input_shape(kwargs)
        super(RNN, self).__init__(**kwargs)
        self.cell = cell
        self.return_sequences = _check_bool('return_sequences', return_sequences)
        self.return_state = _check_bool('return_state', return_state)
        self.go_backwards = _check_bool('go_backwards', go_backwards)
        self.stateful = _check_bool('stateful', stateful)
        self.unroll = _check_bool('unroll', unroll)
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=self._input_ndim)]
        self.state_spec = None
        self._states = None
        self.constants_spec = None
        self._num_constants = None
        self._state_variables = []
        self._sublayers = [cell] if isinstance(cell, Layer) else []

    # -------------------------------------------------------------- states
    @property
    def states(self):
        if self._states is None:
            return [None for _ in _state_list(self.cell.state_size)]
        return self._states

    @states.setter
    def states(self, states):
        self._states = states
        self._state_variables = [s for s in (states or []) if isinstance(s, K.Variable)]

    def _state_shapes(self, batch_size):
        return [(batch_size, dim) for dim in _state_list(self.cell.state_size)]

    def _output_dim(self):
        return _state_list(self.cell.state_size)[0]

    # -------------------------------------------------------------- shapes / masks
    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        return _rnn_output_shape(self, input_shape, (input_shape[0], self._output_dim()),
                                 [(input_shape[0], dim)
                                  for dim in _state_list(self.cell.state_size)])

    def compute_mask(self, inputs, mask):
        return _rnn_output_mask(self, mask)

    # -------------------------------------------------------------- build
    def _step_input_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        constants_shape = None
        if self._num_constants is not None and isinstance(input_shape, list):
            constants_shape = input_shape[-self._num_constants:]
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        if len(input_shape) != self._input_ndim:
            raise ValueError('%s: expected an input of rank %d (batch, time, ...), got shape %s'
                             % (self.name, self._input_ndim, input_shape))
        if self.unroll and input_shape[1] in (None, 1):
            raise ValueError('Cannot unroll a RNN if the time dimension is undefined or equal '
                             'to 1 (input shape %s). Specify the time dimension with an '
                             '`input_shape`/`batch_input_shape` (Sequential) or `shape`/'
                             '`batch_shape` (Input).' % (input_shape,))
        batch_size = input_shape[0] if self.stateful else None
        self.input_spec[0] = InputSpec(shape=(batch_size, None) + tuple(input_shape[2:]))

        if constants_shape is not None and not has_arg(self.cell.call, 'constants'):
            raise ValueError('RNN cell %r does not support constants (its `call` has no '
                             '`constants` argument)' % (self.cell,))
        if isinstance(self.cell, Layer):
            step_input_shape = self._step_input_shape(input_shape)
            if constants_shape is not None:
                self.cell.build([step_input_shape] + list(constants_shape))
            else:
                self.cell.build(step_input_shape)
            self.cell.built = True
            self._rename_cell_weights()

        self._check_state_spec()
        if self.stateful:
            self.reset_states()
        self.built = True

    def _check_state_spec(self):
        state_size = _state_list(self.cell.state_size)
        if self.state_spec is not None:
            got = [spec.shape[-1] if spec.shape else None for spec in self.state_spec]
            if got != state_size:
                raise ValueError('An `initial_state` was passed that is not compatible with '
                                 '`cell.state_size`. Received `state_spec`=%s; however '
                                 '`cell.state_size` is %s' % (self.state_spec,
                                                              self.cell.state_size))
        else:
            self.state_spec = [InputSpec(shape=(None, dim)) for dim in state_size]

    def _rename_cell_weights(self):
        """Keras 2.2 names the weights of a recurrent layer `<layer>/kernel`."""
        cell = self.cell
        if isinstance(cell, StackedRNNCells):
            for sub in cell.cells:
                if isinstance(sub, Layer):
                    for w in sub.weights:
                        if w.name.startswith(sub.name + '/'):
                            w.name = '%s/%s' % (self.name, w.name)
            return
        prefix = cell.name + '/'
        for w in cell.weights:
            if w.name.startswith(prefix):
                w.name = '%s/%s' % (self.name, w.name[len(prefix):])

    # -------------------------------------------------------------- call
    def get_initial_state(self, inputs):
        # all-zero states of shape (samples, dim), built from the input so the batch
        # size may be unknown
        initial_state = K.zeros_like(inputs)
        initial_state = K.sum(initial_state, axis=tuple(range(1, K.ndim(inputs))))
        initial_state = K.expand_dims(initial_state)
        return [K.tile(initial_state, [1, dim]) for dim in _state_list(self.cell.state_size)]

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = _standardize_args(
            inputs, initial_state, constants, self._num_constants)
        if initial_state is None and constants is None:
            return super(RNN, self).__call__(inputs, **kwargs)

        additional_inputs = []
        additional_specs = []
        if initial_state is not None:
            additional_inputs += initial_state
            self.state_spec = [InputSpec(shape=K.int_shape(s)) for s in initial_state]
            additional_specs += self.state_spec
        if constants is not None:
            additional_inputs += constants
            self.constants_spec = [InputSpec(shape=K.int_shape(c)) for c in constants]
            self._num_constants = len(constants)
            additional_specs += self.constants_spec
        return _call_with_extra_inputs(self, super(RNN, self).__call__, inputs,
                                       additional_inputs, additional_specs, kwargs,
                                       initial_state=initial_state, constants=constants)

    def _split_call_inputs(self, inputs, initial_state, constants):
        if isinstance(inputs, (list, tuple)):
            inputs = list(inputs)
            if self._num_constants is None:
                initial_state = inputs[1:]
            else:
                initial_state = inputs[1:-self._num_constants]
                constants = inputs[-self._num_constants:]
            if len(initial_state) == 0:
                initial_state = None
            inputs = inputs[0]
        if initial_state is not None:
            initial_state = to_list(initial_state, allow_tuple=True)
        if constants is not None:
            constants = to_list(constants, allow_tuple=True)
            if not constants:
                constants = None
        return inputs, initial_state, constants

    def _initial_states_for_call(self, inputs, initial_state):
        if initial_state is not None:
            states = list(initial_state)
        elif self.stateful:
            states = list(self.states)
            batch = K.int_shape(inputs)[0]
            state_batch = K.int_shape(states[0])[0] if states else None
            if isinstance(batch, int) and isinstance(state_batch, int) and batch != state_batch:
                raise ValueError(
                    'Layer %s is stateful with a batch size of %d (its batch_input_shape), but '
                    'received a batch of %d samples. A stateful RNN needs batches of exactly '
                    'that size: pass batch_size=%d to fit/evaluate/predict and a number of '
                    'samples divisible by it.' % (self.name, state_batch, batch, state_batch))
        else:
            states = self.get_initial_state(inputs)
        if len(states) != len(self.states):
            raise ValueError('Layer %s has %d states but was passed %d initial states.'
                             % (self.name, len(self.states), len(states)))
        return states

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        inputs, initial_state, constants = self._split_call_inputs(inputs, initial_state,
                                                                   constants)
        initial_state = self._initial_states_for_call(inputs, initial_state)
        if isinstance(mask, list):
            mask = mask[0]
        timesteps = K.int_shape(inputs)[1]
        if self.unroll and timesteps in (None, 1):
            raise ValueError('Cannot unroll a RNN if the time dimension is undefined or equal '
                             'to 1 (input shape %s).' % (K.int_shape(inputs),))

        kwargs = {}
        if has_arg(self.cell.call, 'training'):
            kwargs['training'] = training
        cell = self.cell
        num_constants = len(constants) if constants else 0
        if constants:
            if not has_arg(cell.call, 'constants'):
                raise ValueError('RNN cell %r does not support constants (its `call` has no '
                                 '`constants` argument)' % (cell,))

            def step(x_t, states):
                consts = states[-num_constants:]
                states = states[:-num_constants]
                return cell.call(x_t, states, constants=consts, **kwargs)
        else:
            def step(x_t, states):
                return cell.call(x_t, states, **kwargs)

        dropout = _uses_dropout(cell)
        if dropout:
            # Draw the dropout masks once, outside the time loop: they stay fixed over time.
            _clear_dropout_masks(cell)
            if _projectable(cell) and not constants:
                _make_dropout_masks(cell, inputs[:, 0], initial_state[0], training,
                                    cell._mask_count)
            else:
                step(inputs[:, 0], list(initial_state) + list(constants or []))
        if _projectable(cell) and not constants:
            # The input side of every time step in one matrix product before the loop;
            # the loop only does the recurrent part.
            inputs = cell._project(inputs)

            def step(x_t, states):
                return cell._recurrent(x_t, states)
        try:
            last_output, outputs, states = K.rnn(step, inputs, initial_state,
                                                 constants=constants,
                                                 go_backwards=self.go_backwards,
                                                 mask=mask, unroll=self.unroll,
                                                 input_length=timesteps)
        finally:
            if dropout:
                _clear_dropout_masks(cell)
        return self._call_outputs(last_output, outputs, states)

    def _call_outputs(self, last_output, outputs, states):
        return _rnn_call_outputs(self, last_output, outputs, states)

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError('Layer must be stateful.')
        batch_size = self.input_spec[0].shape[0] if self.input_spec[0].shape else None
        if not batch_size:
            raise ValueError(_STATEFUL_BATCH_SIZE_ERROR)
        shapes = self._state_shapes(batch_size)
        _create_state_variables(self, shapes)
        if states is None:
            values = [np.zeros(shape, dtype=K.floatx()) for shape in shapes]
        else:
            values = _state_values(self, states, shapes)
        for var, value in zip(self.states, values):
            K.set_value(var, value)

    # -------------------------------------------------------------- config
    def get_config(self):
        config = _args_config(self, _RNN_FLAGS)
        if self._num_constants is not None:
            config['num_constants'] = self._num_constants
        config['cell'] = {'class_name': self.cell.__class__.__name__,
                          'config': self.cell.get_config()}
        base_config = super(RNN, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize as deserialize_layer
        config = dict(config)
        cell = deserialize_layer(config.pop('cell'), custom_objects=custom_objects)
        num_constants = config.pop('num_constants', None)
        layer = cls(cell, **config)
        layer._num_constants = num_constants
        return layer

    # -------------------------------------------------------------- weights / losses
    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = list(self.cell.trainable_weights) if isinstance(self.cell, Layer) else []
        return weights + list(self._trainable_weights)

    @trainable_weights.setter
    def trainable_weights(self, weights):
        self._trainable_weights = list(weights)

    @property
    def non_trainable_weights(self):
        cell_weights = []
        if isinstance(self.cell, Layer):
            cell_weights = list(self.cell.weights) if not self.trainable \
                else list(self.cell.non_trainable_weights)
        own = list(self._non_trainable_weights)
        if not self.trainable:
            own = list(self._trainable_weights) + own
        return cell_weights + own

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        self._non_trainable_weights = list(weights)


# ---------------------------------------------------------------------- cells
class _CellBase(Layer):
    """Shared argument handling of the built-in cells."""

    def _init_common(self, units, activation, use_bias, kernel_initializer,
                     recurrent_initializer, bias_initializer, kernel_regularizer,
                     recurrent_regularizer, bias_regularizer, kernel_constraint,
                     recurrent_constraint, bias_constraint, dropout, recurrent_dropout):
        self.units = _check_units('units', units)
        self.activation = activations.get(activation)
        self.use_bias = _check_bool('use_bias', use_bias)
        _init_weight_args(self, kernel_initializer, recurrent_initializer, bias_initializer,
                          kernel_regularizer, recurrent_regularizer, bias_regularizer,
                          kernel_constraint, recurrent_constraint, bias_constraint)
        self.dropout = _check_dropout('dropout', dropout)
        self.recurrent_dropout = _check_dropout('recurrent_dropout', recurrent_dropout)
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def _cell_config(self, extra_keys=()):
        """The cell's config: the shared arguments, then `extra_keys`."""
        config = _args_config(self, _COMMON_CELL_ATTRS + tuple(extra_keys))
        base_config = super(_CellBase, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))

    def _input_dim(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError('%s: the last dimension of the input must be known, got input '
                             'shape %s' % (self.name, tuple(input_shape)))
        return int(input_dim)


class SimpleRNNCell(_CellBase):
    """Cell of SimpleRNN: `h = activation(x W + b + h_tm1 U)`."""

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
        prev_output = states[0]
        dp_mask, rec_dp_mask = _make_dropout_masks(self, inputs, prev_output, training, 1)
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

    _mask_count = 1

    def _project(self, inputs):
        return _gate_projection(inputs, self.kernel, self.bias, _input_masks(self), 1)

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


class GRUCell(_CellBase):
    """Cell of GRU (gate order z, r, h). `reset_after=True` uses a (2, 3*units) bias."""

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
        h_tm1 = states[0]
        u = self.units
        dp_mask, rec_dp_mask = _make_dropout_masks(self, inputs, h_tm1, training, 3)
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

    _mask_count = 3

    def _project(self, inputs):
        masks = _input_masks(self)
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
        x_z, x_r, x_h = x[:, :u], x[:, u:2 * u], x[:, 2 * u:]
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
            recurrent_z, recurrent_r = inner[:, :u], inner[:, u:2 * u]
        else:
            recurrent_z = K.dot(h_z, recurrent_kernel[:, :u])
            recurrent_r = K.dot(h_r, recurrent_kernel[:, u:2 * u])
            inner = None
        if self.reset_after and recurrent_bias is not None:
            recurrent_z = recurrent_z + recurrent_bias[:u]
            recurrent_r = recurrent_r + recurrent_bias[u:2 * u]
        z = self.recurrent_activation(x_z + recurrent_z)
        r = self.recurrent_activation(x_r + recurrent_r)
        if self.reset_after:
            recurrent_h = inner[:, 2 * u:] if inner is not None and h_h is h_z \
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


class LSTMCell(_CellBase):
    """Cell of LSTM (gate order i, f, c, o)."""

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
        h_tm1 = states[0]
        c_tm1 = states[1]
        u = self.units
        dp_mask, rec_dp_mask = _make_dropout_masks(self, inputs, h_tm1, training, 4)
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

    _mask_count = 4

    def _project(self, inputs):
        masks = _input_masks(self)
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
            z_i, z_f, z_c, z_o = [z[:, g * u:(g + 1) * u] +
                                  K.dot(h_tm1 * m, recurrent_kernel[:, g * u:(g + 1) * u])
                                  for g, m in enumerate(rec_masks)]
        else:
            if rec_masks is not None:
                h_tm1 = h_tm1 * rec_masks[0]
            z = z + K.dot(h_tm1, recurrent_kernel)
            z_i, z_f, z_c, z_o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return self._cell_config(('recurrent_activation', 'unit_forget_bias', 'implementation'))


# ---------------------------------------------------------------------- layers
def _forward_cell_properties(names):
    """Class decorator: read-only properties forwarding the cell's hyper-parameters
    (Keras 2.2 `LSTM.units`, `LSTM.dropout`, ...)."""
    def decorate(cls):
        for name in names:
            def getter(self, _name=name):
                return getattr(self.cell, _name)
            setattr(cls, name, property(getter, doc='The cell\'s `%s`.' % name))
        return cls
    return decorate


def _layer_config(layer, cell_config_keys):
    """Config of a layer built on its own cell: the RNN config without `cell`, then the
    cell's `cell_config_keys` and the layer's `activity_regularizer`."""
    cell_config = layer.cell.get_config()
    config = {k: cell_config[k] for k in cell_config_keys}
    config['activity_regularizer'] = regularizers.serialize(layer.activity_regularizer)
    base_config = RNN.get_config(layer)
    del base_config['cell']
    return dict(list(base_config.items()) + list(config.items()))


def _call_without_constants(self, inputs, mask=None, training=None, initial_state=None):
    """`call` of the layers built on their own cell, which take no `constants`."""
    return RNN.call(self, inputs, mask=mask, training=training, initial_state=initial_state)


def _from_config_upgrading_implementation(cls, config):
    """`from_config` reading the deprecated `implementation=0` as 1 (as Keras 2.2.4)."""
    config = dict(config)
    if config.get('implementation') == 0:
        config['implementation'] = 1
    return cls(**config)


# Keras 2.2.4 get_config keys (taken from the cell) of the layers, in order.
_SIMPLE_RNN_KEYS = _COMMON_CELL_ATTRS
_GRU_KEYS = ('units', 'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer',
             'recurrent_initializer', 'bias_initializer', 'kernel_regularizer',
             'recurrent_regularizer', 'bias_regularizer', 'kernel_constraint',
             'recurrent_constraint', 'bias_constraint', 'dropout', 'recurrent_dropout',
             'implementation', 'reset_after')
_LSTM_KEYS = ('units', 'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer',
              'recurrent_initializer', 'bias_initializer', 'unit_forget_bias',
              'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
              'kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'dropout',
              'recurrent_dropout', 'implementation')


@_forward_cell_properties(_SIMPLE_RNN_KEYS)
class SimpleRNN(RNN):
    """Fully-connected RNN whose output is fed back as the next input state."""

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


@_forward_cell_properties(_GRU_KEYS)
class GRU(RNN):
    """Gated Recurrent Unit (Cho et al. 2014); `reset_after=True` is the CuDNN-compatible
    variant."""

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


@_forward_cell_properties(_LSTM_KEYS)
class LSTM(RNN):
    """Long Short-Term Memory layer (Hochreiter 1997)."""

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


_PROJECTABLE_CALLS = (SimpleRNNCell.call, GRUCell.call, LSTMCell.call)
