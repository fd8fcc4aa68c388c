"""Optimizers (Keras 2.2.4 update rules, hyper-parameters and state layout).

An optimizer owns Variables: its hyper-parameters (`lr`, `momentum`, `decay`,
`beta_1`, ...), an iteration counter and, once built for a list of
parameters, one set of slot variables per parameter (momenta, accumulators).

`apply_gradients(grads, params)` is the update step.  It reads every
variable through `.value` and writes only through `Variable.assign` (via
`K.update` / `K.update_add`), with no Python branching on variable values, so
the engine can run it under `jax.jit` inside a `StatelessScope` that maps
every variable in `params + optimizer.variables()` to a traced value and
collects the new values from `scope.updates`.  Call `build(params)` before
tracing so the slots exist (and are passed in) when the step is compiled.
"""

import contextlib
import functools
import inspect
import threading
import warnings

import numpy as np

from . import backend as K
from .backend import scopes as _scopes_module
from .backend.scopes import is_update_pair, VariableExpression
from .legacy import interfaces
from .utils.generic_utils import (serialize_keras_object, deserialize_keras_object,
                                  check_number)

__all__ = ['Optimizer', 'SGD', 'RMSprop', 'Adagrad', 'Adadelta', 'Adam', 'Adamax',
           'Nadam', 'TFOptimizer', 'sgd', 'rmsprop', 'adagrad', 'adadelta', 'adam',
           'adamax', 'nadam', 'clip_norm', 'serialize', 'deserialize', 'get']


def _value(x):
    """Current value of a variable (traced inside a stateless scope), else x itself."""
    if isinstance(x, K.Variable):
        return x.value
    return x


def clip_norm(g, c, n):
    """Scale `g` by `c / n` when the norm `n` is at least `c` (Keras 2.2.4 rule).

    # Arguments
        g: the gradient.
        c: the clipping threshold (`clipnorm`).
        n: the norm the threshold is compared with (the global norm of all gradients).

    # Returns
        The (possibly rescaled) gradient.
    """
    if c <= 0:  # `c` is a Python number (the clipnorm setting), never a variable
        return g
    g = K._a(g) if not K.is_keras_tensor(g) else g
    return K.switch(n >= c, g * (c / n), g)


class _StepGradients(threading.local):
    def __init__(self):
        self.stack = []


# the gradients (and loss) of the training step running an optimizer written for Keras
# 2.2, per list of parameters: `get_gradients` of any optimizer its `get_updates` calls
# returns them, and so does `K.gradients` of the loss it is given
_step_gradients = _StepGradients()


def _gradients_of_step(params, loss=None):
    """The gradients of the training step that runs an optimizer's `get_updates`.

    # Arguments
        params: variables: all the step's parameters or some of them (keras-lr-multiplier
            updates each group of parameters with a call of its own).
        loss: if given, the gradients are those of the step whose `get_updates` was given
            this loss value.

    # Returns
        A list of gradients aligned with `params`, or None outside such a step.
    """
    for ids, grads, step_loss in reversed(_step_gradients.stack):
        if loss is not None and loss is not step_loss:
            continue
        of = dict(zip(ids, grads))
        if all(id(p) in of for p in params):
            return [of[id(p)] for p in params]
    return None


def _within(optimizer):
    """The optimizers an optimizer wraps.

    # Arguments
        optimizer: an optimizer.

    # Returns
        A list: `optimizer` and the optimizers it holds in its attributes (and they in
        theirs), each once.
    """
    out, todo = [], [optimizer]
    while todo:
        o = todo.pop()
        if all(o is not x for x in out):
            out.append(o)
            todo.extend(v for v in o.__dict__.values() if isinstance(v, Optimizer))
    return out


def _symbolic_get_updates(get_updates):
    """A subclass's Keras 2.2 `get_updates`, made to take a symbolic loss.

    Given a symbolic loss outside a training step (a training loop written with
    `K.function(..., updates=...)`), the wrapped method returns the updates of one step of
    the optimizer as the built-in optimizers do, and the engine runs the subclass's
    `get_updates` in that step with its gradients (outside a step, `K.update` would assign
    at once). Any other call goes to `get_updates` itself.

    # Arguments
        get_updates: the function a subclass defines.

    # Returns
        The wrapping function.
    """
    try:
        signature = inspect.signature(get_updates)
    except (TypeError, ValueError):
        return get_updates

    @functools.wraps(get_updates)
    def wrapper(self, *args, **kwargs):
        from .backend.keras_tensor import KerasTensor
        try:
            bound = signature.bind(self, *args, **kwargs).arguments
        except TypeError:
            return get_updates(self, *args, **kwargs)
        loss, params = bound.get('loss'), bound.get('params')
        if not isinstance(loss, KerasTensor) or params is None or \
                getattr(self, '_supplied_grads', None) is not None:
            return get_updates(self, *args, **kwargs)
        return self._symbolic_updates(loss, params)
    wrapper._keras_symbolic_get_updates = True
    return wrapper


class Optimizer(object):
    """Abstract optimizer base class.

    All Keras optimizers accept the keyword arguments `clipnorm` (clip all
    gradients when their global L2 norm exceeds this value) and `clipvalue`
    (clip every gradient element to [-clipvalue, clipvalue]).
    """

    _allowed_kwargs = ('clipnorm', 'clipvalue')

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        get_updates = cls.__dict__.get('get_updates')
        if callable(get_updates) and not getattr(get_updates, '_keras_symbolic_get_updates',
                                                 False):
            cls.get_updates = _symbolic_get_updates(get_updates)

    def __init__(self, **kwargs):
        name = self.__class__.__name__
        for k in kwargs:
            if k not in self._allowed_kwargs:
                raise TypeError('Unexpected keyword argument passed to optimizer %s: %r '
                                '(accepted: %s, plus the optimizer\'s own arguments)'
                                % (name, k, ', '.join(self._allowed_kwargs)))
        for k in ('clipnorm', 'clipvalue'):
            if k in kwargs:
                check_number(k, kwargs[k], minimum=0., owner=name)
                setattr(self, k, float(kwargs[k]))
        self.updates = []
        self._weights = []
        self._slot_variables = []
        self._built_for = None
        self._slot_sets = {}

    # ------------------------------------------------------------ helpers
    def _pop_learning_rate(self, lr, default, kwargs):
        """Accept `learning_rate=` as an alias of `lr` (modern spelling)."""
        if 'learning_rate' in kwargs:
            alias = kwargs.pop('learning_rate')
            if lr is not None and lr != default and lr != alias:
                raise TypeError('%s: got both `lr`=%r and `learning_rate`=%r; pass only one'
                                % (self.__class__.__name__, lr, alias))
            lr = alias
        if lr is None:
            lr = default
        return lr

    def _hyper(self, name, value):
        """A hyper-parameter variable (checked to be a number) named `name`."""
        check_number(name, value, minimum=0., owner=self.__class__.__name__)
        return K.variable(value, name=name)

    def _epsilon(self, epsilon):
        """The fuzz factor: `epsilon`, or `K.epsilon()` when None."""
        check_number('epsilon', epsilon, minimum=0., owner=self.__class__.__name__,
                     allow_none=True)
        return float(K.epsilon() if epsilon is None else epsilon)

    def _config_with(self, base_config, *names):
        """`base_config` followed by the named hyper-parameters (variables read as floats)."""
        config = dict(base_config)
        for name in names:
            value = getattr(self, name)
            config[name] = float(K.get_value(value)) if isinstance(value, K.Variable) else value
        return config

    def _iterations_float(self):
        return K.cast(_value(self.iterations), K.floatx())

    def _decayed_lr(self):
        """`lr * 1 / (1 + decay * iterations)` when built with decay > 0 (Keras 2.2.4)."""
        lr = _value(self.lr)
        if self.initial_decay > 0:
            lr = lr * (1. / (1. + _value(self.decay) * self._iterations_float()))
        return lr

    def _slot(self, param, slot_name, shape=None):
        shape = tuple(param.shape) if shape is None else tuple(shape)
        pname = str(getattr(param, 'name', 'param')).split(':')[0]
        var = K.variable(np.zeros(shape), dtype=K.dtype(param),
                         name='%s/%s/%s' % (self.__class__.__name__, pname, slot_name))
        self._slot_variables.append(var)
        return var

    def _update(self, rule, grads, params, slots, scalars, k_rule):
        """Assign the step of the update rule `rule` to every parameter and its `slots` (a
        list of slot variables per parameter). The backend computes it in one pass for
        the weights it can (`K._optimizer_update`: one call for all of them, from the
        per-step `scalars`); `k_rule(g, param, slots)` computes `[new value] + new slot
        values` of any other weight with `K` operations, the same float32 operations in
        the same order."""
        native = K._optimizer_update
        news = [None] * len(params)
        if native is not None:
            news = native(rule, grads, [_value(p) for p in params],
                          [[_value(s) for s in ss] for ss in slots], scalars)
        for g, p, ss, new in zip(grads, params, slots, news):
            if new is None:
                new = k_rule(g, p, ss)
            for slot, value in zip(ss, new[1:]):
                self._assign('update', slot, value)
            self._update_param(p, new[0])

    def _update_param(self, param, new_p):
        """Assign `new_p` to the parameter, through its constraint if it has one."""
        constraint = getattr(param, 'constraint', None)
        if constraint is not None:
            new_p = constraint(new_p)
        self._assign('update', param, new_p)

    def _assign(self, how, variable, value):
        """`K.update` or `K.update_add` (`how`) of `variable`, looked up when called: an
        optimizer written for Keras 2.2 that wraps this one may replace them while it runs
        this one's `get_updates`, to collect the updates and rewrite them (keras-lookahead);
        what they return is kept for `get_updates` to return."""
        out = getattr(K, how)(variable, value)
        returned = getattr(self, '_returned_updates', None)
        if returned is not None:
            returned.append(out)
        return out

    def _clip_gradients(self, grads):
        clipnorm = getattr(self, 'clipnorm', 0)
        if clipnorm and clipnorm > 0:
            norm = K.sqrt(sum([K.sum(K.square(g)) for g in grads]))
            grads = [clip_norm(g, clipnorm, norm) for g in grads]
        clipvalue = getattr(self, 'clipvalue', 0)
        if clipvalue and clipvalue > 0:
            grads = [K.clip(g, -clipvalue, clipvalue) for g in grads]
        return grads

    # ------------------------------------------------------------ state
    def build(self, params):
        """Create the slot variables for `params` (once per list of parameters) and make
        them the optimizer's current state (`weights`, `variables()`).

        One optimizer may serve several lists of parameters, e.g. a GAN's discriminator and
        the combined model, both compiled with the same instance: as in Keras 2.2.4, where
        every model's `get_updates` made its own moments, each list has slots of its own,
        while `iterations` and the hyper-parameters are shared. Building for a list seen
        before makes its slots current again.
        """
        params = list(params)
        for p in params:
            if not isinstance(p, K.Variable):
                raise TypeError('%s.build: expected a list of variables, got %r'
                                % (self.__class__.__name__, p))
        key = tuple(id(p) for p in params)
        if self._built_for == key:
            return
        state = self._slot_sets.get(key)
        if state is None:
            before = dict(self.__dict__)
            self._slot_variables = []
            if self._keras2_custom():
                self._record_custom_state(params)
            else:
                # (variables of their own, even when an optimizer written for Keras 2.2
                # builds this one from its `get_updates`, whose variables are replayed)
                with K.state.variable_creation_hook(None):
                    self._weights = list(self._create_slots(params))
            # what building set (slot lists, `moments`, `weights`, ...) is this list's
            # state; the parameters are held so that their ids stay theirs
            state = {k: v for k, v in self.__dict__.items()
                     if k != '_slot_sets' and (k not in before or before[k] is not v)}
            self._slot_sets[key] = dict(state, _slot_params=params)
        else:
            self.__dict__.update(state)
        self._built_for = key

    # --- optimizers written for Keras 2.2: `get_updates(loss, params)` with K ops ---------
    def _keras2_custom(self):
        """Whether the update is a Keras 2.2 `get_updates` written with `K` operations: a
        class defines one before (is more derived than) any class defining this engine's
        `_create_slots` / `_apply` (a subclass of Adam whose `get_updates` adds weight
        normalization is one; it may call `super().get_updates`)."""
        for klass in type(self).__mro__:
            if klass is Optimizer or '_apply' in vars(klass) or '_create_slots' in vars(klass):
                return False
            if 'get_updates' in vars(klass):
                return True
        return False

    def _run_get_updates(self, params, grads, hook, loss):
        """Run `get_updates` with the step's gradients (`get_gradients` of any optimizer
        it delegates to returns them too, and so does `K.gradients` of `loss`, the step's
        loss value, which it is given) and return the updates it returns."""
        # Keras 2.2.4 called it once, with no updates made yet (keras-lr-multiplier returns
        # `self.updates` when it holds any, also when it wraps another one)
        for optimizer in _within(self):
            optimizer.updates = []
        with self._gradients_supplied(params, grads, loss), \
                K.state.variable_creation_hook(hook):
            return list(self.get_updates(loss=loss, params=params) or [])

    @contextlib.contextmanager
    def _gradients_supplied(self, params, grads, loss):
        """Within it, `get_gradients` of this optimizer (and of any it delegates to) gives
        `grads`, the step's, and so does `K.gradients` of `loss`, the step's loss value."""
        self._supplied_grads = list(grads)
        _step_gradients.stack.append((tuple(id(p) for p in params), list(grads), loss))
        try:
            yield
        finally:
            _step_gradients.stack.pop()
            self._supplied_grads = None

    def _replaying_slots(self):
        """A variable creation hook handing out the variables made when the optimizer was
        built, in the same order (a custom `get_updates` run again)."""
        created = iter(self._slot_variables)

        def replay(value, dtype, name, constraint):
            var = next(created, None)
            if var is None or tuple(var.shape) != tuple(np.shape(value)):
                raise RuntimeError('%s.get_updates created different variables than when the '
                                   'optimizer was built; it must create the same variables, in '
                                   'the same order, on every call' % self.__class__.__name__)
            return var
        return replay

    def _record_custom_state(self, params):
        """Run `get_updates` once, on zero gradients and without keeping its assignments,
        to create the state variables it makes (moments, ...) and its `weights`."""
        created = []

        def record(value, dtype, name, constraint):
            if isinstance(value, K.Variable):
                value = value.value
            var = K.Variable(value, dtype=dtype, name=name, constraint=constraint)
            created.append(var)
            return var

        zeros = [np.zeros(tuple(p.shape), dtype=K.dtype(p)) for p in params]
        with K.StatelessScope({}) as scope:
            returned = self._run_get_updates(params, zeros, record,
                                             np.zeros((), K.floatx()))
        self._slot_variables = created
        self._keep_attribute_expressions(params, zeros)
        # values returned again at every step are not computed by the step (`_apply_custom`;
        # held, so that no later value takes one's id)
        self._returned_values = [u[1] for u in returned if is_update_pair(u)]
        # other variables it assigns (a counter of its own) are state the step carries
        known = set(id(v) for v in list(params) + self.variables())
        assigned = list(scope.updates) + [u[0] for u in returned if is_update_pair(u)]
        self._assigned_variables = list({id(v): v for v in assigned
                                         if id(v) not in known}.values())

    def _keep_attribute_expressions(self, params, zeros):
        """Run `get_updates` once more outside every step, assigning nothing, and keep the
        attributes it sets to expressions of the variables (keras-adamw's `self.eta_t`
        and `self.lr_t`, "for external tracking"): read between batches they give the
        variables' current values, as Keras 2.2.4's graph tensors did. Other attributes it
        sets are set back."""
        variables = list(params) + list(self._slot_variables) + self.variables()
        values = [v.value for v in variables]
        before = dict(vars(self))
        try:
            with _scopes_module.constants_not_assigned():
                self._run_get_updates(params, zeros, self._replaying_slots(), None)
        except Exception:   # (only a convenience: the steps do not need it)
            pass
        finally:
            for variable, value in zip(variables, values):
                if variable.value is not value:
                    variable.assign(value)
        for name, value in list(vars(self).items()):
            if name in before and before[name] is value:
                continue
            if isinstance(value, VariableExpression):
                continue
            if name in before:
                vars(self)[name] = before[name]
            else:
                del vars(self)[name]

    def _apply_custom(self, grads, params):
        """Run `get_updates` with the step's gradients; the variables it creates are the
        ones made when the optimizer was built, in the same order."""
        returned = self._run_get_updates(params, grads, self._replaying_slots(),
                                         getattr(self, '_step_loss', None))
        # the `(variable, new value)` pairs it returns are updates of the step, as Keras
        # 2.2.4's training function ran them (those already assigned get the same value)
        for update in returned:
            if not is_update_pair(update):
                continue
            variable, value = update
            if not isinstance(value, VariableExpression) and \
                    any(value is r for r in getattr(self, '_returned_values', ())):
                raise ValueError(
                    '%s.get_updates returned an update of %r whose new value is a fixed '
                    'array computed once, before training (e.g. from K.get_value): it would '
                    'assign that value at every step. Compute the new value from the '
                    'variables themselves (`tau * w + (1 - tau) * w_target` of variables is '
                    'computed again at every step), or update the variables between steps '
                    'with K.set_value / set_weights' % (self.__class__.__name__, variable.name))
            K.update(variable, value)

    def _overrides_get_gradients(self):
        """Whether a subclass defines its own `get_gradients` (a gradient noise, gradients
        scaled per layer), whose gradients Keras 2.2.4's built-in `get_updates` applied."""
        return type(self).get_gradients is not Optimizer.get_gradients

    def _gradients_through_override(self, grads, params):
        """The step's gradients (clipped) as the subclass's `get_gradients` returns them:
        its `super().get_gradients(loss, params)`, and `K.gradients` of the step's loss,
        give it the step's."""
        with self._gradients_supplied(params, grads, self._step_loss):
            out = list(self.get_gradients(self._step_loss, params))
        if len(out) != len(params):
            raise ValueError('%s.get_gradients returned %d gradients for %d parameters'
                             % (self.__class__.__name__, len(out), len(params)))
        return [K._a(g) for g in out]

    def _create_slots(self, params):
        raise NotImplementedError

    def _build_builtin_slots(self, params):
        """The slots of this engine's rule for `params`, for a subclass whose own
        `get_updates` calls the built-in one (created once, while the optimizer is built,
        outside the replay of the variables its `get_updates` creates)."""
        key = tuple(id(p) for p in params)
        if getattr(self, '_builtin_slots_for', None) == key:
            return
        slots = list(self._slot_variables)
        with K.state.variable_creation_hook(None):
            self._weights = list(self._create_slots(params))
        self._builtin_slot_variables = self._slot_variables[len(slots):]
        self._slot_variables = slots
        self._builtin_slots_for = key

    @property
    def built(self):
        return self._built_for is not None

    @property
    def weights(self):
        """Optimizer state in the Keras 2.2.4 order (empty until built)."""
        # the list itself, as Keras 2.2.4's attribute (keras-lr-multiplier appends to it)
        return self._weights

    @weights.setter
    def weights(self, value):
        self._weights = value if isinstance(value, list) else list(value)

    def _hyper_variables(self):
        # (with the variables of an optimizer it wraps, which its update runs)
        out = []
        for v in self.__dict__.values():
            if isinstance(v, K.Variable):
                out.append(v)
            elif isinstance(v, Optimizer) and v is not self:
                out.extend(v.variables())
        return out

    def variables(self):
        """Every variable the update step reads or writes (counter, hyper-parameters, slots)."""
        out = []
        seen = set()
        for v in ([getattr(self, 'iterations', None)] + self._hyper_variables() +
                  list(self._weights) + list(self._slot_variables) +
                  list(getattr(self, '_builtin_slot_variables', [])) +
                  list(getattr(self, '_assigned_variables', []))):
            # (a wrapper may have set `iterations` or a hyper-parameter to a computed
            # value while it runs this optimizer's `get_updates`)
            if isinstance(v, K.Variable) and id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def get_weights(self):
        """The current values of the optimizer's variables (iterations first, then the slots such as
        moments), as NumPy arrays.

        # Returns
            A list of NumPy arrays.
        """
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Sets the optimizer's variables from NumPy arrays (e.g. those of a saved model).

        # Arguments
            weights: a list of arrays in the order of `get_weights()`.

        # Raises
            ValueError: the number of arrays or a shape does not match.
        """
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError('%s.set_weights: length of the specified weight list (%d) does not '
                             'match the number of weights of the optimizer (%d)%s'
                             % (self.__class__.__name__, len(weights), len(params),
                                '' if params else '; the optimizer has no state yet: build it '
                                'for the model parameters (compile and train, or call '
                                'optimizer.build(params)) before setting its weights'))
        tuples = []
        for i, (p, w) in enumerate(zip(params, weights)):
            w = np.asarray(w)
            if tuple(p.shape) != tuple(w.shape):
                raise ValueError('%s.set_weights: optimizer weight %d (%s) has shape %s, not '
                                 'compatible with the provided weight shape %s'
                                 % (self.__class__.__name__, i, p.name, tuple(p.shape),
                                    tuple(w.shape)))
            tuples.append((p, w))
        K.batch_set_value(tuples)

    # ------------------------------------------------------------ update
    def apply_gradients(self, grads, params):
        """One update step: clip `grads` and apply the update rule to `params`.

        `grads` is a list of arrays aligned with `params` (a list of variables).
        All new values are written through variable assignment.
        """
        params = list(params)
        grads = list(grads)
        if len(grads) != len(params):
            raise ValueError('%s.apply_gradients: got %d gradients for %d parameters'
                             % (self.__class__.__name__, len(grads), len(params)))
        for i, g in enumerate(grads):
            if g is None:
                raise ValueError('%s.apply_gradients: the gradient of parameter %d (%s) is None; '
                                 'make sure all your layers are differentiable'
                                 % (self.__class__.__name__, i, params[i].name))
        scope = K.current_scope()
        if scope is None:
            # outside a step: the step runs on the variables' values in a scope of its own
            # (as compiled, every read is of the value the step began with), then what it
            # assigned is assigned (`K.update` made outside a step would wait to be run)
            self.build(params)
            values = dict((v, v.value) for v in params + list(self.variables()))
            with K.StatelessScope(values) as step_scope:
                self._apply_step(grads, params)
            for variable, value in step_scope.updates.items():
                variable.assign(value)
            return
        if tuple(id(p) for p in params) not in self._slot_sets:
            raise ValueError('%s.apply_gradients: called inside a StatelessScope before the '
                             'optimizer was built for these parameters; call '
                             'optimizer.build(params) first and pass optimizer.variables() '
                             'into the scope' % self.__class__.__name__)
        self.build(params)
        if scope is not None:
            missing = [v.name for v in params + self.variables()
                       if v not in scope.values and v not in scope.updates]
            if missing:
                raise ValueError('%s.apply_gradients: inside a StatelessScope every parameter '
                                 'and optimizer variable must have a value in the scope; '
                                 'missing: %s' % (self.__class__.__name__, ', '.join(missing)))
        self._apply_step(grads, params)

    def _apply_step(self, grads, params, builtin=False, from_get_gradients=False):
        """The update of a built optimizer: clip the gradients and apply the rule (with
        `builtin`, this engine's rule, also when a subclass defines `get_updates`; with
        `from_get_gradients`, `grads` are what `get_gradients` returned)."""
        grads = [K._a(g) for g in grads]
        grads = self._clip_gradients(grads)
        if self._keras2_custom() and not builtin:
            self._apply_custom(grads, params)
        else:
            if not from_get_gradients and self._overrides_get_gradients() and \
                    getattr(self, '_step_loss', None) is not None:
                grads = self._gradients_through_override(grads, params)
            self._apply(grads, params)
            if isinstance(self.iterations, K.Variable):   # (not a value a wrapper set)
                self._assign('update_add', self.iterations, 1)

    def stateless_apply(self, optimizer_values, param_values, grads, params, loss=None):
        """One update step as a pure function of values (what the compiled train step runs).

        # Arguments
            optimizer_values: values of `self.variables()`, in that order.
            param_values: values of `params`.
            grads: gradients aligned with `params`.
            params: the parameter variables (the optimizer must be built for them).
            loss: the step's loss value, which an optimizer written for Keras 2.2 gets as
                the `loss` of its `get_updates` (`K.gradients` of it gives `grads`).

        # Returns
            `(new_param_values, new_optimizer_values)`: the parameters after the update
            (through their constraints) and the optimizer's new state. No variable changes.
        """
        params = list(params)
        self.build(params)   # this list's slots (one optimizer may serve several models)
        opt_vars = self.variables()
        if len(optimizer_values) != len(opt_vars):
            raise ValueError('%s.stateless_apply: got %d optimizer values for %d optimizer '
                             'variables (pass the values of optimizer.variables())'
                             % (self.__class__.__name__, len(optimizer_values), len(opt_vars)))
        values = dict(zip(params, param_values))
        values.update(zip(opt_vars, optimizer_values))
        self._step_loss = loss
        try:
            with K.StatelessScope(values) as scope:
                self.apply_gradients(grads, params)
        finally:
            self._step_loss = None
        return ([scope.updates.get(v, val) for v, val in zip(params, param_values)],
                [scope.updates.get(v, val) for v, val in zip(opt_vars, optimizer_values)])

    def _apply(self, grads, params):
        """The update rule: assign the new parameters and slots (`iterations` is counted
        by `apply_gradients`, after this)."""
        raise NotImplementedError

    @interfaces.legacy_get_updates_support
    def get_updates(self, loss, params):
        """The updates of `params` (and of the optimizer's own state) for one step on the
        gradients of the symbolic `loss`, as Keras 2.2 builds them for `K.function`:

        ```python
        loss = K.mean(K.square(model.output - target))
        updates = optimizer.get_updates(loss=loss, params=model.trainable_weights)
        train = K.function([model.input, target], [loss], updates=updates)
        ```

        A subclass may override it with `K` operations (using `self.get_gradients(loss,
        params)` and `K.update`, `K.update_add`, ...): the engine then runs it inside the
        compiled training step of `Model.fit`.

        # Arguments
            loss: the loss, a symbolic tensor of a graph (built from `Input()` /
                `K.placeholder` and layers or `K` ops).
            params: the list of variables to update.

        # Returns
            A list of `(variable, new_value)` updates for `K.function(..., updates=...)`.

        # Raises
            NotImplementedError: `loss` is a computed value, not a symbolic tensor.
        """
        from .backend.keras_tensor import KerasTensor
        params = list(params)
        if _gradients_of_step(params) is not None and not isinstance(loss, KerasTensor):
            # called by an optimizer written for Keras 2.2 that wraps this one (keras-rl's
            # AdditionalUpdatesOptimizer, keras-lookahead, keras-lr-multiplier,
            # keras-gradient-accumulation), inside a training step: this step's update of
            # `params` (all or some of the step's) on the gradients `get_gradients` gives
            # (the step's, unless the wrapper replaced it)
            grads = self.get_gradients(loss, params)
            # (a subclass's `get_updates` calling this one: the built-in rule, on slots it
            # creates for it when first called)
            builtin = self._keras2_custom()
            if builtin:
                self._build_builtin_slots(params)
            else:
                self.build(params)
            returned = []
            self._returned_updates = returned
            scope = K.current_scope()
            before = dict(scope.updates) if scope is not None else {}
            try:
                self._apply_step(grads, params, builtin=builtin, from_get_gradients=True)
            finally:
                self._returned_updates = None
            made = [] if scope is None else [
                (v, value) for v, value in scope.updates.items()
                if v not in before or before[v] is not value]
            # As in Keras 2.2.4, the updates are what the caller returns to the step: the
            # assignments just made are taken back and returned as pairs, in 2.2.4's order
            # (the counter first, then each parameter's slots and the parameter), so that a
            # wrapper leaving some out (AccumOptimizer's `get_updates(...)[1:]`, which
            # counts the iterations itself) leaves them undone.
            for v, _ in made:
                if v in before:
                    scope.updates[v] = before[v]
                else:
                    del scope.updates[v]
            made.sort(key=lambda pair: pair[0] is not self.iterations)
            self.updates = made
            # updates a replaced K.update returned without making them are returned as such
            self.updates += [u for u in returned if isinstance(u, tuple)]
            return self.updates
        if not isinstance(loss, KerasTensor):
            raise NotImplementedError(
                '%s.get_updates: `loss` must be a symbolic tensor (built from Input() or '
                'K.placeholder and layers or K ops), got %s: a computed value does not record '
                'how it depends on the parameters. Compute the gradients and call '
                'optimizer.apply_gradients(grads, params) instead (Model.fit does this for you)'
                % (self.__class__.__name__, type(loss).__name__))
        return self._symbolic_updates(loss, params)

    def _symbolic_updates(self, loss, params):
        """The `(variable, new value)` updates of one step on the gradients of the symbolic
        `loss`, for `K.function` (an `_OptimizerStep` node, `engine/graph_functions.py`)."""
        from . import registry
        params = list(params)
        self.build(params)
        self.updates = registry.lookup('optimizer_updates')(self, loss, params)
        return self.updates

    def get_gradients(self, loss, params):
        """Gradients of `loss` w.r.t. `params`, clipped. Inside a training step (a Keras 2.2
        `get_updates` run by the engine) these are the step's gradients.

        # Arguments
            loss: the loss tensor.
            params: the list of variables.

        # Returns
            A list of gradient tensors.
        """
        supplied = getattr(self, '_supplied_grads', None)
        if supplied is None:
            supplied = _gradients_of_step(params)
        if supplied is not None:
            return list(supplied)
        gradients = getattr(K, 'gradients', None)
        if gradients is None:
            raise NotImplementedError(
                '%s.get_gradients: the backend has no K.gradients; compute the gradients with '
                'jax.grad and pass them to optimizer.apply_gradients(grads, params)'
                % self.__class__.__name__)
        grads = gradients(loss, params)
        if any(g is None for g in grads):
            raise ValueError('An operation has `None` for gradient. Please make sure that all of '
                             'your ops have a gradient defined (i.e. are differentiable).')
        return self._clip_gradients(list(grads))

    # ------------------------------------------------------------ config
    def get_config(self):
        """The optimizer's configuration: its hyperparameters (current values) and `clipnorm` /
        `clipvalue` when set.

        # Returns
            A Python dictionary.
        """
        config = {}
        if hasattr(self, 'clipnorm'):
            config['clipnorm'] = self.clipnorm
        if hasattr(self, 'clipvalue'):
            config['clipvalue'] = self.clipvalue
        return config

    # tf.keras (Keras 2.3+ / tf_keras legacy) config keys, and the value each must have to
    # mean the same thing as a Keras 2.2.4 optimizer; they are dropped when it does.
    _reference_only_keys = {
        'name': None, 'jit_compile': None, 'is_legacy_optimizer': None,
        'initial_accumulator_value': 0.0, 'centered': False,
    }

    @classmethod
    def from_config(cls, config):
        """Creates an optimizer from its config.

        # Arguments
            config: the dictionary `get_config` returns.

        # Returns
            An optimizer instance.
        """
        config = dict(config)
        if 'learning_rate' in config and 'lr' not in config:
            config['lr'] = config.pop('learning_rate')
        if config.get('global_clipnorm') is not None and 'clipnorm' not in config:
            config['clipnorm'] = config.pop('global_clipnorm')
        for key in ('global_clipnorm', 'clipnorm', 'clipvalue'):
            if key in config and config[key] is None:
                config.pop(key)
        if cls.__name__ == 'RMSprop' and config.get('momentum', 0.0) == 0.0:
            config.pop('momentum', None)
        for key, neutral in cls._reference_only_keys.items():
            if key in config:
                if neutral is not None and config[key] != neutral:
                    raise ValueError('%s.from_config: %s=%r has no Keras 2.2 equivalent '
                                     '(only %r is supported)' % (cls.__name__, key,
                                                                 config[key], neutral))
                config.pop(key)
        # Other keys written by tf.keras 2.x / Keras 2.3 that this optimizer has no argument
        # for (e.g. `decay` on Nadam) are ignored with a warning, so such files still load.
        if cls.__module__ == __name__:  # the built-in optimizers (user classes decide)
            accepted = {name for name, p in inspect.signature(cls.__init__).parameters.items()
                        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
            accepted |= {'clipnorm', 'clipvalue'}
            ignored = sorted(k for k in config if k not in accepted)
            if ignored:
                warnings.warn('%s.from_config: ignoring %s, which Keras 2.2.4 does not know '
                              '(a configuration written by a later Keras or tf.keras)'
                              % (cls.__name__, ', '.join('%s=%r' % (k, config[k])
                                                         for k in ignored)), stacklevel=2)
                for k in ignored:
                    config.pop(k)
        return cls(**config)


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, learning-rate decay and Nesterov momentum.

    # Arguments
        lr: float >= 0. Learning rate.
        momentum: float >= 0. Momentum.
        decay: float >= 0. Learning rate decay over each update.
        nesterov: boolean. Whether to apply Nesterov momentum.

    # Example
    ```python
    from keras.models import Sequential
    from keras.layers import Dense
    from keras.optimizers import SGD

    model = Sequential([Dense(10, activation='softmax', input_shape=(20,))])
    sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss='categorical_crossentropy', optimizer=sgd)
    ```
    """

    def __init__(self, lr=0.01, momentum=0., decay=0., nesterov=False, **kwargs):
        lr = self._pop_learning_rate(lr, 0.01, kwargs)
        super(SGD, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = self._hyper('lr', lr)
        self.momentum = self._hyper('momentum', momentum)
        self.decay = self._hyper('decay', decay)
        self.initial_decay = float(decay)
        self.nesterov = bool(nesterov)

    def _create_slots(self, params):
        self.moments = [self._slot(p, 'momentum') for p in params]
        return [self.iterations] + self.moments

    def _apply(self, grads, params):
        lr = self._decayed_lr()
        momentum = _value(self.momentum)

        def k_rule(g, p, slots):
            v = momentum * _value(slots[0]) - lr * g
            if self.nesterov:
                return [_value(p) + momentum * v - lr * g, v]
            return [_value(p) + v, v]
        self._update('nesterov' if self.nesterov else 'sgd', grads, params,
                     [[m] for m in self.moments], [lr, momentum], k_rule)

    def get_config(self):
        return self._config_with(super(SGD, self).get_config(),
                                 'lr', 'momentum', 'decay', 'nesterov')


class RMSprop(Optimizer):
    """RMSProp optimizer.

    # Arguments
        lr: float >= 0. Learning rate.
        rho: float >= 0.
        epsilon: float >= 0. Fuzz factor. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
    """

    def __init__(self, lr=0.001, rho=0.9, epsilon=None, decay=0., **kwargs):
        lr = self._pop_learning_rate(lr, 0.001, kwargs)
        super(RMSprop, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = self._hyper('lr', lr)
        self.rho = self._hyper('rho', rho)
        self.decay = self._hyper('decay', decay)
        self.initial_decay = float(decay)
        self.epsilon = self._epsilon(epsilon)

    def _create_slots(self, params):
        self.accumulators = [self._slot(p, 'rms') for p in params]
        return list(self.accumulators)

    def _apply(self, grads, params):
        lr = self._decayed_lr()
        rho = _value(self.rho)
        one_minus_rho = 1. - rho

        def k_rule(g, p, slots):
            new_a = rho * _value(slots[0]) + one_minus_rho * K.square(g)
            return [_value(p) - lr * g / (K.sqrt(new_a) + self.epsilon), new_a]
        self._update('rmsprop', grads, params, [[a] for a in self.accumulators],
                     [lr, rho, one_minus_rho, self.epsilon], k_rule)

    def get_config(self):
        return self._config_with(super(RMSprop, self).get_config(),
                                 'lr', 'rho', 'decay', 'epsilon')


class Adagrad(Optimizer):
    """Adagrad optimizer (accumulators start at 0, as in Keras 2.2.4).

    # Arguments
        lr: float >= 0. Initial learning rate.
        epsilon: float >= 0. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
    """

    def __init__(self, lr=0.01, epsilon=None, decay=0., **kwargs):
        lr = self._pop_learning_rate(lr, 0.01, kwargs)
        super(Adagrad, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = self._hyper('lr', lr)
        self.decay = self._hyper('decay', decay)
        self.initial_decay = float(decay)
        self.epsilon = self._epsilon(epsilon)

    def _create_slots(self, params):
        self.accumulators = [self._slot(p, 'accumulator') for p in params]
        return list(self.accumulators)

    def _apply(self, grads, params):
        lr = self._decayed_lr()

        def k_rule(g, p, slots):
            new_a = _value(slots[0]) + K.square(g)
            return [_value(p) - lr * g / (K.sqrt(new_a) + self.epsilon), new_a]
        self._update('adagrad', grads, params, [[a] for a in self.accumulators],
                     [lr, self.epsilon], k_rule)

    def get_config(self):
        return self._config_with(super(Adagrad, self).get_config(),
                                 'lr', 'decay', 'epsilon')


class Adadelta(Optimizer):
    """Adadelta optimizer.

    # Arguments
        lr: float >= 0. Initial learning rate, defaults to 1.
        rho: float >= 0. Decay factor of the running averages.
        epsilon: float >= 0. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
    """

    def __init__(self, lr=1.0, rho=0.95, epsilon=None, decay=0., **kwargs):
        lr = self._pop_learning_rate(lr, 1.0, kwargs)
        super(Adadelta, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = self._hyper('lr', lr)
        check_number('rho', rho, minimum=0., owner=self.__class__.__name__)
        self.rho = float(rho)
        self.decay = self._hyper('decay', decay)
        self.initial_decay = float(decay)
        self.epsilon = self._epsilon(epsilon)

    def _create_slots(self, params):
        self.accumulators = [self._slot(p, 'accum_grad') for p in params]
        self.delta_accumulators = [self._slot(p, 'accum_var') for p in params]
        return self.accumulators + self.delta_accumulators

    def _apply(self, grads, params):
        lr = self._decayed_lr()
        rho, eps = self.rho, self.epsilon

        def k_rule(g, p, slots):
            a, d_a = _value(slots[0]), _value(slots[1])
            new_a = rho * a + (1. - rho) * K.square(g)
            update = g * K.sqrt(d_a + eps) / K.sqrt(new_a + eps)
            # update ** 2 written as g ** 2 (d_a + eps) / (new_a + eps) (a rounding or two
            # apart): the square roots then have one use each, and XLA computes the three
            # results of a weight in three kernels instead of five. Where g ** 2 overflowed
            # (new_a is inf) the update is 0, and so is this.
            square = K.square(g) * (d_a + eps) / (new_a + eps)
            square = K.switch(K.less(new_a, np.inf), square, K.zeros_like(square))
            return [_value(p) - lr * update, new_a, rho * d_a + (1. - rho) * square]
        self._update('adadelta', grads, params,
                     [list(s) for s in zip(self.accumulators, self.delta_accumulators)],
                     [lr, rho, 1. - rho, eps], k_rule)

    def get_config(self):
        return self._config_with(super(Adadelta, self).get_config(),
                                 'lr', 'rho', 'decay', 'epsilon')


class Adam(Optimizer):
    """Adam optimizer (optionally the AMSGrad variant).

    # Arguments
        lr: float >= 0. Learning rate.
        beta_1: float, 0 < beta < 1. Generally close to 1.
        beta_2: float, 0 < beta < 1. Generally close to 1.
        epsilon: float >= 0. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
        amsgrad: boolean. Whether to apply AMSGrad.
    """

    def __init__(self, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.,
                 amsgrad=False, **kwargs):
        lr = self._pop_learning_rate(lr, 0.001, kwargs)
        super(Adam, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = self._hyper('lr', lr)
        self.beta_1 = self._hyper('beta_1', beta_1)
        self.beta_2 = self._hyper('beta_2', beta_2)
        self.decay = self._hyper('decay', decay)
        self.initial_decay = float(decay)
        self.epsilon = self._epsilon(epsilon)
        self.amsgrad = bool(amsgrad)

    def _create_slots(self, params):
        self.ms = [self._slot(p, 'm') for p in params]
        self.vs = [self._slot(p, 'v') for p in params]
        if self.amsgrad:
            self.vhats = [self._slot(p, 'vhat') for p in params]
        else:
            self.vhats = [self._slot(p, 'vhat', shape=(1,)) for p in params]
        return [self.iterations] + self.ms + self.vs + self.vhats

    def _apply(self, grads, params):
        lr = self._decayed_lr()
        t = self._iterations_float() + 1
        beta_1, beta_2 = _value(self.beta_1), _value(self.beta_2)
        lr_t = lr * (K.sqrt(1. - K.pow(beta_2, t)) / (1. - K.pow(beta_1, t)))
        one_minus_b1, one_minus_b2 = 1. - beta_1, 1. - beta_2
        scalars = [lr_t, beta_1, one_minus_b1, beta_2, one_minus_b2, self.epsilon]

        def k_rule(g, p, slots):
            m_t = (beta_1 * _value(slots[0])) + one_minus_b1 * g
            v_t = (beta_2 * _value(slots[1])) + one_minus_b2 * K.square(g)
            if self.amsgrad:
                vhat_t = K.maximum(_value(slots[2]), v_t)
                return [_value(p) - lr_t * m_t / (K.sqrt(vhat_t) + self.epsilon), m_t, v_t,
                        vhat_t]
            return [_value(p) - lr_t * m_t / (K.sqrt(v_t) + self.epsilon), m_t, v_t]
        slots = (zip(self.ms, self.vs, self.vhats) if self.amsgrad else zip(self.ms, self.vs))
        self._update('amsgrad' if self.amsgrad else 'adam', grads, params,
                     [list(s) for s in slots], scalars, k_rule)

    def get_config(self):
        return self._config_with(super(Adam, self).get_config(),
                                 'lr', 'beta_1', 'beta_2', 'decay', 'epsilon', 'amsgrad')


class Adamax(Optimizer):
    """Adamax optimizer (Adam with the infinity norm).


    # Arguments
        lr: float >= 0. Learning rate.
        beta_1/beta_2: floats, 0 < beta < 1. Generally close to 1.
        epsilon: float >= 0. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
        beta_1: float, 0 < beta < 1, exponential decay rate of the first moment estimates.
        beta_2: float, 0 < beta < 1, exponential decay rate of the exponentially weighted
            infinity norm.
    """

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0., **kwargs):
        lr = self._pop_learning_rate(lr, 0.002, kwargs)
        super(Adamax, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = self._hyper('lr', lr)
        self.beta_1 = self._hyper('beta_1', beta_1)
        self.beta_2 = self._hyper('beta_2', beta_2)
        self.decay = self._hyper('decay', decay)
        self.initial_decay = float(decay)
        self.epsilon = self._epsilon(epsilon)

    def _create_slots(self, params):
        self.ms = [self._slot(p, 'm') for p in params]
        self.us = [self._slot(p, 'v') for p in params]
        return [self.iterations] + self.ms + self.us

    def _apply(self, grads, params):
        lr = self._decayed_lr()
        t = self._iterations_float() + 1
        beta_1, beta_2 = _value(self.beta_1), _value(self.beta_2)
        lr_t = lr / (1. - K.pow(beta_1, t))
        one_minus_b1 = 1. - beta_1
        scalars = [lr_t, beta_1, one_minus_b1, beta_2, self.epsilon]

        def k_rule(g, p, slots):
            m_t = (beta_1 * _value(slots[0])) + one_minus_b1 * g
            u_t = K.maximum(beta_2 * _value(slots[1]), K.abs(g))
            return [_value(p) - lr_t * m_t / (u_t + self.epsilon), m_t, u_t]
        self._update('adamax', grads, params, [list(s) for s in zip(self.ms, self.us)],
                     scalars, k_rule)

    def get_config(self):
        return self._config_with(super(Adamax, self).get_config(),
                                 'lr', 'beta_1', 'beta_2', 'decay', 'epsilon')


class Nadam(Optimizer):
    """Nesterov Adam optimizer (no `decay`; the momentum schedule uses `schedule_decay`).


    # Arguments
        lr: float >= 0. Learning rate.
        beta_1/beta_2: floats, 0 < beta < 1. Generally close to 1.
        epsilon: float >= 0. If `None`, defaults to `K.epsilon()`.
        schedule_decay: float, 0 < schedule_decay < 1.
        beta_1: float, 0 < beta < 1, exponential decay rate of the first moment estimates.
        beta_2: float, 0 < beta < 1, exponential decay rate of the second moment estimates.
    """

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=None,
                 schedule_decay=0.004, **kwargs):
        lr = self._pop_learning_rate(lr, 0.002, kwargs)
        super(Nadam, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = self._hyper('lr', lr)
        self.beta_1 = self._hyper('beta_1', beta_1)
        self.beta_2 = self._hyper('beta_2', beta_2)
        check_number('schedule_decay', schedule_decay, minimum=0.,
                     owner=self.__class__.__name__)
        self.schedule_decay = float(schedule_decay)
        self.epsilon = self._epsilon(epsilon)
        self.m_schedule = K.variable(1., name='m_schedule')

    def _create_slots(self, params):
        self.ms = [self._slot(p, 'm') for p in params]
        self.vs = [self._slot(p, 'v') for p in params]
        return [self.iterations] + self.ms + self.vs

    def _apply(self, grads, params):
        t = self._iterations_float() + 1
        beta_1, beta_2 = _value(self.beta_1), _value(self.beta_2)
        lr = _value(self.lr)
        decay_base = K.cast_to_floatx(0.96)
        momentum_cache_t = beta_1 * (1. - 0.5 * K.pow(decay_base, t * self.schedule_decay))
        momentum_cache_t_1 = beta_1 * (1. - 0.5 * K.pow(decay_base,
                                                        (t + 1) * self.schedule_decay))
        m_schedule_new = _value(self.m_schedule) * momentum_cache_t
        m_schedule_next = _value(self.m_schedule) * momentum_cache_t * momentum_cache_t_1
        self._assign('update', self.m_schedule, m_schedule_new)
        # the rule's per-step numbers, computed once (the native pass takes them as they are)
        one_minus_b1, one_minus_b2 = 1. - beta_1, 1. - beta_2
        g_scale, m_scale = 1. - m_schedule_new, 1. - m_schedule_next
        v_scale, g_weight = 1. - K.pow(beta_2, t), 1. - momentum_cache_t
        scalars = [lr, beta_1, one_minus_b1, beta_2, one_minus_b2, g_scale, m_scale, v_scale,
                   g_weight, momentum_cache_t_1, self.epsilon]

        def k_rule(g, p, slots):
            g_prime = g / g_scale
            m_t = beta_1 * _value(slots[0]) + one_minus_b1 * g
            m_t_prime = m_t / m_scale
            v_t = beta_2 * _value(slots[1]) + one_minus_b2 * K.square(g)
            v_t_prime = v_t / v_scale
            m_t_bar = g_weight * g_prime + momentum_cache_t_1 * m_t_prime
            return [_value(p) - lr * m_t_bar / (K.sqrt(v_t_prime) + self.epsilon), m_t, v_t]
        self._update('nadam', grads, params, [list(s) for s in zip(self.ms, self.vs)],
                     scalars, k_rule)

    def get_config(self):
        return self._config_with(super(Nadam, self).get_config(),
                                 'lr', 'beta_1', 'beta_2', 'epsilon', 'schedule_decay')


class TFOptimizer(Optimizer):
    """Wrapper around a native optimizer object with a TF-style `apply_gradients`.

    The wrapped object's `apply_gradients(grads_and_vars)` receives a list of
    `(gradient, variable)` pairs and is responsible for updating the
    variables (through `variable.assign(...)` if it is to run in a compiled
    step).  Like Keras 2.2.4's wrapper it has no serializable config and no
    saveable weights.

    # Arguments
        optimizer: an object with a TensorFlow-style `apply_gradients(grads_and_vars)` method.
    """

    def __init__(self, optimizer):
        if not callable(getattr(optimizer, 'apply_gradients', None)):
            raise TypeError('TFOptimizer: expected an object with an `apply_gradients` method, '
                            'got %r' % (optimizer,))
        super(TFOptimizer, self).__init__()
        self.optimizer = optimizer
        self.iterations = K.variable(0, dtype='int64', name='iterations')

    def _create_slots(self, params):
        return []

    def _apply(self, grads, params):
        self.optimizer.apply_gradients(list(zip(grads, params)))

    def variables(self):
        extra = getattr(self.optimizer, 'variables', None)
        extra = list(extra() if callable(extra) else (extra or []))
        return [self.iterations] + [v for v in extra if isinstance(v, K.Variable)]

    @property
    def weights(self):
        raise NotImplementedError('TFOptimizer has no Keras weights (its state belongs to the '
                                  'wrapped optimizer)')

    @weights.setter
    def weights(self, value):
        raise NotImplementedError('TFOptimizer weights cannot be set')

    def get_weights(self):
        """Not supported: a wrapped native optimizer has no saveable weights.

        # Raises
            NotImplementedError: always.
        """
        raise NotImplementedError('TFOptimizer has no Keras weights')

    def set_weights(self, weights):
        """Not supported: a wrapped native optimizer has no saveable weights.

        # Arguments
            weights: ignored.

        # Raises
            NotImplementedError: always.
        """
        raise NotImplementedError('TFOptimizer has no Keras weights')

    def get_config(self):
        """Not supported: a wrapped native optimizer has no config.

        # Raises
            NotImplementedError: always.
        """
        raise NotImplementedError('TFOptimizer cannot be serialized (get_config)')

    def from_config(self, config):
        """Not supported: a wrapped native optimizer has no config.

        # Arguments
            config: ignored.

        # Raises
            NotImplementedError: always.
        """
        raise NotImplementedError('TFOptimizer cannot be deserialized (from_config)')


# Aliases.
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam

_ALL_CLASSES = {
    'sgd': SGD,
    'rmsprop': RMSprop,
    'adagrad': Adagrad,
    'adadelta': Adadelta,
    'adam': Adam,
    'adamax': Adamax,
    'nadam': Nadam,
    'tfoptimizer': TFOptimizer,
}


def serialize(optimizer):
    """The config of an optimizer: `{'class_name': ..., 'config': optimizer.get_config()}`.

    # Arguments
        optimizer: an `Optimizer` instance.

    # Returns
        A Python dictionary.
    """
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """Inverse of `serialize`: a `{'class_name': ..., 'config': ...}` dict -> Optimizer.

    Built-in class names are matched case-insensitively (`'adam'`, `'Adam'`).

    # Arguments
        config: dictionary `{"class_name": ..., "config": ...}`.
        custom_objects: dictionary mapping the names of custom classes and functions to the
            objects.

    # Returns
        An optimizer instance.

    # Raises
        ValueError: if `config` is not a dict with a `'class_name'` key, or names an
            unknown optimizer.
    """
    if not isinstance(config, dict) or 'class_name' not in config:
        raise ValueError("deserialize: expected a dict with 'class_name' and 'config', got %r"
                         % (config,))
    if str(config['class_name']).lower() in _ALL_CLASSES:
        # in the caller's dict, as Keras 2.2.4 does (code that round-trips configs compares
        # its dict with `serialize(deserialize(config))`)
        config['class_name'] = str(config['class_name']).lower()
    config = dict(config)
    config.setdefault('config', {})
    return deserialize_keras_object(config, module_objects=_ALL_CLASSES,
                                    custom_objects=custom_objects,
                                    printable_module_name='optimizer')


def get(identifier):
    """Retrieve an optimizer from a name, a config dict or an Optimizer instance.

    # Arguments
        identifier: the name of an optimizer (default settings), a config dictionary, an
            `Optimizer` instance (returned as is), or a TensorFlow optimizer (an object with
            `apply_gradients`, wrapped in a `TFOptimizer`).

    # Returns
        An optimizer instance.

    # Raises
        ValueError: if `identifier` names no known optimizer or is none of the above.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        try:
            return deserialize({'class_name': identifier, 'config': {}})
        except ValueError as e:
            if 'Unknown optimizer' in str(e):
                raise ValueError('Unknown optimizer: %r (expected one of %s, a config dict or '
                                 'an Optimizer instance)'
                                 % (identifier, ', '.join(sorted(_ALL_CLASSES))))
            raise
    if callable(getattr(identifier, 'apply_gradients', None)):
        return TFOptimizer(identifier)
    raise ValueError('Could not interpret optimizer identifier: %r' % (identifier,))

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['K', 'deserialize_keras_object', 'interfaces', 'serialize_keras_object']
