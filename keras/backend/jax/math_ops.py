"""Math, normalization and miscellaneous ops of the Keras 2 backend API."""
import builtins
import functools

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .. import config
from . import onednn
from .state import Variable, _local as _thread
from ..keras_tensor import symbolic
from ..argcheck import _normalize_axis, _check_contracted  # noqa: F401
from .ops import _a, _c, _computed_dtype, _is_int, _size, int_shape, variable, random_uniform, \
    random_normal

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
        ValueError: if `start`, `stop` or `step` is an array that is not a scalar, or if
            `step` is 0.
    """
    for name, value in (('start', start), ('stop', stop), ('step', step)):
        if value is not None and not isinstance(value, (int, float, np.integer, np.floating)):
            shape = np.shape(_c(value))
            if shape:
                raise ValueError('arange: `%s` must be a scalar, got an array of shape %s'
                                 % (name, shape))
    if step == 0:
        raise ValueError('arange: `step` must be non-zero, got %r' % (step,))
    if stop is None and start < 0:
        start = 0
    if stop is None:
        start, stop = 0, start
    result = jnp.arange(start, stop, step)
    if dtype == 'int32' and jnp.issubdtype(result.dtype, jnp.floating):
        # Keras 2.2.4 cast only to another dtype than the default: a range of floats is
        # float32, as TensorFlow's range of them (`K.arange(0., 10, 2.)`: position encodings)
        return result.astype('float32')
    return result.astype(_computed_dtype(dtype))


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable initialised from U(low, high).

    # Arguments
        shape: tuple of integers.
        low: the lower bound.
        high: the upper bound (excluded).
        dtype: the dtype (default `K.floatx()`).
        name: the name of the variable.
        seed: integer random seed.

    # Returns
        A `Variable`.
    """
    dtype = dtype or config.floatx()
    value = random_uniform(tuple(shape), minval=low, maxval=high, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable initialised from N(mean, scale**2).

    # Arguments
        shape: tuple of integers.
        mean: the mean.
        scale: the standard deviation.
        dtype: the dtype (default `K.floatx()`).
        name: the name of the variable.
        seed: integer random seed.

    # Returns
        A `Variable`.
    """
    dtype = dtype or config.floatx()
    value = random_normal(tuple(shape), mean=mean, stddev=scale, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


# ------------------------------------------------------------ math
@symbolic
def batch_dot(x, y, axes=None):
    """Batchwise dot product with the Keras 2.2.4 (TensorFlow backend) rules.

    For two 2D inputs, `sum(x * y, axes[0])` (x transposed first when the two
    axes differ); otherwise a batched matmul where `axes` only decides whether
    x (its axis is not the last) and y (its axis is the last) are transposed.
    Lower-rank operands are padded with trailing unit axes and those axes are
    squeezed away from the result; a 1D result gets a trailing axis.

    # Arguments
        x: tensor of rank >= 2, batch first.
        y: tensor of rank >= 2, batch first, the same batch size.
        axes: an integer or a pair of integers: the axes of `x` and `y` that are contracted
            (default: the last axis of `x` and the second-to-last of `y`, or the last for a 2D
            `y`).

    # Returns
        A tensor: per sample, the dot product of `x` and `y` along `axes` (a result of one
        axis gains a trailing axis of size 1, as in Keras 2).

    # Raises
        ValueError: if an input has rank below 2, if `axes` is not an integer or a pair of
            integers, if an axis is out of range, or if the two contracted axes differ in size.
    """
    x, y = _a(x), _a(y)
    x_ndim, y_ndim = x.ndim, y.ndim
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError('batch_dot: inputs must have rank >= 2, got x of shape %s and '
                         'y of shape %s' % (x.shape, y.shape))
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
        y = jnp.reshape(y, y.shape + (1,) * diff)
    elif y_ndim > x_ndim:
        x = jnp.reshape(x, x.shape + (1,) * diff)
    if x.ndim == 2 and y.ndim == 2:
        _check_contracted(shapes, axes, x.shape[axes[0]], y.shape[axes[1]])
        if axes[0] == axes[1]:
            out = jnp.sum(x * y, axis=axes[0])
        else:
            out = jnp.sum(jnp.transpose(x) * y, axis=axes[1])
    else:
        # (as Keras 2.2.4's `tf.matmul`, the axes only tell whether x or y is transposed:
        # x (b, t, h) and y (b, h) with the default axes is the product of x and y's vector)
        if axes[0] != x.ndim - 1:
            x = jnp.swapaxes(x, -1, -2)
        if axes[1] == y.ndim - 1:
            y = jnp.swapaxes(y, -1, -2)
        _check_contracted(shapes, axes, x.shape[-1], y.shape[-2])
        out = jnp.matmul(x, y)
    if diff:
        idx = x_ndim + y_ndim - 3 if x_ndim > y_ndim else x_ndim - 1
        out = jnp.squeeze(out, tuple(range(idx, idx + diff)))
    if out.ndim == 1:
        out = out[:, None]
    return out


@symbolic
def cumsum(x, axis=0):
    """Cumulative sum of the values of a tensor along an axis.

    # Arguments
        x: a tensor.
        axis: the axis.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.cumsum(_a(x), axis=axis)


@symbolic
def cumprod(x, axis=0):
    """Cumulative product of the values of a tensor along an axis.

    # Arguments
        x: a tensor.
        axis: the axis.

    # Returns
        A tensor of the shape of `x`.
    """
    return jnp.cumprod(_a(x), axis=axis)


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
        ValueError: if `predictions` is not 2D or `targets` is not 1D with one entry per
            sample.
        TypeError: if `k` is not an integer.
    """
    predictions, targets = _a(predictions), _a(targets)
    if predictions.ndim != 2:
        raise ValueError('in_top_k: `predictions` must be 2D (batch, classes), got shape %s'
                         % (predictions.shape,))
    if targets.ndim != 1 or targets.shape[0] != predictions.shape[0]:
        raise ValueError('in_top_k: `targets` must be 1D with %d entries, got shape %s'
                         % (predictions.shape[0], targets.shape))
    if not _is_int(k):
        raise TypeError('in_top_k: `k` must be an integer, got %r' % (k,))
    targets = targets.astype('int32')
    num_classes = predictions.shape[1]
    valid = (targets >= 0) & (targets < num_classes)
    safe = jnp.clip(targets, 0, num_classes - 1)
    target_pred = jnp.take_along_axis(predictions, safe[:, None], axis=1)
    n_greater = jnp.sum(predictions > target_pred, axis=1)
    return valid & jnp.isfinite(target_pred[:, 0]) & (n_greater < k)


def _broadcast_param(p, x, axis):
    """Reshape a 1D per-channel parameter so that it broadcasts along `axis` of x."""
    if p is None:
        return None
    p = _a(p)
    if p.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = p.shape[0]
        p = jnp.reshape(p, shape)
    return p


@symbolic
def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta; 1D statistics apply along `axis`.

    # Arguments
        x: input tensor.
        mean: mean of the batch (or moving mean).
        var: variance.
        beta: offset added after scaling.
        gamma: scale applied after normalization.
        axis: the features axis; `mean`, `var`, `beta` and `gamma` are broadcast along it.
        epsilon: small float added to the variance.

    # Returns
        A tensor: `(x - mean) / sqrt(var + epsilon) * gamma + beta`.
    """
    x = _a(x)
    axis = _normalize_axis(axis, x.ndim, 'axis', 'batch_normalization')
    mean = _broadcast_param(mean, x, axis)
    var = _broadcast_param(var, x, axis)
    beta = _broadcast_param(beta, x, axis)
    gamma = _broadcast_param(gamma, x, axis)
    if x.ndim == 4 and axis == 3:
        # Keras 2.2.4 used TF's fused kernel here, which raises epsilon to 1.001e-5
        epsilon = builtins.max(epsilon, 1.001e-5)
    inv = lax.rsqrt(var + epsilon)
    if gamma is not None:
        inv = inv * gamma
    out = x * inv
    shift = -mean * inv
    if beta is not None:
        shift = shift + beta
    return (out + shift).astype(x.dtype)


@symbolic
def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """Batch statistics over `reduction_axes`; returns (normalized, mean, variance).

    The mean and variance have the reduced axes removed, as in Keras 2.  The
    variance is the biased batch variance, except for 4D inputs reduced over
    axes (0, 1, 2): Keras 2.2.4 used TensorFlow's fused kernel there, which
    returns the Bessel-corrected variance `var * n / (n - 1)` (and raises
    epsilon to at least 1.001e-5); normalization always uses the biased one.

    # Arguments
        x: input tensor.
        gamma: scale tensor (or `None`).
        beta: offset tensor (or `None`).
        reduction_axes: the axes over which the statistics are computed (all but the features
            axis).
        epsilon: small float added to the variance.

    # Returns
        `(normalized tensor, mean, variance)`.
    """
    x = _a(x)
    if _is_int(reduction_axes):
        reduction_axes = [reduction_axes]
    axes = tuple(_normalize_axis(a, x.ndim, 'reduction_axes', 'normalize_batch_in_training')
                 for a in reduction_axes)
    bshape = [1 if i in axes else x.shape[i] for i in range(x.ndim)]
    # where Keras 2.2.4 ran TensorFlow's fused kernel (epsilon at least 1.001e-5, the
    # variance returned Bessel-corrected)
    fused = x.ndim == 4 and list(reduction_axes) == [0, 1, 2]
    if fused:
        epsilon = builtins.max(epsilon, 1.001e-5)
    if fused and _fused_norm_on_onednn(x, gamma, beta):
        channels = x.shape[-1]
        scale = jnp.ones((channels,), x.dtype) if gamma is None else jnp.reshape(_a(gamma), (-1,))
        shift = jnp.zeros((channels,), x.dtype) if beta is None else jnp.reshape(_a(beta), (-1,))
        normed, mean, biased_var = _onednn_batch_norm(x, scale, shift, float(epsilon))
    else:
        normed, mean, biased_var = _normalized_with_batch_moments(x, gamma, beta, axes, bshape,
                                                                  epsilon)
    n = int(np.prod([x.shape[i] for i in axes]))
    if fused and n > 1:
        return normed, mean, biased_var * (n / (n - 1.))
    return normed, mean, biased_var


def _normalized_with_batch_moments(x, gamma, beta, axes, bshape, epsilon):
    """`(normalized, mean, biased variance)` of `x` over `axes` in jax.numpy."""
    mean = jnp.mean(x, axis=axes)
    centered = x - jnp.reshape(mean, bshape)
    biased_var = jnp.mean(jnp.square(centered), axis=axes)

    def b(p):
        p = _a(p)
        return jnp.reshape(p, bshape) if p.size == int(np.prod(bshape)) else p

    inv = lax.rsqrt(jnp.reshape(biased_var, bshape) + epsilon)
    if gamma is not None:
        inv = inv * b(gamma)
    normed = centered * inv
    if beta is not None:
        normed = normed + b(beta)
    return normed, mean, biased_var


def _fused_norm_on_onednn(x, gamma, beta):
    """Whether `normalize_batch_in_training`'s fused case (a 4D input normalized over its
    first three axes) runs as oneDNN's batch normalization: float32 on the CPU with oneDNN
    there, with per-channel parameters."""
    def per_channel(p):
        if p is None:
            return True
        p = _a(p)
        return p.size == x.shape[-1] and p.dtype == jnp.float32
    return per_channel(gamma) and per_channel(beta) and onednn.handles(x)


@functools.partial(jax.custom_vjp, nondiff_argnums=(3,))
def _onednn_batch_norm(x, scale, shift, epsilon):
    """`(normalized, mean, biased variance)` of a channels-last 4D `x` over its first three
    axes, the statistics by the native handlers and the gradient by oneDNN.

    The statistics take one pass over `x` (`onednn.batch_moments`); the normalization is
    XLA's elementwise kernel, which XLA fuses with what follows it (a ReLU, a residual sum
    and its ReLU) instead of that reading and writing the normalized output again.
    ResNet20's fit against oneDNN's forward pass, which wrote the normalized output: 655-698
    -> 707-745 samples/s (fresh processes alternating); XLA's own reductions for the
    statistics (the mean, then the centred input written and read again for the variance)
    were no faster than oneDNN's pass. The backward pass is oneDNN's (half the time of
    XLA's reductions and elementwise passes for the same). As with TensorFlow's fused
    kernel, the statistics carry no gradient of their own: the gradient is that of the
    normalized output through them."""
    mean, variance = onednn.batch_moments(x)
    normed = (x - mean) * (lax.rsqrt(variance + epsilon) * scale) + shift
    return normed, mean, variance


def _onednn_batch_norm_fwd(x, scale, shift, epsilon):
    # itself, not the bare custom call: under a second derivative the outputs are
    # differentiated again
    normed, mean, variance = _onednn_batch_norm(x, scale, shift, epsilon)
    return (normed, mean, variance), (x, mean, variance, scale)


def _onednn_batch_norm_bwd(epsilon, residuals, cotangents):
    x, mean, variance, scale = residuals
    return _onednn_batch_norm_grad(x, cotangents[0], mean, variance, scale, epsilon)


_onednn_batch_norm.defvjp(_onednn_batch_norm_fwd, _onednn_batch_norm_bwd)


def _batch_norm_grad_reference(x, dy, scale, epsilon):
    """`_onednn_batch_norm`'s gradient `(dx, dscale, dshift)` in jax.numpy, its statistics
    recomputed from `x` (so that its own derivative accounts for them)."""
    axes = (0, 1, 2)
    mean = jnp.mean(x, axis=axes)
    inv = lax.rsqrt(jnp.mean(jnp.square(x - mean), axis=axes) + epsilon)
    normed = (x - mean) * inv
    dshift = jnp.sum(dy, axis=axes)
    dscale = jnp.sum(dy * normed, axis=axes)
    n = x.shape[0] * x.shape[1] * x.shape[2]
    dx = (scale * inv / n) * (n * dy - dshift - normed * dscale)
    return dx, dscale, dshift


@functools.partial(jax.custom_vjp, nondiff_argnums=(5,))
def _onednn_batch_norm_grad(x, dy, mean, variance, scale, epsilon):
    """oneDNN's batch-normalization gradient; differentiated (a gradient of a gradient)
    as `_batch_norm_grad_reference` is."""
    return onednn.batch_norm_backward(x, dy, mean, variance, scale, epsilon)


def _onednn_batch_norm_grad_fwd(x, dy, mean, variance, scale, epsilon):
    return (_onednn_batch_norm_grad(x, dy, mean, variance, scale, epsilon),
            (x, dy, mean, variance, scale))


def _onednn_batch_norm_grad_bwd(epsilon, residuals, cotangents):
    x, dy, mean, variance, scale = residuals
    _, vjp = jax.vjp(lambda x, dy, scale: _batch_norm_grad_reference(x, dy, scale, epsilon),
                     x, dy, scale)
    dx, ddy, dscale = vjp(cotangents)
    # the statistics are functions of `x`, which the reference differentiates through
    return dx, ddy, jnp.zeros_like(mean), jnp.zeros_like(variance), dscale


_onednn_batch_norm_grad.defvjp(_onednn_batch_norm_grad_fwd, _onednn_batch_norm_grad_bwd)


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
        ValueError: if `start` or `size` does not have one entry per dimension of `x`, or if
            a slice is out of bounds (with a traced `start`, `size` must be non-negative).
    """
    x = _a(x)
    size = [_size(s) for s in np.asarray(_a(size) if isinstance(size, Variable) else size)
            .reshape(-1)]
    if isinstance(start, jax.core.Tracer) or (isinstance(start, (list, tuple)) and builtins.any(
            isinstance(s, jax.core.Tracer) for s in start)):
        # traced start: a dynamic slice of static size (start is clamped into range); a
        # size of -1 takes the rest of an axis whose start is a number (keras-contrib's
        # CRF: K.slice(x, [0, t], [-1, 2]) with t traced)
        starts = list(start) if isinstance(start, (list, tuple)) else None
        if len(size) == x.ndim and starts is not None and len(starts) == x.ndim:
            size = [x.shape[d] - int(starts[d]) if n == -1 and
                    not isinstance(starts[d], jax.core.Tracer) else n
                    for d, n in enumerate(size)]
        if len(size) != x.ndim or builtins.any(n < 0 for n in size):
            raise ValueError('slice: with a traced `start`, `size` must give one '
                             'non-negative entry per dimension of x (rank %d; -1 only where '
                             'the start is a number), got %r' % (x.ndim, size))
        start = jnp.stack([jnp.asarray(s, 'int32').reshape(()) for s in starts]) \
            if starts is not None else jnp.reshape(jnp.asarray(start), (-1,)).astype('int32')
        return lax.dynamic_slice(x, [start[i] for i in range(x.ndim)], size)
    start = [int(s) for s in np.asarray(_c(start)).reshape(-1)]
    if len(start) != x.ndim or len(size) != x.ndim:
        raise ValueError('slice: `start` and `size` need one entry per dimension of x '
                         '(rank %d), got start=%r and size=%r' % (x.ndim, start, size))
    index = []
    for d, (s, n) in enumerate(zip(start, size)):
        dim = x.shape[d]
        if n == -1:
            n = dim - s
        if s < 0 or n < 0 or s + n > dim:
            raise ValueError('slice: start=%d, size=%d is out of bounds for dimension %d '
                             'of size %d' % (s, size[d], d, dim))
        index.append(builtins.slice(s, s + n))
    return x[tuple(index)]


# ------------------------------------------------------------ sparse
def _is_bcoo(x):
    return type(x).__name__ in ('BCOO', 'BCSR') and type(x).__module__.startswith(
        'jax.experimental.sparse')


def is_sparse(tensor):
    """True for jax.experimental.sparse arrays (and KerasTensors flagged sparse).

    # Arguments
        tensor: a tensor.

    # Returns
        A boolean.
    """
    if _is_bcoo(tensor):
        return True
    return bool(getattr(tensor, '_is_sparse', False) or getattr(tensor, 'sparse', False)
                is True)


def to_dense(tensor):
    """Converts a sparse tensor to a dense one; dense tensors are returned unchanged.

    # Arguments
        tensor: a tensor (a JAX `BCOO` sparse array or a dense array).

    # Returns
        A dense tensor.
    """
    if _is_bcoo(tensor):
        return tensor.todense()
    return tensor


# ------------------------------------------------------------ misc
def get_variable_shape(x):
    """The shape of a variable as a tuple of integers (same as `int_shape`).

    # Arguments
        x: a variable or tensor.

    # Returns
        A tuple of integers (`None` for unknown dimensions).
    """
    return int_shape(x)


def is_placeholder(x):
    """True for placeholders (tensors created by K.placeholder / Input).

    # Arguments
        x: a tensor.

    # Returns
        A boolean.
    """
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
    jax.debug.print('{}{}', message, x)
    return x


class name_scope(object):
    """Context manager for name scopes (`with K.name_scope('block1'): ...`).

    Entering returns the full scope name ('outer/inner/').  Names only serve
    readability here: JAX arrays carry no names.
    """

    def __init__(self, name, default_name=None, values=None):
        if name is None:
            name = default_name
        if name is not None and not isinstance(name, str):
            raise TypeError('name_scope: `name` must be a string, got %r' % (name,))
        self.name = name

    def __enter__(self):
        stack = _thread.name_scopes
        prefix = stack[-1] if stack else ''
        if self.name:
            full = self.name if self.name.endswith('/') else prefix + self.name + '/'
        else:
            full = ''
        stack.append(full)
        return full

    def __exit__(self, *exc):
        _thread.name_scopes.pop()
        return False


def _optimizer_update(rule, grads, values, slots, scalars):
    """One step of a `keras.optimizers` update rule for several weights, in one pass.

    On the CPU, for float32 arrays (a weight's gradient, value and slots of one shape) with
    the native handlers built, one custom call computes the step of every such weight: XLA
    compiles each result of an elementwise rule into a kernel of its own (it fuses no
    sibling outputs there), which rereads the gradient and slots (the MNIST CNN's step
    compiled 24 of its 67 kernels for Adadelta); one call for all weights also runs after
    every other reader of a weight, so that its results can take the weights' buffers.

    # Arguments
        rule: the rule's name, a key of `onednn.OPTIMIZER_RULES` (e.g. 'adam').
        grads: the weights' gradients.
        values: the weights' current values.
        slots: per weight, the values of the rule's slot variables, in its order.
        scalars: the rule's per-step numbers (learning rate, decay factors, epsilon).

    # Returns
        A list aligned with `values`: `[new value] + new slot values` for each weight this
        backend updated, None for each it leaves to the optimizer's own operations
        (symbolic tensors, other dtypes or devices).
    """
    chosen = [i for i, (grad, value, weight_slots) in enumerate(zip(grads, values, slots))
              if builtins.all(isinstance(a, jax.Array) and a.dtype == jnp.float32
                              and a.shape == value.shape
                              for a in [grad, value] + list(weight_slots))
              and onednn.handles(value)]
    news = [None] * len(values)
    if chosen:
        done = onednn.optimizer_update(
            rule, [(grads[i], values[i], slots[i]) for i in chosen], scalars)
        for i, new in zip(chosen, done):
            news[i] = new
    return news
