"""Weight regularizers (Keras 2.2 API): callables mapping a weight to a scalar penalty."""
from . import backend as K
from .utils.generic_utils import (deserialize_keras_object, get_keras_object,
                                  serialize_keras_object)


class Regularizer(object):
    """Base class: the penalty of a weight tensor (0 here)."""

    def __call__(self, x):
        """The penalty of a weight, added to the loss.

        # Arguments
            x: the weight tensor.

        # Returns
            A scalar tensor.
        """
        return 0.

    @classmethod
    def from_config(cls, config):
        """Creates a regularizer from its config.

        # Arguments
            config: the dictionary `get_config` returns.

        # Returns
            A regularizer instance.
        """
        return cls(**config)


class L1L2(Regularizer):
    """`sum(l1 * |x|) + sum(l2 * x^2)`.

    # Arguments
        l1: float, the L1 factor.
        l2: float, the L2 factor.
    """

    def __init__(self, l1=0., l2=0.):
        self.l1 = K.cast_to_floatx(l1)
        self.l2 = K.cast_to_floatx(l2)

    def __call__(self, x):
        # Python floats (not 0-d NumPy arrays) so that symbolic tensors work too.
        regularization = 0.
        if self.l1:
            regularization += K.sum(float(self.l1) * K.abs(x))
        if self.l2:
            regularization += K.sum(float(self.l2) * K.square(x))
        return regularization

    def get_config(self):
        """The regularizer's configuration: `{'l1': ..., 'l2': ...}`.

        # Returns
            A Python dictionary.
        """
        return {'l1': float(self.l1), 'l2': float(self.l2)}


def l1(l=0.01):  # noqa: E741 - Keras API name
    """An L1 penalty: `l * sum(abs(x))`.

    # Arguments
        l: the factor.

    # Returns
        An `L1L2` regularizer.
    """
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741 - Keras API name
    """An L2 penalty: `l * sum(square(x))`.

    # Arguments
        l: the factor.

    # Returns
        An `L1L2` regularizer.
    """
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):
    """An L1 plus L2 penalty: `l1 * sum(abs(x)) + l2 * sum(square(x))`.

    # Arguments
        l1: the L1 factor.
        l2: the L2 factor.

    # Returns
        An `L1L2` regularizer.
    """
    return L1L2(l1=l1, l2=l2)


_PUBLIC = {'Regularizer': Regularizer, 'L1L2': L1L2, 'l1': l1, 'l2': l2, 'l1_l2': l1_l2}


def serialize(regularizer):
    """The config of a regularizer: `{'class_name': ..., 'config': ...}`.

    # Arguments
        regularizer: a `Regularizer` instance.

    # Returns
        A Python dictionary.
    """
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """Creates a regularizer from its config (as `serialize` returns it) or its name.

    # Arguments
        config: a dictionary `{'class_name': ..., 'config': ...}` or a name.
        custom_objects: dictionary mapping names to custom regularizers.

    # Returns
        A regularizer.
    """
    return deserialize_keras_object(config, module_objects=_PUBLIC,
                                    custom_objects=custom_objects,
                                    printable_module_name='regularizer')


def get(identifier):
    """None, a dict config, a name (`'l2'`) or a callable -> a regularizer (or None).

    # Arguments
        identifier: `None`, a config dictionary, the name of a regularizer or a callable.

    # Returns
        A regularizer, or `None`.
    """
    return get_keras_object(identifier, deserialize, 'regularizer', allow_none=True)
