"""Convolution, pooling and locally-connected ops of the Keras 2 backend API on TensorFlow.

Data is computed channels_last (TensorFlow's CPU kernels have no channels_first
convolutions or pooling); channels_first inputs are transposed in and out, as Keras 2.2.4 did.
"""
import numpy as np
import tensorflow as tf

from .. import config
from ..keras_tensor import symbolic
from ..argcheck import _int_tuple, _padding  # noqa: F401
from .ops import _a, _is_int

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv2d_transpose', 'conv3d_transpose',
           'separable_conv1d', 'separable_conv2d', 'depthwise_conv2d',
           'pool2d', 'pool3d', 'local_conv1d', 'local_conv2d']


# ------------------------------------------------------------ argument checks
def _prepare(x, kernel, rank, fn, kernel_rank=None):
    x, kernel = _a(x), _a(kernel)
    if x.shape.rank != rank + 2:
        raise ValueError('%s: expected a %dD input (batch, spatial..., channels), got shape %s'
                         % (fn, rank + 2, tuple(x.shape)))
    kr = rank + 2 if kernel_rank is None else kernel_rank
    if kernel.shape.rank != kr:
        raise ValueError('%s: expected a %dD kernel, got shape %s' % (fn, kr, tuple(kernel.shape)))
    dtype = x.dtype if x.dtype.is_floating else tf.as_dtype(config.floatx())
    if kernel.dtype.is_floating and kernel.dtype.size > dtype.size:
        dtype = kernel.dtype
    return tf.cast(x, dtype), tf.cast(kernel, dtype)


def _to_last(x, data_format):
    if data_format == 'channels_first':
        r = x.shape.rank
        return tf.transpose(x, [0] + list(range(2, r)) + [1])
    return x


def _from_last(x, data_format):
    if data_format == 'channels_first':
        r = x.shape.rank
        return tf.transpose(x, [0, r - 1] + list(range(1, r - 1)))
    return x


def _conv_args(x, kernel, strides, padding, data_format, dilation_rate, rank, fn,
               allow_causal=False, check_channels=True):
    x, kernel = _prepare(x, kernel, rank, fn)
    data_format = config.normalize_data_format(data_format)
    channels = x.shape[1 if data_format == 'channels_first' else -1]
    if check_channels and channels is not None and kernel.shape[-2] != channels:
        raise ValueError('%s: the kernel (shape %s) expects %d input channels but the input '
                         '(shape %s, %s) has %d' % (fn, tuple(kernel.shape), kernel.shape[-2],
                                                    tuple(x.shape), data_format, channels))
    strides = _int_tuple(strides, rank, fn, 'strides')
    dilation = _int_tuple(dilation_rate, rank, fn, 'dilation_rate')
    padding = _padding(padding, fn, ('valid', 'same', 'causal') if allow_causal
                       else ('valid', 'same'))
    return x, kernel, data_format, strides, dilation, padding


# channels_last spelled out for tf.nn.convolution: TensorFlow 2.21's eager gradient of a
# Conv3D whose data_format was left to its default fails (the op's attribute reads None)
_LAST = {1: 'NWC', 2: 'NHWC', 3: 'NDHWC'}


def _convnd(x, kernel, strides, padding, data_format, dilation_rate, rank, fn,
            allow_causal=False):
    x, kernel, data_format, strides, dilation, padding = _conv_args(
        x, kernel, strides, padding, data_format, dilation_rate, rank, fn, allow_causal)
    x = _to_last(x, data_format)
    if padding == 'causal':
        left = dilation[0] * (kernel.shape[0] - 1)
        x = tf.pad(x, [[0, 0], [left, 0], [0, 0]])
        padding = 'valid'
    if any(s > 1 for s in strides) and any(d > 1 for d in dilation):
        # TensorFlow's kernels take strides or dilations: pad as a strided convolution
        # would, convolve with stride 1 and keep every stride-th position
        x = _pad_as_strided(x, kernel.shape[:rank], strides, dilation, padding)
        out = tf.nn.convolution(x, kernel, padding='VALID', dilations=list(dilation),
                                data_format=_LAST[rank])
        return _from_last(out[(slice(None),) + tuple(slice(None, None, s) for s in strides)],
                          data_format)
    out = tf.nn.convolution(x, kernel, strides=list(strides), padding=padding.upper(),
                            dilations=list(dilation), data_format=_LAST[rank])
    return _from_last(out, data_format)


def _pad_as_strided(x, kernel_size, strides, dilation, padding):
    """x (channels_last) padded as a 'same' convolution with these strides pads it (the
    extra element after), unchanged for 'valid'."""
    if padding != 'same':
        return x
    pads = [[0, 0]]
    for i, (k, s, d) in enumerate(zip(kernel_size, strides, dilation)):
        size = x.shape[1 + i]
        effective = (k - 1) * d + 1
        total = max((-(-size // s) - 1) * s + effective - size, 0)
        pads.append([total // 2, total - total // 2])
    return tf.pad(x, pads + [[0, 0]])


@symbolic
def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    """1D convolution; padding 'valid', 'same' or 'causal'."""
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, 1, 'conv1d',
                   allow_causal=True)


@symbolic
def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None,
           dilation_rate=(1, 1)):
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, 2, 'conv2d')


@symbolic
def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None,
           dilation_rate=(1, 1, 1)):
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, 3, 'conv3d')


def _conv_transpose(x, kernel, output_shape, strides, padding, data_format, dilation_rate,
                    rank, fn):
    x, kernel, data_format, strides, dilation, padding = _conv_args(
        x, kernel, strides, padding, data_format, dilation_rate, rank, fn, check_channels=False)
    if isinstance(output_shape, (tf.Tensor,)):
        output_shape = tf.get_static_value(output_shape)
    try:
        output_shape = [None if d is None else int(d)
                        for d in (output_shape.tolist() if hasattr(output_shape, 'tolist')
                                  else output_shape)]
    except (TypeError, ValueError):
        output_shape = None
    if output_shape is None or len(output_shape) != rank + 2 or \
            any(d is None or d < 1 for d in output_shape[1:]):
        raise ValueError('%s: `output_shape` must list %d dimensions (batch first, the '
                         'batch may be None), got %r' % (fn, rank + 2, output_shape))
    channel = 1 if data_format == 'channels_first' else -1
    in_ch, out_ch = x.shape[channel], output_shape[channel]
    if kernel.shape[-1] != in_ch or kernel.shape[-2] != out_ch:
        raise ValueError('%s: the kernel must have shape kernel_size + (filters, in) = '
                         'kernel_size + (%d, %d), got %s' % (fn, out_ch, in_ch,
                                                              tuple(kernel.shape)))
    if data_format == 'channels_first':
        output_shape = [output_shape[0]] + output_shape[2:] + [output_shape[1]]
    x = _to_last(x, data_format)
    for i in range(rank):
        out, k = output_shape[1 + i], (kernel.shape[i] - 1) * dilation[i] + 1
        expected = -(-out // strides[i]) if padding == 'same' else (out - k) // strides[i] + 1
        if x.shape[1 + i] is not None and expected != x.shape[1 + i]:
            raise ValueError('%s: `output_shape` %s is inconsistent with the input shape %s for '
                             'strides=%s, padding=%r (a convolution of that output shape has '
                             '%d positions along spatial axis %d, the input %d)'
                             % (fn, output_shape, tuple(x.shape), strides, padding, expected,
                                i, x.shape[1 + i]))
    target = tf.stack([tf.shape(x)[0]] + [tf.constant(d) for d in output_shape[1:]])
    fn_t = {2: tf.nn.conv2d_transpose, 3: tf.nn.conv3d_transpose}[rank]
    try:
        # (TensorFlow's CPU kernels of a dilated transposed convolution are oneDNN's, which
        # it turns on only on some CPUs: the dilation is written into the kernel instead)
        out = fn_t(x, _dilated_kernel(kernel, dilation), target,
                   strides=[1] + list(strides) + [1], padding=padding.upper())
    except (ValueError, tf.errors.InvalidArgumentError) as e:
        raise ValueError('%s: `output_shape` %s is inconsistent with the input shape %s for '
                         'strides=%s, padding=%r (%s)' % (fn, output_shape, tuple(x.shape),
                                                          strides, padding, e))
    out = tf.ensure_shape(out, [x.shape[0]] + output_shape[1:])
    return _from_last(out, data_format)


def _dilated_kernel(kernel, dilation):
    """`kernel` (spatial axes first) with `d - 1` zeros between its taps along each spatial
    axis of dilation `d`: the kernel an undilated convolution computes the dilated one
    with."""
    for axis, d in enumerate(dilation):
        if d > 1:
            size = kernel.shape[axis]
            spread = tf.stack([kernel] + [tf.zeros_like(kernel)] * (d - 1), axis=axis + 1)
            shape = kernel.shape.as_list()
            shape[axis] = size * d
            kernel = tf.gather(tf.reshape(spread, shape), tf.range((size - 1) * d + 1),
                               axis=axis)
    return kernel


@symbolic
def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1)):
    """Transposed 2D convolution (the gradient of conv2d) to `output_shape`; kernel
    `(kh, kw, filters, in)`."""
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format,
                           dilation_rate, 2, 'conv2d_transpose')


@symbolic
def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1, 1)):
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format,
                           dilation_rate, 3, 'conv3d_transpose')


def _depthwise2d(x, depthwise_kernel, strides, padding, dilation):
    if strides[0] != strides[1]:
        # TensorFlow's CPU kernel takes equal strides only (but where oneDNN's, which it
        # turns on only on some CPUs, replace it): the positions of the strided convolution
        # are taken from the unstrided one on the input padded as the strided one pads it
        x = _pad_as_strided(x, depthwise_kernel.shape[:2], strides, dilation, padding)
        out = tf.nn.depthwise_conv2d(x, depthwise_kernel, strides=[1, 1, 1, 1],
                                     padding='VALID', dilations=list(dilation))
        return out[:, ::strides[0], ::strides[1], :]
    return tf.nn.depthwise_conv2d(x, depthwise_kernel, strides=[1] + list(strides) + [1],
                                  padding=padding.upper(), dilations=list(dilation))


def _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
               dilation_rate, rank, fn):
    x, depthwise_kernel, data_format, strides, dilation, padding = _conv_args(
        x, depthwise_kernel, strides, padding, data_format, dilation_rate, rank, fn)
    pointwise_kernel = tf.cast(_a(pointwise_kernel), x.dtype)
    x = _to_last(x, data_format)
    if rank == 1:   # as a 2D convolution over (1, length)
        x = tf.expand_dims(x, 1)
        depthwise_kernel = tf.expand_dims(depthwise_kernel, 0)
        pointwise_kernel = tf.expand_dims(pointwise_kernel, 0)
        strides, dilation = (1,) + strides, (1,) + dilation
    if any(s > 1 for s in strides) and any(d > 1 for d in dilation):
        raise ValueError('%s: strides %s and dilation_rate %s cannot both be above 1'
                         % (fn, strides, dilation))
    y = _depthwise2d(x, depthwise_kernel, strides, padding, dilation)
    out = tf.nn.conv2d(y, pointwise_kernel, strides=1, padding='VALID')
    if rank == 1:
        out = tf.squeeze(out, 1)
    return _from_last(out, data_format)


@symbolic
def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid',
                     data_format=None, dilation_rate=1):
    return _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate, 1, 'separable_conv1d')


@symbolic
def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1)):
    return _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate, 2, 'separable_conv2d')


@symbolic
def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None,
                     dilation_rate=(1, 1)):
    """Per-channel 2D convolution; kernel `(kh, kw, in, mult)`, output channel c*mult+m.

    # Arguments
        x: 4D input tensor.
        depthwise_kernel: kernel tensor `(rows, cols, in_channels, depth_multiplier)`.
        strides: tuple of 2 integers.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).
        dilation_rate: tuple of 2 integers.

    # Returns
        A tensor, the result of the convolution.

    # Raises
        ValueError: if the input is not 4D or the kernel not 4D, if the kernel's input
            channels differ from the input's, for an unknown `padding` or `data_format`, or if
            both strides and dilation rates are above 1.
    """
    fn = 'depthwise_conv2d'
    x, depthwise_kernel, data_format, strides, dilation, padding = _conv_args(
        x, depthwise_kernel, strides, padding, data_format, dilation_rate, 2, fn)
    if any(s > 1 for s in strides) and any(d > 1 for d in dilation):
        raise ValueError('%s: strides %s and dilation_rate %s cannot both be above 1'
                         % (fn, strides, dilation))
    out = _depthwise2d(_to_last(x, data_format), depthwise_kernel, strides, padding, dilation)
    return _from_last(out, data_format)


# ------------------------------------------------------------ pooling
def _pool(x, pool_size, strides, padding, data_format, pool_mode, rank, fn):
    x = _a(x)
    if x.shape.rank != rank + 2:
        raise ValueError('%s: expected a %dD input, got shape %s' % (fn, rank + 2, tuple(x.shape)))
    data_format = config.normalize_data_format(data_format)
    pool_size = _int_tuple(pool_size, rank, fn, 'pool_size')
    strides = _int_tuple(strides, rank, fn, 'strides')
    padding = _padding(padding, fn)
    if pool_mode not in ('max', 'avg'):
        raise ValueError("%s: `pool_mode` must be 'max' or 'avg', got %r" % (fn, pool_mode))
    x = _to_last(x, data_format)
    if padding == 'valid':
        for i in range(rank):
            size = x.shape[1 + i]
            if size is not None and pool_size[i] > size:
                raise ValueError("%s: pool size %d is larger than the input size %d with "
                                 "padding='valid'" % (fn, pool_size[i], size))
    pool = tf.nn.max_pool if pool_mode == 'max' else tf.nn.avg_pool
    out = pool(x, list(pool_size), list(strides), padding.upper())
    return _from_last(out, data_format)


@symbolic
def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    """2D max/average pooling; 'same' max ignores the padding, 'same' average divides by
    the number of real elements in each window."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2, 'pool2d')


@symbolic
def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None,
           pool_mode='max'):
    """3D max/average pooling (see pool2d)."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3, 'pool3d')


# ------------------------------------------------------------ locally connected
def _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format, fn):
    inputs, kernel = _a(inputs), _a(kernel)
    rank = len(output_shape)
    data_format = config.normalize_data_format(data_format)
    if inputs.shape.rank != rank + 2:
        raise ValueError('%s: expected a %dD input, got shape %s'
                         % (fn, rank + 2, tuple(inputs.shape)))
    kernel_size = _int_tuple(kernel_size, rank, fn, 'kernel_size')
    strides = _int_tuple(strides, rank, fn, 'strides')
    x = _to_last(inputs, data_format)
    channels = x.shape[-1]
    n_out = int(np.prod(output_shape))
    feature_dim = int(np.prod(kernel_size)) * channels
    if kernel.shape.rank != 3 or kernel.shape[0] != n_out or kernel.shape[1] != feature_dim:
        raise ValueError('%s: the kernel must have shape (%d, %d, filters) for output shape '
                         '%s, kernel_size %s and %d input channels; got %s'
                         % (fn, n_out, feature_dim, tuple(output_shape), kernel_size,
                            channels, tuple(kernel.shape)))
    for i in range(rank):
        need = (output_shape[i] - 1) * strides[i] + kernel_size[i]
        if need > x.shape[1 + i]:
            raise ValueError('%s: output shape %s needs at least %d input positions along '
                             'spatial axis %d, input shape is %s'
                             % (fn, tuple(output_shape), need, i, tuple(inputs.shape)))
    # spatial axis i gathers positions o*s + k: (B, s_0.., C) -> (B, o_0, k_0, ..., C)
    patches = x
    for i in range(rank):
        idx = np.arange(output_shape[i])[:, None] * strides[i] + np.arange(kernel_size[i])[None, :]
        patches = tf.gather(patches, idx, axis=1 + 2 * i)
    # (B, o_0, k_0, o_1, k_1, ..., C) -> (B, o..., k..., C) or, channels_first, (B, o..., C, k...)
    outs = [1 + 2 * i for i in range(rank)]
    ks = [2 + 2 * i for i in range(rank)]
    last = 1 + 2 * rank
    perm = [0] + outs + (ks + [last] if data_format == 'channels_last' else [last] + ks)
    patches = tf.reshape(tf.transpose(patches, perm), [-1, n_out, feature_dim])
    kernel = tf.cast(kernel, patches.dtype)
    out = tf.einsum('bpf,pfn->bpn', patches, kernel)
    out = tf.reshape(out, [-1] + list(output_shape) + [kernel.shape[-1]])
    return _from_last(out, data_format)


@symbolic
def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """Unshared-weight 1D convolution; kernel `(output_length, kernel_size*in, filters)`.

    # Arguments
        inputs: 3D tensor `(batch, steps, channels)`.
        kernel: the unshared kernel `(output_length, kernel_size * in_channels, filters)`.
        kernel_size: tuple of 1 integer, the window length.
        strides: tuple of 1 integer, the stride.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).

    # Returns
        A tensor `(batch, output_length, filters)`.

    # Raises
        ValueError: if the kernel is not 3D or does not fit `kernel_size` and the input's
            channels, or if the input is not 3D or too short for the output length.
    """
    kernel_shape = tuple(_a(kernel).shape)
    if len(kernel_shape) != 3:
        raise ValueError('local_conv1d: the kernel must be 3D (output_length, '
                         'kernel_size*in, filters), got shape %s' % (kernel_shape,))
    return _local_conv(inputs, kernel, kernel_size, strides, (kernel_shape[0],), data_format,
                       'local_conv1d')


@symbolic
def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Unshared-weight 2D convolution; kernel `(rows*cols, kh*kw*in, filters)`.

    Patches are flattened in (kh, kw, in) order for channels_last and (in, kh, kw) for
    channels_first, as Keras 2 does.

    # Arguments
        inputs: 4D tensor.
        kernel: the unshared kernel `(output_rows * output_cols, rows * cols * in_channels,
            filters)`.
        kernel_size: tuple of 2 integers, the window size.
        strides: tuple of 2 integers.
        output_shape: tuple `(output_rows, output_cols)`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).

    # Returns
        A 4D tensor.

    # Raises
        ValueError: if `output_shape` is not a pair of integers, if the input is not 4D or
            too small for `output_shape`, or if the kernel does not fit the output shape,
            `kernel_size` and the input's channels.
    """
    try:
        output_shape = tuple(int(d) for d in output_shape)
    except (TypeError, ValueError):
        output_shape = ()
    if len(output_shape) != 2:
        raise ValueError('local_conv2d: `output_shape` must be (output_rows, output_cols), '
                         'got %r' % (output_shape,))
    return _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format,
                       'local_conv2d')
