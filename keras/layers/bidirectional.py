"""Bidirectional wrapper for recurrent layers (Keras 2.2)."""
import copy

from .. import backend as K
from ..engine.base_layer import Layer, InputSpec
from ..utils.generic_utils import has_arg, to_list
from .wrappers import Wrapper
from .rnn._utils import _standardize_args, _call_with_extra_inputs

__all__ = ['Bidirectional']

_MERGE_MODES = ('sum', 'mul', 'ave', 'concat', None)


def _fresh_copy(layer, name):
    """A shallow copy of `layer` with its own graph bookkeeping (shares the cell)."""
    new = copy.copy(layer)
    new.name = name
    new._inbound_nodes = []
    new._outbound_nodes = []
    new._trainable_weights = list(layer._trainable_weights)
    new._non_trainable_weights = list(layer._non_trainable_weights)
    new._losses = list(layer._losses)
    new._updates = list(layer._updates)
    if isinstance(layer.input_spec, list):
        new.input_spec = list(layer.input_spec)
    if hasattr(layer, '_state_variables'):
        new._state_variables = list(layer._state_variables)
    return new


class Bidirectional(Wrapper):
    """Runs a recurrent layer forwards and a copy of it backwards and merges the outputs.

    # Arguments
        layer: a recurrent layer instance (`RNN` subclass).
        merge_mode: 'concat' (default), 'sum', 'mul', 'ave' or None (returns
            [forward, backward]).
        weights: optional initial weights (forward layer's then backward layer's).

    # Example
    ```python
    from keras.models import Sequential
    from keras.layers import Bidirectional, LSTM, Dense

    model = Sequential()
    model.add(Bidirectional(LSTM(10, return_sequences=True), input_shape=(5, 10)))  # (None, 5, 20)
    model.add(Bidirectional(LSTM(10), merge_mode='sum'))                            # (None, 10)
    model.add(Dense(5, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop')
    ```
    """

    def __init__(self, layer, merge_mode='concat', weights=None, **kwargs):
        if not isinstance(layer, Layer):
            raise TypeError('Bidirectional: `layer` must be a recurrent Layer instance, got %r'
                            % (layer,))
        if merge_mode not in _MERGE_MODES:
            raise ValueError('merge_mode: invalid merge mode %r; expected one of "sum", "mul", '
                             '"ave", "concat", None' % (merge_mode,))
        for attr in ('go_backwards', 'return_sequences', 'return_state'):
            if not hasattr(layer, attr):
                raise TypeError('Bidirectional: `layer` must be a recurrent layer (with a `%s` '
                                'attribute), got %s' % (attr, layer.__class__.__name__))
        self.forward_layer = _fresh_copy(layer, 'forward_' + layer.name)
        config = layer.get_config()
        config['go_backwards'] = not config['go_backwards']
        self.backward_layer = layer.__class__.from_config(config)
        self.backward_layer.name = 'backward_' + layer.name
        self.merge_mode = merge_mode
        self._bidirectional_weights = None
        if weights:
            nw = len(weights)
            if nw % 2:
                raise ValueError('weights: expected an even number of arrays (forward then '
                                 'backward layer weights), got %d' % (nw,))
            self._bidirectional_weights = list(weights)
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.__dict__['_trainable'] = True
        super(Bidirectional, self).__init__(layer, **kwargs)
        self.stateful = layer.stateful
        self.supports_masking = True
        self.input_spec = layer.input_spec
        self._num_constants = None
        self._sublayers = [self.forward_layer, self.backward_layer]

    # -------------------------------------------------------------- trainable / weights
    @property
    def trainable(self):
        return self.__dict__.get('_trainable', True)

    @trainable.setter
    def trainable(self, value):
        self.__dict__['_trainable'] = value
        for name in ('forward_layer', 'backward_layer'):
            sub = self.__dict__.get(name)
            if sub is not None:
                sub.trainable = value

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return list(self.forward_layer.trainable_weights) + \
            list(self.backward_layer.trainable_weights)

    @trainable_weights.setter
    def trainable_weights(self, weights):
        pass

    @property
    def non_trainable_weights(self):
        return list(self.forward_layer.non_trainable_weights) + \
            list(self.backward_layer.non_trainable_weights)

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        pass

    def get_weights(self):
        return Layer.get_weights(self)

    def set_weights(self, weights):
        weights = list(weights)
        nw = len(weights)
        n_forward = len(self.forward_layer.weights)
        if nw != n_forward + len(self.backward_layer.weights):
            raise ValueError('Bidirectional.set_weights: expected %d arrays (forward then '
                             'backward layer weights), got %d'
                             % (n_forward + len(self.backward_layer.weights), nw))
        self.forward_layer.set_weights(weights[:n_forward])
        self.backward_layer.set_weights(weights[n_forward:])

    # -------------------------------------------------------------- shapes / masks
    def compute_output_shape(self, input_shape):
        output_shape = self.forward_layer.compute_output_shape(input_shape)
        state_shape = None
        if self.return_state:
            state_shape = [tuple(s) for s in output_shape[1:]]
            output_shape = output_shape[0]
        output_shape = tuple(output_shape)
        if self.merge_mode == 'concat':
            last = output_shape[-1]
            output_shape = output_shape[:-1] + (None if last is None else last * 2,)
        elif self.merge_mode is None:
            output_shape = [output_shape, output_shape]
        if self.return_state:
            if self.merge_mode is None:
                return output_shape + state_shape + list(state_shape)
            return [output_shape] + state_shape + list(state_shape)
        return output_shape

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            state_mask = [None for _ in self.forward_layer.states]
            if isinstance(output_mask, list):
                return output_mask + state_mask * 2
            return [output_mask] + state_mask * 2
        return output_mask

    # -------------------------------------------------------------- build / call
    def build(self, input_shape):
        self.forward_layer.build(input_shape)
        self.forward_layer.built = True
        self.backward_layer.build(input_shape)
        self.backward_layer.built = True
        for sub in (self.forward_layer, self.backward_layer):
            for w in sub.weights:
                if not w.name.startswith(self.name + '/'):
                    w.name = '%s/%s' % (self.name, w.name)
        if self._bidirectional_weights is not None:
            weights = self._bidirectional_weights
            self._bidirectional_weights = None
            self.set_weights(weights)
        self.built = True

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = _standardize_args(
            inputs, initial_state, constants, self._num_constants)
        if initial_state is None and constants is None:
            return super(Bidirectional, self).__call__(inputs, **kwargs)

        additional_inputs = []
        additional_specs = []
        if initial_state is not None:
            num_states = len(initial_state)
            if num_states % 2 > 0:
                raise ValueError('When passing `initial_state` to a Bidirectional RNN, the '
                                 'state should be a list containing the states of the '
                                 'underlying RNNs (forward states then backward states). '
                                 'Found: %d states' % (num_states,))
            additional_inputs += initial_state
            state_specs = [InputSpec(shape=K.int_shape(s)) for s in initial_state]
            self.forward_layer.state_spec = state_specs[:num_states // 2]
            self.backward_layer.state_spec = state_specs[num_states // 2:]
            additional_specs += state_specs
        if constants is not None:
            additional_inputs += constants
            constants_spec = [InputSpec(shape=K.int_shape(c)) for c in constants]
            self.forward_layer.constants_spec = constants_spec
            self.backward_layer.constants_spec = constants_spec
            additional_specs += constants_spec
            self._num_constants = len(constants)
            self.forward_layer._num_constants = self._num_constants
            self.backward_layer._num_constants = self._num_constants
        return _call_with_extra_inputs(self, super(Bidirectional, self).__call__, inputs,
                                       additional_inputs, additional_specs, kwargs,
                                       initial_state=initial_state, constants=constants)

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        """Runs the forward and the backward layer and merges their outputs with `merge_mode`.

        # Arguments
            inputs: input sequence `(batch, timesteps, features)`.
            mask: optional boolean mask `(batch, timesteps)`: masked timesteps keep the previous
                output and states.
            training: the learning phase (for dropout); `None`: the current one.
            initial_state: optional list of initial state tensors (zeros by default).
            constants: optional constants passed to both layers.

        # Returns
            The merged output (a list of the two outputs when `merge_mode` is `None`), followed
            by the states of both layers with `return_state`.
        """
        kwargs = {}
        if has_arg(self.layer.call, 'training'):
            kwargs['training'] = training
        if has_arg(self.layer.call, 'mask'):
            kwargs['mask'] = mask[0] if isinstance(mask, list) else mask
        if has_arg(self.layer.call, 'constants'):
            kwargs['constants'] = None

        if isinstance(inputs, (list, tuple)):
            inputs = list(inputs)
            n_constants = self._num_constants or 0
            if n_constants:
                constants = inputs[-n_constants:]
                inputs = inputs[:-n_constants]
            initial_state = inputs[1:] or None
            inputs = inputs[0]
        if constants is not None and has_arg(self.layer.call, 'constants'):
            kwargs['constants'] = constants

        if initial_state is not None and has_arg(self.layer.call, 'initial_state'):
            initial_state = to_list(initial_state, allow_tuple=True)
            half = len(initial_state) // 2
            y = self.forward_layer.call(inputs, initial_state=initial_state[:half], **kwargs)
            y_rev = self.backward_layer.call(inputs, initial_state=initial_state[half:],
                                             **kwargs)
        else:
            y = self.forward_layer.call(inputs, **kwargs)
            y_rev = self.backward_layer.call(inputs, **kwargs)

        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y = y[0]
            y_rev = y_rev[0]
        if self.return_sequences:
            y_rev = K.reverse(y_rev, 1)
        if self.merge_mode == 'concat':
            output = K.concatenate([y, y_rev])
        elif self.merge_mode == 'sum':
            output = y + y_rev
        elif self.merge_mode == 'ave':
            output = (y + y_rev) / 2
        elif self.merge_mode == 'mul':
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            if self.merge_mode is None:
                return output + states
            return [output] + states
        return output

    def reset_states(self, states=None):
        """Resets the states of both stateful recurrent layers.

        # Arguments
            states: `None` (zeros), or the state values, the forward layer's first then the backward
                layer's.

        # Raises
            ValueError: an odd number of state values.
        """
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        states = to_list(states, allow_tuple=True)
        half = len(states) // 2
        if len(states) % 2:
            raise ValueError('Bidirectional.reset_states: expected an even number of state '
                             'values (forward then backward), got %d' % (len(states),))
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    @property
    def constraints(self):
        out = {}
        for w in self.weights:
            if getattr(w, 'constraint', None) is not None:
                out[w] = w.constraint
        return out

    # -------------------------------------------------------------- config
    def get_config(self):
        config = {'merge_mode': self.merge_mode}
        if self._num_constants is not None:
            config['num_constants'] = self._num_constants
        base_config = super(Bidirectional, self).get_config()
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
        config = dict(config)
        num_constants = config.pop('num_constants', None)
        layer = super(Bidirectional, cls).from_config(config, custom_objects=custom_objects)
        layer._num_constants = num_constants
        return layer
