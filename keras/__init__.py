"""Keras: the Python deep learning library (Keras 2.2 API), running on JAX."""
__version__ = '2.2.4'

from . import backend  # noqa: F401,E402
