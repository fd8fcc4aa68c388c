"""Keras 2.2 `keras.backend.common`: the backend-independent configuration functions, and
the module globals Keras 2.2.4 kept them in (`_FLOATX`, `_EPSILON`, `_IMAGE_DATA_FORMAT`),
which code reads and sets directly (`K.common._EPSILON` in custom crossentropies): they are
the values of `keras.backend.config`, read and written through."""
import sys
import types

from . import config as _config
from .config import (epsilon, set_epsilon, floatx, set_floatx,  # noqa: F401
                     image_data_format, set_image_data_format, image_dim_ordering,
                     set_image_dim_ordering, normalize_data_format)
from .ops import cast_to_floatx  # noqa: F401

# Keras 2.2.4's global -> its setter here (which checks the value)
_GLOBALS = {'_FLOATX': set_floatx, '_EPSILON': set_epsilon,
            '_IMAGE_DATA_FORMAT': set_image_data_format}


class _CommonModule(types.ModuleType):
    def __getattr__(self, name):
        if name in _GLOBALS:
            return getattr(_config, name)
        raise AttributeError('module %r has no attribute %r' % (self.__name__, name))

    def __setattr__(self, name, value):
        if name in _GLOBALS:
            _GLOBALS[name](value)
        else:
            super(_CommonModule, self).__setattr__(name, value)


sys.modules[__name__].__class__ = _CommonModule
