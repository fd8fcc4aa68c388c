"""Tensor operations of the Keras 2 backend API on TensorFlow.

Every op accepts tensors, NumPy arrays, Python numbers and `Variable`s. Ops decorated with
`@symbolic` also accept KerasTensors (recorded as graph nodes). NumPy float64 data becomes
floatx, as on the JAX backend (Keras 2 fed float64 arrays to float32 placeholders).
"""
import builtins

import numpy as np
import tensorflow as tf

from .. import config, nest
from .state import Variable, RandomExpression, next_rng_key, learning_phase, current_creation_hook, current_scope
from .. import scopes as _scopes
from ..scopes import VariableExpression
from .execution import seed_of as _seed_of
from . import execution as X
from ..keras_tensor import KerasTensor, symbolic, evaluate as _evaluate_symbolic
from ..argcheck import _is_int, _kept_fraction, _positive_int, _constant_value  # noqa: F401


def _c(x):
    """Concrete value of x (Variables are read)."""
    if isinstance(x, Variable):
        return x.value
    return x


def _a(x, dtype=None):
    """`x` as a TensorFlow tensor.

    Unless `dtype` is given, float64 NumPy data and Python floats become floatx and 64-bit
    integer scalars (Python or NumPy) int32.

    # Arguments
        x: a `Variable` (its value is taken), a tensor, an array, a number or a list.
        dtype: optional dtype of the result (tensors of another dtype are cast).

    # Returns
        A `tf.Tensor` (or `x` itself when it is a tensor of that dtype).
    """
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return x if dtype is None or x.dtype == tf.as_dtype(dtype) else tf.cast(x, dtype)
    if dtype is None:
        arr = np.asarray(x)
        if arr.dtype == np.float64:
            dtype = config.floatx()
        elif arr.dtype == np.int64 and isinstance(x, (int, np.integer)):
            dtype = 'int32'
        return tf.convert_to_tensor(arr if dtype is None else arr.astype(dtype))
    dtype = tf.as_dtype(dtype)
    return tf.convert_to_tensor(np.asarray(x).astype(dtype.as_numpy_dtype), dtype=dtype)


@symbolic
def _split_columns(x, parts):
    """`x` cut along its last axis into `parts` equal tensors (the gates of a recurrent
    cell), with one split op."""
    return tf.split(_a(x), parts, axis=-1)


def _pair(x, y):
    """Two operands as tensors of one dtype: a Python number or NumPy array takes the other
    operand's dtype (tensors first); otherwise int and float operands become the float
    dtype and integers of different widths the wider one, as NumPy and JAX promote."""
    x, y = _c(x), _c(y)
    x_t, y_t = isinstance(x, tf.Tensor), isinstance(y, tf.Tensor)
    if x_t and not y_t:
        return x, _a(y, x.dtype)
    if y_t and not x_t:
        return _a(x, y.dtype), y
    if not x_t:
        x_scalar = isinstance(x, (int, float, bool))
        if isinstance(y, (int, float, bool)) and not x_scalar:
            x = _a(x)
            return x, _a(y, x.dtype)
        if x_scalar and not isinstance(y, (int, float, bool)):
            y = _a(y)
            return _a(x, y.dtype), y
    x, y = _a(x), _a(y)
    if x.dtype != y.dtype:
        if x.dtype.is_floating != y.dtype.is_floating:
            if x.dtype.is_floating:
                y = tf.cast(y, x.dtype)
            else:
                x = tf.cast(x, y.dtype)
        elif x.dtype.size > y.dtype.size:
            y = tf.cast(y, x.dtype)
        else:
            x = tf.cast(x, y.dtype)
    return x, y


def _axis(axis):
    if isinstance(axis, tuple):
        return list(axis)
    return axis


def _floatx_if_int(x):
    return tf.cast(x, config.floatx()) if not x.dtype.is_floating else x


# ---------------------------------------------------------------- basics
@symbolic
def cast(x, dtype):
    if isinstance(x, tf.SparseTensor):
        return tf.cast(x, dtype)      # (stays sparse, as Keras 2.2.4's did: spektral)
    return tf.cast(_a(x), dtype)


def cast_to_floatx(x):
    return np.asarray(x, dtype=config.floatx())


def int_shape(x):
    if isinstance(x, KerasTensor):
        return tuple(x._keras_shape)
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return tuple(x.shape.as_list()) if x.shape.rank is not None else None
    if hasattr(x, 'shape'):
        return tuple(x.shape)
    return tuple(np.shape(x))


def ndim(x):
    return len(int_shape(x))


def dtype(x):
    """The dtype of a tensor or variable, as a string.

    # Arguments
        x: a tensor, a variable or an array.

    # Returns
        A string such as `'float32'`.
    """
    if isinstance(x, (KerasTensor, Variable)):
        return x.dtype
    d = getattr(x, 'dtype', None)
    if isinstance(d, tf.DType):
        return d.name
    if d is None:
        d = np.asarray(x).dtype
    return str(np.dtype(d)) if str(d) != 'bfloat16' else 'bfloat16'


@symbolic
def shape(x):
    """The shape of `x` as a 1-D int32 tensor (Keras 2.2.4's `tf.shape`)."""
    return tf.shape(_a(x), out_type=tf.int32)


def is_keras_tensor(x):
    if not is_tensor(x):
        raise ValueError('is_keras_tensor: expected a tensor, got %r of type %s'
                         % (x, type(x).__name__))
    return isinstance(x, KerasTensor) and x._keras_history is not None \
        and not getattr(x, '_backend_placeholder', False)


def is_tensor(x):
    return isinstance(x, (KerasTensor, Variable, VariableExpression, tf.Tensor, tf.Variable,
                          tf.SparseTensor))


@symbolic
def identity(x, name=None):
    return tf.identity(_a(x))


# ------------------------------------------------------------ arithmetic
@symbolic
def dot(x, y):
    """Dot product of two tensors (Keras 2 `K.dot`).

    For N-D inputs, it contracts the last axis of x with the second-to-last axis of y (the
    last for 1-D y).

    # Arguments
        x: tensor or variable.
        y: tensor or variable.

    # Returns
        A tensor, the dot product of `x` and `y`.
    """
    if isinstance(x, tf.SparseTensor) and not isinstance(y, tf.SparseTensor):
        # a sparse matrix times a dense one (Keras 2.2.4's `tf.sparse_tensor_dense_matmul`:
        # graph convolutions on a sparse adjacency)
        y = _a(y)
        return tf.sparse.sparse_dense_matmul(tf.cast(x, y.dtype), y)
    x, y = _pair(x, y)
    if x.shape.rank <= 2 and y.shape.rank <= 2:
        if x.shape.rank == 2 and y.shape.rank == 2:
            return tf.matmul(x, y)
        return tf.tensordot(x, y, axes=[[x.shape.rank - 1], [0]])
    if y.shape.rank == 1:
        return tf.tensordot(x, y, axes=[[x.shape.rank - 1], [0]])
    return tf.tensordot(x, y, axes=[[x.shape.rank - 1], [y.shape.rank - 2]])


@symbolic
def transpose(x):
    return tf.transpose(_a(x))


def _reduce(fn, x, axis, keepdims):
    return fn(x, axis=_axis(axis), keepdims=keepdims)


@symbolic
def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras API name
    return _reduce(tf.reduce_sum, _a(x), axis, keepdims)


@symbolic
def prod(x, axis=None, keepdims=False):
    return _reduce(tf.reduce_prod, _a(x), axis, keepdims)


@symbolic
def mean(x, axis=None, keepdims=False):
    x = _a(x)
    if x.dtype == tf.bool or x.dtype.is_integer:
        x = tf.cast(x, config.floatx())
    return _reduce(tf.reduce_mean, x, axis, keepdims)


@symbolic
def var(x, axis=None, keepdims=False):
    x = _a(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, config.floatx())
    return _reduce(tf.math.reduce_variance, x, axis, keepdims)


@symbolic
def std(x, axis=None, keepdims=False):
    return tf.sqrt(var(x, axis=axis, keepdims=keepdims))


@symbolic
def max(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(tf.reduce_max, _a(x), axis, keepdims)


@symbolic
def min(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(tf.reduce_min, _a(x), axis, keepdims)


@symbolic
def any(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(tf.reduce_any, tf.cast(_a(x), tf.bool), axis, keepdims)


@symbolic
def all(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(tf.reduce_all, tf.cast(_a(x), tf.bool), axis, keepdims)


@symbolic
def argmax(x, axis=-1):
    # int64, TensorFlow's default, as Keras 2.2.4's `tf.argmax` gave (losses and metrics
    # compare it with `tf.argmax` of their own)
    return tf.argmax(_a(x), axis=axis)


@symbolic
def argmin(x, axis=-1):
    return tf.argmin(_a(x), axis=axis)


@symbolic
def square(x):
    return tf.square(_a(x))


@symbolic
def abs(x):  # noqa: A001
    return tf.abs(_a(x))


@symbolic
def sqrt(x):
    x = _a(x)
    return tf.sqrt(tf.maximum(x, tf.zeros((), x.dtype)))


@symbolic
def exp(x):
    return tf.exp(_a(x))


@symbolic
def log(x):
    return tf.math.log(_floatx_if_int(_a(x)))


@symbolic
def logsumexp(x, axis=None, keepdims=False):
    return _reduce(tf.reduce_logsumexp, _a(x), axis, keepdims)


@symbolic
def round(x):  # noqa: A001
    return tf.round(_a(x))


@symbolic
def sign(x):
    return tf.sign(_a(x))


@symbolic
def pow(x, a):  # noqa: A001
    x, a = _pair(x, a)
    return tf.pow(x, a)


@symbolic
def clip(x, min_value, max_value):
    """Element-wise clipping of a tensor to `[min_value, max_value]`.

    A number `max_value` below a number `min_value` is raised to it (as Keras 2.2.4).

    # Arguments
        x: a tensor or variable.
        min_value: the lower bound (`None`: no bound).
        max_value: the upper bound (`None`: no bound).

    # Returns
        A tensor.
    """
    if max_value is not None and min_value is not None and not isinstance(
            max_value, (tf.Tensor, Variable)) and max_value < min_value:
        max_value = min_value
    x = _a(x)
    if min_value is not None:
        x = tf.maximum(x, _a(_c(min_value), x.dtype))
    if max_value is not None:
        x = tf.minimum(x, _a(_c(max_value), x.dtype))
    return x


def _compare(fn):
    def op(x, y):
        x, y = _pair(x, y)
        return fn(x, y)
    return op


@symbolic
def equal(x, y):
    return _compare(tf.equal)(x, y)


@symbolic
def not_equal(x, y):
    return _compare(tf.not_equal)(x, y)


@symbolic
def greater(x, y):
    return _compare(tf.greater)(x, y)


@symbolic
def greater_equal(x, y):
    return _compare(tf.greater_equal)(x, y)


@symbolic
def less(x, y):
    return _compare(tf.less)(x, y)


@symbolic
def less_equal(x, y):
    return _compare(tf.less_equal)(x, y)


@symbolic
def maximum(x, y):
    return _compare(tf.maximum)(x, y)


@symbolic
def minimum(x, y):
    return _compare(tf.minimum)(x, y)


@symbolic
def sin(x):
    return tf.sin(_a(x))


@symbolic
def cos(x):
    return tf.cos(_a(x))


@symbolic
def l2_normalize(x, axis=None):
    x = _a(x)
    square_sum = tf.reduce_sum(tf.square(x), axis=_axis(axis), keepdims=True)
    return x * tf.math.rsqrt(tf.maximum(square_sum, tf.constant(1e-12, x.dtype)))


# ------------------------------------------------------- shape manipulation
def _shape_arg_tensor(shape):
    """A reshape target: a list/tuple of ints, None (-1) and scalar tensors, or a tensor."""
    if isinstance(shape, (list, tuple)):
        if builtins.all(_is_int(s) or s is None for s in shape):
            return [int(s) if s is not None else -1 for s in shape]
        return tf.stack([tf.cast(tf.reshape(_a(s), ()), tf.int32) if not _is_int(s) and s is not None
                         else tf.constant(-1 if s is None else int(s), tf.int32) for s in shape])
    if isinstance(shape, np.ndarray):
        return [int(s) for s in shape.reshape(-1)]
    return tf.cast(_a(shape), tf.int32)


@symbolic
def reshape(x, shape):
    return tf.reshape(_a(x), _shape_arg_tensor(shape))


@symbolic
def permute_dimensions(x, pattern):
    return tf.transpose(_a(x), list(pattern))


@symbolic
def expand_dims(x, axis=-1):
    return tf.expand_dims(_a(x), axis)


@symbolic
def squeeze(x, axis):
    return tf.squeeze(_a(x), [axis] if _is_int(axis) else axis)


@symbolic
def flatten(x):
    return tf.reshape(_a(x), [-1])


@symbolic
def batch_flatten(x):
    x = _a(x)
    inner = x.shape[1:]
    if inner.is_fully_defined():
        return tf.reshape(x, [-1, int(np.prod(inner.as_list()))])
    return tf.reshape(x, tf.stack([tf.shape(x)[0], -1]))


@symbolic
def repeat(x, n):
    x = _a(x)
    return tf.tile(tf.expand_dims(x, 1), [1, n, 1])


@symbolic
def repeat_elements(x, rep, axis):
    return tf.repeat(_a(x), rep, axis=axis)


@symbolic
def tile(x, n):
    if _is_int(n):
        n = [n]
    return tf.tile(_a(x), list(n) if isinstance(n, (list, tuple)) else _a(n))


@symbolic
def concatenate(tensors, axis=-1):
    """Concatenates tensors along an axis.

    # Arguments
        tensors: a list of tensors (or arrays, numbers' lists).
        axis: the axis to concatenate along.

    # Returns
        A tensor.
    """
    tensors = [_a(t) for t in tensors]
    if builtins.any(t.dtype == tf.int32 for t in tensors) and \
            builtins.all(t.dtype.is_integer for t in tensors):
        # a shape put together (`K.concatenate([K.shape(x)[:1], [-1]])`): Python lists of
        # sizes join the int32 shape, as TensorFlow 1 converted them
        tensors = [tf.cast(t, tf.int32) for t in tensors]
    if axis < 0:
        axis = axis % tensors[0].shape.rank
    return tf.concat(tensors, axis=axis)


@symbolic
def stack(x, axis=0):
    """Stacks a list of tensors of the same shape along a new axis.

    A list of Python or scalar integers (e.g. entries of `K.shape(x)`) gives an int32 tensor.

    # Arguments
        x: a list of tensors.
        axis: where the new axis goes.

    # Returns
        A tensor.
    """
    values = [_c(t) for t in x]
    if builtins.all(_is_int(v) for v in values):
        return tf.constant([int(v) for v in values], tf.int32) if axis in (0, -1) else \
            tf.stack(values, axis=axis)
    tensors = [_a(t) for t in values]
    if builtins.any(t.dtype == tf.int32 for t in tensors) and \
            builtins.all(t.dtype.is_integer for t in tensors):
        tensors = [tf.cast(t, tf.int32) for t in tensors]
    return tf.stack(tensors, axis=axis)


@symbolic
def gather(reference, indices):
    return tf.gather(_a(reference), tf.cast(_a(indices), tf.int32), axis=0)


@symbolic
def one_hot(indices, num_classes):
    return tf.one_hot(tf.cast(_a(indices), tf.int32), num_classes, dtype=config.floatx())


@symbolic
def reverse(x, axes):
    if _is_int(axes):
        axes = [axes]
    return tf.reverse(_a(x), list(axes))


# ------------------------------------------------------------ creation
def variable(value, dtype=None, name=None, constraint=None):
    if dtype is None:
        dtype = config.floatx()
    hook = current_creation_hook()
    if hook is not None:
        return hook(value, dtype, name, constraint)
    return Variable(value, dtype=dtype, name=name, constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    if dtype is None:
        dtype = config.floatx()
    return tf.constant(_constant_value(value, dtype, shape))


def _shape_arg(shape):
    """A shape given as a sequence or as one integer (`K.zeros(3)`, as Keras 2.2.4 allows)."""
    return (int(shape),) if _is_int(shape) else tuple(shape)


def _filled(fill, shape, dtype, name):
    """A variable of `shape` filled with `fill`; a tensor when a size is only known when the
    graph runs (`K.zeros((K.shape(x)[0], 5))`), as Keras 2.2.4 made a variable only of a
    fully known shape."""
    dtype = dtype or config.floatx()
    # (a shape given as one tensor, `K.zeros(K.stack([...]))`, or as entries of which some
    # are tensors; sizes known before it runs make a variable, as in Keras 2.2.4)
    sizes = _static_shape(shape if isinstance(shape, (tf.Tensor, Variable)) else
                          _shape_arg(shape))
    if not isinstance(sizes, tuple):
        known = tf.get_static_value(sizes)
        if known is None:
            return tf.fill(sizes, tf.constant(fill, dtype))
        sizes = tuple(int(s) for s in np.reshape(known, -1))
    return variable(np.full(sizes, fill, dtype=dtype), dtype=dtype, name=name)


@symbolic
def zeros(shape, dtype=None, name=None):
    """A variable filled with zeros (a tensor when a size is only known when the graph runs).

    # Arguments
        shape: a tuple of integers (or an integer); entries may be tensors.
        dtype: the dtype (`None`: `K.floatx()`).
        name: the name of the variable.

    # Returns
        A `Variable`, or a tensor for sizes given as tensors.
    """
    return _filled(0, shape, dtype, name)


@symbolic
def ones(shape, dtype=None, name=None):
    """A variable filled with ones (see `zeros`).

    # Arguments
        shape: a tuple of integers (or an integer); entries may be tensors.
        dtype: the dtype (`None`: `K.floatx()`).
        name: the name of the variable.

    # Returns
        A `Variable`, or a tensor for sizes given as tensors.
    """
    return _filled(1, shape, dtype, name)


def eye(size, dtype=None, name=None):
    if isinstance(size, (list, tuple)):
        n, m = size
    else:
        n, m = size, size
    return variable(np.eye(n, m, dtype=dtype or config.floatx()), dtype=dtype, name=name)


@symbolic
def zeros_like(x, dtype=None, name=None):
    return tf.zeros_like(_a(x), dtype=dtype)


@symbolic
def ones_like(x, dtype=None, name=None):
    return tf.ones_like(_a(x), dtype=dtype)


def _eager_rng(seed):
    """NumPy generator for draws outside compiled steps (weight initialization draws the
    same values as on the JAX backend); None inside a step, where the step's key is used."""
    from ..scopes import in_loop_body
    scope = current_scope()
    if scope is not None and scope.rng is not None or in_loop_body():
        return None
    if seed is None:
        seed = np.random.randint(10000000)
    return np.random.RandomState(int(seed) % (2 ** 32))


def _static_shape(shape):
    if isinstance(shape, (tf.Tensor, Variable)):
        return tf.cast(_a(shape), tf.int32)
    if isinstance(shape, (list, tuple)) and builtins.any(not _is_int(s) for s in shape):
        return tf.stack([tf.cast(tf.reshape(_a(s), ()), tf.int32) for s in shape])
    return tuple(int(s) for s in shape)


# outside every step, a random op is kept as the op, drawn again wherever it is used
_drawn_when_used = _scopes.drawn_when_used(RandomExpression)


@symbolic
@_drawn_when_used
def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A tensor of draws from a uniform distribution on `[minval, maxval)`.

    # Arguments
        shape: a tuple of integers (entries may be tensors).
        minval: the lower bound.
        maxval: the upper bound.
        dtype: the dtype (`None`: `K.floatx()`).
        seed: random seed.

    # Returns
        A tensor.
    """
    dtype = dtype or config.floatx()
    shape = _static_shape(shape)
    rng = _eager_rng(seed) if isinstance(shape, tuple) else None
    if rng is not None:
        return tf.constant(rng.uniform(minval, maxval, size=shape).astype(dtype))
    return tf.random.stateless_uniform(shape, _seed_of(next_rng_key(seed)), minval=minval,
                                       maxval=maxval, dtype=dtype)


@symbolic
@_drawn_when_used
def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of draws from a normal distribution.

    # Arguments
        shape: a tuple of integers (entries may be tensors).
        mean: the mean.
        stddev: the standard deviation.
        dtype: the dtype (`None`: `K.floatx()`).
        seed: random seed.

    # Returns
        A tensor.
    """
    dtype = dtype or config.floatx()
    shape = _static_shape(shape)
    rng = _eager_rng(seed) if isinstance(shape, tuple) else None
    if rng is not None:
        return tf.constant(rng.normal(mean, stddev, size=shape).astype(dtype))
    return tf.random.stateless_normal(shape, _seed_of(next_rng_key(seed)), mean=mean,
                                      stddev=stddev, dtype=dtype)


@symbolic
@_drawn_when_used
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal values more than two standard deviations from the mean re-drawn (as TF).

    # Arguments
        shape: tuple of integers.
        mean: the mean.
        stddev: the standard deviation.
        dtype: the dtype (default `K.floatx()`).
        seed: integer random seed.

    # Returns
        A tensor.
    """
    dtype = dtype or config.floatx()
    shape = _static_shape(shape)
    rng = _eager_rng(seed) if isinstance(shape, tuple) else None
    if rng is not None:
        values = rng.normal(0., 1., size=shape)
        bad = np.abs(values) > 2.
        while bad.any():
            values[bad] = rng.normal(0., 1., size=int(bad.sum()))
            bad = np.abs(values) > 2.
        return tf.constant((mean + stddev * values).astype(dtype))
    return tf.random.stateless_truncated_normal(shape, _seed_of(next_rng_key(seed)), mean=mean,
                                                stddev=stddev, dtype=dtype)


@symbolic
@_drawn_when_used
def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """A tensor of random 0/1 values (Bernoulli draws).

    # Arguments
        shape: a tuple of integers (entries may be tensors).
        p: the probability of a 1.
        dtype: the dtype (`None`: `K.floatx()`).
        seed: random seed.

    # Returns
        A tensor.
    """
    dtype = dtype or config.floatx()
    shape = _static_shape(shape)
    rng = _eager_rng(seed) if isinstance(shape, tuple) else None
    if rng is not None:
        return tf.constant((rng.uniform(size=shape) < p).astype(dtype))
    u = tf.random.stateless_uniform(shape, _seed_of(next_rng_key(seed)))
    return tf.cast(u < p, dtype)


# ------------------------------------------------------------ variables
def get_value(x):
    """The value of `x` as a writable NumPy array of its own (Keras 2 code changes it).

    # Arguments
        x: a variable, a tensor or an array.

    # Returns
        A NumPy array (a writable copy); a NumPy number for a 0-d value.

    # Raises
        TypeError: if `x` is a symbolic tensor (it has no value).
    """
    x = _scopes.run_deferred(x)   # (an update made outside a step runs: DeferredUpdate)
    if isinstance(x, Variable):
        value = x.numpy()
    elif isinstance(x, KerasTensor):
        # (computed from variables and constants only: the graph runs; else TypeError)
        value = _evaluate_symbolic(x)
    elif hasattr(x, 'numpy'):
        value = x.numpy()
    else:
        value = np.asarray(x)
    value = np.asarray(value)
    if value.ndim == 0:
        # a NumPy number, as Keras 2.2.4's session gave one (keras_lr_finder appends
        # `K.get_value(lr)` to a list, then multiplies its local copy in place)
        return value[()]
    return value if value.flags.writeable else value.copy()


def batch_get_value(ops):
    return [get_value(x) for x in ops]


def set_value(x, value):
    """Sets the value of a variable from a NumPy array.

    # Arguments
        x: a `Variable`.
        value: an array of the variable's shape.

    # Raises
        TypeError: if `x` is not a variable.
        ValueError: if the shapes differ.
    """
    if not isinstance(x, Variable):
        raise TypeError('set_value: expected a variable (K.variable), got %s' % type(x).__name__)
    value = np.asarray(value)
    if value.shape != x.shape:
        raise ValueError('set_value: variable %r has shape %s, value has shape %s'
                         % (x.name, x.shape, value.shape))
    # (at once, also inside a traced function, as Keras 2.2.4's session ran the assignment:
    # a loss function that builds a network and loads its weights)
    with X.eager_init_scope():
        x._value = tf.constant(value.astype(x.dtype) if x.dtype != 'bfloat16' else value,
                               dtype=x.dtype)


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def eval(x):  # noqa: A001
    return get_value(x)


def count_params(x):
    return int(np.prod(int_shape(x)))


def update(x, new_x):
    return _scopes.update(x, new_x)


def update_add(x, increment):
    return _scopes.update(x, x + increment)


def update_sub(x, decrement):
    return _scopes.update(x, x - decrement)


def moving_average_update(x, value, momentum):
    return _scopes.moving_average_update(x, value, momentum)


@symbolic
def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [tf.stop_gradient(_a(v)) for v in variables]
    return tf.stop_gradient(_a(variables))


# ------------------------------------------------------------ nn
@symbolic
def relu(x, alpha=0., max_value=None, threshold=0.):
    """Rectified linear unit, with the options of the `relu` activation.

    # Arguments
        x: a tensor.
        alpha: the slope below `threshold`.
        max_value: the upper bound of the output (`None`: unbounded).
        threshold: where the linear part starts.

    # Returns
        A tensor.
    """
    x = _a(x)
    # TensorFlow's fused kernels where they compute the same (as Keras 2.2.4 used them)
    if threshold == 0.:
        if alpha == 0. and max_value is None:
            return tf.nn.relu(x)
        if alpha == 0. and max_value == 6:
            return tf.nn.relu6(x)
        if max_value is None and 0. < alpha < 1.:
            return tf.nn.leaky_relu(x, alpha=alpha)
    zero = tf.zeros((), x.dtype)
    if alpha != 0.:
        negative_part = tf.maximum(threshold - x, zero) if threshold != 0. else tf.nn.relu(-x)
    if threshold != 0.:
        y = x * tf.cast(x > threshold, x.dtype)
    else:
        y = tf.nn.relu(x)
    if max_value is not None:
        y = tf.clip_by_value(y, zero, tf.cast(max_value, x.dtype))
    if alpha != 0.:
        y = y - alpha * negative_part
    return y


@symbolic
def elu(x, alpha=1.):
    x = _a(x)
    res = tf.nn.elu(x)
    if alpha == 1:
        return res
    return tf.where(x > 0, res, alpha * res)


@symbolic
def softmax(x, axis=-1):
    return tf.nn.softmax(_a(x), axis=axis)


@symbolic
def softplus(x):
    return tf.nn.softplus(_a(x))


@symbolic
def softsign(x):
    return tf.nn.softsign(_a(x))


@symbolic
def sigmoid(x):
    return tf.sigmoid(_a(x))


@symbolic
def hard_sigmoid(x):
    x = _a(x)
    return tf.clip_by_value(0.2 * x + 0.5, tf.zeros((), x.dtype), tf.ones((), x.dtype))


@symbolic
def tanh(x):
    return tf.tanh(_a(x))


@symbolic
def bias_add(x, bias, data_format=None):
    """Adds a bias to a tensor along its channel axis.

    # Arguments
        x: a tensor.
        bias: a 1-D bias, or one of the shape of the non-batch dimensions of `x` (channels last;
            for `'channels_first'` it is reshaped to `(1, channels, ...)`, as Keras 2.2.4 does).
        data_format: `'channels_last'` or `'channels_first'` (`None`: the default): which axis
            is the channel axis.

    # Returns
        A tensor of the shape of `x`.

    # Raises
        ValueError: if `data_format` is unknown or the bias is neither 1-D nor of rank
            `ndim(x) - 1`.
    """
    data_format = config.normalize_data_format(data_format)
    x, bias = _pair(x, bias)
    xr, br = x.shape.rank, bias.shape.rank
    if br != 1 and br != xr - 1:
        raise ValueError('bias_add: unexpected bias dimensions %d (shape %s); expected 1 or %d'
                         % (br, tuple(bias.shape), xr - 1))
    if data_format == 'channels_first' and xr > 2:
        bshape = bias.shape.as_list()
        if br == 1:
            if xr == 4 and tf.config.list_logical_devices('GPU'):
                # (TensorFlow's NCHW bias kernel runs on GPUs only, as Keras 2.2.4 chose)
                return tf.nn.bias_add(x, bias, data_format='NCHW')
            return x + tf.reshape(bias, [1, bshape[0]] + [1] * (xr - 2))
        # Keras 2.2.4 reshapes (it does not transpose) a full bias to (1, C, spatial...)
        return x + tf.reshape(bias, [1, bshape[-1]] + bshape[:-1])
    if br == 1 and xr in (2, 4) or br == 1 and xr > 5:
        # a `BiasAdd` op where Keras 2.2.4 made one (Dense, Conv2D, ...): TensorFlow fuses it
        # with the product before it, and code dispatching on op types (shap's
        # DeepExplainer) knows it
        return tf.nn.bias_add(x, bias)
    return x + bias


@symbolic
def dropout(x, level, noise_shape=None, seed=None):
    """Sets entries of `x` to zero at random, scaling the others by `1 / (1 - level)`.

    # Arguments
        x: a tensor.
        level: the fraction of entries dropped, in `[0, 1)`.
        noise_shape: the shape of the random keep/drop mask (broadcast against `x`; `None`
            entries are those of `x`).
        seed: random seed.

    # Returns
        A tensor of the shape of `x`.

    # Raises
        ValueError: if `level` is outside `[0, 1)`.
    """
    x = _a(x)
    keep = _kept_fraction(level)
    if keep is None:    # (a tensor or variable level)
        keep = 1. - tf.cast(_a(level), x.dtype)
    if noise_shape is None:
        noise_shape = tf.shape(x)
    elif isinstance(noise_shape, tf.Tensor):
        # a tensor of sizes (`K.shape(h)`, as keras-position-wise-feed-forward gives it;
        # Keras 2.2.4 handed it to tf.nn.dropout)
        noise_shape = tf.cast(noise_shape, 'int32')
    else:
        noise_shape = _static_shape([tf.shape(x)[i] if d is None else d
                                     for i, d in enumerate(noise_shape)])
    u = tf.random.stateless_uniform(noise_shape, _seed_of(next_rng_key(seed)))
    return tf.where(u < keep, x / keep, tf.zeros_like(x))


@symbolic
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical cross-entropy between a target and an output tensor.

    Probabilities are rescaled to sum to 1 along `axis` and clipped to
    `[epsilon, 1 - epsilon]` first.

    # Arguments
        target: a one-hot tensor of the shape of `output`.
        output: probabilities (after a softmax), or logits with `from_logits=True`.
        from_logits: whether `output` holds logits.
        axis: the class axis.

    # Returns
        A tensor of the losses, the class axis removed.
    """
    target, output = _pair(target, output)
    if from_logits:
        t_shape, o_shape = target.shape, output.shape
        if t_shape.is_fully_defined() and o_shape.is_fully_defined() and \
                t_shape != o_shape and t_shape.num_elements() == o_shape.num_elements() and \
                axis in (-1, o_shape.rank - 1) and t_shape[-1] == o_shape[-1]:
            # TensorFlow's op flattened both to rows of classes: one-hot targets of shape
            # (T, 1, V) with logits (T, V) are T rows (ELMo-keras' softmax)
            target = tf.reshape(target, o_shape)
        return -tf.reduce_sum(target * tf.nn.log_softmax(output, axis=axis), axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = config.epsilon()
    output = tf.clip_by_value(output, eps, 1. - eps)
    return -tf.reduce_sum(target * tf.math.log(output), axis=axis)


@symbolic
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical cross-entropy with the targets given as class indices.

    # Arguments
        target: integer class indices (the shape of `output` without its class axis, or with
            a last axis of size 1).
        output: probabilities (after a softmax), or logits with `from_logits=True`.
        from_logits: whether `output` holds logits.
        axis: the class axis.

    # Returns
        A tensor of the losses, the class axis removed.

    # Raises
        ValueError: if the shapes are known and `target` does not hold one class index per
            output position (e.g. one-hot targets).
    """
    output = _a(output)
    target = _a(target)
    rank = output.shape.rank
    if axis != -1 and axis != rank - 1:
        output = tf.transpose(output, [i for i in range(rank) if i != axis % rank] + [axis % rank])
    if not from_logits:
        eps = config.epsilon()
        output = tf.math.log(tf.clip_by_value(output, eps, 1 - eps))
    positions = output.shape[:-1]
    target = tf.cast(target, tf.int32)
    if target.shape != positions:
        if target.shape.is_fully_defined() and positions.is_fully_defined() and \
                target.shape.num_elements() != positions.num_elements():
            raise ValueError(
                'sparse_categorical_crossentropy expects integer class indices, one per output '
                'position (targets of shape %s or %s), but got targets of shape %s for outputs '
                'of shape %s. If your targets are one-hot encoded, use '
                '`categorical_crossentropy` instead (or convert them with `np.argmax(y, -1)`).'
                % (tuple(positions), tuple(positions) + (1,), tuple(target.shape),
                   tuple(output.shape)))
        target = tf.reshape(target, tf.shape(output)[:-1])
    # softmax cross-entropy on log-probabilities renormalizes them, as Keras 2.2.4 does
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


@symbolic
def binary_crossentropy(target, output, from_logits=False):
    target, output = _pair(target, output)
    if not from_logits:
        eps = config.epsilon()
        output = tf.clip_by_value(output, eps, 1 - eps)
        output = tf.math.log(output / (1 - output))
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)


# ------------------------------------------------------------ control
def in_train_phase(x, alt, training=None):
    if training is None:
        training = learning_phase()
    if isinstance(training, (tf.Tensor, Variable)):
        return switch(training, x, alt)
    if bool(training):
        return x() if callable(x) else x
    return alt() if callable(alt) else alt


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


@symbolic
def switch(condition, then_expression, else_expression):
    """Chooses between two expressions by a condition.

    A scalar condition selects one of the expressions (`tf.cond`: only the chosen callable
    runs); a tensor condition selects element-wise (it is broadcast over the trailing axes of
    the expressions).

    # Arguments
        condition: a boolean (or 0/1) tensor.
        then_expression: a tensor, or a callable returning one.
        else_expression: a tensor, or a callable returning one.

    # Returns
        A tensor.
    """
    cond = _a(condition)
    if cond.dtype != tf.bool:
        cond = tf.cast(cond, tf.bool)
    if cond.shape.rank == 0:
        t = then_expression if callable(then_expression) else (lambda: _a(then_expression))
        e = else_expression if callable(else_expression) else (lambda: _a(else_expression))
        # (callables may give several tensors: keras-rcnn's `K.switch(c, lambda: (a, b), ...)`,
        # the structure `tf.cond` returns)
        return tf.cond(cond, lambda: nest.map_structure(_a, t()),
                       lambda: nest.map_structure(_a, e()))
    t = _a(then_expression() if callable(then_expression) else then_expression)
    e = _a(else_expression() if callable(else_expression) else else_expression)
    while cond.shape.rank < t.shape.rank:
        cond = tf.expand_dims(cond, -1)
    cond = tf.broadcast_to(cond, tf.shape(t))
    return tf.where(cond, t, e)


# Python operators on symbolic tensors record graph nodes through the ops above.
def _install_keras_tensor_operators():
    @symbolic
    def add(x, y):
        return tf.add(*_pair(x, y))

    @symbolic
    def subtract(x, y):
        return tf.subtract(*_pair(x, y))

    @symbolic
    def multiply(x, y):
        return tf.multiply(*_pair(x, y))

    @symbolic
    def divide(x, y):
        x, y = _pair(x, y)
        if x.dtype.is_integer:
            x, y = tf.cast(x, config.floatx()), tf.cast(y, config.floatx())
        return tf.math.truediv(x, y)

    @symbolic
    def floor_divide(x, y):
        return tf.math.floordiv(*_pair(x, y))

    @symbolic
    def matmul(x, y):
        return tf.matmul(*_pair(x, y))

    @symbolic
    def negative(x):
        return tf.negative(_a(x))

    @symbolic
    def getitem(x, idx):
        return _a(x)[idx]

    @symbolic
    def mod(x, y):
        return tf.math.floormod(*_pair(x, y))

    # `&`, `|`, `^`, `~`: logical on booleans (TensorFlow 1's tensors had them so), bitwise
    # on integers
    # (TensorFlow's tensors' own operators: logical on booleans, bitwise on integers)
    @symbolic
    def bitwise_and(x, y):
        x, y = _pair(x, y)
        return x & y

    @symbolic
    def bitwise_or(x, y):
        x, y = _pair(x, y)
        return x | y

    @symbolic
    def bitwise_xor(x, y):
        x, y = _pair(x, y)
        return x ^ y

    @symbolic
    def invert(x):
        return ~_a(x)

    for name, fn in [('add', add), ('sub', subtract), ('mul', multiply),
                     ('truediv', divide), ('floordiv', floor_divide), ('pow', pow),
                     ('matmul', matmul), ('mod', mod), ('and', bitwise_and),
                     ('or', bitwise_or), ('xor', bitwise_xor)]:
        setattr(KerasTensor, '__%s__' % name, fn)
        setattr(KerasTensor, '__r%s__' % name, lambda a, b, fn=fn: fn(b, a))
    KerasTensor.__neg__ = negative
    KerasTensor.__invert__ = invert
    KerasTensor.__abs__ = abs
    KerasTensor.__getitem__ = getitem
    KerasTensor.__lt__ = less
    KerasTensor.__le__ = less_equal
    KerasTensor.__gt__ = greater
    KerasTensor.__ge__ = greater_equal
    return {'add': add, 'subtract': subtract, 'multiply': multiply, 'divide': divide,
            'floor_divide': floor_divide, 'matmul': matmul, 'negative': negative,
            'getitem': getitem, 'mod': mod, 'bitwise_and': bitwise_and,
            'bitwise_or': bitwise_or, 'bitwise_xor': bitwise_xor, 'invert': invert}



_operator_ops = _install_keras_tensor_operators()
