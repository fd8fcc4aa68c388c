"""Keras 2 backend API (`from keras import backend as K`) implemented on JAX.

This package is the only part of `keras` that imports jax.
"""
import collections
import os

import jax

from . import execution as _execution

# before JAX starts its CPU backend (KERAS_XLA_CPU_FLAGS=0: leave XLA_FLAGS alone)
_execution.tune_xla_cpu_flags()

# Keras 2 computed in full float32. On GPUs JAX would otherwise run float32 matrix
# products and convolutions with reduced-precision (TF32) inputs, ~1e-3 relative error.
# Set JAX_DEFAULT_MATMUL_PRECISION (e.g. 'default') to choose otherwise.
if not os.environ.get('JAX_DEFAULT_MATMUL_PRECISION'):
    jax.config.update('jax_default_matmul_precision', 'highest')

from .config import (backend, floatx, set_floatx, epsilon, set_epsilon,  # noqa: F401
                     image_data_format, set_image_data_format, image_dim_ordering,
                     set_image_dim_ordering, normalize_data_format, keras_home)
from .state import (Variable, StatelessScope, current_scope, learning_phase,  # noqa: F401
                    set_learning_phase, learning_phase_scope, next_rng_key)
from .keras_tensor import KerasTensor, symbolic, is_symbolic  # noqa: F401
from .ops import *  # noqa: F401,F403
from .ops import _c, _a  # noqa: F401
from .math_ops import *  # noqa: F401,F403
from .image_ops import *  # noqa: F401,F403
from .conv_ops import *  # noqa: F401,F403
from .control_ops import *  # noqa: F401,F403
from .ctc_ops import *  # noqa: F401,F403
from .. import registry as _registry

# compiled programs persist across processes in the Keras directory (KERAS_JAX_CACHE=0: off)
_execution.enable_persistent_cache(keras_home())

_UID_PREFIXES = collections.defaultdict(int)


def get_uid(prefix=''):
    """Per-prefix counter starting at 1 (Keras 2.2.4: `dense_1` is the first Dense).

    # Arguments
        prefix: the string whose counter is incremented (e.g. a layer class name in snake case).

    # Returns
        An integer, 1 for the first call with a prefix.
    """
    _UID_PREFIXES[prefix] += 1
    return _UID_PREFIXES[prefix]


def reset_uids():
    """Resets the counters behind automatic layer names (the next `Dense` is `dense_1` again)."""
    _UID_PREFIXES.clear()


_SESSION_CLEAR_HOOKS = []


def clear_session():
    """Reset layer name counters and the learning phase (Keras 2 `K.clear_session`)."""
    reset_uids()
    from .state import _clear_learning_phase
    _clear_learning_phase()
    for hook in _SESSION_CLEAR_HOOKS:
        hook()


def manual_variable_initialization(value):
    """Accepted for Keras 2 compatibility: variables here always hold their value.

    # Arguments
        value: boolean (ignored).
    """
    return None


def get_session():
    """Not available: the JAX backend has no TensorFlow session.

    Variables hold their values directly: read them with `K.get_value` or `K.eval`.

    # Raises
        RuntimeError: always.
    """
    raise RuntimeError('get_session: the JAX backend has no TensorFlow session; '
                       'variables hold their values directly (use K.get_value / K.set_value)')


def set_session(session):
    """Not available: the JAX backend has no TensorFlow session.

    # Arguments
        session: ignored.

    # Raises
        RuntimeError: always.
    """
    raise RuntimeError('set_session: the JAX backend has no TensorFlow session')


def __getattr__(name):
    # `K.Function` is the class of `K.function(...)`; the engine defines it.
    if name == 'Function':
        return _registry.lookup('Function')
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A symbolic input tensor (the batch axis is part of `shape`).

    # Arguments
        shape: the shape, batch axis included (`None` for unknown dimensions).
        ndim: the number of axes, when `shape` is not given (all unknown).
        dtype: the dtype (default `K.floatx()`).
        sparse: whether the placeholder stands for a sparse tensor.
        name: optional name.

    # Returns
        A Keras tensor.
    """
    return _registry.lookup('placeholder')(shape=shape, ndim=ndim, dtype=dtype, sparse=sparse, name=name)


def function(inputs, outputs, updates=None, **kwargs):
    """A callable running the graph from `inputs` to `outputs` on arrays (compiled).

    # Arguments
        inputs: list of input placeholders (and `K.learning_phase()` to feed the learning
            phase).
        outputs: list of output tensors.
        updates: list of updates run with every call (`(variable, new_value)` pairs or
            `K.update*` results).

    # Returns
        A `Function`: called with a list of input arrays, it returns the list of output arrays.
    """
    return _registry.lookup('function')(inputs, outputs, updates=updates, **kwargs)


def gradients(loss, variables):
    """Symbolic gradients of sum(loss) with respect to `variables` (weights or tensors).

    # Arguments
        loss: a scalar tensor built from Keras layers and backend ops (non-scalar tensors are
            summed).
        variables: list of variables (weights) or tensors of the graph.

    # Returns
        A list of gradient tensors, one per variable.
    """
    return _registry.lookup('gradients')(loss, variables)
