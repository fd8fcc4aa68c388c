"""How many batches go into one compiled dispatch, decided per model, step kind and
batch size from what can be measured.

Running several batches in one dispatch (a compiled loop over them) removes the
per-dispatch overhead (tens of microseconds of Python and runtime work), which dominates
for small dense models, and pays a long step's temporary buffers once a dispatch instead
of once a batch: XLA's CPU runtime allocates them afresh for every call (the MNIST CNN's
train step at batch 128 touches ~20,000 fresh pages a dispatch: in its `fit` on the
2-core CPU, 78-80 ms a step with one step per dispatch, 60-61 with eight). The costs: XLA's
CPU backend runs some convolutions far slower inside a loop than under a plain `jit`, and
a long dispatch holds back the logs that progress bars and callbacks show.

Steps run, where the backend has one (`X.loop_steps`, JAX), in a counted loop: one
compiled program takes the index rows of up to `loop_rows` batches and how many of them to
run, so the number of batches per dispatch is chosen while running and choosing compiles
nothing. Before that program first runs, its trace is checked: with an op that the CPU
runs slowly inside loops, the steps run one batch per dispatch in a program without a
loop; with outputs of more than LOOP_OUTPUT_BYTES for its rows (a row per batch, used or
not: the predictions of large outputs), they are scanned as below. Every call starts with
one batch per dispatch (the rows gathered on the device, the dispatches queued
asynchronously) and times a few steady steps; then dispatches hold as many batches as take
about half a second, at most 64 and no more than fit in a second (a step of half a second
or more runs alone), so progress shows at least about twice a second.

Otherwise (the steps of backends without a counted loop, and those predict steps) a
separate scan of k batches is compiled (`X.scan_steps`), so the plan weighs that compile
time: the host's part of each timed step is measured too (the time until the asynchronous
call returns, which is what a scan saves per batch), and a scan is compiled only when it
can pay for itself: for short steps when the batches still to run in this call would save,
in host time, the time it takes to compile it (estimated by the first dispatch's compile
time); for long steps when that compilation is a small part of the work still to run.
Such a scan holds at least four batches. One batch per dispatch is kept for steps with an
op known to be slow inside loops on the current device.

Either way, the first timed dispatch of several batches is compared with the single
steps: if it is not faster, the plan falls back to one batch per dispatch for good.

The plan lives in the model's compile cache, so it is made once per (kind, batch size)
and is discarded with the compiled functions (`compile`, `pop`, trainability changes).
`model._steps_per_dispatch` (an int) fixes the number of batches per dispatch instead.
"""
import time

import numpy as np

from ..backend import execution as X
from .training_utils import dense_rows, _is_scipy_sparse

# Steps at least this long save little host time in a scan (the dispatch overhead, a few
# hundred microseconds at most, is then a few percent): they are scanned for the runtime's
# per-dispatch work only when compiling the scan costs at most SCAN_TRIAL_SHARE of the
# work still to run.
SCAN_BELOW_SECONDS = 1e-2
SCAN_TRIAL_SHARE = 0.1
# No dispatch of several batches is planned longer than this (seconds), so logs keep arriving.
MAX_DISPATCH_SECONDS = 1.0
# A dispatch of several batches lasts about this long (logs arrive about twice a second).
DISPATCH_SECONDS = 0.5
# (256: the getting-started MLP's 1,875 batches an epoch take 8 dispatches of ~10 ms; at
# 64 the host's work between its 30 dispatches was 15% of an epoch where calls return
# when their steps have run, see X.synchronous_dispatch)
MAX_STEPS_PER_DISPATCH = 256
# A scan compiled for its own dispatches holds at least this many batches.
MIN_STEPS_PER_DISPATCH = 4
# A counted loop dispatch's outputs hold a row for each of its `loop_rows` batches, used or
# not: steps whose rows would take more than this many bytes (the predictions of large
# outputs) are scanned instead.
LOOP_OUTPUT_BYTES = 16 * 2 ** 20
# Steady single steps timed before deciding.
TIMED_STEPS = 3
# A scanned step must be at least this much faster than a single one to be kept.
SCAN_MIN_GAIN = 1.05


class Plan(object):
    """The dispatch plan of one (kind, batch size): `k` batches per dispatch once decided."""

    def __init__(self, k=None):
        self.k = k
        self.compile_time = None
        self.single_times = []
        self.call_times = []
        self.scan_state = None if k is None else 'kept'   # None -> 'compiled' -> 'kept'

    def single_step_time(self):
        return float(np.median(self.single_times))

    def fastest_step_time(self):
        # the least disturbed of the timed steps: on a busy machine the others carry the
        # time the process waited for a core, which is not the step's cost
        return float(np.min(self.single_times))

    def saving_per_batch(self):
        # the host's time in a call, which a scan saves per batch; where a call returns only
        # when its step has run (X.synchronous_dispatch) it holds the step too, so this
        # bounds the saving from above: a scan is then tried whenever the work left is longer
        # than compiling it, and the trial keeps it only if it is faster (SCAN_MIN_GAIN)
        return float(np.median(self.call_times))


def plan_for(model, kind, batch_size):
    fixed = getattr(model, '_steps_per_dispatch', None)
    if fixed is not None:
        return Plan(int(fixed))
    key = ('plan', kind, batch_size)
    plan = model._compiled_cache.get(key)
    if plan is None:
        plan = model._compiled_cache[key] = Plan()
    return plan


class HostData(object):
    """Data the steps take from the host a batch at a time (`dispatches` runs one compiled
    call per batch on its rows): data holding SciPy sparse inputs, whose rows are
    densified batch by batch as Keras 2.2.4's loops densified them (the whole matrix,
    dense, may not fit in memory).

    # Arguments
        struct: the data: (nested) lists of NumPy arrays, SciPy CSR matrices and Nones.
        prepare: a function of a batch's rows (`struct`'s structure, dense) giving what
            the step takes (`Model._to_device(rows, single_batch=True)` for instance).
    """

    def __init__(self, struct, prepare):
        self.struct = struct
        self.prepare = prepare

    def batch(self, idx):
        """What the step takes for the rows `idx` of the data."""
        return self.prepare(host_rows(self.struct, idx))


def host_rows(data, idx):
    """The rows `idx` of every array in a (nested) list or tuple of data arrays, as NumPy
    arrays (SciPy sparse matrices' rows densified).

    # Arguments
        data: the data (arrays, device arrays, SciPy sparse matrices, Nones).
        idx: an index array.

    # Returns
        `data`'s structure holding the rows.
    """
    if isinstance(data, (list, tuple)):
        return type(data)(host_rows(a, idx) for a in data)
    if data is None:
        return None
    return dense_rows(data[idx]) if _is_scipy_sparse(data) else np.asarray(data)[idx]


def _with_leading_axis(outs):
    return [o[None] for o in outs] if isinstance(outs, (list, tuple)) else outs[None]


def dispatches(model, kind, data, batches, single=False, upcoming=None):
    """Run the compiled `kind` step over the index batches `batches` of the device `data`.

    Yields `(outputs, sizes)` per dispatch, where `outputs` holds the step's outputs with
    one leading row per batch of the dispatch, in order, possibly followed by rows that
    belong to no batch (a counted loop's unused rows: read only the first `len(sizes)`),
    as device arrays not waited for, and `sizes` the batch sizes. `single` forces one
    batch per dispatch (e.g. for callbacks that act on every batch). `upcoming` is the
    number of batches the caller will run in all (e.g. over the remaining epochs), default
    `len(batches)`. A last batch of another size runs on its own.
    """
    if not batches:
        return
    if isinstance(data, HostData):
        for batch in batches:
            outs = model._dispatch(kind, 'host', data.batch(np.asarray(batch)))
            yield _with_leading_axis(outs), [len(batch)]
        return
    if model._replaced_function(kind) is not None:
        # a function the user's code assigned runs each batch (`Model._run_replaced`)
        for batch in batches:
            yield model._dispatch(kind, 'gather', data, np.asarray(batch, 'int32')), \
                [len(batch)]
        return
    if X.synchronous_dispatch():
        # a call whose inputs are still being copied in is queued for a worker thread
        # (and so is every call queued behind it): wait for the copy, so calls run on this
        # thread, where their temporaries stay on the main heap for the next call
        X.block(data)
    size = len(batches[0])
    full = [b for b in batches if len(b) == size]
    tail = batches[len(full):]
    plan = plan_for(model, kind, size)
    # index rows of the counted loop's dispatches; 0: no counted loop for these steps
    rows = loop_rows(len(full)) if full else 0
    if rows and not _runs_in_loop(model, kind, data, full[0], rows):
        rows = 0
    deferred = False     # not worth deciding in this call
    i = 0
    while i < len(full):
        k = 1 if single or deferred else plan.k
        # a scan runs exactly k batches (the last fewer than k run one per dispatch); the
        # counted loop runs any number, so the last ones run together
        left = len(full) - i
        if k is not None and k > 1 and (left >= k or (rows and left > 1)):
            group = full[i:i + k]
            i += len(group)
            yield _scanned(model, kind, data, group, plan, rows), [size] * len(group)
            continue
        batch = full[i]
        i += 1
        timed = not single and not deferred and plan.k is None
        start = time.perf_counter()
        outs = _single(model, kind, data, batch, rows)
        if timed:
            returned = time.perf_counter()
            X.block(outs)
            elapsed = time.perf_counter() - start
            if plan.compile_time is None:
                plan.compile_time = elapsed
            else:
                plan.single_times.append(elapsed)
                plan.call_times.append(returned - start)
            if len(plan.single_times) >= TIMED_STEPS:
                remaining = (len(batches) if upcoming is None else upcoming) - i
                plan.k = _decide(model, kind, data, batch, plan, remaining, bool(rows))
                deferred = plan.k is None
        yield outs, [size]
    for batch in tail:
        rows = 1 if _runs_in_loop(model, kind, data, batch, 1) else 0
        yield _single(model, kind, data, batch, rows), [len(batch)]


def loop_rows(batches):
    """Rows of the index array of a counted loop dispatch (its most batches) for a call of
    `batches` batches of one size: the power of two that holds them, at most
    MAX_STEPS_PER_DISPATCH (a dispatch copies this many index rows to the device)."""
    rows = 1
    while rows < min(batches, MAX_STEPS_PER_DISPATCH):
        rows *= 2
    return min(rows, MAX_STEPS_PER_DISPATCH)


def _runs_in_loop(model, kind, data, batch, rows):
    """Whether the `kind` steps of batches of this size run in the backend's counted loop
    (`X.loop_steps`, mode 'loop'): one compiled program for one batch or many a dispatch.
    They do where the backend has that loop, unless the program holds an op that the CPU
    runs slowly inside loops (then one batch per dispatch, outside any loop) or its `rows`
    rows of outputs would take more than LOOP_OUTPUT_BYTES (then a scan, whose rows are
    all used)."""
    if getattr(X, 'loop_steps', None) is None:
        return False
    key = ('loop', kind, len(batch), rows)    # the output rows grow with `rows`
    fast = model._compiled_cache.get(key)
    if fast is None:
        fast = model._compiled_cache[key] = model._loop_runs_fast(
            kind, data, _loop_index([batch], rows), LOOP_OUTPUT_BYTES)
    return fast


def _loop_index(group, rows):
    idx = np.zeros((rows, len(group[0])), 'int32')
    idx[:len(group)] = group
    return idx


def _single(model, kind, data, batch, rows):
    # `rows`: the index rows of a counted loop dispatch, 0 for the programs without one
    if rows:
        return model._dispatch(kind, 'loop', data, _loop_index([batch], rows), 1)
    return model._dispatch(kind, 'gather', data, np.asarray(batch, 'int32'))


def _scanned(model, kind, data, group, plan, rows):
    def run():
        if rows:
            return model._dispatch(kind, 'loop', data, _loop_index(group, rows), len(group))
        return model._dispatch(kind, 'scan', data, np.stack(group).astype('int32'))
    if plan.scan_state == 'kept':
        return run()
    if plan.scan_state is None and not rows:
        plan.scan_state = 'compiled'        # this dispatch compiles the scan: time the next
        return X.block(run())
    start = time.perf_counter()
    outs = X.block(run())
    elapsed = time.perf_counter() - start
    plan.scan_state = 'kept'
    if elapsed / len(group) * SCAN_MIN_GAIN > plan.single_step_time():
        plan.k = 1
    return outs


def _decide(model, kind, data, batch, plan, remaining, loop):
    step_time = plan.fastest_step_time()
    if loop:
        # the loop's program runs any number of batches: choosing compiles nothing
        return steps_per_dispatch(step_time, minimum=1)
    if step_time * MIN_STEPS_PER_DISPATCH > MAX_DISPATCH_SECONDS:
        return 1
    if step_time >= SCAN_BELOW_SECONDS:
        pays = plan.compile_time <= SCAN_TRIAL_SHARE * remaining * step_time
    else:
        pays = remaining * plan.saving_per_batch() >= plan.compile_time - step_time
    if not pays:
        # compiling a scan would not pay off in this call: time again in the next one
        plan.single_times, plan.call_times = [], []
        return None
    platform = X.default_platform()
    if platform == 'cpu' and model._step_slow_in_loop(kind, data, np.asarray(batch, 'int32')):
        return 1
    return steps_per_dispatch(step_time)


def steps_per_dispatch(step_time, minimum=MIN_STEPS_PER_DISPATCH):
    """Batches in one dispatch of steps of `step_time` seconds: enough for about
    DISPATCH_SECONDS, no more than fit in MAX_DISPATCH_SECONDS (one at least), within
    [minimum, MAX_STEPS_PER_DISPATCH]."""
    step_time = max(step_time, 1e-6)
    k = min(int(np.ceil(DISPATCH_SECONDS / step_time)),
            max(1, int(MAX_DISPATCH_SECONDS / step_time)))
    return max(minimum, min(MAX_STEPS_PER_DISPATCH, k))
