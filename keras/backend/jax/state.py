"""Variables and the stateless scope.

A `Variable` owns a concrete value.  Everything that runs compiled is a pure
function of variable values: inside a `StatelessScope` reading a variable
returns the value the scope maps it to (a traced array under `jax.jit`), and
assigning it records the new value in the scope instead of mutating the
variable.  Outside a scope, reads and writes touch the variable directly.
"""
import itertools

import numpy as np
import jax
import jax.numpy as jnp
from jax._src import core as _jax_core   # (trace_state_clean: no public equivalent)

from .. import config
from ..argcheck import tf_dtype
from .. import scopes as _scopes
from ..scopes import (_local, _scope_stack, current_scope, variable_creation_hook,  # noqa: F401
                      current_creation_hook, learning_phase, learning_phase_is_default,
                      set_learning_phase, _clear_learning_phase, learning_phase_scope,
                      learning_phase_probe, add_loss_to_scope)
from .execution import new_key, to_device
from . import random_streams


class StatelessScope(_scopes.StatelessScope):
    __doc__ = _scopes.StatelessScope.__doc__

    def __init__(self, values=None, rng=None):
        super(StatelessScope, self).__init__(values, rng)
        self._streams = 0

    def next_key(self):
        """A key of its own for one random op: the next stream of the scope's key
        (`random_streams`: the op's draws count over counters of their own; no key is
        hashed); in the body of a loop over this scope's values, the iteration's
        (`iteration_keys`)."""
        if self.rng is None:
            return None
        frame = _scopes.loop_frame(self)
        if frame is not None:
            return frame.next_key(self._own_next_key)
        return self._own_next_key()

    def _own_next_key(self):
        self._streams += 1
        return random_streams.stream_key(self.rng, self._streams)


class _LoopFrame(object):
    """The random keys of one trace of a loop's body: the loop's key (drawn when the body
    first draws: the enclosing scope's next stream, or a fresh key) folded with the
    iteration's index, then a stream of that for each random op."""

    def __init__(self, index, scope):
        self.index = index
        self.scope = scope
        self.key = None
        self.streams = 0

    def next_key(self, loop_key):
        if self.key is None:
            self.key = jax.random.fold_in(loop_key(), self.index)
        self.streams += 1
        return random_streams.stream_key(self.key, self.streams)


def iteration_keys(index):
    """Within it (the body of a loop traced once: `K.rnn`, `K.map_fn`, the folds), each
    random op draws from a key of iteration `index` (a traced integer), so that every
    iteration draws numbers of its own, as TensorFlow 1's while loops ran their random ops
    at every iteration (a recurrent cell adding noise at each step, Monte Carlo samples
    drawn in `K.map_fn`). A body that draws nothing adds nothing to the loop.

    # Arguments
        index: the iteration's index (a traced integer of the loop).

    # Returns
        A context manager.
    """
    return _scopes.entered_loop_frame(_LoopFrame(index, current_scope()))


_uid_counter = itertools.count(1)

# without jax_enable_x64, 64-bit variables are held in 32 bits but keep their declared dtype
_STORAGE = {'int64': 'int32', 'uint64': 'uint32', 'float64': 'float32'}


def _storage_dtype_of(name):
    """The dtype JAX holds a dtype named `name` in: the 32-bit one for a 64-bit dtype while
    JAX's 64-bit types are off (its default), else the same."""
    return name if jax.config.jax_enable_x64 else _STORAGE.get(name, name)


def _to_array(value, dtype):
    if isinstance(value, Variable):
        value = value.value
    return to_device(value, dtype)


class Variable(_scopes.VariableBase):
    """A named, mutable array (Keras 2 `K.variable`)."""

    @staticmethod
    def _dtype_name(dtype):
        """The name of `dtype` as a variable holds it ('float32')."""
        dtype = tf_dtype(dtype)
        return str(dtype) if str(dtype) == 'bfloat16' else np.dtype(dtype).name

    def __init__(self, value, dtype=None, name=None, trainable=True, constraint=None):
        if dtype is None:
            vd = getattr(value, 'dtype', None)
            dtype = vd if vd is not None and np.dtype(vd).kind not in 'fc' else config.floatx()
        self.dtype = self._dtype_name(dtype)
        self._storage_dtype = _storage_dtype_of(self.dtype)
        self._value = _to_array(value, self._storage_dtype)
        self.name = name or 'variable_%d' % next(_uid_counter)
        self.trainable = trainable
        self.constraint = constraint
        self._keras_shape = tuple(self._value.shape)
        self._note_creation()
        self._uses_learning_phase = False

    @classmethod
    def _hidden_state(cls, value, name):
        with jax.ensure_compile_time_eval():    # (a concrete array, also inside a trace)
            return super(Variable, cls)._hidden_state(value, name)

    def _is_native(self, value):
        return isinstance(value, jax.Array)

    def _convert(self, value):
        return _to_array(value, self._storage_dtype)

    def numpy(self):
        return np.asarray(self._value).astype(self.dtype, copy=False)


class VariableExpression(_scopes.VariableExpression):
    __doc__ = _scopes.VariableExpression.__doc__

    def __jax_array__(self):
        # (`jnp.asarray(expression)`, and JAX arrays' operators given one)
        return self.value


for _cls in (Variable, VariableExpression):
    _cls._define_operators(
        [('add', jnp.add), ('sub', jnp.subtract), ('mul', jnp.multiply),
         ('truediv', jnp.true_divide), ('floordiv', jnp.floor_divide), ('mod', jnp.mod),
         ('pow', jnp.power), ('matmul', jnp.matmul), ('and', jnp.bitwise_and),
         ('or', jnp.bitwise_or), ('xor', jnp.bitwise_xor)],
        [('lt', jnp.less), ('le', jnp.less_equal), ('gt', jnp.greater),
         ('ge', jnp.greater_equal)])


# (JAX has no public test of whether a function is being traced; without this one, code
# traced outside the steps' scopes would get expressions)
_trace_state_clean = getattr(_jax_core, 'trace_state_clean', lambda: True)


def _tracing():
    # (`shape_inference.concrete_context` computes eagerly inside a trace, as TensorFlow's
    # `init_scope` does: a loss's graph built while a step is traced)
    return not _trace_state_clean() and not _local.concrete


for _cls in (Variable, VariableExpression):
    _cls._expression_class = VariableExpression
    _cls._tracing = staticmethod(_tracing)


class RandomExpression(_scopes.RandomDraw, VariableExpression):
    __doc__ = _scopes.RandomDraw.__doc__


# ----------------------------------------------------------------------
# randomness
def next_rng_key(seed=None):
    """A PRNG key: from the enclosing compiled step when there is one, else fresh.

    Outside a step, an unseeded key is drawn from NumPy's global generator, so
    `np.random.seed(...)` makes initialization reproducible as in Keras 2.

    # Arguments
        seed: optional integer: inside a step it is folded into the step's key, outside it
            seeds the new key.

    # Returns
        A typed PRNG key of `random_streams` (inside a step, the op's stream of the step's
        key; outside, stream 0, whose draws are those of `jax.random.PRNGKey(seed)`).
    """
    scope = current_scope()
    if scope is not None and scope.rng is not None:
        key = scope.next_key()
        if seed is not None:
            key = jax.random.fold_in(key, int(seed))
        return key
    frame = _scopes.loop_frame(scope)
    if frame is not None:
        # (a loop's body outside a step: the loop's key is a fresh one)
        key = frame.next_key(lambda: random_streams.stream_key(
            new_key(np.random.randint(10000000)), 0))
        return key if seed is None else jax.random.fold_in(key, int(seed))
    if seed is None:
        seed = np.random.randint(10000000)
    return random_streams.stream_key(new_key(seed), 0)


