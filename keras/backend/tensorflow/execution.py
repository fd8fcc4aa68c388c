"""Compiled execution helpers for the engine on TensorFlow: the same interface as the JAX
backend's `execution` (jit, grad, multi-step loops, keys, devices), built on `tf.function`
and `tf.GradientTape`.

Values are eager `tf.Tensor`s outside compiled code. `jit(fn)` is a `tf.function` over nested
lists/tuples/dicts of tensors; like `jax.jit` it traces once per input shape, so shapes are
static inside a step (`tf.function` retraces for new shapes), and NumPy inputs become tensors.
`KERAS_TF_JIT_COMPILE=1` compiles steps with XLA (`jit_compile=True`); by default TensorFlow's
graph executor runs them (its oneDNN CPU convolutions are the fast ones on CPUs).
"""
import contextlib
import os

import numpy as np
import tensorflow as tf

from .. import config, nest
from ..host_keys import KeyStream, new_key  # noqa: F401  (the engine's X.KeyStream, X.new_key)


def _jit_compile():
    value = os.environ.get('KERAS_TF_JIT_COMPILE', '').strip().lower()
    return True if value in ('1', 'true', 'yes', 'on') else None


# 64-bit host data enters compiled code in 32 bits, as on the JAX backend (without
# jax_enable_x64): NumPy's float64 default feeds float32 models, as Keras 2's placeholders did.
# Float64 data stay float64 when the user chose K.set_floatx('float64').
_NARROW = {np.dtype('float64'): np.float32, np.dtype('int64'): np.int32,
           np.dtype('uint64'): np.uint32}


def _host_tensor(x):
    x = np.asarray(x)
    narrow = _NARROW.get(x.dtype)
    if narrow is np.float32 and config.floatx() == 'float64':
        narrow = None
    with outside_user_graph():
        return tf.convert_to_tensor(x if narrow is None else x.astype(narrow))


def _tensors(struct):
    """NumPy arrays in a nested structure as tensors (Python scalars stay static)."""
    return nest.map_structure(
        lambda x: _host_tensor(x) if isinstance(x, (np.ndarray, np.generic)) else x, struct)


_STATIC_LEAVES = (bool, int, float, str, bytes, type(None))


def _flat_signature(args):
    """`(tensors, key)`: the eager tensors among the leaves of the nested lists, tuples and
    dicts `args`, in `tf.nest`'s order (a dict's values by sorted keys), and a hashable key
    of the structure, the tensors' dtypes and shapes and the other leaves' values; `(None,
    None)` where a leaf is neither a tensor nor a Python scalar (a `tf.Variable`, a
    namedtuple: `tf.function` alone knows how it passes them)."""
    tensors, key = [], []

    def walk(x):
        if isinstance(x, tf.Tensor):
            tensors.append(x)
            key.append((x.dtype, tuple(x.shape)))
            return True
        if type(x) in (list, tuple):
            key.append((type(x), len(x)))
            return all(walk(e) for e in x)
        if type(x) is dict:
            try:
                names = sorted(x)
            except TypeError:
                return False
            key.append((dict, tuple(names)))
            return all(walk(x[k]) for k in names)
        if isinstance(x, _STATIC_LEAVES):
            key.append((type(x), x))
            return True
        return False
    if not walk(args):
        return None, None
    return tensors, tuple(key)


def jit(fn, static_argnums=()):
    """`fn` compiled with `tf.function`; the arguments at `static_argnums` are Python values
    that select a trace (as `jax.jit`'s static arguments).

    Eager calls after a signature's first go straight to its traced graph with the flat
    list of tensors (`_flat_signature`): `tf.function`'s own dispatch matches every tensor
    of the arguments against its traces on each call, which for a train step holding a
    model's weights and optimizer slots cost more Python time than TensorFlow took to run
    a small convolutional network's step (MobileNet-style fit: ~1.3 ms of the ~1.5 ms a call
    of a 145-tensor step took went into that matching)."""
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    compiled = tf.function(fn, jit_compile=_jit_compile(), autograph=False)
    traced = {}

    def run(*args):
        with outside_user_graph():
            args = [a if i in static else _tensors(a) for i, a in enumerate(args)]
            if not tf.executing_eagerly():
                return compiled(*args)
            tensors, key = _flat_signature(args)
            graph = traced.get(key) if key is not None else None
            if graph is not None:
                return graph._call_flat(tensors, graph.captured_inputs)
            out = compiled(*args)
            if key is not None:
                graph = compiled.get_concrete_function(*args)
                if hasattr(graph, '_call_flat') and \
                        len(graph.inputs) == len(tensors) + len(graph.captured_inputs):
                    traced[key] = graph
            return out
    run.python_function = fn
    run._cache_size = compiled.experimental_get_tracing_count   # traces so far (as jax.jit's)
    run._traced = traced
    return run


def _watched(tape, struct):
    flat = [tf.convert_to_tensor(v) if not isinstance(v, tf.Tensor) else v
            for v in nest.flatten(struct)]
    for v in flat:
        tape.watch(v)
    return flat


def value_and_grad(fn, argnums=0, has_aux=False, no_gradient_error=None):
    """`jax.value_and_grad` on a tape: `fn`'s value (with `has_aux`, `(value, aux)`) and its
    gradient with respect to the (nested) argument at `argnums` (a tuple of gradients for a
    tuple of argnums), zeros where unconnected. With `no_gradient_error` (a message), a
    ValueError with that message is raised when the value depends differentiably on none of
    the arguments (e.g. a loss computed through an argmax)."""
    several = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if several else (argnums,)

    def run(*args):
        args = list(args)
        with tf.GradientTape() as tape:
            flats = []
            for i in nums:
                flat = _watched(tape, args[i])
                it = iter(flat)
                args[i] = nest.map_structure(lambda _: next(it), args[i])
                flats.append(flat)
            out = fn(*args)
            value = out[0] if has_aux else out
        grads = tape.gradient(value, flats)
        if (no_gradient_error is not None and any(flats) and
                all(x is None for g in grads for x in g)):
            raise ValueError(no_gradient_error)
        # gathers (Embedding) give IndexedSlices: dense tensors, as the optimizers expect
        grads = [[tf.zeros_like(v) if x is None else tf.convert_to_tensor(x)
                  for x, v in zip(g, flat)] for g, flat in zip(grads, flats)]
        structured = []
        for i, g in zip(nums, grads):
            it = iter(g)
            structured.append(nest.map_structure(lambda _: next(it), args[i]))
        return out, (tuple(structured) if several else structured[0])
    return run


def outside_user_graph():
    """A context that runs eagerly where the code runs in a TensorFlow graph of the user's
    (`with tf.compat.v1.get_default_graph().as_default():` or `K.get_session().graph`: the
    2018 Flask recipe for serving Keras models from request threads), else nothing: the
    values a model computes and holds are eager tensors, as this backend's steps take and
    give them (Keras 2.2.4's graph was that default graph, so its calls ran there). Inside a
    function being traced (a step, shape inference) nothing changes."""
    if tf.executing_eagerly() or \
            isinstance(tf.compat.v1.get_default_graph(), tf.__internal__.FuncGraph):
        return contextlib.nullcontext()
    from tensorflow.python.eager import context
    return context.eager_mode()


@contextlib.contextmanager
def eager_init_scope():
    """`tf.init_scope()`, then eager (`outside_user_graph`) where that scope is a graph of
    the user's: what Keras holds (variables' values) is made there."""
    with tf.init_scope(), outside_user_graph():
        yield


@contextlib.contextmanager
def native_variables_made_once(made_once):
    """While active, the `tf.Variable`s made (a layer's call: Mask R-CNN's
    `Lambda(lambda x: tf.Variable(anchors))`) are made once, outside any function being
    traced, and given again to the later runs of the call (`made_once(matches, make)`, the
    engine's `weights_made_once` frames): Keras 2.2.4 called a layer once, making one graph
    variable, where a step's `tf.function` may not make a variable at each trace. A
    variable whose initial value is a tensor of the graph being traced is made as
    TensorFlow makes it."""
    def creator(next_creator, **kwargs):
        initial = kwargs.get('initial_value')
        if is_traced(initial):
            return next_creator(**kwargs)
        shape = None if callable(initial) or initial is None else np.shape(initial)

        def make():
            with tf.init_scope():
                return next_creator(**kwargs)
        return made_once(lambda v: isinstance(v, tf.Variable) and
                         (shape is None or tuple(v.shape) == tuple(shape)), make)
    with tf.variable_creator_scope(creator):
        yield


def grad(fn, argnums=0):
    vg = value_and_grad(fn, argnums=argnums)
    return lambda *args: vg(*args)[1]


def seed_of(key):
    """A raw key as the int64 pair TensorFlow's stateless random ops take as `seed`."""
    return tf.cast(tf.convert_to_tensor(key), tf.int64)


def split_key(key):
    """Two independent keys from one (int64 pairs)."""
    keys = tf.random.experimental.stateless_split(seed_of(key), num=2)
    return keys[0], keys[1]


def side_key(key):
    """A key for draws of a step made outside the scope given `key` (the train step's
    optimizer: a gradient noise), apart from every split of `key` that scope hands out.

    # Arguments
        key: the step's key (an integer pair).

    # Returns
        An integer pair.
    """
    return tf.random.experimental.stateless_fold_in(seed_of(key), 0x7FFFFFFF)


def to_device(x):
    if x is None:
        return None
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return x
    return _host_tensor(x)


def is_traced(x):
    """Whether `x` is a tensor of the graph being traced (a `tf.function`'s: it exists only
    in that graph, which a later trace cannot read)."""
    return isinstance(x, tf.Tensor) and tf.is_symbolic_tensor(x)


def stack_logs(values):
    dtype = config._logs_dtype()
    if not values:
        return tf.zeros((0,), dtype)
    return tf.stack([tf.reshape(tf.cast(v, dtype), ()) for v in values])


def gather_rows(data, ix):
    """Rows `ix` of every array in a (nested) list (None entries stay None)."""
    return nest.map_structure(lambda a: None if a is None else tf.gather(a, ix, axis=0), data)


def gather_step(step, leading_axis=False):
    """`step(state, consts, batch, key)` as a function of the whole device data and one
    index batch (rows gathered inside the compiled call); with `leading_axis` the outputs
    get a leading axis of length 1 (the layout of a scan over one batch)."""
    def run(state, consts, data, idx, key):
        state, outs = step(state, consts, gather_rows(data, idx), key)
        if leading_axis:
            outs = nest.map_structure(lambda a: tf.expand_dims(a, 0), outs)
        return state, outs
    return run


def scan_steps(step):
    """`step(state, consts, batch, key)` over the rows `idx[i]` of the device data with the
    keys `keys[i]`, in one `tf.while_loop`: several batches in one dispatch. The first batch
    runs before the loop, which gives the per-batch outputs their structure and shapes."""
    def run(state, consts, data, idx, keys):
        state, first = step(state, consts, gather_rows(data, idx[0]), keys[0])
        flat_first = nest.flatten(first)
        k = tf.shape(idx)[0]
        arrays = [tf.TensorArray(o.dtype, size=k, element_shape=o.shape).write(0, o)
                  for o in flat_first]

        def body(i, state, arrays):
            new_state, outs = step(state, consts, gather_rows(data, idx[i]), keys[i])
            arrays = [a.write(i, o) for a, o in zip(arrays, nest.flatten(outs))]
            return i + 1, new_state, arrays

        _, state, arrays = tf.while_loop(lambda i, *_: i < k, body, (tf.constant(1), state, arrays))
        it = iter([a.stack() for a in arrays])
        return state, nest.map_structure(lambda _: next(it), first)
    return run


# No counted loop here (the JAX backend's `loop_steps`, one program for any number of
# batches a dispatch): the engine scans train and test steps as it scans predict steps
# (`scan_steps`), weighing each scan's compilation.
loop_steps = None


def default_platform():
    """'cpu' or 'gpu': where computations run by default."""
    return 'gpu' if tf.config.list_logical_devices('GPU') else 'cpu'


def synchronous_dispatch():
    """Whether a call of a compiled step returns only when the step has run: not on
    TensorFlow, whose steps here are not dispatched a group at a time (no loop program)."""
    return False


def loop_slow_on_cpu(fn, args):
    """Whether `fn(*args)` has an op that runs far slower inside a compiled loop than
    outside one on the CPU: never on TensorFlow, whose CPU kernels run the same inside a
    while loop (the JAX backend finds XLA's non-canonical convolutions here)."""
    return False


def block(x):
    """Wait until the tensors in `x` are computed (eager TensorFlow returns when they are)."""
    return x


def host_view(x):
    """Host value of a tensor as a NumPy array."""
    if hasattr(x, 'numpy'):
        return x.numpy()
    return np.asarray(x)


def to_numpy(x):
    """`host_view(x)` as a writable NumPy array the caller owns."""
    out = host_view(x)
    if not isinstance(out, np.ndarray):
        out = np.asarray(out)
    return out if out.flags.writeable else out.copy()
