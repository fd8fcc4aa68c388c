"""Keras 2.2 scripts import helpers from `keras.backend.tensorflow_backend`: the backend
functions (`from keras import backend as K`) and the TensorFlow-session helpers
(`get_session`, `set_session`, `_get_available_gpus`; on the TensorFlow backend also `tf`).
They come from the active backend's `tf_session` module."""
import importlib

from . import *  # noqa: F401,F403
from . import clear_session, _impl
# Keras 2.2.4's private helpers that code of its time calls through this module (a focal
# loss's `K.tensorflow_backend._to_tensor(K.epsilon(), y_pred.dtype.base_dtype)`)
from . import _to_tensor  # noqa: F401

_session = importlib.import_module(_impl.__name__ + '.tf_session')
globals().update({k: v for k, v in vars(_session).items()
                  if not k.startswith('__') and k not in ('warnings', 'jax', 'importlib')})
del _session


def _preprocess_padding(padding):
    """A Keras padding as TensorFlow names it ('same' -> 'SAME').

    Keras 2.2.4's helper, which custom layers calling `tf.nn` ops use.

    # Arguments
        padding: 'same' or 'valid'.

    # Returns
        'SAME' or 'VALID'.

    # Raises
        ValueError: another padding.
    """
    if padding == 'same':
        return 'SAME'
    if padding == 'valid':
        return 'VALID'
    raise ValueError("Invalid padding: %r (expected 'same' or 'valid')" % (padding,))


def _has_nchw_support():
    """Whether channels-first convolutions run natively (when a GPU is available).

    # Returns
        A boolean.
    """
    return len(_get_available_gpus()) > 0  # noqa: F405
