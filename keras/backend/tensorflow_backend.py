"""Keras 2.2 scripts import helpers from `keras.backend.tensorflow_backend`: the backend
functions (`from keras import backend as K`) and the TensorFlow-session helpers
(`get_session`, `set_session`, `_get_available_gpus`; on the TensorFlow backend also `tf`).
They come from the active backend's `tf_session` module."""
import importlib

from . import *  # noqa: F401,F403
from . import clear_session, _impl

_session = importlib.import_module(_impl.__name__ + '.tf_session')
globals().update({k: v for k, v in vars(_session).items()
                  if not k.startswith('__') and k not in ('warnings', 'jax', 'importlib')})
del _session
