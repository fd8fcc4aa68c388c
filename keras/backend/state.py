"""Variables and the stateless scope.

A `Variable` owns a concrete value.  Everything that runs compiled is a pure
function of variable values: inside a `StatelessScope` reading a variable
returns the value the scope maps it to (a traced array under `jax.jit`), and
assigning it records the new value in the scope instead of mutating the
variable.  Outside a scope, reads and writes touch the variable directly.
"""
import itertools
import contextlib
import threading

import numpy as np
import jax
import jax.numpy as jnp

from . import config
from .execution import new_key


class _ThreadState(threading.local):
    """Per-thread stacks (`__init__` runs once in every thread that uses them)."""

    def __init__(self):
        self.scopes = []          # StatelessScopes, innermost last
        self.creation_hooks = []  # variable_creation_hook
        self.phases = []          # learning_phase_scope
        self.name_scopes = []     # K.name_scope (math_ops)


_local = _ThreadState()


def _scope_stack():
    return _local.scopes


def current_scope():
    stack = _scope_stack()
    return stack[-1] if stack else None


@contextlib.contextmanager
def variable_creation_hook(hook):
    """While active, `K.variable` (and `K.zeros`, `K.ones`, ...) return
    `hook(value, dtype, name, constraint)` instead of a new Variable. Used to run code
    that creates its state as it goes (a Keras 2 optimizer's `get_updates`) more than
    once against the same variables."""
    _local.creation_hooks.append(hook)
    try:
        yield
    finally:
        _local.creation_hooks.pop()


def current_creation_hook():
    hooks = _local.creation_hooks
    return hooks[-1] if hooks else None


class StatelessScope(object):
    """Maps variables to values, collects assignments, losses and randomness.

    Args:
        values: dict Variable -> array (values read inside the scope).
        rng: optional PRNG key; random ops split it.
    """

    def __init__(self, values=None, rng=None):
        self.values = dict(values or {})
        self.updates = {}
        self.losses = []
        self.rng = rng

    def read(self, variable):
        if variable in self.updates:
            return self.updates[variable]
        return self.values.get(variable)

    def assign(self, variable, value):
        self.updates[variable] = value

    def next_key(self):
        if self.rng is None:
            return None
        self.rng, key = jax.random.split(self.rng)
        return key

    def __enter__(self):
        outer = current_scope()
        if self.rng is None and outer is not None and outer.rng is not None:
            self.rng = outer.next_key()
        _local.scopes.append(self)
        return self

    def __exit__(self, *exc):
        _local.scopes.pop()
        return False


_uid_counter = itertools.count(1)

# without jax_enable_x64, 64-bit variables are held in 32 bits but keep their declared dtype
_STORAGE = {'int64': 'int32', 'uint64': 'uint32', 'float64': 'float32'}


def _to_array(value, dtype):
    if isinstance(value, Variable):
        value = value.value
    return jnp.asarray(value, dtype=dtype)


class Variable(object):
    """A named, mutable array (Keras 2 `K.variable`)."""

    def __init__(self, value, dtype=None, name=None, trainable=True, constraint=None):
        if dtype is None:
            vd = getattr(value, 'dtype', None)
            dtype = vd if vd is not None and np.dtype(vd).kind not in 'fc' else config.floatx()
        self.dtype = str(dtype) if str(dtype) == 'bfloat16' else np.dtype(dtype).name
        self._storage_dtype = _STORAGE.get(self.dtype, self.dtype) if not jax.config.jax_enable_x64 else self.dtype
        self._value = _to_array(value, self._storage_dtype)
        self.name = name or 'variable_%d' % next(_uid_counter)
        self.trainable = trainable
        self.constraint = constraint
        self._keras_shape = tuple(self._value.shape)
        self._uses_learning_phase = False

    # --- value access -------------------------------------------------
    @property
    def value(self):
        # read on every use of a weight: the innermost scope holding a value wins
        for scope in reversed(_local.scopes):
            v = scope.read(self)
            if v is not None:
                return v
        return self._value

    @property
    def shape(self):
        return tuple(self._value.shape)

    @property
    def ndim(self):
        return len(self._value.shape)

    def assign(self, value):
        if not (isinstance(value, jax.Array) and value.dtype == self._value.dtype):
            value = _to_array(value, self._storage_dtype)
        if value.shape != self._value.shape:
            raise ValueError('Cannot assign a value of shape %s to variable %r of shape %s'
                             % (tuple(value.shape), self.name, self.shape))
        scope = current_scope()
        if scope is not None:
            scope.assign(self, value)
            return value
        self._value = value
        return value

    def assign_add(self, delta):
        return self.assign(self.value + delta)

    def assign_sub(self, delta):
        return self.assign(self.value - delta)

    def numpy(self):
        return np.asarray(self._value).astype(self.dtype, copy=False)

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self.value)
        return a.astype(dtype) if dtype is not None else a

    def __repr__(self):
        return '<Variable %r shape=%s dtype=%s>' % (self.name, self.shape, self.dtype)

    # Operators read the current value so `v * 2` works in layer code.
    def __getitem__(self, idx):
        return self.value[idx]

    def __len__(self):
        return self.shape[0]

    def __neg__(self):
        return -self.value

    def __abs__(self):
        return jnp.abs(self.value)

    def __pos__(self):
        return self.value

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __bool__(self):
        return bool(self.value)

    # identity semantics (variables key the scopes' dicts); object's C-level hash keeps
    # those lookups cheap
    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other


def _operator(fn, reflected=False):
    """`Variable.__<op>__`: `fn` on the current values (operands swapped if reflected)."""
    def op(self, other):
        if isinstance(other, Variable):
            other = other.value
        return fn(other, self.value) if reflected else fn(self.value, other)
    return op


for _n, _f in [('add', jnp.add), ('sub', jnp.subtract), ('mul', jnp.multiply),
               ('truediv', jnp.true_divide), ('floordiv', jnp.floor_divide),
               ('mod', jnp.mod), ('pow', jnp.power), ('matmul', jnp.matmul)]:
    setattr(Variable, '__%s__' % _n, _operator(_f))
    setattr(Variable, '__r%s__' % _n, _operator(_f, reflected=True))
for _n, _f in [('lt', jnp.less), ('le', jnp.less_equal), ('gt', jnp.greater),
               ('ge', jnp.greater_equal)]:
    setattr(Variable, '__%s__' % _n, _operator(_f))


# ----------------------------------------------------------------------
# learning phase
_GLOBAL_LEARNING_PHASE = [None]


def learning_phase():
    """0 (test) or 1 (train): the innermost `learning_phase_scope`, else the value set
    with `set_learning_phase`, else 0.

    # Returns
        The learning phase: 0 or 1 (a placeholder in `K.function` inputs).
    """
    stack = _local.phases
    if stack:
        return stack[-1]
    if _GLOBAL_LEARNING_PHASE[0] is not None:
        return _GLOBAL_LEARNING_PHASE[0]
    return 0


def learning_phase_is_default():
    """True when no `learning_phase_scope` is active and `set_learning_phase` was not called."""
    return not _local.phases and _GLOBAL_LEARNING_PHASE[0] is None


def set_learning_phase(value):
    """Sets the learning phase to a fixed value (0 = test, 1 = train).

    # Arguments
        value: 0 or 1.

    # Raises
        ValueError: any other value.
    """
    if value not in (0, 1):
        raise ValueError('set_learning_phase: expected 0 or 1, got %r' % (value,))
    _GLOBAL_LEARNING_PHASE[0] = int(value)


def _clear_learning_phase():
    _GLOBAL_LEARNING_PHASE[0] = None


class learning_phase_scope(object):
    """Context manager fixing the learning phase (0 or 1) for the code inside it."""

    def __init__(self, value):
        if value not in (0, 1, True, False):
            raise ValueError('learning_phase_scope: expected 0 or 1, got %r' % (value,))
        self.value = int(value)

    def __enter__(self):
        _local.phases.append(self.value)
        return self

    def __exit__(self, *exc):
        _local.phases.pop()
        return False


# ----------------------------------------------------------------------
# randomness
def next_rng_key(seed=None):
    """A PRNG key: from the enclosing compiled step when there is one, else fresh.

    Outside a step, an unseeded key is drawn from NumPy's global generator, so
    `np.random.seed(...)` makes initialization reproducible as in Keras 2.
    """
    scope = current_scope()
    if scope is not None and scope.rng is not None:
        key = scope.next_key()
        if seed is not None:
            key = jax.random.fold_in(key, int(seed))
        return key
    if seed is None:
        seed = np.random.randint(10000000)
    return new_key(seed)


def add_loss_to_scope(loss):
    scope = current_scope()
    if scope is not None:
        scope.losses.append(loss)
        return True
    return False
