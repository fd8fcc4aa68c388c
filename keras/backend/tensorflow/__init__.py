"""The TensorFlow backend (TensorFlow 2, eager with `tf.function`): the only package of
`keras` that imports tensorflow.

`keras.backend` imports it when `KERAS_BACKEND=tensorflow` (or keras.json says so) and makes
its modules (`MODULES`) the modules `keras.backend.<name>`, exactly as for the JAX backend:
the engine runs the same pure steps (`step(state, consts, batch, key)`) through
`execution.jit` (a `tf.function`) and `execution.value_and_grad` (a `tf.GradientTape`).
"""
import os

# TensorFlow's informational start-up lines (CPU features, oneDNN) stay quiet unless asked for
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '1')

import tensorflow as tf  # noqa: E402

from . import execution  # noqa: F401

MODULES = ('execution', 'state', 'ops', 'math_ops', 'image_ops', 'conv_ops', 'control_ops',
           'ctc_ops', 'shape_inference', 'distribution', 'saved_model', 'summary')


def start(keras_dir):
    """Called once by `keras.backend` after the op modules are imported."""


def clear_session():
    """The backend's part of `K.clear_session`: TensorFlow's own global state (the name
    counters of `tf.keras` objects, cached functions) is reset too."""
    if not tf.executing_eagerly():
        tf.compat.v1.reset_default_graph()


from .tf_session import get_session, set_session  # noqa: E402,F401
