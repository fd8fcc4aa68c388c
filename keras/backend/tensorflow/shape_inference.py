"""Static shape inference for symbolic calls on TensorFlow: the call is traced once into a
function graph over placeholders whose unknown dimensions are None, and TensorFlow's
own shape inference gives the output shapes (None where a size depends on an unknown one).
Code that needs concrete sizes falls back to two traces with different sizes, as on JAX.
Inside the trace the tensors are TensorFlow's, so raw `tf.*` ops work in `call`.
"""
import contextlib

import numpy as np
import tensorflow as tf

from .. import keras_tensor
from ..argcheck import tf_dtype
from ..keras_tensor import KerasTensor
from .. import call_inference, nest
from . import execution as X, state

_FILL_A = 37
_FILL_B = 53
# TensorFlow's graph names the op computing each tensor (the specs carry its type), and an
# `Input` is a placeholder op named as the layer, as in Keras 2.2.4 (`input_1:0`)
NAMES_OPS = True


@contextlib.contextmanager
def concrete_context():
    """Run eagerly even inside a trace and outside any stateless scope (weight creation)."""
    stack = state._scope_stack()
    saved = list(stack)
    del stack[:]
    try:
        with X.eager_init_scope():
            yield
    finally:
        stack.extend(saved)


class _Spec(object):
    def __init__(self, shape, dtype, op_type=None, op_inputs=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.op_type = op_type    # the TensorFlow op that computed it in the traced graph
        self.op_inputs = op_inputs    # that op's inputs, as `_Spec`s

    def __repr__(self):
        return '_Spec(%s, %s)' % (self.shape, self.dtype)


def _is_abstract(x):
    return isinstance(x, (KerasTensor, _Spec, tf.TensorSpec))


def _dtype_name(dtype):
    if isinstance(dtype, tf.DType):
        return dtype.name
    dtype = tf_dtype(dtype)
    return str(dtype) if str(dtype) in ('bfloat16', 'string') else str(np.dtype(dtype).name)


def _eval(fn, struct, fill):
    """Trace `fn(struct)` with its abstract leaves as tensors of unknown (fill None) or
    filled sizes; returns the outputs with `_Spec` leaves."""
    leaves = [x for x in nest.flatten(struct) if _is_abstract(x)]
    specs = [tf.TensorSpec([fill if d is None else d for d in x.shape], _dtype_name(x.dtype))
             for x in leaves]
    # a bare function graph (what tf.function traces into, without its signature handling
    # and caching, which cost more than the trace here): eager values used inside, the
    # variables' values, are captured as tf.function captures them
    graph = tf.__internal__.FuncGraph('keras_shape_inference')
    with graph.as_default():
        tensors = iter([_sizes_tensor(x, fill) if
                        getattr(x, '_static_value', None) is not None else
                        tf.compat.v1.placeholder(spec.dtype, spec.shape)
                        for x, spec in zip(leaves, specs)])
        rebuilt = nest.map_structure(lambda x: next(tensors) if _is_abstract(x) else x, struct)

        def standin(t):
            # a tensor of the graph the call reaches by closure, not among its inputs
            # (`keras_tensor.resolving`): a placeholder of its static shape
            return tf.compat.v1.placeholder(_dtype_name(t.dtype), t.shape)
        with keras_tensor.resolving(standin):
            out = fn(rebuilt)
        return nest.map_structure(
            lambda t: _spec_of(t) if isinstance(t, (tf.Tensor, tf.Variable)) else t, out)


def _spec_of(t):
    """The `_Spec` of a tensor of the trace, with the type and inputs of the op computing it
    (read by `KerasTensor.op`)."""
    op = getattr(t, 'op', None) if isinstance(t, tf.Tensor) else None
    op_inputs = None
    if op is not None and all(x.shape.rank is not None for x in op.inputs):
        op_inputs = [_Spec(x.shape.as_list(), x.dtype.name) for x in op.inputs]
    return _Spec(t.shape.as_list(), t.dtype.name, _op_type(t), op_inputs)


def _sizes_tensor(x, fill):
    """The sizes a Keras tensor of sizes holds (`K.shape(y)`, its entries: see
    `KerasTensor._static_value`) as a tensor of the trace: constants, with the unknown sizes
    `fill`, or (fill None) placeholders that TensorFlow's shape inference reads as unknown
    sizes among known ones (`tf.random.normal(K.shape(y))` gets `y`'s known sizes)."""
    value = np.asarray(x._static_value)
    dtype = _dtype_name(x.dtype)
    if fill is not None:
        return tf.constant(keras_tensor.filled_sizes(value, fill, fill, dtype))
    known = (value != keras_tensor.UNKNOWN_BATCH) & (value != keras_tensor.UNKNOWN_SIZE)
    if known.all():
        return tf.constant(value.astype(dtype))
    if value.ndim == 0:
        return tf.compat.v1.placeholder(dtype, ())
    if value.ndim > 1:
        return tf.compat.v1.placeholder(dtype, value.shape)
    return tf.stack([tf.constant(v, dtype) if k else tf.compat.v1.placeholder(dtype, ())
                     for v, k in zip(value.tolist(), known)])


def _op_type(t):
    """The type of the graph op computing `t`; None for eager tensors and variables."""
    op = getattr(t, 'op', None) if isinstance(t, tf.Tensor) else None
    return op.type if op is not None else None


def eval_structure(fn, struct):
    """Abstract outputs of fn(struct) where struct holds KerasTensors: the output structure
    with leaves that have `.shape` (None for unknown sizes) and `.dtype`."""
    try:
        return _eval(fn, struct, None)
    except Exception as error:  # the code needs concrete sizes: compare two fills
        unknown_sizes_error = error
    try:
        out_a = _eval(fn, struct, _FILL_A)
        out_b = _eval(fn, struct, _FILL_B)
    except Exception as fill_error:
        # Neither works: the error is the trace's with unknown sizes, as Keras 2.2.4's graph
        # with unknown sizes raised it (the made-up sizes' error would read as a shape bug:
        # "Dimensions must be equal, but are 37 and 4" for a misspelt K function)
        if hasattr(unknown_sizes_error, 'add_note'):
            unknown_sizes_error.add_note(
                '(traced again with sizes %d and %d for the unknown ones, the call failed '
                'too: %s: %s)' % (_FILL_A, _FILL_B, type(fill_error).__name__, fill_error))
        raise unknown_sizes_error

    def merge(a, b):
        if not isinstance(a, _Spec):
            return a
        op_inputs = a.op_inputs
        if op_inputs is not None and b.op_inputs is not None and \
                len(op_inputs) == len(b.op_inputs):
            op_inputs = [merge(x, y) for x, y in zip(op_inputs, b.op_inputs)]
        return _Spec(tuple(da if da == db else None for da, db in zip(a.shape, b.shape)),
                     a.dtype, a.op_type, op_inputs)
    return call_inference.zip_map(merge, out_a, out_b)


def infer_call(layer, inputs, mask, kwargs, effects=None):
    """Output specs and output-mask specs of `layer` called on symbolic inputs (see
    `keras.backend.call_inference.infer_call`, which this backend's `eval_structure` runs)."""
    return call_inference.infer_call(eval_structure, state, layer, inputs, mask, kwargs,
                                     effects)


def infer_output_shape(layer, input_shape):
    """Default `compute_output_shape`: trace `call` on placeholders of `input_shape`."""
    return call_inference.infer_output_shape(infer_call, layer, input_shape)
