"""Model classes and model-level (de)serialization."""
from .engine.training import Model  # noqa: F401
from .engine.sequential import Sequential  # noqa: F401
from .engine.input_layer import Input, InputLayer  # noqa: F401
from .engine.saving import (save_model, load_model, model_from_config,  # noqa: F401
                            model_from_json, model_from_yaml)
from .engine.network import _map_tensor_arguments
from .backend.keras_tensor import KerasTensor
from .utils.generic_utils import CustomObjectScope, to_list
# the other names of Keras 2.2.4's keras/models.py (`from keras.models import K, Model`)
from . import backend as K  # noqa: F401
from .utils.generic_utils import has_arg  # noqa: F401
try:
    import h5py
except ImportError:
    h5py = None


def _layer_class_scope(model):
    """Custom-object scope naming every layer class used in `model` (nested ones too), so
    configs of custom layers inside nested models can be rebuilt."""
    from .engine.saving import _layer_classes
    return CustomObjectScope(_layer_classes(model))


def _clone_layer(layer):
    from .engine.op_layer import TensorOp
    if isinstance(layer, TensorOp):
        return layer  # stateless backend op: safe to share
    return layer.__class__.from_config(layer.get_config())


def _is_keras_tensor(x):
    return isinstance(x, KerasTensor) and x._keras_history is not None


def _clone_functional_model(model, input_tensors=None):
    """Clone a functional `Model`.

    Its layers, created afresh from their configs, are called again in the order of the
    original graph.

    # Arguments
        model: the functional `Model` to clone (not a `Sequential`).
        input_tensors: optional tensors (one per model input) to build the clone on; a tensor
            that is not a Keras tensor is wrapped in an `Input` layer. New placeholders
            are created when None.

    # Returns
        A new `Model` with the same name, inputs and outputs structure and new weights.

    # Raises
        ValueError: if `model` is not a functional `Model`, if `input_tensors` does not
            hold one tensor per model input, or if an output of the model cannot be computed
            from the inputs.
    """
    if not isinstance(model, Model):
        raise ValueError('clone_model: expected `model` to be a `Model` instance, got %r'
                         % (model,))
    if isinstance(model, Sequential):
        raise ValueError('clone_model: expected a functional `Model` instance, got a '
                         '`Sequential` instance instead: %r' % (model,))
    layer_map = {}
    tensor_map = {}
    if input_tensors is None:
        new_inputs = []
        for layer in model.input_layers:
            x = Input(batch_shape=layer.batch_input_shape, dtype=layer.dtype,
                      sparse=getattr(layer, 'sparse', False), name=layer.name)
            new_inputs.append(x)
            layer_map[id(layer)] = x._keras_history[0]
    else:
        input_tensors = to_list(input_tensors, allow_tuple=True)
        if len(input_tensors) != len(model.inputs):
            raise ValueError('clone_model: input_tensors has %d tensor(s), but the model has %d '
                             'input(s)' % (len(input_tensors), len(model.inputs)))
        new_inputs = []
        for i, x in enumerate(input_tensors):
            if not _is_keras_tensor(x):
                name = model.input_layers[i].name
                x = Input(tensor=x, name='input_wrapper_for_' + name)
            new_inputs.append(x)
    for x, y in zip(model.inputs, new_inputs):
        tensor_map[id(x)] = y

    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            layer = node.outbound_layer
            if isinstance(layer, InputLayer) or not node.inbound_layers:
                continue
            if not all(id(x) in tensor_map for x in node.input_tensors):
                continue
            new_layer = layer_map.get(id(layer))
            if new_layer is None:
                new_layer = _clone_layer(layer)
                layer_map[id(layer)] = new_layer
            xs = [tensor_map[id(x)] for x in node.input_tensors]
            kwargs = _map_tensor_arguments(node.arguments, lambda t: tensor_map[id(t)])
            outs = new_layer(xs[0] if len(xs) == 1 else xs, **kwargs)
            outs = to_list(outs, allow_tuple=True)
            for x, y in zip(node.output_tensors, outs):
                tensor_map[id(x)] = y
    missing = [x.name for x in model.outputs if id(x) not in tensor_map]
    if missing:
        raise ValueError('clone_model: could not compute the output tensors %s of the model'
                         % missing)
    outputs = [tensor_map[id(x)] for x in model.outputs]
    return Model(new_inputs, outputs if model._output_was_list or len(outputs) > 1
                 else outputs[0], name=model.name)


def _clone_sequential_model(model, input_tensors=None):
    """Clone a `Sequential` model: a new `Sequential` of its layers made from their configs.

    # Arguments
        model: the `Sequential` model to clone.
        input_tensors: optional single tensor (or list of one) to build the clone on; a
            tensor that is not a Keras tensor is wrapped in an `Input` layer. When None, the
            clone gets a new input of the same shape if `model` has one.

    # Returns
        A new `Sequential` model with the same name and new weights.

    # Raises
        ValueError: if `model` is not a `Sequential`, if `input_tensors` holds more than one
            tensor, or if the tensor comes from a layer other than an `InputLayer`.
    """
    if not isinstance(model, Sequential):
        raise ValueError('clone_model: expected a `Sequential` model instance, got %r'
                         % (model,))
    layers = [_clone_layer(layer) for layer in model.layers]
    if input_tensors is None:
        if model.inputs:
            source = model.inputs[0]._keras_history[0]
            x = Input(batch_shape=model.inputs[0].shape, dtype=model.inputs[0].dtype,
                      name=source.name)
            return Sequential(layers=[x._keras_history[0]] + layers, name=model.name)
        return Sequential(layers=layers, name=model.name)
    input_tensors = to_list(input_tensors, allow_tuple=True)
    if len(input_tensors) != 1:
        raise ValueError('clone_model: to clone a `Sequential` model, input_tensors must hold '
                         'at most one tensor, got %d' % len(input_tensors))
    x = input_tensors[0]
    if _is_keras_tensor(x):
        origin = x._keras_history[0]
        if isinstance(origin, InputLayer):
            return Sequential(layers=[origin] + layers, name=model.name)
        raise ValueError('clone_model: cannot clone a `Sequential` model on top of a tensor that '
                         'comes from a Keras layer other than an `InputLayer` (%s). Use the '
                         'functional API instead.' % origin.name)
    x = Input(tensor=x, name='input_wrapper_for_' + str(getattr(x, 'name', 'input')))
    return Sequential(layers=[x._keras_history[0]] + layers, name=model.name)


def clone_model(model, input_tensors=None):
    """Clone a model (Keras 2.2 `clone_model`).

    The clone has the same architecture as `model` and freshly initialized weights; layers
    shared in `model` are shared in the clone.

    # Arguments
        model: a `Model` or `Sequential` instance.
        input_tensors: optional list of input tensors to build the clone on (new
            placeholders are created otherwise).

    # Returns
        A new model with the same architecture and new weights (initialized afresh).

    # Raises
        ValueError: if `model` is not a `Model` instance, or if `input_tensors` does not fit
            it: not one tensor per input of a functional model, more than one tensor for a
            `Sequential` model, or a tensor output by a layer other than an `InputLayer`.
    """
    if not isinstance(model, Model):
        raise ValueError('clone_model: expected `model` to be a `Model` instance, got %r of '
                         'type %s' % (model, type(model).__name__))
    with _layer_class_scope(model):
        if isinstance(model, Sequential):
            return _clone_sequential_model(model, input_tensors=input_tensors)
        return _clone_functional_model(model, input_tensors=input_tensors)
