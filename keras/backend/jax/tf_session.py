"""What `keras.backend.tensorflow_backend` offers Keras 2.2 scripts on the JAX backend: the
TensorFlow-session helpers scripts call most. `_get_available_gpus` lists the GPUs JAX sees;
`set_session` has no session to install and says so with a warning; `get_session` has none
to return and raises an error that says what to use."""
import warnings

import jax


def _get_available_gpus():
    """Names of the GPUs ('/gpu:0', ...) visible to JAX, as Keras 2.2 lists them."""
    return ['/gpu:%d' % i for i, d in enumerate(d for d in jax.devices() if d.platform == 'gpu')]


def set_session(session):
    """Ignored, with a warning: the JAX backend has no TensorFlow session.

    Keras 2 scripts install one for its GPU options; JAX takes its own from the environment
    (e.g. `XLA_PYTHON_CLIENT_PREALLOCATE=false`).

    # Arguments
        session: ignored.
    """
    warnings.warn('set_session: this Keras runs on the JAX backend and has no TensorFlow '
                  'session; the session given (%r) and its options are ignored (on GPUs, '
                  'JAX takes its memory options from the environment, e.g. '
                  'XLA_PYTHON_CLIENT_PREALLOCATE=false). Set KERAS_BACKEND=tensorflow to run '
                  'on TensorFlow.' % (session,), stacklevel=2)


def get_session():
    """Not available: the JAX backend has no TensorFlow session.

    Variables hold their values: read them with `K.get_value` or `K.eval`.

    # Raises
        RuntimeError: always, saying what to use instead.
    """
    raise RuntimeError('get_session: this Keras runs on the '
                       'JAX backend and has no TensorFlow session. Evaluate tensors with '
                       'K.eval / K.get_value, or build callables with K.function(inputs, '
                       'outputs); set KERAS_BACKEND=tensorflow to run on TensorFlow.')
