"""Tensor operations of the Keras 2 backend API, on jax.numpy / jax.lax.

Every op accepts arrays, NumPy arrays, Python numbers and `Variable`s.  Ops
decorated with `@symbolic` also accept KerasTensors (recorded as graph nodes).
"""
import builtins
import functools
import math

import numpy as np
import jax
import jax.numpy as jnp
from jax import export
from jax import lax

from .. import config
from . import onednn
from .state import Variable, RandomExpression, next_rng_key, learning_phase, current_creation_hook, _storage_dtype_of
from .. import scopes as _scopes
from ..scopes import VariableExpression, as_tensorflow_operand
from .execution import to_device
from ..keras_tensor import KerasTensor, symbolic, evaluate as _evaluate_symbolic
from ..argcheck import _is_int, _kept_fraction, _positive_int, _constant_value, tf_dtype  # noqa: F401,E501


def _c(x):
    """Concrete array value of x (Variables are read; a list or tuple of numbers is an array,
    as TensorFlow converted it; everything else is passed to jnp)."""
    if isinstance(x, Variable):
        return x.value
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    return x


def _a(x, dtype=None):
    if isinstance(x, Variable):
        x = x.value
    return jnp.asarray(x, dtype=dtype)


def _computed_dtype(dtype):
    """`dtype`, with the 64-bit integers as the 32-bit ones JAX computes in while its 64-bit
    types are off (its default), without JAX's warning at every call site: Keras 2 code
    casts indices and lengths to int64 routinely (an `Input(dtype='int64')`, a metric).
    A 64-bit float keeps JAX's warning (precision is lost)."""
    dtype = tf_dtype(dtype)
    try:
        name = np.dtype(dtype).name
    except TypeError:       # e.g. 'bfloat16' where NumPy does not know it
        return dtype
    return _storage_dtype_of(name) if np.dtype(name).kind in 'iu' else dtype


@symbolic
def _split_columns(x, parts):
    """`x` cut along its last axis into `parts` equal tensors (the gates of a recurrent
    cell): one split, whose gradient is one concatenation. Slicing each part out instead
    differentiates into a padded copy per part, summed, which XLA's CPU backend runs
    several times slower inside a recurrent loop."""
    return jnp.split(_a(x), parts, axis=-1)


def _axis(axis):
    if isinstance(axis, list):
        return tuple(axis)
    return axis


# ---------------------------------------------------------------- basics
@symbolic
def cast(x, dtype):
    """Casts a tensor to another dtype.

    # Arguments
        x: a tensor or variable.
        dtype: a dtype string, e.g. `'float16'`, `'int32'`.

    # Returns
        A tensor of that dtype.
    """
    if _host_sizes(x) or _host_floats(x):
        # sizes (`K.cast(K.shape(x)[1], 'int32')`, and fractions of them: keras-spp's
        # `K.cast(K.cast(rows, 'float32') / n, 'int32')`): NumPy, so they stay static under JAX
        x = np.asarray(x)
        return x if x.dtype == object else x.astype(_computed_dtype(dtype))
    return _a(x).astype(_computed_dtype(dtype))


def cast_to_floatx(x):
    """Converts a NumPy array (or number) to the default float type, `K.floatx()`.

    # Arguments
        x: a NumPy array or number.

    # Returns
        A NumPy array.
    """
    return np.asarray(x, dtype=config.floatx())


def int_shape(x):
    """The shape of a tensor or variable as a tuple of integers, `None` for unknown dimensions.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tuple.

    # Example
    ```python
    inputs = Input(shape=(3,))
    K.int_shape(inputs)   # (None, 3)
    ```
    """
    if isinstance(x, KerasTensor):
        return tuple(x._keras_shape)
    if hasattr(x, 'shape'):
        # a size still unknown while a layer's call is traced for its output shape (JAX's
        # symbolic batch size) is None, as Keras 2.2.4's unknown sizes were (bojone/flow
        # keeps `[i or -1 for i in K.int_shape(x)]`; `if K.int_shape(x)[0] is None`)
        return tuple(d if isinstance(d, (int, np.integer)) else None for d in x.shape)
    return tuple(np.shape(x))


def ndim(x):
    """The number of axes of a tensor.

    # Arguments
        x: a tensor or variable.

    # Returns
        An integer.
    """
    return len(int_shape(x))


def dtype(x):
    """The dtype of a tensor or variable, as a string.

    # Arguments
        x: a tensor or variable.

    # Returns
        A string such as `'float32'`.
    """
    if isinstance(x, (KerasTensor, Variable)):
        return x.dtype
    d = getattr(x, 'dtype', None)
    if d is None:
        d = np.asarray(x).dtype
    return str(np.dtype(d)) if str(d) != 'bfloat16' else 'bfloat16'


@symbolic
def shape(x):
    """The shape of `x` as a 1-D int32 array.

    Shapes are static under JAX, so this is a NumPy array: its entries can size new tensors
    inside compiled code (`K.random_normal((K.shape(x)[0], dim))`). Sizes still unknown
    during symbolic shape inference stay symbolic entries.

    # Arguments
        x: a tensor or variable.

    # Returns
        A 1-D int32 NumPy array (static shapes; see above).
    """
    dims = getattr(x, 'shape', None)
    return _static_sizes(np.shape(x) if dims is None else dims)


def is_keras_tensor(x):
    """Whether `x` is a Keras tensor: the output of `Input()` or of a Keras layer.

    # Arguments
        x: a tensor.

    # Returns
        A boolean.

    # Raises
        ValueError: `x` is not a tensor at all.
    """
    if not is_tensor(x):
        raise ValueError('is_keras_tensor: expected a tensor, got %r of type %s'
                         % (x, type(x).__name__))
    return isinstance(x, KerasTensor) and x._keras_history is not None \
        and not getattr(x, '_backend_placeholder', False)


def is_tensor(x):
    """Whether `x` is a tensor of this backend.

    Keras tensors, variables, expressions of variables (what operations on variables
    give outside a step, as TensorFlow 1's graph tensors), JAX arrays and traced values
    are.

    # Arguments
        x: any object.

    # Returns
        A boolean.
    """
    return isinstance(x, (KerasTensor, Variable, VariableExpression, jax.Array)) or \
        isinstance(x, jax.core.Tracer)


@symbolic
def identity(x, name=None):
    """Returns a tensor with the content of `x`.

    # Arguments
        x: a tensor or variable.
        name: ignored (Keras 2 compatibility).

    # Returns
        A tensor of the same shape, dtype and values.
    """
    return _a(x)


# ------------------------------------------------------------ arithmetic
@symbolic
def dot(x, y):
    """Dot product of two tensors (Keras 2 `K.dot`).

    For N-D inputs, it contracts the last axis of x with the second-to-last axis of y (the
    last for 1-D y).

    # Arguments
        x: tensor or variable.
        y: tensor or variable. N-D inputs contract the last axis of `x` with the second-to-last
            of `y` (as Theano, and Keras 2).

    # Returns
        A tensor, the dot product of `x` and `y`.
    """
    x, y = _a(x), _a(y)
    if x.ndim >= 2 and y.ndim == 2 and onednn.handles(x) and onednn.handles(y):
        # a layer's product with its kernel: the kernel's gradient by `_rows_product`
        return _projection(x, y)
    if x.ndim <= 2 and y.ndim <= 2:
        return jnp.dot(x, y)
    if y.ndim == 1:
        return jnp.tensordot(x, y, axes=[[x.ndim - 1], [0]])
    return jnp.tensordot(x, y, axes=[[x.ndim - 1], [y.ndim - 2]])


@jax.custom_vjp
def _projection(x, kernel):
    """`dot(x, kernel)` of an `x` of rank 2 or more with a matrix, whose kernel gradient
    (the product of `x` and the output gradient over all their leading axes) is
    `_rows_product`'s."""
    return jnp.tensordot(x, kernel, axes=[[x.ndim - 1], [0]])


def _projection_fwd(x, kernel):
    return _projection(x, kernel), (x, kernel)


def _projection_bwd(residuals, g):
    x, kernel = residuals
    return (jnp.tensordot(g, kernel, axes=[[g.ndim - 1], [1]]).astype(x.dtype),
            _rows_product(x, g).astype(kernel.dtype))


_projection.defvjp(_projection_fwd, _projection_bwd)


def _rows_product(a, b):
    """The product of `a` (..., m) and `b` (..., n) over their leading axes (the same for
    both), `(m, n)`: `a`'s rows transposed times `b`'s, as a layer's kernel gradient is.

    On the CPU with the native handlers, oneDNN's sgemm reads `a` transposed in place; XLA
    copies one operand transposed first (two such products took ~9 ms of the IMDB LSTM's
    ~27 ms train step: the input and recurrent kernels' gradients)."""
    a = jnp.reshape(a, (-1, a.shape[-1]))
    b = jnp.reshape(b, (-1, b.shape[-1]))
    if onednn.handles(a) and onednn.handles(b):
        return _native_rows_product(a, b)
    return _xla_rows_product(a, b)


def _xla_rows_product(a, b):
    return lax.dot_general(a, b, (((0,), (0,)), ((), ())))


@jax.custom_vjp
def _native_rows_product(a, b):
    """`_xla_rows_product` computed by oneDNN; differentiated as `_xla_rows_product` is."""
    return onednn.matmul(a, b, transpose_a=True)


def _native_rows_product_fwd(a, b):
    return _native_rows_product(a, b), (a, b)


def _native_rows_product_bwd(residuals, g):
    return jax.vjp(_xla_rows_product, *residuals)[1](g)


_native_rows_product.defvjp(_native_rows_product_fwd, _native_rows_product_bwd)


@symbolic
def transpose(x):
    """Transposes a tensor (reverses its axes).

    # Arguments
        x: a tensor.

    # Returns
        A tensor.
    """
    return jnp.transpose(_a(x))


@symbolic
def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras API name
    """Sum along an axis.

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A tensor.
    """
    return jnp.sum(_a(x), axis=_axis(axis), keepdims=keepdims)


@symbolic
def prod(x, axis=None, keepdims=False):
    """Product along an axis.

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A tensor.
    """
    if _host_sizes(x):    # (sizes stay static: see `_host_sizes`)
        return np.prod(np.asarray(x), axis=_axis(axis), keepdims=keepdims)
    return jnp.prod(_a(x), axis=_axis(axis), keepdims=keepdims)


@symbolic
def mean(x, axis=None, keepdims=False):
    """Mean along an axis.

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A tensor.
    """
    x = _a(x)
    if x.dtype == jnp.bool_ or jnp.issubdtype(x.dtype, jnp.integer):
        x = x.astype(config.floatx())
    return jnp.mean(x, axis=_axis(axis), keepdims=keepdims)


@symbolic
def var(x, axis=None, keepdims=False):
    """Variance along an axis.

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A tensor.
    """
    x = _a(x)
    if x.dtype == jnp.bool_:
        x = x.astype(config.floatx())
    return jnp.var(x, axis=_axis(axis), keepdims=keepdims)


@symbolic
def std(x, axis=None, keepdims=False):
    """Standard deviation along an axis.

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A tensor.
    """
    return jnp.sqrt(var(x, axis=axis, keepdims=keepdims))


@symbolic
def max(x, axis=None, keepdims=False):  # noqa: A001
    """Maximum value along an axis.

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A tensor.
    """
    return jnp.max(_a(x), axis=_axis(axis), keepdims=keepdims)


@symbolic
def min(x, axis=None, keepdims=False):  # noqa: A001
    """Minimum value along an axis.

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A tensor.
    """
    return jnp.min(_a(x), axis=_axis(axis), keepdims=keepdims)


@symbolic
def any(x, axis=None, keepdims=False):  # noqa: A001
    """Logical OR along an axis (non-zero values count as true).

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A boolean tensor.
    """
    return jnp.any(_a(x).astype(bool), axis=_axis(axis), keepdims=keepdims)


@symbolic
def all(x, axis=None, keepdims=False):  # noqa: A001
    """Logical AND along an axis (non-zero values count as true).

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A boolean tensor.
    """
    return jnp.all(_a(x).astype(bool), axis=_axis(axis), keepdims=keepdims)


@symbolic
def argmax(x, axis=-1):
    """Index of the maximum value along an axis.

    # Arguments
        x: a tensor or variable.
        axis: the axis.

    # Returns
        An integer tensor.
    """
    return jnp.argmax(_a(x), axis=axis)


@symbolic
def argmin(x, axis=-1):
    """Index of the minimum value along an axis.

    # Arguments
        x: a tensor or variable.
        axis: the axis.

    # Returns
        An integer tensor.
    """
    return jnp.argmin(_a(x), axis=axis)


@symbolic
def square(x):
    """Element-wise square.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.square(_a(x))


@symbolic
def abs(x):  # noqa: A001
    """Element-wise absolute value.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.abs(_a(x))


@symbolic
def sqrt(x):
    """Element-wise square root (negative inputs give 0).

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    x = _a(x)
    return jnp.sqrt(jnp.clip(x, 0., None))


@symbolic
def exp(x):
    """Element-wise exponential.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.exp(_a(x))


@symbolic
def log(x):
    """Element-wise natural logarithm.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.log(_a(x))


@symbolic
def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` along an axis, computed stably (the maximum is subtracted first).

    # Arguments
        x: a tensor or variable.
        axis: an integer, a list of integers or `None` (all axes).
        keepdims: whether the reduced axes are kept with length 1.

    # Returns
        A tensor.
    """
    return jax.scipy.special.logsumexp(_a(x), axis=_axis(axis), keepdims=keepdims)


@symbolic
def round(x):  # noqa: A001
    """Element-wise rounding to the nearest integer (halves to even).

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    if _host_sizes(x) or _host_floats(x):   # (sizes stay static: see `_host_sizes`)
        return np.round(x)
    return jnp.round(_a(x))


@symbolic
def sign(x):
    """Element-wise sign: -1, 0 or 1.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.sign(_a(x))


@symbolic
def pow(x, a):  # noqa: A001
    """Element-wise power `x ** a`.

    # Arguments
        x: a tensor.
        a: the exponent.

    # Returns
        A tensor.
    """
    return jnp.power(_a(x), _c(a))


@symbolic
def clip(x, min_value, max_value):
    """Element-wise clipping of a tensor to `[min_value, max_value]`.

    # Arguments
        x: a tensor or variable.
        min_value: the lower bound (`None`: no bound).
        max_value: the upper bound (`None`: no bound).

    # Returns
        A tensor.
    """
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    if max_value is None:
        max_value = np.inf
    if min_value is None:
        min_value = -np.inf
    return jnp.clip(_a(x), _c(min_value), _c(max_value))


@symbolic
def equal(x, y):
    """Element-wise equality `x == y`.

    # Arguments
        x: a tensor or variable.
        y: a tensor or variable (broadcast against `x`).

    # Returns
        A boolean tensor.
    """
    return jnp.equal(_c(x), _c(y))


@symbolic
def not_equal(x, y):
    """Element-wise inequality `x != y`.

    # Arguments
        x: a tensor or variable.
        y: a tensor or variable (broadcast against `x`).

    # Returns
        A boolean tensor.
    """
    return jnp.not_equal(_c(x), _c(y))


@symbolic
def greater(x, y):
    """Element-wise truth value of `x > y`.

    # Arguments
        x: a tensor or variable.
        y: a tensor or variable (broadcast against `x`).

    # Returns
        A boolean tensor.
    """
    return jnp.greater(_c(x), _c(y))


@symbolic
def greater_equal(x, y):
    """Element-wise truth value of `x >= y`.

    # Arguments
        x: a tensor or variable.
        y: a tensor or variable (broadcast against `x`).

    # Returns
        A boolean tensor.
    """
    return jnp.greater_equal(_c(x), _c(y))


@symbolic
def less(x, y):
    """Element-wise truth value of `x < y`.

    # Arguments
        x: a tensor or variable.
        y: a tensor or variable (broadcast against `x`).

    # Returns
        A boolean tensor.
    """
    return jnp.less(_c(x), _c(y))


@symbolic
def less_equal(x, y):
    """Element-wise truth value of `x <= y`.

    # Arguments
        x: a tensor or variable.
        y: a tensor or variable (broadcast against `x`).

    # Returns
        A boolean tensor.
    """
    return jnp.less_equal(_c(x), _c(y))


@symbolic
def maximum(x, y):
    """Element-wise maximum of two tensors.

    # Arguments
        x: a tensor or variable.
        y: a tensor or variable (broadcast against `x`).

    # Returns
        A tensor.
    """
    if _host_sizes(x, y):   # (sizes stay static: see `_host_sizes`)
        return np.maximum(x, y)
    return jnp.maximum(_c(x), _c(y))


@symbolic
def minimum(x, y):
    """Element-wise minimum of two tensors.

    # Arguments
        x: a tensor or variable.
        y: a tensor or variable (broadcast against `x`).

    # Returns
        A tensor.
    """
    if _host_sizes(x, y):   # (sizes stay static: see `_host_sizes`)
        return np.minimum(x, y)
    return jnp.minimum(_c(x), _c(y))


@symbolic
def sin(x):
    """Element-wise sine.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.sin(_a(x))


@symbolic
def cos(x):
    """Element-wise cosine.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.cos(_a(x))


@symbolic
def l2_normalize(x, axis=None):
    """Divides `x` by its L2 norm along `axis`.

    # Arguments
        x: a tensor.
        axis: the axis (`None`: all axes).

    # Returns
        A tensor of the shape of `x`.
    """
    x = _a(x)
    square_sum = jnp.sum(jnp.square(x), axis=_axis(axis), keepdims=True)
    return x * lax.rsqrt(jnp.maximum(square_sum, 1e-12))


# ------------------------------------------------------- shape manipulation
@symbolic
def reshape(x, shape):
    """Reshapes a tensor.

    # Arguments
        x: a tensor.
        shape: the target shape (one entry may be -1).

    # Returns
        A tensor.
    """
    return jnp.reshape(_a(x), tuple(-1 if s is None else _size(s) for s in _shape_tuple(shape)))


def _size(s):
    """A size as an int, or as itself where it is a symbolic size of a shape-polymorphic
    trace (`K.shape(x)[0]` in a model exported with `export_saved_model`)."""
    return s if export.is_symbolic_dim(s) else int(s)


def _shape_tuple(shape):
    if isinstance(shape, (list, tuple)):
        return tuple(shape)
    return tuple(np.asarray(shape).tolist())


@symbolic
def permute_dimensions(x, pattern):
    """Permutes the axes of a tensor.

    # Arguments
        x: a tensor.
        pattern: a tuple of axis indices, e.g. `(0, 2, 1)`.

    # Returns
        A tensor.
    """
    return jnp.transpose(_a(x), tuple(pattern))


@symbolic
def expand_dims(x, axis=-1):
    """Inserts an axis of length 1 at position `axis`.

    # Arguments
        x: a tensor.
        axis: where the new axis goes.

    # Returns
        A tensor with one more dimension.
    """
    return jnp.expand_dims(_a(x), axis)


@symbolic
def squeeze(x, axis):
    """Removes an axis of length 1.

    # Arguments
        x: a tensor.
        axis: the axis.

    # Returns
        A tensor.
    """
    x = _a(x)
    if export.is_symbolic_dim(x.shape[axis]):
        # a size unknown while the graph is built (the batch of `Input((5,))`): TensorFlow's
        # graph took it to be 1, as `K.squeeze(K.dot(predictions, w), axis=0)` asks
        # (foolbox's KerasModel); the size is concrete whenever the graph runs
        return lax.index_in_dim(x, 0, axis, keepdims=False)
    return jnp.squeeze(x, axis)


@symbolic
def flatten(x):
    """Flattens a tensor into one dimension.

    # Arguments
        x: a tensor.

    # Returns
        A 1-D tensor.
    """
    return jnp.reshape(_a(x), (-1,))


@symbolic
def batch_flatten(x):
    """Flattens each sample: `(batch, d1, d2, ...)` becomes `(batch, d1 * d2 * ...)`.

    # Arguments
        x: a tensor.

    # Returns
        A 2-D tensor.
    """
    x = _a(x)
    return jnp.reshape(x, (x.shape[0], -1))


@symbolic
def repeat(x, n):
    """Repeats a 2-D tensor `n` times along a new axis 1.

    `(samples, dim)` becomes `(samples, n, dim)`.

    # Arguments
        x: a 2-D tensor.
        n: the number of repetitions.

    # Returns
        A 3-D tensor.
    """
    x = _a(x)
    return jnp.repeat(x[:, None, :], n, axis=1)


@symbolic
def repeat_elements(x, rep, axis):
    """Repeats each element of a tensor `rep` times along an axis (as `np.repeat`).

    # Arguments
        x: a tensor.
        rep: the number of repetitions.
        axis: the axis.

    # Returns
        A tensor.
    """
    return jnp.repeat(_a(x), rep, axis=axis)


@symbolic
def tile(x, n):
    """Tiles `x` by `n` (as `np.tile`).

    # Arguments
        x: a tensor.
        n: an integer or a list of repetitions per axis.

    # Returns
        A tensor.
    """
    if isinstance(n, int):
        n = [n]
    return jnp.tile(_a(x), tuple(n))


@symbolic
def concatenate(tensors, axis=-1):
    """Concatenates tensors along an axis.

    # Arguments
        tensors: a list of tensors.
        axis: the axis.

    # Returns
        A tensor.
    """
    if _host_sizes(*tensors):   # (shapes put together stay static: see `_host_sizes`)
        return np.concatenate([np.atleast_1d(np.asarray(t)) for t in tensors], axis=axis)
    return jnp.concatenate([_a(t) for t in tensors], axis=axis)


@symbolic
def stack(x, axis=0):
    """Stacks a list of tensors of the same shape along a new axis.

    # Arguments
        x: a list of tensors.
        axis: where the new axis goes.

    # Returns
        A tensor.
    """
    if axis in (0, -1) and x and builtins.all(_is_static_size(t) for t in x):
        # sizes (`K.stack([K.shape(t)[0], 2, 12])` as a reshape target): a NumPy vector, so
        # the shape stays static under JAX
        return _static_sizes(x)
    return jnp.stack([_a(t) for t in x], axis=axis)


def _host_sizes(*values):
    """Whether every value is a host integer (or boolean): a Python or NumPy integer, or a
    NumPy array of integers or of symbolic sizes, as `K.shape` gives. Ops on such values
    compute with NumPy, so that sizes derived from `K.shape` (`K.concatenate([K.shape(x)[:1],
    [-1]])`, `K.prod(K.shape(x)[1:])`) stay static under a JAX trace and can shape a
    reshape or a tile, as TensorFlow's shape tensors could."""
    for v in values:
        if isinstance(v, (list, tuple)):
            if not v or not _host_sizes(*v):
                return False
        elif isinstance(v, np.ndarray):
            if v.dtype.kind not in 'iubO':
                return False
        elif not isinstance(v, (int, np.integer, np.bool_)):
            return False
    return bool(values)


def _host_floats(x):
    """Whether `x` is a NumPy float number or array: a fraction of sizes (`K.cast(size,
    'float32') / n`), which casts and rounding keep on the host as `_host_sizes` does."""
    return isinstance(x, (np.floating, np.ndarray)) and np.asarray(x).dtype.kind == 'f'


def _is_static_index(idx):
    """Whether an index is made of Python and NumPy integers, slices of them, `None` and
    `Ellipsis` only (no arrays)."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    for part in parts:
        if isinstance(part, slice):
            part = [v for v in (part.start, part.stop, part.step) if v is not None]
            if not builtins.all(_is_int(v) for v in part):
                return False
        elif part is not None and part is not Ellipsis and not _is_int(part):
            return False
    return True


def _is_static_size(value):
    return _is_int(value) or export.is_symbolic_dim(value)


def _static_sizes(values):
    """Sizes as a 1-D int32 NumPy array, or an object array where some are still symbolic
    (unknown during shape inference, or symbols of a shape-polymorphic trace:
    export_saved_model's unknown sizes)."""
    values = list(values)
    if builtins.any(export.is_symbolic_dim(v) for v in values):
        return np.asarray(values, dtype=object)
    try:
        return np.asarray([int(v) for v in values], dtype=np.int32)
    except TypeError:       # a size still unknown during shape inference
        return np.asarray(values, dtype=object)


@symbolic
def gather(reference, indices):
    """Rows of `reference` at `indices` (along the first axis).

    # Arguments
        reference: a tensor.
        indices: an integer tensor of indices.

    # Returns
        A tensor of shape `indices.shape + reference.shape[1:]`.
    """
    reference, indices = _a(reference), _a(indices).astype('int32')
    if reference.ndim >= 1 and onednn.handles(reference):
        # an embedding's lookup: its gradient by `_scatter_rows`
        return _take_rows(reference, indices)
    return jnp.take(reference, indices, axis=0)


@jax.custom_vjp
def _take_rows(reference, indices):
    """`jnp.take(reference, indices, axis=0)`, whose gradient is `_scatter_rows`'s."""
    return jnp.take(reference, indices, axis=0)


def _take_rows_fwd(reference, indices):
    return _take_rows(reference, indices), (reference.shape, indices)


def _take_rows_bwd(residuals, g):
    shape, indices = residuals
    width = int(np.prod(shape[1:], dtype=np.int64))
    updates = jnp.reshape(g, (indices.size, width))
    table = _native_scatter_rows(jnp.reshape(indices, (-1,)), updates, shape[0])
    return jnp.reshape(table, shape).astype(g.dtype), None


_take_rows.defvjp(_take_rows_fwd, _take_rows_bwd)


def _xla_scatter_rows(indices, updates, rows):
    """The transpose of `jnp.take(table, indices, axis=0)` of a `(rows, width)` table."""
    indices = jnp.where(indices < 0, indices + rows, indices)
    return jnp.zeros((rows, updates.shape[1]), updates.dtype).at[indices].add(
        updates, mode='drop')


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _native_scatter_rows(indices, updates, rows):
    """`_xla_scatter_rows` computed by the native handlers, where XLA fills the whole
    table with zeros in one kernel and adds the rows in another (the IMDB LSTM's 20000x128
    embedding: ~1.2 ms of its step); differentiated as `_xla_scatter_rows` is."""
    return onednn.scatter_rows(indices, updates, rows)


def _native_scatter_rows_fwd(indices, updates, rows):
    return _native_scatter_rows(indices, updates, rows), indices


def _native_scatter_rows_bwd(rows, indices, g):
    return None, jax.vjp(lambda u: _xla_scatter_rows(indices, u, rows),
                         jnp.zeros((indices.shape[0], g.shape[1]), g.dtype))[1](g)[0]


_native_scatter_rows.defvjp(_native_scatter_rows_fwd, _native_scatter_rows_bwd)


@symbolic
def one_hot(indices, num_classes):
    """One-hot encoding of integer indices.

    # Arguments
        indices: an integer tensor of shape `(batch, d1, ..., dn)`.
        num_classes: the number of classes.

    # Returns
        A tensor of shape `(batch, d1, ..., dn, num_classes)`.
    """
    return jax.nn.one_hot(_a(indices), num_classes, dtype=config.floatx())


@symbolic
def reverse(x, axes):
    """Reverses a tensor along the given axes.

    # Arguments
        x: a tensor.
        axes: an integer or a list of integers.

    # Returns
        A tensor.
    """
    if isinstance(axes, int):
        axes = [axes]
    return jnp.flip(_a(x), axis=tuple(axes))


# ------------------------------------------------------------ creation
def variable(value, dtype=None, name=None, constraint=None):
    """Creates a variable: a named, mutable array that layers own as weights.

    # Arguments
        value: a NumPy array (or number) with the initial value.
        dtype: the dtype (`None`: `K.floatx()`).
        name: the name of the variable.
        constraint: a projection applied after each optimizer update.

    # Returns
        A `Variable`.

    # Example
    ```python
    kvar = K.variable(np.array([[1, 2], [3, 4]]), dtype='float32', name='example_var')
    K.get_value(kvar)
    ```
    """
    if dtype is None:
        dtype = config.floatx()
    hook = current_creation_hook()
    if hook is not None:
        return hook(value, dtype, name, constraint)
    return Variable(value, dtype=dtype, name=name, constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor.

    # Arguments
        value: a number or an array.
        dtype: the dtype (`None`: `K.floatx()`).
        shape: if given, the shape: a value with as many elements is reshaped to it, a
            number fills it, a shorter value fills it and its last element the rest (as
            TensorFlow 1's `tf.constant`).
        name: ignored (Keras 2 compatibility).

    # Returns
        A tensor (a JAX array).
    """
    if dtype is None:
        dtype = config.floatx()
    return to_device(_constant_value(value, dtype, shape))


def _shape_arg(shape):
    """A shape given as a sequence or as one integer (`K.zeros(3)`, as Keras 2.2.4 allows)."""
    return (int(shape),) if _is_int(shape) else tuple(shape)


@symbolic
def zeros(shape, dtype=None, name=None):
    """A variable filled with zeros.

    # Arguments
        shape: a tuple of integers (or an integer).
        dtype: the dtype (`None`: `K.floatx()`).
        name: the name of the variable.

    # Returns
        A `Variable`.

    # Example
    ```python
    kvar = K.zeros((2, 3))
    K.eval(kvar)   # 2 x 3 array of 0.0
    ```
    """
    return variable(np.zeros(_shape_arg(shape), dtype=dtype or config.floatx()), dtype=dtype,
                    name=name)


@symbolic
def ones(shape, dtype=None, name=None):
    """A variable filled with ones.

    # Arguments
        shape: a tuple of integers (or an integer).
        dtype: the dtype (`None`: `K.floatx()`).
        name: the name of the variable.

    # Returns
        A `Variable`.

    # Example
    ```python
    kvar = K.ones((2, 3))
    K.eval(kvar)   # 2 x 3 array of 1.0
    ```
    """
    return variable(np.ones(_shape_arg(shape), dtype=dtype or config.floatx()), dtype=dtype,
                    name=name)


def eye(size, dtype=None, name=None):
    """An identity matrix, as a variable.

    # Arguments
        size: the number of rows (an integer), or `(rows, columns)`.
        dtype: the dtype (`None`: `K.floatx()`).
        name: the name of the variable.

    # Returns
        A `Variable`.
    """
    if isinstance(size, (list, tuple)):
        n, m = size
    else:
        n, m = size, size
    return variable(np.eye(n, m, dtype=dtype or config.floatx()), dtype=dtype, name=name)


@symbolic
def zeros_like(x, dtype=None, name=None):
    """A tensor of zeros with the shape of `x`.

    # Arguments
        x: a tensor or variable.
        dtype: the dtype (`None`: that of `x`).
        name: ignored (Keras 2 compatibility).

    # Returns
        A tensor.
    """
    return jnp.zeros_like(_a(x), dtype=dtype)


@symbolic
def ones_like(x, dtype=None, name=None):
    """A tensor of ones with the shape of `x`.

    # Arguments
        x: a tensor or variable.
        dtype: the dtype (`None`: that of `x`).
        name: ignored (Keras 2 compatibility).

    # Returns
        A tensor.
    """
    return jnp.ones_like(_a(x), dtype=dtype)


def _eager_rng(seed):
    """NumPy generator for draws outside compiled steps (no XLA compile per shape);
    None inside a step, where the step's PRNG key is used."""
    from .state import current_scope
    from ..scopes import in_loop_body
    scope = current_scope()
    if scope is not None and scope.rng is not None or in_loop_body():
        return None
    if seed is None:
        seed = np.random.randint(10000000)
    return np.random.RandomState(int(seed) % (2 ** 32))


# outside every step, a random op is kept as the op, drawn again wherever it is used
_drawn_when_used = _scopes.drawn_when_used(RandomExpression)


@symbolic
@_drawn_when_used
def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A tensor of draws from a uniform distribution on `[minval, maxval)`.

    # Arguments
        shape: a tuple of integers.
        minval: the lower bound.
        maxval: the upper bound.
        dtype: the dtype (`None`: `K.floatx()`).
        seed: random seed.

    # Returns
        A tensor.
    """
    dtype = dtype or config.floatx()
    rng = _eager_rng(seed)
    if rng is not None:
        return to_device(rng.uniform(minval, maxval, size=tuple(shape)), dtype)
    key = next_rng_key(seed)
    if jnp.issubdtype(dtype, jnp.integer):
        # integers in [minval, maxval), as TensorFlow's random_uniform drew them (Keras 2.2.4)
        return jax.random.randint(key, tuple(shape), minval, maxval, dtype=dtype)
    return jax.random.uniform(key, tuple(shape), dtype=dtype, minval=minval, maxval=maxval)


@symbolic
@_drawn_when_used
def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of draws from a normal distribution.

    # Arguments
        shape: a tuple of integers.
        mean: the mean.
        stddev: the standard deviation.
        dtype: the dtype (`None`: `K.floatx()`).
        seed: random seed.

    # Returns
        A tensor.
    """
    dtype = dtype or config.floatx()
    rng = _eager_rng(seed)
    if rng is not None:
        return to_device(rng.normal(mean, stddev, size=tuple(shape)), dtype)
    key = next_rng_key(seed)
    return mean + stddev * jax.random.normal(key, tuple(shape), dtype=dtype)


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
    rng = _eager_rng(seed)
    if rng is not None:
        values = rng.normal(0., 1., size=tuple(shape))
        bad = np.abs(values) > 2.
        while bad.any():
            values[bad] = rng.normal(0., 1., size=int(bad.sum()))
            bad = np.abs(values) > 2.
        return to_device(mean + stddev * values, dtype)
    key = next_rng_key(seed)
    return mean + stddev * jax.random.truncated_normal(key, -2.0, 2.0, tuple(shape), dtype=dtype)


@symbolic
@_drawn_when_used
def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """A tensor of random 0/1 values (Bernoulli draws).

    # Arguments
        shape: a tuple of integers.
        p: the probability of a 1.
        dtype: the dtype (`None`: `K.floatx()`).
        seed: random seed.

    # Returns
        A tensor.
    """
    dtype = dtype or config.floatx()
    rng = _eager_rng(seed)
    if rng is not None:
        return to_device((rng.uniform(size=tuple(shape)) < p).astype(dtype))
    key = next_rng_key(seed)
    return _computed_once(jax.random.uniform(key, tuple(shape)) < p).astype(dtype)


# ------------------------------------------------------------ variables
def get_value(x):
    """The value of `x` as a writable NumPy array of its own (Keras 2 code changes it).

    # Arguments
        x: a variable (or an array).

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
    else:
        value = np.asarray(x)
    if value.ndim == 0:
        # a NumPy number, as Keras 2.2.4's session gave one (keras_lr_finder appends
        # `K.get_value(lr)` to a list, then multiplies its local copy in place)
        return value[()]
    return value if value.flags.writeable else value.copy()


def batch_get_value(ops):
    """The values of several variables (or tensors) as NumPy arrays.

    # Arguments
        ops: a list of variables or tensors.

    # Returns
        A list of NumPy arrays.
    """
    return [get_value(x) for x in ops]


def set_value(x, value):
    """Sets the value of a variable from a NumPy array.

    # Arguments
        x: a `Variable`.
        value: an array of the variable's shape.

    # Raises
        TypeError: `x` is not a variable.
        ValueError: the shapes differ.
    """
    if not isinstance(x, Variable):
        raise TypeError('set_value: expected a variable (K.variable), got %s' % type(x).__name__)
    value = np.asarray(value)
    if value.shape != x.shape:
        raise ValueError('set_value: variable %r has shape %s, value has shape %s'
                         % (x.name, x.shape, value.shape))
    # (at once, also inside a trace, as Keras 2.2.4's session ran the assignment: a loss
    # function that builds a network and loads its weights, SRGAN's VGG19 perceptual loss)
    with jax.ensure_compile_time_eval():
        x._value = to_device(value, x._storage_dtype)


def batch_set_value(tuples):
    """Sets the values of several variables at once.

    # Arguments
        tuples: a list of `(variable, value)` pairs, each value an array of the variable's
            shape.
    """
    for x, value in tuples:
        set_value(x, value)


def eval(x):  # noqa: A001
    """The value of a variable or tensor as a NumPy array.

    # Arguments
        x: a variable or tensor.

    # Returns
        A NumPy array (a writable copy); a NumPy number for a 0-d value.

    # Example
    ```python
    kvar = K.variable(np.array([[1, 2], [3, 4]]), dtype='float32')
    K.eval(kvar)   # array([[1., 2.], [3., 4.]], dtype=float32)
    ```
    """
    return get_value(x)


def count_params(x):
    """The number of scalars in a variable or tensor.

    # Arguments
        x: a variable or tensor.

    # Returns
        An integer.
    """
    return int(np.prod(int_shape(x)))


def update(x, new_x):
    """Assigns a new value to a variable.

    Inside a compiled step (a layer's call, a loss, an optimizer's `get_updates`) the
    assignment is the step's. Outside, as in Keras 2.2.4, nothing changes until the update
    runs (`K.eval` of it, `K.batch_get_value`, `K.function(..., updates=[...])`, a model's
    steps once added with `add_update`), and each run assigns the value computed from the
    variables then; a constant new value is also assigned at once (`scopes.DeferredUpdate`).

    # Arguments
        x: a variable.
        new_x: a tensor of the variable's shape.

    # Returns
        The new value inside a step, else the update (a `(variable, new value)` pair).
    """
    return _scopes.update(x, new_x)


def update_add(x, increment):
    """Adds `increment` to a variable.

    # Arguments
        x: a variable.
        increment: a tensor of the variable's shape.

    # Returns
        The update.
    """
    return _scopes.update(x, x + increment)


def update_sub(x, decrement):
    """Subtracts `decrement` from a variable.

    # Arguments
        x: a variable.
        decrement: a tensor of the variable's shape.

    # Returns
        The update.
    """
    return _scopes.update(x, x - decrement)


def moving_average_update(x, value, momentum):
    """Updates a zero-debiased exponential moving average.

    As Keras 2.2.4's TensorFlow backend did: after t updates `x` is
    `b_t / (1 - momentum ** t)`, with `b_t = b_(t-1) * momentum + value * (1 - momentum)`
    and `b_0 = 0` (the first update sets `x` to the value). Runs as `update` does (inside a
    step, or when the update runs).

    # Arguments
        x: a variable.
        value: the new value.
        momentum: the momentum.

    # Returns
        As `update`.
    """
    return _scopes.moving_average_update(x, value, momentum)


@symbolic
def stop_gradient(variables):
    """The same values, with no gradient flowing back through them.

    # Arguments
        variables: a tensor or a list of tensors.

    # Returns
        A tensor or a list of tensors.
    """
    if isinstance(variables, (list, tuple)):
        return [lax.stop_gradient(_a(v)) for v in variables]
    return lax.stop_gradient(_a(variables))


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
    if alpha != 0.:
        if threshold != 0.:
            negative_part = jnp.maximum(threshold - x, 0.)
        else:
            negative_part = jnp.maximum(-x, 0.)
    if threshold != 0.:
        y = x * (x > threshold).astype(x.dtype)
    else:
        y = jnp.maximum(x, 0.)
    if max_value is not None:
        y = jnp.clip(y, 0., max_value)
    if alpha != 0.:
        y = y - alpha * negative_part
    return y


@symbolic
def elu(x, alpha=1.):
    """Exponential linear unit.

    # Arguments
        x: a tensor.
        alpha: the scale of the negative part.

    # Returns
        A tensor.
    """
    x = _a(x)
    res = jnp.where(x > 0, x, jnp.expm1(jnp.minimum(x, 0.)))
    if alpha == 1:
        return res
    return jnp.where(x > 0, res, alpha * res)


@symbolic
def softmax(x, axis=-1):
    """Softmax along an axis.

    # Arguments
        x: a tensor.
        axis: the axis.

    # Returns
        A tensor of the shape of `x`.
    """
    return jax.nn.softmax(_a(x), axis=axis)


@symbolic
def softplus(x):
    """Element-wise softplus `log(exp(x) + 1)`.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jax.nn.softplus(_a(x))


@symbolic
def softsign(x):
    """Element-wise softsign `x / (abs(x) + 1)`.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    x = _a(x)
    return x / (1 + jnp.abs(x))


@symbolic
def sigmoid(x):
    """Element-wise logistic sigmoid `1 / (1 + exp(-x))`.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jax.nn.sigmoid(_a(x))


@symbolic
def hard_sigmoid(x):
    """Piecewise-linear approximation of the sigmoid: `clip(0.2 * x + 0.5, 0, 1)`.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    x = _a(x)
    return jnp.clip(0.2 * x + 0.5, 0., 1.)


@symbolic
def tanh(x):
    """Element-wise hyperbolic tangent.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.tanh(_a(x))


@symbolic
def bias_add(x, bias, data_format=None):
    """Adds a bias vector to a tensor along its channel axis.

    # Arguments
        x: a tensor.
        bias: a 1-D bias (or one of the shape of the non-batch dimensions).
        data_format: `'channels_last'` or `'channels_first'` (`None`: the default): which axis
            is the channel axis.

    # Returns
        A tensor of the shape of `x`.

    # Raises
        ValueError: unknown `data_format` or a bias shape that does not fit.
    """
    data_format = config.normalize_data_format(data_format)
    x, bias = _a(x), _a(bias)
    if bias.ndim != 1 and bias.ndim != x.ndim - 1:
        raise ValueError('bias_add: unexpected bias dimensions %d (shape %s); expected 1 or %d'
                         % (bias.ndim, bias.shape, x.ndim - 1))
    if data_format == 'channels_first' and x.ndim > 2:
        if bias.ndim == 1:
            return x + jnp.reshape(bias, (1, bias.shape[0]) + (1,) * (x.ndim - 2))
        # Keras 2.2.4 reshapes (it does not transpose) a full bias to (1, C, spatial...)
        return x + jnp.reshape(bias, (1, bias.shape[-1]) + bias.shape[:-1])
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
        ValueError: `level` outside `[0, 1)`.
    """
    x = _a(x)
    keep = _kept_fraction(level)
    if keep is None:    # (a tensor or variable level)
        keep = 1. - jnp.asarray(_a(level), x.dtype)
    if noise_shape is None:
        noise_shape = x.shape
    else:
        noise_shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    mask = _keep_mask(next_rng_key(seed), keep, noise_shape) > 0
    return jnp.where(mask, x / keep, 0.).astype(x.dtype)


def _keep_mask(key, keep, shape):
    """`jax.random.bernoulli(key, keep, shape)` as a float32 0/1 mask, computed once in a
    compiled step. On the CPU, where the native handlers are built (`onednn`), a custom call
    computes the same bits: XLA compiles the Threefry hash of every dropout into a kernel
    of its own, about 35 ms of a first batch each (the MNIST CNN's two: its step compiled
    in 0.64 s without dropout, 0.71 s with)."""
    from . import onednn, random_streams
    concrete = builtins.all(isinstance(d, (int, np.integer)) for d in shape)  # not symbolic
    if (concrete and isinstance(keep, float) and math.prod(shape) < 2 ** 32
            and not jax.config.read('jax_enable_x64')  # (64-bit draws there)
            and jax.random.key_impl(key) == random_streams.STREAMS
            and onednn.handles(jax.ShapeDtypeStruct(tuple(shape), np.float32))):
        return onednn.keep_mask(jax.random.key_data(key), keep, shape)
    return _computed_once(jax.random.bernoulli(key, keep, shape))


def _computed_once(mask):
    """A random 0/1 mask (boolean or numbers) as float32 0/1, computed once in a compiled
    step however many kernels read it.

    XLA fuses a cheap elementwise producer into every consumer, so the counter hash behind
    a mask ran again in each kernel that read it: in the forward pass, in the backward
    pass, and in a 2x2 max pooling's gradient once per window position (four times over).
    XLA does not duplicate a square root, so the mask passes through one (exact on 0 and
    1), is written once and is read where it is used, as TensorFlow keeps its dropout mask.
    Measured on the 2-core CPU (train steps in fresh processes, three alternating rounds,
    identical results): MNIST CNN 82.8-87.9 -> 76.4-81.3 ms, IMDB LSTM 25.1-25.4 ->
    22.1-23.3 ms, MNIST MLP at batch 128 2.68-2.87 -> 2.51-2.72 ms.
    """
    return jnp.sqrt(mask.astype(jnp.float32))


@symbolic
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical cross-entropy between a target and an output tensor.

    # Arguments
        target: a one-hot tensor of the shape of `output`.
        output: probabilities (after a softmax), or logits with `from_logits=True`.
        from_logits: whether `output` holds logits.
        axis: the class axis.

    # Returns
        A tensor of the losses, the class axis removed.
    """
    target, output = _a(target), _a(output)
    if from_logits:
        if target.shape != output.shape and target.size == output.size and \
                axis in (-1, output.ndim - 1) and target.shape[-1:] == output.shape[-1:]:
            # TensorFlow's op flattened both to rows of classes: one-hot targets of shape
            # (T, 1, V) with logits (T, V) are T rows (ELMo-keras' softmax)
            target = jnp.reshape(target, output.shape)
        return -jnp.sum(target * jax.nn.log_softmax(output, axis=axis), axis=axis)
    output = output / jnp.sum(output, axis=axis, keepdims=True)
    eps = config.epsilon()
    output = jnp.clip(output, eps, 1. - eps)
    return -jnp.sum(target * jnp.log(output), axis=axis)


@symbolic
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical cross-entropy between a target and an output tensor given as class indices.

    # Arguments
        target: integer class indices (the shape of `output` without its class axis, or with
            a last axis of size 1).
        output: probabilities (after a softmax), or logits with `from_logits=True`.
        from_logits: whether `output` holds logits.
        axis: the class axis.

    # Returns
        A tensor of the losses, the class axis removed.

    # Raises
        ValueError: if `target` does not hold one class index per output position (e.g.
            one-hot targets).
    """
    target, output = _a(target), _a(output)
    if axis != -1 and axis != output.ndim - 1:
        output = jnp.moveaxis(output, axis, -1)
    if not from_logits:
        eps = config.epsilon()
        output = jnp.log(jnp.clip(output, eps, 1 - eps))
    # softmax cross-entropy on log-probabilities renormalizes them, as Keras 2.2.4 (TF) does
    output = jax.nn.log_softmax(output, axis=-1)
    target = target.astype('int32')
    # As Keras 2.2.4 (TF) the targets are taken in flattened order, one class index per
    # output position: (n,), (n, 1) or, for channels_first outputs, (n, 1, h, w) all work.
    positions = output.shape[:-1]
    if target.shape != positions:
        if int(np.prod(target.shape)) != int(np.prod(positions)):
            raise ValueError(
                'sparse_categorical_crossentropy expects integer class indices, one per output '
                'position (targets of shape %s or %s), but got targets of shape %s for outputs '
                'of shape %s. If your targets are one-hot encoded, use '
                '`categorical_crossentropy` instead (or convert them with `np.argmax(y, -1)`).'
                % (tuple(positions), tuple(positions) + (1,), tuple(target.shape),
                   tuple(output.shape)))
        target = jnp.reshape(target, positions)
    return -jnp.take_along_axis(output, target[..., None], axis=-1)[..., 0]


@symbolic
def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy between a target and an output tensor.

    # Arguments
        target: a tensor of the shape of `output`, values 0 or 1.
        output: probabilities (after a sigmoid), or logits with `from_logits=True`.
        from_logits: whether `output` holds logits.

    # Returns
        A tensor of the shape of `output`.
    """
    target, output = _a(target), _a(output)
    if not from_logits:
        eps = config.epsilon()
        output = jnp.clip(output, eps, 1 - eps)
        output = jnp.log(output / (1 - output))
    # sigmoid_cross_entropy_with_logits, numerically stable form
    return jnp.maximum(output, 0) - output * target + jnp.log1p(jnp.exp(-jnp.abs(output)))


# ------------------------------------------------------------ control
def in_train_phase(x, alt, training=None):
    """Selects `x` in the training phase and `alt` otherwise.

    # Arguments
        x: what to return in the training phase (a tensor, or a callable returning one).
        alt: what to return otherwise.
        training: `None` (the current learning phase) or a value forcing the phase.

    # Returns
        `x` or `alt`.
    """
    if training is None:
        training = learning_phase()
    if bool(training):
        return x() if callable(x) else x
    return alt() if callable(alt) else alt


def in_test_phase(x, alt, training=None):
    """Selects `x` in the test phase and `alt` in the training phase.

    # Arguments
        x: what to return in the test phase (a tensor, or a callable returning one).
        alt: what to return in the training phase.
        training: `None` (the current learning phase) or a value forcing the phase.

    # Returns
        `x` or `alt`.
    """
    return in_train_phase(alt, x, training=training)


@symbolic
def switch(condition, then_expression, else_expression):
    """Chooses between two expressions by a condition.

    A scalar condition selects one of the expressions; a tensor condition selects element-wise
    (it is broadcast over the trailing axes of the expressions).

    # Arguments
        condition: a boolean (or 0/1) tensor.
        then_expression: a tensor, or a callable returning one.
        else_expression: a tensor, or a callable returning one.

    # Returns
        A tensor.
    """
    cond = _a(condition)
    t = then_expression() if callable(then_expression) else _a(then_expression)
    e = else_expression() if callable(else_expression) else _a(else_expression)
    if cond.ndim == 0:
        return lax.cond(cond, lambda: t, lambda: e)
    while cond.ndim < jnp.ndim(t):
        cond = cond[..., None]
    return jnp.where(cond, t, e)


def _operands(x, y):
    """The two operands of an arithmetic operator as TensorFlow converted numbers against
    the other operand (`scopes.as_tensorflow_operand`; see `_c` for variables)."""
    x, y = _c(x), _c(y)
    return (as_tensorflow_operand(x, getattr(y, 'dtype', None)),
            as_tensorflow_operand(y, getattr(x, 'dtype', None)))


def _numpy_sizes(x, y):
    """Whether `x` and `y` are integers, one of them NumPy's: sizes (`K.shape(t)[1]` of a
    graph's tensor, recorded as an op, is a NumPy value), which arithmetic keeps NumPy
    values (`x[:, :K.shape(x)[1] - 1]` slices by it)."""
    def integer(v):
        return isinstance(v, (int, np.integer, np.ndarray)) and not isinstance(v, bool) and \
            np.asarray(v).dtype.kind in 'iu'
    return integer(x) and integer(y) and (isinstance(x, (np.ndarray, np.integer)) or
                                          isinstance(y, (np.ndarray, np.integer)))


# Python operators on symbolic tensors record graph nodes through the ops above.
def _install_keras_tensor_operators():
    @symbolic
    def add(x, y):
        if _numpy_sizes(x, y):
            return np.add(x, y)
        return jnp.add(*_operands(x, y))

    @symbolic
    def subtract(x, y):
        if _numpy_sizes(x, y):
            return np.subtract(x, y)
        return jnp.subtract(*_operands(x, y))

    @symbolic
    def multiply(x, y):
        if _numpy_sizes(x, y):
            return np.multiply(x, y)
        return jnp.multiply(*_operands(x, y))

    @symbolic
    def divide(x, y):
        return jnp.true_divide(*_operands(x, y))

    @symbolic
    def floor_divide(x, y):
        if _numpy_sizes(x, y) and np.all(np.asarray(y) != 0):
            return np.floor_divide(x, y)
        return jnp.floor_divide(*_operands(x, y))

    @symbolic
    def matmul(x, y):
        return jnp.matmul(_c(x), _c(y))

    @symbolic
    def negative(x):
        return jnp.negative(_c(x))

    @symbolic
    def getitem(x, idx):
        # NumPy sizes (`K.shape(y)` of a graph's tensor, recorded as an op) stay NumPy
        # values, as a layer's own `K.shape(y)[1]` does: they can size new tensors
        idx = _scopes._tensorflow_index(idx)
        if isinstance(x, np.ndarray) and _is_static_index(idx):
            return x[idx]
        return _a(x)[idx]

    @symbolic
    def mod(x, y):
        if _numpy_sizes(x, y) and np.all(np.asarray(y) != 0):
            return np.mod(x, y)
        return jnp.mod(*_operands(x, y))

    # `&`, `|`, `^`, `~`: logical on booleans (TensorFlow 1's tensors had them so), bitwise
    # on integers
    @symbolic
    def bitwise_and(x, y):
        return jnp.bitwise_and(*_operands(x, y))

    @symbolic
    def bitwise_or(x, y):
        return jnp.bitwise_or(*_operands(x, y))

    @symbolic
    def bitwise_xor(x, y):
        return jnp.bitwise_xor(*_operands(x, y))

    @symbolic
    def invert(x):
        return jnp.invert(_c(x))

    # (the ops are plain functions, so as class attributes they are the methods)
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
