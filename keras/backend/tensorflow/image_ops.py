"""Padding and resizing of sequences, images and volumes (Keras 2 backend API) on TensorFlow."""
import tensorflow as tf

from .. import config
from ..keras_tensor import symbolic
from ..argcheck import _pad_pair as _checked_pad_pair, _pad_pairs as _checked_pad_pairs
from .ops import _a, _positive_int

__all__ = ['temporal_padding', 'spatial_2d_padding', 'spatial_3d_padding',
           'resize_images', 'resize_volumes']


def _pad_pair(value, fn, argname):
    """A pair of padding amounts: checked ints, or as given when an amount is a tensor,
    computed as the graph runs (bojone's SparseSelfAttention pads a sequence to a multiple
    of its rate: `K.temporal_padding(x, (0, rate - K.shape(x)[1] % rate))`), which Keras
    2.2.4 handed to `tf.pad`."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and \
            any(isinstance(v, tf.Tensor) for v in value):
        return tuple(tf.cast(v, tf.int32) if isinstance(v, tf.Tensor) else int(v)
                     for v in value)
    return _checked_pad_pair(value, fn, argname)


def _pad_pairs(padding, n, fn):
    if isinstance(padding, (list, tuple)) and len(padding) == n and any(
            isinstance(p, (list, tuple)) and any(isinstance(v, tf.Tensor) for v in p)
            for p in padding):
        return [_pad_pair(p, fn, 'padding') for p in padding]
    return _checked_pad_pairs(padding, n, fn)


def _check_rank(x, rank, fn):
    if x.shape.rank != rank:
        raise ValueError('%s: expected a %dD input, got shape %s' % (fn, rank, tuple(x.shape)))


@symbolic
def temporal_padding(x, padding=(1, 1)):
    """Zero-pads the middle (time) axis of a 3D tensor."""
    x = _a(x)
    _check_rank(x, 3, 'temporal_padding')
    pad = _pad_pair(padding, 'temporal_padding', 'padding')
    return tf.pad(x, [(0, 0), pad, (0, 0)])


def _spatial_padding(x, padding, data_format, n, fn):
    x = _a(x)
    _check_rank(x, n + 2, fn)
    pads = _pad_pairs(padding, n, fn)
    data_format = config.normalize_data_format(data_format)
    if data_format == 'channels_first':
        full = [(0, 0), (0, 0)] + pads
    else:
        full = [(0, 0)] + pads + [(0, 0)]
    return tf.pad(x, full)


@symbolic
def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    return _spatial_padding(x, padding, data_format, 2, 'spatial_2d_padding')


@symbolic
def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    return _spatial_padding(x, padding, data_format, 3, 'spatial_3d_padding')


@symbolic
def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    """Upsamples rows and columns of a 4D tensor by integer factors.

    'nearest' repeats pixels; 'bilinear' is `tf.image.resize_bilinear` of TensorFlow 1,
    without half-pixel centres, as Keras 2.2.4.

    # Arguments
        x: 4D tensor.
        height_factor: positive integer, the row factor.
        width_factor: positive integer, the column factor.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).
        interpolation: `"nearest"` or `"bilinear"`.

    # Returns
        A 4D tensor.

    # Raises
        ValueError: if `x` is not 4D, if a factor is not a positive integer, if
            `data_format` is unknown, or if `interpolation` is neither `"nearest"` nor
            `"bilinear"`.
    """
    x = _a(x)
    _check_rank(x, 4, 'resize_images')
    height_factor = _positive_int(height_factor, 'resize_images', 'height_factor')
    width_factor = _positive_int(width_factor, 'resize_images', 'width_factor')
    data_format = config.normalize_data_format(data_format)
    rows, cols = (2, 3) if data_format == 'channels_first' else (1, 2)
    if interpolation == 'nearest':
        return tf.repeat(tf.repeat(x, height_factor, axis=rows), width_factor, axis=cols)
    if interpolation == 'bilinear':
        if not x.dtype.is_floating:
            x = tf.cast(x, config.floatx())
        if data_format == 'channels_first':
            x = tf.transpose(x, [0, 2, 3, 1])
        size = [x.shape[1] * height_factor, x.shape[2] * width_factor]
        out = tf.cast(tf.compat.v1.image.resize_bilinear(x, size, align_corners=False,
                                                         half_pixel_centers=False), x.dtype)
        if data_format == 'channels_first':
            out = tf.transpose(out, [0, 3, 1, 2])
        return out
    raise ValueError("resize_images: `interpolation` must be 'nearest' or 'bilinear', got %r"
                     % (interpolation,))


@symbolic
def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Upsamples the three spatial axes of a 5D tensor by repetition.

    # Arguments
        x: 5D tensor.
        depth_factor: positive integer, the factor of the first spatial axis.
        height_factor: positive integer, the factor of the second spatial axis.
        width_factor: positive integer, the factor of the third spatial axis.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).

    # Returns
        A 5D tensor.

    # Raises
        ValueError: if `x` is not 5D, if a factor is not a positive integer, or if
            `data_format` is unknown.
    """
    x = _a(x)
    _check_rank(x, 5, 'resize_volumes')
    factors = [_positive_int(depth_factor, 'resize_volumes', 'depth_factor'),
               _positive_int(height_factor, 'resize_volumes', 'height_factor'),
               _positive_int(width_factor, 'resize_volumes', 'width_factor')]
    data_format = config.normalize_data_format(data_format)
    first = 2 if data_format == 'channels_first' else 1
    for i, f in enumerate(factors):
        x = tf.repeat(x, f, axis=first + i)
    return x
