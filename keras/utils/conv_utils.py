"""Helpers for convolution layers: argument normalization and output-size arithmetic."""
import numpy as np



class PaddingError(ValueError, AssertionError):
    """An unknown `padding` name given to the output/input length helpers (an AssertionError
    too: Keras 2.2.4 asserted, and code written for it catches that)."""

def normalize_tuple(value, n, name):
    """Turn an int or an iterable of `n` ints into a tuple of `n` ints.

    `name` is the argument name used in error messages (e.g. 'strides').

    # Arguments
        value: an integer or an iterable of integers.
        n: the length of the tuple.
        name: the name of the argument, for the error message.

    # Returns
        A tuple of `n` integers.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    try:
        value_tuple = tuple(value)
    except TypeError:
        raise ValueError('The `%s` argument must be a tuple of %d integers. Received: %r'
                         % (name, n, value))
    if len(value_tuple) != n:
        raise ValueError('The `%s` argument must be a tuple of %d integers. Received: %r'
                         % (name, n, value))
    out = []
    for v in value_tuple:
        # (a float, `pool_size=(h / 2, w / 2)` in Python 3: Keras 2.2.4 took any number
        # `int()` takes, and TensorFlow 1 made the op's sizes `int(v)`)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer, float, np.floating)) \
                or not np.isfinite(v):
            raise ValueError('The `%s` argument must be a tuple of %d integers. Received: '
                             '%r including element %r of type %s'
                             % (name, n, value, v, type(v).__name__))
        out.append(int(v))
    return tuple(out)


def normalize_data_format(value):
    """'channels_last' / 'channels_first' (None means the backend's image_data_format())."""
    if value is None:
        from ..backend.config import image_data_format
        value = image_data_format()
    if not isinstance(value, str):
        raise ValueError('The `data_format` argument must be one of "channels_first", '
                         '"channels_last". Received: %r' % (value,))
    data_format = value.lower()
    if data_format not in ('channels_first', 'channels_last'):
        raise ValueError('The `data_format` argument must be one of "channels_first", '
                         '"channels_last". Received: %r' % (value,))
    return data_format


def normalize_padding(value):
    """Lower-case padding name, one of 'valid', 'same', 'causal'.

    # Arguments
        value: `"valid"`, `"same"` or `"causal"` (in any case).

    # Returns
        The lower-case padding string.
    """
    if not isinstance(value, str):
        raise ValueError('The `padding` argument must be one of "valid", "same" (or '
                         '"causal" for Conv1D). Received: %r' % (value,))
    padding = value.lower()
    if padding not in ('valid', 'same', 'causal'):
        raise ValueError('The `padding` argument must be one of "valid", "same" (or '
                         '"causal" for Conv1D). Received: %r' % (value,))
    return padding


def convert_kernel(kernel):
    """Flip a convolution kernel over its spatial axes (convolution <-> correlation).

    The kernel layout is (spatial..., input_channels, output_channels); the last two
    axes are kept, every other axis is reversed.

    # Arguments
        kernel: NumPy array of a convolution kernel (spatial axes first).

    # Returns
        The flipped kernel (a NumPy array).
    """
    kernel = np.asarray(kernel)
    if kernel.ndim < 3:
        raise ValueError('convert_kernel: expected a kernel of rank >= 3 (spatial axes, '
                         'input channels, output channels), got shape %s' % (kernel.shape,))
    slices = [slice(None, None, -1)] * (kernel.ndim - 2) + [slice(None), slice(None)]
    return np.copy(kernel[tuple(slices)])


def _check_padding(padding, allowed, fn):
    if padding not in allowed:
        raise PaddingError('%s: padding must be one of %s, got %r'
                         % (fn, ', '.join(repr(p) for p in sorted(allowed)), padding))


def _pad(padding, filter_size):
    """Padding on each side of an axis for 'same', 'valid' or 'full'."""
    if padding == 'same':
        return filter_size // 2
    if padding == 'valid':
        return 0
    return filter_size - 1


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """Length of a convolution's output along one axis (None stays None).

    # Arguments
        input_length: the input length (`None`: unknown).
        filter_size: the length of the convolution window.
        padding: `"valid"`, `"same"`, `"full"` or `"causal"`.
        stride: the stride.
        dilation: the dilation rate.

    # Returns
        An integer, or `None`.
    """
    if input_length is None:
        return None
    _check_padding(padding, {'same', 'valid', 'full', 'causal'}, 'conv_output_length')
    dilated_filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if padding in ('same', 'causal'):
        output_length = input_length
    elif padding == 'valid':
        output_length = input_length - dilated_filter_size + 1
    else:
        output_length = input_length + dilated_filter_size - 1
    return (output_length + stride - 1) // stride


def check_output_lengths(layer_name, input_shape, kernel_size, padding, strides,
                         dilation_rate, data_format):
    """ValueError when a convolution window of `kernel_size` (dilated) leaves no output along
    a spatial axis of `input_shape` (a full shape with batch and channel axes)."""
    rank = len(kernel_size)
    first = 2 if data_format == 'channels_first' else 1
    spatial = tuple(input_shape)[first:first + rank]
    for axis, size in enumerate(spatial):
        out = conv_output_length(size, kernel_size[axis], padding, strides[axis],
                                 dilation_rate[axis])
        if out is not None and out < 1:
            raise ValueError('%s: kernel_size=%s (dilation_rate=%s, padding=%r) does not fit '
                             'the input: spatial axis %d has size %d, which gives an output '
                             'of size %d; the input shape is %s'
                             % (layer_name, tuple(kernel_size), tuple(dilation_rate), padding,
                                axis, size, out, tuple(input_shape)))


def conv_input_length(output_length, filter_size, padding, stride):
    """Input length that gives `output_length` with this convolution (None stays None).

    # Arguments
        output_length: the output length (`None`: unknown).
        filter_size: the length of the convolution window.
        padding: `"valid"`, `"same"` or `"full"`.
        stride: the stride.

    # Returns
        An integer, or `None`.
    """
    if output_length is None:
        return None
    _check_padding(padding, {'same', 'valid', 'full'}, 'conv_input_length')
    return (output_length - 1) * stride - 2 * _pad(padding, filter_size) + filter_size


def deconv_length(dim_size, stride_size, kernel_size, padding, output_padding, dilation=1):
    """Output length of a transposed convolution along one axis (None stays None).

    # Arguments
        dim_size: the input length (`None`: unknown).
        stride_size: the stride.
        kernel_size: the length of the window.
        padding: `"valid"`, `"same"` or `"full"`.
        output_padding: the extra padding of the output (`None`: inferred).
        dilation: the dilation rate.

    # Returns
        An integer, or `None`.
    """
    _check_padding(padding, {'same', 'valid', 'full'}, 'deconv_length')
    if dim_size is None:
        return None
    kernel_size = kernel_size + (kernel_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == 'valid':
            return dim_size * stride_size + max(kernel_size - stride_size, 0)
        if padding == 'full':
            return dim_size * stride_size - (stride_size + kernel_size - 2)
        return dim_size * stride_size
    return ((dim_size - 1) * stride_size + kernel_size - 2 * _pad(padding, kernel_size)
            + output_padding)


# (Keras 2.2.4's module imported it: `from keras.utils.conv_utils import *` gave it)
from .. import backend as K  # noqa: E402,F401
