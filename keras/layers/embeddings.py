"""Embedding layer: integer indices -> dense vectors."""
import numpy as np

from .. import backend as K
from ..legacy import interfaces
from .. import initializers, regularizers, constraints
from ..engine.base_layer import Layer
from .convolutional import _positive_int
from ._weight_args import args_config

__all__ = ['Embedding']


class Embedding(Layer):
    """Turns positive integers (indices) into dense vectors of size `output_dim`.

    Inputs `(batch, ...)` of indices in `[0, input_dim)` (cast to int32) give
    `(batch, ..., output_dim)`; with `mask_zero=True` index 0 is masked out.

    # Arguments
        input_dim: integer > 0, the size of the vocabulary (largest index + 1).
        output_dim: integer >= 0, the dimension of the embedding vectors.
        embeddings_initializer: initializer of the `embeddings` matrix.
        embeddings_regularizer: regularizer of the `embeddings` matrix.
        activity_regularizer: regularizer applied to the output of the layer (its activation).
        embeddings_constraint: constraint on the `embeddings` matrix.
        mask_zero: whether index 0 is a padding value to be masked out (for recurrent layers).
            Then index 0 cannot be used in the vocabulary, and `input_dim` should be the
            vocabulary size + 1.
        input_length: the length of the input sequences, when constant; needed to connect
            `Flatten` then `Dense` layers downstream.

    # Example
    ```python
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Embedding

    model = Sequential()
    model.add(Embedding(1000, 64, input_length=10))   # indices < 1000 -> 64-dim vectors
    model.compile('rmsprop', 'mse')
    output = model.predict(np.random.randint(1000, size=(32, 10)))
    print(output.shape)                               # (32, 10, 64)
    ```
    """

    @interfaces.legacy_embedding_support
    def __init__(self, input_dim, output_dim, embeddings_initializer='uniform',
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        kwargs.pop('dropout', None)  # Keras 1 argument without effect in Keras 2
        if 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
            if input_length:
                if isinstance(input_length, (list, tuple)):
                    kwargs['input_shape'] = tuple(input_length)
                else:
                    kwargs['input_shape'] = (input_length,)
            else:
                kwargs['input_shape'] = (None,)
        super(Embedding, self).__init__(**kwargs)
        self.input_dim = _positive_int(input_dim, 'Embedding', 'input_dim')
        self.output_dim = _positive_int(output_dim, 'Embedding', 'output_dim')
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length

    def build(self, input_shape):
        # `input_length` must match the input shape: checked by this class's own method (a
        # subclass's may read what its call sets: bert4keras' mode of its Embedding)
        Embedding.compute_output_shape(self, input_shape)
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name='embeddings',
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint,
                                          dtype=self.dtype if self.dtype and
                                          np.dtype(self.dtype).kind == 'f' else K.floatx())
        self.built = True

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return K.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.input_length is None:
            return input_shape + (self.output_dim,)
        if isinstance(self.input_length, (list, tuple)):
            in_lens = list(self.input_length)
        else:
            in_lens = [self.input_length]
        if len(in_lens) != len(input_shape) - 1:
            raise ValueError('Embedding: "input_length" is %s, but the received input has shape '
                             '%s' % (self.input_length, input_shape))
        for i, (s1, s2) in enumerate(zip(in_lens, input_shape[1:])):
            if s1 is not None and s2 is not None and s1 != s2:
                raise ValueError('Embedding: "input_length" is %s, but the received input has '
                                 'shape %s' % (self.input_length, input_shape))
            elif s1 is None:
                in_lens[i] = s2
        return (input_shape[0],) + tuple(in_lens) + (self.output_dim,)

    def call(self, inputs):
        if K.dtype(inputs) != 'int32':
            inputs = K.cast(inputs, 'int32')
        return K.gather(self.embeddings, inputs)

    def _check_fed_data(self, data, input_name):
        """Raise, as TensorFlow 1 did on the CPU ("indices[1,2] = 120 is not in [0, 120)"),
        for an index outside `[0, input_dim)` in the data fed to this layer: the compiled
        lookup gives NaN for it (an `input_dim` of the vocabulary's size, one short when
        index 0 is padding, is a common slip).

        # Arguments
            data: the array fed to the model input this layer reads.
            input_name: that input's name.
        """
        if not data.size or data.dtype.kind not in 'iuf':
            return
        low, high = np.trunc(data.min()), np.trunc(data.max())
        if not (low < 0 or high >= self.input_dim):     # (NaN: not checked)
            return
        index = np.trunc(data)
        where = tuple(int(i) for i in np.argwhere((index < 0) | (index >= self.input_dim))[0])
        raise ValueError(
            'Error when checking input: %s (an Embedding of input_dim=%d) was given '
            'indices[%s] = %s of input %r, which is not in [0, %d): an Embedding looks up '
            'indices 0 to input_dim - 1 (with index 0 for padding, input_dim is the '
            'vocabulary size + 1)' % (self.name, self.input_dim, ','.join(map(str, where)),
                                      data[where], input_name, self.input_dim))

    def get_config(self):
        config = args_config(self, ('input_dim', 'output_dim', 'embeddings_initializer',
                                    'embeddings_regularizer', 'activity_regularizer',
                                    'embeddings_constraint', 'mask_zero', 'input_length'))
        base_config = super(Embedding, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


# Keras 2.2.4's module also held this helper.
from ..utils.generic_utils import to_list  # noqa: E402,F401

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['K', 'Layer', 'constraints', 'initializers', 'interfaces', 'regularizers',
            'to_list']
