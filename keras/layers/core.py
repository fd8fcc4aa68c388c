"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector,
Lambda, Masking, ActivityRegularization, SpatialDropout1D/2D/3D."""
import numbers
import types

import numpy as np

from .. import backend as K
from ..legacy import interfaces
from .. import activations, regularizers
from ..engine.base_layer import Layer, InputSpec, _is_symbolic
from ..utils.generic_utils import (func_dump, func_load, has_arg, deserialize_keras_object,
                                   to_list, with_values_now)
from ._weight_args import (KERNEL_BIAS_ARGS, set_kernel_bias_args, args_config, add_kernel,
                           add_optional_bias)


def _rate_number(value, cls_name):
    """`value` (the `rate` of the dropout layers) as a float, else a TypeError. Any number
    is taken, as Keras 2.2.4 took it: the layers drop nothing unless `0 < rate < 1`
    (deepface's DeepID turns a `Dropout(rate=1)` off so)."""
    if not isinstance(value, (numbers.Real, np.ndarray, np.generic)) or np.ndim(value):
        raise TypeError('%s: `rate` must be a number (dropout applies for 0 < rate < 1), '
                        'got %r' % (cls_name, value))
    return float(value)


class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value`.

    # Arguments
        mask_value: the value marking the timesteps to skip: a timestep whose features all equal
            it is masked.
    """

    def __init__(self, mask_value=0., **kwargs):
        super(Masking, self).__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return K.any(K.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        boolean_mask = K.any(K.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * K.cast(boolean_mask, K.dtype(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'mask_value': self.mask_value}
        base = super(Masking, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 at training time (scaled by 1/(1-rate)).

    # Arguments
        rate: float between 0 and 1, the fraction of the input units to drop.
        noise_shape: the shape of the binary dropout mask that is multiplied with the input,
            e.g. `(batch_size, 1, features)` to drop the same features at every timestep; `None`
            entries take the input's size.
        seed: integer, the random seed.

    # Example
    ```python
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense, Dropout

    model = Sequential([Dense(64, activation='relu', input_shape=(20,)), Dropout(0.5), Dense(1)])
    model.compile('sgd', 'mse')
    x = np.ones((4, 20))
    assert np.allclose(model.predict(x), model.predict(x))   # no dropout at inference
    ```
    """

    @interfaces.legacy_dropout_support
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super(Dropout, self).__init__(**kwargs)
        # clipped to [0, 1], as Keras 2.2.4 did: 0 and 1 drop nothing
        self.rate = min(1., max(0., _rate_number(rate, self.__class__.__name__)))
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        shape = tuple(inputs.shape) if hasattr(inputs, 'shape') else K.int_shape(inputs)
        # a size not known yet (the symbolic batch of shape inference) follows the input:
        # the given size applies when the layer runs
        return tuple(shape[i] if d is None or not isinstance(shape[i], (int, np.integer)) else d
                     for i, d in enumerate(self.noise_shape))

    def call(self, inputs, training=None):
        if 0. < self.rate < 1.:
            noise_shape = self._get_noise_shape(inputs)

            def dropped_inputs():
                return K.dropout(inputs, self.rate, noise_shape, seed=self.seed)
            return K.in_train_phase(dropped_inputs, inputs, training=training)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'rate': self.rate, 'noise_shape': self.noise_shape, 'seed': self.seed}
        base = super(Dropout, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class _SpatialDropout(Dropout):
    """Dropout of entire feature maps: one draw per sample and channel, shared by the
    `rank` spatial axes."""
    rank = 1

    @interfaces.legacy_spatialdropoutNd_support
    def __init__(self, rate, data_format=None, **kwargs):
        super(_SpatialDropout, self).__init__(rate, **kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _get_noise_shape(self, inputs):
        s = K.int_shape(inputs)
        spatial = (1,) * self.rank
        if self.data_format == 'channels_first':
            return (s[0], s[1]) + spatial
        return (s[0],) + spatial + (s[-1],)

    def get_config(self):
        config = super(_SpatialDropout, self).get_config()
        config.pop('noise_shape', None)
        config.pop('seed', None)
        if self.rank > 1:  # SpatialDropout1D has no `data_format` argument
            config['data_format'] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Drops entire 1D feature maps (channels) at training time.

    # Arguments
        rate: float between 0 and 1, the fraction of the feature maps (channels) to drop: whole
            channels are dropped, not single entries.
    """
    rank = 1

    @interfaces.legacy_spatialdropout1d_support
    def __init__(self, rate, **kwargs):
        super(SpatialDropout1D, self).__init__(rate, data_format='channels_last', **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops entire 2D feature maps at training time.

    # Arguments
        rate: float between 0 and 1, the fraction of the feature maps (channels) to drop: whole
            channels are dropped, not single entries.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
    """
    rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Drops entire 3D feature maps at training time.

    # Arguments
        rate: float between 0 and 1, the fraction of the feature maps (channels) to drop: whole
            channels are dropped, not single entries.
        data_format: `"channels_last"` (inputs `(batch, ..., channels)`) or `"channels_first"`
            (inputs `(batch, channels, ...)`); `None` takes `image_data_format` from
            `~/.keras/keras.json` (default `"channels_last"`).
    """
    rank = 3


class Activation(Layer):
    """Applies an activation function (name or callable) to its input.

    # Arguments
        activation: the activation function: a name from `keras.activations` (e.g. `'relu'`) or
            a function of one tensor.
    """

    def __init__(self, activation, **kwargs):
        super(Activation, self).__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'activation': activations.serialize(self.activation)}
        base = super(Activation, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Reshape(Layer):
    """Reshapes the non-batch dimensions to `target_shape` (one entry may be -1).

    # Arguments
        target_shape: tuple of integers, the output shape without the batch axis; one entry may
            be -1 (inferred).

    # Example
    ```python
    from keras.models import Sequential
    from keras.layers import Reshape

    model = Sequential()
    model.add(Reshape((3, 4), input_shape=(12,)))   # (None, 3, 4)
    model.add(Reshape((-1, 2, 2)))                  # (None, 3, 2, 2)
    print(model.output_shape)
    ```
    """

    def __init__(self, target_shape, **kwargs):
        super(Reshape, self).__init__(**kwargs)
        try:
            self.target_shape = tuple(int(d) for d in target_shape)
        except (TypeError, ValueError):
            raise TypeError('target_shape: expected a tuple of ints, got %r' % (target_shape,))
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError('target_shape: can only specify one unknown dimension (-1), got %r'
                             % (target_shape,))

    def _fix_unknown_dimension(self, input_shape, output_shape):
        output_shape = list(output_shape)
        msg = ('total size of new array must be unchanged: cannot reshape input of shape %s '
               'into target_shape %s' % (input_shape, self.target_shape))
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                unknown = index
            else:
                known *= dim
        original = int(np.prod(input_shape, dtype=np.int64))
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(msg)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(msg)
        return tuple(output_shape)

    def compute_output_shape(self, input_shape):
        if None in input_shape[1:]:
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        return (input_shape[0],) + self._fix_unknown_dimension(input_shape[1:], self.target_shape)

    def call(self, inputs):
        shape = K.int_shape(inputs)
        if all(isinstance(d, int) for d in shape[1:]):
            target = self._fix_unknown_dimension(shape[1:], self.target_shape)
        else:
            target = self.target_shape
        # (the batch size itself, as Keras 2.2.4 gave it: -1 cannot be inferred for an
        # empty tensor, stellargraph's GraphSAGE with nodes sampling no neighbours)
        return K.reshape(inputs, (K.shape(inputs)[0],) + tuple(target))

    def get_config(self):
        config = {'target_shape': self.target_shape}
        base = super(Reshape, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Permute(Layer):
    """Permutes the non-batch dimensions by `dims` (1-based).

    # Arguments
        dims: tuple of integers, the permutation of the non-batch axes (1-based): `(2, 1)` swaps
            the first and second.
    """

    def __init__(self, dims, **kwargs):
        super(Permute, self).__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError('dims: expected a permutation of 1..%d (the batch axis is not '
                             'included), got %r' % (len(self.dims), dims))
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape):
        input_shape = list(input_shape)
        return tuple([input_shape[0]] + [input_shape[d] for d in self.dims])

    def call(self, inputs):
        return K.permute_dimensions(inputs, (0,) + self.dims)

    def get_config(self):
        config = {'dims': self.dims}
        base = super(Permute, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Flatten(Layer):
    """Flattens the non-batch dimensions (channels_first inputs are made channels-last first).

    # Arguments
        data_format: `"channels_last"` or `"channels_first"`: the ordering of the input;
            channels_first inputs are transposed to channels_last before flattening, so that
            weights keep their meaning when the data format changes.
    """

    def __init__(self, data_format=None, **kwargs):
        super(Flatten, self).__init__(**kwargs)
        self.input_spec = InputSpec(min_ndim=3)
        self.data_format = K.normalize_data_format(data_format)

    def build(self, input_shape):
        # (at the call, as Keras 2.2.4's `compute_output_shape` raised: an `Embedding`
        # without `input_length` before it)
        self._check_defined(input_shape)
        super(Flatten, self).build(input_shape)

    @staticmethod
    def _check_defined(input_shape):
        if not all(input_shape[1:]):
            raise ValueError('The shape of the input to "Flatten" is not fully defined (got %s). '
                             'Make sure to pass a complete "input_shape" or "batch_input_shape" '
                             'argument to the first layer in your model.' % (input_shape[1:],))

    def compute_output_shape(self, input_shape):
        self._check_defined(input_shape)
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def call(self, inputs):
        if self.data_format == 'channels_first':
            nd = K.ndim(inputs)
            inputs = K.permute_dimensions(inputs, (0,) + tuple(range(2, nd)) + (1,))
        return K.batch_flatten(inputs)

    def get_config(self):
        config = {'data_format': self.data_format}
        base = super(Flatten, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class RepeatVector(Layer):
    """Repeats a 2D input `n` times: (batch, features) -> (batch, n, features).

    # Arguments
        n: integer, the number of repetitions.
    """

    def __init__(self, n, **kwargs):
        super(RepeatVector, self).__init__(**kwargs)
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError('n: expected a positive int, got %r' % (n,))
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs):
        return K.repeat(inputs, self.n)

    def get_config(self):
        config = {'n': self.n}
        base = super(RepeatVector, self).get_config()
        return dict(list(base.items()) + list(config.items()))


def _through_backend(function):
    """`function`, or for a backend op (`K.expand_dims`) a function calling it as `K.<name>`,
    whose code loads where `K` is the backend (the op's own code needs its module)."""
    name = getattr(function, '__name__', None)
    op = getattr(K, name, None) if name else None
    # (the Lambda may hold a copy of the op, its closure taken when it was made: the same
    # code, the op's wrapper's)
    if op is not None and getattr(op, '_keras_op', None) is not None and \
            getattr(op, '__code__', None) is function.__code__:
        return eval('lambda *args, **kwargs: K.%s(*args, **kwargs)' % name, {'K': K})
    return function


class Lambda(Layer):
    """Wraps an arbitrary expression `function(inputs, **arguments)` as a layer.

    # Arguments
        function: the function to evaluate; its first argument is the input tensor or list of
            tensors.
        output_shape: the expected output shape: a tuple (batch dimension excluded) or a
            function of the input shape. `None`: inferred by tracing the function.
        mask: a mask, or a function `(inputs, mask)` returning the output mask.
        arguments: optional dictionary of keyword arguments passed to the function.

    # Example
    ```python
    from keras import backend as K
    from keras.models import Sequential
    from keras.layers import Lambda

    model = Sequential()
    model.add(Lambda(lambda x: x ** 2, input_shape=(4,)))
    model.add(Lambda(lambda x: K.concatenate([x, -x], axis=-1)))   # output shape inferred
    print(model.output_shape)                                      # (None, 8)
    ```
    """

    @interfaces.legacy_lambda_support
    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super(Lambda, self).__init__(**kwargs)
        if not callable(function):
            raise TypeError('function: expected a callable, got %r' % (function,))
        self.function = function
        self.arguments = arguments if arguments else {}
        if mask is not None:
            self.supports_masking = True
        self.mask = mask
        if output_shape is None:
            self._output_shape = None
        elif isinstance(output_shape, (tuple, list)):
            self._output_shape = tuple(output_shape)
        else:
            if not callable(output_shape):
                raise TypeError('output_shape: expected a tuple or a function, got %r' % (output_shape,))
            self._output_shape = output_shape

    def __call__(self, inputs, **kwargs):
        if _is_symbolic(inputs):
            # Keras 2.2.4 ran the function here, once, on the graph's tensors: the function
            # runs at every step here, with the values its names have now (a Lambda made in
            # a loop reads the loop variable's value of its own iteration)
            if self.function is not self.__dict__.get('_function_now'):
                self._given_function = self.function     # (set by the user since)
            self.function = self._function_now = with_values_now(self._given_function)
        return super(Lambda, self).__call__(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return Layer.compute_output_shape(self, input_shape)
        if isinstance(self._output_shape, tuple):
            if isinstance(input_shape, list):
                num_samples = input_shape[0][0]
            else:
                num_samples = input_shape[0] if input_shape else None
            return (num_samples,) + tuple(self._output_shape)
        shape = self._output_shape(input_shape)
        return shape

    def _declares_output_shape(self):
        return self._output_shape is not None

    def call(self, inputs, mask=None):
        arguments = self.arguments
        if has_arg(self.function, 'mask'):
            arguments = dict(arguments, mask=mask)
        return self.function(inputs, **arguments)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        if isinstance(self.function, types.FunctionType):
            # every Python function as its code, as Keras 2.2.4 stored it: a file loads
            # without custom_objects (a named function of a library, e.g.
            # segmentation_models' `expand_dims`, included); a backend op itself
            # (`Lambda(K.expand_dims)`) as the code of a call of it through `K`, which the
            # module loading it has
            function = func_dump(_through_backend(self.function))
            function_type = 'lambda'
        else:
            function = self.function.__name__
            function_type = 'function'
        output_shape_type = 'raw'
        output_shape = self._output_shape
        if callable(output_shape):
            output_shape = func_dump(output_shape)
            output_shape_type = 'lambda'
        # NumPy arrays among the arguments are tagged so that from_config gives arrays back
        # (the form of Keras 2.2.5+, which reads it too)
        arguments = {k: {'type': 'ndarray', 'value': v.tolist()} if isinstance(v, np.ndarray)
                     else v for k, v in self.arguments.items()}
        config = {'function': function, 'function_type': function_type,
                  'output_shape': output_shape, 'output_shape_type': output_shape_type,
                  'arguments': arguments}
        base = super(Lambda, self).get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates the layer from its config (what `get_config` returns).

        # Arguments
            config: the dictionary `get_config` returns.
            custom_objects: optional dictionary mapping names to custom classes and functions
                used in the config.

        # Returns
            A layer instance.
        """
        config = config.copy()
        globs = dict(globals())
        globs['K'] = K
        if custom_objects:
            globs.update(custom_objects)
        function_type = config.pop('function_type')
        if function_type == 'function':
            function = deserialize_keras_object(config['function'], custom_objects=custom_objects,
                                                printable_module_name='function in Lambda layer')
        elif function_type == 'lambda':
            function = func_load(config['function'], globs=globs)
            # a named function given in custom_objects is that function itself (with its
            # module's globals, which the stored code lacks)
            if custom_objects and function.__name__ != '<lambda>' and \
                    callable(custom_objects.get(function.__name__)):
                function = custom_objects[function.__name__]
        else:
            raise TypeError('Unknown function_type in Lambda config: %r' % (function_type,))
        output_shape_type = config.pop('output_shape_type', 'raw')
        if output_shape_type == 'function':
            output_shape = deserialize_keras_object(config['output_shape'],
                                                    custom_objects=custom_objects,
                                                    printable_module_name='output_shape function')
        elif output_shape_type == 'lambda':
            output_shape = func_load(config['output_shape'], globs=globs)
        else:
            output_shape = config.get('output_shape')
        if isinstance(output_shape, list):
            output_shape = tuple(output_shape)
        config['function'] = function
        config['output_shape'] = output_shape
        if config.get('arguments'):
            config['arguments'] = {
                k: np.array(v['value']) if isinstance(v, dict) and v.get('type') == 'ndarray'
                and 'value' in v else v for k, v in config['arguments'].items()}
        return cls(**config)


class Dense(Layer):
    """`output = activation(dot(input, kernel) + bias)`.

    # Arguments
        units: positive integer, dimensionality of the output space.
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
        nD tensor `(batch, ..., input_dim)`; the kernel applies to the last axis.

    # Output shape
        nD tensor `(batch, ..., units)`.

    # Example
    ```python
    from keras.models import Sequential
    from keras.layers import Dense

    model = Sequential()
    model.add(Dense(32, input_shape=(16,)))   # input (None, 16), output (None, 32)
    model.add(Dense(32))                      # no input shape needed after the first layer
    print(model.output_shape)                 # (None, 32)
    ```
    """

    @interfaces.legacy_dense_support
    def __init__(self, units, activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        if 'input_shape' not in kwargs and 'input_dim' in kwargs:
            kwargs['input_shape'] = (kwargs.pop('input_dim'),)
        super(Dense, self).__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError('units: expected a positive integer, got %r' % (units,))
        self.units = int(units)
        set_kernel_bias_args(self, activation, use_bias, kernel_initializer, bias_initializer,
                             kernel_regularizer, bias_regularizer, activity_regularizer,
                             kernel_constraint, bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError('Dense: the last dimension of the input must be known, got input '
                             'shape %s' % (input_shape,))
        self.kernel = add_kernel(self, (input_dim, self.units))
        add_optional_bias(self, (self.units,))
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        output = K.dot(inputs, self.kernel)
        if self.use_bias:
            output = K.bias_add(output, self.bias, data_format='channels_last')
        if self.activation is not None:
            output = self.activation(output)
        return output

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        output_shape[-1] = self.units
        return tuple(output_shape)

    def get_config(self):
        config = args_config(self, ('units',) + KERNEL_BIAS_ARGS)
        base = super(Dense, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class ActivityRegularization(Layer):
    """Adds an L1/L2 penalty on its input activity to the training loss.

    # Arguments
        l1: L1 regularization factor (positive float).
        l2: L2 regularization factor (positive float).
    """

    def __init__(self, l1=0., l2=0., **kwargs):
        super(ActivityRegularization, self).__init__(**kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.activity_regularizer = regularizers.L1L2(l1=l1, l2=l2)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'l1': self.l1, 'l2': self.l2}
        base = super(ActivityRegularization, self).get_config()
        return dict(list(base.items()) + list(config.items()))


# The other module-level names of Keras 2.2.4's `keras.layers.core`.
import copy  # noqa: E402,F401
import types as python_types  # noqa: E402,F401
import warnings  # noqa: E402,F401

from .. import initializers, constraints  # noqa: E402,F401
from ..utils import conv_utils  # noqa: E402,F401
