"""Training, evaluation and prediction from Python generators and `keras.utils.Sequence`s.

Batches are prepared on worker threads (or processes with `use_multiprocessing=True`)
by `OrderedEnqueuer` / `GeneratorEnqueuer` while the device computes.  The main thread
also overlaps its own work with the device: a step is dispatched asynchronously, the
next batch is fetched and standardized, and only then are the step's logs read back
(for the callbacks), so Python and the input pipeline run in the shadow of the step.
Callbacks still see every batch in order, before the next step is dispatched.
"""
import contextlib
import math
import warnings

import numpy as np

from ..backend import execution as X
from .. import callbacks as cbks
from ..utils.data_utils import Sequence, OrderedEnqueuer, GeneratorEnqueuer
from ..utils.generic_utils import Progbar, to_list, unpack_singleton
from . import training_arrays
from .training_utils import unpack_validation_data
from ..utils.generic_utils import check_int

__all__ = ['fit_generator', 'evaluate_generator', 'predict_generator']


# ---------------------------------------------------------------------- helpers
def _is_data_generator(x):
    return isinstance(x, Sequence) or hasattr(x, '__next__') or hasattr(x, 'next')


def _check_workers(workers, max_queue_size):
    check_int('workers', workers, 0)
    check_int('max_queue_size', max_queue_size, 0)


def _check_steps(name, steps):
    """The number of batches `steps` asks for: a whole number, or a fraction rounded up, as
    Keras 2.2.4 ran batches while fewer than `steps` were done
    (`steps_per_epoch=len(x_train) / 32`, the example of its ImageDataGenerator)."""
    if isinstance(steps, (float, np.floating)):
        if not (np.isfinite(steps) and steps > 0):
            raise ValueError('`%s` must be a positive number of batches (a fraction is rounded '
                             'up), got %r' % (name, steps))
        return int(math.ceil(steps))
    return check_int(name, steps, 1)


_STEPS_NONE_MESSAGE = ('`{0}=None` is only valid for a generator based on the '
                       '`keras.utils.Sequence` class. Please specify `{0}` or use the '
                       '`keras.utils.Sequence` class.')


def _check_generator(what, generator):
    if not _is_data_generator(generator):
        raise TypeError('%s: `generator` must be a Python generator (or iterator) or a '
                        'keras.utils.Sequence, got %s' % (what, type(generator).__name__))


def _generator_steps(generator, steps, name, workers, use_multiprocessing):
    """The checked number of steps (`len(generator)` by default for a Sequence); warns about
    plain generators shared by several worker processes."""
    is_sequence = isinstance(generator, Sequence)
    if not is_sequence and use_multiprocessing and workers > 1:
        warnings.warn(UserWarning('Using a generator with `use_multiprocessing=True` and '
                                  'multiple workers may duplicate your data. Please consider '
                                  'using the `keras.utils.Sequence` class.'))
    if steps is None:
        if not is_sequence:
            raise ValueError(_STEPS_NONE_MESSAGE.format(name))
        steps = len(generator)
    return _check_steps(name, steps)


def _iter_sequence_infinite(seq):
    """Batches of `seq` pass after pass, without workers: as Keras 2.2.4 read a Sequence
    with `workers=0` (`for item in seq`, over and over), in order, whatever `shuffle`
    says, and without calling `on_epoch_end` (its enqueuer does both)."""
    while True:
        for item in seq:
            yield item


def _start(generator, workers, use_multiprocessing, max_queue_size, shuffle=False):
    """(enqueuer or None, iterator of batches) for a generator or a Sequence."""
    is_sequence = isinstance(generator, Sequence)
    if workers > 0:
        if is_sequence:
            enqueuer = OrderedEnqueuer(generator, use_multiprocessing=use_multiprocessing,
                                       shuffle=shuffle)
        else:
            enqueuer = GeneratorEnqueuer(generator, use_multiprocessing=use_multiprocessing)
        enqueuer.start(workers=workers, max_queue_size=max_queue_size)
        return enqueuer, enqueuer.get()
    if is_sequence:
        return None, _iter_sequence_infinite(generator)
    return None, generator


def _next_batch(output_generator, what, steps_done, steps, epoch=None):
    try:
        return next(output_generator)
    except StopIteration:
        where = '' if epoch is None else ' of epoch %d' % (epoch + 1)
        raise ValueError('%s: the generator stopped after %d step(s)%s, but %d were requested '
                         '(steps=%d per epoch); make the generator loop forever (or return '
                         'enough batches), or lower the number of steps'
                         % (what, steps_done, where, steps, steps))


def _unpack(output, with_targets=True):
    """(x, y, sample_weight) from a generator item."""
    if with_targets:
        if not isinstance(output, (tuple, list)) or len(output) not in (2, 3):
            raise ValueError('Output of generator should be a tuple `(x, y, sample_weight)` or '
                             '`(x, y)`. Found: ' + _short(output))
        if len(output) == 2:
            x, y = output
            return x, y, None
        return tuple(output)
    if isinstance(output, tuple):
        if len(output) in (2, 3):
            return output[0], None, None
        raise ValueError('Output of generator should be a tuple `(x, y, sample_weight)` or '
                         '`(x, y)` or `x`. Found: ' + _short(output))
    return output, None, None


def _short(value):
    text = repr(value)
    return text if len(text) < 300 else text[:300] + '...'


def _batch_size(x):
    if x is None:
        return 1
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, (list, tuple)):
        if not x:
            return 1
        x = x[0]
    shape = getattr(x, 'shape', None)
    if shape is None:
        return len(x)
    return int(shape[0]) if len(shape) else 1


@contextlib.contextmanager
def _batches(generator, steps, what, max_queue_size, workers, use_multiprocessing, verbose,
             with_targets=True):
    """Start the enqueuer; yields an iterator over the `(x, y, sample_weight)` of `steps`
    batches (with a progress bar when verbose == 1); stops the enqueuer on exit."""
    enqueuer = None
    try:
        enqueuer, output_generator = _start(generator, workers, use_multiprocessing,
                                            max_queue_size)
        progbar = Progbar(target=steps) if verbose == 1 else None

        def iterate():
            for steps_done in range(steps):
                yield _unpack(_next_batch(output_generator, what, steps_done, steps),
                              with_targets=with_targets)
                if progbar is not None:
                    progbar.update(steps_done + 1)
        yield iterate()
    finally:
        if enqueuer is not None:
            enqueuer.stop()


# ---------------------------------------------------------------------- compiled steps
def _prepare(model, x, y, sample_weight, class_weight=None):
    """A generator batch standardized, as one batch for a compiled call (not padded: the
    step runs over all its rows, and rows of padding, weighted zero in the loss, still
    counted in unweighted metrics and in batch statistics such as BatchNormalization's)."""
    return model._to_device(model._standardize_user_data(x, y, sample_weight=sample_weight,
                                                         class_weight=class_weight),
                            single_batch=True)


# ---------------------------------------------------------------------- fit
def fit_generator(model, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                  validation_data=None, validation_steps=None, class_weight=None,
                  max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True,
                  initial_epoch=0):
    """Train `model` on batches from a generator or a `Sequence` (Keras 2.2 semantics).

    The generator yields `(x, y)` or `(x, y, sample_weight)` tuples forever;
    `steps_per_epoch` batches make an epoch (default `len(sequence)` for a Sequence).
    `validation_data` is a generator, a Sequence or a tuple `(x_val, y_val[, weights])`.
    """
    _check_workers(workers, max_queue_size)
    check_int('epochs', epochs, 0)
    check_int('initial_epoch', initial_epoch, 0)
    _check_generator('fit_generator', generator)
    model._ensure_ready(training=True)
    steps_per_epoch = _generator_steps(generator, steps_per_epoch, 'steps_per_epoch', workers,
                                       use_multiprocessing)

    do_validation = bool(validation_data is not None and
                         (not isinstance(validation_data, (list, tuple)) or validation_data))
    val_gen = _is_data_generator(validation_data) if do_validation else False
    if val_gen and not isinstance(validation_data, Sequence) and not validation_steps:
        raise ValueError(_STEPS_NONE_MESSAGE.format('validation_steps'))

    out_labels = model.metrics_names
    callback_metrics = out_labels + ['val_' + n for n in out_labels]
    model.history = cbks.History()
    stateful = getattr(model, 'stateful_metric_names', [])
    callback_list = [cbks.BaseLogger(stateful_metrics=stateful)]
    if verbose:
        callback_list.append(cbks.ProgbarLogger(count_mode='steps', stateful_metrics=stateful))
    callback_list += list(callbacks or []) + [model.history]
    callback_list = cbks.CallbackList(callback_list)
    callback_model = getattr(model, 'callback_model', None) or model
    callback_list.set_model(callback_model)
    callback_list.set_params({
        'epochs': epochs, 'steps': steps_per_epoch, 'verbose': verbose,
        'do_validation': do_validation, 'metrics': callback_metrics,
    })

    enqueuer = None
    val_enqueuer = None
    val_device = None
    # before any batch is drawn, as Keras 2.2.4 does: a generator may be a callback that
    # sets itself up in on_train_begin (the OCR example's), and the enqueuers' workers
    # start drawing batches at once
    callback_model.stop_training = False
    callback_list.on_train_begin()
    try:
        if do_validation:
            if val_gen:
                if isinstance(validation_data, Sequence):
                    validation_steps = validation_steps or len(validation_data)
                validation_steps = _check_steps('validation_steps', validation_steps)
                val_enqueuer, val_output = _start(validation_data, workers, use_multiprocessing,
                                                  max_queue_size)
            else:
                val_x, val_y, val_sample_weight = unpack_validation_data(
                    validation_data,
                    lambda: '`validation_data` should be a tuple `(val_x, val_y, '
                            'val_sample_weight)` or `(val_x, val_y)`. Found: '
                            + _short(validation_data))
                val_x, val_y, val_sws = model._standardize_user_data(
                    val_x, val_y, sample_weight=val_sample_weight)
                val_n = val_x[0].shape[0]
                val_device = model._to_device((val_x, val_y, val_sws), rows_indexed=True)
                # (with 2.2.4's trailing learning phase `0.`: see `Model.fit`)
                validation_data = val_x + val_y + val_sws + (
                    [0.] if model._uses_dynamic_learning_phase() else [])
                for cb in callback_list:
                    cb.validation_data = validation_data

        enqueuer, output_generator = _start(generator, workers, use_multiprocessing,
                                            max_queue_size, shuffle=shuffle)

        def fetch(steps_done):
            x, y, sw = _unpack(_next_batch(output_generator, 'fit_generator', steps_done,
                                           steps_per_epoch, epoch))
            size = _batch_size(x)
            return _prepare(model, x, y, sw, class_weight), size

        epoch = initial_epoch
        while epoch < epochs:
            model._reset_stateful_metrics()
            callback_list.on_epoch_begin(epoch)
            epoch_logs = {}
            steps_done = 0
            batch_index = 0
            item = fetch(0)
            while True:
                batch, size = item
                callback_list.on_batch_begin(batch_index, {'batch': batch_index, 'size': size})
                logs = model._dispatch('train', 'host', batch)   # asynchronous
                steps_done += 1
                # prepare the next batch while the device runs this step
                item = fetch(steps_done) if steps_done < steps_per_epoch else None
                values = X.to_numpy(logs)
                batch_logs = {'batch': batch_index, 'size': size}
                batch_logs.update(zip(out_labels, values))   # NumPy scalars, as in 2.2.4
                callback_list.on_batch_end(batch_index, batch_logs)
                batch_index += 1
                if steps_done >= steps_per_epoch or callback_model.stop_training:
                    break
            if do_validation and steps_done >= steps_per_epoch:
                if val_gen:
                    val_outs = evaluate_generator(model, val_output, validation_steps, workers=0)
                else:
                    # batches of the size of the epoch's last training batch
                    val_outs = training_arrays.test_loop(model, val_device, val_n, size)
                for label, value in zip(out_labels, to_list(val_outs)):
                    epoch_logs['val_' + label] = value
            callback_list.on_epoch_end(epoch, epoch_logs)
            epoch += 1
            if callback_model.stop_training:
                break
    finally:
        try:
            if enqueuer is not None:
                enqueuer.stop()
        finally:
            if val_enqueuer is not None:
                val_enqueuer.stop()
    callback_list.on_train_end()
    return model.history


# ---------------------------------------------------------------------- evaluate
def evaluate_generator(model, generator, steps=None, max_queue_size=10, workers=1,
                       use_multiprocessing=False, verbose=0):
    """Loss and metrics over `steps` batches of a generator or a Sequence.

    Returns the averages of the per-batch values weighted by the batch sizes (a scalar
    when the model has a single output and no metrics, else a list).
    """
    _check_workers(workers, max_queue_size)
    _check_generator('evaluate_generator', generator)
    model._ensure_ready()
    steps = _generator_steps(generator, steps, 'steps', workers, use_multiprocessing)
    all_logs = []
    batch_sizes = []
    model._reset_stateful_metrics()
    with _batches(generator, steps, 'evaluate_generator', max_queue_size, workers,
                  use_multiprocessing, verbose) as batches:
        for x, y, sw in batches:
            size = _batch_size(x)
            if size == 0:
                raise ValueError('Received an empty batch. Batches should contain at least one '
                                 'item.')
            # dispatched asynchronously: the logs are read once, at the end
            # (stateful layers carry on, as in test_on_batch)
            all_logs.append(model._dispatch('test', 'host', _prepare(model, x, y, sw)))
            batch_sizes.append(size)
    logs = np.stack([X.to_numpy(l) for l in all_logs]).astype('float64')
    averages = [np.float64(np.average(logs[:, i], weights=batch_sizes))
                for i in range(logs.shape[1])]
    for i in getattr(model, '_stateful_metric_indices', []):
        averages[i] = logs[-1, i]   # a stateful metric: its value after the last batch
    return unpack_singleton(averages)


# ---------------------------------------------------------------------- predict
def predict_generator(model, generator, steps=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, verbose=0):
    """Predictions for the inputs yielded by a generator or a Sequence.

    Items may be `x` alone or `(x, y)` / `(x, y, sample_weight)` tuples (the targets are
    ignored). Returns an array (single output) or a list of arrays.
    """
    _check_workers(workers, max_queue_size)
    _check_generator('predict_generator', generator)
    steps = _generator_steps(generator, steps, 'steps', workers, use_multiprocessing)
    all_outs = None
    pending = None
    with _batches(generator, steps, 'predict_generator', max_queue_size, workers,
                  use_multiprocessing, verbose, with_targets=False) as batches:
        model._prepare_predict_vars()
        for x, _, _ in batches:
            x, _, _ = model._standardize_user_data(x)
            outs = model._predict_dispatch(x)
            # read the previous batch's outputs while this one runs
            if pending is not None:
                all_outs = _append_outputs(all_outs, pending)
            pending = outs
        if pending is not None:
            all_outs = _append_outputs(all_outs, pending)
    results = [np.concatenate(o) for o in all_outs]
    return results[0] if len(results) == 1 else results


def _append_outputs(all_outs, outs):
    outs = [X.to_numpy(o) for o in outs]
    if all_outs is None:
        return [[o] for o in outs]
    for bucket, o in zip(all_outs, outs):
        bucket.append(o)
    return all_outs
