"""Argument checks shared by the backends' ops: each returns the normalized value or raises
an error naming the function, the argument, the value and what was expected."""
import numpy as np


def tf_dtype(dtype):
    """`dtype` with TensorFlow's meaning where NumPy's differs.

    `'float'` (and Python's `float`) is float32, as in `K.cast(x, 'float')` of Keras 2 code
    (NumPy reads float64).

    # Arguments
        dtype: a dtype or its name.

    # Returns
        The dtype, or `'float32'` for those names.
    """
    # (a NumPy dtype equals the string 'float' when it is float64: only the name and the
    # type are TensorFlow's float32)
    if (isinstance(dtype, str) and dtype == 'float') or dtype is float:
        return 'float32'
    return dtype


def _is_int(value):
    """A Python or NumPy integer, not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _positive_int(value, fn, argname):
    """`value` as an int, or a ValueError naming `fn`'s argument `argname`."""
    if not _is_int(value) or value < 1:
        raise ValueError('%s: `%s` must be a positive integer, got %r' % (fn, argname, value))
    return int(value)


def _int_tuple(value, n, fn, argname):
    if _is_int(value):
        value = (int(value),) * n
    try:
        out = tuple(int(v) for v in value)
        ok = len(out) == n and all(_is_int(v) for v in value)
    except (TypeError, ValueError):
        ok = False
    if not ok or min(out) < 1:
        raise ValueError('%s: `%s` must be a positive int or a tuple of %d positive ints, '
                         'got %r' % (fn, argname, n, value))
    return out


def _padding(padding, fn, allowed=('valid', 'same')):
    p = padding.lower() if isinstance(padding, str) else padding
    if p not in allowed:
        raise ValueError('%s: `padding` must be one of %s, got %r'
                         % (fn, ', '.join(repr(a) for a in allowed), padding))
    return p


def _pad_pair(value, fn, argname):
    try:
        pair = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        pair = None
    if pair is None or len(pair) != 2 or min(pair) < 0:
        raise ValueError('%s: each entry of `%s` must be a pair of non-negative ints, got %r'
                         % (fn, argname, value))
    return pair


def _pad_pairs(padding, n, fn):
    if not isinstance(padding, (list, tuple)) or len(padding) != n:
        raise ValueError('%s: `padding` must be a tuple of %d pairs of ints, got %r'
                         % (fn, n, padding))
    try:
        return [_pad_pair(p, fn, 'padding') for p in padding]
    except ValueError:
        raise ValueError('%s: `padding` must be a tuple of %d pairs of non-negative ints, '
                         'got %r' % (fn, n, padding))


def _is_number(value):
    """Whether `value` is a Python or NumPy number (not a tensor)."""
    return isinstance(value, (int, float, np.number)) or (
        isinstance(value, np.ndarray) and value.ndim == 0)


def _kept_fraction(level):
    """`1 - level` for a dropout `level` that is a number (checked to be in [0, 1)), else None
    (a tensor or variable: a scheduled rate, which Keras 2.2.4 took unchecked)."""
    if not _is_number(level):
        return None
    if level < 0. or level >= 1:
        raise ValueError('dropout: level must be in [0, 1), got %r' % (level,))
    return 1. - float(level)


def _check_contracted(shapes, axes, a, b):
    """Raises when the sizes `a` and `b` that batch_dot contracts are both known and differ."""
    if a is not None and b is not None and a != b:
        raise ValueError('batch_dot: cannot contract x of shape %s with y of shape %s along '
                         'axes %s: the contracted sizes %s and %s differ'
                         % (tuple(shapes[0]), tuple(shapes[1]), tuple(axes), a, b))


def _normalize_axis(axis, rank, argname, fn):
    if not _is_int(axis):
        raise TypeError('%s: `%s` must be an integer, got %r' % (fn, argname, axis))
    if not -rank <= axis < rank:
        raise ValueError('%s: `%s`=%d is out of range for a tensor of rank %d'
                         % (fn, argname, axis, rank))
    return axis % rank


def _constant_value(value, dtype, shape, fn='constant'):
    """The NumPy array of `K.constant(value, dtype, shape)`, as TensorFlow 1's `tf.constant`
    made it for Keras 2.2: a value with as many elements as `shape` is reshaped to it, a
    single number fills it, and a shorter value fills it in order and repeats its last
    element for the rest; a longer one is an error naming the argument."""
    value = np.asarray(value, dtype=dtype)
    if shape is None:
        return value
    shape = (int(shape),) if _is_int(shape) else tuple(int(d) for d in shape)
    size = int(np.prod(shape))
    flat = value.reshape(-1)
    if flat.size == size:
        return flat.reshape(shape)
    if flat.size == 0 or flat.size > size:
        raise ValueError('%s: `value` has %d elements, which cannot fill `shape` %s (%d '
                         'elements)' % (fn, flat.size, shape, size))
    return np.concatenate([flat, np.repeat(flat[-1:], size - flat.size)]).reshape(shape)
