"""Wrappers exposing Keras models through other libraries' APIs (Keras 2.2 `keras.wrappers`)."""
from . import scikit_learn  # noqa: F401
