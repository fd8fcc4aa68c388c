"""Compiled execution helpers for the engine: jit, grad, multi-step scans, keys, devices."""
import contextlib
import gc
import os
import sys

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .. import config, host_keys
from ..argcheck import tf_dtype
from ..config import switched_off
from ..host_keys import new_key  # noqa: F401  (the engine's X.new_key)


def value_and_grad(fn, argnums=0, has_aux=False, no_gradient_error=None):
    """`jax.value_and_grad`. `no_gradient_error` (raised by the TensorFlow backend when the
    value depends on none of the arguments) is ignored: JAX differentiates through every
    op, and a path without a gradient (argmax, rounding) gives zeros."""
    return jax.value_and_grad(fn, argnums=argnums, has_aux=has_aux)


class _Compiled(object):
    """A `jax.jit` function whose calls and traces run with Python's cyclic garbage
    collector paused. Tracing and compiling a train step create and drop hundreds of
    thousands of objects: the collections they trigger (young ones over the growing trace,
    and an old-generation one over every object of the process) took 25-70 ms of a first
    batch (the getting-started MLP's ~0.5 s, the MNIST CNN's ~1.25 s). Garbage left is
    collected on the allocations after the call; a cached call costs two flag flips. (A
    collector that another thread disables during such a call is enabled again when the
    call ends.)"""

    def __init__(self, fn):
        self._fn = fn

    def __call__(self, *args, **kwargs):
        return _gc_paused(self._fn, args, kwargs)

    def trace(self, *args, **kwargs):
        return _gc_paused(self._fn.trace, args, kwargs)

    def __getattr__(self, name):
        return getattr(self._fn, name)


def _gc_paused(fn, args, kwargs):
    if not gc.isenabled():
        return fn(*args, **kwargs)
    gc.disable()
    try:
        return fn(*args, **kwargs)
    finally:
        gc.enable()


def jit(fn, **kwargs):
    """`jax.jit(fn, **kwargs)`, called and traced with the garbage collector paused."""
    return _Compiled(jax.jit(fn, **kwargs))


class KeyStream(host_keys.KeyStream):
    """Host keys (see `keras.backend.host_keys`); with several processes every process
    draws the same keys (replicated inputs of a multi-process step must agree)."""

    def __init__(self, seed=None):
        if seed is None:
            seed = np.random.randint(2 ** 31 - 1)
        if jax.process_count() > 1:
            from .distribution import broadcast_from_process_0
            seed = int(broadcast_from_process_0(np.int64(seed)))
        super(KeyStream, self).__init__(seed)


def to_device(x, dtype=None):
    """`x` as a device array (of `dtype` when given), as `jnp.asarray` makes it.

    Host data (NumPy arrays, Python numbers and lists) is converted on the host and
    transferred: `jnp.asarray` would compile a small conversion program for every new shape
    (tens of milliseconds each, paid per weight when a model is built or its weights loaded).

    # Arguments
        x: an array, a number, a (nested) list of numbers, or None.
        dtype: optional dtype of the result.

    # Returns
        A JAX array (`x` itself when it already is one of that dtype), or None for None.
    """
    if x is None:
        return None
    dtype = tf_dtype(dtype)
    if isinstance(x, jax.Array):            # device arrays and traced values
        return x if dtype is None or x.dtype == jnp.dtype(dtype) else x.astype(dtype)
    x = np.asarray(x) if dtype is None else np.asarray(x, dtype=jnp.dtype(dtype))
    return jax.device_put(x)


def is_traced(x):
    """Whether `x` is a value of the computation being traced (it exists only in that
    trace: a later trace cannot read it)."""
    return isinstance(x, jax.core.Tracer)


def side_key(key):
    """A key for draws of a step made outside the scope given `key` (the train step's
    optimizer: a gradient noise), which no stream of that scope's ops meets (theirs count
    from 1).

    # Arguments
        key: the step's key (a raw uint32 pair).

    # Returns
        A key of `random_streams`.
    """
    from . import random_streams
    return random_streams.stream_key(key, 2 ** 31 - 1)


def stack_logs(values):
    dtype = config._logs_dtype() if jax.config.jax_enable_x64 else 'float32'
    return jnp.stack([jnp.asarray(v, dtype=dtype).reshape(()) for v in values]) \
        if values else jnp.zeros((0,), dtype)


# whether Keras turned JAX's 64-bit types on (for a float64 floatx)
_x64_turned_on = False


def follow_floatx(floatx):
    """JAX computes in 64 bits only with `jax_enable_x64` on (its default is off): Keras turns
    it on while `K.floatx()` is float64 (float64 models then compute in float64, as on
    TensorFlow), and off again when floatx changes back, unless the environment's
    `JAX_ENABLE_X64` set it.

    # Arguments
        floatx: the new `K.floatx()`.
    """
    global _x64_turned_on
    if 'JAX_ENABLE_X64' in os.environ:
        return
    if floatx == 'float64' and not jax.config.jax_enable_x64:
        jax.config.update('jax_enable_x64', True)
        _x64_turned_on = True
    elif floatx != 'float64' and _x64_turned_on:
        jax.config.update('jax_enable_x64', False)
        _x64_turned_on = False


def gather_rows(data, ix):
    """Rows `ix` of every array in a (nested) list."""
    return jax.tree_util.tree_map(lambda a: jnp.take(a, ix, axis=0), data)


def gather_step(step, leading_axis=False):
    """`step(state, consts, batch, key)` as a function of the whole device data and one
    index batch: the rows are gathered inside the compiled call, so one dispatch carries
    no host-to-device copy of its own. With `leading_axis`, the outputs get a leading axis
    of length 1 (the layout of a scan over one batch)."""
    def run(state, consts, data, idx, key):
        state, outs = step(state, consts, gather_rows(data, idx), key)
        if leading_axis:
            outs = jax.tree_util.tree_map(lambda a: a[None], outs)
        return state, outs
    return run


def scan_steps(step):
    """`step(state, consts, batch, key)` scanned over the rows `idx[i]` of the device data
    with the keys `keys[i]`: several batches in one dispatch."""
    def run(state, consts, data, idx, keys):
        def body(carry, inp):
            ix, key = inp
            return step(carry, consts, gather_rows(data, ix), key)
        return lax.scan(body, state, (idx, keys))
    return run


def loop_steps(step):
    """`step(state, consts, batch, key)` over the rows `idx[i]` of the device data with the
    keys `keys[i]`, for i < `n`, in one compiled while loop whose trip count `n` is an
    argument: one program runs any number of batches up to `len(idx)` in a dispatch, so
    choosing that number compiles nothing. The outputs of batch i go to row i of arrays
    with `len(idx)` rows (the rows from `n` on stay zero).

    The step is traced once: a nested `jax.jit` of it gives the outputs' shapes (which the
    loop's carry needs before the loop) and then, from its trace cache, the loop's body."""
    inner = jax.jit(step)

    def run(state, consts, data, idx, n, keys):
        shapes = jax.eval_shape(inner, state, consts, gather_rows(data, idx[0]), keys[0])[1]
        outs = jax.tree_util.tree_map(
            lambda s: jnp.zeros((idx.shape[0],) + tuple(s.shape), s.dtype), shapes)

        def body(i, carry):
            state, outs = carry
            state, out = inner(state, consts, gather_rows(data, idx[i]), keys[i])
            outs = jax.tree_util.tree_map(
                lambda rows, row: lax.dynamic_update_index_in_dim(rows, row, i, 0), outs, out)
            return state, outs
        return lax.fori_loop(0, n, body, (state, outs))
    return run


def loop_output_bytes(traced):
    """Bytes of the output rows of a traced `loop_steps` program (`jax.jit(...).trace`)."""
    leaves = jax.tree_util.tree_leaves(traced.out_info[1],
                                       is_leaf=lambda o: hasattr(o, 'shape'))
    return sum(int(np.prod(o.shape)) * np.dtype(o.dtype).itemsize for o in leaves)


def default_platform():
    """'cpu', 'gpu' or 'tpu': where computations run by default."""
    return jax.devices()[0].platform


def synchronous_dispatch():
    """Whether a call of a compiled step returns only when the step has run (JAX's CPU
    client without asynchronous dispatch: see `reuse_cpu_step_memory`)."""
    return (not jax.config.values['jax_cpu_enable_async_dispatch']
            and default_platform() == 'cpu')


def _slow_in_cpu_loop(eqn):
    """Whether XLA's CPU backend runs `eqn` far slower inside a compiled loop (`lax.scan`,
    a while loop) than under a plain `jit`: a convolution that is not in its canonical
    layout ((batch, spatial..., channels) by (spatial..., in, out)) or is grouped. Outside
    loops XLA rewrites such convolutions into the layout of its fast (Eigen) kernel; inside
    a loop body it does not, and they ran 20-100x slower (jax 0.4.30 to 0.10.2). The
    backend's own convolutions differentiate into canonical ones (`conv_ops._conv`)."""
    if eqn.primitive.name != 'conv_general_dilated':
        return False
    dims = eqn.params['dimension_numbers']
    rank = len(dims.lhs_spec) - 2
    image = (0, rank + 1) + tuple(range(1, rank + 1))
    kernel = (rank + 1, rank) + tuple(range(rank))
    canonical = (tuple(dims.lhs_spec) == image and tuple(dims.out_spec) == image
                 and tuple(dims.rhs_spec) == kernel)
    return (not canonical or eqn.params['feature_group_count'] != 1
            or eqn.params['batch_group_count'] != 1)


def loop_slow_on_cpu(fn, args):
    """Whether the computation `fn(*args)` (sub-computations included) has an operation
    that XLA's CPU backend runs far slower inside a loop than under a plain `jit`."""
    return jaxpr_slow_on_cpu(jax.make_jaxpr(fn)(*args))


def jaxpr_slow_on_cpu(closed):
    """`loop_slow_on_cpu` of a traced computation (a closed jaxpr)."""
    def walk(jaxpr):
        for eqn in jaxpr.eqns:
            if _slow_in_cpu_loop(eqn):
                return True
            for sub in _sub_jaxprs(eqn.params):
                if walk(sub):
                    return True
        return False
    return walk(closed.jaxpr)


def _sub_jaxprs(params):
    for value in params.values():
        for v in (value if isinstance(value, (tuple, list)) else (value,)):
            inner = getattr(v, 'jaxpr', None)
            if inner is not None and hasattr(inner, 'eqns'):
                yield inner
            elif hasattr(v, 'eqns'):
                yield v


def block(x):
    """Wait until the arrays in `x` are computed."""
    return jax.block_until_ready(x)


def host_view(x):
    """Host value of a (possibly multi-process) array: this process's rows, possibly a
    read-only view of the device buffer (for results that are copied anyway)."""
    if isinstance(x, jax.Array) and not x.is_fully_addressable:
        from .distribution import local_rows
        x = local_rows(x)
    return np.asarray(x)


def to_numpy(x):
    """`host_view(x)` as a writable NumPy array the caller owns (Keras 2 users change
    results in place)."""
    out = host_view(x)
    return out if out.flags.writeable else out.copy()


def grad(fn, argnums=0):
    return jax.grad(fn, argnums=argnums)


def outside_user_graph():
    """(JAX runs no graphs of the user's: nothing to leave.)"""
    return contextlib.nullcontext()


def native_variables_made_once(made_once):
    """(JAX has no variables of its own: `weights_made_once` needs nothing here.)"""
    return contextlib.nullcontext()


# XLA's CPU backend hands convolutions to YNNPACK by default since jaxlib 0.10; on the
# machines measured (x86-64 with AVX-512) XLA's own convolutions are 3-6x faster: a Conv2D
# train step of the MNIST CNN took 226 ms with the fusion and 73 ms without
# (benchmarks/README.md). Other YNNPACK fusions stay as jaxlib sets them.
_YNN_FLAG = '--xla_cpu_experimental_ynn_fusion_type'
_XLA_CPU_FLAGS = (_YNN_FLAG + '=-individual_convolution',)
_XLA_CPU_FLAGS_SINCE = (0, 10)


def tune_xla_cpu_flags(environ=None):
    """Add the XLA CPU flags above to `XLA_FLAGS` (before JAX starts its backends), unless
    the user set those flags already, `KERAS_XLA_CPU_FLAGS=0`, or jaxlib predates them
    (XLA aborts on a flag it does not know). Returns the flags added."""
    environ = os.environ if environ is None else environ
    if switched_off('KERAS_XLA_CPU_FLAGS', environ):
        return ()
    import jaxlib
    try:
        version = tuple(int(p) for p in jaxlib.__version__.split('.')[:2])
    except ValueError:
        return ()
    if version < _XLA_CPU_FLAGS_SINCE:
        return ()
    current = environ.get('XLA_FLAGS', '')
    added = tuple(f for f in _XLA_CPU_FLAGS if f.split('=')[0] not in current)
    if added:
        environ['XLA_FLAGS'] = ' '.join([current] + list(added)).strip()
    return added


# glibc's mallopt parameters
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
# the most free memory glibc keeps at the top of its heap (mallopt takes an int)
_KEEP_BYTES = 2 ** 31 - 1


def reuse_cpu_step_memory(environ=None):
    """Let XLA's CPU programs reuse their scratch memory from one call to the next.

    A call of a compiled program allocates its temporaries in one block (305 MB for a
    ResNet20 train step at batch 128) and frees it when it ends. JAX's CPU client runs
    calls on a worker thread, whose glibc arena cannot hold a block over 64 MB: glibc maps
    every such block fresh and unmaps it after, so every call faults in every page of it
    anew (692k page faults in one ResNet20 benchmark process; ~0.9 us each). Run on the
    calling thread instead (`jax_cpu_enable_async_dispatch` off), the block comes from the
    main heap, and with glibc told to keep large blocks on its heap (`mallopt`: no `mmap`
    for them, and up to 2 GiB of free heap kept instead of returned) the next call finds it
    there: 162k faults, ResNet20 fit 556-572 -> 660-676 samples/s.

    Done before JAX starts its CPU backend, on Linux with glibc, unless
    `KERAS_REUSE_CPU_MEMORY=0`, the user set `JAX_CPU_ENABLE_ASYNC_DISPATCH` or
    `JAX_PLATFORMS` to something else than the CPU, or an accelerator plugin of JAX is
    installed. Returns what was changed (a tuple of names)."""
    environ = os.environ if environ is None else environ
    if switched_off('KERAS_REUSE_CPU_MEMORY', environ):
        return ()
    if 'JAX_CPU_ENABLE_ASYNC_DISPATCH' in environ:
        return ()
    platforms = environ.get('JAX_PLATFORMS', '').strip().lower()
    if platforms and platforms.split(',')[0] != 'cpu':
        return ()
    libc = _glibc()
    if libc is None or _accelerator_plugins() or _backends_started():
        return ()
    jax.config.update('jax_cpu_enable_async_dispatch', False)
    changed = ['jax_cpu_enable_async_dispatch']
    if libc.mallopt(_M_MMAP_MAX, 0) == 1:
        changed.append('M_MMAP_MAX')
    if libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_BYTES) == 1:
        changed.append('M_TRIM_THRESHOLD')
    return tuple(changed)


def _glibc():
    """The process's C library when it is glibc (its `mallopt`), else None."""
    if not sys.platform.startswith('linux'):
        return None
    import ctypes
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version    # glibc only
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc


def _accelerator_plugins():
    """The PJRT plugins installed for JAX (CUDA, ROCm, TPU ...), found where JAX looks
    for them (entry points of the group `jax_plugins`, modules of the namespace package
    `jax_plugins`): their names."""
    import importlib.util
    import pkgutil
    names = []
    try:
        from importlib.metadata import entry_points
        names += [ep.name for ep in entry_points(group='jax_plugins')]
    except Exception:   # noqa: BLE001  (a broken distribution's metadata)
        pass
    spec = importlib.util.find_spec('jax_plugins')
    if spec is not None and spec.submodule_search_locations:
        names += [m.name for m in pkgutil.iter_modules(spec.submodule_search_locations)]
    return tuple(names)


def _backends_started():
    """Whether JAX has started its backends (then the CPU client's settings are made)."""
    try:
        from jax._src import xla_bridge
        return bool(xla_bridge.backends_are_initialized())
    except (ImportError, AttributeError):
        return True     # cannot tell: leave the running client alone


def enable_persistent_cache(keras_dir):
    """Keep compiled XLA programs on disk, in `<keras_dir>/jax_cache`, so a process that
    compiles what an earlier one compiled (the same model, batch size and device) loads it
    instead: the first batch of a rerun script starts in a fraction of the time.

    Programs that took at least 0.2 s to compile are kept (the getting-started MLP's train
    step compiles in ~0.33 s on 2 cores: its rerun's first batch 0.49 -> 0.16 s; a smaller
    threshold would fill the cache with programs that load little slower than they
    compile), up to 1 GiB (least recently used first out, when the `filelock` package is
    there to coordinate processes). `KERAS_JAX_CACHE=0` turns it off; JAX's own settings
    (`JAX_COMPILATION_CACHE_DIR`, ...) take precedence.
    """
    if switched_off('KERAS_JAX_CACHE'):
        return None
    if os.environ.get('JAX_COMPILATION_CACHE_DIR') or jax.config.jax_compilation_cache_dir:
        return jax.config.jax_compilation_cache_dir
    path = os.path.join(keras_dir, 'jax_cache')
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    if not os.access(path, os.W_OK):
        return None
    jax.config.update('jax_compilation_cache_dir', path)
    if 'JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS' not in os.environ:
        jax.config.update('jax_persistent_cache_min_compile_time_secs', 0.2)
    if 'JAX_COMPILATION_CACHE_MAX_SIZE' not in os.environ:
        try:
            import filelock  # noqa: F401  (needed by JAX's size-bounded cache)
            jax.config.update('jax_compilation_cache_max_size', 1 << 30)
            drop_broken_cache_entries(path)
        except ImportError:
            pass
    return path


def drop_broken_cache_entries(path):
    """Removes from the size-bounded compilation cache in `path` the entries that a process
    stopped while writing them left: an empty program file, or one without the access-time
    file JAX writes after it. While one is there, JAX's eviction fails every later write
    of the cache ("Error writing persistent compilation cache entry ... -atime"), in every
    process.

    # Returns
        The number of entries removed.
    """
    import filelock

    def broken(names):
        out = []
        for name in names:
            if name.endswith('-cache'):
                key = name[:-len('-cache')]
                try:
                    empty = os.path.getsize(os.path.join(path, name)) == 0
                except OSError:
                    continue
                if empty or key + '-atime' not in names:
                    out.append(key)
        return out

    try:
        if not broken(set(os.listdir(path))):
            return 0
        # (under JAX's lock: a write in progress is complete when the lock is free)
        with filelock.FileLock(os.path.join(path, '.lockfile'), timeout=10):
            keys = broken(set(os.listdir(path)))
            for key in keys:
                for suffix in ('-cache', '-atime'):
                    try:
                        os.remove(os.path.join(path, key + suffix))
                    except OSError:
                        pass
            return len(keys)
    except (OSError, filelock.Timeout):
        return 0
