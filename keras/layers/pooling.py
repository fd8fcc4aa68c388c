"""Pooling layers: max/average pooling 1D/2D/3D and global pooling (Keras 2.2 API)."""
from .. import backend as K
from ..legacy import interfaces
from ..engine.base_layer import Layer, InputSpec
from ..utils import conv_utils

__all__ = ['MaxPooling1D', 'AveragePooling1D', 'MaxPooling2D', 'AveragePooling2D',
           'MaxPooling3D', 'AveragePooling3D', 'GlobalMaxPooling1D', 'GlobalAveragePooling1D',
           'GlobalMaxPooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling3D',
           'GlobalAveragePooling3D', 'MaxPool1D', 'AvgPool1D', 'MaxPool2D', 'AvgPool2D',
           'MaxPool3D', 'AvgPool3D', 'GlobalMaxPool1D', 'GlobalAvgPool1D', 'GlobalMaxPool2D',
           'GlobalAvgPool2D', 'GlobalMaxPool3D', 'GlobalAvgPool3D']



def _check_padding(padding, cls_name):
    p = conv_utils.normalize_padding(padding)
    if p not in ('valid', 'same'):
        raise ValueError("%s: `padding` must be 'valid' or 'same', got %r" % (cls_name, padding))
    return p


def _positive(tup, name, cls_name, value):
    if min(tup) < 1:
        raise ValueError('%s: `%s` must contain positive integers, got %r'
                         % (cls_name, name, value))
    return tup


def _spatial_axes(data_format, rank):
    first = 2 if data_format == 'channels_first' else 1
    return list(range(first, first + rank))


class _Pooling(Layer):
    """N-D pooling base; `strides=None` means `strides=pool_size`."""
    rank = 2
    pool_mode = 'max'

    def __init__(self, pool_size, strides=None, padding='valid', data_format=None, **kwargs):
        super(_Pooling, self).__init__(**kwargs)
        cls_name = self.__class__.__name__
        if strides is None:
            strides = pool_size
        self.pool_size = _positive(conv_utils.normalize_tuple(pool_size, self.rank, 'pool_size'),
                                   'pool_size', cls_name, pool_size)
        self.strides = _positive(conv_utils.normalize_tuple(strides, self.rank, 'strides'),
                                 'strides', cls_name, strides)
        self.padding = _check_padding(padding, cls_name)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for i, ax in enumerate(_spatial_axes(self.data_format, self.rank)):
            out[ax] = conv_utils.conv_output_length(input_shape[ax], self.pool_size[i],
                                                    self.padding, self.strides[i])
        return tuple(out)

    def call(self, inputs):
        if self.rank == 1:
            # pooled as an image with one column, as Keras 2.2 does
            axis = 3 if self.data_format == 'channels_first' else 2
            x = K.expand_dims(inputs, axis)
            y = K.pool2d(x, self.pool_size + (1,), strides=self.strides + (1,),
                         padding=self.padding, data_format=self.data_format,
                         pool_mode=self.pool_mode)
            return K.squeeze(y, axis)
        if self.rank == 2:
            return K.pool2d(inputs, self.pool_size, strides=self.strides, padding=self.padding,
                            data_format=self.data_format, pool_mode=self.pool_mode)
        return K.pool3d(inputs, self.pool_size, strides=self.strides, padding=self.padding,
                        data_format=self.data_format, pool_mode=self.pool_mode)

    def get_config(self):
        # (tuples at every rank, 1-tuples for the 1D layers, as Keras 2.2.4 gave them:
        # converters read `get_config()['strides'][0]`)
        config = {'pool_size': self.pool_size, 'strides': self.strides}
        config['padding'] = self.padding
        config['data_format'] = self.data_format
        base_config = super(_Pooling, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


# The public classes below only choose `pool_mode`; their arguments (defaults and Keras 1
# names) are those of their rank's base.
class _Pooling1D(_Pooling):
    rank = 1

    @interfaces.legacy_pooling1d_support
    def __init__(self, pool_size=2, strides=None, padding='valid', data_format='channels_last',
                 **kwargs):
        super(_Pooling1D, self).__init__(pool_size, strides, padding, data_format, **kwargs)


class _Pooling2D(_Pooling):
    rank = 2

    @interfaces.legacy_pooling2d_support
    def __init__(self, pool_size=(2, 2), strides=None, padding='valid', data_format=None,
                 **kwargs):
        super(_Pooling2D, self).__init__(pool_size, strides, padding, data_format, **kwargs)


class _Pooling3D(_Pooling):
    rank = 3

    @interfaces.legacy_pooling3d_support
    def __init__(self, pool_size=(2, 2, 2), strides=None, padding='valid', data_format=None,
                 **kwargs):
        super(_Pooling3D, self).__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(_Pooling1D):
    """Max pooling over the temporal axis.

    # Arguments
        pool_size: integer, the size of the pooling window.
        strides: an integer or tuple of integers, the step of the window; `None`: `pool_size`.
        padding: `"valid"` (windows inside the input only) or `"same"` (the input is padded so
            that the output has `ceil(input / strides)` positions).
        data_format: `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"`
            (`(batch, features, steps)`).

    # Input shape
        3D `(batch, steps, features)`.

    # Output shape
        the same rank, the pooled dimensions reduced.
    """
    pool_mode = 'max'


class AveragePooling1D(_Pooling1D):
    """Average pooling over the temporal axis.

    # Arguments
        pool_size: integer, the size of the pooling window.
        strides: an integer or tuple of integers, the step of the window; `None`: `pool_size`.
        padding: `"valid"` (windows inside the input only) or `"same"` (the input is padded so
            that the output has `ceil(input / strides)` positions).
        data_format: `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"`
            (`(batch, features, steps)`).

    # Input shape
        3D `(batch, steps, features)`.

    # Output shape
        the same rank, the pooled dimensions reduced.
    """
    pool_mode = 'avg'


class MaxPooling2D(_Pooling2D):
    """Max pooling over rows and columns.

    # Arguments
        pool_size: an integer or tuple of integers, the size of the pooling window (in 2D, `(2,
            2)` halves both spatial dimensions).
        strides: an integer or tuple of integers, the step of the window; `None`: `pool_size`.
        padding: `"valid"` (windows inside the input only) or `"same"` (the input is padded so
            that the output has `ceil(input / strides)` positions).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).

    # Input shape
        4D `(batch, rows, cols, channels)` (channels_last) or channels first.

    # Output shape
        the same rank, the pooled dimensions reduced.
    """
    pool_mode = 'max'


class AveragePooling2D(_Pooling2D):
    """Average pooling over rows and columns ('same' divides by the real window size).

    # Arguments
        pool_size: an integer or tuple of integers, the size of the pooling window (in 2D, `(2,
            2)` halves both spatial dimensions).
        strides: an integer or tuple of integers, the step of the window; `None`: `pool_size`.
        padding: `"valid"` (windows inside the input only) or `"same"` (the input is padded so
            that the output has `ceil(input / strides)` positions).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).

    # Input shape
        4D `(batch, rows, cols, channels)` (channels_last) or channels first.

    # Output shape
        the same rank, the pooled dimensions reduced.
    """
    pool_mode = 'avg'


class MaxPooling3D(_Pooling3D):
    """Max pooling over three spatial axes.

    # Arguments
        pool_size: an integer or tuple of integers, the size of the pooling window (in 2D, `(2,
            2)` halves both spatial dimensions).
        strides: an integer or tuple of integers, the step of the window; `None`: `pool_size`.
        padding: `"valid"` (windows inside the input only) or `"same"` (the input is padded so
            that the output has `ceil(input / strides)` positions).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).

    # Input shape
        5D `(batch, dim1, dim2, dim3, channels)` (channels_last) or channels first.

    # Output shape
        the same rank, the pooled dimensions reduced.
    """
    pool_mode = 'max'


class AveragePooling3D(_Pooling3D):
    """Average pooling over three spatial axes.

    # Arguments
        pool_size: an integer or tuple of integers, the size of the pooling window (in 2D, `(2,
            2)` halves both spatial dimensions).
        strides: an integer or tuple of integers, the step of the window; `None`: `pool_size`.
        padding: `"valid"` (windows inside the input only) or `"same"` (the input is padded so
            that the output has `ceil(input / strides)` positions).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).

    # Input shape
        5D `(batch, dim1, dim2, dim3, channels)` (channels_last) or channels first.

    # Output shape
        the same rank, the pooled dimensions reduced.
    """
    pool_mode = 'avg'


# ------------------------------------------------------------------ global pooling
class _GlobalPooling(Layer):
    """Max or mean (`pool_mode`) over the `rank` spatial axes."""
    rank = 2
    pool_mode = 'max'

    def __init__(self, data_format=None, **kwargs):
        super(_GlobalPooling, self).__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        if self.data_format == 'channels_first':
            return (input_shape[0], input_shape[1])
        return (input_shape[0], input_shape[-1])

    def call(self, inputs):
        reduce = K.max if self.pool_mode == 'max' else K.mean
        return reduce(inputs, axis=_spatial_axes(self.data_format, self.rank))

    def get_config(self):
        config = {'data_format': self.data_format}
        base_config = super(_GlobalPooling, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class _GlobalPooling1D(_GlobalPooling):
    rank = 1

    def __init__(self, data_format='channels_last', **kwargs):
        super(_GlobalPooling1D, self).__init__(data_format, **kwargs)


class _GlobalPooling2D(_GlobalPooling):
    rank = 2

    @interfaces.legacy_global_pooling_support
    def __init__(self, data_format=None, **kwargs):
        super(_GlobalPooling2D, self).__init__(data_format, **kwargs)


class _GlobalPooling3D(_GlobalPooling):
    rank = 3

    @interfaces.legacy_global_pooling_support
    def __init__(self, data_format=None, **kwargs):
        super(_GlobalPooling3D, self).__init__(data_format, **kwargs)


class GlobalAveragePooling1D(_GlobalPooling1D):
    """Mean over time; with a mask, the mean over the unmasked steps.

    # Arguments
        data_format: `"channels_last"` or `"channels_first"`: where the channels are (`None`:
            the default image data format; 1D layers default to `"channels_last"`).

    # Input shape
        3D `(batch, steps, features)`.

    # Output shape
        2D tensor `(batch, channels)`.
    """
    pool_mode = 'avg'

    def __init__(self, data_format='channels_last', **kwargs):
        super(GlobalAveragePooling1D, self).__init__(data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super(GlobalAveragePooling1D, self).call(inputs)
        steps_axis = 1 if self.data_format == 'channels_last' else 2
        mask = K.cast(mask, K.floatx())
        mask = K.expand_dims(mask, 2 if self.data_format == 'channels_last' else 1)
        return K.sum(inputs * mask, axis=steps_axis) / K.sum(mask, axis=steps_axis)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling1D):
    """Max over time.

    # Arguments
        data_format: `"channels_last"` or `"channels_first"`: where the channels are (`None`:
            the default image data format; 1D layers default to `"channels_last"`).

    # Input shape
        3D `(batch, steps, features)`.

    # Output shape
        2D tensor `(batch, channels)`.
    """
    pool_mode = 'max'


class GlobalAveragePooling2D(_GlobalPooling2D):
    """Mean over rows and columns.

    # Arguments
        data_format: `"channels_last"` or `"channels_first"`: where the channels are (`None`:
            the default image data format; 1D layers default to `"channels_last"`).

    # Input shape
        4D `(batch, rows, cols, channels)` (channels_last) or channels first.

    # Output shape
        2D tensor `(batch, channels)`.
    """
    pool_mode = 'avg'


class GlobalMaxPooling2D(_GlobalPooling2D):
    """Max over rows and columns.

    # Arguments
        data_format: `"channels_last"` or `"channels_first"`: where the channels are (`None`:
            the default image data format; 1D layers default to `"channels_last"`).

    # Input shape
        4D `(batch, rows, cols, channels)` (channels_last) or channels first.

    # Output shape
        2D tensor `(batch, channels)`.
    """
    pool_mode = 'max'


class GlobalAveragePooling3D(_GlobalPooling3D):
    """Mean over the three spatial axes.

    # Arguments
        data_format: `"channels_last"` or `"channels_first"`: where the channels are (`None`:
            the default image data format; 1D layers default to `"channels_last"`).

    # Input shape
        5D `(batch, dim1, dim2, dim3, channels)` (channels_last) or channels first.

    # Output shape
        2D tensor `(batch, channels)`.
    """
    pool_mode = 'avg'


class GlobalMaxPooling3D(_GlobalPooling3D):
    """Max over the three spatial axes.

    # Arguments
        data_format: `"channels_last"` or `"channels_first"`: where the channels are (`None`:
            the default image data format; 1D layers default to `"channels_last"`).

    # Input shape
        5D `(batch, dim1, dim2, dim3, channels)` (channels_last) or channels first.

    # Output shape
        2D tensor `(batch, channels)`.
    """
    pool_mode = 'max'


# Aliases
AvgPool1D = AveragePooling1D
MaxPool1D = MaxPooling1D
AvgPool2D = AveragePooling2D
MaxPool2D = MaxPooling2D
AvgPool3D = AveragePooling3D
MaxPool3D = MaxPooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['InputSpec', 'K', 'Layer', 'conv_utils', 'interfaces']
