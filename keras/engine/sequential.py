"""Sequential: a linear stack of layers."""
import copy
import warnings

import numpy as np

from .. import backend as K
from .. import registry
from ..backend.keras_tensor import KerasTensor
from .base_layer import Layer
from .input_layer import Input, InputLayer
from .training import Model


class Sequential(Model):
    """Linear stack of layers (Keras 2.2 `Sequential`).

    # Arguments
        layers: optional list of layers to add in order.
        name: optional name of the model.

    # Example
    ```python
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense

    model = Sequential()
    model.add(Dense(32, activation='relu', input_shape=(16,)))  # the first layer's input shape
    model.add(Dense(1))                                          # later layers infer theirs
    model.compile(optimizer='rmsprop', loss='mse')
    model.fit(np.random.random((64, 16)), np.random.random((64, 1)), epochs=2, verbose=0)
    print(model.output_shape)   # (None, 1)
    ```
    """

    def __init__(self, layers=None, name=None):
        self._base_init(name)
        self._is_graph_network = True
        self._input_was_list = False
        self._output_was_list = False
        self._layers = []
        self._pending = []
        self.inputs = []
        self.outputs = []
        self.built = False
        self._build_input_shape = None
        if layers:
            for layer in layers:
                self.add(layer)

    def _base_init(self, name):
        if not name:
            name = 'sequential_' + str(K.get_uid('sequential'))
        Model._base_init(self, name)

    @property
    def layers(self):
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[1:]
        return list(self._layers) if self.inputs else list(self._pending)

    def add(self, layer):
        """Append a layer; the graph is built as soon as the input shape is known.

        # Arguments
            layer: a layer instance. The first layer of a model needs an input shape
                (`input_shape`, `input_dim` or `batch_input_shape`).
        """
        if not isinstance(layer, Layer):
            raise TypeError('The added layer must be an instance of class Layer. Found: ' + str(layer))
        if not self.outputs:
            if isinstance(layer, InputLayer):
                self._pending = []
                self._layers = [layer]
                self.inputs = list(layer._inbound_nodes[-1].output_tensors)
                self.outputs = list(self.inputs)
                self._rebuild()
                return
            if self._pending:
                self._pending.append(layer)
                return
            batch_shape = getattr(layer, 'batch_input_shape', None)
            if batch_shape is None and isinstance(layer, Model) and layer.inputs:
                batch_shape = layer.inputs[0].shape
            if batch_shape is None:
                self._pending.append(layer)
                return
            dtype = getattr(layer, 'dtype', None) or K.floatx()
            x = Input(batch_shape=batch_shape, dtype=dtype, name=layer.name + '_input')
            self._layers = [x._keras_history[0]]
            self.inputs = [x]
            self.outputs = [x]
            self._append(layer)
        else:
            self._append(layer)

    def _append(self, layer):
        self._freeze_calls()
        output = layer(self.outputs[0])
        if isinstance(output, list):
            if len(output) != 1:
                raise TypeError('All layers in a Sequential model should have a single output tensor. '
                                'For multi-output layers, use the functional API.')
            output = output[0]
        self.outputs = [output]
        self._layers.append(layer)
        self._rebuild()

    def _rebuild(self):
        self._build_graph()
        self.built = True
        self._reset_compiled_functions()
        if self._is_compiled:
            self._compiled_trainable = None

    def _build_graph(self):
        layers = list(self._layers)   # Sequential keeps the order of `add`
        Model._build_graph(self)
        self._layers = layers

    def pop(self):
        """Remove the last layer."""
        if not self.layers:
            raise TypeError('There are no layers in the model.')
        if not self.inputs:
            self._pending.pop()
            return
        self._freeze_calls()
        self._layers.pop()
        if not self.layers:
            self.outputs = []
            self.inputs = []
            self._layers = []
            self._inbound_nodes = []
            self.built = False
            return
        last = self._layers[-1]
        last._outbound_nodes = []
        self.outputs = [last._inbound_nodes[-1].output_tensors[0]] if not isinstance(last, InputLayer) \
            else list(self.inputs)
        self._rebuild()

    def build(self, input_shape=None):
        """Creates the model's graph and weights for an input shape.

        Not needed when the first layer has an `input_shape`; otherwise called with the shape of
        the first inputs it sees.

        # Arguments
            input_shape: the batch input shape, e.g. `(None, 784)`.

        # Raises
            ValueError: no input shape is known.
        """
        if self.inputs:
            self.built = True
            return
        if input_shape is None:
            if self._build_input_shape is None:
                raise ValueError('You must provide an `input_shape` argument to build a Sequential '
                                 'model whose first layer has no input shape.')
            input_shape = self._build_input_shape
        pending = self._pending
        self._pending = []
        x = Input(batch_shape=tuple(input_shape),
                  name=(pending[0].name + '_input') if pending else None)
        self._layers = [x._keras_history[0]]
        self.inputs = [x]
        self.outputs = [x]
        self._build_input_shape = tuple(input_shape)
        for layer in pending:
            self._append(layer)
        self.built = True

    def _maybe_build_from_data(self, x):
        if self.inputs:
            return
        if not self._pending:
            raise RuntimeError('This Sequential model has no layers; add layers before using it.')
        arr = x[0] if isinstance(x, (list, tuple)) else x
        if isinstance(arr, dict):
            arr = list(arr.values())[0]
        arr = np.asarray(arr)
        self.build((None,) + arr.shape[1:])
        if self._is_compiled:
            self._reset_compiled_functions()
            self._finish_compile()

    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, target_tensors=None, **kwargs):
        if not self.inputs:
            # Deferred build: remember the arguments, finish when data arrives.
            self.output_names = ['output']
            self.outputs = []
            self._deferred_compile = True
            self.optimizer = None
        Model.compile(self, optimizer, loss=loss, metrics=metrics, loss_weights=loss_weights,
                      sample_weight_mode=sample_weight_mode, weighted_metrics=weighted_metrics,
                      target_tensors=target_tensors, **kwargs)

    def __call__(self, inputs, **kwargs):
        """Calls the model on `inputs` as a layer (builds the model first if it has no input shape
        yet).

        # Arguments
            inputs: a tensor or an array.
            **kwargs: passed to `call`.

        # Returns
            A tensor.
        """
        if not self.inputs and isinstance(inputs, KerasTensor):
            self.build(inputs.shape)
        elif not self.inputs:
            self.build((None,) + np.shape(inputs)[1:])
        return Model.__call__(self, inputs, **kwargs)

    @property
    def model(self):
        """Keras 2.2 kept this (deprecated) alias: the Sequential model itself."""
        return self

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Class probabilities: `predict`, with a warning if the outputs are not in [0, 1].

        # Arguments
            x: input data, as for `predict`.
            batch_size: integer, the batch size.
            verbose: 0 or 1: verbosity mode.

        # Returns
            A NumPy array of probabilities.
        """
        preds = self.predict(x, batch_size, verbose)
        if preds.min() < 0. or preds.max() > 1.:
            warnings.warn('Network returning invalid probability values. The last layer '
                          'might not normalize predictions into probabilities (like softmax '
                          'or sigmoid would).')
        return preds

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class indices: argmax of `predict` over the last axis, or `> 0.5` for a single
        (binary) output unit.

        # Arguments
            x: input data, as for `predict`.
            batch_size: integer, the batch size.
            verbose: 0 or 1: verbosity mode.

        # Returns
            A NumPy array of class indices.
        """
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype('int32')

    def get_config(self):
        """The model's configuration: its name and the list of its layers' configs.

        # Returns
            A Python dictionary.
        """
        layer_configs = []
        for layer in self.layers:
            layer_configs.append({'class_name': layer.__class__.__name__,
                                  'config': layer.get_config()})
        config = {'name': self.name, 'layers': layer_configs}
        if self.inputs and layer_configs and \
                'batch_input_shape' not in layer_configs[0]['config']:
            # Built from an explicit InputLayer or with build(): keep the input shape.
            config['build_input_shape'] = tuple(self.inputs[0].shape.as_list())
        return copy.deepcopy(config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates a `Sequential` model from its config (a list of layer configs in Keras 2.2.4;
        older files may hold the bare list).

        # Arguments
            config: a Python dictionary (or list of layer configs).
            custom_objects: dictionary mapping the names of custom layers and functions to the
                objects.

        # Returns
            A `Sequential` model.
        """
        deserialize_layer = registry.lookup('layers.deserialize')
        if isinstance(config, dict) and 'layers' in config:
            name = config.get('name')
            layer_configs = config['layers']
        else:
            name = None
            layer_configs = config
        model = cls(name=name)
        for conf in layer_configs:
            model.add(deserialize_layer(conf, custom_objects=custom_objects))
        if not model.inputs and isinstance(config, dict) and config.get('build_input_shape'):
            model.build(config['build_input_shape'])
        return model
