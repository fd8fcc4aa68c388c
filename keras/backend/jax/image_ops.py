"""Padding and resizing of sequences, images and volumes (Keras 2 backend API)."""
import numpy as np
import jax.numpy as jnp

from .. import config
from ..keras_tensor import symbolic
from ..argcheck import _pad_pair, _pad_pairs  # noqa: F401
from .ops import _a, _positive_int

__all__ = ['temporal_padding', 'spatial_2d_padding', 'spatial_3d_padding',
           'resize_images', 'resize_volumes']


def _check_rank(x, rank, fn):
    if x.ndim != rank:
        raise ValueError('%s: expected a %dD input, got shape %s' % (fn, rank, x.shape))


@symbolic
def temporal_padding(x, padding=(1, 1)):
    """Zero-pads the middle (time) axis of a 3D tensor.

    # Arguments
        x: 3D tensor `(batch, steps, features)`.
        padding: tuple of 2 integers: zeros added at the start and at the end of the time axis.

    # Returns
        A padded 3D tensor.
    """
    x = _a(x)
    _check_rank(x, 3, 'temporal_padding')
    pad = _pad_pair(padding, 'temporal_padding', 'padding')
    return jnp.pad(x, [(0, 0), pad, (0, 0)])


def _spatial_padding(x, padding, data_format, n, fn):
    x = _a(x)
    _check_rank(x, n + 2, fn)
    pads = _pad_pairs(padding, n, fn)
    data_format = config.normalize_data_format(data_format)
    if data_format == 'channels_first':
        full = [(0, 0), (0, 0)] + pads
    else:
        full = [(0, 0)] + pads + [(0, 0)]
    return jnp.pad(x, full)


@symbolic
def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zero-pads the rows and columns of a 4D tensor.

    # Arguments
        x: 4D tensor.
        padding: `((top, bottom), (left, right))`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).

    # Returns
        A padded 4D tensor.
    """
    return _spatial_padding(x, padding, data_format, 2, 'spatial_2d_padding')


@symbolic
def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Zero-pads the three spatial axes of a 5D tensor.

    # Arguments
        x: 5D tensor.
        padding: `((left, right), (left, right), (left, right))` for the three spatial axes.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).

    # Returns
        A padded 5D tensor.
    """
    return _spatial_padding(x, padding, data_format, 3, 'spatial_3d_padding')


def _bilinear_axis(x, axis, out_size):
    """tf.image.resize_bilinear along one axis (align_corners=False, no half-pixel)."""
    in_size = x.shape[axis]
    scale = np.float32(in_size) / np.float32(out_size)  # float32 arithmetic, as TF
    src = np.arange(out_size, dtype=np.float32) * scale
    lo = np.floor(src).astype(np.int32)
    hi = np.minimum(lo + 1, in_size - 1)
    frac = (src - lo.astype(np.float32)).astype(np.float32)
    shape = [1] * x.ndim
    shape[axis] = out_size
    frac = jnp.asarray(frac.reshape(shape), dtype=x.dtype)
    a = jnp.take(x, jnp.asarray(lo), axis=axis)
    b = jnp.take(x, jnp.asarray(hi), axis=axis)
    return a + (b - a) * frac


@symbolic
def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    """Upsamples rows and columns of a 4D tensor by integer factors.

    'nearest' repeats pixels; 'bilinear' follows tf.image.resize_bilinear
    without half-pixel centres (output pixel i samples input i * in / out).

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
        x = jnp.repeat(x, height_factor, axis=rows)
        return jnp.repeat(x, width_factor, axis=cols)
    if interpolation == 'bilinear':
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(config.floatx())
        x = _bilinear_axis(x, rows, x.shape[rows] * height_factor)
        return _bilinear_axis(x, cols, x.shape[cols] * width_factor)
    raise ValueError("resize_images: `interpolation` must be 'nearest' or 'bilinear', got %r"
                     % (interpolation,))


@symbolic
def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Upsamples the three spatial axes of a 5D tensor by repetition.

    # Arguments
        x: 5D tensor.
        depth_factor: positive integer.
        height_factor: positive integer.
        width_factor: positive integer.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).

    # Returns
        A 5D tensor.
    """
    x = _a(x)
    _check_rank(x, 5, 'resize_volumes')
    factors = [_positive_int(depth_factor, 'resize_volumes', 'depth_factor'),
               _positive_int(height_factor, 'resize_volumes', 'height_factor'),
               _positive_int(width_factor, 'resize_volumes', 'width_factor')]
    data_format = config.normalize_data_format(data_format)
    first = 2 if data_format == 'channels_first' else 1
    for i, f in enumerate(factors):
        x = jnp.repeat(x, f, axis=first + i)
    return x
