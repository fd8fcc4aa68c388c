"""Keras 1 name of `keras.losses`, still importable in Keras 2.2."""
from .losses import *  # noqa: F401,F403
from .losses import deserialize, get, serialize  # noqa: F401
