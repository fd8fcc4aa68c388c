"""Math, normalization and miscellaneous ops of the Keras 2 backend API on TensorFlow."""
import builtins
import sys

import numpy as np
import tensorflow as tf

from .. import config
from .state import Variable, _local as _thread
from ..keras_tensor import symbolic
from ..argcheck import _normalize_axis, _check_contracted  # noqa: F401
from .ops import _a, _c, _is_int, int_shape, variable, random_uniform, random_normal

__all__ = ['arange', 'batch_dot', 'cumsum', 'cumprod', 'in_top_k',
           'normalize_batch_in_training', 'batch_normalization', 'slice', 'to_dense',
           'is_sparse', 'get_variable_shape', 'is_placeholder', 'print_tensor',
           'random_uniform_variable', 'random_normal_variable', 'name_scope']


# ------------------------------------------------------------ creation
@symbolic
def arange(start, stop=None, step=1, dtype='int32'):
    """Like np.arange; with a single negative argument the range is empty (Keras 2).

    # Arguments
        start: the first value, or the end of the range when `stop` is `None`.
        stop: the end of the range (excluded).
        step: the difference between consecutive values.
        dtype: the dtype of the result (default `'int32'`).

    # Returns
        A 1-D tensor of type `dtype` (float32 for a range of floats with the
        default dtype, as in Keras 2.2.4).

    # Raises
        ValueError: if `start`, `stop` or `step` is a tensor that is not a scalar, or if
            `step` is the number 0.
    """
    for name, value in (('start', start), ('stop', stop), ('step', step)):
        if value is not None and not isinstance(value, (int, float, np.integer, np.floating)):
            shape = tuple(_a(value).shape)
            if shape:
                raise ValueError('arange: `%s` must be a scalar, got an array of shape %s'
                                 % (name, shape))
    if isinstance(step, (int, float)) and step == 0:
        raise ValueError('arange: `step` must be non-zero, got %r' % (step,))
    if stop is None and isinstance(start, (int, float)) and start < 0:
        start = 0
    elif stop is None and not isinstance(start, (int, float)):
        # a tensor end: negative ends give an empty range too (tf.range would raise)
        start = tf.maximum(_c(start), tf.zeros([], _c(start).dtype))
    if stop is None:
        start, stop = 0, start
    result = tf.range(_c(start), _c(stop), _c(step))
    # Keras 2.2.4 cast only to another dtype than the default: a range of floats is float32
    # (`K.arange(0., 10, 2.)` scaled afterwards: position encodings)
    return result if dtype == 'int32' and result.dtype.is_floating else tf.cast(result, dtype)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable initialised from U(low, high)."""
    dtype = dtype or config.floatx()
    value = random_uniform(tuple(shape), minval=low, maxval=high, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable initialised from N(mean, scale**2)."""
    dtype = dtype or config.floatx()
    value = random_normal(tuple(shape), mean=mean, stddev=scale, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


# ------------------------------------------------------------ math
@symbolic
def batch_dot(x, y, axes=None):
    """Batchwise dot product with the Keras 2.2.4 (TensorFlow backend) rules.

    For two 2D inputs, `sum(x * y, axes[0])`; otherwise a batched matmul where `axes` decides
    whether x and y are transposed. Lower-rank operands get trailing unit axes, squeezed from
    the result; a 1D result gets a trailing axis.

    # Arguments
        x: tensor of rank >= 2, batch first.
        y: tensor of rank >= 2, batch first, the same batch size.
        axes: an integer or a pair of integers: the axes of `x` and `y` that are contracted
            (default: the last axis of `x` and the second-to-last of `y`).

    # Returns
        A tensor: per sample, the dot product of `x` and `y` along `axes`.

    # Raises
        ValueError: if an input has rank below 2, if `axes` is not an integer or a pair of
            integers, if an axis is out of range, or if the two contracted axes have known
            sizes that differ.
    """
    x, y = _a(x), _a(y)
    x_ndim, y_ndim = x.shape.rank, y.shape.rank
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError('batch_dot: inputs must have rank >= 2, got x of shape %s and '
                         'y of shape %s' % (tuple(x.shape), tuple(y.shape)))
    if _is_int(axes):
        axes = (axes, axes)
    if axes is None:
        axes = (x_ndim - 1, y_ndim - 2)
    if not isinstance(axes, (list, tuple)) or len(axes) != 2:
        raise ValueError('batch_dot: `axes` must be an int or a pair of ints, got %r'
                         % (axes,))
    axes = (_normalize_axis(axes[0], x_ndim, 'axes[0]', 'batch_dot'),
            _normalize_axis(axes[1], y_ndim, 'axes[1]', 'batch_dot'))
    shapes = x.shape, y.shape
    diff = builtins.abs(x_ndim - y_ndim)
    if x_ndim > y_ndim:
        y = tf.reshape(y, tf.concat([tf.shape(y), [1] * diff], 0))
    elif y_ndim > x_ndim:
        x = tf.reshape(x, tf.concat([tf.shape(x), [1] * diff], 0))
    if x.shape.rank == 2 and y.shape.rank == 2:
        _check_contracted(shapes, axes, x.shape[axes[0]], y.shape[axes[1]])
        if axes[0] == axes[1]:
            out = tf.reduce_sum(x * y, axis=axes[0])
        else:
            out = tf.reduce_sum(tf.transpose(x) * y, axis=axes[1])
    else:
        # (as Keras 2.2.4's, the axes only tell whether x or y is transposed: x (b, t, h)
        # and y (b, h) with the default axes is the product of x and y's vector)
        adjoint_a = axes[0] != x.shape.rank - 1
        adjoint_b = axes[1] == y.shape.rank - 1
        _check_contracted(shapes, axes, x.shape[-2 if adjoint_a else -1],
                          y.shape[-1 if adjoint_b else -2])
        out = tf.matmul(x, y, adjoint_a=adjoint_a, adjoint_b=adjoint_b)
    if diff:
        idx = x_ndim + y_ndim - 3 if x_ndim > y_ndim else x_ndim - 1
        out = tf.squeeze(out, list(range(idx, idx + diff)))
    if out.shape.rank == 1:
        out = tf.expand_dims(out, 1)
    return out


@symbolic
def cumsum(x, axis=0):
    return tf.cumsum(_a(x), axis=axis)


@symbolic
def cumprod(x, axis=0):
    return tf.math.cumprod(_a(x), axis=axis)


@symbolic
def in_top_k(predictions, targets, k):
    """Whether each target is among the top-k predictions (ties count as in, as TF).

    # Arguments
        predictions: float tensor `(batch, classes)`.
        targets: integer tensor `(batch,)` of class indices.
        k: integer, how many top predictions count.

    # Returns
        A boolean tensor `(batch,)`.

    # Raises
        ValueError: if `predictions` is not 2D or `targets` is not 1D.
        TypeError: if `k` is not an integer.
    """
    predictions, targets = _a(predictions), _a(targets)
    if predictions.shape.rank != 2:
        raise ValueError('in_top_k: `predictions` must be 2D (batch, classes), got shape %s'
                         % (tuple(predictions.shape),))
    if targets.shape.rank != 1:
        raise ValueError('in_top_k: `targets` must be 1D with %s entries, got shape %s'
                         % (predictions.shape[0], tuple(targets.shape)))
    if not _is_int(k):
        raise TypeError('in_top_k: `k` must be an integer, got %r' % (k,))
    return tf.math.in_top_k(tf.cast(targets, tf.int32), tf.cast(predictions, tf.float32), k)


def _broadcast_param(p, x, axis):
    """Reshape a 1D per-channel parameter so that it broadcasts along `axis` of x."""
    if p is None:
        return None
    p = tf.cast(_a(p), x.dtype)
    if p.shape.rank == 1 and x.shape.rank > 1:
        shape = [1] * x.shape.rank
        shape[axis] = -1
        p = tf.reshape(p, shape)
    return p


@symbolic
def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """Normalizes `x` with given statistics: `(x - mean) / sqrt(var + epsilon) * gamma + beta`.

    1D statistics apply along `axis`. Float32 4D inputs normalized along the last axis (the
    channel axis first too, on GPUs) run TensorFlow's fused kernel, as in Keras 2.2.4 (one
    `FusedBatchNorm` op), whose epsilon is at least 1.001e-5; other 4D inputs normalized
    along the last axis get that epsilon too.

    # Arguments
        x: the input tensor.
        mean: the mean.
        var: the variance.
        beta: the offset (or None).
        gamma: the scale (or None).
        axis: the axis the 1D statistics apply along.
        epsilon: the fuzz factor added to the variance.

    # Returns
        A tensor of the shape of `x`.
    """
    x = _a(x)
    axis = _normalize_axis(axis, x.shape.rank, 'axis', 'batch_normalization')
    fused_format = None
    if x.shape.rank == 4 and x.dtype == tf.float32:
        if axis == 3:
            fused_format = 'NHWC'
        elif axis == 1 and tf.config.list_logical_devices('GPU'):
            fused_format = 'NCHW'     # (TensorFlow's CPU kernel takes NHWC only)
    params = [None if p is None else tf.cast(_a(p), x.dtype) for p in (mean, var, beta, gamma)]
    if fused_format is not None and all(p is None or p.shape.num_elements() == x.shape[axis]
                                        for p in params):
        mean, var, beta, gamma = [None if p is None else tf.reshape(p, [-1]) for p in params]
        beta = tf.zeros_like(mean) if beta is None else beta
        gamma = tf.ones_like(mean) if gamma is None else gamma
        # (TensorFlow 1's kernel raised epsilon to 1.001e-5; TensorFlow 2's takes any)
        y, _, _ = tf.compat.v1.nn.fused_batch_norm(
            x, gamma, beta, mean=mean, variance=var, epsilon=builtins.max(epsilon, 1.001e-5),
            data_format=fused_format, is_training=False)
        return y
    mean, var, beta, gamma = params
    mean, var = _broadcast_param(mean, x, axis), _broadcast_param(var, x, axis)
    beta, gamma = _broadcast_param(beta, x, axis), _broadcast_param(gamma, x, axis)
    if x.shape.rank == 4 and axis == 3:
        # Keras 2.2.4 used TF's fused kernel here, which raises epsilon to 1.001e-5
        epsilon = builtins.max(epsilon, 1.001e-5)
    return tf.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)


@symbolic
def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """Normalizes `x` with the statistics of the batch over `reduction_axes`.

    The variance returned is the biased batch variance, except for 4D inputs reduced over
    (0, 1, 2): Keras 2.2.4's fused kernel returned the Bessel-corrected one there (and raised
    epsilon to at least 1.001e-5); the normalization uses the biased one. Float32 inputs run
    that fused kernel (one op each way, the gradient that of the normalized output only).

    # Arguments
        x: the input tensor.
        gamma: the scale (or None), of the shape of the axes not reduced.
        beta: the offset (or None), of the shape of the axes not reduced.
        reduction_axes: an integer or a list of the axes the statistics are computed over.
        epsilon: the fuzz factor added to the variance.

    # Returns
        `(normalized, mean, variance)`: the statistics have the reduced axes removed.
    """
    x = _a(x)
    if _is_int(reduction_axes):
        reduction_axes = [reduction_axes]
    rank = x.shape.rank
    axes = [_normalize_axis(a, rank, 'reduction_axes', 'normalize_batch_in_training')
            for a in reduction_axes]
    fused = _fused_normalize_batch_in_training(x, gamma, beta, list(reduction_axes), epsilon)
    if fused is not None:
        return fused
    mean, biased_var = tf.nn.moments(x, axes)
    variance = biased_var
    if rank == 4 and list(reduction_axes) == [0, 1, 2]:
        epsilon = builtins.max(epsilon, 1.001e-5)
        n = tf.cast(tf.reduce_prod(tf.gather(tf.shape(x), axes)), x.dtype)
        variance = tf.where(n > 1, biased_var * n / tf.maximum(n - 1., 1.), biased_var)
    bshape = [1 if i in axes else -1 for i in range(rank)]
    if sum(1 for d in bshape if d == -1) > 1:
        bshape = tf.where([i in axes for i in range(rank)], 1, tf.shape(x))

    def b(p):
        if p is None:
            return None
        p = tf.cast(_a(p), x.dtype)
        return tf.reshape(p, bshape) if p.shape.rank >= 1 else p

    normed = tf.nn.batch_normalization(x, tf.reshape(mean, bshape), tf.reshape(biased_var, bshape),
                                       b(beta), b(gamma), epsilon)
    return normed, mean, variance


def _fused_normalize_batch_in_training(x, gamma, beta, axes, epsilon):
    """`normalize_batch_in_training` as one `FusedBatchNormV3` op in training mode where
    Keras 2.2.4 ran it (a float32 4D input over its first three axes, or over (0, 2, 3) where
    a GPU takes channels first, the axes given as these numbers, with per-channel
    parameters), else None: the variance returned is Bessel-corrected, epsilon is at least
    1.001e-5, and the gradient (one `FusedBatchNormGradV3` op) is that of the normalized
    output alone (the statistics carry none of their own, as on the JAX backend).
    ResNet20's fit on the CPU against `tf.nn.moments` with `tf.nn.batch_normalization`:
    610-660 -> 890-1040 samples/s (fresh processes alternating)."""
    if x.shape.rank != 4 or x.dtype != tf.float32:
        return None
    if axes == [0, 1, 2]:
        data_format, channels = 'NHWC', x.shape[3]
    elif axes == [0, 2, 3] and tf.config.list_logical_devices('GPU'):
        data_format, channels = 'NCHW', x.shape[1]
    else:
        return None
    params = [None if p is None else tf.reshape(tf.cast(_a(p), tf.float32), [-1])
              for p in (gamma, beta)]
    if channels is None or builtins.any(p is not None and p.shape[0] != channels for p in params):
        return None
    scale, offset = params
    return tuple(tf.compat.v1.nn.fused_batch_norm(
        x, tf.ones([channels]) if scale is None else scale,
        tf.zeros([channels]) if offset is None else offset,
        epsilon=builtins.max(epsilon, 1.001e-5), data_format=data_format, is_training=True))


# ------------------------------------------------------------ slicing
@symbolic
def slice(x, start, size):  # noqa: A001 - Keras API name
    """A slice of `x` (`tf.slice`): `size[i] == -1` takes everything from `start[i]` on.

    # Arguments
        x: input tensor.
        start: the first index along each axis.
        size: how many entries to take along each axis (-1: to the end).

    # Returns
        A tensor.

    # Raises
        ValueError: if `start` and `size` (given as lists of integers) do not have one entry
            per dimension of `x`, or if a slice is out of bounds.
    """
    x = _a(x)
    if isinstance(start, (list, tuple)) and builtins.all(_is_int(s) for s in start) and \
            isinstance(size, (list, tuple)) and builtins.all(_is_int(s) for s in size):
        if len(start) != x.shape.rank or len(size) != x.shape.rank:
            raise ValueError('slice: `start` and `size` need one entry per dimension of x '
                             '(rank %d), got start=%r and size=%r' % (x.shape.rank, start, size))
        for d, (s, n) in enumerate(zip(start, size)):
            dim = x.shape[d]
            if dim is not None and (s < 0 or (n != -1 and (n < 0 or s + n > dim))):
                raise ValueError('slice: start=%d, size=%d is out of bounds for dimension %d '
                                 'of size %d' % (s, n, d, dim))
    return tf.slice(x, _c(start), _c(size))


# ------------------------------------------------------------ sparse
def is_sparse(tensor):
    """True for `tf.SparseTensor`s (and KerasTensors flagged sparse)."""
    if isinstance(tensor, tf.SparseTensor):
        return True
    return bool(getattr(tensor, '_is_sparse', False) or getattr(tensor, 'sparse', False)
                is True)


def to_dense(tensor):
    if isinstance(tensor, tf.SparseTensor):
        return tf.sparse.to_dense(tensor)
    return tensor


# ------------------------------------------------------------ misc
def get_variable_shape(x):
    return int_shape(x)


def is_placeholder(x):
    """True for placeholders (tensors created by K.placeholder / Input)."""
    return bool(getattr(x, '_is_placeholder', False))


@symbolic
def print_tensor(x, message=''):
    """Returns x unchanged and prints `message` followed by its value when it is computed.

    # Arguments
        x: tensor to print.
        message: string printed before the value.

    # Returns
        `x`, unchanged.

    # Raises
        TypeError: if `message` is not a string.
    """
    if not isinstance(message, str):
        raise TypeError('print_tensor: `message` must be a string, got %r' % (message,))
    x = _a(x)
    if tf.executing_eagerly():      # NumPy's formatting, as on the JAX backend
        print('%s%s' % (message, x.numpy()), flush=True)
    else:
        tf.print(message, x, output_stream=sys.stdout, sep='')
    return x


class name_scope(object):
    """Context manager for name scopes (`with K.name_scope('block1'): ...`); entering returns
    the full scope name ('outer/inner/'). TensorFlow's own name scope is entered too."""

    def __init__(self, name, default_name=None, values=None):
        if name is None:
            name = default_name
        if name is not None and not isinstance(name, str):
            raise TypeError('name_scope: `name` must be a string, got %r' % (name,))
        self.name = name
        self._tf = None

    def __enter__(self):
        stack = _thread.name_scopes
        prefix = stack[-1] if stack else ''
        if self.name:
            full = self.name if self.name.endswith('/') else prefix + self.name + '/'
        else:
            full = ''
        stack.append(full)
        if self.name:
            self._tf = tf.name_scope(self.name.rstrip('/'))
            self._tf.__enter__()
        return full

    def __exit__(self, *exc):
        if self._tf is not None:
            self._tf.__exit__(*exc)
            self._tf = None
        _thread.name_scopes.pop()
        return False
