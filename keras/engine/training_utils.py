"""Checks and conversions of the data handed to `fit`, `evaluate` and `predict` (Keras 2.2.4's
`keras.engine.training_utils`): inputs and targets to lists of arrays matched to the model's
inputs and outputs, sample and class weights, validation data, batch order, and the
weighted, masked mean that turns a loss function into a scalar."""
import inspect
import sys
import warnings

import numpy as np

from .. import backend as K
from .. import losses as losses_module
from ..utils.generic_utils import check_int, to_list


# ---------------------------------------------------------------------- data checks
def _is_scipy_sparse(x):
    # (a SciPy sparse matrix exists only where its module was imported: importing SciPy
    # here to ask cost the first batch of a fit on NumPy data ~0.12 s)
    sparse = sys.modules.get('scipy.sparse')
    return sparse is not None and not isinstance(x, np.ndarray) and sparse.issparse(x)


def dense_rows(x):
    """`x` as a NumPy array: SciPy sparse data densified (every input here is dense)."""
    return x.toarray() if _is_scipy_sparse(x) else x


def _as_array(x, name, keep_sparse=False):
    if x is None:
        return None
    if hasattr(x, 'shape') and hasattr(x, 'dtype') and not isinstance(x, np.ndarray):
        if type(x).__name__ == 'HDF5Matrix':
            x = x[:]
        elif _is_scipy_sparse(x):
            # Keras 2.2.4 densified SciPy sparse data for dense inputs a batch at a time:
            # kept sparse (CSR, whose rows slice) where the caller densifies its batches
            return x.tocsr() if keep_sparse else x.toarray()
        else:
            x = np.asarray(x)
    if not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x)
        except Exception:
            raise TypeError('%s: expected a NumPy array (or a list/dict of arrays), got %s'
                            % (name, type(x).__name__))
    if x.dtype == object:
        # numbers and bools in an object array (a mixed pandas frame's `.values`): Keras
        # 2.2.4's session fed them converted to the placeholder's dtype
        try:
            x = x.astype(np.float64)
        except (TypeError, ValueError):
            pass
    if x.dtype == object or x.dtype.kind in 'USV':
        raise TypeError('%s: expected numeric data, got an array of dtype %s (e.g. %r)'
                        % (name, x.dtype, x.flat[0] if x.size else None))
    return x


def standardize_input_data(data, names, shapes=None, check_batch_axis=True,
                           exception_prefix='input', keep_sparse=False):
    """Normalize user data (an array, a list or a dict) to a list of arrays, one per name.

    # Arguments
        data: the user's data: an array, a list of arrays or a dict keyed by name.
        names: the names of the model's inputs (or outputs) the data is for.
        shapes: the shapes the arrays must have (None entries: any size), or None.
        check_batch_axis: whether the first axis is checked against `shapes` too.
        exception_prefix: what the data is, in error messages (`'input'`, `'target'`).
        keep_sparse: keep SciPy sparse matrices as CSR matrices (else densified).

    # Returns
        A list of arrays aligned with `names` (Nones for no data).

    # Raises
        ValueError: the data does not match the names or the shapes.
    """
    if not names:
        if data is not None and hasattr(data, '__len__') and len(data):
            raise ValueError('Error when checking model ' + exception_prefix + ': expected no data, '
                             'but got: ' + str(type(data)))
        return []
    if data is None:
        return [None for _ in range(len(names))]
    if isinstance(data, dict):
        # keys that name no input (or output) are ignored, as Keras 2.2.4 does: a generator
        # may yield more than the model reads (the OCR example's source strings)
        try:
            data = [_as_array(data[x], '%s %r' % (exception_prefix, x), keep_sparse)
                    for x in names]
        except KeyError as e:
            raise ValueError('No data provided for "' + e.args[0] + '". Need data for each key in: '
                             + str(names))
    elif isinstance(data, list):
        if len(data) and isinstance(data[0], list) and not isinstance(data[0][0] if data[0] else 0, (list, np.ndarray)):
            data = [np.asarray(data)] if len(names) == 1 else data
        if len(data) and not hasattr(data[0], 'shape') and len(names) == 1:
            data = [np.asarray(data)]
        data = [_as_array(x, exception_prefix, keep_sparse) for x in data]
    else:
        data = [_as_array(data, exception_prefix, keep_sparse)]

    if len(data) != len(names):
        if data and hasattr(data[0], 'shape'):
            raise ValueError('Error when checking model ' + exception_prefix + ': the list of Numpy '
                             'arrays that you are passing to your model is not the size the model '
                             'expected. Expected to see ' + str(len(names)) + ' array(s), but instead '
                             'got the following list of ' + str(len(data)) + ' arrays: '
                             + str(data)[:200] + '...')
        raise ValueError('Error when checking model ' + exception_prefix + ': expected %d array(s), '
                         'got %d' % (len(names), len(data)))

    for i in range(len(names)):
        x = data[i]
        if x is not None and x.ndim == 1:
            data[i] = np.expand_dims(x, 1)

    if shapes:
        for i in range(len(names)):
            if shapes[i] is not None and data[i] is not None:
                data_shape = data[i].shape
                shape = shapes[i]
                if len(data_shape) != len(shape):
                    raise ValueError('Error when checking ' + exception_prefix + ': expected ' +
                                     names[i] + ' to have ' + str(len(shape)) + ' dimensions, but '
                                     'got array with shape ' + str(data_shape))
                if not check_batch_axis:
                    data_shape = data_shape[1:]
                    shape = shape[1:]
                for dim, ref_dim in zip(data_shape, shape):
                    if ref_dim != dim and ref_dim is not None:
                        raise ValueError('Error when checking ' + exception_prefix + ': expected ' +
                                         names[i] + ' to have shape ' + str(tuple(shapes[i][1:])) +
                                         ' but got array with shape ' + str(data[i].shape[1:]))
    return data


def check_array_length_consistency(inputs, targets, weights=None):
    """Check that the inputs, targets and sample weights (lists of arrays; None, or None
    entries, count as zero samples) have one number of samples; raises ValueError."""
    def lengths(arrays):
        if arrays is None:
            return {0}
        return set(0 if a is None else int(a.shape[0]) for a in arrays)

    set_x, set_y, set_w = lengths(inputs), lengths(targets), lengths(weights)
    if len(set_x) > 1:
        raise ValueError('All input arrays (x) should have the same number of samples. Got array '
                         'shapes: ' + str([getattr(x, 'shape', None) for x in inputs]))
    if len(set_y) > 1:
        raise ValueError('All target arrays (y) should have the same number of samples. Got array '
                         'shapes: ' + str([getattr(y, 'shape', None) for y in targets]))
    if set_x and set_y and list(set_x)[0] != list(set_y)[0]:
        raise ValueError('Input arrays should have the same number of samples as target arrays. '
                         'Found ' + str(list(set_x)[0]) + ' input samples and ' +
                         str(list(set_y)[0]) + ' target samples.')
    if len(set_w) > 1:
        raise ValueError('All sample_weight arrays should have the same number of samples. Got '
                         'array shapes: ' + str([getattr(w, 'shape', None) for w in weights]))
    if set_y and set_w and list(set_y)[0] != list(set_w)[0]:
        raise ValueError('Sample_weight arrays should have the same number of samples as target '
                         'arrays. Got ' + str(list(set_y)[0]) + ' input samples and ' +
                         str(list(set_w)[0]) + ' target samples.')


def check_array_lengths(inputs, targets, weights=None):
    """`check_array_length_consistency` for the engine, where a None entry (an output
    without a loss) is left out rather than counted as zero samples."""
    def present(arrays):
        return [a for a in (arrays or []) if a is not None]
    check_array_length_consistency(present(inputs), present(targets), present(weights))


def check_loss_and_target_compatibility(targets, loss_fns, output_shapes):
    key_losses = {losses_module.mean_squared_error, losses_module.binary_crossentropy,
                  losses_module.categorical_crossentropy}
    for y, loss, shape in zip(targets, loss_fns, output_shapes):
        if y is None or loss is None:
            continue
        if loss is losses_module.categorical_crossentropy:
            if y.shape[-1] == 1:
                raise ValueError('You are passing a target array of shape ' + str(y.shape) +
                                 ' while using as loss `categorical_crossentropy`. '
                                 '`categorical_crossentropy` expects targets to be binary matrices '
                                 '(1s and 0s) of shape (samples, classes). If your targets are '
                                 'integer classes, you can convert them via '
                                 '`keras.utils.to_categorical(y)` or use the loss '
                                 '`sparse_categorical_crossentropy` instead.')
        if loss is losses_module.sparse_categorical_crossentropy and \
                len(y.shape) == len(shape) and y.shape[-1] != 1 and \
                shape[-1] is not None and y.shape[-1] == shape[-1]:
            raise ValueError('You are passing a target array of shape ' + str(y.shape) +
                             ' while using as loss `sparse_categorical_crossentropy`, which '
                             'expects integer class indices of shape (samples, 1) (or '
                             '(samples,)). If your targets are one-hot encoded, use the loss '
                             '`categorical_crossentropy` instead, or convert them with '
                             '`y.argmax(axis=-1)`.')
        if loss is losses_module.sparse_categorical_crossentropy:
            _check_class_indices(y, shape[-1])
        if loss in key_losses:
            for target_dim, out_dim in zip(y.shape[1:], shape[1:]):
                if out_dim is not None and target_dim != out_dim:
                    raise ValueError('A target array with shape ' + str(y.shape) + ' was passed for '
                                     'an output of shape ' + str(shape) + ' while using as loss `' +
                                     loss.__name__ + '`. This loss expects targets to have the same '
                                     'shape as the output.')


def _check_class_indices(y, classes):
    """Raise, as TensorFlow 1 did on the CPU ("Received a label value of 4 which is outside
    the valid range of [0, 4)"), for a target of `sparse_categorical_crossentropy` that is
    no class index of an output of `classes` classes: the compiled loss gives NaN for it
    (a vocabulary size one short of the largest index is a common slip)."""
    if classes is None or not isinstance(y, np.ndarray) or not y.size or \
            y.dtype.kind not in 'iuf':
        return
    low, high = np.trunc(y.min()), np.trunc(y.max())
    if not (low < 0 or high >= classes):     # (NaN: not checked)
        return
    bad = np.trunc(y)
    where = tuple(int(i) for i in np.argwhere((bad < 0) | (bad >= classes))[0])
    raise ValueError('Error when checking target: received a label value of %s (at index '
                     '[%s]) which is outside the valid range of [0, %d): '
                     'sparse_categorical_crossentropy takes the class indices 0 to %d of '
                     'an output of %d classes' % (y[where], ','.join(map(str, where)), classes,
                                                  classes - 1, classes))


def standardize_class_weights(class_weight, output_names):
    if class_weight is None or isinstance(class_weight, dict) and class_weight and \
            not any(k in output_names for k in class_weight):
        return [class_weight for _ in output_names]
    if isinstance(class_weight, dict):
        return [class_weight.get(name) for name in output_names]
    if isinstance(class_weight, (np.ndarray, tuple)) and len(output_names) == 1:
        # scikit-learn's `compute_class_weight` gives an array: Keras 2.2.4 took it for the
        # output's weights, used class weights only when they were a dict, and trained
        # unweighted (LSTM-FCN's scripts)
        warnings.warn('class_weight: an array (%r) is not a dict of class weights; it is '
                      'ignored, as Keras 2.2.4 ignored it: pass dict(enumerate(weights)) to '
                      'weight the classes' % (class_weight,), stacklevel=4)
        return [None]
    if isinstance(class_weight, list):
        if len(output_names) == 1 and len(class_weight) != 1:
            # Keras 2.2.4 took the list for the one output's weights, not a dict, and
            # trained unweighted (GAN scripts pass one dict per model they train)
            warnings.warn('class_weight: a list of %d entries for a model with one output; '
                          'it is ignored, as Keras 2.2.4 ignored it: pass one dict'
                          % len(class_weight), stacklevel=4)
            return [None]
        if len(class_weight) != len(output_names):
            raise ValueError('class_weight: expected a list of %d dicts (one per output), got %d'
                             % (len(output_names), len(class_weight)))
        return class_weight
    if len(output_names) == 1:
        # Keras 2.2.4 took anything else for the one output's weights and, not a dict,
        # trained unweighted (`class_weight='auto'`, Keras 1's automatic weighting)
        warnings.warn('class_weight: %r is not a dict of class weights; it is ignored, as '
                      'Keras 2.2.4 ignored it' % (class_weight,), stacklevel=4)
        return [None]
    raise TypeError('class_weight: expected a dict (or a list/dict of dicts per output), got %r'
                    % (class_weight,))


def standardize_sample_weights(sample_weight, output_names):
    if sample_weight is None:
        return [None] * len(output_names)
    if isinstance(sample_weight, dict):
        for key in sample_weight:
            if not isinstance(key, str) or key not in output_names:
                # Keras 2.2.4 ignores such entries
                warnings.warn('sample_weight: ignoring the entry %r, which names no output '
                              '(outputs: %s)' % (key, output_names), stacklevel=3)
        return [None if sample_weight.get(n) is None else np.asarray(sample_weight.get(n))
                for n in output_names]
    if isinstance(sample_weight, list):
        if len(sample_weight) != len(output_names):
            raise ValueError('sample_weight: expected %d arrays (one per output), got %d'
                             % (len(output_names), len(sample_weight)))
        return [None if w is None else np.asarray(w) for w in sample_weight]
    if len(output_names) != 1:
        raise TypeError('sample_weight: the model has %d outputs, so it should be a list or '
                        'a dict of sample weights; got %s' % (len(output_names),
                                                              type(sample_weight).__name__))
    return [np.asarray(sample_weight)]


def standardize_weights(y, sample_weight=None, class_weight=None, sample_weight_mode=None,
                        warn_absent=False):
    """Per-sample (or per-timestep) weights for target `y`, as Keras 2.2 computes them;
    with `warn_absent` (`y` holds every target, not a batch), a warning names the classes of
    `class_weight` that no target has."""
    if sample_weight_mode is not None:
        if sample_weight_mode != 'temporal':
            raise ValueError('sample_weight_mode: expected None or "temporal", got %r'
                             % (sample_weight_mode,))
        if len(y.shape) < 3:
            raise ValueError('Found a sample_weight array for an input with shape ' + str(y.shape) +
                             '. Timestep-wise sample weighting (use of sample_weight_mode="temporal") '
                             'is restricted to outputs that are at least 3D, i.e. that have a time '
                             'dimension.')
        if sample_weight is not None and len(sample_weight.shape) != 2:
            raise ValueError('Found a sample_weight array with shape ' + str(sample_weight.shape) +
                             '. In order to use timestep-wise sample weighting, you should pass a 2D '
                             'sample_weight array.')
    else:
        if sample_weight is not None and len(sample_weight.shape) != 1:
            raise ValueError('Found a sample_weight array with shape ' + str(sample_weight.shape) +
                             '. In order to use timestep-wise sample weights, you should specify '
                             'sample_weight_mode="temporal" in compile(). If you just mean to use '
                             'sample-wise weights, make sure your sample_weight array is 1D.')
    if sample_weight is not None and class_weight is not None:
        warnings.warn('Found both `sample_weight` and `class_weight`: `class_weight` argument '
                      'will be ignored.', stacklevel=4)
    if sample_weight is not None:
        if len(sample_weight.shape) > len(y.shape):
            raise ValueError('Found a sample_weight with shape' + str(sample_weight.shape) + '. '
                             'Expected sample_weight with rank less than or equal to ' + str(len(y.shape)))
        if y.shape[:sample_weight.ndim] != sample_weight.shape:
            raise ValueError('Found a sample_weight array with shape ' + str(sample_weight.shape) +
                             ' for an input with shape ' + str(y.shape) + '. sample_weight cannot '
                             'be broadcast.')
        return sample_weight.astype(K.floatx())
    if isinstance(class_weight, dict):
        if len(y.shape) > 2:
            raise ValueError('`class_weight` not supported for 3+ dimensional targets.')
        if y.shape[1] > 1:
            y_classes = np.argmax(y, axis=1)
        elif y.shape[1] == 1:
            y_classes = np.reshape(y, y.shape[0])
        else:
            y_classes = y
        present = set(np.unique(y_classes).tolist())
        missing = present - set(class_weight)
        absent = set(class_weight) - present
        if absent and warn_absent:
            # Keras 2.2.4 accepted this silently; over a whole dataset it is usually a
            # wrong class index
            warnings.warn('class_weight: the classes %s do not occur in the targets (classes '
                          'present: %s); their weights are unused'
                          % (sorted(absent, key=str), sorted(present)), stacklevel=4)
        if missing:
            raise ValueError('`class_weight` must contain all classes in the data. The classes %s '
                             'exist in the data but not in `class_weight`.' % sorted(missing))
        return np.asarray([class_weight[c] for c in y_classes.tolist()], dtype=K.floatx())
    if sample_weight_mode is None:
        return np.ones((y.shape[0],), dtype=K.floatx())
    return np.ones((y.shape[0], y.shape[1]), dtype=K.floatx())


def unpack_validation_data(validation_data, error_message):
    """`(val_x, val_y, val_sample_weight)` from a 2- or 3-item `validation_data`; any other
    length raises ValueError(error_message()) (each caller words it as Keras 2.2.4 does)."""
    if len(validation_data) == 2:
        val_x, val_y = validation_data
        return val_x, val_y, None
    if len(validation_data) == 3:
        val_x, val_y, val_sample_weight = validation_data
        return val_x, val_y, val_sample_weight
    raise ValueError(error_message())


def _numeric_dtype(dtype):
    """Whether `dtype` (a name) is a bool, integer or floating type."""
    try:
        return np.dtype(dtype).kind in 'biuf'
    except TypeError:
        return dtype == 'bfloat16'


def _as_dtype(x, dtype):
    """`x` cast to `dtype` when both are numeric and differ (sparse values stay as they are)."""
    have = K.dtype(x)
    if have == dtype or K.is_sparse(x) or not (_numeric_dtype(have) and _numeric_dtype(dtype)):
        return x
    return K.cast(x, dtype)


class UnitWeights(object):
    """Sample weights that are all one, of rank `rank` (1, or 2 with
    `sample_weight_mode='temporal'`), left out of a compiled step's data: weighing by them
    only averages the scores down to that rank (the product by one and the division by the
    mean of ones that it skips change no number)."""

    def __init__(self, rank):
        self.rank = rank


def _weighted_masked_mean(fn, y_true, y_pred, weights, mask):
    """Keras 2.2 `weighted_masked_objective`: mean of fn over samples, masks and weights
    (`weights` an array, `UnitWeights` or None)."""
    score_array = fn(y_true, y_pred)
    # masks and weights in the dtype of the scores (a float64 model's scores are float64,
    # whatever K.floatx() is, and TensorFlow does not mix float widths)
    dtype = K.dtype(score_array)
    if mask is not None:
        mask = K.cast(mask, dtype)
        score_array = score_array * mask
        score_array = score_array / _nonzero(K.mean(mask))
    if isinstance(weights, UnitWeights) and K.ndim(score_array) < weights.rank:
        # a score of lower rank is broadcast against the weights: weigh by real ones
        index = (slice(None),) * weights.rank + (0,) * (K.ndim(y_true) - weights.rank)
        weights = K.ones_like(y_true[index])
    if weights is not None:
        unit = isinstance(weights, UnitWeights)
        ndim = K.ndim(score_array)
        weight_ndim = weights.rank if unit else K.ndim(weights)
        if ndim > weight_ndim:
            score_array = K.mean(score_array, axis=list(range(weight_ndim, ndim)))
        if not unit:
            weights = K.cast(weights, dtype)
            score_array = score_array * weights
            score_array = score_array / _nonzero(K.mean(K.cast(K.not_equal(weights, 0), dtype)))
    return K.mean(score_array)


def _nonzero(fraction):
    """The fraction of the entries a mask or the weights keep, as the divisor of the scores:
    1 where it is 0 (the scores are all 0 then), so that a batch whose entries are all
    masked or weighted 0 has a loss of 0 (Keras 2.2.4 divided by 0: NaN, which then spread
    into the weights; 2.2.5 added an epsilon to the divisor, which moved every other value)."""
    return fraction + K.cast(K.equal(fraction, 0), K.dtype(fraction))


def make_batches(size, batch_size):
    """(start, end) of every batch of `batch_size` samples (the last one may be smaller)."""
    return [(i, min(i + batch_size, size)) for i in range(0, size, batch_size)]


def batch_shuffle(index_array, batch_size):
    batch_count = int(len(index_array) / batch_size)
    last_batch = index_array[batch_count * batch_size:]
    index_array = index_array[:batch_count * batch_size]
    index_array = index_array.reshape((batch_count, batch_size))
    np.random.shuffle(index_array)
    index_array = index_array.flatten()
    return np.append(index_array, last_batch)


def _is_generator(x):
    return inspect.isgenerator(x) or (hasattr(x, '__next__') and not hasattr(x, 'shape'))


def _check_batch_size(batch_size, steps):
    if batch_size is not None:
        check_int('batch_size', batch_size, 1)
        if steps is not None:
            raise ValueError('If steps is set, the `batch_size` must be None (got batch_size=%r, '
                             'steps=%r).' % (batch_size, steps))


def weighted_masked_objective(fn):
    """`fn(y_true, y_pred)` as a loss with sample weights and a mask:
    `weighted(y_true, y_pred, weights, mask=None)` is the weighted, masked mean."""
    if fn is None:
        return None

    def weighted(y_true, y_pred, weights, mask=None):
        return _weighted_masked_mean(fn, y_true, y_pred, weights, mask)
    return weighted


def standardize_single_array(x):
    """A 1D array as a column (Keras 2.2.4: targets of shape (n,) become (n, 1))."""
    if x is None:
        return None
    if hasattr(x, 'shape') and len(x.shape) == 1:
        return np.expand_dims(x, 1)
    return x


def standardize_sample_or_class_weights(x_weight, output_names, weight_type):
    """`sample_weight` or `class_weight` (`weight_type` names which) as one entry per output."""
    if weight_type == 'class_weight':
        return standardize_class_weights(x_weight, output_names)
    return standardize_sample_weights(x_weight, output_names)


def collect_metrics(metrics, output_names):
    """The metrics of each output: a list applies to every output, a dict names outputs."""
    if not metrics:
        return [[] for _ in output_names]
    if isinstance(metrics, list):
        return [list(metrics) for _ in output_names]
    if isinstance(metrics, dict):
        return [to_list(metrics.get(name, [])) for name in output_names]
    raise TypeError('metrics: expected a list or a dict (output name -> metrics), got %r'
                    % (metrics,))


def check_num_samples(ins, batch_size=None, steps=None, steps_name='steps'):
    """The number of samples in the arrays `ins` (None when counting by `steps`)."""
    if steps is not None and batch_size is not None:
        raise ValueError('If %s is set, the `batch_size` must be None (got batch_size=%r, '
                         '%s=%r).' % (steps_name, batch_size, steps_name, steps))
    if not ins or any(K.is_symbolic(x) for x in ins):
        if steps is None:
            raise ValueError('If your data is in the form of symbolic tensors, you should '
                             'specify the `%s` argument (instead of the `batch_size` '
                             'argument).' % steps_name)
        return None
    if hasattr(ins[0], 'shape'):
        return int(ins[0].shape[0])
    return None


def iter_sequence_infinite(seq):
    """The batches of the `Sequence` `seq`, over and over."""
    while True:
        for item in seq:
            yield item
