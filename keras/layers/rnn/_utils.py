"""Package-internal helpers of the recurrent layers: argument checks, the RNN switches,
output shapes and masks, state variables, initial states and constants given as inputs,
weight arguments of the cells."""
import numbers
import warnings

import numpy as np

from ... import backend as K
from ... import initializers, regularizers, constraints
from ...engine.base_layer import is_symbolic
from ...utils.generic_utils import to_list
from .._weight_args import add_bias as _add_bias, add_kernel


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
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.recurrent_initializer = initializers.get(recurrent_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.recurrent_regularizer = regularizers.get(recurrent_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.recurrent_constraint = constraints.get(recurrent_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)


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
