"""Weight initializers (Keras 2.2 API).

`initializer(shape, dtype=None)` returns an array of that shape.  Random
initializers with a `seed` give the same values on every call; unseeded ones
draw their key from NumPy's global generator (see `K.random_normal`), so
`np.random.seed(...)` makes them reproducible.
"""
import numpy as np

from . import backend as K
from .utils.generic_utils import (deserialize_keras_object, get_keras_object,
                                  serialize_keras_object)


class Initializer(object):
    """Base class: subclasses implement `__call__(shape, dtype=None)`."""

    def __call__(self, shape, dtype=None):
        """Returns a new array of initial values.

        # Arguments
            shape: shape tuple of the weight.
            dtype: dtype of the values (`None`: `K.floatx()`).

        # Returns
            An array of that shape.
        """
        raise NotImplementedError

    def get_config(self):
        """The initializer's configuration (its constructor arguments).

        # Returns
            A Python dictionary.
        """
        return {}

    @classmethod
    def from_config(cls, config):
        """Creates an initializer from its config.

        # Arguments
            config: the dictionary `get_config` returns.

        # Returns
            An initializer instance.
        """
        config = dict(config)
        # Files written by tf.keras also store the dtype, which Keras 2.2 ignores.
        config.pop('dtype', None)
        return cls(**config)


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return K.constant(0, shape=shape, dtype=dtype)


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return K.constant(1, shape=shape, dtype=dtype)


class Constant(Initializer):
    """Every value is `value`.

    # Arguments
        value: a float, the value of every entry.
    """

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return K.constant(self.value, shape=shape, dtype=dtype)

    def get_config(self):
        return {'value': self.value}


class _NormalLaw(Initializer):
    """Arguments and config of RandomNormal and TruncatedNormal."""

    def __init__(self, mean=0., stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def get_config(self):
        return {'mean': self.mean, 'stddev': self.stddev, 'seed': self.seed}


class RandomNormal(_NormalLaw):
    """Normal distribution with the given mean and standard deviation.

    # Arguments
        mean: mean of the distribution.
        stddev: standard deviation of the distribution.
        seed: integer random seed.
    """

    def __call__(self, shape, dtype=None):
        return K.random_normal(shape, self.mean, self.stddev, dtype=dtype, seed=self.seed)


class RandomUniform(Initializer):
    """Uniform distribution on [minval, maxval).

    # Arguments
        minval: lower bound of the range.
        maxval: upper bound of the range (excluded).
        seed: integer random seed.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed

    def __call__(self, shape, dtype=None):
        return K.random_uniform(shape, self.minval, self.maxval, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {'minval': self.minval, 'maxval': self.maxval, 'seed': self.seed}


class TruncatedNormal(_NormalLaw):
    """Normal distribution whose draws beyond two standard deviations are re-drawn.

    # Arguments
        mean: mean of the distribution.
        stddev: standard deviation (before truncation).
        seed: integer random seed.
    """

    def __call__(self, shape, dtype=None):
        return K.truncated_normal(shape, self.mean, self.stddev, dtype=dtype, seed=self.seed)


class VarianceScaling(Initializer):
    """Scale-aware initializer.

    With `n` = fan_in, fan_out or their mean (per `mode`), values are drawn from
    a truncated normal of standard deviation `sqrt(scale / n) / .8796...` (the
    factor undoes the variance lost by truncating at two standard deviations,
    as Keras 2.2.4), or uniformly from `[-sqrt(3 * scale / n), sqrt(3 * scale / n)]`.

    # Arguments
        scale: scaling factor (positive float).
        mode: `"fan_in"`, `"fan_out"` or `"fan_avg"`: the number of units the variance is
            divided by.
        distribution: `"normal"` (truncated normal with standard deviation `sqrt(scale / n)`) or
            `"uniform"` (within `[-limit, limit]`, `limit = sqrt(3 * scale / n)`).
        seed: integer random seed.
    """

    def __init__(self, scale=1.0, mode='fan_in', distribution='normal', seed=None):
        if scale <= 0.:
            raise ValueError('`scale` must be a positive float. Got: %r' % (scale,))
        mode = mode.lower()
        if mode not in {'fan_in', 'fan_out', 'fan_avg'}:
            raise ValueError('Invalid `mode` argument: expected one of {"fan_in", "fan_out", '
                             '"fan_avg"} but got %r' % (mode,))
        distribution = distribution.lower()
        if distribution not in {'normal', 'uniform'}:
            raise ValueError('Invalid `distribution` argument: expected one of {"normal", '
                             '"uniform"} but got %r' % (distribution,))
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = _compute_fans(shape)
        scale = self.scale
        if self.mode == 'fan_in':
            scale /= max(1., fan_in)
        elif self.mode == 'fan_out':
            scale /= max(1., fan_out)
        else:
            scale /= max(1., float(fan_in + fan_out) / 2)
        if self.distribution == 'normal':
            # 0.879... = std of a standard normal truncated to [-2, 2].
            stddev = np.sqrt(scale) / .87962566103423978
            return K.truncated_normal(shape, 0., stddev, dtype=dtype, seed=self.seed)
        limit = np.sqrt(3. * scale)
        return K.random_uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {'scale': self.scale, 'mode': self.mode,
                'distribution': self.distribution, 'seed': self.seed}


class Orthogonal(Initializer):
    """Random orthogonal matrix (Saxe et al., 2014), times `gain`.

    The shape is flattened to (prod(shape[:-1]), shape[-1]); the result has
    orthonormal rows or columns, whichever are fewer.  Drawn with NumPy (as
    Keras 2.2.4): a `seed` uses its own RandomState, otherwise the global one.

    # Arguments
        gain: multiplicative factor applied to the orthogonal matrix.
        seed: integer random seed.
    """

    def __init__(self, gain=1., seed=None):
        self.gain = gain
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = tuple(int(d) for d in shape)
        if len(shape) < 2:
            raise ValueError('Orthogonal initializer needs a shape of at least 2 '
                             'dimensions, got %s' % (shape,))
        num_rows = 1
        for dim in shape[:-1]:
            num_rows *= dim
        num_cols = shape[-1]
        flat_shape = (num_rows, num_cols)
        rng = np.random if self.seed is None else np.random.RandomState(self.seed)
        a = rng.normal(0.0, 1.0, flat_shape)
        u, _, vt = np.linalg.svd(a, full_matrices=False)
        q = u if u.shape == flat_shape else vt
        q = q.reshape(shape)
        return K.constant(self.gain * q, dtype=dtype)

    def get_config(self):
        return {'gain': self.gain, 'seed': self.seed}


class Identity(Initializer):
    """`gain` times the identity matrix, for 2-D shapes; when the long side is a multiple of
    the short side, identity matrices are stacked along the long side (as Keras 2.2.4 does,
    e.g. for the `(units, 4 * units)` recurrent kernel of an LSTM).

    # Arguments
        gain: multiplicative factor applied to the identity matrix.
    """

    def __init__(self, gain=1.):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(int(d) for d in shape)
        if len(shape) != 2:
            raise ValueError('Identity matrix initializer can only be used for 2D matrices; '
                             'got shape %s' % (shape,))
        rows, cols = shape
        if max(shape) % min(shape) != 0:
            raise ValueError('Identity matrix initializer: the long side of the shape must be a '
                             'multiple of the short side; got shape %s' % (shape,))
        eye = np.identity(min(shape))
        tiled = np.tile(eye, (rows // min(shape), cols // min(shape)))
        return K.constant(self.gain * tiled, dtype=dtype)

    def get_config(self):
        return {'gain': self.gain}


def lecun_uniform(seed=None):
    """Uniform within +-sqrt(3 / fan_in).

    # Arguments
        seed: integer random seed.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=1., mode='fan_in', distribution='uniform', seed=seed)


def glorot_normal(seed=None):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out)).

    # Arguments
        seed: integer random seed.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=1., mode='fan_avg', distribution='normal', seed=seed)


def glorot_uniform(seed=None):
    """Uniform within +-sqrt(6 / (fan_in + fan_out)).

    # Arguments
        seed: integer random seed.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=1., mode='fan_avg', distribution='uniform', seed=seed)


def he_normal(seed=None):
    """Truncated normal with stddev sqrt(2 / fan_in).

    # Arguments
        seed: integer random seed.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=2., mode='fan_in', distribution='normal', seed=seed)


def lecun_normal(seed=None):
    """Truncated normal with stddev sqrt(1 / fan_in).

    # Arguments
        seed: integer random seed.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=1., mode='fan_in', distribution='normal', seed=seed)


def he_uniform(seed=None):
    """Uniform within +-sqrt(6 / fan_in).

    # Arguments
        seed: integer random seed.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=2., mode='fan_in', distribution='uniform', seed=seed)


# Aliases (Keras 2.2.4 names).
zero = zeros = Zeros
one = ones = Ones
constant = Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
identity = Identity
orthogonal = Orthogonal


def _compute_fans(shape, data_format='channels_last'):
    """(fan_in, fan_out) of a weight shape, as Keras 2.2.4.

    2-D: (in, out).  3-D to 5-D convolution kernels: the receptive field size
    times the input / output channels.  Other ranks: sqrt(number of entries) for both.
    """
    shape = tuple(shape)
    if len(shape) == 2:
        fan_in = shape[0]
        fan_out = shape[1]
    elif len(shape) in {3, 4, 5}:
        if data_format == 'channels_first':
            receptive_field_size = np.prod(shape[2:])
            fan_in = shape[1] * receptive_field_size
            fan_out = shape[0] * receptive_field_size
        elif data_format == 'channels_last':
            receptive_field_size = np.prod(shape[:-2])
            fan_in = shape[-2] * receptive_field_size
            fan_out = shape[-1] * receptive_field_size
        else:
            raise ValueError('Invalid data_format: %r' % (data_format,))
    else:
        fan_in = np.sqrt(np.prod(shape))
        fan_out = np.sqrt(np.prod(shape))
    return fan_in, fan_out


_PUBLIC = {
    'Initializer': Initializer, 'Zeros': Zeros, 'Ones': Ones, 'Constant': Constant,
    'RandomNormal': RandomNormal, 'RandomUniform': RandomUniform,
    'TruncatedNormal': TruncatedNormal, 'VarianceScaling': VarianceScaling,
    'Orthogonal': Orthogonal, 'Identity': Identity,
    'lecun_uniform': lecun_uniform, 'glorot_normal': glorot_normal,
    'glorot_uniform': glorot_uniform, 'he_normal': he_normal,
    'lecun_normal': lecun_normal, 'he_uniform': he_uniform,
    'zero': Zeros, 'zeros': Zeros, 'one': Ones, 'ones': Ones, 'constant': Constant,
    'uniform': RandomUniform, 'random_uniform': RandomUniform,
    'normal': RandomNormal, 'random_normal': RandomNormal,
    'truncated_normal': TruncatedNormal, 'identity': Identity, 'orthogonal': Orthogonal,
}

# Class names written by tf.keras (e.g. the reference HDF5 files), mapped to the
# Keras 2.2 objects that build the same initializer.  Only used by deserialize.
_TF_KERAS_NAMES = {
    'GlorotUniform': glorot_uniform, 'GlorotNormal': glorot_normal,
    'HeUniform': he_uniform, 'HeNormal': he_normal,
    'LecunUniform': lecun_uniform, 'LecunNormal': lecun_normal,
}


def serialize(initializer):
    """The config of an initializer: `{'class_name': ..., 'config': ...}`.

    # Arguments
        initializer: an `Initializer` instance.

    # Returns
        A Python dictionary.
    """
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """Creates an initializer from its config (as `serialize` returns it) or its name.

    # Arguments
        config: a dictionary `{'class_name': ..., 'config': ...}` or a name (e.g.
            `'glorot_uniform'`).
        custom_objects: dictionary mapping names to custom initializers.

    # Returns
        An initializer.
    """
    module_objects = dict(_TF_KERAS_NAMES)
    module_objects.update(_PUBLIC)
    if isinstance(config, dict) and config.get('class_name') in _TF_KERAS_NAMES:
        config = {'class_name': config['class_name'],
                  'config': {k: v for k, v in (config.get('config') or {}).items()
                             if k != 'dtype'}}
    return deserialize_keras_object(config, module_objects=module_objects,
                                    custom_objects=custom_objects,
                                    printable_module_name='initializer')


def get(identifier):
    """A dict config, a name (`'glorot_uniform'`) or a callable -> an initializer.

    # Arguments
        identifier: a config dictionary, the name of an initializer or a callable.

    # Returns
        An initializer.
    """
    return get_keras_object(identifier, deserialize, 'initializer')
