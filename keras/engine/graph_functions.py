"""Backend graph functions that need the engine: K.placeholder, K.function, K.gradients."""
import contextlib
import threading

import numpy as np

from .. import backend as K
from .. import registry
from ..backend import execution as X
from ..backend import keras_tensor, shape_inference
from ..backend.keras_tensor import KerasTensor
from ..backend.scopes import (is_update_pair, expand_updates, record_unscoped_reads,
                               take_unscoped_reads, VariableExpression, DeferredUpdate)
from ..utils.generic_utils import to_list
from .base_layer import Layer
from .input_layer import InputLayer
from .network import GraphFunctionNetwork
from .training_utils import _as_dtype, dense_rows


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A symbolic input tensor (Keras 2 `K.placeholder`); the batch axis is part of `shape`.
    Without `shape` and `ndim`, the graph is built for a scalar (TensorFlow 1's placeholder
    of unknown shape: Keras 2 code feeds such a one a weight of its loss) and the value fed
    may have any shape."""
    if shape is None:
        shape = () if ndim is None else (None,) * int(ndim)
    # the layer itself, not `Input`: `Input` rejects the empty shape of a scalar placeholder
    layer = InputLayer(batch_input_shape=tuple(shape), dtype=dtype or K.floatx(),
                       sparse=sparse, name=name)
    x = layer._inbound_nodes[0].output_tensors[0]
    x._is_placeholder = True
    # a backend placeholder, not a Keras tensor (`K.is_keras_tensor` is False, as in 2.2.4)
    x._backend_placeholder = True
    return x


def _source_inputs(tensors):
    from ..utils.layer_utils import get_source_inputs
    sources = []
    for t in tensors:
        for s in get_source_inputs(t):
            if all(s is not o for o in sources):
                sources.append(s)
    return sources


def _upstream_tensor_ids(tensor):
    """The ids of the tensors of the graph `tensor` is computed from (itself included),
    through its layers' inputs and the tensors among their call arguments."""
    from .network import _node_dependencies
    found, stack = set(), [tensor]
    while stack:
        t = stack.pop()
        if id(t) in found:
            continue
        found.add(id(t))
        history = getattr(t, '_keras_history', None)
        if history is None:
            continue
        layer, node_index, _ = history
        node = layer._inbound_nodes[node_index]
        if node.inbound_layers:
            stack.extend(_node_dependencies(node))
    return found


# TensorFlow session.run arguments Keras 2.2 forwards: `fetches` and `feed_dict` are
# honoured (see Function), `options` and `run_metadata` are accepted and ignored
_SESSION_KWARGS = ('options', 'run_metadata', 'fetches', 'feed_dict')


class Function(object):
    """Callable returned by `K.function(inputs, outputs, updates)`.

    Inputs may include `K.learning_phase()`: the value fed at that position sets the
    learning phase of the call.  `updates` are (variable, new_value_tensor) pairs applied
    after each call.

    # Arguments
        inputs: list of input placeholders (`Input()` / `K.placeholder` tensors, and
            `K.learning_phase()` where the learning phase is fed).
        outputs: list of output tensors of the graph (a call returns the list of their
            values), or one tensor (a call returns its value).
        updates: list of updates run with every call: `(variable, new_value)` pairs or
            `K.update*` results.
        name: ignored (Keras 2 compatibility).
        fetches: more updates run with every call (`K.update(...)` results); their values
            are not returned (Keras 2.2 handed them to `Session.run`).
        feed_dict: a dict mapping placeholders that are not among `inputs` to the values
            they take; it is read at every call, so changing a value changes later calls.
        options, run_metadata: TensorFlow 1 session arguments, accepted and ignored.
    """

    def __init__(self, inputs, outputs, updates=None, name=None, **session_kwargs):
        for k in session_kwargs:
            if k not in _SESSION_KWARGS:
                raise ValueError('Invalid argument "%s" passed to K.function: expected only '
                                 '`name` or the TensorFlow session arguments %s.'
                                 % (k, ', '.join(_SESSION_KWARGS)))
        inputs = to_list(inputs, allow_tuple=True)
        self._phase_positions = [i for i, x in enumerate(inputs) if not isinstance(x, KerasTensor)]
        self._tensor_inputs = [x for x in inputs if isinstance(x, KerasTensor)]
        self.feed_dict = session_kwargs.get('feed_dict') or {}
        self._fed = [x for x in self.feed_dict if isinstance(x, KerasTensor) and
                     all(x is not t for t in self._tensor_inputs)]
        self._outputs_were_list = isinstance(outputs, (list, tuple))
        outputs = to_list(outputs, allow_tuple=True)
        fetched = [u for u in to_list(session_kwargs.get('fetches') or [], allow_tuple=True)
                   if isinstance(u, (list, tuple))]   # others are applied values: nothing to run
        self._updates = []
        for u in expand_updates(list(updates or []) + fetched):
            if not is_update_pair(u):
                raise ValueError(
                    'K.function: updates must be (variable, new_value) pairs, got %r. '
                    '(K.update, K.update_add, K.update_sub and K.moving_average_update give '
                    'one outside a compiled step; inside a step, e.g. in a layer\'s call, '
                    'they assign the value at once and give it.)' % (u,))
            self._updates.append(u)
        update_tensors = [v for _, v in self._updates]
        self._n_outputs = len(outputs)
        # the outputs and new values that are tensors of the graph; the others (a variable,
        # an expression of variables such as keras-rl's `tau * w + (1 - tau) * w_target`,
        # a constant) are computed at every call too, from the variables' values then
        self._all_outputs = all_outputs = outputs + update_tensors
        # (Keras 2.2.4's attributes: code builds another function from `f.outputs`)
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.name = name
        self.fetches = to_list(session_kwargs.get('fetches') or [], allow_tuple=True)
        self.session_kwargs = dict(session_kwargs)
        self._graph = None
        self._variables = None
        self._jitted = None
        self._key_stream = None
        # variables the graph reads besides its layers' (found when it is traced)
        self._outside_variables = []
        self._unscoped_reads = []

    @property
    def _net(self):
        # The graph from the inputs to the outputs, made at the first call: as in Keras
        # 2.2.4, a function whose outputs need a tensor it is not fed can be made (and its
        # `outputs` given to another one); calling it raises.
        if self._graph is None:
            self._graph = GraphFunctionNetwork(
                self._tensor_inputs + self._fed,
                [t for t in self._all_outputs if isinstance(t, KerasTensor)], name=self.name)
        return self._graph

    def _compile(self):
        net = self._net
        self._variables = variables = net._all_layer_variables() + self._outside_variables
        found = self._unscoped_reads

        def run(values, xs, key, phase):
            # values in the placeholders' dtypes, as a TensorFlow 1 feed converted them
            xs = [None if x is None else _as_dtype(x, t.dtype) for x, t in zip(xs, net.inputs)]
            with K.StatelessScope(dict(zip(variables, values)), rng=key) as scope, \
                    K.learning_phase_scope(phase), record_unscoped_reads(found):
                outs, _ = net._run_graph(xs)
                outs = iter(outs)
                outs = [next(outs) if isinstance(t, KerasTensor) else
                        t.value if isinstance(t, (K.Variable, VariableExpression,
                                                  DeferredUpdate)) else t
                        for t in self._all_outputs]
            # the updates the graph ran as tensors (`s = K.update_add(v, 1.)` read by an
            # output), made as TensorFlow 1 ran their assign ops
            ran = getattr(scope, 'updates_run', [])
            self._ran_variables = [v for v, _ in ran]
            return outs, [value for _, value in ran]
        self._jitted = X.jit(run, static_argnums=(3,))

    def _check_unfed_inputs_unused(self, xs):
        """Raise a ValueError naming the inputs given no value (None) that the outputs
        need."""
        unfed = [t for t, x in zip(self._net.inputs, xs) if x is None]
        needed = set(id(t) for t in _source_inputs(self._net.outputs))
        missing = [t.name for t in unfed if id(t) in needed]
        if missing:
            raise ValueError('K.function: no value was given for the input(s) %s, which the '
                             'outputs need' % ', '.join(missing))

    def _take_outside_variables(self):
        """The variables the traced graph read besides its layers' become inputs of the
        function, compiled again (the run just made kept their values as constants)."""
        new = take_unscoped_reads(self._unscoped_reads, self._variables)
        if new:
            self._outside_variables = self._outside_variables + new
            self._jitted = None

    def __call__(self, inputs):
        """Runs the function on input values.

        # Arguments
            inputs: a list of arrays, one per input placeholder of the function (the learning phase
                included when it is one of the inputs).

        # Returns
            A list of NumPy arrays, one per output; the updates of the function are applied.

        # Raises
            ValueError: the number of inputs is wrong.
        """
        inputs = list(to_list(inputs, allow_tuple=True))
        expected = len(self._tensor_inputs) + len(self._phase_positions)
        if len(inputs) > expected:
            raise ValueError('K.function: expected %d input values, got %d' % (expected, len(inputs)))
        # as Keras 2.2.4 fed them: the values given, in order (fewer than the inputs, or
        # None, leave the other inputs unfed: the outputs must not need them)
        inputs = inputs + [None] * (expected - len(inputs))
        phase = K.learning_phase()
        for pos in sorted(self._phase_positions, reverse=True):
            value = inputs.pop(pos)
            if value is not None:
                phase = int(np.asarray(value).item())
        if self._jitted is None:
            self._compile()
        xs = [None if x is None else _fed_array(x) for x in inputs] + \
            [_fed_array(self.feed_dict[x]) for x in self._fed]
        if any(x is None for x in xs):
            self._check_unfed_inputs_unused(xs)
        values = [v.value for v in self._variables]
        if self._key_stream is None:
            # (keys from the seeds of the graph's random ops, drawn when it was built)
            self._key_stream = X.KeyStream(self._net._graph_seed())
        outs, ran = self._jitted(values, xs, self._key_stream.next(), phase)
        if self._unscoped_reads:
            self._take_outside_variables()
        for var, new in zip(self._ran_variables, ran):
            K.set_value(var, np.asarray(new))
        for (var, _), new in zip(self._updates, outs[self._n_outputs:]):
            K.set_value(var, np.asarray(new))
        results = [X.to_numpy(o) for o in outs[:self._n_outputs]]
        # one tensor, not in a list, gives its value, as Theano's function did (fast.ai's
        # `K.function([inp], out)([x])`; TensorFlow 1's raised) and tf.keras's does
        return results if self._outputs_were_list else results[0]


GraphFunction = Function


def _fed_array(value):
    """A value fed to a function as an array: a SciPy sparse matrix densified (a sparse
    placeholder's data, which Keras 2.2.4 fed as a `tf.SparseTensorValue`)."""
    return np.asarray(dense_rows(value))


def function(inputs, outputs, updates=None, **kwargs):
    return Function(inputs, outputs, updates=updates, **kwargs)


class _Gradients(Layer):
    """Gradients of sum(loss) with respect to variables and/or tensors of the loss's graph."""

    _graph_internal = True

    def __init__(self, net, wrt, n_sources=None, **kwargs):
        super(_Gradients, self).__init__(**kwargs)
        self.net = net
        self.wrt = wrt
        self.n_sources = len(net.inputs) if n_sources is None else n_sources
        self.built = True

    def _untraced_output_specs(self, inputs):
        # each gradient has its target's shape and dtype: the sizes of a graph of unknown
        # image sizes whose loss compares with a constant of the real ones (fast.ai's
        # neural style: `mse(layer, K.variable(target))`), which no stand-in fits
        targets = [w for _, w in self.wrt]

        def like(ts):
            return [K.zeros_like(t.value if isinstance(t, K.Variable) else t) for t in ts]
        return shape_inference.eval_structure(like, targets), None

    def call(self, inputs):
        # (the inputs after the sources are the loss and the tensors: see `gradients`)
        xs = to_list(inputs, allow_tuple=True)[:self.n_sources]
        net = self.net
        var_targets = [w for kind, w in self.wrt if kind == 'var']
        tensor_targets = [w for kind, w in self.wrt if kind == 'tensor']
        tensor_values = net._run_graph(xs)[0][1:] if tensor_targets else []

        def loss_sum(var_vals, overrides):
            with K.StatelessScope(dict(zip(var_targets, var_vals))):
                out = net._run_graph(xs, overrides=overrides)[0][0]
            return K.sum(out)

        var_values = [v.value for v in var_targets]
        g_vars = list(X.grad(lambda vv: loss_sum(vv, None))(var_values)) if var_targets else []
        # Each tensor gets its own pass, with only that tensor freed, so that the
        # gradients with respect to other tensors still flow through it.
        g_tensors = [X.grad(lambda tv, t=t: loss_sum(var_values, {id(t): tv}))(value)
                     for t, value in zip(tensor_targets, tensor_values)]
        out = []
        for kind, _ in self.wrt:
            out.append(g_vars.pop(0) if kind == 'var' else g_tensors.pop(0))
        return out


class GraphNeeded(Exception):
    """Raised inside a layer's symbolic call when its code asks for K.gradients of tensors of
    that call: the layer then runs its code on the symbolic tensors themselves, so the
    gradient becomes part of the model's graph (see `Lambda.__call__`)."""


_graph_fallback = threading.local()


@contextlib.contextmanager
def gradients_in_graph():
    """Within this context, K.gradients of traced values raises `GraphNeeded`."""
    depth = getattr(_graph_fallback, 'depth', 0)
    _graph_fallback.depth = depth + 1
    try:
        yield
    finally:
        _graph_fallback.depth = depth


def gradients(loss, variables):
    """Symbolic gradients of `loss` (summed) with respect to weights or tensors of its graph."""
    if not isinstance(loss, KerasTensor):
        # in a training step, an optimizer written for Keras 2.2 may take the gradients of
        # the loss its `get_updates` is given (the step's loss value): the step's gradients
        from .. import optimizers
        step_grads = None if loss is None else optimizers._gradients_of_step(
            to_list(variables, allow_tuple=True), loss=loss)
        if step_grads is not None:
            return step_grads
        if getattr(_graph_fallback, 'depth', 0):
            raise GraphNeeded()
        raise TypeError('K.gradients: loss must be a symbolic tensor built from Keras layers/ops '
                        '(in a Lambda, the gradient of tensors of its call), got %s'
                        % type(loss).__name__)
    variables = to_list(variables, allow_tuple=True)
    wrt = []
    tensor_targets = []
    for v in variables:
        if isinstance(v, K.Variable):
            wrt.append(('var', v))
        elif isinstance(v, KerasTensor):
            wrt.append(('tensor', v))
            tensor_targets.append(v)
        else:
            raise TypeError('K.gradients: variables must be Variables or symbolic tensors, got %r'
                            % (v,))
    sources = _source_inputs([loss])
    try:
        net = GraphFunctionNetwork(sources, [loss] + tensor_targets)
    except ValueError as error:
        # a tensor the loss is not computed from: its gradient is None, as TensorFlow's
        # `tf.gradients` gave it (the others are computed without it)
        upstream = _upstream_tensor_ids(loss)
        unconnected = [t for t in tensor_targets if id(t) not in upstream]
        if 'Graph disconnected' not in str(error) or not unconnected:
            raise
        connected = [v for v in variables if all(v is not t for t in unconnected)]
        grads = iter(gradients(loss, connected) if connected else [])
        return [None if any(v is t for t in unconnected) else next(grads) for v in variables]
    layer = _Gradients(net, wrt, len(sources), name='gradients_' + str(K.get_uid('gradients')))
    # called on the loss and the tensors too, so that the graph holding the gradients holds
    # the layers they come from (a model's `layers` and `weights`, as in Keras 2.2.4); the
    # call differentiates its own run of `net` from the sources
    tensors = list(sources)
    for t in [loss] + tensor_targets:
        if all(t is not u for u in tensors):
            tensors.append(t)
    grads = layer(tensors if len(tensors) > 1 else tensors[0])
    return to_list(grads)


class _OptimizerStep(Layer):
    """The values of an optimizer's parameters and of its own variables after one update
    on the gradients of a symbolic loss (its outputs, in that order)."""

    _graph_internal = True

    def __init__(self, net, optimizer, params, **kwargs):
        super(_OptimizerStep, self).__init__(**kwargs)
        self.net = net
        self.optimizer = optimizer
        self.params = list(params)
        # read (and, through K.function's updates, written) by every call
        self._state_variables = self.params + list(optimizer.variables())
        self.built = True

    def call(self, inputs):
        xs = to_list(inputs, allow_tuple=True)
        net, params = self.net, self.params

        def loss_sum(param_values):
            with K.StatelessScope(dict(zip(params, param_values))):
                return K.sum(net._run_graph(xs)[0][0])

        param_values = [p.value for p in params]
        loss, grads = X.value_and_grad(loss_sum)(param_values)
        opt_vars = self._state_variables[len(params):]
        new_params, new_state = self.optimizer.stateless_apply(
            [v.value for v in opt_vars], param_values, list(grads), params, loss=loss)
        return list(new_params) + list(new_state)


def optimizer_updates(optimizer, loss, params):
    """Keras 2.2's `optimizer.get_updates(loss, params)` on a symbolic loss: `(variable,
    new_value)` pairs for every parameter and optimizer variable (`K.function` updates)."""
    sources = _source_inputs([loss])
    net = GraphFunctionNetwork(sources, [loss])
    layer = _OptimizerStep(net, optimizer, params,
                           name='optimizer_step_' + str(K.get_uid('optimizer_step')))
    new_values = to_list(layer(sources if len(sources) > 1 else sources[0]))
    return list(zip(params + list(optimizer.variables()), new_values))


def _evaluate(tensor):
    """The value of a tensor of the graph computed from variables and constants only
    (`keras_tensor.set_evaluator`: `K.eval` of a layer's output on `Input(tensor=
    K.variable(...))`, as Keras 2.2.4's session evaluated it).

    # Arguments
        tensor: a KerasTensor.

    # Returns
        A NumPy array.

    # Raises
        TypeError: the tensor is computed from a placeholder, which needs a fed value.
    """
    function = Function([], [tensor])
    try:
        function._net
    except ValueError as error:
        raise TypeError('K.eval / K.get_value: %r is computed from placeholders, which need '
                        'fed values (use K.function([placeholders], [tensor])): %s'
                        % (tensor, error))
    return function([])[0]


keras_tensor.set_evaluator(_evaluate)


# the backend's K.placeholder / K.function / K.Function / K.gradients and the optimizers'
# get_updates run these
for _name, _obj in [('placeholder', placeholder), ('function', function),
                   ('Function', Function), ('gradients', gradients),
                   ('optimizer_updates', optimizer_updates)]:
    registry.provide(_name, _obj)
