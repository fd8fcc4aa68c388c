"""Locally-connected layers (unshared convolution weights), Keras 2.2 weight shapes."""
import numpy as np

from .. import backend as K
from ..legacy import interfaces
from ..engine.base_layer import Layer, InputSpec
from ..utils import conv_utils
from .convolutional import _positive_int, _positive_tuple
from ._weight_args import (KERNEL_BIAS_ARGS, set_kernel_bias_args, args_config, add_kernel,
                           add_optional_bias)

__all__ = ['LocallyConnected1D', 'LocallyConnected2D']


class _LocallyConnected(Layer):
    rank = 1

    def __init__(self, filters, kernel_size, strides, padding, data_format, activation, use_bias,
                 kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                 activity_regularizer, kernel_constraint, bias_constraint, **kwargs):
        super(_LocallyConnected, self).__init__(**kwargs)
        cls_name = self.__class__.__name__
        self.filters = _positive_int(filters, cls_name, 'filters')
        self.kernel_size = _positive_tuple(kernel_size, self.rank, 'kernel_size', cls_name)
        self.strides = _positive_tuple(strides, self.rank, 'strides', cls_name)
        self.padding = conv_utils.normalize_padding(padding)
        if self.padding != 'valid':
            raise ValueError('Invalid border mode for %s (only "valid" is supported): %r'
                             % (cls_name, padding))
        self.data_format = conv_utils.normalize_data_format(data_format)
        set_kernel_bias_args(self, activation, use_bias, kernel_initializer, bias_initializer,
                             kernel_regularizer, bias_regularizer, activity_regularizer,
                             kernel_constraint, bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _dims(self, input_shape):
        if self.data_format == 'channels_first':
            return input_shape[1], list(input_shape[2:])
        return input_shape[-1], list(input_shape[1:-1])

    def _output_space(self, spatial):
        return [conv_utils.conv_output_length(spatial[i], self.kernel_size[i], self.padding,
                                              self.strides[i]) for i in range(self.rank)]

    def build(self, input_shape):
        input_dim, spatial = self._dims(input_shape)
        if input_dim is None or any(s is None for s in spatial):
            raise ValueError('%s: the spatial and channel dimensions of the inputs must be fully '
                             'defined (locally-connected weights depend on them), got input '
                             'shape %s' % (self.__class__.__name__, tuple(input_shape)))
        out = self._output_space(spatial)
        if min(out) < 1:
            raise ValueError('%s: kernel_size %s is larger than the input spatial shape %s'
                             % (self.__class__.__name__, self.kernel_size, tuple(spatial)))
        self.output_space = tuple(out)
        self.kernel_shape = (int(np.prod(out)), int(input_dim * np.prod(self.kernel_size)),
                             self.filters)
        self.kernel = add_kernel(self, self.kernel_shape)
        add_optional_bias(self, tuple(out) + (self.filters,))
        axis = 1 if self.data_format == 'channels_first' else -1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: input_dim})
        self.built = True

    def compute_output_shape(self, input_shape):
        _, spatial = self._dims(input_shape)
        out = self._output_space(spatial)
        if self.data_format == 'channels_first':
            return (input_shape[0], self.filters) + tuple(out)
        return (input_shape[0],) + tuple(out) + (self.filters,)

    def call(self, inputs):
        if self.rank == 1:
            output = K.local_conv1d(inputs, self.kernel, self.kernel_size, self.strides,
                                    data_format=self.data_format)
        else:
            output = K.local_conv2d(inputs, self.kernel, self.kernel_size, self.strides,
                                    self.output_space, data_format=self.data_format)
        if self.use_bias:
            output = K.bias_add(output, self.bias, data_format=self.data_format)
        if self.activation is not None:
            output = self.activation(output)
        return output

    def get_config(self):
        config = args_config(self, ('filters', 'kernel_size', 'strides', 'padding',
                                    'data_format') + KERNEL_BIAS_ARGS)
        base_config = super(_LocallyConnected, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class LocallyConnected1D(_LocallyConnected):
    """1D convolution with unshared weights: kernel `(out_len, kernel_size*in, filters)`,
    bias `(out_len, filters)`.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of integers, the size of the window that each output
            position sees.
        strides: an integer or tuple of integers, the strides of the windows.
        padding: only `"valid"` is supported (as in Keras 2.2).
        data_format: only `"channels_last"` (inputs `(batch, steps, channels)`).
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
    """
    rank = 1

    @interfaces.legacy_conv1d_support
    def __init__(self, filters, kernel_size, strides=1, padding='valid', data_format=None,
                 activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super(LocallyConnected1D, self).__init__(
            filters, kernel_size, strides, padding, data_format, activation, use_bias,
            kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class LocallyConnected2D(_LocallyConnected):
    """2D convolution with unshared weights: kernel `(rows*cols, kh*kw*in, filters)`,
    bias `(rows, cols, filters)`.

    # Arguments
        filters: integer, the number of output filters of the convolution (the channels of the
            output).
        kernel_size: an integer or tuple of integers, the size of the window that each output
            position sees.
        strides: an integer or tuple of integers, the strides of the windows.
        padding: only `"valid"` is supported (as in Keras 2.2).
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
    """
    rank = 2

    @interfaces.legacy_conv2d_support
    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super(LocallyConnected2D, self).__init__(
            filters, kernel_size, strides, padding, data_format, activation, use_bias,
            kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


# The other module-level names of Keras 2.2.4's `keras.layers.local`.
from .. import activations, initializers, regularizers, constraints  # noqa: E402,F401

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['InputSpec', 'K', 'Layer', 'activations', 'constraints', 'conv_utils',
            'initializers', 'interfaces', 'regularizers']
