"""Utilities for drawing a model's layer graph with pydot / GraphViz (Keras 2.2 `vis_utils`)."""
import os

try:
    import pydot
except ImportError:  # pragma: no cover - exercised through monkeypatching in the tests
    pydot = None


def _check_pydot():
    """Raise an informative error when pydot is unavailable."""
    if pydot is None:
        raise ImportError('Failed to import `pydot`. Please install `pydot`. '
                          'For example with `pip install pydot`.')


def _check_graphviz():
    """Raise an informative error when GraphViz's `dot` program cannot be run (only drawing
    to a file needs it; `model_to_dot` does not)."""
    _check_pydot()
    try:
        # Runs `dot` on an empty graph: fails when the GraphViz executables are missing.
        pydot.Dot.create(pydot.Dot())
    except (OSError, FileNotFoundError) as e:
        raise OSError('`pydot` failed to call GraphViz. Please install GraphViz '
                      '(https://www.graphviz.org/, e.g. `apt-get install graphviz`) and ensure '
                      'that its executables are in the $PATH. (%s)' % (e,))


def _layer_label(layer, show_shapes, show_layer_names):
    layer_name = layer.name
    class_name = layer.__class__.__name__
    inner = getattr(layer, 'layer', None)
    if inner is not None and hasattr(inner, '_inbound_nodes') and hasattr(inner, 'name'):
        # Wrapper layers (TimeDistributed, Bidirectional): show the wrapped layer too.
        layer_name = '{}({})'.format(layer_name, inner.name)
        class_name = '{}({})'.format(class_name, inner.__class__.__name__)
    label = '{}: {}'.format(layer_name, class_name) if show_layer_names else class_name
    if show_shapes:
        try:
            output_labels = str(layer.output_shape)
        except AttributeError:
            output_labels = 'multiple'
        try:
            input_labels = str(layer.input_shape)
        except AttributeError:
            input_labels = 'multiple'
        label = '%s\n|{input:|output:}|{{%s}|{%s}}' % (label, input_labels, output_labels)
    return label


def model_to_dot(model, show_shapes=False, show_layer_names=True, rankdir='TB'):
    """Convert a Keras model to a `pydot.Dot` graph.

    # Arguments
        model: a Keras model instance.
        show_shapes: whether to display input/output shapes in each node.
        show_layer_names: whether to display layer names.
        rankdir: `rankdir` argument passed to PyDot: 'TB' (vertical) or 'LR' (horizontal).

    # Returns
        A `pydot.Dot` instance representing the model. A nested model is drawn as one node.

    # Raises
        ValueError: if `rankdir` is not one of 'TB', 'LR', 'BT', 'RL'.
        ImportError: if pydot is not installed.
    """
    from ..engine.sequential import Sequential
    from ..engine.network import _node_key

    if rankdir not in ('TB', 'LR', 'BT', 'RL'):
        raise ValueError("rankdir: expected one of 'TB', 'LR', 'BT', 'RL', got %r" % (rankdir,))
    _check_pydot()
    dot = pydot.Dot()
    dot.set('rankdir', rankdir)
    dot.set('concentrate', True)
    dot.set_node_defaults(shape='record')

    if isinstance(model, Sequential) and not model.built and not model.inputs:
        model.build()
    layers = list(getattr(model, '_layers', None) or model.layers)
    network_nodes = getattr(model, '_network_nodes', set())

    for layer in layers:
        node = pydot.Node(str(id(layer)), label=_layer_label(layer, show_shapes, show_layer_names))
        dot.add_node(node)

    for layer in layers:
        layer_id = str(id(layer))
        for i, node in enumerate(layer._inbound_nodes):
            if _node_key(layer, i) in network_nodes:
                for inbound_layer in node.inbound_layers:
                    dot.add_edge(pydot.Edge(str(id(inbound_layer)), layer_id))
    return dot


def plot_model(model, to_file='model.png', show_shapes=False, show_layer_names=True,
               rankdir='TB'):
    """Draw the model graph to `to_file`; the format follows the extension (png by default).

    # Arguments
        model: a Keras model instance.
        to_file: file name of the plot image (`.png`, `.svg`, `.pdf`, ... any GraphViz format).
        show_shapes: whether to display shape information.
        show_layer_names: whether to display layer names.
        rankdir: `rankdir` argument passed to PyDot: 'TB' (vertical) or 'LR' (horizontal).
    """
    _check_graphviz()
    dot = model_to_dot(model, show_shapes, show_layer_names, rankdir)
    _, extension = os.path.splitext(str(to_file))
    extension = extension[1:].lower() if extension else 'png'
    dot.write(to_file, format=extension)
