"""BatchNormalization with Keras 2.2.4 (TensorFlow backend) semantics."""
import numpy as np

from .. import backend as K
from ..legacy import interfaces
from .. import initializers, regularizers, constraints
from ..engine.base_layer import Layer, InputSpec
from ._weight_args import args_config

__all__ = ['BatchNormalization']


class BatchNormalization(Layer):
    """Normalizes the activations of the previous layer per feature along `axis`.

    Training (learning phase 1): normalizes with the batch mean and biased batch variance
    and updates the moving statistics as Keras 2.2.4 does: the batch variance is made
    unbiased with `n / (n - 1 - epsilon)` (4-D channels-last inputs, which Keras 2.2.4 ran
    through TensorFlow's fused kernel, are Bessel-corrected once more first), then both
    statistics follow `assign_moving_average(..., zero_debias=True)`: a hidden accumulator
    `b <- b*momentum + value*(1-momentum)` and step count `t`, and the moving statistic is
    set to `b / (1 - momentum**t)`.  Since `b = moving * (1 - momentum**t)`, only the step
    count `t` is hidden state (in `self._state_variables`); the accumulator is recovered
    from the moving statistic itself. `t` is not a weight: HDF5 weight files carry it as
    the layer group's `zero_debias_step` attribute once the layer has trained (a Keras 2
    file has none, which means `t = 0`, as in a fresh Keras 2.2.4 session).

    Inference (learning phase 0): normalizes with the moving statistics. A frozen layer
    (`trainable=False`, or inside a frozen model) never updates them, and in training it
    still normalizes with the batch's statistics, as Keras 2.2.4 did (tf.keras 2 later
    made a frozen layer normalize with the moving statistics).

    # Arguments
        axis: integer, the features axis (normalized separately): `-1` for channels_last data,
            `1` after a `Conv2D` with `data_format="channels_first"`.
        momentum: momentum of the moving mean and variance.
        epsilon: small float added to the variance to avoid dividing by zero.
        center: if True, add the learned offset `beta`.
        scale: if True, multiply by the learned `gamma` (not needed when the next layer is
            linear or a ReLU).
        beta_initializer: initializer of `beta`.
        gamma_initializer: initializer of `gamma`.
        moving_mean_initializer: initializer of the moving mean.
        moving_variance_initializer: initializer of the moving variance.
        beta_regularizer: regularizer of `beta`.
        gamma_regularizer: regularizer of `gamma`.
        beta_constraint: constraint on `beta`.
        gamma_constraint: constraint on `gamma`.

    # Example
    ```python
    from keras.models import Sequential
    from keras.layers import Conv2D, BatchNormalization, Activation

    model = Sequential()
    model.add(Conv2D(16, (3, 3), use_bias=False, input_shape=(32, 32, 3)))
    model.add(BatchNormalization(axis=-1))     # per channel of channels_last images
    model.add(Activation('relu'))
    ```
    """

    @interfaces.legacy_batchnorm_support
    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer='zeros', gamma_initializer='ones',
                 moving_mean_initializer='zeros', moving_variance_initializer='ones',
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if kwargs.pop('mode', 0) not in (0, None):
            raise TypeError('BatchNormalization: the Keras 1 argument `mode` is not '
                            'supported in Keras 2 (only mode=0)')
        super(BatchNormalization, self).__init__(**kwargs)
        self.supports_masking = True
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError('BatchNormalization: `axis` must be an int, got %r' % (axis,))
        self.axis = int(axis)
        try:
            self.momentum = float(momentum)
            self.epsilon = float(epsilon)
        except (TypeError, ValueError):
            raise TypeError('BatchNormalization: `momentum` and `epsilon` must be floats, got '
                            'momentum=%r, epsilon=%r' % (momentum, epsilon))
        if not 0. <= self.momentum <= 1.:
            raise ValueError('BatchNormalization: `momentum` must be in [0, 1], got %r'
                             % (momentum,))
        if self.epsilon < 0.:
            raise ValueError('BatchNormalization: `epsilon` must be >= 0, got %r' % (epsilon,))
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self._state_variables = []

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError('BatchNormalization: `axis` %d is out of range for an input of '
                             'shape %s' % (self.axis, tuple(input_shape)))
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError('Axis ' + str(self.axis) + ' of input tensor should have a defined '
                             'dimension but the layer received an input with shape ' +
                             str(tuple(input_shape)) + '.')
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        shape = (dim,)
        self.gamma = self._add_affine_weight('gamma', shape) if self.scale else None
        self.beta = self._add_affine_weight('beta', shape) if self.center else None
        self.moving_mean = self.add_weight(shape=shape, name='moving_mean',
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name='moving_variance',
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        # step count of assign_moving_average's zero-debiasing (not a weight)
        self._update_step = K.variable(np.zeros(()), dtype=K.floatx(),
                                       name=self.name + '/local_step')
        self._state_variables = [self._update_step]
        # bookkeeping of the moving averages: not one of the layer's updates as Keras 2.2.4
        # counts them (model.updates holds the two moving statistics)
        self._update_step._keras_bookkeeping = True
        self.built = True

    def _add_affine_weight(self, name, shape):
        """`gamma` or `beta`, with the layer's `<name>_initializer/regularizer/constraint`."""
        return self.add_weight(shape=shape, name=name,
                               initializer=getattr(self, name + '_initializer'),
                               regularizer=getattr(self, name + '_regularizer'),
                               constraint=getattr(self, name + '_constraint'))

    def call(self, inputs, training=None):
        input_shape = K.int_shape(inputs)
        ndim = len(input_shape)
        axis = self.axis % ndim
        if training is None:
            training = K.learning_phase()
        if not isinstance(training, (bool, int, np.integer)):
            training = bool(K.get_value(training)) if hasattr(training, 'shape') else \
                bool(training)
        if not training:
            return K.batch_normalization(inputs, self.moving_mean, self.moving_variance,
                                         self.beta, self.gamma, axis=axis, epsilon=self.epsilon)

        reduction_axes = [i for i in range(ndim) if i != axis]
        normed_training, mean, variance = K.normalize_batch_in_training(
            inputs, self.gamma, self.beta, reduction_axes, epsilon=self.epsilon)
        sample_size = 1
        for a in reduction_axes:
            # (a size unknown while the graph is built is the tensor's own at run time)
            size = input_shape[a] if input_shape[a] is not None else K.shape(inputs)[a]
            sample_size = sample_size * size
        try:
            sample_size = float(sample_size)
        except TypeError:  # symbolic size during shape inference
            sample_size = K.cast(sample_size, K.dtype(variance))
        variance = variance * (sample_size / (sample_size - (1.0 + self.epsilon)))
        if K.current_scope() is not None:
            # inside a compiled step (fit / train_on_batch): the engine keeps the new values
            self._zero_debias_updates(mean, variance)
        return normed_training

    def _zero_debias_updates(self, mean, variance):
        momentum = self.momentum
        step = self._update_step.value
        old_debias = 1. - momentum ** step          # 0 at the first step: b = 0
        new_debias = 1. - momentum ** (step + 1.)
        for moving, value in ((self.moving_mean, mean), (self.moving_variance, variance)):
            biased = moving.value * old_debias
            K.update(moving, (biased * momentum + value * (1. - momentum)) / new_debias)
        K.update(self._update_step, step + 1.)

    def _get_saved_state(self):
        """Hidden state saved beside the weights (HDF5 attributes of the layer group)."""
        if not self.built:
            return {}
        step = int(round(float(K.get_value(self._update_step))))
        return {'zero_debias_step': step} if step else {}

    def _set_saved_state(self, state):
        if self.built:
            K.set_value(self._update_step, float(state.get('zero_debias_step', 0)))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = args_config(self, (
            'axis', 'momentum', 'epsilon', 'center', 'scale', 'beta_initializer',
            'gamma_initializer', 'moving_mean_initializer', 'moving_variance_initializer',
            'beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint'))
        base_config = super(BatchNormalization, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['InputSpec', 'K', 'Layer', 'constraints', 'initializers', 'interfaces',
            'regularizers']
