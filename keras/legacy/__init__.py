"""Keras 2.2.4 `keras.legacy`: Keras 1 argument support (`interfaces`) and legacy layers."""
import importlib

from . import interfaces  # noqa: F401


def __getattr__(name):
    # `keras.legacy.layers` builds on keras.layers, which imports `interfaces` from here:
    # loaded on first use
    if name == 'layers':
        return importlib.import_module(__name__ + '.layers')
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
