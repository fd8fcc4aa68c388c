"""Keras 2 backend API (`from keras import backend as K`).

The backend in use is chosen once, at import, as Keras 2.2 chooses it: the `KERAS_BACKEND`
environment variable, else "backend" in `$KERAS_HOME/keras.json`, else 'jax'. Its package
(`keras/backend/jax/` or `keras/backend/tensorflow/`, the only places that import those
frameworks) provides the op modules; the backend-neutral parts (`config`, `keras_tensor`,
`nest`, `common`) live here.
"""
import collections
import importlib
import sys

from . import config as _config

if _config.backend() == 'tensorflow':
    sys.stderr.write('Using TensorFlow backend.\n')   # as Keras 2.2.4 announces it
    from . import tensorflow as _impl
else:
    from . import jax as _impl

# `keras.backend.execution`, `keras.backend.state`, `keras.backend.ops`, ... are the active
# backend's modules: the engine imports them by these names and never asks which backend runs.
for _name in _impl.MODULES:
    _module = importlib.import_module('%s.%s' % (_impl.__name__, _name))
    sys.modules['%s.%s' % (__name__, _name)] = _module
    globals()[_name] = _module
del _name, _module

from .config import (backend, floatx, set_floatx, epsilon, set_epsilon,  # noqa: F401,E402
                     image_data_format, set_image_data_format, image_dim_ordering,
                     set_image_dim_ordering, normalize_data_format, keras_home)
from .state import (Variable, StatelessScope, current_scope, learning_phase,  # noqa: F401,E402
                    set_learning_phase, learning_phase_scope, next_rng_key)
from .keras_tensor import KerasTensor, symbolic, is_symbolic  # noqa: F401,E402
from .ops import *  # noqa: F401,F403,E402
from .ops import _c, _a, _split_columns  # noqa: F401,E402
from .math_ops import *  # noqa: F401,F403,E402
from .image_ops import *  # noqa: F401,F403,E402
from .conv_ops import *  # noqa: F401,F403,E402
from .control_ops import *  # noqa: F401,F403,E402
from .ctc_ops import *  # noqa: F401,F403,E402
from . import common  # noqa: F401,E402  (`K.common`, as in Keras 2.2.4)
# the LSTM recurrence with its own gradient, where the backend has one (LSTM layers use it)
_lstm_recurrence = getattr(control_ops, '_lstm_recurrence', None)  # noqa: F405
_optimizer_update = getattr(math_ops, '_optimizer_update', None)  # noqa: F405
# a convolution and its bias as one op, where the backend has one (Conv layers use it)
_biased_convolution = getattr(conv_ops, '_biased_convolution', None)  # noqa: F405
from .. import registry as _registry  # noqa: E402

_impl.start(keras_home())

# Keras 2.2.4's name of the backend in use (code written for it reads `K._BACKEND`)
_BACKEND = backend()

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
    # (`state` is this module's: no import here, which fails when a `__del__` clears the
    # session at interpreter exit, as ELMo-keras' does)
    state._clear_learning_phase()  # noqa: F821  (the backend module set above)
    _impl.clear_session()
    for hook in _SESSION_CLEAR_HOOKS:
        hook()


def manual_variable_initialization(value):
    """Accepted for Keras 2 compatibility: variables here always hold their value.

    # Arguments
        value: boolean (ignored).
    """
    return None


get_session = _impl.get_session
set_session = _impl.set_session


def __getattr__(name):
    """Resolves the module's names that are looked up when asked for.

    They are `K.Function`, the class of `K.function(...)` (the engine defines it),
    `keras.backend.tensorflow_backend` (the TensorFlow-session helpers), and the framework
    modules the backend in use exposes as Keras 2.2.4's did (TensorFlow's
    `K.control_flow_ops`, ...).

    # Arguments
        name: the attribute's name.

    # Returns
        The object.

    # Raises
        AttributeError: the module has no such name.
    """
    if name == 'Function':
        return _registry.lookup('Function')
    if name == 'tensorflow_backend':
        # Keras 2.2.4 imported it on TensorFlow: `keras.backend.tensorflow_backend.
        # set_session(...)` after a plain `import keras` (on JAX it warns, as documented)
        return importlib.import_module(__name__ + '.tensorflow_backend')
    modules = getattr(_impl, 'keras2_modules', None)
    if modules is not None and name in ('control_flow_ops', 'tensor_array_ops',
                                        'functional_ops', 'ctc', 'moving_averages'):
        return modules()[name]
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


def _to_tensor(x, dtype):
    """Converts `x` to a tensor of `dtype`.

    Keras 2.2.4's helper, which loss functions written for it call
    (`K._to_tensor(K.epsilon(), y_pred.dtype)`).

    # Arguments
        x: a number, an array or a tensor.
        dtype: the dtype.

    # Returns
        A tensor.
    """
    return cast(x if is_tensor(x) else constant(x, dtype=dtype), dtype)  # noqa: F405


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
        kwargs: `name` (ignored), or TensorFlow session arguments (`options`, `run_metadata`,
            ...), accepted and ignored as Keras 2 code passes them.

    # Returns
        A `Function`: called with a list of input arrays, it returns the list of output arrays.

    # Raises
        ValueError: for any other keyword argument.
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


if _BACKEND == 'tensorflow':
    # Keras 2.2.4 imported its TensorFlow backend module here, so code reads
    # `K.tensorflow_backend._get_available_gpus()` without importing it
    from . import tensorflow_backend  # noqa: F401,E402
