"""`keras.engine.training_utils` of Keras 2.2.4: the helpers `Model` uses on user data.

Code written for Keras 2.2 imports these by this module path (`make_batches`,
`weighted_masked_objective`, `check_array_length_consistency`, ...).  Most live in
`keras.engine.training`, next to the code that uses them; this module names them as
Keras 2.2.4 does and adds the few that the engine itself does not need.
"""
import numpy as np

from .. import backend as K
from .training import (standardize_input_data, standardize_class_weights,
                       standardize_sample_weights, standardize_weights,
                       _check_loss_and_target_compatibility, _weighted_masked_mean,
                       _batch_slices, _batch_shuffle)
from .training_generator import _iter_sequence_infinite

__all__ = ['standardize_single_array', 'standardize_input_data', 'standardize_class_weights',
           'standardize_sample_weights', 'standardize_weights',
           'check_array_length_consistency', 'check_loss_and_target_compatibility',
           'collect_metrics', 'batch_shuffle', 'make_batches', 'weighted_masked_objective',
           'check_num_samples', 'iter_sequence_infinite']

check_loss_and_target_compatibility = _check_loss_and_target_compatibility
batch_shuffle = _batch_shuffle


def make_batches(size, batch_size):
    """`(start, end)` index pairs covering `range(size)` in batches of `batch_size`."""
    return _batch_slices(size, batch_size)


def standardize_single_array(x):
    """A 1D array becomes a column `(n, 1)`; None and other arrays pass unchanged."""
    if x is None:
        return None
    if not K.is_tensor(x) and getattr(x, 'ndim', None) == 1:
        return np.expand_dims(x, 1)
    return x


def check_array_length_consistency(inputs, targets, weights=None):
    """Raise ValueError unless inputs, targets and weights agree on the number of samples.

    As in Keras 2.2.4 a missing list (None) or a missing array counts as 0 samples, so
    `(x, None, None)` raises while `(None, None, None)` does not.
    """
    def lengths(arrays):
        if arrays is None:
            return {0}
        return set(0 if a is None else int(a.shape[0]) for a in arrays)

    def shapes(arrays):
        return [None if a is None else a.shape for a in arrays]

    set_x, set_y, set_w = lengths(inputs), lengths(targets), lengths(weights)
    if len(set_x) > 1:
        raise ValueError('All input arrays (x) should have the same number of samples. '
                         'Got array shapes: %s' % shapes(inputs))
    if len(set_y) > 1:
        raise ValueError('All target arrays (y) should have the same number of samples. '
                         'Got array shapes: %s' % shapes(targets))
    if set_x and set_y and set_x != set_y:
        raise ValueError('Input arrays should have the same number of samples as target '
                         'arrays. Found %d input samples and %d target samples.'
                         % (min(set_x), min(set_y)))
    if len(set_w) > 1:
        raise ValueError('All sample_weight arrays should have the same number of samples. '
                         'Got array shapes: %s' % shapes(weights))
    if set_y and set_w and set_y != set_w:
        raise ValueError('Sample_weight arrays should have the same number of samples as '
                         'target arrays. Got %d input samples and %d target samples.'
                         % (min(set_y), min(set_w)))


def collect_metrics(metrics, output_names):
    """Per-output metric lists from a list (same metrics for all outputs) or a dict."""
    if not metrics:
        return [[] for _ in output_names]
    if isinstance(metrics, list):
        return [list(metrics) for _ in output_names]
    if isinstance(metrics, dict):
        nested = []
        for name in output_names:
            output_metrics = metrics.get(name, [])
            if not isinstance(output_metrics, list):
                output_metrics = [output_metrics]
            nested.append(output_metrics)
        return nested
    raise TypeError('metrics: expected a list or a dict of metrics, got %s: %r'
                    % (type(metrics).__name__, metrics))


def weighted_masked_objective(fn):
    """`fn(y_true, y_pred)` -> `weighted(y_true, y_pred, weights, mask=None)`: the mean of
    `fn` over unmasked entries, weighted per sample (Keras 2.2.4's loss wrapper)."""
    if fn is None:
        return None

    def weighted(y_true, y_pred, weights, mask=None):
        return _weighted_masked_mean(fn, y_true, y_pred, weights, mask)
    return weighted


def check_num_samples(ins, batch_size=None, steps=None, steps_name='steps'):
    """The number of samples in `ins` (None when running by `steps` on tensors)."""
    if steps is not None and batch_size is not None:
        raise ValueError('If ' + steps_name + ' is set, the `batch_size` must be None.')
    if not ins or any(K.is_tensor(x) for x in ins):
        if steps is None:
            raise ValueError('If your data is in the form of symbolic tensors, you should '
                             'specify the `' + steps_name + '` argument (instead of the '
                             '`batch_size` argument, because symbolic tensors are expected to '
                             'produce batches of input data).')
        return None
    if hasattr(ins[0], 'shape'):
        return int(ins[0].shape[0])
    return None


def iter_sequence_infinite(seq):
    """Yield the batches of a `Sequence` over and over."""
    return _iter_sequence_infinite(seq)
