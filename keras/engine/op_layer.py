"""Backend ops applied to symbolic tensors become `TensorOp` layer nodes.

`K.mean(x, axis=1)` or `x[:, 0] * 2` on KerasTensors records a TensorOp layer
that re-applies the op to concrete values when the graph runs, so functional
models can mix layers and raw backend ops.
"""
import numpy as np

from .. import backend as K
from ..backend import keras_tensor, nest
from ..backend.keras_tensor import KerasTensor
from ..backend.nest import sequence_like
from ..backend.scopes import VariableExpression, _values_of
from .base_layer import Layer

_TENSOR = '__tensor__'


def _template(obj, tensors):
    """Replace KerasTensors in (nested) args by placeholders, collecting them in order."""
    if isinstance(obj, KerasTensor):
        tensors.append(obj)
        return {_TENSOR: len(tensors) - 1}
    if isinstance(obj, (list, tuple)):
        return sequence_like(obj, [_template(o, tensors) for o in obj])
    if isinstance(obj, dict):
        return {k: _template(v, tensors) for k, v in obj.items()}
    if isinstance(obj, slice):      # (`x[:, :K.shape(x)[1] - 1]`)
        return slice(*(_template(b, tensors) for b in (obj.start, obj.stop, obj.step)))
    return obj


def _fill(obj, values):
    if isinstance(obj, dict):
        if set(obj) == {_TENSOR}:
            return values[obj[_TENSOR]]
        return {k: _fill(v, values) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return sequence_like(obj, [_fill(o, values) for o in obj])
    if isinstance(obj, slice):
        return slice(*(_fill(b, values) for b in (obj.start, obj.stop, obj.step)))
    return obj


def _variables_in(obj, found=None):
    found = [] if found is None else found
    if isinstance(obj, K.Variable):
        if all(obj is not v for v in found):
            found.append(obj)
    elif isinstance(obj, VariableExpression):
        for v in obj.variables():
            _variables_in(v, found)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _variables_in(o, found)
    elif isinstance(obj, dict):
        for o in obj.values():
            _variables_in(o, found)
    return found


def _jsonable(obj):
    if isinstance(obj, slice):
        return {'__slice__': [obj.start, obj.stop, obj.step]}
    if obj is Ellipsis:
        return {'__ellipsis__': True}
    if isinstance(obj, tuple):
        return {'__tuple__': [_jsonable(o) for o in obj]}
    if isinstance(obj, list):
        return [_jsonable(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    return obj


def _from_jsonable(obj):
    if isinstance(obj, dict):
        if '__slice__' in obj:
            return slice(*obj['__slice__'])
        if '__ellipsis__' in obj:
            return Ellipsis
        if '__tuple__' in obj:
            return tuple(_from_jsonable(o) for o in obj['__tuple__'])
        return {k: _from_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_from_jsonable(o) for o in obj]
    return obj


def _lookup_op(name):
    from ..backend import ops
    if name.startswith('tensorflow.'):
        # a TensorFlow op applied to Keras tensors (`tf.reduce_mean(y)`), by its module and
        # name; only TensorFlow's modules are looked into
        import importlib
        module, _, attribute = name.rpartition('.')
        try:
            return getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError):
            raise ValueError('TensorOp: unknown TensorFlow op %r' % (name,))
    fn = ops._operator_ops.get(name)
    if fn is None:
        fn = getattr(K, name, None)
    if fn is None:
        raise ValueError('TensorOp: unknown backend op %r' % (name,))
    return getattr(fn, '_keras_op', fn)


class TensorOp(Layer):
    """A backend op recorded in a graph (created automatically; not for direct use)."""

    _graph_internal = True

    def __init__(self, op, arguments, name=None, **kwargs):
        if not name:
            name = 'tensor_op_' + str(K.get_uid('tensor_op'))
        super(TensorOp, self).__init__(name=name, **kwargs)
        self.op = op
        self.arguments = arguments
        self._fn = _lookup_op(op)
        # variables among the arguments (`x * K.variable(2.)`) are read when the graph runs,
        # like a stateful layer's state: the compiled steps and K.function take their
        # current values instead of the ones they held when the graph was traced
        self._state_variables = _variables_in(arguments)
        self.supports_masking = False
        self.built = True
        # nesting of the op's output (e.g. K.rnn's (last, outputs, [states]));
        # None for a single tensor. Recorded when the op is first traced.
        self._output_structure = None

    def __call__(self, inputs, **kwargs):
        output = super(TensorOp, self).__call__(inputs, **kwargs)
        if isinstance(output, KerasTensor):
            # (a graph built or loaded again: sizes `K.shape` knows before the graph runs)
            args, call_kwargs = _fill(self.arguments,
                                      inputs if isinstance(inputs, list) else [inputs])
            output._static_value = _static_value(self.op, args, call_kwargs)
        return output

    def call(self, inputs):
        values = inputs if isinstance(inputs, list) else [inputs]
        # (an expression of variables among the arguments, `(np.float32(3) * v) * x`, is
        # computed from the variables' values in this run)
        args, kwargs = _values_of(_fill(self.arguments, values), VariableExpression)
        output = self._fn(*args, **kwargs)
        nested = isinstance(output, (list, tuple))
        self._output_structure = nest.map_structure(lambda _: None, output) if nested else None
        return nest.flatten(output) if nested else output

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super(TensorOp, self).get_config()
        config.update({'op': self.op, 'arguments': _jsonable(self.arguments)})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config['arguments'] = _from_jsonable(config['arguments'])
        return cls(**config)


def _handle_symbolic_op(name, fn, args, kwargs):
    tensors = []
    template = _template((list(args), dict(kwargs)), tensors)
    # a layer's call, run on values, that reached tensors of the graph by closure: the op
    # computes on their values in this run (see `keras_tensor.resolving`); else it is
    # recorded as a node
    values = [keras_tensor.resolve(t) for t in tensors]
    if all(v is not None for v in values):
        call_args, call_kwargs = _fill(template, values)
        return fn(*call_args, **call_kwargs)
    layer = TensorOp(name, template)
    output = layer(tensors if len(tensors) > 1 else tensors[0])
    if layer._output_structure is None:
        return output
    flat = output if isinstance(output, list) else [output]
    return nest.pack_sequence_as(layer._output_structure, flat)


# integer arithmetic on sizes (`K.shape(x)[1] - 1`, `K.shape(x)[0] // 2`, `2 * K.shape(x)[2]`)
_SIZE_ARITHMETIC = {'add': np.add, 'subtract': np.subtract, 'multiply': np.multiply,
                    'floor_divide': np.floor_divide}


def _static_value(name, args, kwargs):
    """The sizes known before the graph runs in the output of op `name` (see
    `KerasTensor._static_value`): the shape of `K.shape`'s tensor, the entries of those
    sizes taken by indexing or `K.cast` (`K.shape(x)[1]`) and integer arithmetic on them
    with numbers (`K.shape(x)[1] - 1`; a result with an unknown size is unknown); None for
    other ops. Shape inference then traces the ops reading them (`K.arange(0,
    K.shape(x)[1])`, `K.random_normal(K.shape(x))`, `x[:, :K.shape(x)[1] - 1]`) on these
    sizes, as on a layer's own `K.shape`."""
    if name in _SIZE_ARITHMETIC and len(args) == 2 and not kwargs:
        return _static_arithmetic(_SIZE_ARITHMETIC[name], args)
    if name in ('stack', 'concatenate') and args and isinstance(args[0], (list, tuple)):
        axis = args[1] if len(args) > 1 else kwargs.get('axis', 0 if name == 'stack' else -1)
        return _static_join(name, args[0], axis)
    first = args[0] if args else None
    if not isinstance(first, KerasTensor):
        return None
    if name == 'shape' and len(args) == 1 and not kwargs:
        return keras_tensor.static_sizes(first.shape)
    value = first._static_value
    if value is None or keras_tensor.is_symbolic(args[1:], kwargs):
        return None
    if name == 'getitem' and len(args) == 2:
        try:
            return np.asarray(value[args[1]])
        except (IndexError, TypeError, ValueError):
            return None
    if name == 'cast':
        return value
    return None


def _static_join(name, parts, axis):
    """`K.stack` of sizes or `K.concatenate` of vectors of sizes (Keras tensors that know
    them, or integers) along their only axis, as a `_static_value` (a reshape target:
    PConv-Keras's `K.reshape(x, K.stack([b, c, h * w]))` on a model's tensor, or
    `K.concatenate([K.shape(x)[:1], [-1]])`); None for anything else, or a negative number
    given other than a reshape's -1."""
    values = []
    for part in parts:
        if isinstance(part, KerasTensor):
            value = part._static_value
        elif isinstance(part, (int, np.integer, list, tuple)) and not isinstance(part, bool):
            value = np.asarray(part)
            if value.dtype.kind not in 'iu' or (value < -1).any():
                return None
        else:
            return None
        if value is None or np.asarray(value).dtype.kind not in 'iu':
            return None
        values.append(np.asarray(value, np.int64))
    ndim = 0 if name == 'stack' else 1
    if not values or axis not in (0, -1) or any(v.ndim != ndim for v in values):
        return None
    return np.stack(values) if name == 'stack' else np.concatenate(values)


def _static_arithmetic(fn, args):
    """`fn` of two operands, sizes a Keras tensor knows (`_static_value`) or integers, as
    a `_static_value`: where an operand's size is unknown the result's is (the unknown
    batch size when both sides' unknowns are, else another unknown size); None when an
    operand is neither, or a known result is negative (it could pass for an unknown)."""
    values, unknown = [], []
    for arg in args:
        if isinstance(arg, KerasTensor):
            value = arg._static_value
        elif isinstance(arg, (int, np.integer)) and not isinstance(arg, bool):
            value = np.asarray(arg)
        else:
            return None
        if value is None or np.asarray(value).dtype.kind not in 'iu':
            return None
        value = np.asarray(value, np.int64)
        values.append(value)
        # (the stand-ins for unknown sizes are negative; a number given is known)
        unknown.append(value < 0 if isinstance(arg, KerasTensor) else np.zeros(value.shape, bool))
    if fn is np.floor_divide and (values[1] == 0).any():
        return None
    try:
        result = fn(*values)
    except ValueError:      # (shapes that do not broadcast)
        return None
    batch = np.broadcast_to(
        np.logical_and(*[np.broadcast_to(v == keras_tensor.UNKNOWN_BATCH, result.shape) | ~u
                         for v, u in zip(values, unknown)]), result.shape)
    unknown_any = np.broadcast_to(np.logical_or(*unknown), result.shape)
    if (result[~unknown_any] < 0).any():
        return None
    return np.where(unknown_any, np.where(batch, keras_tensor.UNKNOWN_BATCH,
                                          keras_tensor.UNKNOWN_SIZE), result)


keras_tensor.set_symbolic_handler(_handle_symbolic_op)


class KeptValue(Layer):
    """A value a layer's call computed and set on the layer (`self.logdet = ...` in a flow
    layer, `self.a = K.softmax(...)` in an attention layer, a running total a layer called
    several times carries from call to call) as a tensor of the graph (created by
    `kept_tensors`; not for direct use).

    In Keras 2.2.4 a call ran once, on the graph's tensors, so what it set on its layer was
    a tensor of the graph: code adds it as a loss (`model.add_loss(layer.logdet)`: Glow),
    fetches it (`K.function([x], [layer.a])`) or reads it in the layer's next call (the
    Universal Transformer's adaptive computation time). Here a run of the graph notes what
    each call of the layer set (`kept_call`), and this node, on the call's inputs and
    outputs (so it runs after the call), gives the value noted for its call. Run where no
    such note exists, it runs the layer's call again (its losses and updates dropped).

    # Arguments
        layer: the layer.
        node: the node of the call that set the attribute.
        attribute: the attribute's name.
        index: the position in the list the call set, or None for one value.
    """

    _graph_internal = True

    def __init__(self, layer, node, attribute, index=None, **kwargs):
        super(KeptValue, self).__init__(
            name='%s_%s_%d' % (layer.name, attribute.strip('_'), K.get_uid('kept_value')),
            **kwargs)
        self._layer = layer
        self._source = node
        self._attribute = attribute
        self._index = index
        self.supports_masking = True
        self.built = True

    def value(self, attributes):
        """The value among `attributes` (those the call set on its layer) this node gives."""
        value = attributes.get(self._attribute)
        if value is None:
            raise ValueError('Layer %s did not set `%s` when called again, so it cannot be '
                             'computed as a tensor of the graph.'
                             % (self._layer.name, self._attribute))
        return value if self._index is None else value[self._index]

    def _forward(self, inputs, mask=None, **kwargs):
        n_in = len(self._source.input_tensors)
        inputs = list(inputs)[:n_in]
        # (the masks of the inputs and outputs, or the mask the call was given)
        masks = mask[:n_in] if isinstance(mask, list) and len(mask) == len(
            self._inbound_nodes[0].input_tensors) else mask
        if n_in == 1:
            inputs = inputs[0]
            masks = masks[0] if isinstance(masks, list) else masks
        # (a scope of its own: the second call's losses and assignments are dropped)
        with K.StatelessScope():
            _, attributes = kept_call(self._layer, self._source, lambda: self._layer._forward(
                inputs, mask=masks, **kwargs))
        return self.value(attributes), None

    def compute_mask(self, inputs, mask=None):
        return None


class _Absent(object):
    """Marks an attribute a layer did not have (its class's value, if any, applies)."""

    def __repr__(self):
        return '<absent>'


_ABSENT = _Absent()


def _attribute_values(layer, names):
    attributes = vars(layer)
    return {name: attributes.get(name, _ABSENT) for name in names}


def _set_attributes(layer, values):
    attributes = vars(layer)
    for name, value in values.items():
        if value is _ABSENT:
            attributes.pop(name, None)
        else:
            attributes[name] = value


def kept_call(layer, node, run):
    """Run `run()`, a run of the call `node` records, with the layer's kept attributes as
    that call saw them when it was made: their values before the first call that set them,
    or the tensors of the graph an earlier call set (a run of the graph resolves those to
    that call's values in the run). Afterwards the attributes are set back.

    # Arguments
        layer: the layer called.
        node: the node of the call (one of the layer's `_inbound_nodes`).
        run: a function of no arguments running the call.

    # Returns
        `(what run returned, {name: value})`: the kept attributes the call set.
    """
    names = vars(layer).get('_kept_attributes')
    if not names:
        return run(), {}
    saved = _attribute_values(layer, names)
    seen = getattr(node, '_kept_seen', {})
    initial = vars(layer)['_kept_initial']
    before = {name: seen.get(name, initial[name]) for name in names}
    _set_attributes(layer, before)
    try:
        result = run()
        after = _attribute_values(layer, names)
        return result, {name: value for name, value in after.items()
                        if value is not before[name] and value is not _ABSENT}
    finally:
        _set_attributes(layer, saved)


def kept_tensors(layer, node, kept):
    """Set each attribute a symbolic call of `layer` set to a value it computed to that
    value as a tensor of the graph (a `KeptValue` node on the call's inputs and outputs),
    and note on the call's node what it saw of the attributes earlier calls set.

    # Arguments
        layer: the layer called.
        node: the call's node.
        kept: `(name, spec)` pairs from the shape inference of the call (the layer's
            attributes hold their values before the call); a spec is a list of specs for an
            attribute set to a list (or tuple) of values.
    """
    attributes = vars(layer)
    names = attributes.get('_kept_attributes', ())
    initial = attributes.setdefault('_kept_initial', {})
    for name, _ in kept:
        if name not in names:
            initial[name] = attributes.get(name, _ABSENT)
    node._kept_seen = _attribute_values(layer, names)
    inputs = list(node.input_tensors) + list(node.output_tensors)
    masks = [x._mask_spec for x in inputs]

    def tensor(name, spec, index):
        node_layer = KeptValue(layer, node, name, index)
        return node_layer._add_inbound_node(inputs, spec, masks, None, dict(node.arguments))
    for name, spec in kept:
        if isinstance(spec, (list, tuple)):
            value = type(spec)(tensor(name, s, i) for i, s in enumerate(spec))
        else:
            value = tensor(name, spec, None)
        attributes[name] = value
    # (the graph's runs of the layer set these as each call saw them: `kept_call`)
    attributes['_kept_attributes'] = tuple(dict.fromkeys(
        names + tuple(name for name, _ in kept)))


class TensorMask(Layer):
    """The mask of a tensor as a tensor of the graph (created automatically when a
    tensor's `_keras_mask`, a node's `input_masks` or a layer's `input_mask` is asked for;
    Keras 2.2's masks were tensors): its call returns the mask its input carries."""

    _graph_internal = True

    def __init__(self, name=None, **kwargs):
        if not name:
            name = 'tensor_mask_' + str(K.get_uid('tensor_mask'))
        super(TensorMask, self).__init__(name=name, **kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None):
        return mask

    def compute_mask(self, inputs, mask=None):
        return None


def _mask_tensor(tensor):
    """The mask of `tensor` (whose `_mask_spec` is set) as the output of a `TensorMask`
    node, hidden from the outbound nodes of `tensor`'s layer."""
    layer = TensorMask()
    output = layer._add_inbound_node(tensor, tensor._mask_spec, tensor._mask_spec, None, {})
    return output


keras_tensor.set_mask_factory(_mask_tensor)


class OpInput(Layer):
    """An input of the TensorFlow op that computes an output of a layer's call, as a tensor
    of the graph (made by `KerasTensor.op.inputs`; not for direct use): Keras 2 code on
    TensorFlow took a softmax output's logits as `preds.op.inputs[0]` (cleverhans's
    `model_loss`). The node takes the call's inputs and outputs; run in a traced graph, it
    gives the input of the op that computed the output there.

    # Arguments
        layer: the layer called.
        node: the node of the call.
        output_index: which output of the call.
        input_index: which input of the op computing it.
        op_type: the type of that op.
    """

    _graph_internal = True

    def __init__(self, layer, node, output_index, input_index, op_type, **kwargs):
        super(OpInput, self).__init__(
            name='%s_op_input_%d' % (layer.name, K.get_uid('op_input')), **kwargs)
        self._layer = layer
        self._source = node
        self._output_index = output_index
        self._input_index = input_index
        self._op_type = op_type
        self.built = True

    def _forward(self, inputs, mask=None, **kwargs):
        output = list(inputs)[len(self._source.input_tensors) + self._output_index]
        op = getattr(output, 'op', None)
        if op is None or getattr(op, 'type', None) != self._op_type:
            raise ValueError('The input %d of the op computing an output of layer %s (a %s op '
                             'when the graph was built) is a value of that op in a traced '
                             'TensorFlow graph only; here the output is %r.'
                             % (self._input_index, self._layer.name, self._op_type, output))
        return op.inputs[self._input_index], None

    def compute_mask(self, inputs, mask=None):
        return None


def _op_input_tensor(tensor, index, spec):
    layer, node_index, _ = tensor._keras_history
    node = layer._inbound_nodes[node_index]
    inputs = list(node.input_tensors) + list(node.output_tensors)
    node_layer = OpInput(layer, node, tensor._keras_history[2], index, tensor._op_type)
    return node_layer._add_inbound_node(inputs, spec, [x._mask_spec for x in inputs], None, {})


keras_tensor.set_op_input_factory(_op_input_tensor)
