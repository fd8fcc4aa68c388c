"""Symbolic tensors.

A `KerasTensor` stands for the output of a layer in a graph under
construction: it has a static shape (None for unknown dimensions), a dtype
and a `_keras_history` (layer, node_index, tensor_index).  Backend ops that
receive a KerasTensor do not compute: they hand the op to the engine's
symbolic handler, which records it as a layer node and returns new
KerasTensors.  That keeps `K.mean(x, 1)` or `x[:, 0] * 2` usable while a
functional model is built.
"""
import contextlib
import functools
import threading

import numpy as np

from .argcheck import tf_dtype


class _OpInfo(object):
    """What a Keras tensor's `op` tells of the TensorFlow op computing it: its `name`,
    `type`, `inputs` (Keras tensors of the values the op reads: `preds.op.inputs[0]` is the
    logits a softmax output reads, as cleverhans's `model_loss` takes them) and `outputs`."""

    def __init__(self, name, type, tensor=None):
        self.name = name
        self.type = type
        self._tensor = tensor

    @property
    def inputs(self):
        if self._tensor is None:
            raise AttributeError("the op %s records no inputs" % self.name)
        return self._tensor._op_input_tensors()

    @property
    def outputs(self):
        return [self._tensor] if self._tensor is not None else []

    def __repr__(self):
        return '<op %s>' % self.name


class KerasTensor(object):
    """A symbolic tensor: the output of a layer in a model under construction.

    It has no value, only what the graph needs: backend ops given one record a layer node
    (through the engine's symbolic handler) and return new KerasTensors. Asking for a value
    (`len`, iteration, truth value, conversion to a NumPy array) raises `TypeError`.

    # Arguments
        shape: the static shape, batch axis included; `None` for unknown dimensions.
        dtype: the data type's name (`'float32'` by default).
        name: the tensor's name.
        keras_history: `(layer, node_index, tensor_index)`, the layer output it stands for,
            or None.
    """

    # NumPy numbers and arrays on the left of an operator leave it to the tensor
    # (`np.sqrt(2 / np.pi) * x`), as with TensorFlow's tensors
    __array_priority__ = 100

    def __init__(self, shape, dtype='float32', name=None, keras_history=None):
        # (a tuple that also has TensorFlow's `as_list()`: `x.shape[1:].as_list()`)
        self.shape = _TensorShape(None if d is None else int(d) for d in shape)
        # 'string': TensorFlow's string tensors (text inputs of raw tf ops); a TensorFlow
        # dtype (tf.int32) by its name
        if hasattr(dtype, 'as_numpy_dtype'):
            dtype = dtype.name
        dtype = tf_dtype(dtype)
        self.dtype = dtype if dtype in ('bfloat16', 'string') else str(np.dtype(dtype).name)
        self.name = name
        self._keras_history = keras_history
        # the mask's shape and dtype (what the engine works with), and the mask as a tensor
        # of the graph, made when it is first asked for (`_keras_mask`)
        self._mask_spec = None
        self._mask_tensor = None
        self._uses_learning_phase = False
        self._declared_shape = None
        self._op_type = None     # set by backends whose graphs name their ops (TensorFlow)
        self._op_name = None     # the op's name where it is not '<layer name>/<type>'
        self._op_input_specs = None    # (and the specs of that op's inputs)
        self._op_inputs = None
        # for a tensor of sizes (`K.shape(x)`, its entries), the sizes known while the graph
        # is built: an int array with `UNKNOWN_BATCH` / `UNKNOWN_SIZE` for the unknown ones
        # (see `static_sizes`); shape inference gives ops on it these values
        self._static_value = None

    @property
    def _keras_mask(self):
        """The tensor's mask as a tensor of the graph (as Keras 2.2's masks were tensors),
        or None: made when first asked for, by the node of a layer that returns the mask its
        input carries (`set_mask_factory`), so code can compute with it (keras-contrib's CRF
        loss reads the mask of its layer's input)."""
        spec = self._mask_spec
        if spec is None or isinstance(spec, KerasTensor):
            return spec
        if self._mask_tensor is None and _mask_factory[0] is not None and \
                self._keras_history is not None:
            self._mask_tensor = _mask_factory[0](self)
        return self._mask_tensor if self._mask_tensor is not None else spec

    @_keras_mask.setter
    def _keras_mask(self, value):
        self._mask_spec = value
        self._mask_tensor = None

    @property
    def op(self):
        """The operation that computes the tensor, where the backend's traced graph names it
        (TensorFlow): `.type` is the op's type and `.name` is '<layer name>/<type>' as Keras 2
        on TensorFlow named it (e.g. 're_lu_1/Relu').

        # Returns
            An object with `name` and `type` attributes.

        # Raises
            AttributeError: the backend records no op for this tensor (e.g. on JAX, or an
                `Input`).
        """
        if self._op_type is None or self._keras_history is None:
            raise AttributeError("'KerasTensor' object has no attribute 'op' (the backend "
                                 "in use records no operation for %s)" % self.name)
        name = self._op_name or '%s/%s' % (self._keras_history[0].name, self._op_type)
        return _OpInfo(name, self._op_type, self)

    @property
    def _op(self):
        # (TensorFlow's private name for `op`, which code read too: cleverhans's
        # `KerasModelWrapper.get_logits` takes `preds._op.inputs[0]`)
        return self.op

    def _op_input_tensors(self):
        """The inputs of the op computing this tensor (`op.inputs`) as Keras tensors, made
        once (by the engine's `set_op_input_factory` function)."""
        if self._op_inputs is None:
            if self._op_input_specs is None or _op_input_factory[0] is None:
                raise AttributeError('the op computing %s records no inputs' % self.name)
            self._op_inputs = [_op_input_factory[0](self, i, spec)
                               for i, spec in enumerate(self._op_input_specs)]
        return list(self._op_inputs)

    @property
    def _keras_shape(self):
        # Keras 2.2.4's `_keras_shape`: the shape its layer's `compute_output_shape`
        # declares (a custom layer's), else the shape it has (`K.int_shape` gives it; the
        # ops that compute on the tensor see `shape`, as TensorFlow ops saw a tensor's own)
        return self.shape if self._declared_shape is None else self._declared_shape

    @_keras_shape.setter
    def _keras_shape(self, shape):
        # code sets it, as on Keras 2.2.4's tensors: a declaration of the Keras shape
        self._declared_shape = None if shape is None else tuple(
            None if d is None else int(d) for d in shape)

    @_keras_shape.deleter
    def _keras_shape(self):
        # (code deletes and restores it around an inner model's call: recurrentshop)
        self._declared_shape = None

    @property
    def ndim(self):
        return len(self.shape)

    def get_shape(self):
        return _TensorShape(self.shape)

    def set_shape(self, shape):
        """Refines the static shape with `shape` (TensorFlow's `Tensor.set_shape`, which
        Keras 2 code calls on Keras tensors: `x.set_shape(x._keras_shape)`): the sizes it
        gives fill the unknown ones.

        # Raises
            ValueError: `shape` has another rank, or another size where both know it.
        """
        dims = None if shape is None else getattr(shape, 'dims', shape)
        if dims is None:
            return
        dims = [getattr(d, 'value', d) for d in dims]
        dims = [None if d is None else int(d) for d in dims]
        if len(dims) != len(self.shape) or any(
                a is not None and b is not None and a != b for a, b in zip(self.shape, dims)):
            raise ValueError('set_shape: the shape %s is not compatible with the shape %s of %s'
                             % (tuple(dims), tuple(self.shape), self.name))
        self.shape = _TensorShape(a if a is not None else b for a, b in zip(self.shape, dims))

    def __repr__(self):
        return "<KerasTensor '%s' shape=%s dtype=%s>" % (self.name, self.shape, self.dtype)

    # no `__len__`: Keras 2.2's TensorFlow tensors had none, and code tests
    # `hasattr(model.output, '__len__')` to tell a list of outputs from one (keras-rl)

    def __iter__(self):
        raise TypeError('A symbolic tensor (shape %s) is not iterable' % (self.shape,))

    def __bool__(self):
        raise TypeError('The truth value of a symbolic tensor is unknown while the '
                        'graph is being built; use K.switch / K.greater instead')

    def __array__(self, dtype=None, copy=None):
        from .foreign_ops import note_for_current_call
        raise TypeError('A symbolic tensor %r has no value: it is a placeholder in a '
                        'model under construction. Build a Model and call predict(), or '
                        'use K.function.%s' % (self.name, note_for_current_call()))


# stand-ins for the unknown sizes in a `KerasTensor._static_value`: a batch size (the first
# axis of a tensor, which shape inference fills with the batch fill) and any other
# (far below any number a graph gives: a reshape target's -1 is a size of its own)
UNKNOWN_BATCH = -2 ** 40
UNKNOWN_SIZE = -2 ** 41


def static_sizes(shape):
    """The `_static_value` of `K.shape` of a tensor of static shape `shape`.

    # Arguments
        shape: a shape tuple, None for unknown sizes.

    # Returns
        An int64 array: the known sizes, `UNKNOWN_BATCH` for an unknown first size and
        `UNKNOWN_SIZE` for the other unknown ones.
    """
    return np.array([d if d is not None else UNKNOWN_BATCH if axis == 0 else UNKNOWN_SIZE
                     for axis, d in enumerate(shape)], dtype=np.int64)


def filled_sizes(value, batch_fill, other_fill, dtype='int32'):
    """A `_static_value` with its unknown sizes replaced by the given fills.

    # Arguments
        value: the static value (an int array or number).
        batch_fill: the size of unknown batch sizes.
        other_fill: the size of the other unknown sizes.
        dtype: the result's dtype.

    # Returns
        A NumPy array (a NumPy number for a 0-d value).
    """
    value = np.asarray(value)
    filled = np.where(value == UNKNOWN_BATCH, batch_fill,
                      np.where(value == UNKNOWN_SIZE, other_fill, value)).astype(dtype)
    return filled[()] if filled.ndim == 0 else filled


class _Dimension(int):
    """A known size of a `_TensorShape`, read by index: an int that also has TensorFlow 1's
    `Dimension.value` (`x.get_shape()[-1].value` in Keras 2 code written for TensorFlow)."""

    __slots__ = ()

    @property
    def value(self):
        """The size as a plain int."""
        return int(self)


class _TensorShape(tuple):
    """Minimal TF-like shape object (`x.get_shape().as_list()`, `x.shape[1:].as_list()`,
    `x.shape[-1].value` for a known size; an unknown one is None)."""

    def __new__(cls, dims):
        return tuple.__new__(cls, dims)

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        if isinstance(index, slice):
            return _TensorShape(item)
        return _Dimension(item) if type(item) is int else item

    def __iter__(self):
        # (`list(x.shape)[-2].value`: TensorFlow 1 gave Dimensions iterating too)
        return (_Dimension(d) if type(d) is int else d for d in tuple.__iter__(self))

    def as_list(self):
        return [d for d in tuple.__iter__(self)]

    def as_proto(self):
        """The shape as TensorFlow's `TensorShapeProto` (unknown sizes -1), as TensorFlow's
        shapes give it (`tf.compat.v1.saved_model.build_tensor_info(model.input)`);
        TensorFlow must be installed."""
        from tensorflow.core.framework import tensor_shape_pb2
        return tensor_shape_pb2.TensorShapeProto(dim=[
            tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else d)
            for d in tuple.__iter__(self)])

    @property
    def rank(self):
        return len(self)

    @property
    def ndims(self):
        return len(self)

    def num_elements(self):
        """The number of elements of a tensor of this shape (None when a size is unknown)."""
        if any(d is None for d in self):
            return None
        return int(np.prod(self, dtype=np.int64))

    def is_fully_defined(self):
        """Whether every size is known."""
        return all(d is not None for d in self)

    def is_compatible_with(self, other):
        """Whether a tensor could have both this shape and `other` (a shape, tuple or list;
        unknown sizes are compatible with any): TensorFlow's check, which Keras 2 code
        makes of initial states (`state.shape.is_compatible_with(expected.shape)`)."""
        other = tuple(getattr(d, 'value', d) for d in other)
        return len(other) == len(self) and all(
            a is None or b is None or int(a) == int(b) for a, b in zip(self, other))


_handler = [None]
# the engine's function making a tensor's mask a tensor of the graph
_mask_factory = [None]


def set_mask_factory(fn):
    """Install the engine's `fn(tensor)`, returning the mask of `tensor` as a KerasTensor."""
    _mask_factory[0] = fn


_op_input_factory = [None]


def set_op_input_factory(fn):
    """Install the engine's `fn(tensor, index, spec)`, returning the input `index` (of
    `spec`'s shape and dtype) of the op computing `tensor` as a KerasTensor."""
    _op_input_factory[0] = fn


# the engine's function computing a tensor of the graph that needs no fed value
_evaluator = [None]


def set_evaluator(fn):
    """Install the engine's `fn(tensor)`, the value of a KerasTensor computed from
    variables and constants only (`K.eval` of a layer's output on `Input(tensor=
    K.variable(...))`, as Keras 2.2.4's session evaluated it)."""
    _evaluator[0] = fn


def evaluate(tensor):
    """The value of a KerasTensor that needs no fed value (see `set_evaluator`).

    # Arguments
        tensor: a KerasTensor.

    # Returns
        A NumPy array.

    # Raises
        TypeError: no evaluator is installed, or the tensor needs a fed value (it is
            computed from a placeholder).
    """
    if _evaluator[0] is None:
        raise TypeError('get_value: %r is a symbolic tensor and has no value' % (tensor,))
    return _evaluator[0](tensor)


class _Resolvers(threading.local):
    def __init__(self):
        self.stack = []


_resolvers = _Resolvers()


@contextlib.contextmanager
def resolving(resolver):
    """Context in which backend ops given a `KerasTensor` ask `resolver` for its value.

    A graph running on values resolves the tensors of its pass, and so serves the layers
    whose `call` reaches a tensor of the graph by closure (not through its inputs), as a
    Keras 2.2 layer built on TensorFlow could. `resolver` returns None for a tensor it has
    no value for; the enclosing resolvers are asked next.

    # Arguments
        resolver: a function of a `KerasTensor`, returning its value or None.
    """
    _resolvers.stack.append(resolver)
    try:
        yield
    finally:
        _resolvers.stack.pop()


def resolve(tensor):
    """The value the active resolvers give `tensor` (innermost first), or None.

    # Arguments
        tensor: a `KerasTensor`.

    # Returns
        An array, or None when no resolver has a value for it.
    """
    for resolver in reversed(_resolvers.stack):
        value = resolver(tensor)
        if value is not None:
            return value
    return None


def set_symbolic_handler(fn):
    """Install the engine's handler: fn(name, op, args, kwargs) -> KerasTensor(s)."""
    _handler[0] = fn


# the types of variables and of `scopes.VariableExpression`, and the function applying an
# op to arguments that hold them (`scopes._apply_on_variables`), installed by `scopes`
_deferred = {'types': (), 'apply': None}


def set_variable_handler(types, apply):
    """Install `apply(fn, args, kwargs)`, which backend ops call with arguments holding
    an instance of `types` (and no `KerasTensor`)."""
    _deferred.update(types=tuple(types), apply=apply)


def _argument_kind(obj, depth=0):
    """What kind of tensors `obj` holds, as a number.

    # Arguments
        obj: the object to inspect; lists, tuples and dict values are searched too.
        depth: the nesting level of `obj`; containers are searched three levels deep.

    # Returns
        2 when `obj` is or holds a `KerasTensor`, else 1 when it is or holds a variable or
        a variable expression, else 0.
    """
    if isinstance(obj, KerasTensor):
        return 2
    if isinstance(obj, _deferred['types']):
        return 1
    kind = 0
    if depth < 3:
        if isinstance(obj, dict):
            obj = obj.values()
        elif not isinstance(obj, (list, tuple)):
            return 0
        for o in obj:
            kind = max(kind, _argument_kind(o, depth + 1))
            if kind == 2:
                break
    return kind


def is_symbolic(*args, **kwargs):
    return max(_argument_kind(args), _argument_kind(kwargs)) == 2


def record_op(name, fn, args, kwargs):
    """Records an op applied to Keras tensors as a node of the graph.

    `fn(*args, **kwargs)` becomes a node when a `KerasTensor` is among the arguments (what
    `symbolic` ops do), for a backend that routes its framework's own ops here
    (TensorFlow's `tf.*` ops on Keras tensors, as Keras 2.2's graph took them).

    # Arguments
        name: the op's name, by which a saved model finds it again.
        fn: the op.
        args: its positional arguments.
        kwargs: its keyword arguments.

    # Returns
        The symbolic result, or None when no argument is a `KerasTensor` (or no engine
        handler is installed).
    """
    if max(_argument_kind(args), _argument_kind(kwargs)) == 2 and _handler[0] is not None:
        return _handler[0](name, fn, args, kwargs)
    return None


def symbolic(fn):
    """Decorator for backend ops: symbolic inputs record a graph node instead of computing.

    # Arguments
        fn: the backend op. Called with an argument holding a `KerasTensor` (while the
            engine's handler is installed), the wrapper returns what the handler returns
            for it; otherwise it computes `fn(*args, **kwargs)`.

    # Returns
        The wrapped op (with the original one as `_keras_op`). Given variables or
        variable expressions (and no `KerasTensor`), it runs through the handler of
        `set_variable_handler` (outside a step, the result is an expression).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        kind = max(_argument_kind(args), _argument_kind(kwargs))
        if kind == 2 and _handler[0] is not None:
            return _handler[0](fn.__name__, fn, args, kwargs)
        if kind == 1 and _deferred['apply'] is not None:
            return _deferred['apply'](fn, args, kwargs)
        return fn(*args, **kwargs)

    wrapper._keras_op = fn
    return wrapper
