"""Regularization noise layers (active only in training): GaussianNoise, GaussianDropout,
AlphaDropout."""
import numpy as np

from .. import backend as K
from ..legacy import interfaces
from ..engine.base_layer import Layer
from .core import _rate_number

__all__ = ['GaussianNoise', 'GaussianDropout', 'AlphaDropout']


class GaussianNoise(Layer):
    """Adds zero-centered Gaussian noise with standard deviation `stddev` (training only).

    # Arguments
        stddev: float, the standard deviation of the additive noise (training only).
    """

    @interfaces.legacy_gaussiannoise_support
    def __init__(self, stddev, **kwargs):
        super(GaussianNoise, self).__init__(**kwargs)
        self.supports_masking = True
        try:
            self.stddev = float(stddev)
        except (TypeError, ValueError):
            raise TypeError('GaussianNoise: `stddev` must be a non-negative float, got %r'
                            % (stddev,))
        if self.stddev < 0:
            raise ValueError('GaussianNoise: `stddev` must be a non-negative float, got %r'
                             % (stddev,))

    def call(self, inputs, training=None):
        def noised():
            return inputs + K.random_normal(shape=K.int_shape(inputs), mean=0.,
                                            stddev=self.stddev, dtype=K.dtype(inputs))
        return K.in_train_phase(noised, inputs, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'stddev': self.stddev}
        base_config = super(GaussianNoise, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class GaussianDropout(Layer):
    """Multiplies by `N(1, sqrt(rate / (1 - rate)))` noise (training only).

    # Arguments
        rate: float, the drop probability (as with `Dropout`); the multiplicative noise has
            standard deviation `sqrt(rate / (1 - rate))`.
    """

    @interfaces.legacy_gaussiandropout_support
    def __init__(self, rate, **kwargs):
        super(GaussianDropout, self).__init__(**kwargs)
        self.supports_masking = True
        self.rate = _rate_number(rate, 'GaussianDropout')

    def call(self, inputs, training=None):
        if 0 < self.rate < 1:
            def noised():
                stddev = np.sqrt(self.rate / (1.0 - self.rate))
                return inputs * K.random_normal(shape=K.int_shape(inputs), mean=1.0,
                                                stddev=stddev, dtype=K.dtype(inputs))
            return K.in_train_phase(noised, inputs, training=training)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'rate': self.rate}
        base_config = super(GaussianDropout, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class AlphaDropout(Layer):
    """Dropout that keeps the SELU self-normalizing mean and variance (training only).

    # Arguments
        rate: float, the drop probability (as with `Dropout`); the multiplicative noise has
            standard deviation `sqrt(rate / (1 - rate))`.
        noise_shape: the shape of the dropout mask, broadcast against the input (`None`: the
            input's shape).
        seed: integer, the random seed.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super(AlphaDropout, self).__init__(**kwargs)
        self.rate = _rate_number(rate, 'AlphaDropout')
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        shape = K.int_shape(inputs)
        if not self.noise_shape:
            return shape
        return tuple(shape[i] if d is None else d for i, d in enumerate(self.noise_shape))

    def call(self, inputs, training=None):
        if 0. < self.rate < 1.:
            noise_shape = self._get_noise_shape(inputs)
            rate = self.rate

            def dropped_inputs():
                alpha = 1.6732632423543772848170429916717
                scale = 1.0507009873554804934193349852946
                alpha_p = -alpha * scale
                kept_idx = K.greater_equal(K.random_uniform(noise_shape, seed=self.seed), rate)
                kept_idx = K.cast(kept_idx, K.dtype(inputs))
                a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
                b = -a * alpha_p * rate
                x = inputs * kept_idx + alpha_p * (1 - kept_idx)
                return a * x + b
            return K.in_train_phase(dropped_inputs, inputs, training=training)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'rate': self.rate, 'noise_shape': self.noise_shape, 'seed': self.seed}
        base_config = super(AlphaDropout, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['K', 'Layer', 'interfaces']
