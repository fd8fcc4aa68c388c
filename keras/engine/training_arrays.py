"""The loops over in-memory data (Keras 2.2.4's `keras.engine.training_arrays`): the
batches of `fit`, `evaluate` and `predict` as dispatches of the compiled steps
(`dispatch.py` decides how many batches each holds), with the callbacks per batch."""
import numpy as np

from .. import backend as K
from ..backend import execution as X
from . import dispatch
from .training_utils import make_batches
from ..utils.generic_utils import to_list


def train_loop(model, kind, data, batches, callback_list, out_labels, per_batch, callback_model,
               upcoming=None):
    """Run the `kind` step of `model` over the index `batches` of the device `data`, with
    callbacks per batch."""
    # When the batch hooks only read the logs, the next dispatch is queued before the
    # logs of the previous one are fetched and reported, so the device never waits for
    # the host's callbacks (they then see the variables one dispatch ahead).
    pipelined = not per_batch and callback_list.batch_hooks_read_logs_only()
    runs = dispatch.dispatches(model, kind, data, batches, single=per_batch,
                               upcoming=upcoming)
    batch_index = 0
    unreported = None
    while not callback_model.stop_training:
        if per_batch and batch_index < len(batches):
            callback_list.on_batch_begin(batch_index, {'batch': batch_index,
                                                       'size': len(batches[batch_index])})
        ran = next(runs, None)
        if ran is None:
            break
        if unreported is not None:
            batch_index = _report_batches(callback_list, out_labels, per_batch, batch_index,
                                          *unreported)
            unreported = None
        if pipelined:
            unreported = ran
        else:
            batch_index = _report_batches(callback_list, out_labels, per_batch, batch_index,
                                          *ran)
    if unreported is not None:
        _report_batches(callback_list, out_labels, per_batch, batch_index, *unreported)


def _report_batches(callback_list, out_labels, per_batch, batch_index, logs, sizes):
    """Hand the logs of one dispatch's batches to the callbacks; returns the next index."""
    # NumPy scalars of the step's float32 logs, as Keras 2.2.4's callbacks got them
    # (keras-tqdm reads `value[()]`)
    rows = X.host_view(logs)[:len(sizes)]
    hinted = [cb for cb in getattr(callback_list, 'callbacks', [])
              if hasattr(cb, '_more_in_dispatch')]
    last = len(sizes) - 1
    for i, (size, values) in enumerate(zip(sizes, rows)):
        batch_logs = {'batch': batch_index, 'size': size}
        batch_logs.update(zip(out_labels, values))
        if not per_batch:
            callback_list.on_batch_begin(batch_index, {'batch': batch_index, 'size': size})
        if i == 0 or i == last:
            _hint_more_in_dispatch(hinted, i < last)
        callback_list.on_batch_end(batch_index, batch_logs)
        batch_index += 1
    _hint_more_in_dispatch(hinted, False)
    return batch_index


def _collect(dispatched, progbar):
    """The `(outputs, batch sizes)` of the dispatches, in order. With a `progbar`, it
    advances as each dispatch finishes: the loop waits for one while the next is queued."""
    ran = []
    for item in dispatched:
        if progbar is not None and ran:
            _advance(progbar, ran)
        ran.append(item)
    if progbar is not None and ran:
        _advance(progbar, ran)
    return ran


def _advance(progbar, ran):
    X.host_view(to_list(ran[-1][0], allow_tuple=True)[0])   # its outputs are there
    progbar.update(int(sum(np.sum(sizes) for _, sizes in ran)))


def test_loop(model, data, n, batch_size, progbar=None):
    """Batch-size-weighted averages of the test logs of `model` over `n` samples of the
    device `data` (a `Progbar` given advances as the dispatches finish)."""
    batches = [np.arange(s, e) for s, e in make_batches(n, batch_size)]
    model._reset_stateful_metrics()
    # queued asynchronously, read once at the end
    ran = _collect(dispatch.dispatches(model, 'test', data, batches), progbar)
    if not ran:
        return [0.] * len(model.metrics_names)
    logs = np.concatenate([X.host_view(logs)[:len(sizes)]
                           for logs, sizes in ran]).astype('float64')
    sizes = np.concatenate([sizes for _, sizes in ran]).astype('float64')
    # NumPy scalars (Python floats too), as Keras 2.2.4 returned
    outs = [np.float64(t / n) for t in (logs * sizes[:, None]).sum(axis=0)]
    for i in getattr(model, '_stateful_metric_indices', []):
        outs[i] = np.float64(logs[-1, i])   # a stateful metric: its value after the last batch
    return outs


def predict_loop(model, data, n, batch_size, progbar=None):
    """The outputs of `model` for `n` samples of the device `data`, as NumPy arrays (a
    `Progbar` given advances as the dispatches finish)."""
    model._prepare_predict_vars()
    batches = [np.arange(s, e) for s, e in make_batches(n, batch_size)]
    # queued asynchronously; each dispatch's outputs are (batches, batch_size, ...)
    ran = _collect(dispatch.dispatches(model, 'predict', data, batches), progbar)
    if not ran:
        return [np.zeros((0,) + tuple(d or 0 for d in o.shape[1:]), K.floatx())
                for o in model.outputs]
    results = []
    for parts in zip(*[outs for outs, _ in ran]):
        # the concatenation copies them; rows past a dispatch's batches belong to none
        results.append(np.concatenate([
            sample_rows(X.host_view(p)[:len(sizes)], sizes[0])
            for p, (_, sizes) in zip(parts, ran)]))
    return results


def sample_rows(outs, size):
    """The rows of an output for the samples of batches of `size` samples, from its
    outputs `outs` for those batches (one per batch, stacked): each batch's rows as they
    are, or each batch's one value (an output computed over the batch: a loss model's
    `K.sum`) or one row (a learned prior of shape `(1, d)`) for each of its samples, as
    Keras 2.2.4's `predict_loop` filled the rows of its batches with them. Rows of another
    count (half a batch) follow one another, batch after batch (2.2.4 raised)."""
    per_batch = outs.shape[1:]
    if per_batch == ():
        return np.repeat(outs, size)
    if per_batch[0] == 1 and size != 1:
        return np.repeat(outs[:, 0], size, axis=0)
    # (explicit sizes: an output with an axis of size 0 has rows too, Transformer-XL's
    # empty memory at the first segment)
    return outs.reshape((outs.shape[0] * per_batch[0],) + per_batch[1:])


def _hint_more_in_dispatch(callbacks, more):
    """Tell the `callbacks` that draw progress (ProgbarLogger: those with
    `_more_in_dispatch`) whether the batch being reported is followed by more batches of
    the same dispatch: those batches finished together, so only the last one's time is
    meaningful for a rate or an ETA."""
    for cb in callbacks:
        cb._more_in_dispatch = more
