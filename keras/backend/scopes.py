"""The backend-neutral half of variable state: the per-thread stacks of stateless scopes,
variable-creation hooks and learning phases, the `StatelessScope` (a backend's `state`
module subclasses it with its way of splitting PRNG keys) and the learning phase.

Inside a `StatelessScope(values, rng)`, reading a variable returns the value the scope maps it
to and assigning it records the new value in the scope, so compiled steps are pure functions
of the variable values (docs/architecture.md, "Stateful shell, pure core"). Reads do not see
the scope's own assignments: every read of a step gives the value the step started with, as
Theano and TensorFlow 1 gave Keras 2 (its Adam counts `t = iterations + 1` after the
increment of `iterations`).
"""
import contextlib
import functools
import inspect
import operator
import threading

import numpy as np

from . import config as _config
from .nest import sequence_like
from . import keras_tensor as _keras_tensor
from .keras_tensor import KerasTensor


class _ThreadState(threading.local):
    """Per-thread stacks (`__init__` runs once in every thread that uses them)."""

    def __init__(self):
        self.scopes = []          # StatelessScopes, innermost last
        self.creation_hooks = []  # variable_creation_hook
        self.phases = []          # learning_phase_scope
        self.phase_probes = []    # learning_phase_probe: [stack depth, reads]
        self.name_scopes = []     # K.name_scope (math_ops)
        self.unscoped_reads = []  # lists of `record_unscoped_reads`
        self.loop_frames = []     # the loops' random keys (the backends' `iteration_keys`)
        self.immediate = 0        # `immediate_updates` depth
        self.evaluation = None    # the draws and updates of one evaluation outside steps
        self.dry = 0              # `_updates_dry` depth
        self.concrete = 0         # a backend's `shape_inference.concrete_context` depth
        self.unassigned = 0       # `constants_not_assigned` depth


_local = _ThreadState()


def _scope_stack():
    return _local.scopes


def current_scope():
    stack = _scope_stack()
    return stack[-1] if stack else None


@contextlib.contextmanager
def _updates_dry():
    """Within it, a `DeferredUpdate` used as a tensor gives its new value without assigning
    it (an expression computing its shape and dtype once, when it is made)."""
    _local.dry += 1
    try:
        yield
    finally:
        _local.dry -= 1


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


@contextlib.contextmanager
def record_unscoped_reads(found):
    """While active, a variable read inside `StatelessScope`s none of which holds a value
    for it (so its own current value is read: a compiled step being traced would keep that
    value as a constant) is appended to the list `found`. The compiled steps trace under it
    to find the variables they read besides their state (a loss weight held in a
    `K.variable` that a callback changes), which they then take as inputs."""
    _local.unscoped_reads.append(found)
    try:
        yield found
    finally:
        _local.unscoped_reads.pop()


def take_unscoped_reads(found, *known):
    """The variables a `record_unscoped_reads` list holds that none of the `known` lists
    does, each once, in order; the list is emptied (compiled steps keep recording into it).

    # Arguments
        found: the list given to `record_unscoped_reads`.
        *known: lists of variables already taken as inputs.

    # Returns
        A list of variables.
    """
    ids = set(id(v) for variables in known for v in variables or ())
    new = list({id(v): v for v in found if id(v) not in ids}.values())
    del found[:]
    return new


def current_creation_hook():
    hooks = _local.creation_hooks
    return hooks[-1] if hooks else None


class StatelessScope(object):
    """Maps variables to values, collects assignments, losses and randomness.

    Args:
        values: dict Variable -> array (values read inside the scope).
        rng: optional PRNG key; each random op takes a key of its own from it (`next_key`).
    """

    def __init__(self, values=None, rng=None):
        self.values = dict(values or {})
        self.updates = {}
        self.losses = []
        self.rng = rng

    def read(self, variable):
        # the value the step started with, not an assignment made since (module docstring)
        return self.values.get(variable)

    def assign(self, variable, value):
        self.updates[variable] = value

    def next_key(self):
        """A key of its own for one random op: the scope's key is split in two (the JAX
        backend's scope overrides it: a stream of the scope's key per op)."""
        if self.rng is None:
            return None
        self.rng, key = self.split_key(self.rng)
        return key

    @staticmethod
    def split_key(key):
        """(new scope key, key handed out): the backend's state module defines it."""
        raise NotImplementedError

    def __enter__(self):
        outer = current_scope()
        if self.rng is None and outer is not None and outer.rng is not None:
            self.rng = outer.next_key()
        _local.scopes.append(self)
        return self

    def __exit__(self, *exc):
        _local.scopes.pop()
        return False


# ----------------------------------------------------------------------
# learning phase
_GLOBAL_LEARNING_PHASE = [None]


def learning_phase():
    """The learning phase: 0 (test) or 1 (train).

    It is the value of the innermost `learning_phase_scope`, else the value set with
    `set_learning_phase`, else 0.

    # Returns
        The learning phase: 0 or 1 (a placeholder in `K.function` inputs).
    """
    stack = _local.phases
    if stack:
        probes = _local.phase_probes
        if probes and probes[-1][0] == len(stack):
            probes[-1][1] += 1
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


class learning_phase_probe(object):
    """Runs the code inside it in the phase `phase` (default: training) and counts how
    often it reads the (otherwise unset) learning phase: `reads` > 0 means its result
    depends on the phase (Keras 2.2.4's `_uses_learning_phase`). Reads under an inner
    `learning_phase_scope` (a phase fixed by the code itself) are not counted."""

    def __init__(self, phase=1):
        self.phase = phase

    def __enter__(self):
        _local.phases.append(self.phase)
        self._probe = [len(_local.phases), 0]
        _local.phase_probes.append(self._probe)
        return self

    @property
    def reads(self):
        return self._probe[1]

    def __exit__(self, *exc):
        _local.phase_probes.pop()
        _local.phases.pop()
        return False

def _tensorflow_index(idx):
    """An index as TensorFlow 1 read it where JAX refuses it: a list holding slices, None
    or Ellipsis (`z[[slice(None)] + [0] * (ndim - 1)]`, recurrentshop) is the tuple of
    them, as TensorFlow's `_slice_helper` took any list. Other indices are JAX's (a list of
    integers gathers)."""
    if isinstance(idx, list) and any(i is None or i is Ellipsis or isinstance(i, slice)
                                     for i in idx):
        return tuple(idx)
    return idx



def as_tensorflow_operand(other, dtype):
    """An operand of arithmetic with a tensor or variable, as TensorFlow converted it.

    A list or tuple of numbers is an array (JAX's arrays refuse lists:
    `x - [123.68, 116.779, 103.939]`), and an integer beyond int32 (a Python or NumPy
    int) with a float dtype is a float (JAX raised on such a Python int and silently
    wrapped such a NumPy int64: `K.sum(x) / np.prod(shape) ** 2` in a style loss gave inf).
    Anything else, integers within int32 included, is returned as it is.

    # Arguments
        other: the operand (a number, a list or tuple, a tensor, ...).
        dtype: the dtype of the tensor or variable on the other side.

    # Returns
        The operand to compute with.
    """
    kind = type(other)
    if kind is list or kind is tuple:
        try:
            array = np.asarray(other)
        except Exception:   # (tensors in the list: the operator's own error)
            return other
        return array if array.dtype.kind in 'biuf' else other
    if (kind is int or isinstance(other, np.integer)) and not -2 ** 31 <= other < 2 ** 31:
        name = getattr(dtype, 'name', None) or str(dtype)
        if name.startswith(('float', 'bfloat')):
            return float(other)
    return other


class _Operand(object):
    """What variables and variable expressions share: conversions of the current `value`
    (NumPy, numbers, truth, length) and Python operators that compute on the values inside
    a step and give a `VariableExpression` outside (`apply_op`). A backend defines the
    arithmetic and comparison operators of its classes with `_define_operators` and sets
    `_expression_class` and `_tracing` (`deferring`)."""

    # NumPy numbers and arrays on the left of an operator leave it to the operand
    # (`np.float32(2) * v` is an expression of `v`, not of its value now)
    __array_priority__ = 100
    _expression_class = None
    _tracing = staticmethod(lambda: False)

    @property
    def ndim(self):
        return len(self.shape)

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self.value)
        return a.astype(dtype) if dtype is not None else a

    def __getitem__(self, idx):
        return apply_op(_getitem, (self, idx))

    def __len__(self):
        return self.shape[0]

    def __neg__(self):
        return apply_op(_neg, (self,))

    def __abs__(self):
        return apply_op(abs, (self,))

    def __invert__(self):
        return apply_op(operator.invert, (self,))

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __bool__(self):
        return bool(self.value)

    @classmethod
    def _define_operators(cls, arithmetic, comparisons):
        """Define the operators of the class (see `apply_op`).

        # Arguments
            arithmetic: `(name, fn(a, b))` pairs, e.g. `('add', operator.add)`: each defines
                `__name__` and the reflected `__rname__`.
            comparisons: `(name, fn(a, b))` pairs, e.g. `('lt', operator.lt)`: each defines
                `__name__`.
        """
        def operator(fn, reflected=False):
            def op(self, other):
                if isinstance(other, KerasTensor):
                    # `variable + symbolic tensor`: the tensor's operator records the op
                    # (with the variable, read when the graph runs)
                    return NotImplemented
                other = as_tensorflow_operand(other, self.dtype)
                return apply_op(fn, (other, self) if reflected else (self, other))
            return op
        for name, fn in arithmetic:
            setattr(cls, '__%s__' % name, operator(fn))
            setattr(cls, '__r%s__' % name, operator(fn, reflected=True))
        for name, fn in comparisons:
            setattr(cls, '__%s__' % name, operator(fn))


class VariableBase(_Operand):
    """What a backend's `Variable` (Keras 2 `K.variable`) shares with the other backend's:
    value access through the active scopes, assignment, Python operators on the current
    value and identity semantics. A subclass sets `_value` and `_storage_dtype` in its
    `__init__` and supplies `_convert(value)` (a backend array of `_storage_dtype`),
    `_is_native(value)` (already such an array) and `numpy()`, and calls
    `_note_creation()`."""

    # made while a step was traced (a call's `K.zeros(...)`): part of that trace
    _made_in_scope = False

    def _note_creation(self):
        self._made_in_scope = bool(_local.scopes)

    @property
    def value(self):
        # read on every use of a weight: the innermost scope holding a value wins
        scopes = _local.scopes
        for scope in reversed(scopes):
            v = scope.read(self)
            if v is not None:
                return v
        if scopes and not self._made_in_scope:
            for found in _local.unscoped_reads:
                found.append(self)
        return self._value

    @property
    def shape(self):
        # (a tuple with TensorFlow's `as_list()` and `num_elements()`, as Keras 2 code reads a
        # weight's shape: `self.kernel.get_shape().as_list()`)
        return _keras_tensor._TensorShape(self._value.shape)

    def get_shape(self):
        return self.shape

    @classmethod
    def _hidden_state(cls, value, name):
        """A hidden state variable of the package's own, made from an array.

        Not trainable and no layer's; made from `value` even while a step is traced, as a
        state every trace reads (a moving average's step counter).

        # Arguments
            value: a NumPy array.
            name: the variable's name.

        # Returns
            The variable.
        """
        state = cls(value, name=name, trainable=False)
        state._made_in_scope = False
        return state

    def __bool__(self):
        # a variable is true, as a TensorFlow 1 variable was (an object without a truth
        # value of its own): `if self.bias:` tests that a layer has a bias (keras-gcn)
        return True

    def assign(self, value):
        if isinstance(value, KerasTensor):
            # a symbolic new value (K.update(v, placeholder * 2)) has no value yet: the
            # update is the pair K.function(..., updates=[...]) applies at each call
            if value.shape != self.shape and None not in value.shape:
                raise ValueError('Cannot assign a tensor of shape %s to variable %r of shape %s'
                                 % (value.shape, self.name, self.shape))
            return (self, value)
        if isinstance(value, VariableExpression):
            value = value.value
        if not (self._is_native(value) and value.dtype == self._value.dtype):
            value = self._convert(value)
        if tuple(value.shape) != self.shape:
            raise ValueError('Cannot assign a value of shape %s to variable %r of shape %s'
                             % (tuple(value.shape), self.name, self.shape))
        scope = current_scope()
        if scope is not None:
            scope.assign(self, value)
            return value
        self._value = value
        return value

    def assign_add(self, delta):
        return self.assign((self + delta) if isinstance(delta, KerasTensor)
                           else self.value + delta)

    def assign_sub(self, delta):
        return self.assign((self - delta) if isinstance(delta, KerasTensor)
                           else self.value - delta)

    def load(self, value, session=None):
        """Assign `value` (TensorFlow 1's `Variable.load`: Dronet anneals its loss weights
        with `weight.load(value, K.get_session())`); `session` is accepted and unused."""
        self.assign(value)

    def eval(self, session=None, feed_dict=None):
        """The current value as a NumPy array (TensorFlow 1's `Variable.eval`); `session`
        and `feed_dict` are accepted and unused (a variable's value needs neither)."""
        return np.array(self.numpy())

    def __repr__(self):
        return '<Variable %r shape=%s dtype=%s>' % (self.name, self.shape, self.dtype)

    def __pos__(self):
        return self.value

    # identity semantics (variables key the scopes' dicts); object's C-level hash keeps
    # those lookups cheap
    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other



def _getitem(x, idx):
    return x[idx]


def _neg(x):
    return -x


class VariableExpression(_Operand):
    """An operation on variables done outside a compiled step, kept as the operation.

    In Keras 2 on TensorFlow 1, `tau * w + (1 - tau) * w_target` or `K.exp(-alpha)` of
    variables was a node of the graph, computed from the variables' values whenever it ran.
    Here such a result (of a Python operator or a backend op given a variable or an
    expression, outside a step) is an expression: it is computed again from the variables'
    values wherever it is used, so inside a compiled step (a loss, a `K.function` update, an
    optimizer's returned update) it follows the variables, and `np.asarray`, `K.eval` or a
    backend op outside a step give its current value. Its shape and dtype are those of its
    first evaluation (a variable's shape does not change).
    """

    def __init__(self, fn, args, kwargs=None, value=None):
        # (`value`: its value now, when the caller has computed it)
        self._fn = fn
        self._args = tuple(args)
        self._kwargs = dict(kwargs or {})
        if value is None:
            with _updates_dry():
                value = self.value
        self.shape = _keras_tensor._TensorShape(value.shape)
        self.dtype = value.dtype

    @property
    def value(self):
        """The value computed from the variables' current values (a traced one in a step)."""
        if _local.scopes or _local.evaluation is not None:
            return self._compute()
        # (one evaluation outside a step: each random draw in it is made once)
        _local.evaluation = {}
        try:
            return self._compute()
        finally:
            _local.evaluation = None

    def _compute(self):
        args, kwargs = _values_of((self._args, self._kwargs))
        return self._fn(*args, **kwargs)

    def variables(self):
        """The variables the expression reads, each once, in order."""
        found = []
        _collect_variables((self._args, self._kwargs), found)
        return list({id(v): v for v in found}.values())

    def get_shape(self):
        return self.shape

    def numpy(self):
        return np.asarray(self.value)

    def __repr__(self):
        return '<VariableExpression %s of %s shape=%s dtype=%s>' % (
            getattr(self._fn, '__name__', self._fn), [v.name for v in self.variables()],
            self.shape, self.dtype)

    def __iter__(self):
        return iter(self.value)

    def __pos__(self):
        return self


def _evaluation_memo():
    """Where the draws of `RandomDraw`s and the new values of `DeferredUpdate`s used as
    tensors are kept while a value is computed: in a step (any `StatelessScope`), a dict of
    the outermost scope, so that a draw or an update used twice in a step is made once, as a
    TensorFlow 1 session run ran each op once; outside, the dict of the outermost expression
    being evaluated."""
    if _local.scopes:
        scope = _local.scopes[0]
        memo = getattr(scope, '_evaluation_memo', None)
        if memo is None:
            memo = scope._evaluation_memo = {}
        return memo
    return _local.evaluation


class RandomDraw(object):
    """A random op (`K.random_normal`, ...) called outside every compiled step, kept as the
    op: drawn again wherever it is used, as Keras 2.2.4's TensorFlow op drew at every run.

    `K.eval(r)` twice gives two draws; a `K.function`, a loss or a layer using it draws in
    each step from the step's key, once per step however often it is used there. Outside
    steps, draw `n` of an op seeded `seed` (or, unseeded, a seed NumPy's global generator
    gave when the op was called) is NumPy's draw for the seed `seed + 1000003 * n`: the first
    one is the op's draw for `seed` (a weight initialized from it, as before). A backend
    class combines it with its `VariableExpression`.
    """

    def __init__(self, op, arguments):
        # (`arguments`: the op's arguments by name, `shape` a tuple of integers)
        self._op = op
        self._arguments = dict(arguments)
        self._seed = self._arguments.pop('seed', None)
        self._base = (int(self._seed) if self._seed is not None
                      else int(np.random.randint(10000000))) % (2 ** 32)
        self._draws = 0
        self._fn, self._args, self._kwargs = op, (), {}
        self.shape = _keras_tensor._TensorShape(tuple(int(d) for d in arguments['shape']))
        self.dtype = np.dtype(self._arguments.get('dtype') or _config.floatx())

    def variables(self):
        return []

    def _compute(self):
        draws = _evaluation_memo()
        drawn = draws.get(id(self))
        if drawn is not None:
            return drawn[1]
        scope = _local.scopes[-1] if _local.scopes else None
        if scope is not None and scope.rng is not None or loop_frame(scope) is not None or \
                self._tracing():
            # the step's (or the loop's) key, folded with the op's seed (the one it drew
            # when it was made, as TensorFlow 1's op kept the seed it was made with)
            seed = self._base
        else:
            seed = (self._base + 1000003 * self._draws) % (2 ** 32)
            self._draws += 1
        value = self._op(seed=seed, **self._arguments)
        draws[id(self)] = (self, value)   # (held: no later object takes its id meanwhile)
        return value

    def __repr__(self):
        return '<RandomExpression %s shape=%s dtype=%s>' % (
            getattr(self._op, '__name__', self._op), self.shape, self.dtype.name)


def drawn_when_used(expression_class):
    """Decorator of a backend's random ops (`shape` first, a `seed` argument): called outside
    every step, trace and loop body with a static shape, the op returns an
    `expression_class` (a `RandomDraw`) instead of one draw.

    # Arguments
        expression_class: the backend's class combining `RandomDraw` and its
            `VariableExpression`.

    # Returns
        The decorator.
    """
    def decorate(op):
        signature = inspect.signature(op)

        @functools.wraps(op)
        def wrapper(*args, **kwargs):
            if _local.scopes or _local.evaluation is not None or \
                    loop_frame(None) is not None or expression_class._tracing():
                return op(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            shape = bound.arguments['shape']
            if not isinstance(shape, (tuple, list)) or \
                    not all(isinstance(d, (int, np.integer)) for d in shape):
                return op(*args, **kwargs)
            return expression_class(op, bound.arguments)
        return wrapper
    return decorate


def _values_of(obj, types=(VariableBase, VariableExpression), depth=0):
    """`obj` with the variables and expressions (instances of `types`) it holds replaced
    by their values."""
    if isinstance(obj, types) or isinstance(obj, DeferredUpdate):
        return obj.value
    if depth < 3:
        if isinstance(obj, (list, tuple)):
            return sequence_like(obj, [_values_of(o, types, depth + 1) for o in obj])
        if isinstance(obj, dict):
            return {k: _values_of(v, types, depth + 1) for k, v in obj.items()}
    return obj


def _collect_variables(obj, found, depth=0):
    if isinstance(obj, VariableBase):
        found.append(obj)
    elif isinstance(obj, VariableExpression):
        _collect_variables((obj._args, obj._kwargs), found)
    elif isinstance(obj, DeferredUpdate):
        _collect_variables(obj.pairs(), found, depth)
    elif depth < 3:
        if isinstance(obj, (list, tuple)):
            for o in obj:
                _collect_variables(o, found, depth + 1)
        elif isinstance(obj, dict):
            for o in obj.values():
                _collect_variables(o, found, depth + 1)


def _first_of(obj, depth=0):
    """The first variable, expression or update in `obj` (searched as `_values_of` does), or
    None."""
    if isinstance(obj, (VariableBase, VariableExpression, DeferredUpdate)):
        return obj
    if depth < 3 and isinstance(obj, (list, tuple, dict)):
        for o in (obj.values() if isinstance(obj, dict) else obj):
            found = _first_of(o, depth + 1)
            if found is not None:
                return found
    return None


def deferring(operand):
    """Whether operations on `operand` (a variable or an expression) are kept as
    `VariableExpression`s: outside every `StatelessScope` and every trace of its backend
    (whose `_tracing()` says; each backend's classes set it and `_expression_class`, as a
    process may import both backends)."""
    return not _local.scopes and not operand._tracing()


def apply_op(fn, args, kwargs=None):
    """`fn(*args, **kwargs)` for arguments holding variables or `VariableExpression`s.

    Inside a step (or a trace) it computes on the values they have there; outside, it
    returns a `VariableExpression` of the operation (its result directly when that is not
    one array, e.g. a tuple).

    # Arguments
        fn: the operation (a backend op, or a function of arrays).
        args: its positional arguments.
        kwargs: its keyword arguments.

    # Returns
        An array or a `VariableExpression`.
    """
    kwargs = kwargs or {}
    operand = _first_of((args, kwargs))
    deferred = deferring(operand)
    if deferred:
        with _updates_dry():    # (an update it is given assigns when the expression runs)
            values, kw = _values_of((tuple(args), kwargs))
    else:
        values, kw = _values_of((tuple(args), kwargs))
    result = fn(*values, **kw)
    # (a variable made from the values, `K.zeros(K.shape(w))`, is that variable, as Keras
    # 2.2.4 made one of a shape known when the graph was built)
    if deferred and hasattr(result, 'shape') and hasattr(result, 'dtype') and \
            not isinstance(result, VariableBase):
        return operand._expression_class(fn, args, kwargs, value=result)
    return result


def _apply_on_variables(fn, args, kwargs):
    # a backend op given variables or expressions (`keras_tensor.symbolic`): inside a step
    # it runs on the variables themselves, as it always did, and on expressions' values
    if deferring(_first_of((args, kwargs))):
        return apply_op(fn, args, kwargs)
    args, kwargs = _values_of((args, kwargs), VariableExpression)
    return fn(*args, **kwargs)


_keras_tensor.set_variable_handler((VariableBase, VariableExpression), _apply_on_variables)


def add_loss_to_scope(loss):
    scope = current_scope()
    if scope is not None:
        scope.losses.append(loss)
        return True
    return False


def is_update_pair(update):
    """Whether `update` is a `(variable, new value)` pair, the form of a Keras 2 update.

    # Arguments
        update: any object (an entry of a list of updates).

    # Returns
        A boolean.
    """
    return (isinstance(update, (tuple, list)) and len(update) == 2
            and isinstance(update[0], VariableBase))


class DeferredUpdate(tuple):
    """An update made outside a compiled step: the `(variable, new value)` pair of
    `K.update`, `K.update_add`, `K.update_sub` or `K.moving_average_update`.

    In Keras 2.2.4 on TensorFlow 1 such an update was an assign op: nothing changed until it
    ran, and each run assigned the new value computed from the variables' values then
    (keras-lookahead builds `K.update(slow, slow + alpha * (fast - slow))` once and runs it
    every k batches; an exponential moving average of the weights appended to
    `model.metrics_updates` runs with every step). It runs here where Keras 2.2.4 ran it:
    `K.eval`, `K.get_value` or `K.batch_get_value` of it, `K.get_session().run` (TensorFlow
    backend), `K.function(..., updates=[...])`, and the steps of a model it was added to
    (`add_update`, `metrics_updates`). A new value that is a constant is also assigned at
    once (`K.update(v, 0.)` in a callback), the one difference: no 2.2.4 code that ran its
    op can tell.

    # Arguments
        variable: the variable assigned.
        value: its new value: a constant, a variable, a `VariableExpression` of variables, or
            a symbolic tensor (then only a `K.function` or a model's step can run it).
        also: more `(variable, value)` pairs assigned with it (the step counter of a
            zero-debiased moving average), their values computed before any is assigned.
    """

    def __new__(cls, variable, value, also=()):
        self = tuple.__new__(cls, (variable, value))
        self._also = tuple(also)
        return self

    @property
    def value(self):
        """The update used as a tensor (`s = K.update_add(seen, 1.)`, then `K.less(s, 3.)`):
        its first variable's new value, assigned where it is computed (in a step, the
        step's assignment), once per step or evaluation, as TensorFlow 1 ran an assign op
        whose value a graph read."""
        if _local.dry:
            return _values_of(self[1])
        memo = _evaluation_memo()
        done = memo.get(id(self)) if memo is not None else None
        if done is not None:
            return done[1]
        value = self.run()
        if memo is not None:
            memo[id(self)] = (self, value)
        if _local.scopes:
            # (the outermost scope's list of the updates so run: a `K.function` makes them,
            # where it leaves the assignments of its layers' calls undone, as 2.2.4 did)
            outer = _local.scopes[0]
            ran = getattr(outer, 'updates_run', None)
            if ran is None:
                ran = outer.updates_run = []
            ran.extend((variable, current_scope().updates[variable])
                       for variable, _ in self.pairs())
        return value

    @property
    def _tracing(self):
        return self[0]._tracing

    @property
    def _expression_class(self):
        return self[0]._expression_class

    def pairs(self):
        """The `(variable, new value)` pairs it assigns: its own, then those of `also`.

        # Returns
            A list of pairs.
        """
        return [(self[0], self[1])] + list(self._also)

    def run(self):
        """Assigns the new values computed from the variables' values now (inside a step:
        the step's values; the assignments are then the step's).

        # Returns
            The first variable's new value.

        # Raises
            TypeError: a new value is a symbolic tensor (it needs the inputs of a graph).
        """
        pairs = self.pairs()
        for variable, value in pairs:
            if isinstance(value, KerasTensor):
                raise TypeError(
                    'The update of variable %r has a symbolic new value (%r): it needs the '
                    'inputs of the graph. Run it with K.function(inputs, outputs, '
                    'updates=[...]) or add it to a model (model.add_update).'
                    % (variable.name, value))
        values = [_values_of(value) for _, value in pairs]
        assigned = [variable.assign(value) for (variable, _), value in zip(pairs, values)]
        return assigned[0]

    def __repr__(self):
        return '<DeferredUpdate of %r>' % (self[0].name,)

    def __neg__(self):
        return apply_op(_neg, (self,))


def _update_operator(fn):
    def op(self, other):
        if isinstance(other, (tuple, list)) and not isinstance(other, DeferredUpdate):
            # (a pair joined with a tuple is a tuple, as ever)
            return tuple.__add__(self, tuple(other)) if fn is operator.add else NotImplemented
        return apply_op(fn, (self, other))
    return op


# an update used as a tensor in arithmetic (`s + 1.` of `s = K.update_add(...)`), as
# TensorFlow 1's assign op was; tuples and lists are not operands
for _name in ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow'):
    _fn = getattr(operator, _name)
    setattr(DeferredUpdate, '__%s__' % _name, _update_operator(_fn))
    setattr(DeferredUpdate, '__r%s__' % _name,
            _update_operator(lambda a, b, _fn=_fn: _fn(b, a)))
for _name in ('lt', 'le', 'gt', 'ge'):
    setattr(DeferredUpdate, '__%s__' % _name, _update_operator(getattr(operator, _name)))


def _checked_shape(variable, value):
    shape = getattr(value, 'shape', None)
    if shape is None:
        return
    shape = tuple(shape)
    if len(shape) != len(variable.shape) or any(
            a is not None and a != b for a, b in zip(shape, variable.shape)):
        raise ValueError('Cannot assign a value of shape %s to variable %r of shape %s'
                         % (shape, variable.name, tuple(variable.shape)))


def loop_frame(scope):
    """The innermost loop frame (a backend's `iteration_keys`) entered while `scope` (None:
    no scope) was the current scope, or None: the random keys of a loop's body."""
    frames = _local.loop_frames
    if frames and frames[-1].scope is scope:
        return frames[-1]
    return None


def in_loop_body():
    """Whether a loop's body is being traced for the current scope (`iteration_keys`):
    its random ops draw from the iteration's key."""
    return loop_frame(current_scope()) is not None


@contextlib.contextmanager
def entered_loop_frame(frame):
    """Within it, `frame` (a backend's loop frame, with the `scope` it belongs to) is the
    innermost loop frame."""
    _local.loop_frames.append(frame)
    try:
        yield frame
    finally:
        _local.loop_frames.pop()


@contextlib.contextmanager
def immediate_updates():
    """Within it, `update` and `moving_average_update` outside a step assign at once (a
    layer called on arrays outside any step computes then, its updates too)."""
    _local.immediate += 1
    try:
        yield
    finally:
        _local.immediate -= 1


def _deferred(variable):
    return isinstance(variable, VariableBase) and deferring(variable) and not _local.immediate


def update(variable, new_value):
    """`K.update`: assigns `new_value` to `variable` (see `DeferredUpdate`).

    Inside a step (or a trace) the assignment is the step's. Outside, a new value that is
    computed from variables or symbolic is assigned when the update runs, as in Keras 2.2.4;
    a constant is assigned at once as well.

    # Arguments
        variable: a variable.
        new_value: its new value.

    # Returns
        The new value (inside a step), else a `DeferredUpdate`.
    """
    if not _deferred(variable):
        return variable.assign(new_value)
    _checked_shape(variable, new_value)
    if not isinstance(new_value, (VariableBase, VariableExpression, KerasTensor)) and \
            not _local.unassigned:
        variable.assign(new_value)
    return DeferredUpdate(variable, new_value)


@contextlib.contextmanager
def constants_not_assigned():
    """Within it, an update made outside a step with a constant new value is not assigned
    at once (a run of code for what it builds, not for its effects)."""
    _local.unassigned += 1
    try:
        yield
    finally:
        _local.unassigned -= 1


def moving_average_update(variable, value, momentum):
    """`K.moving_average_update`: a zero-debiased exponential moving average.

    `variable` averages the values given it as Keras 2.2.4's TensorFlow backend computed it
    (`assign_moving_average(..., zero_debias=True)`): after t updates it holds
    `b_t / (1 - momentum ** t)` where `b_t = momentum * b_(t-1) + (1 - momentum) * value`
    and `b_0 = 0`, so the first update sets it to the value, whatever it held. The count t
    is a hidden variable of its own (`<name>/local_step`); `b_(t-1)` is
    `variable * (1 - momentum ** (t - 1))`.

    # Arguments
        variable: the variable holding the average.
        value: the new value (a tensor of the variable's shape).
        momentum: the momentum.

    # Returns
        As `update`.
    """
    if not isinstance(variable, VariableBase):
        # (a framework's own variable, `tf.Variable`: the plain average, assigned now)
        return variable.assign(variable * momentum + value * (1. - momentum))
    step = getattr(variable, '_moving_average_step', None)
    if step is None:
        # (a state of its own, made once and read by every step that updates the average,
        # even when first made while one is traced)
        step = type(variable)._hidden_state(np.zeros((), 'float32'),
                                            variable.name + '/local_step')
        variable._moving_average_step = step
    debiased = (variable * (1. - momentum ** step) * momentum + value * (1. - momentum)) / \
        (1. - momentum ** (step + 1.))
    if _deferred(variable):
        _checked_shape(variable, debiased)
        return DeferredUpdate(variable, debiased, also=[(step, step + 1.)])
    new = variable.assign(debiased)
    step.assign(step.value + 1.)
    return new


def run_deferred(obj):
    """Runs the `DeferredUpdate`s in a fetch.

    `obj` with every `DeferredUpdate` in it (in lists, tuples and dicts) run and replaced by
    its new value: what `K.eval` / `K.batch_get_value` / a session's `run` fetch.

    # Arguments
        obj: a fetch: a `DeferredUpdate`, a value, or a list, tuple or dict of them.

    # Returns
        `obj` with the updates replaced by their new values.
    """
    if isinstance(obj, DeferredUpdate):
        return obj.run()
    if isinstance(obj, dict):
        return {k: run_deferred(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and any(
            isinstance(o, (DeferredUpdate, list, tuple, dict)) for o in obj):
        return sequence_like(obj, [run_deferred(o) for o in obj])
    return obj


def expand_updates(updates):
    """A list of updates with each `DeferredUpdate` replaced by its pairs.

    The pairs are `(variable, value)`, as `DeferredUpdate.pairs` gives them.

    # Arguments
        updates: a list of updates.

    # Returns
        A list.
    """
    expanded = []
    for u in updates:
        expanded.extend(u.pairs() if isinstance(u, DeferredUpdate) else [u])
    return expanded
