"""The TensorFlow backend (TensorFlow 2, eager with `tf.function`): the only package of
`keras` that imports tensorflow.

`keras.backend` imports it when `KERAS_BACKEND=tensorflow` (or keras.json says so) and makes
its modules (`MODULES`) the modules `keras.backend.<name>`, exactly as for the JAX backend:
the engine runs the same pure steps (`step(state, consts, batch, key)`) through
`execution.jit` (a `tf.function`) and `execution.value_and_grad` (a `tf.GradientTape`).
"""
import functools
import os

# TensorFlow's informational start-up lines (CPU features, oneDNN) stay quiet unless asked for
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '1')

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from . import execution  # noqa: F401

MODULES = ('execution', 'state', 'ops', 'math_ops', 'image_ops', 'conv_ops', 'control_ops',
           'ctc_ops', 'shape_inference', 'distribution', 'saved_model', 'summary')


def _accept_tensorflow_dtypes():
    """TensorFlow's dtypes (`tf.int32`) are taken wherever a dtype is, as Keras 2.2.4 on
    TensorFlow took them (`Input(..., dtype=tf.int32)`, `K.zeros(..., dtype=tf.float32)`:
    Mask R-CNN): NumPy reads a dtype from an object's `dtype` attribute, which a
    TensorFlow dtype is given (its NumPy dtype)."""
    if 'dtype' not in vars(tf.dtypes.DType):
        tf.dtypes.DType.dtype = property(lambda self: np.dtype(self.as_numpy_dtype))


_accept_tensorflow_dtypes()


def _keras_attribute(name, default):
    """A property of TensorFlow's tensors for an attribute Keras 2.2.4 set on its tensors:
    the value code set on the tensor, else `default(tensor)`."""
    def get(self):
        found = self.__dict__.get(name, _keras_attribute)
        return default(self) if found is _keras_attribute else found

    def set(self, value):
        self.__dict__[name] = value

    def delete(self):
        # (recurrentshop deletes and restores `_keras_shape` around an inner model's call)
        self.__dict__.pop(name, None)
    return property(get, set, delete)


def _tensor_attributes():
    """Keras 2.2.4's tensors were TensorFlow's with `_keras_shape` and
    `_uses_learning_phase` set, and a layer's `call` got them: code reads
    `x._keras_shape` there (ssd_keras' AnchorBoxes). Here a layer's `call` gets the
    step's TensorFlow tensors: they answer with their static shape (and no learning
    phase) unless code set the attributes."""
    def shape(t):
        return None if t.shape.rank is None else tuple(t.shape.as_list())
    for name, default in (('_keras_shape', shape), ('_uses_learning_phase', lambda t: False)):
        if name not in vars(tf.Tensor):
            setattr(tf.Tensor, name, _keras_attribute(name, default))


_tensor_attributes()


# modules that read a TensorFlow shape's sizes as TensorFlow 2 gives them (ints):
# TensorFlow, the libraries it and NumPy code run in, and this package
_INT_READERS = ('tensorflow', 'tf_keras', 'keras.', 'numpy', 'scipy', 'jax', 'ml_dtypes',
                'absl', 'google.', 'tree', 'optree', 'h5py', 'tensorboard')


def _dimensions_for_callers():
    """A known size read by index from a TensorFlow shape (`x.shape[-1]`,
    `x.get_shape()[1]` in a layer's `call`) is, for code outside TensorFlow, NumPy and this
    package, an int that also has TensorFlow 1's `Dimension.value`, as Keras 2 code
    written for TensorFlow 1 reads it (`x.shape[-1].value`); an unknown size stays None.
    The caller is known from its module's name."""
    import sys
    from ..keras_tensor import _Dimension
    getitem = tf.TensorShape.__getitem__
    if getattr(getitem, '_keras_dimensions', False):
        return

    def __getitem__(self, key):
        item = getitem(self, key)
        if type(item) is int:
            module = sys._getframe(1).f_globals.get('__name__') or ''
            if not (module.startswith(_INT_READERS) or module == 'keras'):
                return _Dimension(item)
        return item
    __getitem__._keras_dimensions = True
    __getitem__.__doc__ = getitem.__doc__
    tf.TensorShape.__getitem__ = __getitem__


_dimensions_for_callers()


def _route_ops_on_keras_tensors():
    """TensorFlow's own ops applied to Keras tensors outside a layer (`tf.reduce_mean(y)`,
    `tf.boolean_mask(boxes, mask)`, `tf.shape(x)`: Mask R-CNN's losses, keras-yolo3's
    `yolo_eval`, attention-is-all-you-need-keras) become nodes of the graph, as they were of
    Keras 2.2's TensorFlow graph: an op that fails on a Keras tensor (it has no value) asks
    TensorFlow's dispatchers, and this one records it (`keras_tensor.record_op`), as the
    backend's own `K` ops are recorded. Given Keras variables outside every step (whose
    conversion then fails: `state.DeferredOperand`), the op is kept as an expression of
    them (`scopes.apply_op`), as `K` ops on variables are."""
    from tensorflow.python.util import dispatch
    from ..keras_tensor import record_op, _argument_kind
    from ..scopes import apply_op, deferring, _first_of

    def _holds_deferred(args, kwargs):
        # variables or expressions read outside a step (`state.DeferredOperand`)
        return (max(_argument_kind(args), _argument_kind(kwargs)) == 1
                and deferring(_first_of((args, kwargs))))

    class KerasTensorDispatcher(dispatch.GlobalOpDispatcher):
        def handle(self, op, args, kwargs):
            name = '%s.%s' % (getattr(op, '__module__', ''), getattr(op, '__name__', ''))
            if not name.startswith('tensorflow.'):
                return self.NOT_SUPPORTED
            out = record_op(name, op, args, kwargs)
            if out is None and _holds_deferred(args, kwargs):
                out = apply_op(op, args, kwargs)
            return self.NOT_SUPPORTED if out is None else out

    KerasTensorDispatcher().register()


def _route(modules, name, wrapper):
    """Replace the function `name` of each of `modules` (TensorFlow's namespaces) by
    `wrapper(original)`, once: the wrappers below take what Keras 2.2.4's TensorFlow graph
    took and hand everything else to the original. TensorFlow's own modules import these
    functions directly, not through the namespaces, and are not affected."""
    for module in modules:
        original = getattr(module, name)
        if not getattr(original, '_keras_routed', False):
            routed = functools.wraps(original)(wrapper(original))
            routed._keras_routed = True
            setattr(module, name, routed)


def _route_gradients_of_keras_tensors():
    """`tf.gradients(ys, xs)` of Keras tensors (a Grad-CAM or saliency script's
    `tf.gradients(model.output[:, c], conv_output)`, FGSM's `tf.gradients(loss,
    model.input)`) are `K.gradients` of the sum of `ys`, as Keras 2.2.4's graph computed
    them; TensorFlow 2's `tf.gradients` refuses to run eagerly and consults no dispatcher.
    With `grad_ys` (DDPG's actor: `tf.gradients(actor.output, weights, -action_grads)`),
    of the sum of `ys * grad_ys`, `grad_ys` held constant. Other arguments and TensorFlow's
    own tensors go to TensorFlow."""
    from ... import registry
    from ..keras_tensor import is_symbolic
    from . import ops

    def wrapper(original):
        def gradients(ys, xs, grad_ys=None, *args, **kwargs):
            if args or kwargs or not is_symbolic(ys, xs):
                return original(ys, xs, grad_ys, *args, **kwargs)
            ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
            if grad_ys is not None:
                weights = list(grad_ys) if isinstance(grad_ys, (list, tuple)) else [grad_ys]
                ys = [y if w is None else y * ops.stop_gradient(w)
                      for y, w in zip(ys, weights)]
            loss = ys[0]
            for y in ys[1:]:
                loss = ops.sum(loss) + ops.sum(y)
            return registry.lookup('gradients')(
                loss, list(xs) if isinstance(xs, (list, tuple)) else [xs])
        return gradients

    _route((tf, tf.compat.v1), 'gradients', wrapper)


def _route_assignments_to_keras_variables():
    """`tf.compat.v1.assign(v, value)`, `assign_add` and `assign_sub` of a Keras variable
    (a custom layer's counter or moving statistic: Keras 2.2.4's variables were TensorFlow's)
    are `K.update`, `K.update_add` and `K.update_sub`, which a step records as the layer's
    update; outside a step they assign at once, as TensorFlow 2 assigns its own variables
    (`K.update` would wait to be run, as in Keras 2.2.4); TensorFlow's own variables go to
    TensorFlow."""
    from . import ops
    from .state import Variable
    from ..keras_tensor import KerasTensor
    from ..scopes import DeferredUpdate

    def wrapper_of(update):
        def wrapper(original):
            def assignment(ref, value, *args, **kwargs):
                if isinstance(ref, Variable):
                    made = update(ref, value)
                    if isinstance(made, DeferredUpdate) and not any(
                            isinstance(v, KerasTensor) for _, v in made.pairs()):
                        return made.run()
                    return made
                return original(ref, value, *args, **kwargs)
            return assignment
        return wrapper

    for name, update in (('assign', ops.update), ('assign_add', ops.update_add),
                         ('assign_sub', ops.update_sub)):
        _route((tf.compat.v1,), name, wrapper_of(update))


def _route_conditions_on_the_learning_phase():
    """`tf.cond(K.learning_phase(), train_fn, test_fn)`: Keras 2.2.4's learning phase was a
    boolean placeholder, so TensorFlow 1's `cond` took it; in a step here it is the step's
    phase, a Python number, which TensorFlow 2's `cond` refuses. A condition that is a Python
    or NumPy number or bool picks its branch at once (what `cond` does with a constant).

    A condition that is a Keras tensor (a loss built on the graph: keras-yolo2's
    `tf.cond(seen < warmup, ...)`, or ops on a model's tensors outside layers) is a node of
    the graph choosing between what the two branches give (their tensors made at once, as
    Keras 2.2.4's `cond` built both branches; `K.switch` then picks one). All other
    conditions go to TensorFlow."""
    from ..keras_tensor import is_symbolic
    from .. import nest
    from . import ops

    def wrapper(original):
        def cond(pred, true_fn=None, false_fn=None, *args, **kwargs):
            if isinstance(pred, (bool, int, np.bool_, np.integer)) and \
                    callable(true_fn) and callable(false_fn):
                return true_fn() if pred else false_fn()
            if is_symbolic(pred) and callable(true_fn) and callable(false_fn) and \
                    not args and not kwargs:
                then, other = true_fn(), false_fn()
                return nest.pack_sequence_as(then, [
                    ops.switch(pred, a, b)
                    for a, b in zip(nest.flatten(then), nest.flatten(other))])
            return original(pred, true_fn, false_fn, *args, **kwargs)
        return cond

    _route((tf, tf.compat.v1), 'cond', wrapper)


def _route_loops_over_keras_tensors():
    """`tf.map_fn(fn, x)` and `tf.while_loop(cond, body, [..., x])` of a model's tensors
    outside layers are nodes of the graph running the loop on the tensors' values, as Keras
    2.2.4's graph held them (TensorFlow 2 asks no dispatcher before it inspects them)."""
    from ..keras_tensor import is_symbolic, record_op

    def wrapper_of(name, data_position):
        def wrapper(original):
            def loop(*args, **kwargs):
                if len(args) > data_position and is_symbolic(args[data_position]):
                    out = record_op('tensorflow.' + name, original, args, kwargs)
                    if out is not None:
                        return out
                return original(*args, **kwargs)
            return loop
        return wrapper

    _route((tf, tf.compat.v1), 'map_fn', wrapper_of('map_fn', 1))
    _route((tf, tf.compat.v1), 'while_loop', wrapper_of('while_loop', 2))


@functools.lru_cache(maxsize=None)
def keras2_modules():
    """The TensorFlow modules Keras 2.2.4's TensorFlow backend imported, which code written
    for it reaches as `K.control_flow_ops`, `K.tensor_array_ops`, `K.functional_ops`,
    `K.ctc` and `K.moving_averages` (keras-yolo3's loss runs
    `K.control_flow_ops.while_loop`). TensorFlow 2 moved some of their functions out of
    those modules: the modules are given them back under their TensorFlow 1 names.

    # Returns
        A dict from the names to the modules.
    """
    from tensorflow.python.ops import (control_flow_ops, tensor_array_ops, functional_ops,
                                       ctc_ops)
    from tensorflow.python.training import moving_averages
    v1 = tf.compat.v1
    restored = {
        control_flow_ops: {'while_loop': v1.while_loop, 'cond': v1.cond, 'case': v1.case,
                           'Assert': tf.debugging.Assert},
        functional_ops: {'map_fn': v1.map_fn, 'scan': v1.scan, 'foldl': v1.foldl,
                         'foldr': v1.foldr},
    }
    for module, functions in restored.items():
        for name, function in functions.items():
            if not hasattr(module, name):
                setattr(module, name, function)
    return {'control_flow_ops': control_flow_ops, 'tensor_array_ops': tensor_array_ops,
            'functional_ops': functional_ops, 'ctc': ctc_ops,
            'moving_averages': moving_averages}


def start(keras_dir):
    """Called once by `keras.backend` after the op modules are imported."""
    _route_ops_on_keras_tensors()
    _route_gradients_of_keras_tensors()
    _route_assignments_to_keras_variables()
    _route_conditions_on_the_learning_phase()
    _route_loops_over_keras_tensors()


def clear_session():
    """The backend's part of `K.clear_session`: TensorFlow's own global state (the name
    counters of `tf.keras` objects, cached functions) is reset too."""
    if not tf.executing_eagerly():
        tf.compat.v1.reset_default_graph()
    tf_session._forget_keras_graph()


from . import tf_session  # noqa: E402
from .tf_session import get_session, set_session  # noqa: E402,F401
