"""Activation layers with parameters: LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, ReLU."""
import numpy as np

from .. import backend as K
from ..legacy import interfaces
from .. import activations, initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec
from ._weight_args import args_config

__all__ = ['LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax', 'ReLU']


def _float(value, name, cls_name, allow_none=False):
    """`value` checked as a float, held as Keras 2.2.4 held it: `K.cast_to_floatx(value)`,
    a 0-d NumPy array (MMdnn's converter reads `layer.alpha.tolist()`)."""
    if value is None and allow_none:
        return None
    try:
        return K.cast_to_floatx(float(value))
    except (TypeError, ValueError):
        raise TypeError('%s: `%s` must be a float, got %r' % (cls_name, name, value))


def _float_or_none(value):
    return None if value is None else float(value)


class LeakyReLU(Layer):
    """`x` for `x >= 0`, `alpha * x` otherwise.

    # Arguments
        alpha: float >= 0, the slope below zero.
    """

    def __init__(self, alpha=0.3, **kwargs):
        super(LeakyReLU, self).__init__(**kwargs)
        self.supports_masking = True
        self.alpha = _float(alpha, 'alpha', 'LeakyReLU')

    def call(self, inputs):
        return K.relu(inputs, alpha=float(self.alpha))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'alpha': float(self.alpha)}
        base_config = super(LeakyReLU, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class PReLU(Layer):
    """Leaky ReLU with a learned slope `alpha` per input element (shared along
    `shared_axes`, 1-based axes excluding the batch).

    # Arguments
        alpha_initializer: initializer of the slopes.
        alpha_regularizer: regularizer of the slopes.
        alpha_constraint: constraint on the slopes.
        shared_axes: the axes (1-based, batch excluded) along which the slopes are shared, e.g.
            `[1, 2]` for one slope per channel of channels_last images.
    """

    @interfaces.legacy_prelu_support
    def __init__(self, alpha_initializer='zeros', alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super(PReLU, self).__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]
        if self.shared_axes is not None:
            for a in self.shared_axes:
                if isinstance(a, bool) or not isinstance(a, (int, np.integer)) or a < 1:
                    raise ValueError('PReLU: `shared_axes` must list positive axes (1-based, the '
                                     'batch axis excluded), got %r' % (shared_axes,))

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        self.param_broadcast = [False] * len(param_shape)
        if self.shared_axes is not None:
            for i in self.shared_axes:
                if i - 1 >= len(param_shape):
                    raise ValueError('PReLU: shared axis %d is out of range for an input of shape '
                                     '%s' % (i, tuple(input_shape)))
                param_shape[i - 1] = 1
                self.param_broadcast[i - 1] = True
        if any(d is None for d in param_shape):
            raise ValueError('PReLU: all non-shared input dimensions must be defined, got input '
                             'shape %s (shared_axes=%s)' % (tuple(input_shape), self.shared_axes))
        self.alpha = self.add_weight(shape=param_shape, name='alpha',
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            for i in range(1, len(input_shape)):
                if i not in self.shared_axes:
                    axes[i] = input_shape[i]
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs, mask=None):
        pos = K.relu(inputs)
        neg = -self.alpha * K.relu(-inputs)
        return pos + neg

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = args_config(self, ('alpha_initializer', 'alpha_regularizer',
                                    'alpha_constraint', 'shared_axes'))
        base_config = super(PReLU, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class ELU(Layer):
    """`x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    # Arguments
        alpha: scale of the negative part.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super(ELU, self).__init__(**kwargs)
        self.supports_masking = True
        self.alpha = _float(alpha, 'alpha', 'ELU')

    def call(self, inputs):
        return K.elu(inputs, float(self.alpha))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'alpha': float(self.alpha)}
        base_config = super(ELU, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class ThresholdedReLU(Layer):
    """`x` for `x > theta`, 0 otherwise.

    # Arguments
        theta: float >= 0, the threshold.
    """

    def __init__(self, theta=1.0, **kwargs):
        super(ThresholdedReLU, self).__init__(**kwargs)
        self.supports_masking = True
        self.theta = _float(theta, 'theta', 'ThresholdedReLU')

    def call(self, inputs, mask=None):
        return inputs * K.cast(K.greater(inputs, float(self.theta)), K.dtype(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'theta': float(self.theta)}
        base_config = super(ThresholdedReLU, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class Softmax(Layer):
    """Softmax along `axis`.

    # Arguments
        axis: integer, the axis along which the softmax is normalized.
    """

    def __init__(self, axis=-1, **kwargs):
        super(Softmax, self).__init__(**kwargs)
        self.supports_masking = True
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError('Softmax: `axis` must be an int, got %r' % (axis,))
        self.axis = int(axis)

    def call(self, inputs):
        return activations.softmax(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'axis': self.axis}
        base_config = super(Softmax, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class ReLU(Layer):
    """`relu(x, alpha=negative_slope, max_value, threshold)` (Keras 2.2.4 `K.relu`).

    # Arguments
        max_value: float >= 0, the largest output (`None`: unbounded).
        negative_slope: float >= 0, the slope below `threshold`.
        threshold: float, the input value below which the output is `negative_slope * (x -
            threshold)`.
    """

    def __init__(self, max_value=None, negative_slope=0., threshold=0., **kwargs):
        super(ReLU, self).__init__(**kwargs)
        max_value = _float(max_value, 'max_value', 'ReLU', allow_none=True)
        if max_value is not None and max_value < 0.:
            raise ValueError('ReLU: `max_value` cannot be negative, got %r' % (max_value,))
        negative_slope = _float(negative_slope, 'negative_slope', 'ReLU')
        if negative_slope < 0.:
            raise ValueError('ReLU: `negative_slope` cannot be negative, got %r'
                             % (negative_slope,))
        self.supports_masking = True
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = _float(threshold, 'threshold', 'ReLU')

    def call(self, inputs):
        return K.relu(inputs, alpha=float(self.negative_slope),
                      max_value=_float_or_none(self.max_value), threshold=float(self.threshold))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'max_value': _float_or_none(self.max_value),
                  'negative_slope': float(self.negative_slope),
                  'threshold': float(self.threshold)}
        base_config = super(ReLU, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


# Keras 2.2.4's module also held this helper.
from ..utils.generic_utils import to_list  # noqa: E402,F401

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['InputSpec', 'K', 'Layer', 'activations', 'constraints', 'initializers',
            'interfaces', 'regularizers', 'to_list']
