"""Keras 2.2.4 `keras.legacy`: Keras 1 argument support (`interfaces`) and legacy layers."""
from . import interfaces  # noqa: F401
from . import layers  # noqa: F401
