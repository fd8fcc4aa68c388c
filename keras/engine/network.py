"""Network: a directed acyclic graph of layers, itself usable as a layer."""
import contextlib
import copy
import itertools
import json
import threading
import weakref

import numpy as np

from .. import backend as K
from ..legacy import interfaces
from .. import registry
from ..backend import distribution
from ..backend import keras_tensor
from ..backend.keras_tensor import KerasTensor
from ..backend.scopes import VariableExpression
from ..utils.generic_utils import has_arg, to_list, unpack_singleton
from .base_layer import Layer, Node, masks_for_outputs, weights_made_once
from .input_layer import InputLayer
from .op_layer import KeptValue, kept_call


_placement = threading.local()

# the networks made since the last `K.clear_session`, each with the order it was made in:
# the TensorFlow backend's `K.get_session().graph` holds the inference graphs of those of
# them still alive, as Keras 2.2.4's session graph held every model made in it
_LIVE_NETWORKS = weakref.WeakKeyDictionary()
_NETWORKS_MADE = itertools.count()
K._SESSION_CLEAR_HOOKS.append(_LIVE_NETWORKS.clear)


def _live_graph_networks():
    """The graph networks made since the last `K.clear_session` and still alive, with
    their inputs and outputs, in the order they were made."""
    made = [(order, net) for net, order in list(_LIVE_NETWORKS.items())]
    return [net for _, net in sorted(made, key=lambda item: item[0])
            if getattr(net, '_is_graph_network', False) and net.inputs and net.outputs]


registry.provide('live_graph_networks', _live_graph_networks)


@contextlib.contextmanager
def _placed_on(device):
    """Run a node's call on the device recorded when it was made (`Node.device`). The
    outermost placed call decides: a model called under `tf.device('/gpu:1')` runs its
    inner layers there, whatever scope they were built under (as Keras 2 on TensorFlow
    created a call's ops in the scope of that call)."""
    if device is None or getattr(_placement, 'active', False):
        yield
        return
    _placement.active = True
    try:
        with distribution.device_scope(device):
            yield
    finally:
        _placement.active = False


def _node_key(layer, node_index):
    return layer.name + '_ib-' + str(node_index)


class Network(Layer):
    """A graph of layers from `inputs` to `outputs` (Keras 2 `Network`/`Model`).

    # Arguments
        inputs: the input tensor or list of input tensors (from `Input()`).
        outputs: the output tensor or list of output tensors.
        name: optional name of the network.
    """

    # a model's layers have unique names (saving keys weights by them); the graphs of
    # `K.function` and `K.gradients` need not (`GraphFunctionNetwork`)
    _unique_layer_names = True

    # Keras 2.2.4's private names for the graph's ends (code written for it reads them)
    @property
    def _input_layers(self):
        return self.input_layers

    @property
    def _output_layers(self):
        return self.output_layers

    @interfaces.legacy_model_constructor_support
    def __init__(self, *args, **kwargs):
        if (len(args) == 2 or (len(args) == 1 and 'outputs' in kwargs)
                or ('inputs' in kwargs and 'outputs' in kwargs)):
            self._init_graph_network(*args, **kwargs)
        else:
            self._init_subclassed_network(**kwargs)

    # ------------------------------------------------------------------ construction
    def _base_init(self, name):
        if not name:
            prefix = self.__class__.__name__.lower()
            name = prefix + '_' + str(K.get_uid(prefix))
        Layer.__init__(self, name=name)
        self.supports_masking = False
        self.optimizer = None
        self._is_compiled = False
        self._expects_training_arg = False
        self._compiled_cache = {}
        try:
            _LIVE_NETWORKS[self] = next(_NETWORKS_MADE)
        except TypeError:   # a subclass defining __eq__ without __hash__: not hashable
            pass

    def _init_subclassed_network(self, name=None, **kwargs):
        if kwargs:
            raise TypeError('Model: keyword argument not understood: %r' % sorted(kwargs)[0])
        self._base_init(name)
        self._is_graph_network = False
        self.inputs = []
        self.outputs = []
        self._layers = []
        self.built = False

    def __setattr__(self, name, value):
        # a subclassed model's layers are the ones set as its attributes (Keras 2.2.4), in
        # that order: their weights are the model's, also where it is a layer of another
        if isinstance(value, Layer) and getattr(self, '_is_graph_network', True) is False \
                and not any(value is layer for layer in self.__dict__.get('_layers', ())):
            self._layers.append(value)
        super(Network, self).__setattr__(name, value)

    def _init_graph_network(self, inputs, outputs, name=None, **kwargs):
        if kwargs:
            raise TypeError('Model: keyword argument not understood: %r' % sorted(kwargs)[0])
        self._base_init(name)
        self._is_graph_network = True
        self._input_was_list = isinstance(inputs, (list, tuple))
        self._output_was_list = isinstance(outputs, (list, tuple))
        self.inputs = list(to_list(inputs, allow_tuple=True))
        self.outputs = list(to_list(outputs, allow_tuple=True))
        for x in self.inputs:
            if not isinstance(x, KerasTensor) or x._keras_history is None:
                raise ValueError('inputs: Model inputs must be tensors returned by `Input` '
                                 '(keras.layers.Input); received %r of type %s'
                                 % (x, type(x).__name__))
        for x in self.outputs:
            if not isinstance(x, KerasTensor) or x._keras_history is None:
                raise ValueError('outputs: Model outputs must be tensors returned by a Keras layer; '
                                 'received %r of type %s' % (x, type(x).__name__))
        if len(set(id(x) for x in self.inputs)) != len(self.inputs):
            raise ValueError('inputs: the list of inputs passed to the model is redundant; all '
                             'inputs should only appear once. Found: %s' % (self.inputs,))
        self._check_inputs_upstream()
        self._build_graph()
        self.built = True

    def _check_inputs_upstream(self):
        """An input that is not an `Input` tensor (a layer's output) needs what it was
        computed from: as in Keras 2.2.4, the `Input` tensors upstream of it must be inputs
        of the model too, else the graph is disconnected."""
        input_ids = set(id(x) for x in self.inputs)
        for x in self.inputs:
            layer, node_index, _ = x._keras_history
            if isinstance(layer, InputLayer):
                continue
            stack, seen = [x], set()
            while stack:
                t = stack.pop()
                if id(t) in seen:
                    continue
                seen.add(id(t))
                src, src_node, _ = t._keras_history
                if isinstance(src, InputLayer):
                    if id(t) not in input_ids:
                        raise ValueError('Graph disconnected: the model input %s is the output '
                                         'of layer "%s", which needs the tensor %s; it is not '
                                         'among the model inputs (inputs must come from '
                                         '`keras.layers.Input`)' % (x.name, layer.name, t.name))
                    continue
                stack.extend(src._inbound_nodes[src_node].input_tensors)

    def _build_graph(self):
        self.input_layers = []
        self.input_layers_node_indices = []
        self.input_layers_tensor_indices = []
        self.output_layers = []
        self.output_layers_node_indices = []
        self.output_layers_tensor_indices = []
        for x in self.outputs:
            layer, node_index, tensor_index = x._keras_history
            self.output_layers.append(layer)
            self.output_layers_node_indices.append(node_index)
            self.output_layers_tensor_indices.append(tensor_index)
        for x in self.inputs:
            layer, node_index, tensor_index = x._keras_history
            self.input_layers.append(layer)
            self.input_layers_node_indices.append(node_index)
            self.input_layers_tensor_indices.append(tensor_index)

        # Depth-first walk from the outputs (Keras 2.2 ordering of layers).
        input_ids = set(id(x) for x in self.inputs)
        network_nodes = set()
        nodes_depths = {}
        layers_depths = {}
        layer_indices = {}
        nodes_in_decreasing_depth = []
        finished = set()
        in_progress = set()

        def walk(tensor, coordinates=None):
            layer, node_index = coordinates or tensor._keras_history[:2]
            node = layer._inbound_nodes[node_index]
            if id(node) in in_progress:
                raise ValueError('The tensor %s at layer "%s" is part of a cycle.'
                                 % (tensor, layer.name))
            if id(node) in finished:
                return
            network_nodes.add(_node_key(layer, node_index))
            if layer not in layer_indices:
                layer_indices[layer] = len(layer_indices)
            in_progress.add(id(node))
            if id(tensor) not in input_ids and node.inbound_layers:
                for x, coordinates in _node_producers(node):
                    walk(x, coordinates)
            finished.add(id(node))
            in_progress.discard(id(node))
            nodes_in_decreasing_depth.append(node)

        for x in self.outputs:
            walk(x)
        for x in self.inputs:
            if x._keras_history[0] not in layer_indices:
                # an input no output depends on is still part of the network (and config),
                # listed before the layers of its depth, as tf.keras lists it, so that
                # `model.layers[-1]` stays an output's layer (Keras 2.2.4 left it out)
                layer_indices[x._keras_history[0]] = -1
            walk(x)

        for node in reversed(nodes_in_decreasing_depth):
            depth = nodes_depths.setdefault(node, 0)
            depth = max(depth, layers_depths.get(node.outbound_layer, 0))
            layers_depths[node.outbound_layer] = depth
            nodes_depths[node] = depth
            if any(id(t) in input_ids for t in node.output_tensors) or not node.inbound_layers:
                continue
            for x, (layer, node_index) in _node_producers(node):
                inbound = layer._inbound_nodes[node_index]
                nodes_depths[inbound] = max(depth + 1, nodes_depths.get(inbound, 0))

        nodes_by_depth = {}
        for node, depth in nodes_depths.items():
            nodes_by_depth.setdefault(depth, []).append(node)
        layers_by_depth = {}
        for layer, depth in layers_depths.items():
            layers_by_depth.setdefault(depth, []).append(layer)

        layers = []
        for depth in sorted(layers_by_depth, reverse=True):
            group = layers_by_depth[depth]
            group.sort(key=lambda l: layer_indices[l])
            layers.extend(group)
        self._layers = layers
        self._layers_by_depth = layers_by_depth
        self._nodes_by_depth = nodes_by_depth
        self._network_nodes = network_nodes

        # Execution order: deepest nodes first, ties in discovery order.
        order = {id(n): i for i, n in enumerate(nodes_in_decreasing_depth)}
        self._execution_order = sorted(nodes_depths, key=lambda n: (-nodes_depths[n], order[id(n)]))

        available = set(id(x) for x in self.inputs)
        for node in self._execution_order:
            if any(id(t) in input_ids for t in node.output_tensors):
                continue
            if not node.inbound_layers and _fixed_value(node) is not None:
                available.update(id(t) for t in node.output_tensors)
                continue
            if not node.inbound_layers:
                raise ValueError('Graph disconnected: cannot obtain value for tensor %s at layer '
                                 '"%s": it is not among the model inputs %s'
                                 % (node.output_tensors[0], node.outbound_layer.name,
                                    [x.name for x in self.inputs]))
            for x in _node_dependencies(node):
                if id(x) not in available:
                    raise ValueError('Graph disconnected: cannot obtain value for tensor %s at layer '
                                     '"%s". The following previous layers were accessed without '
                                     'issue: %s' % (x, node.outbound_layer.name,
                                                    [l.name for l in layers if l is not node.outbound_layer][:10]))
            available.update(id(t) for t in node.output_tensors)

        names = [l.name for l in layers] if self._unique_layer_names else []
        for name in set(names):
            if names.count(name) != 1:
                raise ValueError('The name "%s" is used %d times in the model. All layer names '
                                 'should be unique.' % (name, names.count(name)))

        self.input_names = [l.name for l in self.input_layers]
        self.output_names = [l.name for l in self.output_layers]
        self._feed_input_names = list(self.input_names)
        self._feed_input_shapes = [x.shape for x in self.inputs]
        # per input: the variable that is its value (`Input(tensor=K.variable(...))`), or None
        self._fixed_inputs = [getattr(l, '_input_value', None) for l in self.input_layers]
        self.supports_masking = False
        masks = [x._mask_spec for x in self.outputs]
        self._output_mask_cache_has_mask = any(m is not None for m in masks)
        self.stateful = any(getattr(l, 'stateful', False) for l in layers)

        # The network's own node (inputs -> outputs), kept at index 0 as in Keras 2.
        own = Node(self, inbound_layers=[], node_indices=[], tensor_indices=[],
                   input_tensors=list(self.inputs), output_tensors=list(self.outputs),
                   input_masks=[x._mask_spec for x in self.inputs],
                   output_masks=masks,
                   input_shapes=[x.shape for x in self.inputs],
                   output_shapes=[x._keras_shape for x in self.outputs])
        self._inbound_nodes.pop()
        if self._inbound_nodes and getattr(self, '_own_node', None) is self._inbound_nodes[0]:
            self._inbound_nodes[0] = own
        else:
            self._inbound_nodes.insert(0, own)
        self._own_node = own

    # ------------------------------------------------------------------ properties
    @property
    def _input_coordinates(self):
        return list(zip(self._input_layers, getattr(self, 'input_layers_node_indices', []),
                        getattr(self, 'input_layers_tensor_indices', [])))

    @property
    def _output_coordinates(self):
        return list(zip(self._output_layers, getattr(self, 'output_layers_node_indices', []),
                        getattr(self, 'output_layers_tensor_indices', [])))

    @property
    def input(self):
        if not self.inputs:
            raise AttributeError('Model %s has no inputs yet.' % self.name)
        return unpack_singleton(self.inputs)

    @property
    def output(self):
        if not self.outputs:
            raise AttributeError('Model %s has no outputs yet.' % self.name)
        return unpack_singleton(self.outputs)

    @property
    def input_shape(self):
        if not self.inputs:
            raise AttributeError('Model %s has no inputs yet.' % self.name)
        return unpack_singleton([x.shape for x in self.inputs])

    @property
    def output_shape(self):
        if not self.outputs:
            raise AttributeError('Model %s has no outputs yet.' % self.name)
        return unpack_singleton([x._keras_shape for x in self.outputs])

    @property
    def _feed_inputs(self):
        """The inputs that take data (Keras 2.2.4): not those built on a variable."""
        if '_feed_inputs' in self.__dict__:
            return self.__dict__['_feed_inputs']
        return [x for x, v in zip(self.inputs, self._fixed_inputs) if v is None]

    @_feed_inputs.setter
    def _feed_inputs(self, value):
        self.__dict__['_feed_inputs'] = value   # (code may set it, as in Keras 2.2.4)

    @property
    def input_mask(self):
        masks = [getattr(x, '_keras_mask', None) for x in self.inputs]
        return unpack_singleton(masks)

    @property
    def output_mask(self):
        masks = [getattr(x, '_keras_mask', None) for x in self.outputs]
        return unpack_singleton(masks)

    @property
    def layers(self):
        # the model's own list, as in Keras 2.2.4 (`model.layers.pop()` then resetting the
        # outputs cut models for fine-tuning)
        return self._layers

    def get_layer(self, name=None, index=None):
        """A layer of the model, by name or by index (in `model.layers`).

        # Arguments
            name: the layer's name.
            index: the layer's index (takes precedence over `name`).

        # Returns
            A layer instance.

        # Raises
            ValueError: when no layer has that name or index.
        """
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError('get_layer: index=%d but the model only has %d layers.'
                                 % (index, len(self.layers)))
            return self.layers[index]
        if not name:
            raise ValueError('get_layer: provide either a layer name or a layer index.')
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError('get_layer: no such layer: %r (layers: %s)'
                         % (name, ', '.join(l.name for l in self.layers)))

    def _unique_weights(self, attr):
        seen = set()
        out = []
        for layer in self.layers:
            for w in getattr(layer, attr):
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    def _flat_layers(self):
        """The layers, each followed by the layers nested in it (inner models' layers,
        wrapped layers, RNN cells), depth first."""
        out = []

        def visit(layer):
            out.append(layer)
            for sub in getattr(layer, '_layers', []) or []:
                visit(sub)
            for sub in getattr(layer, '_sublayers', []) or []:
                visit(sub)
        for layer in self.layers:
            visit(layer)
        return out

    def _all_layer_variables(self):
        """Every variable a forward pass reads: the weights of all (nested) layers and
        their hidden state variables (e.g. stateful RNN states), each once."""
        out = []
        for layer in self._flat_layers():
            out.extend(layer.weights)
            out.extend(getattr(layer, '_state_variables', ()))
        return list({id(v): v for v in out}.values())   # first occurrences, in order

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return self._unique_weights('trainable_weights')

    @property
    def non_trainable_weights(self):
        weights = self._unique_weights('non_trainable_weights')
        if not self.trainable:
            trainable = self._unique_weights('trainable_weights')
            return trainable + weights
        return weights

    @property
    def weights(self):
        return self._unique_weights('weights')

    def get_weights(self):
        """The values of all weights of the model, a list of NumPy arrays (writable copies)."""
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Set the values of all weights of the model.

        # Arguments
            weights: list of arrays with the shapes returned by `get_weights()`.

        # Raises
            ValueError: when the number of arrays or a shape does not match.
        """
        tuples = []
        weights = list(weights)
        for layer in self.layers:
            n = len(layer.weights)
            layer_weights = weights[:n]
            for sw, w in zip(layer.weights, layer_weights):
                w = np.asarray(w)
                if tuple(sw.shape) != w.shape:
                    raise ValueError('set_weights: layer "%s" weight %r has shape %s, got an array '
                                     'of shape %s' % (layer.name, sw.name, sw.shape, w.shape))
                tuples.append((sw, w))
            weights = weights[n:]
        K.batch_set_value(tuples)

    def _sublayers_list(self):
        return self.layers

    def _owned_entries(self, kind):
        """Keras 2.2.4's accounting: for every layer, the entries of its calls that belong
        to this network's graph, then its unconditional ones."""
        out = []
        seen = set()
        for layer in self.layers:
            if kind == 'losses':
                def get_for(inputs, layer=layer):
                    return layer._losses_for(inputs, seen)
            else:
                get_for = layer.get_updates_for
            for node_index, node in enumerate(layer._inbound_nodes):
                if _node_key(layer, node_index) in self._network_nodes:
                    out.extend(get_for(node.input_tensors))
            out.extend(get_for(None))
        return out

    @property
    def losses(self):
        own = [l() if callable(l) else l for l in self._per_input_losses.get(None, [])]
        losses = self._owned_entries('losses') + own
        # each symbolic loss once, plain values as they come (Keras 2.2.4)
        unique = []
        for loss in losses:
            if isinstance(loss, KerasTensor) and any(loss is u for u in unique):
                continue
            unique.append(loss)
        return unique

    @property
    def updates(self):
        if not self.trainable and not self.stateful:
            return []
        return self._owned_entries('updates') + list(self._per_input_updates.get(None, []))

    @property
    def state_updates(self):
        return [u for layer in self.layers if getattr(layer, 'stateful', False) for u in layer.updates]

    def _graph_seed(self):
        """The seed of the keys of this graph's compiled steps: from the seeds its nodes'
        random ops drew when the graph was built (`Layer._symbolic_call`), so that a graph
        built after `np.random.seed(s)` draws the same masks whatever NumPy drew since, as
        Keras 2.2.4's ops seeded then did; 0 for a graph with no random op.

        # Returns
            An integer.
        """
        nodes = getattr(self, '_nodes_by_depth', None) or {}
        seeds = [s for depth in sorted(nodes, reverse=True)
                 for node in nodes[depth] for s in getattr(node, '_seeds', ())]
        if not seeds:
            return 0
        return int(np.random.RandomState(np.asarray(seeds, np.uint32)).randint(2 ** 31 - 1))

    @property
    def uses_learning_phase(self):
        return any(getattr(x, '_uses_learning_phase', False) for x in self.outputs)

    @property
    def input_spec(self):
        return None

    @input_spec.setter
    def input_spec(self, value):
        pass

    def reset_states(self):
        """Resets the states of the model's stateful layers (stateful RNNs)."""
        for layer in self.layers:
            if hasattr(layer, 'reset_states') and getattr(layer, 'stateful', False):
                layer.reset_states()

    # ------------------------------------------------------------------ execution
    def run_internal_graph(self, inputs, masks=None):
        """Keras 2.2: run the graph on `inputs` (arrays); returns the lists
        (output tensors, output masks, output shapes).

        # Arguments
            inputs: list of input arrays or tensors.
            masks: list of masks (or `None`).
        """
        outputs, output_masks = self._run_graph(inputs, masks)
        return outputs, output_masks, [K.int_shape(o) for o in outputs]

    def _graph_plan(self):
        """What `_run_graph` runs: `(inputs, outputs, nodes in execution order)` of the graph
        as it is now (a Sequential model's earlier calls keep theirs: `_freeze_calls`)."""
        return list(self.inputs), list(self.outputs), list(self._execution_order)

    def _freeze_calls(self):
        """Note on each call of the model as a layer (its nodes after its own first one) the
        graph it applied, before that graph changes (`Sequential.add` and `pop`): in Keras
        2.2.4 a call built its ops when it was made, so a tensor it gave keeps computing
        what the model was then (cleverhans's `cnn_model(logits=True)` takes `model(x)` as
        the logits, then adds the softmax to the model)."""
        plan = None
        for node in self._inbound_nodes[1:]:
            if getattr(node, '_graph_at_call', None) is None:
                plan = plan or self._graph_plan()
                node._graph_at_call = plan

    def _run_graph(self, inputs, masks=None, training=None, overrides=None, plan=None):
        """Execute the graph on concrete values; returns (outputs, output_masks) lists.

        `overrides` maps id(KerasTensor) -> value used instead of computing that tensor;
        `plan` is a graph of the model's earlier (`_graph_plan`), run instead of its own.
        """
        graph_inputs, graph_outputs, execution_order = plan or (
            self.inputs, self.outputs, self._execution_order)
        inputs = to_list(inputs, allow_tuple=True)
        if len(inputs) != len(graph_inputs):
            raise ValueError('Model %s expects %d input(s), but it received %d input tensors.'
                             % (self.name, len(graph_inputs), len(inputs)))
        masks = to_list(masks, allow_tuple=True) if masks is not None else [None] * len(inputs)
        values = {}
        for x, v, m in zip(graph_inputs, inputs, masks):
            if overrides and id(x) in overrides:
                v = overrides[id(x)]
            values[id(x)] = (v, m)
        graph_pass = _GraphPass(values, overrides, training)
        with keras_tensor.resolving(graph_pass.resolve):
            for node in execution_order:
                if all(id(t) in values for t in node.output_tensors) and \
                        any(id(t) in graph_pass.given for t in node.output_tensors):
                    continue
                if isinstance(node.outbound_layer, InputLayer) and not node.inbound_layers:
                    # an input built on a variable, reached outside a model's inputs (by a
                    # `K.function`): the variable's value (the graph's inputs have theirs)
                    value = _fixed_value(node)
                    if value is not None and id(node.output_tensors[0]) not in values:
                        values[id(node.output_tensors[0])] = (value.value if isinstance(
                            value, (K.Variable, VariableExpression)) else value, None)
                    continue
                graph_pass.run_node(node)
        outputs = [values[id(x)][0] for x in graph_outputs]
        out_masks = [values[id(x)][1] for x in graph_outputs]
        return outputs, out_masks

    def call(self, inputs, mask=None, training=None):
        """Runs the model's graph of layers on `inputs`.

        # Arguments
            inputs: a tensor, a list of tensors or a dictionary mapping input names to tensors.
            mask: a mask or a list of masks (or `None`).
            training: `True` or `False` to force the learning phase, `None` for the current one.

        # Returns
            A tensor, or a list of tensors for a model with several outputs.

        # Raises
            NotImplementedError: a subclassed model that does not override `call`.
        """
        if not self._is_graph_network:
            raise NotImplementedError('Subclassed models must implement call()')
        if isinstance(inputs, dict):
            inputs = [inputs[n] for n in self.input_names]
        outputs, _ = self._run_graph(inputs, mask, training)
        # a single output comes back unwrapped, also for `outputs=[y]` (Keras 2.2.4)
        return outputs if len(outputs) > 1 else outputs[0]

    def _forward(self, inputs, mask=None, **kwargs):
        plan = kwargs.pop('_graph_at_call', None)
        if not self._is_graph_network:
            return Layer._forward(self, inputs, mask=mask, **kwargs)
        if isinstance(inputs, dict):
            inputs = [inputs[n] for n in self.input_names]
        training = kwargs.pop('training', None)
        if training is not None and not isinstance(training, KerasTensor):
            with K.learning_phase_scope(int(bool(training))):
                outputs, masks = self._run_graph(inputs, mask, training, plan=plan)
        else:
            outputs, masks = self._run_graph(inputs, mask, None, plan=plan)
        if len(outputs) > 1:
            return outputs, masks
        return outputs[0], masks[0]

    def compute_mask(self, inputs, mask=None):
        """The output mask(s) of the model for `inputs` and `mask`.

        # Arguments
            inputs: a tensor or a list of tensors.
            mask: a mask or a list of masks (or `None`).

        # Returns
            A mask (or `None`), or a list of them for several outputs.
        """
        if not self._is_graph_network:
            return None
        _, masks = self._run_graph(inputs, mask)
        return masks if len(masks) > 1 else masks[0]

    def build(self, input_shape=None):
        """Marks a functional model as built (its weights exist when it is created).

        # Arguments
            input_shape: needed only for subclassed models.

        # Raises
            ValueError: a subclassed model is built without `input_shape`.
        """
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError('build: input_shape is required for a subclassed model')
        self.built = True

    def __call__(self, inputs, **kwargs):
        """Calls the model on new inputs, as a layer: the model's graph of layers is applied to them
        and their weights are shared.

        # Arguments
            inputs: a tensor, a list of tensors or a dictionary mapping input names to tensors.
            **kwargs: passed to `call` (`mask`, `training`).

        # Returns
            A tensor or a list of tensors.

        # Example
        ```python
        x = Input(shape=(784,))
        y = model(x)     # `model` applied to `x`, with its current weights
        ```
        """
        if isinstance(inputs, dict) and self._is_graph_network:
            inputs = [inputs[n] for n in self.input_names]
        return Layer.__call__(self, inputs, **kwargs)

    # ------------------------------------------------------------------ config
    def get_config(self):
        """The model's configuration: its layers and how they are connected.

        # Returns
            A Python dictionary, serializable as JSON.

        # Raises
            NotImplementedError: for subclassed models.
        """
        if not self._is_graph_network or getattr(self, '_built_from_call', False):
            # a subclassed model, also once built from its call: its class takes no
            # inputs and outputs to rebuild it from (Keras 2.2.4 raised likewise)
            raise NotImplementedError('get_config is only available for graph (functional) models')
        config = {'name': self.name}
        node_conversion_map = {}
        for layer in self.layers:
            # Networks start with a node linking their own inputs to outputs (Keras 2.2).
            kept = 1 if isinstance(layer, Network) else 0
            for original_index, node in enumerate(layer._inbound_nodes):
                if _node_key(layer, original_index) in self._network_nodes:
                    node_conversion_map[_node_key(layer, original_index)] = kept
                    kept += 1
        layer_configs = []
        for layer in self.layers:
            layer_config = layer.get_config()
            filtered_inbound_nodes = []
            for original_index, node in enumerate(layer._inbound_nodes):
                if _node_key(layer, original_index) not in self._network_nodes:
                    continue
                if not node.inbound_layers or isinstance(layer, InputLayer):
                    # (an input wrapping a tensor of another graph starts the model's)
                    continue
                kwargs = _serialize_kwargs(node.arguments)
                node_data = []
                for inbound_layer, node_index, tensor_index in zip(
                        node.inbound_layers, node.node_indices, node.tensor_indices):
                    new_index = node_conversion_map.get(_node_key(inbound_layer, node_index), 0)
                    node_data.append([inbound_layer.name, new_index, tensor_index, kwargs])
                filtered_inbound_nodes.append(node_data)
            layer_configs.append({'name': layer.name,
                                  'class_name': layer.__class__.__name__,
                                  'config': layer_config,
                                  'inbound_nodes': filtered_inbound_nodes})
        config['layers'] = layer_configs

        def refs(layers, node_indices, tensor_indices):
            out = []
            for layer, node_index, tensor_index in zip(layers, node_indices, tensor_indices):
                new_index = node_conversion_map.get(_node_key(layer, node_index), 0)
                out.append([layer.name, new_index, tensor_index])
            return out
        config['input_layers'] = refs(self.input_layers, self.input_layers_node_indices,
                                      self.input_layers_tensor_indices)
        config['output_layers'] = refs(self.output_layers, self.output_layers_node_indices,
                                       self.output_layers_tensor_indices)
        return copy.deepcopy(config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates a functional model from its config (what `get_config` returns).

        # Arguments
            config: a Python dictionary: `name`, `layers`, `input_layers`, `output_layers`.
            custom_objects: dictionary mapping the names of custom layers and functions to the
                objects.

        # Returns
            A model instance (untrained weights).

        # Raises
            ValueError: a layer of the config is unknown.
        """
        deserialize_layer = registry.lookup('layers.deserialize')
        created = {}
        pending = []

        def process_node(layer, node_data):
            input_tensors = []
            kwargs = {}
            for input_data in node_data:
                inbound_name = input_data[0]
                inbound_node_index = input_data[1]
                inbound_tensor_index = input_data[2]
                if len(input_data) > 3:
                    kwargs = _deserialize_kwargs(input_data[3] or {}, created)
                inbound_layer = created[inbound_name]
                if len(inbound_layer._inbound_nodes) <= inbound_node_index:
                    return False
                node = inbound_layer._inbound_nodes[inbound_node_index]
                input_tensors.append(node.output_tensors[inbound_tensor_index])
            if kwargs is None:
                return False
            layer(unpack_singleton(input_tensors), **kwargs)
            return True

        for layer_data in config['layers']:
            layer = deserialize_layer(layer_data, custom_objects=custom_objects)
            created[layer_data.get('name', layer.name)] = layer
            for node_data in layer_data.get('inbound_nodes', []):
                pending.append((layer, node_data))

        while pending:
            progressed = False
            remaining = []
            waiting = set()     # layers with a node not made yet: their later nodes wait
            for layer, node_data in pending:
                # (a layer's calls are made in their order, so that its nodes keep their
                # indices: Keras 2.2.5's fix for a shared layer listed before the inputs of
                # its first call, whose second call 2.2.4 made first)
                if id(layer) not in waiting and all(
                        d[0] in created and len(created[d[0]]._inbound_nodes) > d[1]
                        for d in node_data) and process_node(layer, node_data):
                    progressed = True
                else:
                    waiting.add(id(layer))
                    remaining.append((layer, node_data))
            if not progressed:
                raise ValueError('from_config: cannot reconstruct the graph; unresolved inbound nodes '
                                 'for layers %s' % [l.name for l, _ in remaining])
            pending = remaining

        def tensors(refs):
            out = []
            for layer_name, node_index, tensor_index in refs:
                layer = created[layer_name]
                out.append(layer._inbound_nodes[node_index].output_tensors[tensor_index])
            return out
        input_tensors = tensors(config['input_layers'])
        output_tensors = tensors(config['output_layers'])
        return cls(inputs=input_tensors, outputs=output_tensors, name=config.get('name'))

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Save the model (architecture, weights, training configuration, optimizer state) to
        one HDF5 file, in the Keras 2 layout (loadable by `keras.models.load_model` and by
        Keras 2.2). The file is written atomically.

        # Arguments
            filepath: path of the file, an open `h5py.File`/group, or a writable binary
                stream.
            overwrite: when False, ask before replacing an existing file.
            include_optimizer: also save the optimizer's state.

        # Raises
            OSError: when the file cannot be written (the message names the file and the
                cause; a previous file at that path is kept).
        """
        from .saving import save_model
        save_model(self, filepath, overwrite, include_optimizer)

    def export_saved_model(self, filepath):
        """Write the model's inference function (learning phase 0, current weights) as a
        TensorFlow SavedModel for serving, with the signature `serving_default`: one input
        per model input, by its name (`model.input_names`), of any batch size; one output per
        model output, by its name (`model.output_names`). Reload it without Keras with
        `tf.saved_model.load(filepath).signatures['serving_default'](input_1=...)`.

        On the TensorFlow backend the graph is TensorFlow's own; on the JAX backend it is
        converted with `jax2tf` (TensorFlow must be installed; README, 'Adding TensorFlow').

        # Arguments
            filepath: the directory to write (created; an existing SavedModel there is
                replaced).
        """
        from ..backend import saved_model
        variables, infer = self._inference_function()
        inputs = [(name, tuple(x.shape), x.dtype) for name, x in zip(self.input_names, self.inputs)]
        saved_model.export(infer, [v.value for v in variables], [v.name for v in variables],
                           inputs, list(self.output_names), filepath)
        return filepath

    def _inference_function(self):
        """(variables, infer): the variables of the layers and the model's pure inference
        function (learning phase 0) `infer(values, xs, key) -> outputs` of their values, the
        list of inputs and a raw random key, from which its random ops draw (an exported
        model's graph makes a key at each call: a VAE's sampling layer draws at each
        request, as Keras 2.2.4's graph did)."""
        variables = self._all_layer_variables()
        model = self

        def infer(values, xs, key):
            with K.StatelessScope(dict(zip(variables, values)), rng=key), \
                    K.learning_phase_scope(0):
                outputs, _ = model._run_graph(list(xs), None, None)
            return list(outputs)
        return variables, infer

    def save_weights(self, filepath, overwrite=True):
        """Save the weights of all layers to an HDF5 file (Keras 2 layout, atomic write).

        # Arguments
            filepath: path of the file.
            overwrite: when False, ask before replacing an existing file.
        """
        from .saving import save_weights
        save_weights(self, filepath, overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, reshape=False):
        """Load weights saved by `save_weights` (or by Keras 2) from an HDF5 file.

        # Arguments
            filepath: path of the file.
            by_name: match layers by name instead of by order (layers without a match keep
                their weights; a warning says when nothing matched).
            skip_mismatch: with `by_name`, skip layers whose weight count or shapes differ
                (with a warning) instead of raising.
            reshape: reshape saved weights to the shapes of the layers when sizes agree.

        # Raises
            ValueError: when the file's layers or weight shapes do not match the model.
        """
        from .saving import load_weights
        load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch,
                     reshape=reshape)

    def __reduce__(self):
        # pickle / copy.deepcopy through the saved-model state (config, weights, training
        # config and optimizer state), as Keras 2.2 does.
        from .saving import pickle_model, unpickle_model
        return (unpickle_model, (pickle_model(self),))

    def _updated_config(self):
        """The model's config with its class name, the Keras version and the backend (Keras
        2.2.4's `_updated_config`: what `to_json` writes; libraries rebuild a model from it
        with `keras.layers.deserialize`)."""
        from .._version import __version__
        return {'class_name': self.__class__.__name__, 'config': self.get_config(),
                'keras_version': __version__, 'backend': K.backend()}

    def to_json(self, **kwargs):
        """The model's architecture as a JSON string (`keras.models.model_from_json` reads it).

        # Arguments
            **kwargs: passed to `json.dumps`.
        """
        return json.dumps(self._updated_config(), default=_json_default, **kwargs)

    def to_yaml(self, **kwargs):
        """The model's architecture as a YAML string (no weights).

        Load it back with `keras.models.model_from_yaml(yaml_string)`.

        # Arguments
            **kwargs: passed to `yaml.dump`.

        # Returns
            A YAML string.

        # Raises
            ImportError: PyYAML is not installed.
        """
        try:
            import yaml
        except ImportError:
            raise ImportError('to_yaml requires PyYAML: pip install pyyaml')
        return yaml.dump(_yaml_ready(self._updated_config()), **kwargs)

    def summary(self, line_length=None, positions=None, print_fn=None):
        """Print a table of the layers: name and class, output shape, parameter count and
        inputs, then the trainable and non-trainable parameter totals.

        # Arguments
            line_length: total width of the table.
            positions: relative or absolute end positions of the columns.
            print_fn: function used to print each line (default `print`).
        """
        from ..utils.layer_utils import print_summary
        if not self.built:
            raise ValueError('This model has not yet been built. Build the model first by calling '
                             'build() or calling fit() with some data, or specify an `input_shape` '
                             'argument in the first layer(s) for automatic build.')
        return print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)


def _json_default(obj):
    """json.dumps fallback for the objects found in model and training configs."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (tuple, set)):
        return list(obj)
    if hasattr(obj, 'get_config'):
        return {'class_name': obj.__class__.__name__, 'config': obj.get_config()}
    if callable(obj) and hasattr(obj, '__name__'):
        return obj.__name__
    raise TypeError('Not JSON Serializable: %r' % (obj,))


def _yaml_ready(obj):
    """A config as `to_yaml` writes it: what JSON takes, converted as `to_json` converts it
    (tuples become lists); other objects are left to YAML, which writes them as Python
    objects, as Keras 2.2.4's `yaml.dump` of the config did (a `Lambda` closing over its
    builder object: LSTNet_keras saves its models so because `to_json` fails)."""
    if isinstance(obj, dict):
        return {key: _yaml_ready(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_yaml_ready(value) for value in obj]
    if obj is None or type(obj) in (str, bool, int, float):
        return obj
    # (subclasses as their plain type: a shape's Dimension, a NumPy float64)
    for plain in (bool, int, float, str):
        if isinstance(obj, plain):
            return plain(obj)
    try:
        converted = _json_default(obj)
    except TypeError:
        return obj
    return _yaml_ready(converted)


def _tensor_ref(x):
    layer, node_index, tensor_index = x._keras_history
    return {'__keras_tensor__': [layer.name, node_index, tensor_index]}


def _serialize_kwargs(arguments):
    """Node call arguments for the config; symbolic tensors become [layer, node, tensor] refs."""
    out = {}
    for k, v in arguments.items():
        if isinstance(v, KerasTensor):
            out[k] = _tensor_ref(v)
        elif isinstance(v, (list, tuple)) and any(isinstance(x, KerasTensor) for x in v):
            out[k] = [_tensor_ref(x) if isinstance(x, KerasTensor) else x for x in v]
        else:
            try:
                json.dumps(v, default=_json_default)
            except TypeError:
                continue
            out[k] = v
    return out


def _deserialize_kwargs(kwargs, created):
    out = {}

    def conv(v):
        if isinstance(v, dict) and '__keras_tensor__' in v:
            name, node_index, tensor_index = v['__keras_tensor__']
            layer = created.get(name)
            if layer is None or len(layer._inbound_nodes) <= node_index:
                raise _NotReady()
            return layer._inbound_nodes[node_index].output_tensors[tensor_index]
        return v
    try:
        for k, v in kwargs.items():
            out[k] = [conv(x) for x in v] if isinstance(v, list) else conv(v)
    except _NotReady:
        return None
    return out


def _fixed_value(node):
    """The value an input layer's node stands for when the input was built on a variable
    or an array (`Input(tensor=K.variable(...))`), else None."""
    return getattr(node.outbound_layer, '_input_value', None)


class _NotReady(Exception):
    pass


class GraphFunctionNetwork(Network):
    """The graph of a function of tensors (`K.function`, `K.gradients`, a loss built on an
    output): layers of different models may share a name, as TensorFlow's graph allowed,
    and an input may be any tensor of the graph (a layer's output: `K.function([model.
    layers[k].input], [model.output])` runs the layers after it), as TensorFlow fed any."""
    _unique_layer_names = False

    def _check_inputs_upstream(self):
        pass


class _GraphPass(object):
    """One run of a graph on values: `values` maps id(KerasTensor) -> (value, mask).

    `resolve` is the pass's resolver (`keras_tensor.resolving`): a layer whose `call`
    reaches a tensor of the graph by closure, not through its inputs (Keras 2 code such as
    a VAE's loss layer reading the encoder's `z_mean`), gets that tensor's value in this
    pass; a tensor the pass has not computed (a branch outside the model's outputs, or later
    in its order) is computed from its inputs' values, once, and the pass then keeps it."""

    def __init__(self, values, overrides, training):
        self.values = values
        self.overrides = overrides
        self.training = training
        self.given = set(values)       # not computed by the pass: inputs, and on demand
        self.kept = {}                 # id(node) -> the kept attributes its call set
        self._pending = set()

    def run_node(self, node):
        values = self.values
        layer = node.outbound_layer
        ins = [values[id(t)] for t in node.input_tensors]
        xs = [v for v, _ in ins]
        ms = [m for _, m in ins]
        if len(xs) == 1 and not getattr(node, '_input_list', False):
            x_arg, m_arg = xs[0], ms[0]
        else:
            x_arg, m_arg = xs, ms
        kwargs = _map_tensor_arguments(node.arguments, lambda t: values[id(t)][0])
        if 'mask' in kwargs:
            m_arg = kwargs.pop('mask')
        if getattr(node, '_graph_at_call', None) is not None:
            # (a call of a model whose graph changed since: the graph it applied)
            kwargs['_graph_at_call'] = node._graph_at_call
        if self.training is not None and has_arg(layer.call, 'training') and \
                'training' not in kwargs:
            kwargs['training'] = self.training
        if isinstance(layer, KeptValue) and id(layer._source) in self.kept:
            # (what a call of this pass set on its layer)
            outs, out_masks = layer.value(self.kept[id(layer._source)]), None
        else:
            # (a layer whose calls set attributes: as this call saw them, see `kept_call`;
            # layers the call makes have the weights its first run made)
            made = node.__dict__.setdefault('_made_weights', [])
            with _placed_on(node.device), weights_made_once(made):
                (outs, out_masks), kept = kept_call(
                    layer, node, lambda: layer._forward(x_arg, mask=m_arg, **kwargs))
            if kept:
                self.kept[id(node)] = kept
        outs = to_list(outs, allow_tuple=True)
        for t, v, m in zip(node.output_tensors, outs, masks_for_outputs(out_masks, len(outs))):
            if self.overrides and id(t) in self.overrides:
                v = self.overrides[id(t)]
            values[id(t)] = (v, m)

    def resolve(self, tensor):
        entry = self.values.get(id(tensor))
        if entry is not None:
            # (a run on symbolic tensors, e.g. `compute_mask`, has no values to give)
            return None if isinstance(entry[0], KerasTensor) else entry[0]
        history = getattr(tensor, '_keras_history', None)
        if not history or isinstance(history[0], InputLayer) or id(tensor) in self._pending:
            return None
        layer, node_index, _ = history
        node = layer._inbound_nodes[node_index]
        self._pending.add(id(tensor))
        try:
            if any(self.resolve(t) is None for t in node.input_tensors) or \
                    any(self.resolve(t) is None for t in _tensor_arguments(node.arguments)):
                return None
            self.run_node(node)
        finally:
            self._pending.discard(id(tensor))
        self.given.update(id(t) for t in node.output_tensors)
        return self.values[id(tensor)][0]


def _node_dependencies(node):
    """The tensors a node's call reads: its inputs, then the tensors among its keyword
    arguments (`initial_state=[K.ones_like(s)]`: Keras 2.2's graph computed such a tensor
    from the model's inputs as it computed the inputs)."""
    return list(node.input_tensors) + _tensor_arguments(node.arguments)


def _node_producers(node):
    """(tensor, (layer, node index)) for each tensor the node's call reads: the call that
    computes it, by the node's `inbound_layers` and `node_indices` as Keras 2.2.4's graph
    walk took them (code that swaps a layer for another makes new nodes on the same tensors:
    keras_compressor), else by the tensor's `_keras_history` (keyword arguments)."""
    out = []
    for i, x in enumerate(_node_dependencies(node)):
        layer = node.inbound_layers[i] if i < len(node.inbound_layers) else None
        node_index = node.node_indices[i] if i < len(node.node_indices) else None
        if layer is None or node_index is None or node_index >= len(layer._inbound_nodes):
            layer, node_index = x._keras_history[:2]
        out.append((x, (layer, node_index)))
    return out


def _tensor_arguments(arguments):
    """The symbolic tensors among a node's call arguments (alone or in a list)."""
    found = []
    for v in arguments.values():
        if isinstance(v, KerasTensor):
            found.append(v)
        elif isinstance(v, (list, tuple)):
            found.extend(x for x in v if isinstance(x, KerasTensor))
    return found


def _map_tensor_arguments(arguments, value_of):
    """Node call arguments with each symbolic tensor (alone or in a list) replaced.

    # Arguments
        arguments: the keyword arguments of a layer call recorded in a node (`node.arguments`).
        value_of: a function mapping a `KerasTensor` to what replaces it.

    # Returns
        A new dict; values that are not tensors (nor lists holding one) are kept.
    """
    out = {}
    for k, v in arguments.items():
        if isinstance(v, KerasTensor):
            out[k] = value_of(v)
        elif isinstance(v, (list, tuple)) and any(isinstance(x, KerasTensor) for x in v):
            out[k] = [value_of(x) if isinstance(x, KerasTensor) else x for x in v]
        else:
            out[k] = v
    return out
