"""Layer wrappers: the `Wrapper` base class and `TimeDistributed`.

(`Bidirectional` lives with the recurrent layers and is re-exported by `keras.layers`.)
"""
import copy

from .. import backend as K
from ..engine.base_layer import Layer, InputSpec
from ..backend.keras_tensor import KerasTensor
from ..utils.generic_utils import has_arg, object_list_uid

__all__ = ['Wrapper', 'TimeDistributed']


class Wrapper(Layer):
    """Base class of layers that wrap another layer (`self.layer`).

    The wrapped layer's weights, losses and updates are the wrapper's; the engine
    reaches the wrapped layer through `self._sublayers`.

    # Arguments
        layer: the wrapped layer.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise TypeError('%s: `layer` must be a Layer instance, got %r'
                            % (self.__class__.__name__, layer))
        self.layer = layer
        inner_trainable = layer.trainable
        super(Wrapper, self).__init__(**kwargs)
        if 'trainable' not in kwargs:
            self.layer.trainable = inner_trainable
        self._sublayers = [layer]

    def build(self, input_shape=None):
        self.built = True

    @property
    def trainable(self):
        layer = self.__dict__.get('layer')
        return layer.trainable if layer is not None else True

    @trainable.setter
    def trainable(self, value):
        layer = self.__dict__.get('layer')
        if layer is not None:
            layer.trainable = value

    @property
    def activity_regularizer(self):
        layer = self.__dict__.get('layer')
        if layer is not None and hasattr(layer, 'activity_regularizer'):
            return layer.activity_regularizer
        return None

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        pass

    @property
    def trainable_weights(self):
        return self.layer.trainable_weights

    @trainable_weights.setter
    def trainable_weights(self, weights):
        pass

    @property
    def non_trainable_weights(self):
        return self.layer.non_trainable_weights

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        pass

    def get_weights(self):
        return self.layer.get_weights()

    def set_weights(self, weights):
        self.layer.set_weights(weights)

    def get_config(self):
        config = {'layer': {'class_name': self.layer.__class__.__name__,
                            'config': self.layer.get_config()}}
        base_config = super(Wrapper, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))

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
        from . import deserialize as deserialize_layer
        config = copy.deepcopy(config)
        layer = deserialize_layer(config.pop('layer'), custom_objects=custom_objects)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """Applies `layer` to every temporal slice of an input `(batch, time, ...)`.

    # Arguments
        layer: the layer applied to every temporal slice of the input (axis 1).

    # Example
    ```python
    from keras.models import Sequential
    from keras.layers import TimeDistributed, Dense, Conv2D

    model = Sequential()
    model.add(TimeDistributed(Dense(8), input_shape=(10, 16)))   # one Dense for all 10 steps
    print(model.output_shape)                                    # (None, 10, 8)
    model = Sequential()
    model.add(TimeDistributed(Conv2D(4, (3, 3)), input_shape=(10, 32, 32, 3)))
    print(model.output_shape)                                    # (None, 10, 30, 30, 4)
    ```
    """

    def __init__(self, layer, **kwargs):
        super(TimeDistributed, self).__init__(layer, **kwargs)
        self.supports_masking = True
        # Keras 2.2.4: `object_list_uid(inputs)` -> the inputs with the time axis merged into
        # the batch axis, for each symbolic input the layer was called on
        self._input_map = {}

    def __call__(self, inputs, **kwargs):
        outputs = super(TimeDistributed, self).__call__(inputs, **kwargs)
        if isinstance(inputs, KerasTensor):
            inner_shape = K.int_shape(inputs)[2:]
            if all(d is not None for d in inner_shape):
                self._input_map[object_list_uid(inputs)] = K.reshape(inputs,
                                                                     (-1,) + inner_shape)
        return outputs

    def _child_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError('TimeDistributed: the input should be at least 3D (batch, time, '
                             '...), got input shape %s' % (input_shape,))
        self.input_spec = InputSpec(shape=(None,) + input_shape[1:])
        if not self.layer.built:
            self.layer.build(self._child_shape(input_shape))
            self.layer.built = True
            if getattr(self.layer, '_initial_weights', None) is not None:
                self.layer.set_weights(self.layer._initial_weights)
                self.layer._initial_weights = None
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        child_output_shape = self.layer.compute_output_shape(self._child_shape(input_shape))
        timesteps = input_shape[1]
        return (child_output_shape[0], timesteps) + tuple(child_output_shape[1:])

    def _merge_time(self, x):
        """(batch, time, ...) -> (batch * time, ...)."""
        if isinstance(x, KerasTensor):
            return _TimeReshape('merge')(x)
        return _merge_time(x)

    def _split_time(self, y, like):
        """(batch * time, ...) -> (batch, time, ...), the time size read from `like`."""
        if isinstance(y, KerasTensor) or isinstance(like, KerasTensor):
            return _TimeReshape('split')([y, like])
        return _split_time(y, like, self._keras_time_size())

    def _keras_time_size(self):
        # the time size of the Keras shapes of the inputs the layer was called on, where they
        # all have the same known one: Keras 2.2.4 split the time axis with
        # `K.int_shape(inputs)[1]`, a `_keras_shape`, so a size a custom layer declared
        # became the split tensor's static size where TensorFlow's own did not know it
        # (Mask R-CNN's DetectionLayer then reads `probs.shape[0]`)
        sizes = set()
        for node in self._inbound_nodes:
            shapes = node.input_shapes
            shape = shapes[0] if isinstance(shapes, list) else shapes
            sizes.add(shape[1] if shape is not None and len(shape) > 1 else None)
        size = sizes.pop() if len(sizes) == 1 else None
        return size if isinstance(size, int) else None

    def call(self, inputs, training=None, mask=None):
        kwargs = {}
        if has_arg(self.layer.call, 'training'):
            kwargs['training'] = training
        inner = self._merge_time(inputs)
        if has_arg(self.layer.call, 'mask') and mask is not None:
            kwargs['mask'] = self._merge_time(mask)
        if training is not None and 'training' not in kwargs:
            with K.learning_phase_scope(int(bool(training))):
                y = self.layer.call(inner, **kwargs)
        else:
            y = self.layer.call(inner, **kwargs)
        if isinstance(y, (list, tuple)):
            return [self._split_time(t, inputs) for t in y]
        return self._split_time(y, inputs)

    def compute_mask(self, inputs, mask=None):
        """The inner layer's output mask per time step when it computes one (e.g. Embedding,
        Masking); otherwise the input mask reduced to `(batch, time)`; else None.

        # Arguments
            inputs: the input tensor.
            mask: the input mask, `(batch, timesteps)` (or `None`).
        """
        inner_mask = None if mask is None else self._merge_time(mask)
        output_mask = self.layer.compute_mask(self._merge_time(inputs), inner_mask)
        if output_mask is None:
            if mask is None:
                return None
            output_mask = mask
            for _ in range(2, K.ndim(mask)):
                output_mask = K.any(output_mask, axis=-1)
            return output_mask
        return self._split_time(output_mask, inputs)


def _sizes(x, axes):
    """The sizes of `x` along `axes`: from `x.shape` (inside shape inference they may be
    symbolic), or, where a traced TensorFlow tensor's shape does not know one (an op that
    computes its shape, as Mask R-CNN's ROI alignment does), from `K.shape` when the graph
    runs, as Keras 2.2.4's TimeDistributed read them."""
    static = tuple(x.shape)
    dynamic = None
    sizes = []
    for axis in axes:
        size = static[axis]
        if size is None:
            if dynamic is None:
                dynamic = K.shape(x)
            size = dynamic[axis]
        sizes.append(size)
    return sizes


def _merge_time(x):
    return K.reshape(x, [-1] + _sizes(x, range(2, len(x.shape))))


def _split_time(y, like, time_size=None):
    # (`time_size`: the time axis' size where the shape of `like` does not know it)
    time = [time_size] if time_size is not None and like.shape[1] is None else \
        _sizes(like, [1])
    return K.reshape(y, [-1] + time + _sizes(y, range(1, len(y.shape))))


class _TimeReshape(Layer):
    """TimeDistributed's reshapes on symbolic tensors whose sizes are unknown until the
    graph runs (Keras 2.2.4 used the dynamic `K.shape` there)."""

    def __init__(self, mode, **kwargs):
        super(_TimeReshape, self).__init__(**kwargs)
        self.mode = mode

    def call(self, inputs):
        if self.mode == 'merge':
            return _merge_time(inputs)
        return _split_time(inputs[0], inputs[1])

    def compute_mask(self, inputs, mask=None):
        return None


from .bidirectional import Bidirectional  # noqa: E402,F401


# Keras 2.2.4's `keras.layers.wrappers` also held the recurrent module.
from . import recurrent  # noqa: E402,F401

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['Bidirectional', 'InputSpec', 'K', 'Layer', 'has_arg', 'object_list_uid',
            'recurrent']
