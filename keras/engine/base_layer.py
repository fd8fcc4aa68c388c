"""The Layer base class, InputSpec and Node.

A layer is a stateful shell (its Variables and its config) around a numeric
`call`.  Called on KerasTensors it records a Node in the graph and infers its
output with `jax.eval_shape` over the same `call`; called on arrays it
computes.
"""
import contextlib
import sys
import functools
import re
import threading

import numpy as np

from .. import backend as K
from ..backend import distribution, shape_inference
from ..backend import execution as X
from ..backend.keras_tensor import KerasTensor
from ..backend.scopes import is_update_pair, _values_of, DeferredUpdate, immediate_updates
from ..utils.generic_utils import has_arg, to_list, unpack_singleton, object_list_uid
from .. import initializers, regularizers, constraints


def _snake_case(name):
    s = re.sub('(.)([A-Z][a-z0-9]+)', r'\1_\2', name)
    s = re.sub('([a-z])([A-Z])', r'\1_\2', s).lower()
    return s


def _is_symbolic(inputs):
    return any(isinstance(x, KerasTensor) for x in to_list(inputs, allow_tuple=True))


def _backend_values(inputs):
    """Whether `inputs` are tensors of the backend that hold values (not NumPy arrays nor
    the values of a computation being traced)."""
    from ..backend import execution
    values = to_list(inputs, allow_tuple=True)
    return bool(values) and all(K.is_tensor(x) and not execution.is_traced(x) for x in values)


class InputSpec(object):
    """Expected dtype, shape, ndim, min_ndim and per-axis sizes of a layer input.

    # Arguments
        dtype: the expected dtype.
        shape: the expected shape tuple (`None` entries match any size).
        ndim: the expected rank.
        max_ndim: the largest rank accepted.
        min_ndim: the smallest rank accepted.
        axes: dictionary mapping axes to their expected sizes, e.g. `{-1: 32}`.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None):
        self.dtype = dtype
        self.shape = shape
        if shape is not None:
            self.ndim = len(shape)
        else:
            self.ndim = ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = axes or {}

    def __repr__(self):
        spec = [('dtype=' + str(self.dtype)) if self.dtype else '',
                ('shape=' + str(self.shape)) if self.shape else '',
                ('ndim=' + str(self.ndim)) if self.ndim else '',
                ('max_ndim=' + str(self.max_ndim)) if self.max_ndim else '',
                ('min_ndim=' + str(self.min_ndim)) if self.min_ndim else '',
                ('axes=' + str(self.axes)) if self.axes else '']
        return 'InputSpec(%s)' % ', '.join(x for x in spec if x)


def _is_shape_tuple(shape):
    """Whether `shape` is a shape tuple: sizes that are integers (or integral numbers) or
    `None`."""
    if not isinstance(shape, tuple):
        return False
    for d in shape:
        if d is None or isinstance(d, (int, np.integer)) and not isinstance(d, bool):
            continue
        if not (isinstance(d, (float, np.floating)) and float(d).is_integer() and d >= 0):
            return False
    return True


def _mask_list(tensors_attr, specs_attr, doc):
    """A node's list of masks, as Keras 2.2 code reads them: for each tensor with a mask
    (its spec in `specs_attr`), the mask as a tensor of the graph (`KerasTensor._keras_mask`);
    setting it sets the specs."""
    def get(node):
        return [None if spec is None else getattr(t, '_keras_mask', spec)
                for t, spec in zip(getattr(node, tensors_attr), getattr(node, specs_attr))]

    def set(node, masks):
        setattr(node, specs_attr, list(masks))
    return property(get, set, doc=doc)


class Node(object):
    """A call of `outbound_layer` on tensors produced by `inbound_layers`.

    # Arguments
        outbound_layer: the layer called (it takes `input_tensors` and returns
            `output_tensors`).
        inbound_layers: the layers that produced the input tensors, one per tensor.
        node_indices: for each input tensor, the index of the node of its inbound layer.
        tensor_indices: for each input tensor, its index among the outputs of that node.
        input_tensors: list of input tensors.
        output_tensors: list of output tensors.
        input_masks: list of input masks (or `None`s).
        output_masks: list of output masks.
        input_shapes: list of input shape tuples.
        output_shapes: list of output shape tuples.
        arguments: dictionary of the keyword arguments of the call.

    A node also records the device scope in effect when the layer was called (`device`:
    `with tf.device('/gpu:1'): y = layer(x)` on the TensorFlow backend, None otherwise);
    a model runs that call on that device, as Keras 2 on TensorFlow placed the call's ops.
    """

    def __init__(self, outbound_layer, inbound_layers, node_indices, tensor_indices,
                 input_tensors, output_tensors, input_masks, output_masks,
                 input_shapes, output_shapes, arguments=None):
        self.outbound_layer = outbound_layer
        self.inbound_layers = inbound_layers
        self.node_indices = node_indices
        self.tensor_indices = tensor_indices
        self.input_tensors = input_tensors
        self.output_tensors = output_tensors
        # the masks' shapes and dtypes (`input_masks` and `output_masks` give tensors)
        self._input_mask_specs = list(input_masks)
        self._output_mask_specs = list(output_masks)
        self.input_shapes = input_shapes
        self.output_shapes = output_shapes
        self.arguments = arguments or {}
        self.device = distribution.current_device()
        if not outbound_layer._graph_internal:
            for layer in inbound_layers:
                if layer is not None:
                    layer._outbound_nodes.append(self)
        outbound_layer._inbound_nodes.append(self)

    input_masks = _mask_list('input_tensors', '_input_mask_specs',
                             'The masks of the input tensors (tensors of the graph, or None).')
    output_masks = _mask_list('output_tensors', '_output_mask_specs',
                              'The masks of the output tensors (tensors of the graph, or None).')

    def get_config(self):
        """The node as a dictionary: its outbound layer and its inbound layers' names, node and tensor
        indices.

        # Returns
            A Python dictionary.
        """
        return {'outbound_layer': self.outbound_layer.name,
                'inbound_layers': [l.name if l is not None else None for l in self.inbound_layers],
                'node_indices': self.node_indices,
                'tensor_indices': self.tensor_indices}


_weight_frames = threading.local()


@contextlib.contextmanager
def weights_made_once(made):
    """While active, the weights layers create (`add_weight`) are taken in order from the
    list `made` where it holds one of the same shape and dtype, and those created are put
    in it: layers a call makes (a `Conv1D` made in a layer's call, a `Dense` in a
    `Lambda`'s function) get, at every run of that call, the weights its first run made.
    Keras 2.2.4 built the graph once, so such a layer had one set of weights (constants of
    the graph: its model did not track, train or save them).

    # Arguments
        made: a list of variables, kept for the call (on its node).
    """
    frames = _weight_frames.__dict__.setdefault('stack', [])
    frames.append((made, [0]))
    try:
        # (and the backend's own variables the call makes: Mask R-CNN's
        # `Lambda(lambda x: tf.Variable(anchors))` holds one variable, as in 2.2.4's graph)
        with X.native_variables_made_once(_made_once):
            yield made
    finally:
        frames.pop()


def _made_once(matches, make):
    """The variable made next in the innermost `weights_made_once` frame: the one the frame
    holds at this position when `matches(it)`, else `make()`, which the frame then holds
    there (`make()` itself outside every frame)."""
    frames = getattr(_weight_frames, 'stack', None)
    if not frames:
        return make()
    made, position = frames[-1]
    index = position[0]
    position[0] += 1
    if index < len(made) and matches(made[index]):
        return made[index]
    var = make()
    made[index:index + 1] = [var]
    return var


def _weight_made_once(shape, dtype, make):
    """The weight for the next `add_weight` (see `_made_once`): the one made before at this
    position when its shape and dtype match."""
    return _made_once(lambda v: isinstance(v, K.Variable) and tuple(v.shape) == shape and
                      v.dtype == K.Variable._dtype_name(dtype), make)


def _mark_learning_phase_use(outputs, uses_lp):
    """Keras 2.2.4's `_uses_learning_phase` on the outputs of a call on concrete tensors
    (TensorFlow's eager tensors and JAX's arrays take attributes; values that do not are
    left as they are)."""
    for t in to_list(outputs, allow_tuple=True):
        try:
            t._uses_learning_phase = uses_lp
        except AttributeError:
            pass


_BASE_KWARGS = {'input_shape', 'batch_input_shape', 'batch_size', 'dtype', 'name',
                'trainable', 'weights', 'input_dtype'}


def _keras20_add_weight_order(add_weight):
    """Keras 2.2 still accepts the Keras 2.0 call `add_weight(shape, name, ...)` (with the
    deprecation warning of `keras.legacy.interfaces.legacy_add_weight_support`)."""
    @functools.wraps(add_weight)
    def wrapper(self, *args, **kwargs):
        if args and isinstance(args[0], (tuple, list)):
            from ..legacy.interfaces import legacy_add_weight_support
            return legacy_add_weight_support(add_weight)(self, *args, **kwargs)
        return add_weight(self, *args, **kwargs)
    return wrapper


class Layer(object):
    """Base class of all layers (Keras 2.2 API)."""

    # The engine's own layers recording backend ops, gradients, masks and losses as nodes
    # of the graph are not among the `_outbound_nodes` of the layers they read: in Keras
    # 2.2.4 those were TensorFlow ops, and code walking the graph from a layer sees only
    # layers (keras-explain's LRP takes `_outbound_nodes[0]` as the next layer of the
    # model; keras-contrib's CRF checks that its layer has no outbound node).
    _graph_internal = False

    def __init__(self, **kwargs):
        for kwarg in kwargs:
            if kwarg not in _BASE_KWARGS:
                raise TypeError('%s: keyword argument not understood: %r'
                                % (self.__class__.__name__, kwarg))
        name = kwargs.get('name')
        if not name:
            prefix = _snake_case(self.__class__.__name__)
            name = prefix + '_' + str(K.get_uid(prefix))
        elif not isinstance(name, str):
            raise TypeError('name: expected a string, got %r' % (name,))
        # interned, as the literal names of Keras 2.2.4's application code were: code
        # compares names with `is` (`l.name is 'block5_conv3'`: keras-grad-cam and its
        # copies), which held there and must hold for names built at run time
        self.name = sys.intern(str(name))
        self.trainable = kwargs.get('trainable', True)
        self.input_spec = None
        self.supports_masking = False
        self.stateful = False
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []
        self._updates = []
        self._regularized = []
        self._per_input_losses = {}
        self._per_input_updates = {}
        self._call_records = []
        self._inbound_nodes = []
        self._outbound_nodes = []
        self.built = False
        if 'input_shape' in kwargs or 'batch_input_shape' in kwargs:
            if 'batch_input_shape' in kwargs:
                batch_input_shape = tuple(kwargs['batch_input_shape'])
            else:
                shape = kwargs['input_shape']
                if isinstance(shape, int):
                    shape = (shape,)
                batch_input_shape = (kwargs.get('batch_size'),) + tuple(shape)
            self.batch_input_shape = batch_input_shape
        dtype = kwargs.get('dtype') or kwargs.get('input_dtype') or K.floatx()
        self.dtype = dtype
        self._initial_weights = kwargs.get('weights')

    # ------------------------------------------------------------------ weights
    @_keras20_add_weight_order
    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None):
        """Create a Variable `<layer name>/<name>` owned by this layer.

        # Arguments
            name: the name of the weight (the variable is named `<layer name>/<name>`).
            shape: the shape tuple of the weight.
            dtype: the dtype (default: the layer's or `K.floatx()`).
            initializer: an initializer instance or name.
            regularizer: an optional regularizer, added to the layer's losses.
            trainable: whether the optimizer updates the weight.
            constraint: an optional constraint, applied after each optimizer update.

        # Returns
            The new variable.
        """
        shape = tuple(int(d) for d in shape)
        if dtype is None:
            dtype = self.dtype if self.dtype else K.floatx()
        init = initializers.get(initializer)

        def make():
            with shape_inference.concrete_context():
                # (Keras 2.2.4 called `initializer(shape)`: initializers written for it,
                # e.g. keras-contrib's ConvolutionAware or a `def my_init(shape)`, take no
                # dtype)
                value = init(shape, dtype=dtype) if has_arg(init, 'dtype', accept_all=True) \
                    else init(shape)
            return K.Variable(value, dtype=dtype, name='%s/%s' % (self.name, name),
                              trainable=trainable, constraint=constraints.get(constraint))
        # (a layer made inside a call: the weights the call's first run made)
        var = _weight_made_once(shape, dtype, make)
        if regularizer is not None:
            self._regularized.append((regularizers.get(regularizer), var))
        if trainable:
            self._trainable_weights.append(var)
        else:
            self._non_trainable_weights.append(var)
        return var

    @property
    def trainable_weights(self):
        # (the list itself, as Keras 2.2.4 gave it: custom layers append their variables to
        # it in `build`, e.g. kapre's trainable STFT kernels)
        if not self.trainable:
            return []
        return self._trainable_weights

    @trainable_weights.setter
    def trainable_weights(self, weights):
        self._trainable_weights = list(weights)

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return list(self._trainable_weights) + list(self._non_trainable_weights)
        return self._non_trainable_weights

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        self._non_trainable_weights = list(weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    def get_weights(self):
        """The current values of the layer's weights (trainable first), as NumPy arrays.

        # Returns
            A list of NumPy arrays (writable copies).
        """
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Sets the layer's weights from NumPy arrays.

        # Arguments
            weights: a list of arrays, one per weight, in the order of `get_weights()`, each of the
                weight's shape.

        # Raises
            ValueError: the number of arrays or a shape does not match.
        """
        params = self.weights
        if len(params) != len(weights):
            raise ValueError('You called `set_weights(weights)` on layer "%s" with a weight list '
                             'of length %d, but the layer was expecting %d weights. Provided '
                             'weights: %s...' % (self.name, len(weights), len(params),
                                                 str(weights)[:50]))
        tuples = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(p.shape) != w.shape:
                raise ValueError('Layer weight shape %s not compatible with provided weight '
                                 'shape %s (layer "%s", weight %r)'
                                 % (p.shape, w.shape, self.name, p.name))
            tuples.append((p, w))
        K.batch_set_value(tuples)

    def count_params(self):
        """The number of scalars in the layer's weights.

        # Returns
            An integer.

        # Raises
            RuntimeError: the layer is not built yet.
        """
        if not self.built:
            if self.__class__.__name__ == 'Sequential':
                self.build()
            else:
                raise RuntimeError('You tried to call `count_params` on %s, but the layer isn\'t '
                                   'built. You can build it manually via: `%s.build('
                                   'batch_input_shape)`.' % (self.name, self.name))
        return int(sum(np.prod(w.shape) for w in self.weights))

    # ------------------------------------------------------------------ losses
    # Two views.  The training step adds `_eager_losses()`: the current values of the weight
    # regularizers and of the losses added outside a step (the model's graph computes the
    # symbolic ones; activity regularizers and losses added inside `call` are collected by
    # the step itself).  The public `losses` / `updates` / `get_*_for` account as Keras 2.2.4
    # does: unconditional entries (weight regularizers, `add_loss(x)`), plus, for every call
    # on symbolic inputs, the losses and updates that call makes (activity regularizers,
    # BatchNormalization's moving averages), as symbolic tensors of the graph.
    def _sublayers_list(self):
        return list(getattr(self, '_sublayers', None) or [])

    def _eager_losses(self):
        out = [reg(var.value) for reg, var in self._regularized]
        for l in self._losses:
            if isinstance(l, KerasTensor):
                continue   # a symbolic loss: the model's graph computes it (see Model)
            out.append(l() if callable(l) else l)
        for sub in self._sublayers_list():
            out.extend(sub._eager_losses())
        return out

    @property
    def losses(self):
        return self.get_losses_for(None) + self._conditional('losses')

    @property
    def updates(self):
        if not self.trainable and not self.stateful:
            return []
        return self.get_updates_for(None) + self._conditional('updates')

    def add_loss(self, losses, inputs=None):
        """Add a loss: callables are evaluated when losses are read; arrays produced inside a
        training step are collected by the step.  `inputs` marks the loss as conditional on
        those inputs (`get_losses_for(inputs)`); None means unconditional.

        # Arguments
            losses: a loss tensor or callable, or a list of them.
            inputs: the input tensors the losses depend on; `None` for unconditional losses
                (e.g. weight regularization).
        """
        for loss in to_list(losses):
            if loss is None:
                continue
            if callable(loss) or not K.state.add_loss_to_scope(loss):
                self._losses.append(loss)
                self._per_input_losses.setdefault(_inputs_key(inputs), []).append(loss)

    def add_update(self, updates, inputs=None):
        """Adds updates (assignments of variables, e.g. BatchNormalization's moving statistics).

        # Arguments
            updates: an update or a list of updates: `(variable, new_value)` pairs or the results of
                `K.update`, `K.update_add`, `K.moving_average_update`.
            inputs: the input tensors the updates depend on; `None` for unconditional updates.
        """
        updates = to_list(updates)
        if K.current_scope() is not None:
            # the call runs on values (a training step, shape inference): an assignment
            # made with `K.update*` is already the scope's, and a `(variable, value)` pair
            # is assigned now; neither is kept (the values are this trace's), only pairs
            # with a symbolic new value, which a graph computes
            kept = []
            for u in updates:
                if isinstance(u, DeferredUpdate) and not any(
                        isinstance(value, KerasTensor) for _, value in u.pairs()):
                    u.run()     # (an update made outside the call: it runs in the step)
                elif is_update_pair(u) and not isinstance(u[1], KerasTensor):
                    u[0].assign(u[1])
                elif is_update_pair(u):
                    kept.append(u)
            updates = kept
            if not updates:
                return
        self._updates.extend(updates)
        self._per_input_updates.setdefault(_inputs_key(inputs), []).extend(updates)

    def get_updates_for(self, inputs):
        """The updates that depend on `inputs` (`None`: the unconditional ones).

        A layer that is not trainable (and not stateful) has none.

        # Arguments
            inputs: input tensors, or `None`.

        # Returns
            A list of updates.
        """
        if not self.trainable and not self.stateful:
            return []
        key = _inputs_key(inputs)
        own = self._per_input_updates.get(key, [])
        out = list(own) if key is None else list(own) + self._recorded(key, 'updates')
        for sub in self._sublayers_list():
            out.extend(sub.get_updates_for(inputs))
        return out

    def get_losses_for(self, inputs):
        """The losses that depend on `inputs` (`None`: the unconditional ones, e.g. weight
        regularization).

        # Arguments
            inputs: input tensors, or `None`.

        # Returns
            A list of loss tensors.
        """
        return self._losses_for(inputs, set())

    def _losses_for(self, inputs, seen):
        """`get_losses_for`; `seen` holds the (regularizer, variable) pairs already counted,
        so a weight shared by several layers or models is regularized once (Keras 2.2.4
        counts its single regularization tensor once)."""
        key = _inputs_key(inputs)
        if key is None:
            out = []
            for reg, var in self._regularized:
                if (id(reg), id(var)) not in seen:
                    seen.add((id(reg), id(var)))
                    out.append(reg(var.value))
            out += [l() if callable(l) else l for l in self._per_input_losses.get(None, [])]
        else:
            out = list(self._per_input_losses.get(key, [])) + self._recorded(key, 'losses')
        for sub in self._sublayers_list():
            out.extend(sub._losses_for(inputs, seen))
        return out

    def _conditional(self, kind):
        """All input-conditional entries of this layer and the layers it holds (explicit
        ones, then those of its calls)."""
        explicit = self._per_input_losses if kind == 'losses' else self._per_input_updates
        out = [x for key, values in explicit.items() if key is not None for x in values]
        for record in getattr(self, '_call_records', []):
            out.extend(_materialize(self, record)[kind])
        for sub in self._sublayers_list():
            out.extend(sub._conditional(kind))
        return out

    def _recorded(self, key, kind):
        return [x for record in getattr(self, '_call_records', []) if record['key'] == key
                for x in _materialize(self, record)[kind]]

    # ------------------------------------------------------------------ build / call
    def build(self, input_shape):
        """Creates the layer's weights (with `add_weight`) once the input shape is known.

        Subclasses override it; the base version only marks the layer as built. It runs on the
        layer's first call.

        # Arguments
            input_shape: a shape tuple (a list of tuples for several inputs), `None` for unknown
                dimensions.
        """
        self.built = True

    def call(self, inputs, **kwargs):
        """The layer's computation: what a subclass overrides.

        # Arguments
            inputs: a tensor or a list of tensors.
            **kwargs: the extra keyword arguments a layer accepts (`mask`, `training`, ...).
            mask: (layers that take it) a mask tensor or list of masks from the previous layers.
            training: (layers that take it) `True` or `False` to force the training or inference
                behaviour, `None` for the current learning phase.

        # Returns
            A tensor or a list of tensors (the base layer returns `inputs` unchanged).
        """
        return inputs

    def compute_output_shape(self, input_shape):
        """Output shape for `input_shape`; by default inferred from `call` with jax.eval_shape.

        # Arguments
            input_shape: a shape tuple (a list of tuples for several inputs), `None` for unknown
                dimensions.

        # Returns
            A shape tuple, or a list of them for several outputs.
        """
        return shape_inference.infer_output_shape(self, input_shape)

    def compute_mask(self, inputs, mask=None):
        """The output mask for the given inputs and input mask.

        # Arguments
            inputs: a tensor or a list of tensors.
            mask: a tensor or a list of tensors (or `None`).

        # Returns
            The input mask when the layer `supports_masking`, otherwise `None`.

        # Raises
            TypeError: a mask is given to a layer that does not support masking.
        """
        if not self.supports_masking:
            if mask is not None:
                for m in to_list(mask):
                    if m is not None:
                        raise TypeError('Layer ' + self.name + ' does not support masking, '
                                        'but was passed an input_mask: ' + str(mask))
            return None
        return mask

    def assert_input_compatibility(self, inputs):
        """Checks `inputs` against the layer's `input_spec` (number of inputs, rank, axes sizes).

        # Arguments
            inputs: a tensor or a list of tensors.

        # Raises
            ValueError: an input does not satisfy the spec.
        """
        if not self.input_spec:
            return
        specs = to_list(self.input_spec)
        inputs = to_list(inputs, allow_tuple=True)
        if len(inputs) != len(specs):
            raise ValueError('Layer ' + self.name + ' expects ' + str(len(specs)) + ' inputs, '
                             'but it received ' + str(len(inputs)) + ' input tensors.')
        for i, (x, spec) in enumerate(zip(inputs, specs)):
            if spec is None:
                continue
            shape = K.int_shape(x)
            nd = len(shape)
            if spec.ndim is not None and nd != spec.ndim:
                raise ValueError('Input %d is incompatible with layer %s: expected ndim=%d, '
                                 'found ndim=%d (input shape %s)' % (i, self.name, spec.ndim, nd, shape))
            if spec.max_ndim is not None and nd > spec.max_ndim:
                raise ValueError('Input %d is incompatible with layer %s: expected max_ndim=%d, '
                                 'found ndim=%d' % (i, self.name, spec.max_ndim, nd))
            if spec.min_ndim is not None and nd < spec.min_ndim:
                raise ValueError('Input %d is incompatible with layer %s: expected min_ndim=%d, '
                                 'found ndim=%d (input shape %s)' % (i, self.name, spec.min_ndim, nd, shape))
            for axis, value in spec.axes.items():
                if value is None:
                    continue
                try:
                    actual = shape[int(axis)]
                except IndexError:
                    actual = None
                if actual is not None and actual not in (value,):
                    raise ValueError('Input %d is incompatible with layer %s: expected axis %d of '
                                     'input shape to have value %d but got shape %s'
                                     % (i, self.name, axis, value, shape))
            if spec.shape is not None:
                for spec_dim, dim in zip(spec.shape, shape):
                    if spec_dim is not None and dim is not None and spec_dim != dim:
                        raise ValueError('Input %d is incompatible with layer %s: expected '
                                         'shape=%s, found shape=%s' % (i, self.name, spec.shape, shape))

    def _maybe_build(self, inputs):
        if self.built:
            return
        input_shapes = [K.int_shape(x) for x in to_list(inputs, allow_tuple=True)]
        with shape_inference.concrete_context():
            self.build(unpack_singleton(input_shapes) if not isinstance(inputs, (list, tuple))
                       else input_shapes)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _check_fed_data(self, data, input_name):
        """Check the data a model feeds straight to this layer (NumPy arrays, before a
        compiled step runs, which cannot raise); raise a ValueError for data the layer
        cannot take. The base layer takes any.

        # Arguments
            data: the array fed to the model input this layer reads.
            input_name: that input's name.
        """

    def _call_kwargs(self, kwargs, mask):
        """Arguments passed to `call`: `mask` only when call accepts it (None when no input
        has one: Keras 2.2.4 then passed none, and multi-input layers test `if mask is not
        None`), `training` likewise."""
        call_kwargs = dict(kwargs)
        if 'training' in call_kwargs and not has_arg(self.call, 'training'):
            call_kwargs.pop('training')
        if has_arg(self.call, 'mask'):
            if isinstance(mask, (list, tuple)) and all(m is None for m in mask):
                mask = None
            call_kwargs['mask'] = mask
        return call_kwargs

    def _forward(self, inputs, mask=None, **kwargs):
        """Concrete computation: outputs and output masks for array inputs."""
        training = kwargs.get('training')
        call_kwargs = self._call_kwargs(kwargs, mask)
        if training is not None and 'training' not in call_kwargs and not isinstance(training, KerasTensor):
            with K.learning_phase_scope(int(bool(training))):
                outputs = self.call(inputs, **call_kwargs)
        else:
            outputs = self.call(inputs, **call_kwargs)
        # a call may return a weight as an output, as a TensorFlow variable was a tensor
        # (keras-adaptive-softmax's AdaptiveEmbedding returns its embedding matrices)
        outputs = _values_of(outputs)
        out_mask = self.compute_mask(inputs, mask)
        if getattr(self, 'activity_regularizer', None) is not None:
            for out in to_list(outputs, allow_tuple=True):
                self.add_loss(self.activity_regularizer(out), inputs=inputs)
        return outputs, out_mask

    def __call__(self, inputs, **kwargs):
        """Calls the layer on `inputs`: builds it on first use, then runs `call`.

        On Keras tensors (the outputs of `Input()` or of other layers) the call is symbolic: it
        infers the output shapes and masks, records a `Node` linking the inputs to the outputs and
        returns Keras tensors from which a `Model` can be built. On arrays it computes the outputs
        at once.

        # Arguments
            inputs: a tensor or a list of tensors (Keras tensors or arrays).
            **kwargs: passed on to `call` (e.g. `mask`, `training`, `initial_state`).

        # Returns
            A tensor or a list of tensors.

        # Raises
            ValueError: the inputs do not match the layer's `input_spec`.
        """
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if _is_symbolic(inputs):
            with X.outside_user_graph():
                return self._symbolic_call(inputs, **kwargs)
        mask = kwargs.pop('mask', None)
        self.assert_input_compatibility(inputs)
        self._maybe_build(inputs)
        # (a call on arrays computes now: the updates it makes too, outside a step)
        with immediate_updates():
            if not K.state.learning_phase_is_default():
                outputs, out_mask = self._forward(inputs, mask=mask, **kwargs)
            else:
                # in the default (test) phase, noting whether the call read it
                with K.state.learning_phase_probe(phase=0) as probe:
                    outputs, out_mask = self._forward(inputs, mask=mask, **kwargs)
                _mark_learning_phase_use(outputs, probe.reads > 0)
        if _backend_values(inputs):
            self._add_eager_node(inputs, outputs, mask, out_mask, kwargs)
        return unpack_singleton(outputs) if isinstance(outputs, list) else outputs

    def _add_eager_node(self, inputs, outputs, mask, out_mask, arguments):
        # A call on tensors of the backend (`K.constant`, `K.variable`) is a node whose inputs
        # come from no layer, as Keras 2.2.4's call on a TensorFlow tensor was: the layer then
        # has `input_shape`, `output_shape` and `get_output_at` (keras2c reads them).
        input_list = list(to_list(inputs))
        out_list = list(to_list(outputs, allow_tuple=True))
        none = [None] * len(input_list)
        Node(self, inbound_layers=none, node_indices=none, tensor_indices=none,
             input_tensors=input_list, output_tensors=out_list,
             input_masks=masks_for_outputs(mask, len(input_list)),
             output_masks=masks_for_outputs(out_mask, len(out_list)),
             input_shapes=[K.int_shape(x) for x in input_list],
             output_shapes=[K.int_shape(x) for x in out_list],
             arguments=arguments)

    def _symbolic_call(self, inputs, **kwargs):
        input_list = to_list(inputs)
        for x in input_list:
            if not isinstance(x, KerasTensor):
                raise ValueError('Layer %s was called with an input that isn\'t a symbolic tensor. '
                                 'Received type: %s. All inputs to the layer should be tensors.'
                                 % (self.name, type(x).__name__))
        self.assert_input_compatibility(inputs)
        self._maybe_build(inputs)
        arguments = kwargs
        if 'mask' in kwargs:
            mask = kwargs.pop('mask')
            # an explicit mask is part of the call: the graph replays it (Keras 2.2)
            arguments = dict(kwargs, mask=mask)
        else:
            masks = [x._mask_spec for x in input_list]
            mask = unpack_singleton(masks) if isinstance(inputs, list) else masks[0]
        effects = {}
        made = []
        from . import graph_functions
        # the outputs' specs where a layer knows them without its call (the trace then gives
        # the call's effects only): no size stand-in may fit, or one may fix sizes of its own
        untraced = self._untraced_output_specs(inputs)
        try:
            with graph_functions.gradients_in_graph(), weights_made_once(made):
                out_specs, out_mask_specs = shape_inference.infer_call(self, inputs, mask,
                                                                       kwargs, effects=effects)
        except graph_functions.GraphNeeded:
            # The call takes K.gradients of tensors of the call (innvestigate's Gradient
            # layer, a gradient-penalty layer, Keras 2's SWWAE example): it runs on the
            # symbolic tensors themselves, so that its ops and the gradient become nodes of
            # the model's graph, as they were of Keras 2's TensorFlow graph.
            if has_arg(self.call, 'mask'):
                kwargs = dict(kwargs, mask=mask)
            return unpack_singleton(to_list(self.call(inputs, **kwargs), allow_tuple=True))
        except Exception:
            if untraced is None:
                raise
        if untraced is not None:
            out_specs, out_mask_specs = untraced
        effects['update_vars'] = [v for v in effects.get('update_vars', [])
                                  if not getattr(v, '_keras_bookkeeping', False)]
        if effects.get('n_losses') or effects['update_vars']:
            # what this call adds to the losses and updates (Keras 2.2.4 accounting)
            self._call_records = getattr(self, '_call_records', [])
            self._call_records.append({'key': _inputs_key(input_list),
                                       'inputs': list(inputs) if isinstance(inputs, list) else inputs,
                                       'mask': mask, 'kwargs': dict(kwargs),
                                       'n_losses': effects.get('n_losses', 0),
                                       'update_vars': effects.get('update_vars', []),
                                       'values': None})
        outputs = self._add_inbound_node(inputs, out_specs, mask, out_mask_specs, arguments)
        # (the weights of layers the call made, for its runs: `weights_made_once`)
        self._inbound_nodes[-1]._made_weights = made
        # Keras 2.2.4's random ops each drew a seed from NumPy's global generator when the
        # graph was built (`np.random.randint(10e6)`): so does this call, once per random op
        # it traced; a model's steps draw their keys from its nodes' seeds
        # (`Network._graph_seed`), not from the generator's state when it first trains
        self._inbound_nodes[-1]._seeds = [int(np.random.randint(10e6))
                                          for _ in range(effects.get('random_ops', 0))]
        if effects.get('kept') or vars(self).get('_kept_attributes'):
            from .op_layer import kept_tensors
            kept_tensors(self, self._inbound_nodes[-1], effects.get('kept', []))
        if self._declares_output_shape():
            self._declare_output_shapes(inputs, outputs)
        # Keras 2.2.4: an output depends on the learning phase when the call read it, when
        # an input does, or when the layer (a model) says so
        uses_lp = (effects.get('uses_learning_phase', False)
                   or any(x._uses_learning_phase for x in input_list)
                   or bool(getattr(self, 'uses_learning_phase', False)))
        for t in to_list(outputs, allow_tuple=True):
            t._uses_learning_phase = uses_lp
        return outputs

    def _add_inbound_node(self, inputs=None, out_specs=None, input_mask=None,
                          out_mask_specs=None, arguments=None, **keras2):
        if keras2:
            return self._add_keras2_inbound_node(arguments=arguments, **keras2)
        # a copy: the caller may append to its list afterwards (Keras 2.2 code does)
        input_list = list(to_list(inputs))
        out_list = to_list(out_specs, allow_tuple=True)
        out_mask_list = masks_for_outputs(out_mask_specs, len(out_list))
        node_index = len(self._inbound_nodes)
        outputs = []
        op_types_seen = {}
        for i, (spec, mspec) in enumerate(zip(out_list, out_mask_list)):
            # (the outputs of a layer's later calls are named for the call, as TensorFlow's
            # name scopes made `shared/...`, `shared_1/...`: converters key nodes on them)
            scope = self.name if node_index == 0 else '%s_%d' % (self.name, node_index)
            op_type = getattr(spec, 'op_type', None)
            op_name = None
            if op_type is None:
                name = '%s/%s' % (scope, 'output_%d' % i if len(out_list) > 1 else 'output')
            else:
                # where the backend's graph names the op computing the output (TensorFlow),
                # the tensor is named as Keras 2.2.4's was there: the op `<scope>/<type>`
                # (`<type>_1`, ... for the call's later ops of a type), output 0
                # (`dense_2/Softmax:0`)
                seen = op_types_seen.get(op_type, 0)
                op_types_seen[op_type] = seen + 1
                op_name = '%s/%s' % (scope, op_type if not seen else '%s_%d' % (op_type, seen))
                name = op_name + ':0'
            t = KerasTensor(spec.shape, spec.dtype, name=name, keras_history=(self, node_index, i))
            t._mask_spec = mspec
            t._op_type = op_type
            t._op_name = op_name
            t._op_input_specs = getattr(spec, 'op_inputs', None)
            outputs.append(t)
        node = Node(self,
                    inbound_layers=[x._keras_history[0] for x in input_list],
                    node_indices=[x._keras_history[1] for x in input_list],
                    tensor_indices=[x._keras_history[2] for x in input_list],
                    input_tensors=input_list, output_tensors=outputs,
                    input_masks=[x._mask_spec for x in input_list],
                    output_masks=out_mask_list,
                    input_shapes=[x.shape for x in input_list],
                    output_shapes=[x.shape for x in outputs],
                    arguments=arguments)
        # (a call given a list of one tensor, `Lambda(f)([x])`, gets that list when the
        # model runs, as Keras 2.2.4's graph kept the call as made)
        node._input_list = isinstance(inputs, list)
        # a list of one output is that output, as Keras 2.2.4 unpacks it
        # (e.g. a Lambda returning `K.gradients(...)`)
        return unpack_singleton(outputs)

    def _add_keras2_inbound_node(self, input_tensors, output_tensors, input_masks=None,
                                 output_masks=None, input_shapes=None, output_shapes=None,
                                 arguments=None):
        """Keras 2.2.4's `_add_inbound_node`, called by layers that override `__call__`
        (recurrentshop's RecurrentModel: `self.call` on the Keras tensors, then this): the
        outputs, computed from the inputs by that call, become this layer's node, which
        the graph runs by calling the layer again, as Keras 2.2.4's graph ran the ops. The
        masks and shapes given are accepted and read from the tensors themselves."""
        input_list = list(to_list(input_tensors))
        out_list = list(to_list(output_tensors, allow_tuple=True))
        node_index = len(self._inbound_nodes)
        Node(self,
             inbound_layers=[x._keras_history[0] for x in input_list],
             node_indices=[x._keras_history[1] for x in input_list],
             tensor_indices=[x._keras_history[2] for x in input_list],
             input_tensors=input_list, output_tensors=out_list,
             input_masks=[x._mask_spec for x in input_list],
             output_masks=[x._mask_spec for x in out_list],
             input_shapes=[x.shape for x in input_list],
             output_shapes=[x._keras_shape for x in out_list],
             arguments=arguments)
        for i, t in enumerate(out_list):
            t._keras_history = (self, node_index, i)

    def _untraced_output_specs(self, inputs):
        """`(output specs, output mask specs)` known without tracing `call` on `inputs`, or
        None. They are the outputs' (the trace gives the call's effects only): a trace on
        stand-ins for unknown sizes may fail, or fit only with sizes of its own, where the
        graph holds a constant of the real sizes."""
        return None

    def _declares_output_shape(self):
        # Keras 2.2.4 gave a call's outputs the shapes `compute_output_shape` returns. This
        # package's layers compute the shapes their calls give; a `compute_output_shape`
        # written outside it (a custom layer's) is a declaration, and it is honoured.
        method = getattr(type(self), 'compute_output_shape', None)
        # (a class made by `exec` of code with no `__name__` has methods of module None)
        module = getattr(method, '__module__', 'keras.')
        return not (module or '').startswith('keras.')

    def _declare_output_shapes(self, inputs, outputs):
        # The outputs' Keras shapes (`K.int_shape`, the layers built on them, the model's
        # output shape and targets) are the declared ones, whatever the call computes
        # (keras-rl's loss Lambda sums over the last axis and declares (1,), so its targets
        # are (batch, 1); innvestigate declares (batch, 1) for a (batch, 1, 1, 1) sum), as
        # Keras 2.2.4's `_keras_shape`; the ops that compute on them see the computed
        # shapes, as TensorFlow ops saw a tensor's own (Mask R-CNN declares (None, 1) for a
        # (2, None) output). A size the declaration leaves unknown keeps the computed one;
        # a declaration that cannot be evaluated or is not a shape per output is ignored.
        # (a list of one tensor gives its shape, as Keras 2.2.4's `_collect_input_shape`)
        try:
            declared = self.compute_output_shape(_collect_input_shape(inputs))
        except Exception:
            return
        outs = outputs if isinstance(outputs, list) else [outputs]
        shapes = declared if isinstance(declared, list) else [declared]
        if len(shapes) != len(outs) or not all(_is_shape_tuple(d) for d in shapes):
            return
        for t, shape in zip(outs, shapes):
            if len(shape) == len(t.shape):
                shape = tuple(c if d is None else d for d, c in zip(shape, t.shape))
                # a size only the declaration knows (Mask R-CNN's ROI layers pad their
                # `tf.where` picks to the declared count) is the tensor's too, as
                # `set_shape` gives it: the layers built on it compute with it, as
                # Keras 2.2.4's did from the `_keras_shape` (TimeDistributed(Dense) of
                # (None, 16, 8) is (None, 16, 4))
                t.set_shape(tuple(d if c is None else c for d, c in zip(shape, t.shape)))
            t._declared_shape = tuple(None if d is None else int(d) for d in shape)
            _, node_index, tensor_index = t._keras_history
            self._inbound_nodes[node_index].output_shapes[tensor_index] = t._declared_shape

    # ------------------------------------------------------------------ node properties
    def _get_node_attribute_at_index(self, node_index, attr, attr_name):
        if not self._inbound_nodes:
            raise AttributeError('The layer "%s" has never been called and thus has no defined %s.'
                                 % (self.name, attr_name))
        if not len(self._inbound_nodes) > node_index:
            raise ValueError('Asked to get %s at node %d, but the layer has only %d inbound nodes.'
                             % (attr_name, node_index, len(self._inbound_nodes)))
        values = getattr(self._inbound_nodes[node_index], attr)
        return values[0] if len(values) == 1 else values

    def get_input_shape_at(self, node_index):
        """The input shape(s) of the layer's call number `node_index`.

        # Arguments
            node_index: which call of the layer (0 for the first).

        # Returns
            A shape tuple or a list of shape tuples.
        """
        return self._get_node_attribute_at_index(node_index, 'input_shapes', 'input shape')

    def get_output_shape_at(self, node_index):
        """The output shape(s) of the layer's call number `node_index`.

        # Arguments
            node_index: which call of the layer (0 for the first).

        # Returns
            A shape tuple or a list of shape tuples.
        """
        return self._get_node_attribute_at_index(node_index, 'output_shapes', 'output shape')

    def get_input_at(self, node_index):
        """The input tensor(s) of the layer's call number `node_index`.

        # Arguments
            node_index: which call of the layer (0 for the first).

        # Returns
            A tensor or a list of tensors.

        # Raises
            ValueError: the layer has no such call.
        """
        return self._get_node_attribute_at_index(node_index, 'input_tensors', 'input')

    def get_output_at(self, node_index):
        """The output tensor(s) of the layer's call number `node_index`.

        # Arguments
            node_index: which call of the layer (0 for the first).

        # Returns
            A tensor or a list of tensors.
        """
        return self._get_node_attribute_at_index(node_index, 'output_tensors', 'output')

    def get_input_mask_at(self, node_index):
        """The input mask(s) of the layer's call number `node_index`.

        # Arguments
            node_index: which call of the layer (0 for the first).

        # Returns
            A mask tensor (or `None`) or a list of them.
        """
        return self._get_node_attribute_at_index(node_index, 'input_masks', 'input mask')

    def get_output_mask_at(self, node_index):
        """The output mask(s) of the layer's call number `node_index`.

        # Arguments
            node_index: which call of the layer (0 for the first).

        # Returns
            A mask tensor (or `None`) or a list of them.
        """
        return self._get_node_attribute_at_index(node_index, 'output_masks', 'output mask')

    def _single_node_attr(self, attr, attr_name):
        if len(self._inbound_nodes) > 1:
            raise AttributeError('Layer %s has multiple inbound nodes, hence the notion of "layer %s" '
                                 'is ill-defined. Use `get_%s_at(node_index)` instead.'
                                 % (self.name, attr_name, attr_name.replace(' ', '_')))
        if not self._inbound_nodes:
            raise AttributeError('Layer %s is not connected, no %s to return.' % (self.name, attr_name))
        return self._get_node_attribute_at_index(0, attr, attr_name)

    @property
    def input(self):
        return self._single_node_attr('input_tensors', 'input')

    @property
    def output(self):
        return self._single_node_attr('output_tensors', 'output')

    @property
    def input_mask(self):
        return self._single_node_attr('input_masks', 'input mask')

    @property
    def output_mask(self):
        return self._single_node_attr('output_masks', 'output mask')

    def _shape_of_all_nodes(self, side):
        """The `side` ('input' or 'output') shape shared by every inbound node."""
        if not self._inbound_nodes:
            raise AttributeError('The layer has never been called and thus has no defined %s '
                                 'shape.' % side)
        attr = side + '_shapes'
        shapes = set(str(getattr(n, attr)) for n in self._inbound_nodes)
        if len(shapes) == 1:
            return self._get_node_attribute_at_index(0, attr, side + ' shape')
        raise AttributeError('The layer "%s" has multiple inbound nodes, with different %s '
                             'shapes. Use `get_%s_shape_at(node_index)` instead.'
                             % (self.name, side, side))

    @property
    def input_shape(self):
        return self._shape_of_all_nodes('input')

    @property
    def output_shape(self):
        return self._shape_of_all_nodes('output')

    # ------------------------------------------------------------------ config
    def get_config(self):
        """The layer's configuration as a JSON-serializable dictionary.

        `layer.__class__.from_config(config)` creates an equal layer without its weights.

        # Returns
            A Python dictionary.
        """
        config = {'name': self.name, 'trainable': self.trainable}
        if hasattr(self, 'batch_input_shape'):
            config['batch_input_shape'] = self.batch_input_shape
        if hasattr(self, 'dtype'):
            config['dtype'] = self.dtype
        return config

    @classmethod
    def from_config(cls, config):
        """Creates a layer from its config (the dictionary `get_config` returns).

        # Arguments
            config: a Python dictionary.

        # Returns
            A layer instance.
        """
        return cls(**config)


def masks_for_outputs(masks, n):
    """One mask per output of a call: `masks` (a mask, or a list of them, from
    `compute_mask`) padded with None, or cut, to `n` entries (no output is dropped).

    # Arguments
        masks: a mask, a list or tuple of masks, or None.
        n: the number of outputs.

    # Returns
        A list of `n` masks (None for an output without one).
    """
    masks = list(masks) if isinstance(masks, (list, tuple)) else [masks]
    return (masks + [None] * n)[:n]


def _inputs_key(inputs):
    """Key of `_per_input_losses` / `_per_input_updates`: None (unconditional) or the
    identities of the input tensors (Keras 2.2.4's `object_list_uid`)."""
    if inputs is None or (isinstance(inputs, list) and not inputs):
        return None
    return object_list_uid(inputs)


def _materialize(layer, record):
    """The symbolic losses and `(variable, new_value)` updates of one recorded call."""
    if record.get('values') is None:
        if record.get('materializing'):
            # the layer's own `call`, run to make them, reads `self.updates` (a custom
            # layer's `self.updates.append(K.update_add(...))`): none yet, rather than a
            # call without end
            return {'losses': [], 'updates': []}

        def effect(kind, index):
            return _CallEffect(layer, record['kwargs'], kind, index)(record['inputs'])
        record['materializing'] = True
        try:
            record['values'] = {
                'losses': [effect('loss', i) for i in range(record['n_losses'])],
                'updates': [(var, effect('update', var)) for var in record['update_vars']]}
        finally:
            record['materializing'] = False
    return record['values']


def is_symbolic(x):
    return isinstance(x, KerasTensor)


class _CallEffect(Layer):
    """One loss (`kind='loss'`, the `index`-th) or the new value of one updated variable
    (`kind='update'`, `index` is the variable) of a call of `layer` in the training phase,
    as a tensor of the graph (made by `_materialize` for Keras 2.2.4's accounting; the call
    runs in a scope of its own, so evaluating it changes no variable)."""

    _graph_internal = True

    def __init__(self, layer, call_kwargs, kind, index, **kwargs):
        super(_CallEffect, self).__init__(name='%s_%s_%d' % (layer.name, kind,
                                                             K.get_uid('call_effect')), **kwargs)
        self._target = layer
        self._target_kwargs = dict(call_kwargs)
        self._kind = kind
        self._index = index
        self._sublayers = [layer]  # its variables are read by the call
        self.supports_masking = True
        self.built = True

    def _eager_losses(self):
        return []

    def call(self, inputs, mask=None):
        with K.StatelessScope() as scope, K.learning_phase_scope(1):
            self._target._forward(inputs, mask=mask, **self._target_kwargs)
        if self._kind == 'loss':
            return scope.losses[self._index]
        return scope.updates[self._index]

    def compute_mask(self, inputs, mask=None):
        return None


# Keras 2.2.4's module-level helpers, which layer libraries written for it import from here
# (recurrentshop, attention and ELMo layers).
import copy  # noqa: E402,F401

from ..legacy import interfaces  # noqa: E402,F401
from ..utils.generic_utils import is_all_none  # noqa: E402,F401
from ..utils.layer_utils import count_params  # noqa: E402,F401

_to_snake_case = _snake_case


def _collect_previous_mask(input_tensors):
    """The masks of tensors of the graph, as the nodes that made them hold them.

    # Arguments
        input_tensors: a tensor or a list of tensors.

    # Returns
        A mask (a tensor of the graph, or None for a tensor without a mask or that no
        layer made), or a list of them for a list of tensors.
    """
    masks = []
    for x in to_list(input_tensors, allow_tuple=True):
        history = getattr(x, '_keras_history', None)
        if history is None:
            masks.append(None)
            continue
        layer, node_index, tensor_index = history
        masks.append(layer._inbound_nodes[node_index].output_masks[tensor_index])
    return unpack_singleton(masks)


def _collect_input_shape(input_tensors):
    """The static shapes of tensors (`K.int_shape`; None for a value that has none).

    # Arguments
        input_tensors: a tensor or a list of tensors.

    # Returns
        A shape tuple, or a list of them for a list of tensors.
    """
    shapes = []
    for x in to_list(input_tensors, allow_tuple=True):
        try:
            shapes.append(K.int_shape(x))
        except (TypeError, ValueError, AttributeError):
            shapes.append(None)
    return unpack_singleton(shapes)
