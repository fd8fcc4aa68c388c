"""The shared base of the built-in cells (SimpleRNNCell, GRUCell, LSTMCell)."""
from ... import activations
from ...engine.base_layer import Layer
from .._weight_args import args_config as _args_config

from .dropout_rnn_cell import DropoutRNNCellMixin
from ._utils import (_COMMON_CELL_ATTRS, _check_bool, _check_units,
                     _init_weight_args)


# ---------------------------------------------------------------------- cells
class _CellBase(DropoutRNNCellMixin, Layer):
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
        self._init_dropout(dropout, recurrent_dropout)

    def _cell_config(self, extra_keys=()):
        """The cell's config: the shared arguments, then `extra_keys`."""
        config = _args_config(self, _COMMON_CELL_ATTRS + tuple(extra_keys))
        base_config = super(_CellBase, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))

    def _whole_sequence(self, z, states, go_backwards, mask):
        """The whole recurrence over the projected inputs `z` (and the sequences' `mask`,
        or None) in one backend op, as `(last_output, outputs, states)`, or None where the
        cell has no such op (the layer then runs `_recurrent` at each step with `K.rnn`)."""
        return None

    def _input_dim(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError('%s: the last dimension of the input must be known, got input '
                             'shape %s' % (self.name, tuple(input_shape)))
        return int(input_dim)
