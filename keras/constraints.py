"""Weight constraints (Keras 2.2 API): callables applied to a weight after each update."""
from . import backend as K
from .utils.generic_utils import (deserialize_keras_object, get_keras_object,
                                  serialize_keras_object)


class Constraint(object):
    """Base class: the identity."""

    def __call__(self, w):
        """Applies the constraint: returns the projected weight.

        # Arguments
            w: the weight tensor.

        # Returns
            A tensor of the shape of `w`.
        """
        return w

    def get_config(self):
        """The constraint's configuration (its constructor arguments).

        # Returns
            A Python dictionary.
        """
        return {}


def _norms(w, axis):
    return K.sqrt(K.sum(K.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale the weight vectors along `axis` whose L2 norm exceeds `max_value`.

    `axis=0` for a Dense kernel `(input_dim, output_dim)` constrains each
    unit's incoming weight vector; for a channels_last Conv2D kernel use `[0, 1, 2]`.

    # Arguments
        max_value: the largest norm allowed.
        axis: the axis along which the norms are computed: 0 for a `Dense` kernel `(input_dim,
            output_dim)` (the weights into each unit), `[0, 1, 2]` for a channels_last `Conv2D`
            kernel.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = K.clip(norms, 0, self.max_value)
        return w * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {'max_value': self.max_value, 'axis': self.axis}


class NonNeg(Constraint):
    """Negative weights become zero."""

    def __call__(self, w):
        return w * K.cast(K.greater_equal(w, 0.), K.floatx())


class UnitNorm(Constraint):
    """Weight vectors along `axis` rescaled to unit L2 norm.

    # Arguments
        axis: the axis along which the norms are computed (see `MaxNorm`).
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (K.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {'axis': self.axis}


class MinMaxNorm(Constraint):
    """Norms along `axis` moved towards [min_value, max_value] by `rate` (1 = fully).

    # Arguments
        min_value: the smallest norm allowed.
        max_value: the largest norm allowed.
        rate: how far each norm moves towards the allowed range in one step: `(1 - rate) * norm
            + rate * clip(norm, min_value, max_value)`; 1.0 projects at once.
        axis: the axis along which the norms are computed (see `MaxNorm`).
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = (self.rate * K.clip(norms, self.min_value, self.max_value) +
                   (1 - self.rate) * norms)
        return w * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {'min_value': self.min_value, 'max_value': self.max_value,
                'rate': self.rate, 'axis': self.axis}


# Aliases (Keras 2.2.4 names).
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

# Legacy aliases.
maxnorm = MaxNorm
nonneg = NonNeg
unitnorm = UnitNorm

_PUBLIC = {'Constraint': Constraint, 'MaxNorm': MaxNorm, 'NonNeg': NonNeg,
           'UnitNorm': UnitNorm, 'MinMaxNorm': MinMaxNorm,
           'max_norm': MaxNorm, 'non_neg': NonNeg, 'unit_norm': UnitNorm,
           'min_max_norm': MinMaxNorm, 'maxnorm': MaxNorm, 'nonneg': NonNeg,
           'unitnorm': UnitNorm}


def serialize(constraint):
    """The config of a constraint: `{'class_name': ..., 'config': ...}`.

    # Arguments
        constraint: a `Constraint` instance.

    # Returns
        A Python dictionary.
    """
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """Creates a constraint from its config (as `serialize` returns it) or its name.

    # Arguments
        config: a dictionary `{'class_name': ..., 'config': ...}` or a name.
        custom_objects: dictionary mapping names to custom constraint classes.

    # Returns
        A constraint instance.
    """
    return deserialize_keras_object(config, module_objects=_PUBLIC,
                                    custom_objects=custom_objects,
                                    printable_module_name='constraint')


def get(identifier):
    """None, a dict config, a name (`'max_norm'`) or a callable -> a constraint (or None).

    # Arguments
        identifier: `None`, a config dictionary, the name of a constraint or a callable.

    # Returns
        A constraint, or `None`.
    """
    return get_keras_object(identifier, deserialize, 'constraint', allow_none=True)
