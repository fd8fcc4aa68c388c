"""Keras layers (Keras 2.2 catalogue)."""
from ..engine.base_layer import Layer, InputSpec  # noqa: F401
from ..engine.input_layer import Input, InputLayer  # noqa: F401
from ..engine.op_layer import TensorOp, TensorMask  # noqa: F401
from .core import *  # noqa: F401,F403
from .convolutional import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .local import *  # noqa: F401,F403
from .embeddings import *  # noqa: F401,F403
from .merge import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
from .advanced_activations import *  # noqa: F401,F403
from .wrappers import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .convolutional_recurrent import *  # noqa: F401,F403
from .cudnn_recurrent import *  # noqa: F401,F403
from .bidirectional import *  # noqa: F401,F403
from .legacy import *  # noqa: F401,F403
import sys

# Names Keras 2.2.4's layer modules held and its star imports brought here with their
# layers (keras_squeezenet begins `from keras.layers import ..., warnings`).
import copy  # noqa: F401
import types as python_types  # noqa: F401
import warnings  # noqa: F401
from collections import namedtuple  # noqa: F401

from .. import initializers, constraints  # noqa: F401
from ..utils import conv_utils  # noqa: F401
from ..utils.generic_utils import object_list_uid, transpose_shape  # noqa: F401

from ..utils.generic_utils import deserialize_keras_object as _deserialize_keras_object
from ..engine.training import Model as _Model
from ..engine.sequential import Sequential as _Sequential
from .. import registry as _registry


def serialize(layer):
    """The config of a layer: `{'class_name': ..., 'config': layer.get_config()}`.

    # Arguments
        layer: a layer instance.

    # Returns
        A Python dictionary.
    """
    return {'class_name': layer.__class__.__name__, 'config': layer.get_config()}


def deserialize(config, custom_objects=None):
    """Instantiate a layer (or model) from {'class_name', 'config'}.

    # Arguments
        config: a layer config: `{"class_name": ..., "config": ...}`.
        custom_objects: dictionary mapping the names of custom classes and functions to the
            objects.

    # Returns
        A layer instance.
    """
    globs = dict(globals())
    globs['Model'] = _Model
    globs['Network'] = _Model
    globs['Functional'] = _Model
    globs['Sequential'] = _Sequential
    return _deserialize_keras_object(config, module_objects=globs, custom_objects=custom_objects,
                                     printable_module_name='layer')


# the engine deserializes layers by class name through these
_registry.provide('layers.deserialize', deserialize)
_registry.provide('layers', sys.modules[__name__])
