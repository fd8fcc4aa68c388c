"""StackedRNNCells: a stack of cells that behaves as one cell."""
from ... import backend as K
from ...engine.base_layer import Layer
from ...utils.generic_utils import has_arg, to_list

from ._utils import _state_list


# ---------------------------------------------------------------------- stacked cells
class StackedRNNCells(Layer):
    """A stack of RNN cells behaving as a single cell.

    The flat list of states (and `state_size`) lists the cells in order, e.g.
    `[h1, c1, h2, c2]` for two LSTM cells (Keras 2.2.4); `reverse_state_order=True` lists
    the last cell's states first, the order of Keras 2.1.

    # Arguments
        cells: list of RNN cell instances, applied in order.
    """

    def __init__(self, cells, **kwargs):
        self.reverse_state_order = bool(kwargs.pop('reverse_state_order', False))
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

    def _state_order(self):
        """The cells in the order their states appear in the flat state list."""
        return self.cells[::-1] if self.reverse_state_order else self.cells

    @property
    def state_size(self):
        state_size = []
        for cell in self._state_order():
            state_size += _state_list(cell.state_size)
        return tuple(state_size)

    def call(self, inputs, states, constants=None, **kwargs):
        """One step of every cell, in order: the output of each is the input of the next.

        # Arguments
            inputs: the input of one timestep.
            states: the states of all the cells, in cell order.
            constants: optional constants passed to the cells that take them.

        # Returns
            `(output of the last cell, new states of all the cells)`.
        """
        states = list(states)
        nested_states = []
        for cell in self._state_order():
            n = len(_state_list(cell.state_size))
            nested_states.append(states[:n])
            states = states[n:]
        if self.reverse_state_order:
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

        if self.reverse_state_order:
            new_nested_states = new_nested_states[::-1]
        new_states = []
        for cell_states in new_nested_states:
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
        if self.reverse_state_order:
            config['reverse_state_order'] = True
        base_config = super(StackedRNNCells, self).get_config()
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

