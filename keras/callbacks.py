"""Callbacks: hooks into training (Keras 2.2 API)."""
import collections
import collections.abc
import csv
import io
import json
import os
import warnings

import numpy as np

from . import backend as K
from .utils.generic_utils import Progbar, check_int, check_number, to_list


class CallbackList(object):
    """Container dispatching each hook to a list of callbacks.

    # Arguments
        callbacks: list of `Callback` instances.
        queue_length: how many recent batch durations are kept to detect slow callbacks.
    """

    def __init__(self, callbacks=None, queue_length=10):
        self.callbacks = list(callbacks or [])
        self.queue_length = queue_length

    def append(self, callback):
        """Adds a callback to the list.

        # Arguments
            callback: a `Callback`.
        """
        self.callbacks.append(callback)

    def set_params(self, params):
        """Hands `params` to every callback (`Callback.set_params`).

        # Arguments
            params: a dictionary.
        """
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        """Hands `model` to every callback (`Callback.set_model`).

        # Arguments
            model: a `keras.models.Model`.
        """
        for callback in self.callbacks:
            callback.set_model(model)

    def on_epoch_begin(self, epoch, logs=None):
        """Calls `on_epoch_begin` of every callback.

        # Arguments
            epoch: the index of the epoch.
            logs: a dictionary.
        """
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        """Calls `on_epoch_end` of every callback.

        # Arguments
            epoch: the index of the epoch.
            logs: a dictionary of the epoch's metrics.
        """
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        """Calls `on_batch_begin` of every callback.

        # Arguments
            batch: the index of the batch.
            logs: a dictionary.
        """
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        """Calls `on_batch_end` of every callback.

        # Arguments
            batch: the index of the batch.
            logs: a dictionary of the batch's metrics.
        """
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs)

    def on_train_begin(self, logs=None):
        """Calls `on_train_begin` of every callback.

        # Arguments
            logs: a dictionary.
        """
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        """Calls `on_train_end` of every callback.

        # Arguments
            logs: a dictionary.
        """
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def needs_every_batch(self):
        """Whether some callback acts on individual batches (beyond the built-in loggers)."""
        return any(_has_batch_hooks(cb) for cb in self.callbacks
                   if not getattr(cb, '_chunk_safe', False))

    def batch_hooks_read_logs_only(self):
        """Whether every batch hook only reads the logs it is given (the built-in loggers),
        so the hooks may run while the next batches are already computing."""
        return not any(_has_batch_hooks(cb) for cb in self.callbacks
                       if not getattr(cb, '_batch_hooks_read_logs_only', False))

    def __iter__(self):
        """Iterates over the callbacks."""
        return iter(self.callbacks)


class Callback(object):
    """Base class of callbacks: `params`, `model` and the on_* hooks."""

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        """Receives the training parameters (`batch_size`, `epochs`, `steps`, `samples`, `verbose`,
        `do_validation`, `metrics`); called by `fit` before training.

        # Arguments
            params: a dictionary.
        """
        self.params = params

    def set_model(self, model):
        """Receives the model being trained; called by `fit` before training.

        # Arguments
            model: a `keras.models.Model`.
        """
        self.model = model

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch.

        # Arguments
            epoch: the index of the epoch (0-based).
            logs: a dictionary (empty in Keras 2.2).
        """
        pass

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch.

        # Arguments
            epoch: the index of the epoch (0-based).
            logs: dictionary of the epoch's metrics, e.g. `loss`, `acc`, and `val_loss`, `val_acc`
                when validating.
        """
        pass

    def on_batch_begin(self, batch, logs=None):
        """Called before a training batch.

        # Arguments
            batch: the index of the batch in the epoch.
            logs: dictionary with the keys `batch` and `size` (samples in the batch).
        """
        pass

    def on_batch_end(self, batch, logs=None):
        """Called after a training batch.

        # Arguments
            batch: the index of the batch in the epoch.
            logs: dictionary of the batch's metrics (`loss`, ...) with `batch` and `size`.
        """
        pass

    def on_train_begin(self, logs=None):
        """Called once when training starts.

        # Arguments
            logs: a dictionary (empty in Keras 2.2).
        """
        pass

    def on_train_end(self, logs=None):
        """Called once when training ends.

        # Arguments
            logs: a dictionary (empty in Keras 2.2).
        """
        pass


def _has_batch_hooks(cb):
    own = getattr(cb, '__dict__', {})
    if 'on_batch_begin' in own or 'on_batch_end' in own:
        return True  # batch hooks set on the instance (e.g. LambdaCallback)
    cls = type(cb)
    return (cls.on_batch_begin is not Callback.on_batch_begin or
            cls.on_batch_end is not Callback.on_batch_end)


class BaseLogger(Callback):
    """Averages metrics over each epoch (weighted by batch size); added to every fit.

    # Arguments
        stateful_metrics: names of the metrics that are not averaged over the epoch (their last
            value is reported).
    """

    _chunk_safe = True
    _batch_hooks_read_logs_only = True

    def __init__(self, stateful_metrics=None):
        super(BaseLogger, self).__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        batch_size = logs.get('size', 0)
        self.seen += batch_size
        for k, v in logs.items():
            if k in ('batch', 'size'):
                continue
            if k in self.stateful_metrics:
                self.totals[k] = v
            elif k in self.totals:
                self.totals[k] += float(v) * batch_size   # (summed in double precision)
            else:
                self.totals[k] = float(v) * batch_size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for k in self.params.get('metrics', []):
            if k in self.totals:
                if k in self.stateful_metrics:
                    logs[k] = self.totals[k]
                else:
                    logs[k] = np.float64(self.totals[k] / self.seen)   # a NumPy scalar


class ProgbarLogger(Callback):
    """Prints metrics to stdout with the Keras progress bar.

    # Arguments
        count_mode: `'samples'` or `'steps'`: what the progress bar counts.
        stateful_metrics: names of the metrics that are not averaged over the epoch (their last
            value is shown).
    """

    _chunk_safe = True
    _batch_hooks_read_logs_only = True

    def __init__(self, count_mode='samples', stateful_metrics=None):
        super(ProgbarLogger, self).__init__()
        if count_mode == 'samples':
            self.use_steps = False
        elif count_mode == 'steps':
            self.use_steps = True
        else:
            raise ValueError("count_mode: expected 'samples' or 'steps', got %r" % (count_mode,))
        self.stateful_metrics = set(stateful_metrics or [])
        # set by the training loop while it reports batches that ran in one dispatch
        # (all but the last of them): they are counted but not drawn
        self._more_in_dispatch = False

    def on_train_begin(self, logs=None):
        self.verbose = self.params['verbose']
        self.epochs = self.params['epochs']

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print('Epoch %d/%d' % (epoch + 1, self.epochs))
            if self.use_steps:
                target = self.params['steps']
            else:
                target = self.params['samples']
            self.target = target
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   stateful_metrics=self.stateful_metrics)
        self.seen = 0

    def on_batch_begin(self, batch, logs=None):
        if self.seen < self.target:
            self.log_values = []

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        batch_size = logs.get('size', 0)
        if self.use_steps:
            self.seen += 1
        else:
            self.seen += batch_size
        for k in self.params['metrics']:
            if k in logs:
                self.log_values.append((k, logs[k]))
        if self.verbose and self.seen < self.target:
            if self._more_in_dispatch:
                interval, self.progbar.interval = self.progbar.interval, float('inf')
                try:
                    self.progbar.update(self.seen, self.log_values)
                finally:
                    self.progbar.interval = interval
            else:
                self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for k in self.params['metrics']:
            if k in logs:
                self.log_values.append((k, logs[k]))
        if self.verbose:
            self.progbar.update(self.seen, self.log_values)


class _HistoryDict(dict):
    """dict of per-epoch lists; modern key spellings ('accuracy') resolve to Keras 2.2 ones ('acc')."""

    _ALIASES = {'accuracy': 'acc', 'val_accuracy': 'val_acc'}

    def __missing__(self, key):
        alias = self._ALIASES.get(key)
        if alias is not None and dict.__contains__(self, alias):
            return dict.__getitem__(self, alias)
        raise KeyError(key)

    def __contains__(self, key):
        return dict.__contains__(self, key) or (key in self._ALIASES and
                                                dict.__contains__(self, self._ALIASES[key]))

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


class History(Callback):
    """Records the epoch logs in `history` (returned by fit)."""

    _chunk_safe = True
    _batch_hooks_read_logs_only = True

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = _HistoryDict()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)


# ---------------------------------------------------------------------------
# Keras 2.2 callbacks beyond the loggers
# ---------------------------------------------------------------------------
def _monitor_mode(owner, mode, monitor):
    """How a callback compares values of its monitored quantity (Keras 2.2 rule for 'auto').

    # Arguments
        owner: the callback's name, for the warning about an unknown `mode`.
        mode: `'auto'`, `'min'` or `'max'`; any other value warns and counts as `'auto'`.
        monitor: the monitored quantity's name: in `'auto'` mode, a name with `'acc'` in it
            (or starting with `'fmeasure'`) is maximized, any other minimized.

    # Returns
        `(comparison, initial_best)`: `(np.less, inf)` to minimize, `(np.greater, -inf)` to
        maximize.
    """
    if mode not in ('auto', 'min', 'max'):
        warnings.warn('%s mode %s is unknown, fallback to auto mode.' % (owner, mode),
                      RuntimeWarning, stacklevel=3)
        mode = 'auto'
    if mode == 'min' or (mode == 'auto' and not ('acc' in monitor or
                                                  monitor.startswith('fmeasure'))):
        return np.less, np.inf
    return np.greater, -np.inf


class ModelCheckpoint(Callback):
    """Save the model after every epoch (or every `period` epochs).

    `filepath` may contain named formatting options filled with `epoch` (1-based) and
    the keys of the epoch logs, e.g. `weights.{epoch:02d}-{val_loss:.2f}.hdf5`.

    # Arguments
        filepath: where to save the model (a format string).
        monitor: quantity to monitor.
        verbose: verbosity mode, 0 or 1.
        save_best_only: only save when `monitor` improved on the best value so far.
        save_weights_only: save with `model.save_weights` instead of `model.save`.
        mode: one of {auto, min, max}: whether the best `monitor` value is the lowest or
            the highest; `auto` infers it from the name (`acc`/`fmeasure` -> max).
        period: interval (number of epochs) between checkpoints.

    # Example
    ```python
    import os, tempfile
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    from keras.callbacks import ModelCheckpoint

    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile('sgd', 'mse')
    path = os.path.join(tempfile.mkdtemp(), 'weights.{epoch:02d}-{val_loss:.2f}.h5')
    model.fit(np.random.random((64, 4)), np.random.random((64, 1)), epochs=3,
              validation_split=0.25, verbose=0,
              callbacks=[ModelCheckpoint(path, monitor='val_loss', save_best_only=True)])
    ```
    """

    _chunk_safe = True

    def __init__(self, filepath, monitor='val_loss', verbose=0, save_best_only=False,
                 save_weights_only=False, mode='auto', period=1):
        super(ModelCheckpoint, self).__init__()
        if not isinstance(filepath, str) and not hasattr(filepath, '__fspath__'):
            raise TypeError('ModelCheckpoint: `filepath` must be a string (a path template), '
                            'got %r' % (filepath,))
        if not isinstance(monitor, str):
            raise TypeError('ModelCheckpoint: `monitor` must be a string, got %r' % (monitor,))
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = str(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = check_int('period', period, 0, owner='ModelCheckpoint')
        self.epochs_since_last_save = 0
        self.monitor_op, self.best = _monitor_mode('ModelCheckpoint', mode, monitor)

    def _save(self, filepath):
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        try:
            filepath = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as e:
            raise KeyError('ModelCheckpoint: the filepath template %r uses the key %s, which is '
                           'not in the epoch logs (available: epoch, %s)'
                           % (self.filepath, e, ', '.join(sorted(logs))))
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn('Can save best model only with %s available, skipping.'
                              % self.monitor, RuntimeWarning)
                return
            if self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print('\nEpoch %05d: %s improved from %0.5f to %0.5f, saving model to %s'
                          % (epoch + 1, self.monitor, self.best, current, filepath))
                self.best = current
                self._save(filepath)
            elif self.verbose > 0:
                print('\nEpoch %05d: %s did not improve from %0.5f'
                      % (epoch + 1, self.monitor, self.best))
        else:
            if self.verbose > 0:
                print('\nEpoch %05d: saving model to %s' % (epoch + 1, filepath))
            self._save(filepath)


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving.

    # Arguments
        monitor: quantity to be monitored.
        min_delta: minimum change that counts as an improvement.
        patience: number of epochs with no improvement after which training stops.
        verbose: verbosity mode.
        mode: one of {auto, min, max}.
        baseline: value the monitored quantity must improve on (else training stops
            after `patience` epochs).
        restore_best_weights: restore the weights of the epoch with the best monitored
            value when training stops.

    # Example
    ```python
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    from keras.callbacks import EarlyStopping

    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile('sgd', 'mse')
    # stop once the validation loss has not improved by 0.001 for 2 epochs
    stop = EarlyStopping(monitor='val_loss', min_delta=1e-3, patience=2)
    history = model.fit(np.random.random((64, 4)), np.random.random((64, 1)), epochs=100,
                        validation_split=0.25, callbacks=[stop], verbose=0)
    print(len(history.epoch), 'epochs run')   # fewer than 100
    ```
    """

    _chunk_safe = True

    def __init__(self, monitor='val_loss', min_delta=0, patience=0, verbose=0, mode='auto',
                 baseline=None, restore_best_weights=False):
        super(EarlyStopping, self).__init__()
        self.monitor = monitor
        self.baseline = baseline
        self.patience = check_int('patience', patience, 0, owner='EarlyStopping')
        self.verbose = verbose
        self.min_delta = abs(check_number('min_delta', min_delta, owner='EarlyStopping'))
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.monitor_op, _ = _monitor_mode('EarlyStopping', mode, monitor)
        if self.monitor_op == np.greater:
            self.min_delta *= 1
        else:
            self.min_delta *= -1

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op == np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                if self.restore_best_weights and self.best_weights is not None:
                    if self.verbose > 0:
                        print('Restoring model weights from the end of the best epoch')
                    self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print('Epoch %05d: early stopping' % (self.stopped_epoch + 1))

    def get_monitor_value(self, logs):
        """The value of the monitored quantity in `logs` (warns when it is missing).

        # Arguments
            logs: the epoch's logs.

        # Returns
            The value, or `None` when `logs` does not have it.
        """
        logs = logs or {}
        monitor_value = logs.get(self.monitor)
        if monitor_value is None:
            warnings.warn('Early stopping conditioned on metric `%s` which is not available. '
                          'Available metrics are: %s' % (self.monitor, ','.join(list(logs.keys()))),
                          RuntimeWarning)
        return monitor_value


def _optimizer_lr(model, owner):
    optimizer = getattr(model, 'optimizer', None)
    if optimizer is None or not hasattr(optimizer, 'lr'):
        raise ValueError('%s: the optimizer must have a "lr" attribute (got %r)'
                         % (owner, optimizer))
    return optimizer.lr


class LearningRateScheduler(Callback):
    """Set the learning rate at the beginning of every epoch.

    # Arguments
        schedule: a function `schedule(epoch)` or `schedule(epoch, lr)` (epoch index
            from 0, current learning rate) returning the new learning rate (float).
        verbose: 0 quiet, 1 print a message at every update.

    # Example
    ```python
    import numpy as np
    from keras import backend as K
    from keras.models import Sequential
    from keras.layers import Dense
    from keras.callbacks import LearningRateScheduler

    def schedule(epoch):
        return 0.1 * 0.5 ** epoch        # halve the learning rate every epoch

    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile('sgd', 'mse')
    model.fit(np.random.random((32, 4)), np.random.random((32, 1)), epochs=3, verbose=0,
              callbacks=[LearningRateScheduler(schedule)])
    print(K.get_value(model.optimizer.lr))   # 0.025
    ```
    """

    _chunk_safe = True

    def __init__(self, schedule, verbose=0):
        super(LearningRateScheduler, self).__init__()
        if not callable(schedule):
            raise TypeError('LearningRateScheduler: `schedule` must be callable, got %r'
                            % (schedule,))
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr_var = _optimizer_lr(self.model, 'LearningRateScheduler')
        lr = float(K.get_value(lr_var))
        try:  # new API: schedule(epoch, lr)
            lr = self.schedule(epoch, lr)
        except TypeError:  # old API: schedule(epoch)
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError('The output of the "schedule" function should be float (got %r).'
                             % (lr,))
        K.set_value(lr_var, lr)
        if self.verbose > 0:
            print('\nEpoch %05d: LearningRateScheduler setting learning rate to %s.'
                  % (epoch + 1, lr))

    def on_epoch_end(self, epoch, logs=None):
        # (Keras 2.2.4: the epoch's logs hold the rate, so History, CSVLogger and
        # TensorBoard record it, as with ReduceLROnPlateau)
        if logs is not None:
            logs['lr'] = K.get_value(_optimizer_lr(self.model, 'LearningRateScheduler'))


class ReduceLROnPlateau(Callback):
    """Reduce the learning rate when a metric has stopped improving.

    # Arguments
        monitor: quantity to be monitored.
        factor: factor by which the learning rate is reduced (new_lr = lr * factor), < 1.
        patience: number of epochs with no improvement after which lr is reduced.
        verbose: 0 quiet, 1 update messages.
        mode: one of {auto, min, max}.
        min_delta: threshold for measuring a new optimum (`epsilon` is a deprecated alias).
        cooldown: number of epochs to wait after a reduction before resuming normal operation.
        min_lr: lower bound on the learning rate.
    """

    _chunk_safe = True

    def __init__(self, monitor='val_loss', factor=0.1, patience=10, verbose=0, mode='auto',
                 min_delta=1e-4, cooldown=0, min_lr=0, **kwargs):
        super(ReduceLROnPlateau, self).__init__()
        if 'epsilon' in kwargs:
            min_delta = kwargs.pop('epsilon')
            warnings.warn('`epsilon` argument is deprecated and will be removed, use '
                          '`min_delta` instead.', stacklevel=2)
        if kwargs:
            raise TypeError('ReduceLROnPlateau: unexpected keyword arguments %s' % sorted(kwargs))
        self.monitor = monitor
        check_number('factor', factor, owner='ReduceLROnPlateau')
        if factor >= 1.0:
            raise ValueError('ReduceLROnPlateau does not support a factor >= 1.0 (got factor=%r).'
                             % (factor,))
        self.factor = factor
        self.min_lr = check_number('min_lr', min_lr, owner='ReduceLROnPlateau')
        self.min_delta = check_number('min_delta', min_delta, owner='ReduceLROnPlateau')
        self.patience = check_int('patience', patience, 0, owner='ReduceLROnPlateau')
        self.verbose = verbose
        self.cooldown = check_int('cooldown', cooldown, 0, owner='ReduceLROnPlateau')
        self.cooldown_counter = 0
        self.wait = 0
        self.best = 0
        self.mode = mode
        self.monitor_op = None
        self._reset()

    def _reset(self):
        if self.mode not in ('auto', 'min', 'max'):
            warnings.warn('Learning Rate Plateau Reducing mode %s is unknown, fallback to auto '
                          'mode.' % (self.mode,), RuntimeWarning)
            self.mode = 'auto'
        min_delta = self.min_delta
        if self.mode == 'min' or (self.mode == 'auto' and 'acc' not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        lr_var = _optimizer_lr(self.model, 'ReduceLROnPlateau')
        logs['lr'] = K.get_value(lr_var)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn('Reduce LR on plateau conditioned on metric `%s` which is not '
                          'available. Available metrics are: %s'
                          % (self.monitor, ','.join(list(logs.keys()))), RuntimeWarning)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(K.get_value(lr_var))
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    K.set_value(lr_var, new_lr)
                    if self.verbose > 0:
                        print('\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %s.'
                              % (epoch + 1, new_lr))
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self):
        """Whether the callback is in its cooldown period after a reduction.

        # Returns
            A boolean.
        """
        return self.cooldown_counter > 0


class CSVLogger(Callback):
    """Stream the epoch results to a CSV file (one row per epoch, header on top).

    # Arguments
        filename: path of the CSV file.
        separator: string used to separate the fields.
        append: append to the file if it exists (no new header when it is not empty)
            instead of overwriting it.

    # Example
    ```python
    import os, tempfile
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    from keras.callbacks import CSVLogger

    path = os.path.join(tempfile.mkdtemp(), 'training.log')
    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile('sgd', 'mse')
    model.fit(np.random.random((32, 4)), np.random.random((32, 1)), epochs=2, verbose=0,
              callbacks=[CSVLogger(path)])
    print(open(path).readline().strip())   # epoch,loss
    ```
    """

    _chunk_safe = True

    def __init__(self, filename, separator=',', append=False):
        super(CSVLogger, self).__init__()
        if not isinstance(filename, str) and not hasattr(filename, '__fspath__'):
            raise TypeError('CSVLogger: `filename` must be a path, got %r' % (filename,))
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError('CSVLogger: `separator` must be a one-character string, got %r'
                             % (separator,))
        self.sep = separator
        self.filename = str(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.file_flags = ''
        self._open_args = {'newline': '\n'}
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, 'r' + self.file_flags) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = 'a'
        else:
            mode = 'w'
        self.csv_file = io.open(self.filename, mode + self.file_flags, **self._open_args)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}

        def handle_value(k):
            is_zero_dim_ndarray = isinstance(k, np.ndarray) and k.ndim == 0
            if isinstance(k, str):
                return k
            elif isinstance(k, collections.abc.Iterable) and not is_zero_dim_ndarray:
                return '"[%s]"' % (', '.join(map(str, k)))
            else:
                return k

        if self.keys is None:
            self.keys = sorted(logs.keys())
        if getattr(self.model, 'stop_training', False):
            # the validation logs are missing when training was stopped mid-epoch
            logs = dict((k, logs[k]) if k in logs else (k, 'NA') for k in self.keys)

        if not self.writer:
            class CustomDialect(csv.excel):
                delimiter = self.sep
            fieldnames = ['epoch'] + self.keys
            self.writer = csv.DictWriter(self.csv_file, fieldnames=fieldnames,
                                         dialect=CustomDialect)
            if self.append_header:
                self.writer.writeheader()

        row_dict = collections.OrderedDict({'epoch': epoch})
        row_dict.update((key, handle_value(logs.get(key, 'NA'))) for key in self.keys)
        self.writer.writerow(row_dict)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """Callback built from plain functions, called at the usual moments.

    `on_epoch_begin(epoch, logs)`, `on_epoch_end(epoch, logs)`, `on_batch_begin(batch,
    logs)`, `on_batch_end(batch, logs)`, `on_train_begin(logs)`, `on_train_end(logs)`.
    Extra keyword arguments become attributes of the callback.

    # Arguments
        on_epoch_begin: function `(epoch, logs)` called at the start of every epoch.
        on_epoch_end: function `(epoch, logs)` called at the end of every epoch.
        on_batch_begin: function `(batch, logs)` called before every batch.
        on_batch_end: function `(batch, logs)` called after every batch.
        on_train_begin: function `(logs)` called when training starts.
        on_train_end: function `(logs)` called when training ends.

    # Example
    ```python
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    from keras.callbacks import LambdaCallback

    losses = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs['loss']))
    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile('sgd', 'mse')
    model.fit(np.random.random((32, 4)), np.random.random((32, 1)), epochs=3, verbose=0,
              callbacks=[record])
    print(len(losses))   # 3
    ```
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super(LambdaCallback, self).__init__()
        self.__dict__.update(kwargs)
        hooks = (('on_epoch_begin', on_epoch_begin, 2), ('on_epoch_end', on_epoch_end, 2),
                 ('on_batch_begin', on_batch_begin, 2), ('on_batch_end', on_batch_end, 2),
                 ('on_train_begin', on_train_begin, 1), ('on_train_end', on_train_end, 1))
        for name, fn, nargs in hooks:
            if fn is not None and not callable(fn):
                raise TypeError('LambdaCallback: `%s` must be callable, got %r' % (name, fn))
            if fn is None:
                fn = (lambda a, b=None: None) if nargs == 2 else (lambda logs=None: None)
            setattr(self, name, fn)
        # batch-level functions must see each batch as it happens; others may run after
        # a multi-batch dispatch
        self._chunk_safe = on_batch_begin is None and on_batch_end is None


class TerminateOnNaN(Callback):
    """Stop training when a NaN (or infinite) loss is encountered."""

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        loss = logs.get('loss')
        if loss is not None:
            if np.isnan(loss) or np.isinf(loss):
                print('Batch %d: Invalid loss, terminating training' % (batch))
                self.model.stop_training = True


def _json_value(v):
    if isinstance(v, (np.ndarray, np.generic)):
        return v.tolist()
    return v


class RemoteMonitor(Callback):
    """Stream the epoch logs to a server with an HTTP POST at the end of every epoch.

    The payload is the dict `{'epoch': epoch, <log name>: value, ...}`: sent as a JSON
    body when `send_as_json`, otherwise JSON-encoded in the form field `field`
    (`application/x-www-form-urlencoded`).

    # Arguments
        root: root URL of the target server.
        path: path relative to `root` to which the events are sent.
        field: form field under which the JSON data is stored.
        headers: optional dict of extra HTTP headers.
        send_as_json: send the request body as `application/json`.
    """

    _chunk_safe = True

    def __init__(self, root='http://localhost:9000', path='/publish/epoch/end/', field='data',
                 headers=None, send_as_json=False):
        super(RemoteMonitor, self).__init__()
        if headers is not None and not isinstance(headers, dict):
            raise TypeError('RemoteMonitor: `headers` must be a dict or None, got %r' % (headers,))
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = 10.

    def on_epoch_end(self, epoch, logs=None):
        import urllib.error
        import urllib.parse
        import urllib.request
        logs = logs or {}
        send = {'epoch': epoch}
        for k, v in logs.items():
            send[k] = _json_value(v)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode('utf-8')
            headers.setdefault('Content-Type', 'application/json')
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode('utf-8')
            headers.setdefault('Content-Type', 'application/x-www-form-urlencoded')
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method='POST')
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn('Warning: could not reach RemoteMonitor root server at ' +
                          str(self.root), RuntimeWarning)


def _batched_outputs(inputs, outputs, arrays, batch_size):
    """The values of the symbolic `outputs` for the input `arrays` (inference mode), run
    `batch_size` rows at a time."""
    fn = K.function(list(inputs), list(outputs))
    n = len(arrays[0])
    parts = [fn([a[i:i + batch_size] for a in arrays]) for i in range(0, n, batch_size)]
    return [np.concatenate([p[j] for p in parts]) for j in range(len(outputs))]


class TensorBoard(Callback):
    """TensorBoard event files: scalars of the logs, weight histograms, images, graph,
    embeddings, written by the backend's summary writer (`keras.backend.summary`): on
    TensorFlow its own `tf.summary` writer, on JAX the `tensorboard` package's event writer
    (TensorFlow is not needed there). Both need `pip install tensorboard`.

    # Arguments
        log_dir: directory of the event files.
        histogram_freq: frequency (in epochs) of the weight and layer-output histograms
            (0: none). Needs `validation_data` (as in Keras 2.2).
        batch_size: batch size used for the histogram and gradient computations.
        write_graph: write the layer graph (GraphDef of the layers) and the model config.
        write_grads: with histogram_freq > 0, also histograms of the gradients of the loss
            (on the validation data) with respect to the weights.
        write_images: with histogram_freq > 0, also write the weights as images.
        embeddings_freq: frequency (in epochs) at which the embedding layers' outputs on
            `embeddings_data` are saved for the projector (0: never).
        embeddings_layer_names: layers to visualize (default: every `Embedding` layer).
        embeddings_metadata: file (or dict layer name -> file) of metadata (TSV labels).
        embeddings_data: input data for `embeddings_layer_names`.
        update_freq: 'batch', 'epoch' or an integer: write the scalar logs after every
            batch, every epoch, or every `update_freq` samples.
    """

    _chunk_safe = True
    _batch_hooks_read_logs_only = True

    def __init__(self, log_dir='./logs', histogram_freq=0, batch_size=32, write_graph=True,
                 write_grads=False, write_images=False, embeddings_freq=0,
                 embeddings_layer_names=None, embeddings_metadata=None, embeddings_data=None,
                 update_freq='epoch'):
        super(TensorBoard, self).__init__()
        self.log_dir = str(log_dir)
        self.histogram_freq = check_int('histogram_freq', histogram_freq, 0, owner='TensorBoard')
        if self.histogram_freq == 0 and write_grads:
            warnings.warn('TensorBoard: write_grads will be ignored because histogram_freq is 0.',
                          stacklevel=2)
        self.write_graph = write_graph
        self.write_grads = write_grads
        self.write_images = write_images
        self.embeddings_freq = check_int('embeddings_freq', embeddings_freq, 0, owner='TensorBoard')
        self.embeddings_layer_names = embeddings_layer_names
        self.embeddings_metadata = embeddings_metadata or {}
        self.embeddings_data = embeddings_data
        self.batch_size = check_int('batch_size', batch_size, 0, owner='TensorBoard') or 32
        if update_freq == 'batch' or update_freq == 'epoch':
            self.update_freq = update_freq
        elif isinstance(update_freq, (int, np.integer)) and not isinstance(update_freq, bool) \
                and update_freq > 0:
            self.update_freq = int(update_freq)
        else:
            raise ValueError("TensorBoard: `update_freq` must be 'batch', 'epoch' or a positive "
                             "integer (samples), got %r" % (update_freq,))
        if self.embeddings_freq and self.embeddings_data is None:
            raise ValueError('To visualize embeddings, embeddings_data must be provided.')
        self.writer = None
        self.samples_seen = 0
        self.samples_seen_at_last_write = 0
        self.merged = None
        self.sess = None
        self.saver = None
        self.assign_embeddings = None
        self.batch_id = 0
        self.step = 0

    # --------------------------------------------------------------- writer
    def _open_writer(self):
        if self.writer is None:
            self.writer = K.summary.SummaryWriter(self.log_dir)
        return self.writer

    def set_model(self, model):
        """Keeps the model and, with `write_graph`, writes its layer graph and its JSON config.

        # Arguments
            model: the `Model` being trained.
        """
        self.model = model
        writer = self._open_writer()
        if self.write_graph:
            self._write_graph(writer)

    def _write_graph(self, writer):
        model = self.model
        nodes = []
        for layer in getattr(model, 'layers', []):
            inputs = []
            for inbound in getattr(layer, '_inbound_nodes', []):
                for src in inbound.inbound_layers:
                    if src is not None and src.name not in inputs and src in model.layers:
                        inputs.append(src.name)
            try:
                shape = str(layer.output_shape)
            except Exception:
                shape = ''
            nodes.append((layer.name, type(layer).__name__, inputs, shape))
        writer.graph(nodes)
        if hasattr(model, 'to_json'):
            try:
                config = model.to_json()
            except Exception:  # models that cannot be serialized still get the graph
                config = None
            if config is not None:
                writer.text('model_config', config, 0)

    # --------------------------------------------------------------- scalars
    def _write_logs(self, logs, index):
        writer = self._open_writer()
        for name, value in logs.items():
            if name in ('batch', 'size'):
                continue
            if isinstance(value, np.ndarray):
                value = value.item() if value.size == 1 else None
            if value is None or isinstance(value, str):
                continue
            writer.scalar(name, float(value), int(index))
        writer.flush()

    def on_train_begin(self, logs=None):
        self._open_writer()

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        if self.update_freq != 'epoch':
            self.samples_seen += logs.get('size', 1)
            since = self.samples_seen - self.samples_seen_at_last_write
            if self.update_freq == 'batch' or since >= self.update_freq:
                self._write_logs(logs, self.samples_seen)
                self.samples_seen_at_last_write = self.samples_seen
        self.batch_id += 1

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        writer = self._open_writer()
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            if not self.validation_data:
                raise ValueError('If printing histograms, validation_data must be provided, and '
                                 'cannot be a generator.')
            self._write_histograms(writer, epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._write_embeddings(writer, epoch)
        index = epoch if self.update_freq == 'epoch' else self.samples_seen
        self._write_logs(logs, index)

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    # --------------------------------------------------------------- histograms
    @staticmethod
    def _tag(weight):
        return weight.name.replace(':', '_')

    def _validation_inputs(self):
        model = self.model
        n_in = len(model.inputs)
        return list(self.validation_data[:n_in])

    def _write_histograms(self, writer, epoch):
        model = self.model
        for layer in model.layers:
            for weight in layer.weights:
                value = K.get_value(weight)
                tag = self._tag(weight)
                writer.histogram(tag, value, epoch)
                if self.write_images:
                    # a tag of its own: TensorBoard keeps one kind of summary per tag
                    self._write_weight_image(writer, tag + '_image', value, epoch)
        if self.write_grads:
            for weight, grad in self._validation_gradients():
                writer.histogram(self._tag(weight) + '_grad', grad, epoch)
        # layer outputs on the validation inputs
        layers, outputs = [], []
        for layer in model.layers:
            if type(layer).__name__ == 'InputLayer':
                continue
            try:
                out = layer.output
            except Exception:  # shared layers have several outputs
                continue
            if isinstance(out, (list, tuple)):
                continue
            layers.append(layer)
            outputs.append(out)
        if not outputs:
            return
        values = _batched_outputs(model.inputs, outputs, self._validation_inputs(),
                                  self.batch_size)
        for layer, value in zip(layers, values):
            writer.histogram('{}_out'.format(layer.name), np.asarray(value), epoch)

    @staticmethod
    def _write_weight_image(writer, tag, value, epoch):
        def normalize(img):
            img = img.astype('float32')
            lo, hi = img.min(), img.max()
            return (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        shape = value.shape
        if len(shape) == 2:  # dense kernel
            img = value.T if shape[0] > shape[1] else value
            writer.image(tag, normalize(img)[None, :, :, None], epoch)
        elif len(shape) == 1:  # bias
            writer.image(tag, normalize(value.reshape(1, 1, -1, 1)), epoch)
        elif len(shape) == 3:  # 1D conv kernel (width, in, out) -> out images of (in, width)
            imgs = np.transpose(value, (2, 1, 0))[..., None]
            writer.image(tag, normalize(imgs), epoch)
        elif len(shape) == 4 and shape[2] in (1, 3, 4):  # 2D conv kernel (h, w, in, out)
            imgs = np.transpose(value, (3, 0, 1, 2))
            if shape[2] == 4:
                imgs = imgs[..., :3]
            writer.image(tag, normalize(imgs), epoch)

    def _validation_gradients(self):
        """(weight, gradient of the total loss on the validation data) pairs."""
        model = self.model
        n_in, n_out = len(model.inputs), len(getattr(model, '_feed_output_names', []))
        data = list(self.validation_data)
        xs = data[:n_in]
        ys = data[n_in:n_in + n_out]
        sws = data[n_in + n_out:n_in + 2 * n_out]
        if len(sws) != n_out:
            sws = [np.ones((y.shape[0],), K.floatx()) for y in ys]
        grads = _loss_gradients(model, xs, ys, sws)
        return list(zip(model._trainable_vars, grads))

    # --------------------------------------------------------------- embeddings
    def _write_embeddings(self, writer, epoch):
        model = self.model
        names = self.embeddings_layer_names
        if not names:
            names = [layer.name for layer in model.layers
                     if type(layer).__name__ == 'Embedding']
        if isinstance(names, str):
            names = [names]
        metadata = self.embeddings_metadata
        if isinstance(metadata, str):
            metadata = dict((name, metadata) for name in names)
        for name in names:
            layer = model.get_layer(name)
            values, = _batched_outputs(model.inputs, [layer.output],
                                       to_list(self.embeddings_data), self.batch_size)
            values = values.reshape((values.shape[0], -1))
            labels, header = None, None
            path = self._metadata_path(metadata.get(name))
            if path:
                labels, header = _read_metadata(path)
                if labels is not None and len(labels) != values.shape[0]:
                    raise ValueError('TensorBoard: the embeddings metadata file %r has %d rows, '
                                     'expected one per sample of embeddings_data (%d)'
                                     % (metadata[name], len(labels), values.shape[0]))
            writer.embedding(name, values, epoch, labels, header)

    def _metadata_path(self, path):
        """Where an `embeddings_metadata` file is: a relative path is taken in `log_dir`
        first, as TensorBoard's projector reads it (Keras 2.2.4 only recorded the path, and
        its embeddings example writes `log_dir/metadata.tsv` and names `'metadata.tsv'`),
        else in the working directory; None, with a warning, where it is in neither."""
        if not path:
            return None
        places = [path] if os.path.isabs(path) else [os.path.join(self.log_dir, path), path]
        for place in places:
            if os.path.isfile(place):
                return place
        warnings.warn('TensorBoard: the embeddings metadata file %r was not found (looked '
                      'for %s); the embeddings are written without labels'
                      % (path, ' and '.join(repr(p) for p in places)))
        return None


def _read_metadata(path):
    """Rows of a projector metadata TSV file.

    # Arguments
        path: the path of the TSV file (one row per embedded point, tab-separated columns).

    # Returns
        `(labels, header)`: with one column, the list of labels and None; with several, the
        rows after the first and the first row as the header; `(None, None)` for an empty
        file.
    """
    with open(path, 'r') as f:
        rows = [line.rstrip('\n').split('\t') for line in f if line.strip('\n')]
    if not rows:
        return None, None
    if len(rows[0]) > 1:
        return rows[1:], rows[0]
    return [r[0] for r in rows], None


def _loss_gradients(model, xs, ys, sws):
    """Gradients of the total loss (test mode) w.r.t. the model's trainable variables.

    # Arguments
        model: a compiled model.
        xs: list of input arrays, one per model input.
        ys: list of target arrays, one per model output.
        sws: list of sample weight arrays, one per model output.

    # Returns
        A list of NumPy arrays, one per trainable variable.
    """
    from .backend import execution as X
    model._ensure_ready()
    tv, ov = model._read_state(with_optimizer=False)
    xs = [X.to_device(np.asarray(a)) for a in xs]
    ys = [X.to_device(np.asarray(a)) for a in ys]
    sws = [X.to_device(np.asarray(a)) for a in sws]
    key = model._next_key()

    def loss_fn(tv_):
        return model._scoped_loss(tv_, ov, xs, ys, sws, key, False)[0]
    _, grads = X.value_and_grad(loss_fn)(tv)
    return [X.to_numpy(g) for g in grads]
