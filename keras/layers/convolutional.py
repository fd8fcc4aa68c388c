"""Convolutional layers: Conv1D/2D/3D, separable, depthwise and transposed convolutions,
cropping, upsampling and zero-padding (Keras 2.2 API and weight layouts)."""
import warnings

import numpy as np

from .. import backend as K
from ..legacy import interfaces
from .. import initializers, regularizers, constraints
from ..backend.ops import _positive_int  # also imported by embeddings.py and local.py
from ..engine.base_layer import Layer, InputSpec
from ..utils import conv_utils
from ._weight_args import (KERNEL_BIAS_ARGS, set_kernel_bias_args, args_config,
                           add_kernel, add_optional_bias)

__all__ = ['Conv1D', 'Conv2D', 'Conv3D', 'SeparableConv1D', 'SeparableConv2D',
           'DepthwiseConv2D', 'Conv2DTranspose', 'Conv3DTranspose',
           'Cropping1D', 'Cropping2D', 'Cropping3D',
           'UpSampling1D', 'UpSampling2D', 'UpSampling3D',
           'ZeroPadding1D', 'ZeroPadding2D', 'ZeroPadding3D',
           'Convolution1D', 'Convolution2D', 'Convolution3D', 'SeparableConvolution1D',
           'SeparableConvolution2D', 'Convolution2DTranspose', 'Deconvolution2D',
           'Deconvolution3D', 'Deconv2D', 'Deconv3D', 'AtrousConvolution1D',
           'AtrousConvolution2D', 'AtrousConv1D', 'AtrousConv2D']


# ------------------------------------------------------------------ helpers


def _spatial_axes(data_format, rank):
    if data_format == 'channels_first':
        return list(range(2, 2 + rank))
    return list(range(1, 1 + rank))


def _map_spatial(input_shape, data_format, rank, fn):
    """`input_shape` with each known spatial dimension `d` (the `i`-th) replaced by
    `fn(i, d)`."""
    out = list(input_shape)
    for i, ax in enumerate(_spatial_axes(data_format, rank)):
        if input_shape[ax] is not None:
            out[ax] = fn(i, input_shape[ax])
    return tuple(out)


def _positive_tuple(value, n, name, cls_name):
    tup = conv_utils.normalize_tuple(value, n, name)
    if min(tup) < 1:
        raise ValueError('%s: `%s` must contain positive integers, got %r'
                         % (cls_name, name, value))
    return tup


# ------------------------------------------------------------------ convolutions
class _Conv(Layer):
    """N-D convolution layer base: `activation(conv(inputs, kernel) + bias)`."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding='valid', data_format=None,
                 dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super(_Conv, self).__init__(**kwargs)
        cls_name = self.__class__.__name__
        self.rank = rank
        self.filters = _positive_int(filters, cls_name, 'filters') if filters is not None \
            else None
        self.kernel_size = _positive_tuple(kernel_size, rank, 'kernel_size', cls_name)
        self.strides = _positive_tuple(strides, rank, 'strides', cls_name)
        self.padding = conv_utils.normalize_padding(padding)
        if self.padding == 'causal' and not (rank == 1 and isinstance(self, (Conv1D,
                                                                             SeparableConv1D))):
            raise ValueError("%s: padding='causal' is only supported by Conv1D and "
                             "SeparableConv1D, got padding=%r" % (cls_name, padding))
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = _positive_tuple(dilation_rate, rank, 'dilation_rate', cls_name)
        set_kernel_bias_args(self, activation, use_bias, kernel_initializer, bias_initializer,
                             kernel_regularizer, bias_regularizer, activity_regularizer,
                             kernel_constraint, bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _input_dim(self, input_shape):
        channel_axis = 1 if self.data_format == 'channels_first' else -1
        input_dim = input_shape[channel_axis]
        if input_dim is None:
            raise ValueError('%s: the channel dimension of the inputs should be defined. '
                             'Found `None` (input shape %s, data_format=%r).'
                             % (self.name, tuple(input_shape), self.data_format))
        return int(input_dim), channel_axis

    def _kernel_shape(self, input_dim):
        return self.kernel_size + (input_dim, self.filters)

    def build(self, input_shape):
        input_dim, channel_axis = self._input_dim(input_shape)
        self._check_output_lengths(input_shape)
        self.kernel = add_kernel(self, self._kernel_shape(input_dim))
        add_optional_bias(self, (self.filters,))
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={channel_axis: input_dim})
        self.built = True

    def _check_output_lengths(self, input_shape):
        conv_utils.check_output_lengths(self.name, input_shape, self.kernel_size, self.padding,
                                        self.strides, self.dilation_rate, self.data_format)

    def _convolve(self, inputs):
        """The convolution with its bias added (where the layer has one)."""
        strides, dilation = self.strides, self.dilation_rate
        if self.rank == 1:
            strides, dilation = strides[0], dilation[0]
        if self.use_bias and K._biased_convolution is not None:
            # one op where the backend has one (see K._biased_convolution)
            return K._biased_convolution(inputs, self.kernel, self.bias, strides,
                                         self.padding, self.data_format, dilation)
        conv = (K.conv1d, K.conv2d, K.conv3d)[self.rank - 1]
        outputs = conv(inputs, self.kernel, strides=strides, padding=self.padding,
                       data_format=self.data_format, dilation_rate=dilation)
        return self._add_bias(outputs)

    def _add_bias(self, outputs):
        if self.use_bias:
            return K.bias_add(outputs, self.bias, data_format=self.data_format)
        return outputs

    def _activate(self, outputs):
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def _finish(self, outputs):
        return self._activate(self._add_bias(outputs))

    def call(self, inputs):
        return self._activate(self._convolve(inputs))

    def _out_channels(self, input_shape):
        return self.filters

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial_axes = _spatial_axes(self.data_format, self.rank)
        space = [conv_utils.conv_output_length(input_shape[ax], self.kernel_size[i],
                                               padding=self.padding, stride=self.strides[i],
                                               dilation=self.dilation_rate[i])
                 for i, ax in enumerate(spatial_axes)]
        channels = self._out_channels(input_shape)
        if self.data_format == 'channels_first':
            return (input_shape[0], channels) + tuple(space)
        return (input_shape[0],) + tuple(space) + (channels,)

    def get_config(self):
        # (without `rank`: Keras 2.2's Conv1D/2D/3D drop it from their configs)
        config = args_config(self, ('filters', 'kernel_size', 'strides', 'padding',
                                    'data_format', 'dilation_rate') + KERNEL_BIAS_ARGS)
        base_config = super(_Conv, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class Conv1D(_Conv):
    """1D convolution (temporal); `padding='causal'` pads on the left only.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer (or tuple of one integer), the length of the convolution window.
        strides: an integer, the stride of the convolution. A stride other than 1 cannot be
            combined with a `dilation_rate` other than 1.
        padding: `"valid"`, `"same"` or `"causal"` (left padding only: output `t` depends on
            inputs up to `t`, as in WaveNet).
        data_format: `"channels_last"` (inputs `(batch, steps, channels)`, the default) or
            `"channels_first"` (`(batch, channels, steps)`).
        dilation_rate: an integer, the dilation rate of a dilated convolution.
        activation: activation function (a name from `keras.activations` or a function); `None`:
            no activation (`a(x) = x`).
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights matrix (see
            `keras.initializers`).
        bias_initializer: initializer of the bias vector.
        kernel_regularizer: regularizer applied to the `kernel` weights matrix (see
            `keras.regularizers`).
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        kernel_constraint: constraint applied to the `kernel` weights matrix after each update
            (see `keras.constraints`).
        bias_constraint: constraint applied to the bias vector.

    # Input shape
        3D tensor `(batch, steps, input_dim)`.

    # Output shape
        3D tensor `(batch, new_steps, filters)`; `new_steps` is smaller than `steps` with
        `"valid"` padding.
    """

    @interfaces.legacy_conv1d_support
    def __init__(self, filters, kernel_size, strides=1, padding='valid',
                 data_format='channels_last', dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        input_dim = kwargs.pop('input_dim', None)
        input_length = kwargs.pop('input_length', None)
        if input_dim is not None or input_length is not None:
            kwargs['input_shape'] = (input_length, input_dim)
        if padding == 'causal' and data_format not in (None, 'channels_last'):
            raise ValueError("Conv1D: padding='causal' requires data_format='channels_last', "
                             "got data_format=%r" % (data_format,))
        super(Conv1D, self).__init__(
            rank=1, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


class Conv2D(_Conv):
    """2D convolution over images; kernel `(kh, kw, in, filters)`.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of integers, the size of the convolution window (one
            integer: the same for every spatial dimension).
        strides: an integer or tuple of integers, the strides of the convolution along each
            spatial dimension. A stride other than 1 cannot be combined with a `dilation_rate`
            other than 1.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        dilation_rate: an integer or tuple of integers, the dilation rate of a dilated (atrous)
            convolution.
        activation: activation function (a name from `keras.activations` or a function); `None`:
            no activation (`a(x) = x`).
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights matrix (see
            `keras.initializers`).
        bias_initializer: initializer of the bias vector.
        kernel_regularizer: regularizer applied to the `kernel` weights matrix (see
            `keras.regularizers`).
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        kernel_constraint: constraint applied to the `kernel` weights matrix after each update
            (see `keras.constraints`).
        bias_constraint: constraint applied to the bias vector.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (channels_last) or `(batch, channels, rows,
        cols)`.

    # Output shape
        4D tensor `(batch, new_rows, new_cols, filters)` (channels_last) or `(batch, filters,
        new_rows, new_cols)`.

    # Example
    ```python
    from keras.models import Sequential
    from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense

    model = Sequential()
    model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))  # (None, 26, 26, 32)
    model.add(MaxPooling2D((2, 2)))                                            # (None, 13, 13, 32)
    model.add(Conv2D(64, (3, 3), padding='same', activation='relu'))           # (None, 13, 13, 64)
    model.add(Flatten())
    model.add(Dense(10, activation='softmax'))
    print(model.output_shape)                                                  # (None, 10)
    ```
    """

    @interfaces.legacy_conv2d_support
    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super(Conv2D, self).__init__(
            rank=2, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


class Conv3D(_Conv):
    """3D convolution over volumes; kernel `(kd, kh, kw, in, filters)`.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of integers, the size of the convolution window (one
            integer: the same for every spatial dimension).
        strides: an integer or tuple of integers, the strides of the convolution along each
            spatial dimension. A stride other than 1 cannot be combined with a `dilation_rate`
            other than 1.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        dilation_rate: an integer or tuple of integers, the dilation rate of a dilated (atrous)
            convolution.
        activation: activation function (a name from `keras.activations` or a function); `None`:
            no activation (`a(x) = x`).
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights matrix (see
            `keras.initializers`).
        bias_initializer: initializer of the bias vector.
        kernel_regularizer: regularizer applied to the `kernel` weights matrix (see
            `keras.regularizers`).
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        kernel_constraint: constraint applied to the `kernel` weights matrix after each update
            (see `keras.constraints`).
        bias_constraint: constraint applied to the bias vector.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (channels_last) or `(batch, channels,
        dim1, dim2, dim3)`.

    # Output shape
        5D tensor `(batch, new_dim1, new_dim2, new_dim3, filters)` (channels_last) or channels
        first.
    """

    @interfaces.legacy_conv3d_support
    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding='valid',
                 data_format=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super(Conv3D, self).__init__(
            rank=3, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


def _normalize_output_padding(output_padding, rank, strides, cls_name):
    if output_padding is None:
        return None
    output_padding = conv_utils.normalize_tuple(output_padding, rank, 'output_padding')
    for stride, out_pad in zip(strides, output_padding):
        if out_pad < 0:
            raise ValueError('%s: `output_padding` must be non-negative, got %r'
                             % (cls_name, output_padding))
        if out_pad >= stride:
            raise ValueError('%s: strides %s must be greater than output padding %s'
                             % (cls_name, strides, output_padding))
    return output_padding


class _ConvTransposeMixin(object):
    """Shared pieces of Conv2DTranspose / Conv3DTranspose (kernel `size + (filters, in)`)."""

    def _check_output_lengths(self, input_shape):
        pass    # a transposed convolution's output is never smaller than its input

    def _kernel_shape(self, input_dim):
        return self.kernel_size + (self.filters, input_dim)

    def _spatial_out(self, input_shape):
        spatial_axes = _spatial_axes(self.data_format, self.rank)
        out = []
        for i, ax in enumerate(spatial_axes):
            out_pad = None if self.output_padding is None else self.output_padding[i]
            out.append(conv_utils.deconv_length(input_shape[ax], self.strides[i],
                                                self.kernel_size[i], self.padding, out_pad,
                                                self.dilation_rate[i]))
        return out

    def compute_output_shape(self, input_shape):
        """The output shape of the transposed convolution for `input_shape`.

        # Arguments
            input_shape: shape tuple.

        # Returns
            A shape tuple.
        """
        input_shape = tuple(input_shape)
        space = self._spatial_out(input_shape)
        if self.data_format == 'channels_first':
            return (input_shape[0], self.filters) + tuple(space)
        return (input_shape[0],) + tuple(space) + (self.filters,)

    def call(self, inputs):
        """Applies the transposed convolution (and the bias and the activation) to `inputs`.

        # Arguments
            inputs: input tensor.

        # Returns
            The output tensor.
        """
        input_shape = K.int_shape(inputs)
        output_shape = self.compute_output_shape(input_shape)
        if self.rank == 2:
            outputs = K.conv2d_transpose(inputs, self.kernel, output_shape, self.strides,
                                         padding=self.padding, data_format=self.data_format,
                                         dilation_rate=self.dilation_rate)
        else:
            outputs = K.conv3d_transpose(inputs, self.kernel, output_shape, self.strides,
                                         padding=self.padding, data_format=self.data_format)
        return self._finish(outputs)


class Conv2DTranspose(_ConvTransposeMixin, Conv2D):
    """Transposed 2D convolution ("deconvolution"); kernel `(kh, kw, filters, in)`.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of integers, the size of the convolution window (one
            integer: the same for every spatial dimension).
        strides: an integer or tuple of integers, the strides of the convolution along each
            spatial dimension. A stride other than 1 cannot be combined with a `dilation_rate`
            other than 1.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        output_padding: an integer or tuple of integers, the amount of padding along the height
            and width (and depth) of the output; each value must be smaller than the stride
            along that dimension. `None`: inferred.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        dilation_rate: an integer or tuple of integers, the dilation rate of a dilated (atrous)
            convolution.
        activation: activation function (a name from `keras.activations` or a function); `None`:
            no activation (`a(x) = x`).
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights matrix (see
            `keras.initializers`).
        bias_initializer: initializer of the bias vector.
        kernel_regularizer: regularizer applied to the `kernel` weights matrix (see
            `keras.regularizers`).
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        kernel_constraint: constraint applied to the `kernel` weights matrix after each update
            (see `keras.constraints`).
        bias_constraint: constraint applied to the bias vector.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (channels_last) or `(batch, channels, rows,
        cols)`.

    # Output shape
        4D tensor `(batch, new_rows, new_cols, filters)` (channels_last); `new_rows = (rows - 1)
        * strides[0] + kernel_size[0] - 2 * pad + output_padding[0]`.
    """

    @interfaces.legacy_deconv2d_support
    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid',
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        kwargs.pop('output_shape', None)  # Keras 1 Deconvolution2D argument, now inferred
        super(Conv2DTranspose, self).__init__(
            filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)
        if self.padding not in ('valid', 'same'):
            raise ValueError("Conv2DTranspose: `padding` must be 'valid' or 'same', got %r"
                             % (padding,))
        self.output_padding = _normalize_output_padding(output_padding, 2, self.strides,
                                                        'Conv2DTranspose')
        self.input_spec = InputSpec(ndim=4)

    def get_config(self):
        config = super(Conv2DTranspose, self).get_config()
        config['output_padding'] = self.output_padding
        return config


class Conv3DTranspose(_ConvTransposeMixin, Conv3D):
    """Transposed 3D convolution; kernel `(kd, kh, kw, filters, in)`.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of integers, the size of the convolution window (one
            integer: the same for every spatial dimension).
        strides: an integer or tuple of integers, the strides of the convolution along each
            spatial dimension. A stride other than 1 cannot be combined with a `dilation_rate`
            other than 1.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        output_padding: an integer or tuple of integers, the amount of padding along the height
            and width (and depth) of the output; each value must be smaller than the stride
            along that dimension. `None`: inferred.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        activation: activation function (a name from `keras.activations` or a function); `None`:
            no activation (`a(x) = x`).
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights matrix (see
            `keras.initializers`).
        bias_initializer: initializer of the bias vector.
        kernel_regularizer: regularizer applied to the `kernel` weights matrix (see
            `keras.regularizers`).
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        kernel_constraint: constraint applied to the `kernel` weights matrix after each update
            (see `keras.constraints`).
        bias_constraint: constraint applied to the bias vector.

    # Input shape
        5D tensor `(batch, depth, rows, cols, channels)` (channels_last) or channels first.

    # Output shape
        5D tensor `(batch, new_depth, new_rows, new_cols, filters)` (channels_last) or channels
        first.
    """

    @interfaces.legacy_conv3d_support
    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding='valid',
                 output_padding=None, data_format=None, activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super(Conv3DTranspose, self).__init__(
            filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
        if self.padding not in ('valid', 'same'):
            raise ValueError("Conv3DTranspose: `padding` must be 'valid' or 'same', got %r"
                             % (padding,))
        self.output_padding = _normalize_output_padding(output_padding, 3, self.strides,
                                                        'Conv3DTranspose')
        self.input_spec = InputSpec(ndim=5)

    def get_config(self):
        config = super(Conv3DTranspose, self).get_config()
        config.pop('dilation_rate')
        config['output_padding'] = self.output_padding
        return config


def _replace_kernel_config(config, layer, dropped, added):
    """The config of a convolution whose kernel arguments are replaced by others: without
    `dropped` and the `kernel_*` arguments, then the arguments `added`."""
    for key in dropped + ('kernel_initializer', 'kernel_regularizer', 'kernel_constraint'):
        config.pop(key)
    config.update(args_config(layer, added))
    return config


class _SeparableConv(_Conv):
    """Depthwise convolution (per input channel, `depth_multiplier` outputs each) followed by
    a pointwise 1x1 convolution to `filters` channels."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding='valid', data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer='glorot_uniform', pointwise_initializer='glorot_uniform',
                 bias_initializer='zeros', depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super(_SeparableConv, self).__init__(
            rank=rank, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias, bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = _positive_int(depth_multiplier, self.__class__.__name__,
                                              'depth_multiplier')
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        input_dim, channel_axis = self._input_dim(input_shape)
        self._check_output_lengths(input_shape)
        depthwise_shape = self.kernel_size + (input_dim, self.depth_multiplier)
        pointwise_shape = (1,) * self.rank + (self.depth_multiplier * input_dim, self.filters)
        self.depthwise_kernel = add_kernel(self, depthwise_shape, 'depthwise')
        self.pointwise_kernel = add_kernel(self, pointwise_shape, 'pointwise')
        add_optional_bias(self, (self.filters,))
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={channel_axis: input_dim})
        self.built = True

    def _convolve(self, inputs):
        if self.rank == 1:
            outputs = K.separable_conv1d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                         data_format=self.data_format, strides=self.strides[0],
                                         padding=self.padding,
                                         dilation_rate=self.dilation_rate[0])
        else:
            outputs = K.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                         data_format=self.data_format, strides=self.strides,
                                         padding=self.padding, dilation_rate=self.dilation_rate)
        return self._add_bias(outputs)

    def get_config(self):
        return _replace_kernel_config(
            super(_SeparableConv, self).get_config(), self, (),
            ('depth_multiplier', 'depthwise_initializer', 'pointwise_initializer',
             'depthwise_regularizer', 'pointwise_regularizer', 'depthwise_constraint',
             'pointwise_constraint'))


class SeparableConv1D(_SeparableConv):
    """Depthwise separable 1D convolution.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer, the length of the convolution window.
        strides: an integer, the stride of the convolution.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        dilation_rate: an integer, the dilation rate.
        depth_multiplier: the number of depthwise output channels per input channel (`filters_in
            * depth_multiplier` channels in all).
        activation: activation function (a name from `keras.activations` or a function); `None`:
            no activation (`a(x) = x`).
        use_bias: boolean, whether the layer uses a bias vector.
        depthwise_initializer: initializer of the depthwise kernel.
        pointwise_initializer: initializer of the pointwise (1 x 1) kernel.
        bias_initializer: initializer of the bias vector.
        depthwise_regularizer: regularizer applied to the depthwise kernel.
        pointwise_regularizer: regularizer applied to the pointwise kernel.
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        depthwise_constraint: constraint applied to the depthwise kernel.
        pointwise_constraint: constraint applied to the pointwise kernel.
        bias_constraint: constraint applied to the bias vector.
    """

    def __init__(self, filters, kernel_size, strides=1, padding='valid',
                 data_format='channels_last', dilation_rate=1, depth_multiplier=1,
                 activation=None, use_bias=True, depthwise_initializer='glorot_uniform',
                 pointwise_initializer='glorot_uniform', bias_initializer='zeros',
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super(SeparableConv1D, self).__init__(
            rank=1, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            depth_multiplier=depth_multiplier, activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint, bias_constraint=bias_constraint,
            **kwargs)


class SeparableConv2D(_SeparableConv):
    """Depthwise separable 2D convolution.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of integers, the size of the convolution window (one
            integer: the same for every spatial dimension).
        strides: an integer or tuple of integers, the strides of the convolution along each
            spatial dimension. A stride other than 1 cannot be combined with a `dilation_rate`
            other than 1.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        dilation_rate: an integer or tuple of integers, the dilation rate of a dilated (atrous)
            convolution.
        depth_multiplier: the number of depthwise output channels per input channel (`filters_in
            * depth_multiplier` channels in all).
        activation: activation function (a name from `keras.activations` or a function); `None`:
            no activation (`a(x) = x`).
        use_bias: boolean, whether the layer uses a bias vector.
        depthwise_initializer: initializer of the depthwise kernel.
        pointwise_initializer: initializer of the pointwise (1 x 1) kernel.
        bias_initializer: initializer of the bias vector.
        depthwise_regularizer: regularizer applied to the depthwise kernel.
        pointwise_regularizer: regularizer applied to the pointwise kernel.
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        depthwise_constraint: constraint applied to the depthwise kernel.
        pointwise_constraint: constraint applied to the pointwise kernel.
        bias_constraint: constraint applied to the bias vector.
    """

    @interfaces.legacy_separable_conv2d_support
    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer='glorot_uniform', pointwise_initializer='glorot_uniform',
                 bias_initializer='zeros', depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super(SeparableConv2D, self).__init__(
            rank=2, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            depth_multiplier=depth_multiplier, activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint, bias_constraint=bias_constraint,
            **kwargs)


class DepthwiseConv2D(Conv2D):
    """Per-channel 2D convolution; kernel `(kh, kw, in, depth_multiplier)`, output channel
    `c * depth_multiplier + m`.

    # Arguments
        kernel_size: an integer or tuple of 2 integers, the height and width of the convolution
            window.
        strides: an integer or tuple of 2 integers, the strides of the convolution.
        padding: `"valid"` (no padding) or `"same"` (padding so that the output has the input's
            spatial size divided by the strides, rounded up).
        depth_multiplier: the number of depthwise output channels per input channel (`filters_in
            * depth_multiplier` channels in all).
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        activation: activation function (a name from `keras.activations` or a function); `None`:
            no activation (`a(x) = x`).
        use_bias: boolean, whether the layer uses a bias vector.
        depthwise_initializer: initializer of the depthwise kernel `(rows, cols, in_channels,
            depth_multiplier)`.
        bias_initializer: initializer of the bias vector.
        depthwise_regularizer: regularizer applied to the depthwise kernel.
        bias_regularizer: regularizer applied to the bias vector.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        depthwise_constraint: constraint applied to the depthwise kernel.
        bias_constraint: constraint applied to the bias vector.
    """

    def __init__(self, kernel_size, strides=(1, 1), padding='valid', depth_multiplier=1,
                 data_format=None, activation=None, use_bias=True,
                 depthwise_initializer='glorot_uniform', bias_initializer='zeros',
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        dilation_rate = kwargs.pop('dilation_rate', (1, 1))
        super(DepthwiseConv2D, self).__init__(
            filters=None, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, bias_constraint=bias_constraint,
            **kwargs)
        self.depth_multiplier = _positive_int(depth_multiplier, 'DepthwiseConv2D',
                                              'depth_multiplier')
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        if len(input_shape) < 4:
            raise ValueError('Inputs to `DepthwiseConv2D` should have rank 4. Received input '
                             'shape: %s' % (tuple(input_shape),))
        input_dim, channel_axis = self._input_dim(input_shape)
        self._check_output_lengths(input_shape)
        depthwise_kernel_shape = self.kernel_size + (input_dim, self.depth_multiplier)
        self.depthwise_kernel = add_kernel(self, depthwise_kernel_shape, 'depthwise')
        add_optional_bias(self, (input_dim * self.depth_multiplier,))
        self.input_spec = InputSpec(ndim=4, axes={channel_axis: input_dim})
        self.built = True

    def call(self, inputs, training=None):
        outputs = K.depthwise_conv2d(inputs, self.depthwise_kernel, strides=self.strides,
                                     padding=self.padding, dilation_rate=self.dilation_rate,
                                     data_format=self.data_format)
        return self._finish(outputs)

    def _out_channels(self, input_shape):
        channel_axis = 1 if self.data_format == 'channels_first' else 3
        if input_shape[channel_axis] is None:
            return None
        return input_shape[channel_axis] * self.depth_multiplier

    def get_config(self):
        return _replace_kernel_config(
            super(DepthwiseConv2D, self).get_config(), self, ('filters',),
            ('depth_multiplier', 'depthwise_initializer', 'depthwise_regularizer',
             'depthwise_constraint'))


# ------------------------------------------------------------------ upsampling
class UpSampling1D(Layer):
    """Repeats each temporal step `size` times.

    # Arguments
        size: integer, how many times each step is repeated.
    """

    @interfaces.legacy_upsampling1d_support
    def __init__(self, size=2, **kwargs):
        super(UpSampling1D, self).__init__(**kwargs)
        self.size = _positive_tuple(size, 1, 'size', 'UpSampling1D')[0]
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        size = self.size * input_shape[1] if input_shape[1] is not None else None
        return (input_shape[0], size, input_shape[2])

    def call(self, inputs):
        return K.repeat_elements(inputs, self.size, axis=1)

    def get_config(self):
        config = {'size': self.size}
        base_config = super(UpSampling1D, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class UpSampling2D(Layer):
    """Upsamples rows and columns by `size` ('nearest' repetition or 'bilinear').

    # Arguments
        size: integer or tuple of 2 integers, the upsampling factors for rows and columns.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
        interpolation: `"nearest"` or `"bilinear"`.
    """

    @interfaces.legacy_upsampling2d_support
    def __init__(self, size=(2, 2), data_format=None, interpolation='nearest', **kwargs):
        super(UpSampling2D, self).__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.size = _positive_tuple(size, 2, 'size', 'UpSampling2D')
        if interpolation not in ('nearest', 'bilinear'):
            raise ValueError("UpSampling2D: `interpolation` should be one of 'nearest', "
                             "'bilinear', got %r" % (interpolation,))
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        return _map_spatial(input_shape, self.data_format, 2, lambda i, d: self.size[i] * d)

    def call(self, inputs):
        return K.resize_images(inputs, self.size[0], self.size[1], self.data_format,
                               interpolation=self.interpolation)

    def get_config(self):
        config = {'size': self.size, 'data_format': self.data_format,
                  'interpolation': self.interpolation}
        base_config = super(UpSampling2D, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class UpSampling3D(Layer):
    """Repeats the three spatial dimensions by `size`.

    # Arguments
        size: integer or tuple of 3 integers, the upsampling factors of the three spatial
            dimensions.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
    """

    @interfaces.legacy_upsampling3d_support
    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super(UpSampling3D, self).__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.size = _positive_tuple(size, 3, 'size', 'UpSampling3D')
        self.input_spec = InputSpec(ndim=5)

    def compute_output_shape(self, input_shape):
        return _map_spatial(input_shape, self.data_format, 3, lambda i, d: self.size[i] * d)

    def call(self, inputs):
        return K.resize_volumes(inputs, self.size[0], self.size[1], self.size[2],
                                self.data_format)

    def get_config(self):
        config = {'size': self.size, 'data_format': self.data_format}
        base_config = super(UpSampling3D, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


# ------------------------------------------------------------------ padding / cropping
def _pairs(value, n, name, cls_name):
    """int -> ((v, v),)*n; n ints -> ((a, a), (b, b), ...); n pairs -> as given."""
    msg = ('%s: `%s` should be an int, a tuple of %d ints or a tuple of %d tuples of 2 '
           'non-negative ints, got %r' % (cls_name, name, n, n, value))
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(msg)
        return ((int(value), int(value)),) * n
    if not hasattr(value, '__len__'):
        raise ValueError(msg)
    if n == 1:
        pair = conv_utils.normalize_tuple(value, 2, name)
        if min(pair) < 0:
            raise ValueError(msg)
        return (pair,)
    if len(value) != n:
        raise ValueError(msg)
    out = []
    for v in value:
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            pair = (int(v), int(v))
        else:
            try:
                pair = conv_utils.normalize_tuple(v, 2, name)
            except ValueError:
                raise ValueError(msg)
        if min(pair) < 0:
            raise ValueError(msg)
        out.append(pair)
    return tuple(out)


class ZeroPadding1D(Layer):
    """Pads the temporal axis with zeros: `padding` int or (left, right).

    # Arguments
        padding: integer or pair of integers: how many zeros to add at the start and the end of
            the sequence.
    """

    def __init__(self, padding=1, **kwargs):
        super(ZeroPadding1D, self).__init__(**kwargs)
        self.padding = _pairs(padding, 1, 'padding', 'ZeroPadding1D')[0]
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        length = input_shape[1] + sum(self.padding) if input_shape[1] is not None else None
        return (input_shape[0], length, input_shape[2])

    def call(self, inputs):
        return K.temporal_padding(inputs, padding=self.padding)

    def get_config(self):
        config = {'padding': self.padding}
        base_config = super(ZeroPadding1D, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class _ZeroPadding(Layer):
    rank = 2

    def __init__(self, padding, data_format=None, **kwargs):
        super(_ZeroPadding, self).__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.padding = _pairs(padding, self.rank, 'padding', self.__class__.__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        return _map_spatial(input_shape, self.data_format, self.rank,
                            lambda i, d: d + sum(self.padding[i]))

    def call(self, inputs):
        if self.rank == 2:
            return K.spatial_2d_padding(inputs, padding=self.padding,
                                        data_format=self.data_format)
        return K.spatial_3d_padding(inputs, padding=self.padding, data_format=self.data_format)

    def get_config(self):
        config = {'padding': self.padding, 'data_format': self.data_format}
        base_config = super(_ZeroPadding, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns with zeros: int, (rows, cols) or ((top, bottom), (left, right)).

    # Arguments
        padding: an integer (the same on all four sides), `(rows, cols)` (symmetric) or `((top,
            bottom), (left, right))`.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
    """
    rank = 2

    @interfaces.legacy_zeropadding2d_support
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super(ZeroPadding2D, self).__init__(padding, data_format=data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes with zeros.

    # Arguments
        padding: an integer, a tuple of 3 integers (symmetric) or `((left_dim1, right_dim1),
            (left_dim2, right_dim2), (left_dim3, right_dim3))`.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
    """
    rank = 3

    @interfaces.legacy_zeropadding3d_support
    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super(ZeroPadding3D, self).__init__(padding, data_format=data_format, **kwargs)


class Cropping1D(Layer):
    """Crops the temporal axis: `cropping` int or (start, end).

    # Arguments
        cropping: integer or pair of integers: how many steps to remove at the start and the end
            of the sequence.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super(Cropping1D, self).__init__(**kwargs)
        self.cropping = _pairs(cropping, 1, 'cropping', 'Cropping1D')[0]
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        if input_shape[1] is not None:
            length = input_shape[1] - self.cropping[0] - self.cropping[1]
            if length < 0:
                raise ValueError('Cropping1D: cropping %s is larger than the input length %d'
                                 % (self.cropping, input_shape[1]))
        else:
            length = None
        return (input_shape[0], length, input_shape[2])

    def call(self, inputs):
        self.compute_output_shape(K.int_shape(inputs))
        return inputs[:, self.cropping[0]:inputs.shape[1] - self.cropping[1], :]

    def get_config(self):
        config = {'cropping': self.cropping}
        base_config = super(Cropping1D, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class _Cropping(Layer):
    rank = 2

    def __init__(self, cropping, data_format=None, **kwargs):
        super(_Cropping, self).__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.cropping = _pairs(cropping, self.rank, 'cropping', self.__class__.__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        out = _map_spatial(input_shape, self.data_format, self.rank,
                           lambda i, d: d - sum(self.cropping[i]))
        if any(out[ax] is not None and out[ax] < 0
               for ax in _spatial_axes(self.data_format, self.rank)):
            raise ValueError('%s: cropping %s is larger than the input shape %s'
                             % (self.__class__.__name__, self.cropping, tuple(input_shape)))
        return out

    def call(self, inputs):
        shape = K.int_shape(inputs)
        self.compute_output_shape(shape)
        axes = _spatial_axes(self.data_format, self.rank)
        index = [slice(None)] * len(shape)
        for i, ax in enumerate(axes):
            size = inputs.shape[ax]
            index[ax] = slice(self.cropping[i][0], size - self.cropping[i][1])
        return inputs[tuple(index)]

    def get_config(self):
        config = {'cropping': self.cropping, 'data_format': self.data_format}
        base_config = super(_Cropping, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class Cropping2D(_Cropping):
    """Crops rows and columns: int, (rows, cols) or ((top, bottom), (left, right)).

    # Arguments
        cropping: an integer (the same on all four sides), `(rows, cols)` (symmetric) or `((top,
            bottom), (left, right))`.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
    """
    rank = 2

    @interfaces.legacy_cropping2d_support
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super(Cropping2D, self).__init__(cropping, data_format=data_format, **kwargs)


class Cropping3D(_Cropping):
    """Crops the three spatial axes.

    # Arguments
        cropping: an integer, a tuple of 3 integers (symmetric) or `((left_dim1, right_dim1),
            (left_dim2, right_dim2), (left_dim3, right_dim3))`.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
    """
    rank = 3

    @interfaces.legacy_cropping3d_support
    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super(Cropping3D, self).__init__(cropping, data_format=data_format, **kwargs)


# ------------------------------------------------------------------ aliases
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
Convolution2DTranspose = Conv2DTranspose
Deconvolution2D = Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose


def _atrous_rate(kwargs):
    if 'atrous_rate' in kwargs:
        if 'dilation_rate' in kwargs:
            interfaces.raise_duplicate_arg_error('atrous_rate', 'dilation_rate')
        kwargs['dilation_rate'] = kwargs.pop('atrous_rate')
    return kwargs


def AtrousConvolution1D(*args, **kwargs):
    """Keras 1 dilated 1D convolution: `Conv1D` with `dilation_rate` (`atrous_rate`).

    Warns that the layer is deprecated.

    # Arguments
        args: the positional arguments of `Conv1D` (`filters`, `kernel_size`, ...).
        kwargs: the keyword arguments of `Conv1D`; `atrous_rate` is taken as
            `dilation_rate`.

    # Returns
        A `Conv1D` layer.

    # Raises
        TypeError: if both `atrous_rate` and `dilation_rate` are given.
    """
    _atrous_rate(kwargs)
    warnings.warn('The `AtrousConvolution1D` layer has been deprecated. Use instead the '
                  '`Conv1D` layer with the `dilation_rate` argument.', stacklevel=2)
    return Conv1D(*args, **kwargs)


def AtrousConvolution2D(*args, **kwargs):
    """Keras 1 dilated 2D convolution: `Conv2D` with `dilation_rate` (`atrous_rate`).

    Warns that the layer is deprecated.

    # Arguments
        args: the positional arguments of `Conv2D` (`filters`, `kernel_size`, ...).
        kwargs: the keyword arguments of `Conv2D`; `atrous_rate` is taken as
            `dilation_rate`.

    # Returns
        A `Conv2D` layer.

    # Raises
        TypeError: if both `atrous_rate` and `dilation_rate` are given.
    """
    _atrous_rate(kwargs)
    warnings.warn('The `AtrousConvolution2D` layer has been deprecated. Use instead the '
                  '`Conv2D` layer with the `dilation_rate` argument.', stacklevel=2)
    return Conv2D(*args, **kwargs)


AtrousConv1D = AtrousConvolution1D
AtrousConv2D = AtrousConvolution2D


# Keras 2.2.4 exposed the pooling layers here too
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,  # noqa: E402,F401
                      MaxPooling1D, MaxPooling2D, MaxPooling3D)


# The other module-level names of Keras 2.2.4's `keras.layers.convolutional`.
from .. import activations  # noqa: E402,F401
from ..utils.generic_utils import transpose_shape  # noqa: E402,F401

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'InputSpec', 'K',
            'Layer', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'activations',
            'constraints', 'conv_utils', 'initializers', 'interfaces', 'regularizers',
            'transpose_shape']
