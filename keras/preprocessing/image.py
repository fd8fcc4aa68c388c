"""Image preprocessing: loading/saving, random augmentation and batch iterators.

Pillow is needed to read and write image files; scipy (scipy.ndimage, imported on first
use) for the affine transformations (rotation, shift, shear, zoom).  Everything is numpy:
the iterators yield numpy batches that `fit_generator` consumes.
"""
import importlib
import io
import os
import threading
import warnings

import numpy as np

from ..utils.data_utils import Sequence

try:
    from PIL import Image as pil_image
    from PIL import ImageEnhance
except ImportError:  # pragma: no cover - optional dependency
    pil_image = None
    ImageEnhance = None

if pil_image is not None:
    _Resampling = getattr(pil_image, 'Resampling', pil_image)
    _PIL_INTERPOLATION_METHODS = {
        'nearest': _Resampling.NEAREST,
        'bilinear': _Resampling.BILINEAR,
        'bicubic': _Resampling.BICUBIC,
        'hamming': _Resampling.HAMMING,
        'box': _Resampling.BOX,
        'lanczos': _Resampling.LANCZOS,
    }
else:  # pragma: no cover
    _PIL_INTERPOLATION_METHODS = {}

_FILL_MODES = ('constant', 'nearest', 'reflect', 'wrap')


def _require_pil(what):
    if pil_image is None:
        raise ImportError('%s requires Pillow: pip install pillow' % what)


def _scipy(submodule, what):
    """`scipy.<submodule>`, imported on first use (scipy.ndimage alone would double the
    time `import keras` takes)."""
    try:
        return importlib.import_module('scipy.' + submodule)
    except ImportError:  # pragma: no cover - optional dependency
        raise ImportError('%s requires scipy: pip install scipy' % what) from None


def _floatx():
    from ..backend.config import floatx
    return floatx()


def _data_format(data_format):
    if data_format is None:
        from ..backend.config import image_data_format
        data_format = image_data_format()
    if data_format not in ('channels_last', 'channels_first'):
        raise ValueError("data_format must be 'channels_last' or 'channels_first', got %r"
                         % (data_format,))
    return data_format


# ---------------------------------------------------------------------------
# affine transformations (single image, 3D array)
# ---------------------------------------------------------------------------
def transform_matrix_offset_center(matrix, x, y):
    """Conjugate `matrix` so that it acts around the centre of an x-by-y image."""
    o_x = float(x) / 2 + 0.5
    o_y = float(y) / 2 + 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset.dot(matrix).dot(reset)


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0,
                           col_axis=1, channel_axis=2, fill_mode='nearest', cval=0.,
                           order=1):
    """Rotate (degrees), shift (pixels; tx along rows, ty along columns), shear (degrees)
    and zoom a single 3D image; returns `x` itself when the transform is the identity.

    # Arguments
        x: 3D image array.
        theta: rotation angle in degrees.
        tx: shift along the rows, in pixels.
        ty: shift along the columns, in pixels.
        shear: shear angle in degrees.
        zx: zoom factor along the rows.
        zy: zoom factor along the columns.
        row_axis: the row axis of `x`.
        col_axis: the column axis of `x`.
        channel_axis: the channel axis of `x`.
        fill_mode: `"constant"`, `"nearest"`, `"reflect"` or `"wrap"`: how points outside the
            input are filled.
        cval: the fill value for `fill_mode="constant"`.
        order: the spline order of the interpolation.

    # Returns
        The transformed image.
    """
    if fill_mode not in _FILL_MODES:
        raise ValueError('fill_mode must be one of %s, got %r' % (_FILL_MODES, fill_mode))
    transform = None
    if theta != 0:
        t = np.deg2rad(theta)
        transform = np.array([[np.cos(t), -np.sin(t), 0],
                              [np.sin(t), np.cos(t), 0],
                              [0, 0, 1]])
    if tx != 0 or ty != 0:
        shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        transform = shift if transform is None else transform.dot(shift)
    if shear != 0:
        s = np.deg2rad(shear)
        shear_m = np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
        transform = shear_m if transform is None else transform.dot(shear_m)
    if zx != 1 or zy != 1:
        zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
        transform = zoom if transform is None else transform.dot(zoom)
    if transform is None:
        return x
    ndi = _scipy('ndimage', 'apply_affine_transform')
    x = np.asarray(x)
    h, w = x.shape[row_axis], x.shape[col_axis]
    transform = transform_matrix_offset_center(transform, h, w)
    x = np.rollaxis(x, channel_axis, 0)
    matrix = transform[:2, :2]
    offset = transform[:2, 2]
    channels = [ndi.affine_transform(c, matrix, offset, order=order, mode=fill_mode,
                                     cval=cval) for c in x]
    x = np.stack(channels, axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def flip_axis(x, axis):
    """Copy of `x` reversed along `axis`."""
    return np.flip(np.asarray(x), axis).copy()


def apply_channel_shift(x, intensity, channel_axis=0):
    """Add `intensity` to every channel, clipped to the original min/max of `x`.

    # Arguments
        x: 3D image array.
        intensity: the value added to every channel.
        channel_axis: the channel axis of `x`.

    # Returns
        The shifted image.
    """
    x = np.rollaxis(np.asarray(x), channel_axis, 0)
    min_x, max_x = np.min(x), np.max(x)
    x = np.stack([np.clip(c + intensity, min_x, max_x) for c in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """Adds one random offset in `[-intensity_range, intensity_range]` to every channel, clipped to
    the image's original value range.

    # Arguments
        x: image array, 3-D.
        intensity_range: the largest offset.
        channel_axis: the channel axis of `x`.

    # Returns
        The shifted image.
    """
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def apply_brightness_shift(x, brightness):
    """Scale the brightness of an image array by `brightness` (Pillow ImageEnhance);
    the result is rescaled to 0..255.

    # Arguments
        x: 3D image array.
        brightness: the brightness factor (1.0: unchanged).

    # Returns
        The image, values in 0..255.
    """
    _require_pil('apply_brightness_shift')
    img = array_to_img(x)
    img = ImageEnhance.Brightness(img).enhance(brightness)
    return img_to_array(img)


def random_brightness(x, brightness_range):
    """Scales the brightness of an image by a random factor.

    # Arguments
        x: image array, 3-D.
        brightness_range: `(low, high)` range of the factor.

    # Returns
        The image, values rescaled to 0-255.

    # Raises
        ValueError: `brightness_range` does not hold two numbers.
    """
    if len(brightness_range) != 2:
        raise ValueError('`brightness_range should be tuple or list of two floats. '
                         'Received: %s' % (brightness_range,))
    u = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, u)


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest',
                    cval=0., interpolation_order=1):
    """Rotates an image by a random angle in `[-rg, rg]` degrees.

    # Arguments
        x: image array, 3-D.
        rg: the largest rotation, in degrees.
        row_axis: the row axis of `x`.
        col_axis: the column axis of `x`.
        channel_axis: the channel axis of `x`.
        fill_mode: how points outside the input are filled: `'constant'`, `'nearest'`,
            `'reflect'` or `'wrap'`.
        cval: the fill value for `fill_mode='constant'`.
        interpolation_order: the spline order of the interpolation.

    # Returns
        The rotated image.
    """
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode,
                                  cval=cval, order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest',
                 cval=0., interpolation_order=1):
    """Shifts an image by a random fraction of its size.

    # Arguments
        x: image array, 3-D.
        wrg: the largest horizontal shift, as a fraction of the width.
        hrg: the largest vertical shift, as a fraction of the height.
        row_axis: the row axis of `x`.
        col_axis: the column axis of `x`.
        channel_axis: the channel axis of `x`.
        fill_mode: `'constant'`, `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value for `fill_mode='constant'`.
        interpolation_order: the spline order of the interpolation.

    # Returns
        The shifted image.
    """
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode,
                                  cval=cval, order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest',
                 cval=0., interpolation_order=1):
    """Shears an image by a random angle in `[-intensity, intensity]` degrees.

    # Arguments
        x: image array, 3-D.
        intensity: the largest shear angle, in degrees.
        row_axis: the row axis of `x`.
        col_axis: the column axis of `x`.
        channel_axis: the channel axis of `x`.
        fill_mode: `'constant'`, `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value for `fill_mode='constant'`.
        interpolation_order: the spline order of the interpolation.

    # Returns
        The sheared image.
    """
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode,
                                  cval=cval, order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest',
                cval=0., interpolation_order=1):
    """Zooms an image by random factors (one per axis) drawn from `zoom_range`.

    # Arguments
        x: image array, 3-D.
        zoom_range: `(low, high)` range of the zoom factors.
        row_axis: the row axis of `x`.
        col_axis: the column axis of `x`.
        channel_axis: the channel axis of `x`.
        fill_mode: `'constant'`, `'nearest'`, `'reflect'` or `'wrap'`.
        cval: the fill value for `fill_mode='constant'`.
        interpolation_order: the spline order of the interpolation.

    # Returns
        The zoomed image.

    # Raises
        ValueError: `zoom_range` does not hold two numbers.
    """
    if len(zoom_range) != 2:
        raise ValueError('`zoom_range` should be a tuple or list of two floats. '
                         'Received: %s' % (zoom_range,))
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode,
                                  cval=cval, order=interpolation_order)


# ---------------------------------------------------------------------------
# image files <-> arrays
# ---------------------------------------------------------------------------
def array_to_img(x, data_format=None, scale=True, dtype=None):
    """PIL image from a 3D array (1 channel: 'L' (or 'I' above 255), 3: 'RGB',
    4: 'RGBA').  With `scale`, values are shifted to >= 0 and scaled to 0..255.

    # Arguments
        x: 3D NumPy array.
        data_format: `"channels_first"` or `"channels_last"` (`None`: the default image data
            format).
        scale: whether to rescale the values to 0..255.
        dtype: the dtype the array is converted to first (default `K.floatx()`).

    # Returns
        A PIL image.
    """
    _require_pil('array_to_img')
    if dtype is None:
        dtype = _floatx()
    x = np.array(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError('Expected image array to have rank 3 (single image). Got array '
                         'with shape: %s' % (x.shape,))
    data_format = _data_format(data_format)
    if data_format == 'channels_first':
        x = x.transpose(1, 2, 0)
    if scale:
        x = x + max(-np.min(x), 0)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return pil_image.fromarray(x.astype('uint8'), 'RGBA')
    if channels == 3:
        return pil_image.fromarray(x.astype('uint8'), 'RGB')
    if channels == 1:
        if np.max(x) > 255:
            return pil_image.fromarray(x[:, :, 0].astype('int32'), 'I')
        return pil_image.fromarray(x[:, :, 0].astype('uint8'), 'L')
    raise ValueError('Unsupported channel number: %s (expected 1, 3 or 4)' % (channels,))


def img_to_array(img, data_format=None, dtype=None):
    """3D array (rows, cols, channels) -- or channels first -- from a PIL image.

    # Arguments
        img: a PIL image.
        data_format: `"channels_first"` or `"channels_last"` (`None`: the default image data
            format).
        dtype: the dtype of the array (default `K.floatx()`).

    # Returns
        A 3D NumPy array.
    """
    data_format = _data_format(data_format)
    if dtype is None:
        dtype = _floatx()
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 3:
        if data_format == 'channels_first':
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        if data_format == 'channels_first':
            x = x.reshape((1, x.shape[0], x.shape[1]))
        else:
            x = x.reshape((x.shape[0], x.shape[1], 1))
    else:
        raise ValueError('Unsupported image shape: %s' % (x.shape,))
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save an image array to `path` (format from `file_format` or the extension).

    # Arguments
        path: the file path (or a file object).
        x: 3D NumPy array.
        data_format: `"channels_first"` or `"channels_last"` (`None`: the default).
        file_format: optional file format (`None`: from the file name's extension).
        scale: whether to rescale the values to 0..255.
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == 'RGBA' and (file_format in ('jpg', 'jpeg') or (
            file_format is None and isinstance(path, str)
            and path.lower().endswith(('.jpg', '.jpeg')))):
        warnings.warn('The JPG format does not support RGBA images, converting to RGB.')
        img = img.convert('RGB')
    if file_format == 'jpg':
        file_format = 'jpeg'
    img.save(path, format=file_format, **kwargs)


def load_img(path, grayscale=False, color_mode='rgb', target_size=None,
             interpolation='nearest'):
    """Load an image file as a PIL image.

    # Arguments
        path: path of the image file, or a file object (an upload read into
            `io.BytesIO`), which PIL reads as Keras 2.2.4's `load_img` had it read.
        grayscale: deprecated, use color_mode='grayscale'.
        color_mode: 'grayscale', 'rgb' or 'rgba'.
        target_size: None (original size) or `(height, width)`.
        interpolation: resampling for resizing: 'nearest', 'bilinear', 'bicubic',
            'hamming', 'box' or 'lanczos'.

    # Returns
        A PIL image.
    """
    _require_pil('load_img')
    if grayscale is True:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"')
        color_mode = 'grayscale'
    if color_mode not in ('grayscale', 'rgb', 'rgba'):
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba", got %r'
                         % (color_mode,))
    if hasattr(path, 'read'):
        img = pil_image.open(path)
        img.load()
    else:
        with open(path, 'rb') as f:
            img = pil_image.open(io.BytesIO(f.read()))
            img.load()
    mode = {'grayscale': 'L', 'rgb': 'RGB', 'rgba': 'RGBA'}[color_mode]
    if img.mode != mode:
        img = img.convert(mode)
    if target_size is not None:
        width_height = (int(target_size[1]), int(target_size[0]))
        if img.size != width_height:
            if interpolation not in _PIL_INTERPOLATION_METHODS:
                raise ValueError('Invalid interpolation method %r; supported methods are '
                                 '%s' % (interpolation,
                                         ', '.join(sorted(_PIL_INTERPOLATION_METHODS))))
            img = img.resize(width_height, _PIL_INTERPOLATION_METHODS[interpolation])
    return img


def list_pictures(directory, ext=('jpg', 'jpeg', 'bmp', 'png', 'ppm', 'tif', 'tiff')):
    """Paths of the pictures (by extension) under `directory`, recursively.

    # Arguments
        directory: the folder to search.
        ext: the extensions: a tuple, one extension, or alternatives joined by `|`
            (`'jpg|png'`, the form of Keras 2.2.4's default).

    # Returns
        The sorted list of the pictures' paths.
    """
    if isinstance(ext, str):
        ext = ext.split('|')
    ext = tuple('.' + e.lower().lstrip('.') for e in ext)
    return sorted(os.path.join(root, f) for root, _, files in os.walk(directory)
                  for f in files if f.lower().endswith(ext))


# ---------------------------------------------------------------------------
# ImageDataGenerator
# ---------------------------------------------------------------------------
def _draw_shift(shift_range, size):
    """Random shift in pixels for a width/height_shift_range setting."""
    if isinstance(shift_range, (int, np.integer)) and not isinstance(shift_range, bool):
        value = float(np.random.randint(int(shift_range))) if shift_range > 0 else 0.
        value *= np.random.choice([-1, 1])
    elif isinstance(shift_range, (list, tuple, np.ndarray)):
        value = float(np.random.choice(np.asarray(shift_range)))
        value *= np.random.choice([-1, 1])
    else:
        value = np.random.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:
        value *= size
    return value


class ImageDataGenerator(object):
    """Batches of image data with real-time augmentation.

    # Arguments
        featurewise_center: subtract the dataset mean (computed by `fit`).
        samplewise_center: subtract each sample's mean.
        featurewise_std_normalization: divide by the dataset std (computed by `fit`).
        samplewise_std_normalization: divide each sample by its std.
        zca_whitening: apply ZCA whitening (computed by `fit`).
        zca_epsilon: epsilon of the ZCA whitening.
        rotation_range: degrees of random rotation (uniform in [-r, r]).
        width_shift_range: horizontal shifts. float < 1: fraction of the width; float >= 1:
            pixels (uniform in [-r, r]); int: whole pixels in (-r, r); list: one of its
            values, with random sign.
        height_shift_range: vertical shifts, as `width_shift_range` (fraction of the
            height).
        brightness_range: (low, high) range of brightness factors.
        shear_range: shear angle in degrees (counter-clockwise).
        zoom_range: float z (zoom factors in [1 - z, 1 + z]) or [low, high].
        channel_shift_range: range of random channel shifts.
        fill_mode: 'constant', 'nearest', 'reflect' or 'wrap'.
        cval: fill value for fill_mode='constant'.
        horizontal_flip: flip each image horizontally with probability 0.5.
        vertical_flip: flip each image vertically with probability 0.5.
        rescale: factor multiplied into the data (after the other transformations).
        preprocessing_function: function applied to each image (3D array) after
            augmentation, before the other standardization steps.
        data_format: 'channels_last' or 'channels_first' (default: the Keras config).
        validation_split: fraction of the images reserved for `subset='validation'`.
        dtype: dtype of the generated arrays (default: floatx).
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0., height_shift_range=0., brightness_range=None,
                 shear_range=0., zoom_range=0., channel_shift_range=0., fill_mode='nearest',
                 cval=0., horizontal_flip=False, vertical_flip=False, rescale=None,
                 preprocessing_function=None, data_format=None, validation_split=0.0,
                 dtype=None):
        if dtype is None:
            dtype = _floatx()
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype
        self.interpolation_order = 1

        if fill_mode not in _FILL_MODES:
            raise ValueError('ImageDataGenerator: fill_mode must be one of %s, got %r'
                             % (', '.join(_FILL_MODES), fill_mode))
        self.data_format = _data_format(data_format)
        if self.data_format == 'channels_first':
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if not 0 <= validation_split < 1:
            raise ValueError('`validation_split` must be strictly between 0 and 1. '
                             ' Received: %s' % (validation_split,))
        self._validation_split = validation_split

        self.mean = None
        self.std = None
        self.principal_components = None

        if isinstance(zoom_range, (int, float, np.integer, np.floating)):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif isinstance(zoom_range, (list, tuple, np.ndarray)) and len(zoom_range) == 2:
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError('`zoom_range` should be a float or a tuple or list of two '
                             'floats. Received: %s' % (zoom_range,))
        if brightness_range is not None:
            if (not isinstance(brightness_range, (tuple, list, np.ndarray))
                    or len(brightness_range) != 2):
                raise ValueError('`brightness_range should be tuple or list of two floats. '
                                 'Received: %s' % (brightness_range,))
        self.brightness_range = brightness_range

        if zca_whitening:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn('This ImageDataGenerator specifies `zca_whitening`, which '
                              'overrides setting of `featurewise_center`.')
            if featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn('This ImageDataGenerator specifies `zca_whitening` which '
                              'overrides setting of`featurewise_std_normalization`.')
        if featurewise_std_normalization and not featurewise_center:
            self.featurewise_center = True
            warnings.warn('This ImageDataGenerator specifies '
                          '`featurewise_std_normalization`, which overrides setting of '
                          '`featurewise_center`.')
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn('This ImageDataGenerator specifies '
                          '`samplewise_std_normalization`, which overrides setting of '
                          '`samplewise_center`.')

    # -- iterators ---------------------------------------------------------
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix='', save_format='png', subset=None):
        """Iterator over augmented batches of the arrays `x` (4D) and `y`.

        # Arguments
            x: 4D NumPy array of images (a tuple `(images, other arrays)` passes other inputs
                along unchanged).
            y: labels (`None`: batches of `x` only).
            sample_weight: optional sample weights.
            batch_size: integer, images per batch.
            shuffle: whether to shuffle the images (at every epoch).
            seed: optional random seed of the shuffling and transformations.
            save_to_dir: optional directory where the augmented images are saved (to see what
                the augmentation does).
            save_prefix: prefix of the file names of the saved images.
            save_format: `"png"` or `"jpeg"`.
            subset: `"training"` or `"validation"` when the generator has a `validation_split`.

        # Returns
            A `NumpyArrayIterator` yielding `(x, y)` batches (`x` alone without `y`, `(x, y,
            sample_weight)` with sample weights).
        """
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle,
                                  sample_weight=sample_weight, seed=seed,
                                  data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format,
                                  subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode='rgb',
                            classes=None, class_mode='categorical', batch_size=32,
                            shuffle=True, seed=None, save_to_dir=None, save_prefix='',
                            save_format='png', follow_links=False, subset=None,
                            interpolation='nearest'):
        """Iterator over augmented batches of the images in the class subfolders of
        `directory` (one subfolder per class, sorted alphabetically unless `classes`).

        # Arguments
            directory: path of the directory with one subdirectory of images per class.
            follow_links: whether to follow symbolic links in the class subdirectories.
            target_size: `(height, width)` the images are resized to.
            color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
            classes: optional list of class names (default: from the subdirectories or the
                labels, in alphanumerical order).
            class_mode: `"categorical"`, `"binary"`, `"sparse"`, `"input"` or `None` (no
                labels).
            interpolation: resampling method when resizing: `"nearest"`, `"bilinear"`,
                `"bicubic"`, ...
            batch_size: integer, images per batch.
            shuffle: whether to shuffle the images (at every epoch).
            seed: optional random seed of the shuffling and transformations.
            save_to_dir: optional directory where the augmented images are saved (to see what
                the augmentation does).
            save_prefix: prefix of the file names of the saved images.
            save_format: `"png"` or `"jpeg"`.
            subset: `"training"` or `"validation"` when the generator has a `validation_split`.

        # Returns
            A `DirectoryIterator` yielding `(x, y)` batches.
        """
        return DirectoryIterator(directory, self, target_size=target_size,
                                 color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, data_format=self.data_format,
                                 batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links,
                                 subset=subset, interpolation=interpolation,
                                 dtype=self.dtype)

    def flow_from_dataframe(self, dataframe, directory=None, x_col='filename', y_col='class',
                            weight_col=None, target_size=(256, 256), color_mode='rgb',
                            classes=None, class_mode='categorical', batch_size=32,
                            shuffle=True, seed=None, save_to_dir=None, save_prefix='',
                            save_format='png', subset=None, interpolation='nearest',
                            validate_filenames=True, **kwargs):
        """Iterator over augmented batches of the images listed in a pandas DataFrame
        (file names in column `x_col`, labels in `y_col`).

        # Arguments
            dataframe: a pandas DataFrame with a column of file names and (except for
                `class_mode=None`) one of labels.
            directory: the directory the file names are relative to (`None`: absolute paths).
            x_col: the column of file names.
            y_col: the column (or list of columns) of labels.
            weight_col: optional column of sample weights.
            validate_filenames: whether to skip rows whose file is missing or not an image.
            target_size: `(height, width)` the images are resized to.
            color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
            classes: optional list of class names (default: from the subdirectories or the
                labels, in alphanumerical order).
            class_mode: `"categorical"`, `"binary"`, `"sparse"`, `"input"` or `None` (no
                labels).
            interpolation: resampling method when resizing: `"nearest"`, `"bilinear"`,
                `"bicubic"`, ...
            batch_size: integer, images per batch.
            shuffle: whether to shuffle the images (at every epoch).
            seed: optional random seed of the shuffling and transformations.
            save_to_dir: optional directory where the augmented images are saved (to see what
                the augmentation does).
            save_prefix: prefix of the file names of the saved images.
            save_format: `"png"` or `"jpeg"`.
            subset: `"training"` or `"validation"` when the generator has a `validation_split`.

        # Returns
            A `DataFrameIterator` yielding `(x, y)` batches.
        """
        if kwargs.get('has_ext', True) is False:
            # keras_preprocessing 1.0.5's (Keras 2.2.4's) extension-less names (a Kaggle
            # `id` column): each is the image of `directory` with that name and an image
            # extension
            dataframe = _named_with_extensions(dataframe, directory, x_col,
                                               DataFrameIterator.white_list_formats)
        for old in ('has_ext', 'sort', 'drop_duplicates'):
            if old in kwargs:
                warnings.warn('flow_from_dataframe: `%s` is deprecated%s.' % (
                    old, ' (the names were matched to the images of `directory` that '
                    'have them with an image extension)' if old == 'has_ext' and
                    kwargs[old] is False else ' and ignored'), DeprecationWarning)
                kwargs.pop(old)
        if kwargs:
            raise TypeError('flow_from_dataframe: unexpected keyword arguments %s'
                            % sorted(kwargs))
        return DataFrameIterator(dataframe, directory, self, x_col=x_col, y_col=y_col,
                                 weight_col=weight_col, target_size=target_size,
                                 color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, data_format=self.data_format,
                                 batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, subset=subset,
                                 interpolation=interpolation,
                                 validate_filenames=validate_filenames, dtype=self.dtype)

    # -- normalization -----------------------------------------------------
    def standardize(self, x):
        """Apply preprocessing_function, rescale and the sample/feature-wise
        normalizations to a single image (or a batch).

        As in Keras 2.2.4 (keras_preprocessing 1.0.5), a writable float array is normalized
        in place (`datagen.standardize(x_test)` normalizes `x_test`; pass `np.copy(x)` to
        keep it); other inputs (integer images, lists) are converted to a new array of the
        generator's dtype.

        # Arguments
            x: an image or a batch of images.

        # Returns
            The normalized array.
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if not (isinstance(x, np.ndarray) and x.dtype.kind == 'f' and x.flags.writeable):
            x = np.array(x, dtype=self.dtype, copy=True)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= (np.std(x, keepdims=True) + 1e-6)
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                warnings.warn('This ImageDataGenerator specifies `featurewise_center`, but '
                              "it hasn't been fit on any training data. Fit it first by "
                              'calling `.fit(numpy_data)`.')
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= (self.std + 1e-6)
            else:
                warnings.warn('This ImageDataGenerator specifies '
                              "`featurewise_std_normalization`, but it hasn't been fit on "
                              'any training data. Fit it first by calling '
                              '`.fit(numpy_data)`.')
        if self.zca_whitening:
            if self.principal_components is not None:
                flat = np.reshape(x, (-1, int(np.prod(x.shape[-3:]))))
                x = np.reshape(np.dot(flat, self.principal_components), x.shape)
            else:
                warnings.warn('This ImageDataGenerator specifies `zca_whitening`, but it '
                              "hasn't been fit on any training data. Fit it first by "
                              'calling `.fit(numpy_data)`.')
        return x

    # -- augmentation ------------------------------------------------------
    def get_random_transform(self, img_shape, seed=None):
        """Random transformation parameters for one image of shape `img_shape`.

        # Arguments
            img_shape: the shape of the image.
            seed: optional random seed.

        # Returns
            A dictionary of transformation parameters (see `apply_transform`).
        """
        img_row_axis = self.row_axis - 1
        img_col_axis = self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        theta = (np.random.uniform(-self.rotation_range, self.rotation_range)
                 if self.rotation_range else 0)
        tx = (_draw_shift(self.height_shift_range, img_shape[img_row_axis])
              if np.any(self.height_shift_range) else 0)
        ty = (_draw_shift(self.width_shift_range, img_shape[img_col_axis])
              if np.any(self.width_shift_range) else 0)
        shear = (np.random.uniform(-self.shear_range, self.shear_range)
                 if self.shear_range else 0)
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = bool((np.random.random() < 0.5) * self.horizontal_flip)
        flip_vertical = bool((np.random.random() < 0.5) * self.vertical_flip)
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = np.random.uniform(-self.channel_shift_range,
                                                        self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(self.brightness_range[0],
                                           self.brightness_range[1])
        return {'theta': theta, 'tx': tx, 'ty': ty, 'shear': shear, 'zx': zx, 'zy': zy,
                'flip_horizontal': flip_horizontal, 'flip_vertical': flip_vertical,
                'channel_shift_intensity': channel_shift_intensity,
                'brightness': brightness}

    def apply_transform(self, x, transform_parameters):
        """Apply the parameters of `get_random_transform` to a single 3D image.

        Keys: 'theta', 'tx', 'ty', 'shear', 'zx', 'zy', 'flip_horizontal',
        'flip_vertical', 'channel_shift_intensity', 'brightness'.

        # Arguments
            x: 3D image array.
            transform_parameters: dictionary of parameters (see above).

        # Returns
            The transformed image.
        """
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError('apply_transform: expected a single image (rank 3), got shape '
                             '%s' % (x.shape,))
        img_row_axis = self.row_axis - 1
        img_col_axis = self.col_axis - 1
        img_channel_axis = self.channel_axis - 1
        p = transform_parameters
        x = apply_affine_transform(x, p.get('theta', 0), p.get('tx', 0), p.get('ty', 0),
                                   p.get('shear', 0), p.get('zx', 1), p.get('zy', 1),
                                   row_axis=img_row_axis, col_axis=img_col_axis,
                                   channel_axis=img_channel_axis, fill_mode=self.fill_mode,
                                   cval=self.cval, order=self.interpolation_order)
        if p.get('channel_shift_intensity') is not None:
            x = apply_channel_shift(x, p['channel_shift_intensity'], img_channel_axis)
        if p.get('flip_horizontal', False):
            x = flip_axis(x, img_col_axis)
        if p.get('flip_vertical', False):
            x = flip_axis(x, img_row_axis)
        if p.get('brightness') is not None:
            x = apply_brightness_shift(x, p['brightness'])
        return x

    def random_transform(self, x, seed=None):
        """Randomly augmented copy of a single 3D image.

        # Arguments
            x: 3D image array.
            seed: optional random seed.

        # Returns
            The transformed image.
        """
        params = self.get_random_transform(np.shape(x), seed)
        return self.apply_transform(x, params)

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Compute the statistics for featurewise normalization and ZCA from `x` (4D).

        With `augment`, the statistics are computed over `rounds` randomly augmented
        copies of the data.

        # Arguments
            x: 4D array of sample data.
            augment: whether to fit on randomly augmented copies of the data.
            rounds: with `augment`, how many augmented copies are used.
            seed: optional random seed.
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError('Input to `.fit()` should have rank 4. Got array with shape: '
                             '%s' % (x.shape,))
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn('Expected input to be images (as Numpy array) following the data '
                          'format convention "%s" (channels on axis %d), i.e. expected '
                          'either 1, 3 or 4 channels on axis %d. However, it was passed an '
                          'array with shape %s (%d channels).'
                          % (self.data_format, self.channel_axis, self.channel_axis,
                             x.shape, x.shape[self.channel_axis]))
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if augment:
            ax = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    ax[i + r * x.shape[0]] = self.random_transform(x[i])
            x = ax
        broadcast_shape = [1, 1, 1]
        broadcast_shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=(0, self.row_axis, self.col_axis)),
                                   broadcast_shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=(0, self.row_axis, self.col_axis)),
                                  broadcast_shape)
            x /= (self.std + 1e-6)
        if self.zca_whitening:
            linalg = _scipy('linalg', 'zca_whitening')
            flat_x = np.reshape(x, (x.shape[0], -1))
            sigma = np.dot(flat_x.T, flat_x) / flat_x.shape[0]
            u, s, _ = linalg.svd(sigma)
            s_inv = 1. / np.sqrt(s[np.newaxis] + self.zca_epsilon)
            self.principal_components = (u * s_inv).dot(u.T)


# ---------------------------------------------------------------------------
# iterators
# ---------------------------------------------------------------------------
class Iterator(Sequence):
    """Base class of the image iterators: a `Sequence` of batches and a thread-safe
    infinite Python iterator (`next()`) over the same batches.

    Subclasses implement `_get_batches_of_transformed_samples(index_array)`.

    # Arguments
        n: integer, the total number of samples.
        batch_size: integer, the size of a batch.
        shuffle: whether to shuffle the data at every epoch.
        seed: random seed of the shuffling.
    """

    white_list_formats = ('png', 'jpg', 'jpeg', 'bmp', 'ppm', 'tif', 'tiff')

    def __init__(self, n, batch_size, shuffle, seed):
        if batch_size is None or int(batch_size) < 1:
            raise ValueError('batch_size must be a positive integer, got %r' % (batch_size,))
        self.n = n
        self.batch_size = int(batch_size)
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx):
        """The batch number `idx` (a `Sequence` interface).

        # Arguments
            idx: index of the batch, from 0 to `len(self) - 1`.

        # Returns
            A batch: `x` or `(x, y)` (with `sample_weight` when given).

        # Raises
            ValueError: `idx` is out of range.
        """
        if idx < 0:
            idx += len(self)
        if not 0 <= idx < len(self):
            raise ValueError('Asked to retrieve element {idx}, but the Sequence has length '
                             '{length}'.format(idx=idx, length=len(self)))
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(index_array)

    def __len__(self):
        """The number of batches per epoch: `ceil(n / batch_size)`."""
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        """Restarts the iteration at the first batch of a new epoch."""
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current_index = (self.batch_index * self.batch_size) % self.n if self.n else 0
            if self.n > current_index + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current_index:current_index + self.batch_size]

    def __iter__(self):
        """Returns the iterator itself (batches come from `next`)."""
        return self

    def __next__(self, *args, **kwargs):
        """The next batch (see `next`)."""
        return self.next(*args, **kwargs)

    def next(self):
        """Next batch (thread-safe)."""
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError

    def _save_batch(self, batch_x, index_array):
        for i, j in enumerate(index_array):
            img = array_to_img(batch_x[i], self.data_format, scale=True)
            fname = '{prefix}_{index}_{hash}.{format}'.format(
                prefix=self.save_prefix, index=j, hash=np.random.randint(int(1e7)),
                format=self.save_format)
            img.save(os.path.join(self.save_to_dir, fname))


def _check_subset(subset):
    if subset is not None and subset not in ('training', 'validation'):
        raise ValueError('Invalid subset name: %r; expected "training" or "validation"'
                         % (subset,))


class NumpyArrayIterator(Iterator):
    """Iterator over augmented batches of numpy arrays (see `ImageDataGenerator.flow`).

    `x` may be a 4D array or a tuple `(images, other_inputs)` where other_inputs (an
    array or a list of arrays) is batched along without augmentation.

    # Arguments
        x: NumPy array of input data (rank 4), or a tuple whose first entry is that array and
            second a list of arrays passed along with it.
        y: NumPy array of targets (`None`: the batches are `x` only).
        image_data_generator: the `ImageDataGenerator` that transforms the images (`None`: no
            transformation).
        batch_size: integer, the number of images per batch.
        shuffle: whether to shuffle the order of the images at every epoch.
        sample_weight: NumPy array of sample weights (then batches are `(x, y, sample_weight)`).
        seed: random seed of the shuffling and transformations.
        data_format: `"channels_last"` or `"channels_first"` (`None`: the default image data
            format).
        save_to_dir: optional directory where the generated images are saved (to see what the
            augmentation does).
        save_prefix: prefix of the file names of the saved images.
        save_format: `"png"` or `"jpeg"`.
        subset: `"training"` or `"validation"`: which part of the data to iterate over when the
            generator has a `validation_split`.
        dtype: dtype of the generated batches (default `K.floatx()`).
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix='', save_format='png', subset=None, dtype=None):
        if dtype is None:
            dtype = _floatx()
        self.dtype = dtype
        if isinstance(x, (tuple, list)):
            if len(x) != 2:
                raise ValueError('NumpyArrayIterator: x given as a tuple must be '
                                 '(images, other_inputs), got %d items' % len(x))
            if not isinstance(x[1], list):
                x_misc = [np.asarray(x[1])]
            else:
                x_misc = [np.asarray(xx) for xx in x[1]]
            x = x[0]
            for xx in x_misc:
                if len(x) != len(xx):
                    raise ValueError('All of the arrays in `x` should have the same length. '
                                     'Found a pair with: len(x[0]) = %s, len(x[?]) = %s'
                                     % (len(x), len(xx)))
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError('`x` (images tensor) and `y` (labels) should have the same '
                             'length. Found: x.shape = %s, y.shape = %s'
                             % (np.asarray(x).shape, np.asarray(y).shape))
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError('`x` (images tensor) and `sample_weight` should have the same '
                             'length. Found: x.shape = %s, sample_weight.shape = %s'
                             % (np.asarray(x).shape, np.asarray(sample_weight).shape))
        _check_subset(subset)
        if subset is not None:
            split_idx = int(len(x) * image_data_generator._validation_split)
            if (y is not None and not np.array_equal(np.unique(np.asarray(y)[:split_idx]),
                                                     np.unique(np.asarray(y)[split_idx:]))):
                raise ValueError('Training and validation subsets have different number of '
                                 'classes after the split. If your numpy arrays are sorted '
                                 'by the label, you might want to shuffle them.')
            sl = slice(None, split_idx) if subset == 'validation' else slice(split_idx, None)
            x = x[sl]
            x_misc = [xx[sl] for xx in x_misc]
            if y is not None:
                y = y[sl]
            if sample_weight is not None:
                sample_weight = sample_weight[sl]
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError('Input data in `NumpyArrayIterator` should have rank 4. You '
                             'passed an array with shape %s' % (self.x.shape,))
        data_format = _data_format(data_format)
        channels_axis = 3 if data_format == 'channels_last' else 1
        if self.x.shape[channels_axis] not in (1, 3, 4):
            warnings.warn('NumpyArrayIterator is set to use the data format convention "%s" '
                          '(channels on axis %d), i.e. expected either 1, 3, or 4 channels '
                          'on axis %d. However, it was passed an array with shape %s (%d '
                          'channels).' % (data_format, channels_axis, channels_axis,
                                          self.x.shape, self.x.shape[channels_axis]))
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super(NumpyArrayIterator, self).__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        gen = self.image_data_generator
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = gen.get_random_transform(x.shape)
            x = gen.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = gen.standardize(x)
        if self.save_to_dir:
            self._save_batch(batch_x, index_array)
        batch_x_miscs = [xx[index_array] for xx in self.x_misc]
        output = (batch_x if not batch_x_miscs else [batch_x] + batch_x_miscs,)
        if self.y is None:
            return output[0]
        output += (self.y[index_array],)
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


class _BatchFromFilesMixin(object):
    """Loading, augmenting and labelling batches of image files."""

    def set_processing_attrs(self, image_data_generator, target_size, color_mode,
                             data_format, save_to_dir, save_prefix, save_format, subset,
                             interpolation):
        """Sets the attributes that turn image files into batches.

        # Arguments
            image_data_generator: the `ImageDataGenerator` that transforms the images.
            target_size: `(height, width)` the images are resized to.
            color_mode: `'grayscale'`, `'rgb'` or `'rgba'`.
            data_format: `'channels_first'` or `'channels_last'`.
            save_to_dir: directory where the augmented images are saved (`None`: not saved).
            save_prefix: prefix of the saved file names.
            save_format: `'png'` or `'jpeg'`.
            subset: `'training'` or `'validation'` when the generator has a
                `validation_split`.
            interpolation: resampling method of the resize (`'nearest'`, `'bilinear'`,
                `'bicubic'`, ...).
        """
        self.image_data_generator = image_data_generator
        self.target_size = tuple(int(v) for v in target_size)
        if color_mode not in ('rgb', 'rgba', 'grayscale'):
            raise ValueError('Invalid color mode: %r; expected "rgb", "rgba", or '
                             '"grayscale".' % (color_mode,))
        self.color_mode = color_mode
        self.data_format = _data_format(data_format)
        channels = {'rgba': 4, 'rgb': 3, 'grayscale': 1}[color_mode]
        if self.data_format == 'channels_last':
            self.image_shape = self.target_size + (channels,)
        else:
            self.image_shape = (channels,) + self.target_size
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        _check_subset(subset)
        if subset is not None:
            vs = image_data_generator._validation_split if image_data_generator else 0.
            self.split = (0, vs) if subset == 'validation' else (vs, 1)
        else:
            self.split = None
        self.subset = subset

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        filepaths = self.filepaths
        gen = self.image_data_generator
        for i, j in enumerate(index_array):
            img = load_img(filepaths[j], color_mode=self.color_mode,
                           target_size=self.target_size, interpolation=self.interpolation)
            x = img_to_array(img, data_format=self.data_format, dtype=self.dtype)
            img.close()
            if gen:
                params = gen.get_random_transform(x.shape)
                x = gen.apply_transform(x, params)
                x = gen.standardize(x)
            batch_x[i] = x
        if self.save_to_dir:
            self._save_batch(batch_x, index_array)
        mode = self.class_mode
        if mode == 'input':
            batch_y = batch_x.copy()
        elif mode == 'sparse':
            batch_y = self.classes[index_array]
        elif mode == 'binary':
            batch_y = self.classes[index_array].astype(self.dtype)
        elif mode == 'categorical':
            batch_y = np.zeros((len(batch_x), self.num_classes), dtype=self.dtype)
            batch_y[np.arange(len(batch_x)), self.classes[index_array]] = 1.
        elif mode == 'multi_label':
            batch_y = np.zeros((len(batch_x), self.num_classes), dtype=self.dtype)
            for i, j in enumerate(index_array):
                batch_y[i, list(self._multi_labels[j])] = 1.
        elif mode in ('raw', 'other'):
            batch_y = self._raw_labels[index_array]
        else:
            return batch_x
        if getattr(self, '_sample_weight', None) is not None:
            return batch_x, batch_y, self._sample_weight[index_array]
        return batch_x, batch_y

    @property
    def filepaths(self):
        return self._filepaths

    @property
    def labels(self):
        return self.classes

    @property
    def sample_weight(self):
        return getattr(self, '_sample_weight', None)


def _is_image_file(fname, formats):
    return fname.lower().endswith(tuple('.' + f for f in formats))


class DirectoryIterator(_BatchFromFilesMixin, Iterator):
    """Iterator over the images in the class subfolders of `directory`.

    `class_mode`: 'categorical' (one-hot), 'binary' (0/1 floats), 'sparse' (integer
    labels), 'input' (targets = images, for autoencoders) or None (images only).
    Subfolders are the classes (sorted, unless `classes` lists them); files are found
    recursively and sorted; with `subset`, the first `validation_split` of every class
    is the validation subset.

    # Arguments
        directory: path of the directory with one subdirectory of images per class.
        image_data_generator: the `ImageDataGenerator` that transforms the images (`None`: no
            transformation).
        target_size: `(height, width)` the images are resized to.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
        classes: optional list of class subdirectory names (default: every subdirectory, in
            alphanumerical order).
        class_mode: `"categorical"` (one-hot), `"binary"`, `"sparse"` (integer labels),
            `"input"` (the images themselves, for autoencoders) or `None` (no labels).
        batch_size: integer, the number of images per batch.
        shuffle: whether to shuffle the order of the images at every epoch.
        seed: random seed of the shuffling and transformations.
        data_format: `"channels_last"` or `"channels_first"` (`None`: the default image data
            format).
        save_to_dir: optional directory where the generated images are saved (to see what the
            augmentation does).
        save_prefix: prefix of the file names of the saved images.
        save_format: `"png"` or `"jpeg"`.
        follow_links: whether to follow symbolic links inside the class subdirectories.
        subset: `"training"` or `"validation"`: which part of the data to iterate over when the
            generator has a `validation_split`.
        interpolation: resampling method when resizing: `"nearest"`, `"bilinear"`, `"bicubic"`
            (and `"lanczos"`, `"box"`, `"hamming"` with a recent Pillow).
        dtype: dtype of the generated batches (default `K.floatx()`).
    """

    allowed_class_modes = {'categorical', 'binary', 'sparse', 'input', None}

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode='rgb', classes=None, class_mode='categorical', batch_size=32,
                 shuffle=True, seed=None, data_format=None, save_to_dir=None,
                 save_prefix='', save_format='png', follow_links=False, subset=None,
                 interpolation='nearest', dtype=None):
        if dtype is None:
            dtype = _floatx()
        self.dtype = dtype
        self.set_processing_attrs(image_data_generator, target_size, color_mode,
                                  data_format, save_to_dir, save_prefix, save_format,
                                  subset, interpolation)
        if not os.path.isdir(directory):
            raise ValueError('flow_from_directory: %r is not a directory' % (directory,))
        self.directory = directory
        if class_mode not in self.allowed_class_modes:
            raise ValueError('Invalid class_mode: %r; expected one of "categorical", '
                             '"binary", "sparse", "input" or None.' % (class_mode,))
        self.class_mode = class_mode
        if not classes:
            classes = sorted(d for d in os.listdir(directory)
                             if os.path.isdir(os.path.join(directory, d)))
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))

        filenames = []
        labels = []
        for cls in classes:
            subdir = os.path.join(directory, cls)
            found = []
            for root, _, files in sorted(os.walk(subdir, followlinks=follow_links),
                                         key=lambda t: t[0]):
                for fname in sorted(files):
                    if _is_image_file(fname, self.white_list_formats):
                        found.append(os.path.relpath(os.path.join(root, fname), directory))
            if self.split is not None:
                n = len(found)
                found = found[int(self.split[0] * n):int(self.split[1] * n)]
            filenames.extend(found)
            labels.extend([self.class_indices[cls]] * len(found))
        self.filenames = filenames
        self.samples = len(filenames)
        self.classes = np.array(labels, dtype='int32')
        self._filepaths = [os.path.join(directory, f) for f in filenames]
        print('Found %d images belonging to %d classes.' % (self.samples, self.num_classes))
        super(DirectoryIterator, self).__init__(self.samples, batch_size, shuffle, seed)


def _named_with_extensions(dataframe, directory, x_col, extensions):
    """A copy of `dataframe` whose `x_col` names without an extension are those of the
    images of `directory` (its own files) that have them with one of `extensions` (a name
    with no such image is kept as it is, and then dropped as no image file)."""
    found = {}
    for fname in sorted(os.listdir(directory or '.')):
        stem, dot, ext = fname.rpartition('.')
        if dot and ext.lower() in extensions:
            found.setdefault(stem, fname)
    dataframe = dataframe.copy()
    dataframe[x_col] = [found.get(str(v), str(v)) for v in dataframe[x_col]]
    return dataframe


class DataFrameIterator(_BatchFromFilesMixin, Iterator):
    """Iterator over the images listed in a DataFrame (see `flow_from_dataframe`).

    `class_mode`: 'categorical' (labels are strings, or lists of strings for
    multi-label), 'binary', 'sparse', 'raw' (the `y_col` values as an array; several
    columns allowed), 'input' or None.
    """

    allowed_class_modes = {'categorical', 'binary', 'sparse', 'input', 'raw', None}

    def __init__(self, dataframe, directory=None, image_data_generator=None,
                 x_col='filename', y_col='class', weight_col=None, target_size=(256, 256),
                 color_mode='rgb', classes=None, class_mode='categorical', batch_size=32,
                 shuffle=True, seed=None, data_format=None, save_to_dir=None,
                 save_prefix='', save_format='png', subset=None, interpolation='nearest',
                 dtype=None, validate_filenames=True):
        if dtype is None:
            dtype = _floatx()
        self.dtype = dtype
        self.set_processing_attrs(image_data_generator, target_size, color_mode,
                                  data_format, save_to_dir, save_prefix, save_format,
                                  subset, interpolation)
        if class_mode == 'other':
            # (the name keras_preprocessing 1.0.5 to 1.0.9 had for 'raw', which later
            # versions still took: regression tutorials of those years use it)
            warnings.warn('class_mode "other" is deprecated, please use "raw" instead.',
                          DeprecationWarning)
            class_mode = 'raw'
        if class_mode not in self.allowed_class_modes:
            raise ValueError('Invalid class_mode: %r; expected one of %s'
                             % (class_mode, sorted(m for m in self.allowed_class_modes
                                                   if m) + [None]))
        self.class_mode = class_mode
        self.directory = directory or ''
        names = [str(v) for v in list(dataframe[x_col])]
        keep = list(range(len(names)))
        if validate_filenames:
            keep = [i for i in keep
                    if _is_image_file(names[i], self.white_list_formats)
                    and os.path.isfile(os.path.join(self.directory, names[i]))]
            dropped = len(names) - len(keep)
            if dropped:
                warnings.warn('Found %d invalid image filename(s) in x_col="%s". These '
                              'filename(s) will be ignored.' % (dropped, x_col))
        if class_mode in ('categorical', 'binary', 'sparse', 'raw'):
            if isinstance(y_col, (list, tuple)) and class_mode != 'raw':
                raise TypeError('y_col must be a single column name unless '
                                'class_mode="raw", got %r' % (y_col,))
            if isinstance(y_col, (list, tuple)):
                columns = [list(dataframe[c]) for c in y_col]
                raw = [[col[i] for col in columns] for i in range(len(names))]
            else:
                raw = list(dataframe[y_col])
        else:
            raw = None
        weights = list(dataframe[weight_col]) if weight_col else None

        if self.split is not None:
            n = len(keep)
            keep = keep[int(self.split[0] * n):int(self.split[1] * n)]
        self.filenames = [names[i] for i in keep]
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        self._sample_weight = (np.asarray([weights[i] for i in keep], dtype=self.dtype)
                               if weights is not None else None)
        self.num_classes = 0
        self.class_indices = {}
        self.classes = None
        if class_mode == 'raw':
            self._raw_labels = np.asarray([raw[i] for i in keep])
            self.classes = self._raw_labels
        elif class_mode in ('categorical', 'binary', 'sparse'):
            labels = [raw[i] for i in keep]
            multi = any(isinstance(v, (list, tuple)) for v in labels)
            if multi and class_mode != 'categorical':
                raise TypeError('Lists of labels (multi-label) need '
                                'class_mode="categorical"')
            if not classes:
                seen = set()
                for v in labels:
                    seen.update(v if isinstance(v, (list, tuple)) else [v])
                classes = sorted(str(v) for v in seen)
            classes = [str(c) for c in classes]
            if class_mode == 'binary' and len(classes) != 2:
                raise ValueError('class_mode="binary" needs exactly 2 classes, found %d: %s'
                                 % (len(classes), classes))
            self.class_indices = dict(zip(classes, range(len(classes))))
            self.num_classes = len(classes)
            if multi:
                self.class_mode = 'multi_label'
                self._multi_labels = [
                    [self.class_indices[str(c)] for c in (v if isinstance(v, (list, tuple))
                                                          else [v])]
                    for v in labels]
                self.classes = self._multi_labels
            else:
                unknown = sorted({str(v) for v in labels} - set(self.class_indices))
                if unknown:
                    raise ValueError('flow_from_dataframe: labels %s are not in classes %s'
                                     % (unknown, classes))
                self.classes = np.array([self.class_indices[str(v)] for v in labels],
                                        dtype='int32')
        self.samples = len(self.filenames)
        if class_mode in ('categorical', 'binary', 'sparse'):
            print('Found %d validated image filenames belonging to %d classes.'
                  % (self.samples, self.num_classes))
        else:
            print('Found %d validated image filenames.' % self.samples)
        super(DataFrameIterator, self).__init__(self.samples, batch_size, shuffle, seed)
