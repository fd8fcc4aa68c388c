"""Dropout masks of recurrent cells, drawn once per sequence and reused at every step
(Keras 2.2 semantics: `dropout` masks the inputs, `recurrent_dropout` the previous output)."""
from ... import backend as K

from ._utils import _check_dropout, _iter_cells


def _generate_dropout_mask(ones, rate, training=None, count=1):
    """Dropout mask(s) drawn once per sequence (the same at every time step)."""
    def dropped_inputs():
        return K.dropout(ones, rate)

    if count > 1:
        return [K.in_train_phase(dropped_inputs, ones, training=training)
                for _ in range(count)]
    return K.in_train_phase(dropped_inputs, ones, training=training)


class DropoutRNNCellMixin(object):
    """The dropout of a recurrent cell. The cell calls `_init_dropout` in its constructor
    and `get_dropout_masks` in its step; `RNN` clears the masks before each sequence
    (`reset_dropout_masks`), so they are drawn on its first step and reused after."""

    def _init_dropout(self, dropout, recurrent_dropout):
        self.dropout = _check_dropout('dropout', dropout)
        self.recurrent_dropout = _check_dropout('recurrent_dropout', recurrent_dropout)
        self.reset_dropout_masks()

    def reset_dropout_masks(self):
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def get_dropout_masks(self, inputs, h_tm1, training, count):
        """The (input, recurrent) masks, each a list of `count` masks when `count` > 1 (one
        per gate), or None where that dropout is off; drawn on the first call."""
        if 0 < self.dropout < 1 and self._dropout_mask is None:
            self._dropout_mask = _generate_dropout_mask(K.ones_like(inputs), self.dropout,
                                                        training=training, count=count)
        if 0 < self.recurrent_dropout < 1 and self._recurrent_dropout_mask is None:
            self._recurrent_dropout_mask = _generate_dropout_mask(
                K.ones_like(h_tm1), self.recurrent_dropout, training=training, count=count)
        return self._dropout_mask, self._recurrent_dropout_mask

    def _input_dropout_masks(self):
        """The input masks drawn for this sequence as a list, or None."""
        if 0. < self.dropout < 1. and self._dropout_mask is not None:
            masks = self._dropout_mask
            return list(masks) if isinstance(masks, (list, tuple)) else [masks]
        return None


def _clear_dropout_masks(cell):
    """Forget the masks of `cell` and its nested cells (also cells of user classes that keep
    masks in `_dropout_mask` / `_recurrent_dropout_mask`, as Keras 2.2's cells do, or in any
    private attribute named for a dropout or dropconnect mask: keras-ordered-neurons'
    `_recurrect_dropconnect_masks`). A mask drawn in one call holds values of that call's
    trace, which a later call cannot read."""
    for c in _iter_cells(cell):
        if isinstance(c, DropoutRNNCellMixin):
            c.reset_dropout_masks()
            continue
        for name in list(vars(c)):
            if name.startswith('_') and 'mask' in name and \
                    ('dropout' in name or 'dropconnect' in name):
                setattr(c, name, None)


def _uses_dropout(cell):
    for c in _iter_cells(cell):
        if hasattr(c, '_dropout_mask') and (getattr(c, 'dropout', 0) or
                                            getattr(c, 'recurrent_dropout', 0)):
            return True
    return False
