"""Variables and the stateless scope on TensorFlow.

A `Variable` owns a concrete value, an eager `tf.Tensor`. As on the JAX backend, compiled
steps are pure functions of variable values: inside a `StatelessScope` (the neutral
`keras.backend.scopes`) reading a variable returns the value the scope maps it to (a
symbolic tensor inside `tf.function`) and `assign` records the new value in the scope.
TensorFlow converts a Variable to its value inside a step; outside every step a raw `tf.*` op
given one is kept as a `VariableExpression` (computed from the variables wherever it is used),
as Keras 2.2's TensorFlow graph kept it.
"""
import itertools

import numpy as np
import tensorflow as tf

from .. import config
from ..argcheck import tf_dtype
from .. import scopes as _scopes
from ..scopes import (_local, _scope_stack, current_scope, variable_creation_hook,  # noqa: F401
                      current_creation_hook, learning_phase, learning_phase_is_default,
                      set_learning_phase, _clear_learning_phase, learning_phase_scope,
                      learning_phase_probe,
                      add_loss_to_scope)
from .execution import new_key, seed_of, split_key, outside_user_graph, eager_init_scope


class StatelessScope(_scopes.StatelessScope):
    __doc__ = _scopes.StatelessScope.__doc__

    @staticmethod
    def split_key(key):
        return split_key(key)

    def next_key(self):
        """A key of its own for one random op (a split of the scope's key); in the body of a
        loop over this scope's values, the iteration's (`iteration_keys`)."""
        frame = _scopes.loop_frame(self)
        if self.rng is not None and frame is not None:
            return frame.next_key()
        return super(StatelessScope, self).next_key()


def loop_key():
    """The key of a loop's random ops, drawn before the loop (`K.rnn`, `K.map_fn`, the
    folds): the scope's next key inside a step, None outside (the iterations then draw
    fresh keys)."""
    scope = current_scope()
    if scope is not None and scope.rng is not None:
        return scope.next_key()
    return None


class _LoopFrame(object):
    def __init__(self, index, scope, key):
        self.index = index
        self.scope = scope
        self.key = key
        self.folded = None

    def next_key(self):
        if self.folded is None:
            key = self.key if self.key is not None else new_key(np.random.randint(10000000))
            self.folded = tf.random.experimental.stateless_fold_in(
                seed_of(key), tf.cast(self.index, tf.int32))
        self.folded, key = split_key(self.folded)
        return key


def iteration_keys(index, key):
    """Within it (the body of a loop: `K.rnn`, `K.map_fn`, the folds), each random op
    draws from a key of iteration `index` folded into the loop's key (`loop_key`), so that
    every iteration draws numbers of its own, as TensorFlow 1's stateful random ops did in
    its while loops (the steps' stateless random ops would repeat one draw).

    # Arguments
        index: the iteration's index (an integer tensor of the loop).
        key: the loop's key (`loop_key()`), or None.

    # Returns
        A context manager.
    """
    return _scopes.entered_loop_frame(_LoopFrame(index, current_scope(), key))


_uid_counter = itertools.count(1)


def _dtype_name(dtype):
    if isinstance(dtype, tf.DType):
        return dtype.name
    dtype = tf_dtype(dtype)
    return str(dtype) if str(dtype) == 'bfloat16' else np.dtype(dtype).name


def _to_tensor(value, dtype):
    if isinstance(value, Variable):
        value = value.value
    if isinstance(value, tf.Tensor):
        return value if value.dtype.name == dtype else tf.cast(value, dtype)
    # (a variable made or assigned in a graph of the user's holds an eager value too)
    with outside_user_graph():
        return tf.convert_to_tensor(np.asarray(value, dtype=dtype) if dtype != 'bfloat16'
                                    else value, dtype=dtype)


class Variable(_scopes.VariableBase):
    """A named, mutable tensor (Keras 2 `K.variable`)."""

    _dtype_name = staticmethod(_dtype_name)

    def __init__(self, value, dtype=None, name=None, trainable=True, constraint=None):
        if dtype is None:
            vd = getattr(value, 'dtype', None)
            vd = None if vd is None else _dtype_name(vd)
            dtype = vd if vd is not None and np.dtype(vd).kind not in 'fc' else config.floatx()
        self.dtype = _dtype_name(dtype)
        self._storage_dtype = self.dtype
        with eager_init_scope():     # a variable made while a function is traced holds a value
            self._value = _to_tensor(value, self.dtype)
        self.name = name or 'variable_%d' % next(_uid_counter)
        self.trainable = trainable
        self.constraint = constraint
        self._keras_shape = tuple(self._value.shape)
        self._note_creation()
        self._uses_learning_phase = False

    def _is_native(self, value):
        return isinstance(value, tf.Tensor)

    def _convert(self, value):
        return _to_tensor(value, self.dtype)

    def numpy(self):
        return self._value.numpy()


class VariableExpression(_scopes.VariableExpression):
    __doc__ = _scopes.VariableExpression.__doc__


def _matched(fn):
    def op(a, b):
        return fn(*_match(a, b))
    op.__name__ = fn.__name__
    return op


for _cls in (Variable, VariableExpression):
    _cls._define_operators(
        [(n, _matched(f)) for n, f in [
            ('add', tf.add), ('sub', tf.subtract), ('mul', tf.multiply),
            ('truediv', tf.math.truediv), ('floordiv', tf.math.floordiv),
            ('mod', tf.math.floormod), ('pow', tf.pow), ('matmul', tf.matmul),
            ('and', lambda a, b: a & b), ('or', lambda a, b: a | b),
            ('xor', lambda a, b: a ^ b)]],
        [(n, _matched(f)) for n, f in [
            ('lt', tf.less), ('le', tf.less_equal), ('gt', tf.greater),
            ('ge', tf.greater_equal)]])


def _match(a, b):
    """Operands of a binary op with Python/NumPy numbers cast to the tensor's dtype."""
    if isinstance(a, tf.Tensor) and not isinstance(b, tf.Tensor):
        b = tf.cast(b, a.dtype)
    elif isinstance(b, tf.Tensor) and not isinstance(a, tf.Tensor):
        a = tf.cast(a, b.dtype)
    return a, b


class DeferredOperand(TypeError):
    """Raised by TensorFlow's conversion of a variable or an expression outside every step
    and trace: TensorFlow then asks its op dispatchers, and the backend's keeps the op as a
    `VariableExpression` (`_route_ops_on_keras_tensors`)."""


def _convert_variable(v, dtype=None, name=None, as_ref=False):
    # Keras 2.2.4's `tf.add_n([l2(w) / tf.cast(tf.size(w), tf.float32) ...])` (Mask R-CNN's
    # weight decay) was a node of the graph, computed from the weights whenever it ran: a
    # raw TensorFlow op given a variable outside a step is kept as the op, not computed once
    if _scopes.deferring(v):
        raise DeferredOperand('%r is read outside a step' % (v,))
    return tf.convert_to_tensor(v.value, dtype=dtype, name=name)


for _cls in (Variable, VariableExpression):
    tf.register_tensor_conversion_function(_cls, _convert_variable)

for _cls in (Variable, VariableExpression):
    _cls._expression_class = VariableExpression
    _cls._tracing = staticmethod(lambda: not tf.executing_eagerly())


class RandomExpression(_scopes.RandomDraw, VariableExpression):
    __doc__ = _scopes.RandomDraw.__doc__


def next_rng_key(seed=None):
    """A PRNG key: from the enclosing compiled step when there is one, else fresh.

    Outside a step, an unseeded key is drawn from NumPy's global generator, so
    `np.random.seed(...)` makes initialization reproducible as in Keras 2.

    # Arguments
        seed: optional integer: inside a step it is folded into the step's key, outside it
            seeds the new key.

    # Returns
        A PRNG key.
    """
    scope = current_scope()
    frame = _scopes.loop_frame(scope)
    if (scope is not None and scope.rng is not None) or frame is not None:
        key = scope.next_key() if frame is None else frame.next_key()
        if seed is not None:
            key = tf.random.experimental.stateless_fold_in(seed_of(key), int(seed))
        return key
    if seed is None:
        seed = np.random.randint(10000000)
    return new_key(seed)
