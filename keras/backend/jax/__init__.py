"""The JAX backend: the only package of `keras` that imports jax.

`keras.backend` imports it when JAX is the backend in use and makes its modules (`MODULES`)
the modules `keras.backend.<name>` of the Keras API.
"""
import os
import sys

import jax

from . import execution
from .. import config

# the modules every backend package provides, under these names
MODULES = ('execution', 'state', 'ops', 'math_ops', 'image_ops', 'conv_ops', 'control_ops',
           'ctc_ops', 'shape_inference', 'distribution', 'saved_model', 'summary')

# before JAX starts its CPU backend (KERAS_XLA_CPU_FLAGS=0: leave XLA_FLAGS alone)
execution.tune_xla_cpu_flags()
# calls of compiled CPU programs reuse their scratch memory (KERAS_REUSE_CPU_MEMORY=0: off)
execution.reuse_cpu_step_memory()

# Keras 2 computed in full float32. On GPUs JAX would otherwise run float32 matrix
# products and convolutions with reduced-precision (TF32) inputs, ~1e-3 relative error.
# Set JAX_DEFAULT_MATMUL_PRECISION (e.g. 'default') to choose otherwise.
if not os.environ.get('JAX_DEFAULT_MATMUL_PRECISION'):
    jax.config.update('jax_default_matmul_precision', 'highest')


def _tensor_attributes():
    """Keras 2 code sets `_uses_learning_phase` and `_keras_shape` on the tensors it
    computes in a layer's `call` (Keras 2.2.4's own RNN cells with dropout do, and cells
    copied from them: keras-ordered-neurons), as TensorFlow's tensors took any attribute.
    JAX's arrays do too, but the values traced in a compiled step do not: on those the
    two attributes are accepted and read as the trace knows them (no learning-phase
    mark; the traced shape). Arrays and traced values also have TensorFlow's
    `get_shape()` (`x.get_shape().as_list()` in a layer's `call`: CapsNet-Keras), as
    Keras tensors do."""
    from jax._src import core
    from jax._src.array import ArrayImpl   # (no array is made: that would start XLA)
    from ..keras_tensor import _TensorShape
    # (deleting them does nothing either: recurrentshop deletes and restores `_keras_shape`
    # around an inner model's call)
    if '_uses_learning_phase' not in vars(core.Tracer):
        core.Tracer._uses_learning_phase = property(lambda self: False,
                                                    lambda self, value: None,
                                                    lambda self: None)
    if '_keras_shape' not in vars(core.Tracer):
        core.Tracer._keras_shape = property(lambda self: tuple(self.shape),
                                            lambda self, value: None, lambda self: None)
    for cls in (core.Tracer, ArrayImpl):
        if 'get_shape' not in vars(cls):
            cls.get_shape = lambda self: _TensorShape(self.shape)
    if not getattr(core.Tracer.shape.fget, '_keras_tensor_shape', False):
        core.Tracer.shape = _tensorflow_shape_for_callers(core.Tracer.shape)


# modules that read a traced value's `shape` as JAX's tuple (JAX, the libraries JAX and
# NumPy code run in, and this package)
_TUPLE_READERS = ('jax', 'numpy', 'scipy', 'ml_dtypes', 'opt_einsum', 'flax', 'optax',
                  'chex', 'equinox', 'haiku', 'orbax', 'tensorflow', 'keras.')


def _tensorflow_shape_for_callers(plain):
    """The `shape` property of JAX's traced values, as TensorFlow's shape
    (`keras_tensor._TensorShape`: `x.shape.as_list()`, `x.shape[-1].value`, `x.shape.ndims`,
    as ShuffleNet's channel shuffle reads it in a `Lambda`) for code outside JAX, NumPy and
    this package, which read JAX's own tuple (a subclass there breaks JAX's shape checks).
    The caller is known from its module's name; only traces pay for the lookup."""
    import sys
    from ..keras_tensor import _TensorShape

    def shape(self):
        dims = plain.fget(self)
        module = sys._getframe(1).f_globals.get('__name__') or ''
        if module.startswith(_TUPLE_READERS) or module == 'keras':
            return dims
        return _TensorShape(dims)
    prop = property(shape)
    prop.fget._keras_tensor_shape = True
    return prop


_tensor_attributes()


def _operands_as_tensorflow_took_them():
    """Operands of arithmetic with a JAX array or traced value that JAX refuses or misreads
    (a list of numbers, an integer beyond int32 with a float array) taken as TensorFlow took
    them with a tensor (`scopes.as_tensorflow_operand`); other operands are left to JAX."""
    from jax._src import core
    from jax._src.array import ArrayImpl
    from ..scopes import as_tensorflow_operand

    def taking_tensorflow_operands(op):
        def operator(self, other):
            return op(self, as_tensorflow_operand(other, self.dtype))
        operator._keras_operands = True
        return operator
    for cls in (core.Tracer, ArrayImpl):
        for name in ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow'):
            for attr in ('__%s__' % name, '__r%s__' % name):
                op = getattr(cls, attr, None)
                if op is not None and not getattr(op, '_keras_operands', False):
                    setattr(cls, attr, taking_tensorflow_operands(op))


_operands_as_tensorflow_took_them()


def _indices_as_tensorflow_took_them():
    """JAX arrays and traced values indexed as `scopes._tensorflow_index` reads the index."""
    from jax._src import core
    from jax._src.array import ArrayImpl
    from ..scopes import _tensorflow_index

    def taking_tensorflow_indices(getitem):
        def __getitem__(self, idx):
            return getitem(self, _tensorflow_index(idx))
        __getitem__._keras_indices = True
        return __getitem__
    for cls in (core.Tracer, ArrayImpl):
        getitem = vars(cls).get('__getitem__')
        if getitem is not None and not getattr(getitem, '_keras_indices', False):
            cls.__getitem__ = taking_tensorflow_indices(getitem)


_indices_as_tensorflow_took_them()


def start(keras_dir):
    """Called once by `keras.backend` after the op modules are imported."""
    # compiled programs persist across processes in the Keras directory (KERAS_JAX_CACHE=0: off)
    execution.enable_persistent_cache(keras_dir)
    # a float64 floatx (keras.json's or `set_floatx`'s) computes in float64
    config._follow_floatx(execution.follow_floatx)


def clear_session():
    """The backend's part of `K.clear_session`: JAX keeps no graph, but its caches keep the
    traces and programs of the models built before (each a few hundred kilobytes: a
    process building models one after another, a grid search, grows without end). They
    are dropped, as Keras 2.2.4 dropped its graph; a model still used compiles again."""
    if sys.is_finalizing():   # (a finalizer at interpreter exit: nothing to drop)
        return
    jax.clear_caches()


# no TensorFlow session: `set_session` warns and ignores it, `get_session` raises
from .tf_session import get_session, set_session  # noqa: E402,F401
