"""How many batches go into one compiled dispatch, decided per model, step kind and
batch size from what can be measured.

Scanning several batches in one dispatch (`lax.scan`) removes the per-dispatch overhead
(tens of microseconds of Python and runtime work), which dominates for small dense
models. It also has costs: XLA's CPU backend runs some kernels (convolutions) far slower
inside a loop than under a plain `jit`, a long scan delays the logs that progress bars
and callbacks show, and for any step that takes milliseconds the saving is negligible.

So every loop starts with one batch per dispatch (the rows gathered on the device, the
dispatches queued asynchronously) and times a few steady steps of the compiled step:
the whole step, and the host's part of it (the time until the asynchronous call
returns, which is what scanning saves per batch). One batch per dispatch is kept for
steps whose computation contains an op known to be slow inside loops on the current
device and for steps so long that a scanned dispatch would hold the logs back for more
than a second. A scan is compiled only when it can pay for itself: for short steps when
the batches still to run in this call would save, in host time, the time it takes to
compile it (estimated by the first dispatch's compile time); for long steps, whose host
part is negligible but whose every dispatch allocates the step's temporary buffers
afresh (page faults: about a third of the MNIST CNN's step on the 2-core CPU), when that
compilation is a small part of the work still to run. Scanned dispatches hold as many
steps as fit in about half a second, at least four and at most 64, so progress still
shows at least twice a second; and a long step's temporaries, allocated afresh by every
dispatch, are paid once for all its steps (the MNIST CNN's train step at batch 128
touches ~20,000 fresh pages a dispatch: in its `fit` on the 2-core CPU, 63-65 ms a step
with four steps per dispatch, 60-61 with eight, 78-80 with one). The first scanned
dispatch after its compilation is timed against the single steps: if it is not faster,
the plan falls back to one batch per dispatch for good.

The plan lives in the model's compile cache, so it is made once per (kind, batch size)
and is discarded with the compiled functions (`compile`, `pop`, trainability changes).
`model._steps_per_dispatch` (an int) fixes the number of batches per dispatch instead.
"""
import time

import numpy as np

from ..backend import execution as X

# Steps at least this long save little host time in a scan (the dispatch overhead, a few
# hundred microseconds at most, is then a few percent): they are scanned for the runtime's
# per-dispatch work only when compiling the scan costs at most SCAN_TRIAL_SHARE of the
# work still to run.
SCAN_BELOW_SECONDS = 1e-2
SCAN_TRIAL_SHARE = 0.1
# No scanned dispatch is planned longer than this (seconds), so logs keep arriving.
MAX_DISPATCH_SECONDS = 1.0
# A scanned dispatch lasts about this long (logs and progress arrive at least twice a second).
DISPATCH_SECONDS = 0.5
MAX_STEPS_PER_DISPATCH = 64
MIN_STEPS_PER_DISPATCH = 4
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


def dispatches(model, kind, data, batches, single=False, upcoming=None):
    """Run the compiled `kind` step over the index batches `batches` of the device `data`.

    Yields `(outputs, sizes)` per dispatch, where `outputs` holds the step's outputs with
    one leading row per batch of the dispatch (device arrays, not waited for) and `sizes`
    the batch sizes. `single` forces one batch per dispatch (e.g. for callbacks that act
    on every batch). `upcoming` is the number of batches the caller will run in all (e.g.
    over the remaining epochs), default `len(batches)`. A last batch of another size runs
    on its own.
    """
    if not batches:
        return
    size = len(batches[0])
    full = [b for b in batches if len(b) == size]
    tail = batches[len(full):]
    plan = plan_for(model, kind, size)
    deferred = False     # not worth deciding in this call
    i = 0
    while i < len(full):
        k = 1 if single or deferred else plan.k
        if k is not None and k > 1 and len(full) - i >= k:
            group = full[i:i + k]
            i += k
            yield _scanned(model, kind, data, group, plan), [size] * k
            continue
        batch = full[i]
        i += 1
        timed = not single and not deferred and plan.k is None
        start = time.perf_counter()
        outs = _single(model, kind, data, batch)
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
                plan.k = _decide(model, kind, data, batch, plan, remaining)
                deferred = plan.k is None
        yield outs, [size]
    for batch in tail:
        yield _single(model, kind, data, batch), [len(batch)]


def _single(model, kind, data, batch):
    return model._dispatch(kind, 'gather', data, np.asarray(batch, 'int32'))


def _scanned(model, kind, data, group, plan):
    idx = np.stack(group).astype('int32')
    if plan.scan_state == 'kept':
        return model._dispatch(kind, 'scan', data, idx)
    start = time.perf_counter()
    outs = X.block(model._dispatch(kind, 'scan', data, idx))
    elapsed = time.perf_counter() - start
    if plan.scan_state is None:
        plan.scan_state = 'compiled'
    else:
        plan.scan_state = 'kept'
        if elapsed / len(group) * SCAN_MIN_GAIN > plan.single_step_time():
            plan.k = 1
    return outs


def _decide(model, kind, data, batch, plan, remaining):
    step_time = plan.fastest_step_time()
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


def steps_per_dispatch(step_time):
    """Batches in one scanned dispatch of steps of `step_time` seconds: enough for about
    DISPATCH_SECONDS, within [MIN_STEPS_PER_DISPATCH, MAX_STEPS_PER_DISPATCH]."""
    k = int(np.ceil(DISPATCH_SECONDS / max(step_time, 1e-6)))
    return max(MIN_STEPS_PER_DISPATCH, min(MAX_STEPS_PER_DISPATCH, k))
