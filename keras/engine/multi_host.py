"""fit / evaluate / predict on in-memory arrays when the model's batch sharding spans
several processes (multi-host data parallelism on JAX's distributed runtime).

Every process runs the same program on its own slice of the data: `x`, `y` are the
process-local samples, `batch_size` is the per-process batch. Each step assembles the
global batch from the processes' local batches (`BatchSharding.place_batch`), so a step
trains on `batch_size * process_count` samples; losses and metrics are global averages
and `predict` returns this process's rows. The arrays run through the generator loop
(one compiled step per batch), since the device-resident chunked loop indexes one global
array with one set of indices.
"""
import numpy as np

from ..utils.data_utils import Sequence


class ArrayBatches(Sequence):
    """Batches of process-local arrays; rows reshuffled every epoch when `shuffle`."""

    def __init__(self, xs, ys, sws, batch_size, shuffle=False, with_targets=True):
        self.xs, self.ys, self.sws = list(xs), list(ys or []), list(sws or [])
        self.n = int(self.xs[0].shape[0]) if self.xs else int(self.ys[0].shape[0])
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.with_targets = with_targets
        self._rng = np.random.RandomState(np.random.randint(2 ** 31 - 1))
        self.order = self._rng.permutation(self.n) if shuffle else np.arange(self.n)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, i):
        rows = self.order[i * self.batch_size:(i + 1) * self.batch_size]
        xs = [a[rows] for a in self.xs]
        if not self.with_targets:
            return xs
        return xs, [a[rows] for a in self.ys], [a[rows] for a in self.sws]

    def on_epoch_end(self):
        if self.shuffle:
            self.order = self._rng.permutation(self.n)


def check_local_batches(sharding, n, batch_size, what):
    """Every process must run the same number of steps on batches that split evenly over
    its own devices."""
    from ..backend import distribution
    local = sharding.local_device_count
    sizes = {min(batch_size, n - start) for start in range(0, n, batch_size)}
    bad = sorted(s for s in sizes if s % local)
    if bad:
        raise ValueError('%s: with a model sharded over %d processes, every batch of a process '
                         'must split evenly over its %d local devices; batch_size=%d over %d '
                         'samples gives batches of %s.' % (what, sharding.process_count, local,
                                                           batch_size, n, sorted(sizes)))
    distribution.assert_same_on_all_processes(
        np.array([n, batch_size]),
        '%s: every process must hold the same number of samples and use the same batch_size'
        % what)


def fit(model, x, y, sample_weights, batch_size, epochs, verbose, callbacks, validation,
        shuffle, initial_epoch):
    sharding = model._input_sharding
    check_local_batches(sharding, int(x[0].shape[0]), batch_size, 'fit')
    train = ArrayBatches(x, y, sample_weights, batch_size, shuffle=bool(shuffle))
    val = None
    if validation is not None:
        val_x, val_y, val_sw = validation
        check_local_batches(sharding, int(val_x[0].shape[0]), batch_size, 'fit (validation)')
        val = ArrayBatches(val_x, val_y, val_sw, batch_size)
    return model.fit_generator(train, steps_per_epoch=len(train), epochs=epochs,
                               verbose=verbose, callbacks=callbacks, validation_data=val,
                               validation_steps=len(val) if val is not None else None,
                               workers=0, shuffle=False, initial_epoch=initial_epoch)


def evaluate(model, x, y, sample_weights, batch_size, verbose):
    check_local_batches(model._input_sharding, int(x[0].shape[0]), batch_size, 'evaluate')
    batches = ArrayBatches(x, y, sample_weights, batch_size)
    return model.evaluate_generator(batches, steps=len(batches), workers=0, verbose=verbose)


def predict(model, x, batch_size, verbose):
    check_local_batches(model._input_sharding, int(x[0].shape[0]), batch_size, 'predict')
    batches = ArrayBatches(x, None, None, batch_size, with_targets=False)
    return model.predict_generator(batches, steps=len(batches), workers=0, verbose=verbose)
