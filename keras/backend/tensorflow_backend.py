"""Keras 2.2 scripts import helpers from `keras.backend.tensorflow_backend`. This backend runs
on JAX, so the module offers the same backend functions (`from keras import backend as K`)
and the TensorFlow-session helpers scripts call most: `_get_available_gpus` lists the
accelerators JAX sees; `set_session` has no session to install and says so with a
warning; `get_session` has none to return and raises an error that says what to use."""
import warnings

import jax

from . import *  # noqa: F401,F403
from . import clear_session  # noqa: F401


def _get_available_gpus():
    """Names of the GPUs ('/gpu:0', ...) visible to JAX, as Keras 2.2 lists them."""
    return ['/gpu:%d' % i for i, d in enumerate(d for d in jax.devices() if d.platform == 'gpu')]


def set_session(session):
    warnings.warn('keras.backend.tensorflow_backend.set_session: this Keras runs on JAX and '
                  'has no TensorFlow session; the session given (%r) is ignored.' % (session,),
                  stacklevel=2)


def get_session():
    raise RuntimeError('keras.backend.tensorflow_backend.get_session: this Keras runs on JAX and '
                       'has no TensorFlow session. Evaluate tensors with K.eval / K.get_value, '
                       'or build callables with K.function(inputs, outputs).')
