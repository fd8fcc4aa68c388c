"""InputLayer and Input: the entry points of a graph."""
from .. import backend as K
from ..legacy import interfaces
from ..backend import shape_inference
from ..backend.keras_tensor import KerasTensor
from .base_layer import Layer, Node


class InputLayer(Layer):
    """Layer that produces a placeholder KerasTensor (or wraps an existing `input_tensor`).

    # Arguments
        input_shape: shape tuple without the batch axis.
        batch_size: optional fixed batch size.
        batch_input_shape: shape tuple with the batch axis (instead of `input_shape` and
            `batch_size`).
        dtype: the data type of the input.
        input_tensor: optional existing tensor to wrap instead of creating a placeholder.
        sparse: whether the input is sparse.
        name: the name of the layer.
    """

    @interfaces.legacy_input_support
    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None, dtype=None,
                 input_tensor=None, sparse=False, name=None, **kwargs):
        if kwargs:
            raise TypeError('InputLayer: keyword argument not understood: %r' % sorted(kwargs)[0])
        if not name:
            name = 'input_' + str(K.get_uid('input'))
        super(InputLayer, self).__init__(dtype=dtype, name=name)
        self.trainable = False
        self.built = True
        self.sparse = sparse
        if input_shape is not None and batch_input_shape is not None:
            raise ValueError('Only provide the input_shape OR batch_input_shape argument to '
                             'InputLayer, not both at the same time.')
        if input_tensor is not None and batch_input_shape is None:
            batch_input_shape = K.int_shape(input_tensor)
        if input_shape is None and batch_input_shape is None:
            raise ValueError('An Input layer should be passed either a `batch_input_shape` or an '
                             '`input_shape`.')
        if batch_input_shape is None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            batch_input_shape = (batch_size,) + tuple(input_shape)
        batch_input_shape = tuple(batch_input_shape)
        for d in batch_input_shape:
            if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d < 0):
                try:
                    if int(d) == d and d >= 0:
                        continue
                except (TypeError, ValueError):
                    pass
                raise ValueError('shape: every dimension must be a non-negative int or None, got %r'
                                 % (batch_input_shape,))
        batch_input_shape = tuple(None if d is None else int(d) for d in batch_input_shape)
        self.batch_input_shape = batch_input_shape
        if dtype is None:
            dtype = K.floatx() if input_tensor is None else K.dtype(input_tensor)
        self.dtype = dtype
        # a concrete tensor (a variable) is the input's value: a model on it takes no data
        # for this input (Keras 2.2.4's `Input(tensor=K.variable(...))`)
        self._input_value = input_tensor if input_tensor is not None \
            and not isinstance(input_tensor, KerasTensor) else None
        wrapped = isinstance(input_tensor, KerasTensor) and \
            input_tensor._keras_history is not None
        if input_tensor is None or not isinstance(input_tensor, KerasTensor) or wrapped:
            self.is_placeholder = input_tensor is None
            # (the ops on the input see the given tensor's own sizes; `shape` is the input's
            # declared shape, its `_keras_shape`, as Keras 2.2.4 gave both)
            own = batch_input_shape if input_tensor is None else K.int_shape(input_tensor)
            tensor = KerasTensor(own, dtype, name=self.name)
            tensor._is_placeholder = self.is_placeholder
            if self.is_placeholder and shape_inference.NAMES_OPS:
                # Keras 2.2.4's placeholder op: `model.input.op.name` is 'input_1' and the
                # tensor 'input_1:0' (the names a frozen graph is fed by: see
                # `K.get_session().graph`)
                tensor.name = self.name + ':0'
                tensor._op_type = 'Placeholder'
                tensor._op_name = self.name
                tensor._op_input_specs = []
            if tuple(own) != batch_input_shape:
                tensor._declared_shape = batch_input_shape
        else:
            self.is_placeholder = False
            tensor = input_tensor
        tensor._keras_history = (self, 0, 0)
        if sparse and isinstance(tensor, KerasTensor):
            # (`K.is_sparse` is true of it, as of Keras 2.2.4's sparse placeholder; the data
            # fed to it is densified a batch at a time)
            tensor._is_sparse = True
        if wrapped:
            # a tensor of a graph (`K.concatenate([base, placeholder])`: neural style
            # transfer): the input computes as that tensor, from the tensors it is computed
            # from, in the functions (`K.function`, `K.gradients`) reaching it; a model with
            # this input starts there (Keras 2.2.4 made the tensor itself the input)
            layer, node_index, tensor_index = input_tensor._keras_history
            Node(self, inbound_layers=[layer], node_indices=[node_index],
                 tensor_indices=[tensor_index], input_tensors=[input_tensor],
                 output_tensors=[tensor], input_masks=[None], output_masks=[None],
                 input_shapes=[K.int_shape(input_tensor)], output_shapes=[batch_input_shape])
        else:
            Node(self, inbound_layers=[], node_indices=[], tensor_indices=[],
                 input_tensors=[tensor], output_tensors=[tensor], input_masks=[None],
                 output_masks=[None], input_shapes=[batch_input_shape],
                 output_shapes=[batch_input_shape])

    def call(self, inputs, **kwargs):
        """The input's value: the tensor it wraps (see `Input(tensor=...)`).

        # Arguments
            inputs: the wrapped tensor's value.
            **kwargs: ignored.

        # Returns
            `inputs`.
        """
        return inputs

    def get_config(self):
        """The config of the input layer: `batch_input_shape`, `dtype`, `sparse` and `name`.

        # Returns
            A Python dictionary.
        """
        return {'batch_input_shape': self.batch_input_shape, 'dtype': self.dtype,
                'sparse': self.sparse, 'name': self.name}


def Input(shape=None, batch_shape=None, name=None, dtype=None, sparse=False, tensor=None):
    """Instantiate a symbolic input tensor (Keras 2.2 `keras.layers.Input`).

    # Arguments
        shape: shape tuple without the batch axis, e.g. `(32,)` for batches of 32-dimensional
            vectors; `None` entries are unknown dimensions.
        batch_shape: shape tuple with the batch axis, e.g. `(10, 32)` for batches of 10 vectors
            (for stateful RNNs).
        name: optional name of the input layer (unique in a model).
        dtype: the data type expected by the input (`K.floatx()` by default).
        sparse: whether the placeholder stands for a sparse tensor.
        tensor: optional existing tensor to wrap into the `Input` layer instead of creating a
            placeholder.

    # Returns
        A Keras tensor (a placeholder), to be passed to layers and to `Model(inputs=...)`.

    # Raises
        ValueError: if neither `shape`, `batch_shape` nor `tensor` is given.
        TypeError: if `shape` is neither an integer nor a sequence of dimensions.

    # Example
    ```python
    from keras.layers import Input, Dense
    from keras.models import Model

    x = Input(shape=(32,))          # batches of 32-dimensional vectors
    y = Dense(16, activation='softmax')(x)
    model = Model(x, y)
    ```
    """
    if not batch_shape and tensor is None:
        if shape is None:
            raise ValueError('Please provide to Input either a `shape` or a `batch_shape` '
                             'argument. Note that `shape` does not include the batch dimension.')
    if shape is not None and not batch_shape:
        if isinstance(shape, int):
            shape = (shape,)
        try:
            batch_shape = (None,) + tuple(shape)
        except TypeError:
            raise TypeError('shape: expected a tuple of ints (without the batch dimension), got %r'
                            % (shape,))
    layer = InputLayer(batch_input_shape=batch_shape, name=name, dtype=dtype, sparse=sparse,
                       input_tensor=tensor)
    outputs = layer._inbound_nodes[0].output_tensors
    return outputs[0] if len(outputs) == 1 else outputs
