"""RNN: the base recurrent layer, which runs a cell over the time axis with `K.rnn`
(a `lax.scan`)."""
import numpy as np

from ... import backend as K
from ... import regularizers
from ...engine.base_layer import Layer, InputSpec
from ...utils.generic_utils import has_arg, to_list, traced_attributes_restored
from .._weight_args import args_config as _args_config

from ._utils import (_RNN_FLAGS, _STATEFUL_BATCH_SIZE_ERROR, _call_with_extra_inputs,
                     _check_bool, _create_state_variables, _keras1_input_shape,
                     _rnn_call_outputs, _rnn_output_mask, _rnn_output_shape, _standardize_args,
                     _state_list, _state_values, _iter_cells)
from .dropout_rnn_cell import _clear_dropout_masks, _uses_dropout
from .stacked_rnn_cells import StackedRNNCells


# ---------------------------------------------------------------------- RNN base
class RNN(Layer):
    """Base class for recurrent layers: runs `cell` over the time axis.

    # Arguments
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
        output_size = getattr(self.cell, 'output_size', None)
        if output_size is not None:
            return output_size
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
        """All-zero initial states for `inputs`, one per entry of the cell's `state_size`.

        # Arguments
            inputs: the input sequence, `(samples, timesteps, features)`.

        # Returns
            A list of tensors `(samples, state_size)`.
        """
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
        else:
            states = self.get_initial_state(inputs)
        if len(states) != len(self.states):
            raise ValueError('Layer %s has %d states but was passed %d initial states.'
                             % (self.name, len(self.states), len(states)))
        return states

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        """Runs the cell over the timesteps of `inputs`.

        # Arguments
            inputs: input sequence `(batch, timesteps, features)`.
            mask: optional boolean mask `(batch, timesteps)`: masked timesteps keep the previous
                output and states.
            training: the learning phase (for dropout); `None`: the current one.
            initial_state: optional list of initial state tensors (zeros by default).
            constants: optional list of tensors passed unchanged to the cell at every timestep.

        # Returns
            The last output, or the sequence of outputs with `return_sequences`; followed by the
            last states with `return_state`.
        """
        # what the cells keep of this call's trace (the masks of a cell's own dropout, under
        # whatever names: titu1994's IndRNNCell's `_recurrent_masks`) is set back after it
        with traced_attributes_restored(list(_iter_cells(self.cell))):
            return self._call_cell(inputs, mask, training, initial_state, constants)

    def _call_cell(self, inputs, mask, training, initial_state, constants):
        inputs, initial_state, constants = self._split_call_inputs(inputs, initial_state,
                                                                   constants)
        initial_state = self._initial_states_for_call(inputs, initial_state)
        if isinstance(mask, list):
            mask = mask[0]
        timesteps = K.int_shape(inputs)[1]
        if timesteps == 0:
            raise ValueError('%s: the input has 0 timesteps (input shape %s); a recurrent '
                             'layer needs at least one' % (self.name, K.int_shape(inputs)))
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

        # the input side of every time step in one matrix product before the loop
        projected = _projectable(cell) and not constants
        dropout = _uses_dropout(cell)
        if dropout:
            # Draw the dropout masks once, outside the time loop: they stay fixed over time.
            _clear_dropout_masks(cell)
            if projected:
                cell.get_dropout_masks(inputs[:, 0], initial_state[0], training,
                                       cell._mask_count)
            else:
                step(inputs[:, 0], list(initial_state) + list(constants or []))
        if projected:
            # the loop (or the cell's op for the whole sequence) does the recurrent part
            inputs = cell._project(inputs)

            def step(x_t, states):
                return cell._recurrent(x_t, states)
        try:
            result = None
            if projected and not self.unroll:
                result = cell._whole_sequence(inputs, initial_state, self.go_backwards, mask)
            if result is None:
                result = K.rnn(step, inputs, initial_state, constants=constants,
                               go_backwards=self.go_backwards, mask=mask, unroll=self.unroll,
                               input_length=timesteps)
            last_output, outputs, states = result
        finally:
            # (also the masks a cell drew itself, e.g. of a dropconnect only it knows)
            _clear_dropout_masks(cell)
        return self._call_outputs(last_output, outputs, states)

    def _call_outputs(self, last_output, outputs, states):
        return _rnn_call_outputs(self, last_output, outputs, states)

    def reset_states(self, states=None):
        """Resets the states of a stateful RNN (to zeros or to the given values).

        # Arguments
            states: `None`, or an array or list of arrays, one per state, of the states' shapes.

        # Raises
            AttributeError: the layer is not stateful.
            ValueError: the batch size is unknown (no `batch_input_shape`), or a state value has the
                wrong shape.
        """
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
        """Creates the layer from its config (what `get_config` returns).

        # Arguments
            config: the dictionary `get_config` returns.
            custom_objects: optional dictionary mapping names to custom classes and functions
                used in the config.

        # Returns
            A layer instance.
        """
        from .. import deserialize as deserialize_layer
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


def _projectable(cell):
    """Whether `cell`'s step is split into `_project` (the input side, for a whole sequence
    at once) and `_recurrent` (the rest): built-in cells and subclasses that keep their
    `call` (one that overrides `call` runs step by step through it)."""
    split = getattr(type(cell), '_projected_call', None)
    return split is not None and getattr(type(cell), 'call', None) is split


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
    """`call` of the layers built on their own cell, which take no `constants`.

    # Arguments
        inputs: input sequence `(batch, timesteps, features)`.
        mask: optional boolean mask `(batch, timesteps)`: masked timesteps keep the previous
            output and states.
        training: the learning phase (for dropout); `None`: the current one.
        initial_state: optional list of initial state tensors (zeros by default).
    """
    return RNN.call(self, inputs, mask=mask, training=training, initial_state=initial_state)


def _from_config_upgrading_implementation(cls, config):
    """`from_config` reading the deprecated `implementation=0` as 1 (as Keras 2.2.4).

    # Arguments
        cls: the layer class.
        config: the dictionary `get_config` returns.

    # Returns
        A layer instance.
    """
    config = dict(config)
    if config.get('implementation') == 0:
        config['implementation'] = 1
    return cls(**config)
