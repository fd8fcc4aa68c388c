"""Layer/model utilities: print_summary, count_params, get_source_inputs, kernel conversion."""
import numpy as np

from .. import backend as K
from .conv_utils import convert_kernel


def count_params(weights):
    """Total number of scalars in a list of weights (unique variables).

    # Arguments
        weights: list of variables.

    # Returns
        An integer, the number of scalars in the weights.
    """
    seen = set()
    total = 0
    for w in weights:
        if id(w) in seen:
            continue
        seen.add(id(w))
        total += int(np.prod(K.int_shape(w)))
    return total


def _is_sequential_like(model):
    if model.__class__.__name__ == 'Sequential' or not getattr(model, '_is_graph_network', True):
        return True
    nodes = []
    for group in model._nodes_by_depth.values():
        if len(group) > 1 or (len(group) == 1 and len(group[0].inbound_layers) > 1):
            return False
        nodes.extend(group)
    node_ids = set(id(n) for n in nodes)
    for layer in model.layers:
        if sum(1 for node in layer._inbound_nodes if id(node) in node_ids) > 1:
            return False
    return True


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Print the Keras 2 text summary of a model (with a 'Connected to' column for graphs).

    # Arguments
        model: the model.
        line_length: total length of the printed lines.
        positions: relative or absolute positions of the column ends.
        print_fn: the function printing each line (default `print`).
    """
    if print_fn is None:
        print_fn = print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [.45, .85, 1.]
        headers = ['Layer (type)', 'Output Shape', 'Param #']
    else:
        line_length = line_length or 98
        positions = positions or [.33, .55, .67, 1.]
        headers = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to']
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    relevant = set()
    if not sequential_like:
        for group in model._nodes_by_depth.values():
            relevant.update(id(n) for n in group)

    def row(fields):
        line = ''
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + ' '
            line += str(field)
            line = line[:positions[i]]
            line += ' ' * (positions[i] - len(line))
        print_fn(line)

    print_fn('_' * line_length)
    row(headers)
    print_fn('=' * line_length)
    layers = model.layers
    for i, layer in enumerate(layers):
        try:
            output_shape = layer.output_shape
        except (AttributeError, ValueError):
            output_shape = 'multiple'
        label = '%s (%s)' % (layer.name, layer.__class__.__name__)
        if sequential_like:
            row([label, output_shape, layer.count_params()])
        else:
            connections = []
            for node in layer._inbound_nodes:
                if relevant and id(node) not in relevant:
                    continue
                for inbound, node_index, tensor_index in zip(node.inbound_layers, node.node_indices,
                                                             node.tensor_indices):
                    connections.append('%s[%d][%d]' % (inbound.name, node_index, tensor_index))
            row([label, output_shape, layer.count_params(), connections[0] if connections else ''])
            for extra in connections[1:]:
                row(['', '', '', extra])
        print_fn(('=' if i == len(layers) - 1 else '_') * line_length)
    check = getattr(model, '_check_trainable_weights_consistency', None)
    if check is not None:
        check()
    # (as Keras 2.2.4 counted: the trainable weights a compiled model collected at compile,
    # the non-trainable ones it has now; after `trainable` changed without a new compile,
    # a weight may be in both, which the warning above says)
    collected = getattr(model, '_collected_trainable_weights', None)
    trainable_count = count_params(model.trainable_weights if collected is None else collected)
    non_trainable_count = count_params(model.non_trainable_weights)
    print_fn('Total params: {:,}'.format(trainable_count + non_trainable_count))
    print_fn('Trainable params: {:,}'.format(trainable_count))
    print_fn('Non-trainable params: {:,}'.format(non_trainable_count))
    print_fn('_' * line_length)


def get_source_inputs(tensor, layer=None, node_index=None):
    """The input tensors (of InputLayers) a symbolic tensor ultimately depends on.

    # Arguments
        tensor: a symbolic tensor.
        layer: the layer that produced `tensor` (default: from its history).
        node_index: the index of the node of `layer` that produced `tensor`.

    # Returns
        A list of input tensors.

    # Raises
        ValueError: if `tensor` is not a Keras symbolic tensor (it has no layer history).
    """
    if not hasattr(tensor, '_keras_history') or tensor._keras_history is None:
        raise ValueError('get_source_inputs: expected a Keras symbolic tensor, got %r' % (tensor,))
    if layer is None or node_index is None:
        layer, node_index, _ = tensor._keras_history
    if not layer._inbound_nodes:
        return [tensor]
    node = layer._inbound_nodes[node_index]
    if not node.inbound_layers:
        return node.input_tensors
    sources = []
    for x in node.input_tensors:
        for s in get_source_inputs(x):
            if all(s is not t for t in sources):
                sources.append(s)
    return sources


def convert_all_kernels_in_model(model):
    """Flip convolution kernels (Theano <-> TensorFlow convention) for every conv layer.

    # Arguments
        model: the model whose convolution kernels are flipped in place.
    """
    conv_classes = {'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose'}
    to_assign = []
    for layer in model.layers:
        if layer.__class__.__name__ in conv_classes:
            original = K.get_value(layer.kernel)
            to_assign.append((layer.kernel, convert_kernel(original)))
    K.batch_set_value(to_assign)


def convert_dense_weights_data_format(dense, previous_feature_map_shape,
                                      target_data_format='channels_first'):
    """Reorder the rows of a Dense kernel that follows a Flatten when the data format of the
    feature maps before it changes (Keras 2.2 semantics).

    # Arguments
        dense: the `Dense` layer after the `Flatten` layer.
        previous_feature_map_shape: the shape of the feature map before `Flatten`, without the
            batch axis.
        target_data_format: the data format the model is converted to, `"channels_first"` or
            `"channels_last"`.
    """
    if target_data_format not in ('channels_first', 'channels_last'):
        raise ValueError("target_data_format: expected 'channels_first' or 'channels_last', got %r"
                         % (target_data_format,))
    kernel, bias = dense.get_weights()
    for i in range(kernel.shape[1]):
        if target_data_format == 'channels_first':
            c, h, w = previous_feature_map_shape
            original_fm_shape = (h, w, c)
            ki = kernel[:, i].reshape(original_fm_shape)
            ki = np.transpose(ki, (2, 0, 1))
        else:
            h, w, c = previous_feature_map_shape
            original_fm_shape = (c, h, w)
            ki = kernel[:, i].reshape(original_fm_shape)
            ki = np.transpose(ki, (1, 2, 0))
        kernel[:, i] = np.reshape(ki, (np.prod(previous_feature_map_shape),))
    dense.set_weights([kernel, bias])
