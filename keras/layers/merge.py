"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot and
their functional forms."""
import functools
import operator

import numpy as np

from .. import backend as K
from ..engine.base_layer import Layer

__all__ = ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot',
           'add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'concatenate', 'dot']


def _shape_list(input_shape, cls_name, exactly=None):
    if not isinstance(input_shape, list):
        raise ValueError('A `%s` layer should be called on a list of inputs, got a single input '
                         'of shape %s' % (cls_name, input_shape))
    if exactly is not None and len(input_shape) != exactly:
        raise ValueError('A `%s` layer should be called on exactly %d inputs, got %d inputs'
                         % (cls_name, exactly, len(input_shape)))
    if len(input_shape) < 2:
        raise ValueError('A `%s` layer should be called on a list of at least 2 inputs. Got %d '
                         'inputs.' % (cls_name, len(input_shape)))
    return [None if s is None else tuple(s) for s in input_shape]


class _Merge(Layer):
    """Element-wise merge of a list of tensors (broadcasting over trailing axes)."""

    def __init__(self, **kwargs):
        super(_Merge, self).__init__(**kwargs)
        self.supports_masking = True

    # whether `build` checks the inputs' batch sizes (see `__call__`)
    _checks_batch_sizes = True

    def __call__(self, inputs, **kwargs):
        # Keras 2.2.4 checked the batch sizes where its graph was built, on Keras tensors
        # whose batch size was unknown: a merge a layer's `call` makes (`add([x, bias, x])`
        # of a (1, 1) weight: DeepCTR's DCN) and that runs here on a step's values has them
        # checked by its operation only
        self._checks_batch_sizes = isinstance(inputs, (list, tuple)) and \
            any(isinstance(x, K.KerasTensor) for x in inputs)
        return super(_Merge, self).__call__(inputs, **kwargs)

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _compute_elemwise_op_output_shape(self, shape1, shape2):
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return self._compute_elemwise_op_output_shape(shape2, shape1)
        if not shape2:
            return tuple(shape1)
        output_shape = list(shape1[:-len(shape2)])
        for i, j in zip(shape1[-len(shape2):], shape2):
            if i is None or j is None:
                output_shape.append(None)
            elif i == 1:
                output_shape.append(j)
            elif j == 1:
                output_shape.append(i)
            else:
                if i != j:
                    raise ValueError('%s: operands could not be broadcast together with shapes '
                                     '%s %s' % (self.__class__.__name__, shape1, shape2))
                output_shape.append(i)
        return tuple(output_shape)

    def _check_shapes(self, input_shape):
        """(batch size or None, broadcast shape of the non-batch axes or None)."""
        input_shape = _shape_list(input_shape, self.__class__.__name__)
        batch_sizes = set(s[0] for s in input_shape if s is not None) - {None}
        if len(batch_sizes) > 1:
            if self._checks_batch_sizes:
                raise ValueError('%s: can not merge tensors with different batch sizes. Got '
                                 'tensors with shapes: %s'
                                 % (self.__class__.__name__, input_shape))
            batch_sizes = set()     # (values whose operation broadcasts them)
        output_shape = None if input_shape[0] is None else input_shape[0][1:]
        for shape in input_shape[1:]:
            output_shape = self._compute_elemwise_op_output_shape(
                output_shape, None if shape is None else shape[1:])
        return (batch_sizes.pop() if batch_sizes else None), output_shape

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError('A `%s` layer should be called on a list of inputs.'
                             % self.__class__.__name__)
        inputs = list(inputs)
        ndims = [K.ndim(x) for x in inputs]
        if None in ndims:
            return self._merge_unknown_ranks(inputs, ndims)
        if len(set(ndims)) > 1:
            # different ranks: expand the lower-rank inputs at axis 1 (Keras 2.2 rule)
            max_ndim = max(ndims)
            reshaped = []
            for x, nd in zip(inputs, ndims):
                for _ in range(max_ndim - nd):
                    x = K.expand_dims(x, 1)
                reshaped.append(x)
            inputs = reshaped
        return self._merge_function(inputs)

    def _merge_unknown_ranks(self, inputs, ndims):
        """Merge when some input's rank is unknown (as Keras 2.2 on TensorFlow): every input
        of rank > 1 is rotated so that its batch axis comes last, the rotated tensors are
        merged with NumPy's trailing-axis broadcasting, and the batch axis of the result is
        rotated back to the front."""
        rotated = []
        for x, nd in zip(inputs, ndims):
            if nd is not None and nd <= 1:
                rotated.append(x)
            elif nd is not None:
                rotated.append(K.permute_dimensions(x, list(range(1, nd)) + [0]))
            else:
                shape = K.shape(x)
                flat = K.transpose(K.reshape(x, K.stack([shape[0], -1])))
                rotated.append(K.reshape(flat, K.concatenate([shape[1:], shape[:1]])))
        y = self._merge_function(rotated)
        if all(nd is not None and nd <= 1 for nd in ndims):
            return y
        y_ndim = K.ndim(y)
        if y_ndim is not None:
            return y if y_ndim <= 1 else K.permute_dimensions(
                y, [y_ndim - 1] + list(range(y_ndim - 1)))
        shape = K.shape(y)
        flat = K.reshape(y, K.stack([K.prod(shape[:-1]), shape[-1]]))
        return K.reshape(K.transpose(flat), K.concatenate([shape[-1:], shape[:-1]]))

    def compute_output_shape(self, input_shape):
        batch_size, output_shape = self._check_shapes(input_shape)
        if output_shape is None:
            return None
        return (batch_size,) + tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError('%s: `mask` should be a list, got %r'
                             % (self.__class__.__name__, type(mask).__name__))
        if not isinstance(inputs, (list, tuple)):
            raise ValueError('%s: `inputs` should be a list.' % self.__class__.__name__)
        if len(mask) != len(inputs):
            raise ValueError('%s: the lists `inputs` and `mask` should have the same length '
                             '(got %d inputs and %d masks)'
                             % (self.__class__.__name__, len(inputs), len(mask)))
        if all(m is None for m in mask):
            return None
        masks = [K.expand_dims(m, 0) for m in mask if m is not None]
        return K.all(K.concatenate(masks, axis=0), axis=0, keepdims=False)


class Add(_Merge):
    """Sum of a list of inputs of the same shape."""

    def _merge_function(self, inputs):
        return functools.reduce(operator.add, inputs)


class Subtract(_Merge):
    """`inputs[0] - inputs[1]` (exactly two inputs)."""

    def build(self, input_shape):
        _shape_list(input_shape, 'Subtract', exactly=2)
        super(Subtract, self).build(input_shape)

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError('A `Subtract` layer should be called on exactly 2 inputs, got %d'
                             % len(inputs))
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Element-wise product of a list of inputs."""

    def _merge_function(self, inputs):
        return functools.reduce(operator.mul, inputs)


class Average(_Merge):
    """Element-wise mean of a list of inputs."""

    def _merge_function(self, inputs):
        return functools.reduce(operator.add, inputs) / len(inputs)


class Maximum(_Merge):
    """Element-wise maximum of a list of inputs."""

    def _merge_function(self, inputs):
        return functools.reduce(K.maximum, inputs)


class Minimum(_Merge):
    """Element-wise minimum of a list of inputs."""

    def _merge_function(self, inputs):
        return functools.reduce(K.minimum, inputs)


class Concatenate(_Merge):
    """Concatenation of a list of inputs along `axis` (shapes must match elsewhere).

    # Arguments
        axis: the axis along which the inputs are concatenated (all other dimensions must
            match).
    """

    def __init__(self, axis=-1, **kwargs):
        super(Concatenate, self).__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError('Concatenate: `axis` must be an int, got %r' % (axis,))
        self.axis = int(axis)

    def _check_concat_shapes(self, input_shape):
        input_shape = _shape_list(input_shape, 'Concatenate')
        shapes = [s for s in input_shape if s is not None]
        if not shapes:
            return input_shape
        ranks = set(len(s) for s in shapes)
        if len(ranks) > 1:
            raise ValueError('A `Concatenate` layer requires inputs with matching shapes except '
                             'for the concat axis. Got inputs shapes: %s' % (input_shape,))
        rank = ranks.pop()
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if axis is None:
            raise ValueError('Concatenate: `axis` %d is out of range for inputs of rank %d '
                             '(shapes %s)' % (self.axis, rank, input_shape))
        for d in range(rank):
            if d == axis:
                continue
            sizes = set(s[d] for s in shapes) - {None}
            if len(sizes) > 1:
                raise ValueError('A `Concatenate` layer requires inputs with matching shapes '
                                 'except for the concat axis. Got inputs shapes: %s'
                                 % (input_shape,))
        return input_shape

    def build(self, input_shape):
        self._check_concat_shapes(input_shape)
        self.built = True

    def __call__(self, inputs, **kwargs):
        # checked on every call, built or not (Keras 2.2.4 refuses a single input here)
        _shape_list([K.int_shape(x) for x in inputs] if isinstance(inputs, (list, tuple))
                    else K.int_shape(inputs), 'Concatenate')
        return super(Concatenate, self).__call__(inputs, **kwargs)

    def call(self, inputs):
        return K.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        input_shape = self._check_concat_shapes(input_shape)
        output_shape = list(input_shape[0])
        for shape in input_shape[1:]:
            if output_shape[self.axis] is None or shape[self.axis] is None:
                output_shape[self.axis] = None
                break
            output_shape[self.axis] += shape[self.axis]
        for d in range(len(output_shape)):
            if d != self.axis % len(output_shape) and output_shape[d] is None:
                known = [s[d] for s in input_shape if s[d] is not None]
                if known:
                    output_shape[d] = known[0]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError('Concatenate: `mask` should be a list.')
        if not isinstance(inputs, (list, tuple)):
            raise ValueError('Concatenate: `inputs` should be a list.')
        if len(mask) != len(inputs):
            raise ValueError('Concatenate: the lists `inputs` and `mask` should have the same '
                             'length (got %d and %d)' % (len(inputs), len(mask)))
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(K.cast(K.ones_like(x), 'bool'))
            elif K.ndim(m) < K.ndim(x):
                masks.append(K.expand_dims(m))
            else:
                masks.append(m)
        concatenated = K.concatenate(masks, axis=self.axis)
        return K.all(concatenated, axis=-1, keepdims=False)

    def get_config(self):
        config = {'axis': self.axis}
        base_config = super(Concatenate, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class Dot(_Merge):
    """Dot product of two tensors along `axes` (the batch axis is axis 0); with
    `normalize=True` the inputs are l2-normalised along those axes first (cosine).

    # Arguments
        axes: an integer or tuple of two integers: the axis (of each input) along which the dot
            product is taken.
        normalize: if True, L2-normalize the inputs along `axes` first, so that the product is
            the cosine proximity.
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super(Dot, self).__init__(**kwargs)
        if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
            axes = int(axes)
        else:
            if not isinstance(axes, (list, tuple)):
                raise TypeError('Dot: invalid type for `axes` - should be a list or an int, got %r'
                                % (axes,))
            if len(axes) != 2:
                raise ValueError('Dot: invalid format for `axes` - should contain two elements, '
                                 'got %r' % (axes,))
            if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                       for a in axes):
                raise ValueError('Dot: invalid format for `axes` - list elements should be '
                                 '"int", got %r' % (axes,))
            axes = [int(a) for a in axes]
        self.axes = axes
        self.normalize = normalize

    def _resolve_axes(self, rank1, rank2):
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % rank1, self.axes % rank2]
            return [self.axes] * 2
        return [a % r if a < 0 else a for a, r in zip(self.axes, (rank1, rank2))]

    def _check(self, input_shape):
        input_shape = _shape_list(input_shape, 'Dot', exactly=2)
        shape1, shape2 = input_shape
        if shape1 is None or shape2 is None:
            return input_shape, None
        axes = self._resolve_axes(len(shape1), len(shape2))
        for a, s in zip(axes, (shape1, shape2)):
            # (axis 0 is accepted, as Keras 2.2.4 accepted it: word2vec tutorials' cosine
            # `dot([t, c], axes=0, normalize=True)` of (batch, d, 1) inputs, normalised
            # along the batch axis and multiplied as K.batch_dot takes those axes)
            if a >= len(s):
                raise ValueError('Dot: axes %r are invalid for input shapes %s, %s'
                                 % (self.axes, shape1, shape2))
        if shape1[axes[0]] is not None and shape2[axes[1]] is not None and \
                shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError('Dot: dimension incompatibility %s != %s. Layer shapes: %s, %s'
                             % (shape1[axes[0]], shape2[axes[1]], shape1, shape2))
        return input_shape, axes

    def build(self, input_shape):
        self._check(input_shape)
        self.built = True

    def call(self, inputs):
        x1, x2 = inputs[0], inputs[1]
        axes = self._resolve_axes(K.ndim(x1), K.ndim(x2))
        if self.normalize:
            x1 = K.l2_normalize(x1, axis=axes[0])
            x2 = K.l2_normalize(x2, axis=axes[1])
        return K.batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        input_shape, axes = self._check(input_shape)
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output_shape = shape1 + shape2
        if len(output_shape) == 1:
            output_shape += [1]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = {'axes': self.axes, 'normalize': self.normalize}
        base_config = super(Dot, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


def add(inputs, **kwargs):
    """Functional interface to the `Add` layer.

    # Arguments
        inputs: a list of input tensors (at least 2), all of the same shape.
        **kwargs: standard layer keyword arguments (`name`, ...).

    # Returns
        A tensor, the element-wise sum of the inputs, of their shape.

    # Example
    ```python
    import keras

    input1 = keras.layers.Input(shape=(16,))
    x1 = keras.layers.Dense(8, activation='relu')(input1)
    input2 = keras.layers.Input(shape=(32,))
    x2 = keras.layers.Dense(8, activation='relu')(input2)
    added = keras.layers.add([x1, x2])     # equivalent to Add()([x1, x2])
    out = keras.layers.Dense(4)(added)
    model = keras.models.Model(inputs=[input1, input2], outputs=out)
    ```
    """
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional interface to the `Subtract` layer.

    # Arguments
        inputs: a list of exactly 2 input tensors of the same shape.
        **kwargs: standard layer keyword arguments (`name`, ...).

    # Returns
        A tensor, `inputs[0] - inputs[1]`, of their shape.
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional interface to the `Multiply` layer.

    # Arguments
        inputs: a list of input tensors (at least 2), all of the same shape.
        **kwargs: standard layer keyword arguments (`name`, ...).

    # Returns
        A tensor, the element-wise product of the inputs.
    """
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional interface to the `Average` layer.

    # Arguments
        inputs: a list of input tensors (at least 2), all of the same shape.
        **kwargs: standard layer keyword arguments (`name`, ...).

    # Returns
        A tensor, the element-wise mean of the inputs.
    """
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional interface to the `Maximum` layer.

    # Arguments
        inputs: a list of input tensors (at least 2), all of the same shape.
        **kwargs: standard layer keyword arguments (`name`, ...).

    # Returns
        A tensor, the element-wise maximum of the inputs.
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional interface to the `Minimum` layer.

    # Arguments
        inputs: a list of input tensors (at least 2), all of the same shape.
        **kwargs: standard layer keyword arguments (`name`, ...).

    # Returns
        A tensor, the element-wise minimum of the inputs.
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to the `Concatenate` layer.

    # Arguments
        inputs: a list of input tensors (at least 2).
        axis: the concatenation axis.
        kwargs: standard layer keyword arguments (e.g. `name`).

    # Returns
        A tensor, the concatenation of the inputs along `axis`.
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """Functional interface to the `Dot` layer.

    # Arguments
        inputs: a list of input tensors (at least 2).
        axes: an integer or tuple of two integers, the axis (of each input) along which the dot
            product is taken.
        normalize: if True, L2-normalize the inputs along `axes` first (the result is the cosine
            proximity).
        kwargs: standard layer keyword arguments (e.g. `name`).

    # Returns
        A tensor, the dot product of the samples of the inputs.
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)

# Keras 2.2.4's modules had no `__all__`: a star import gave the names they imported too
# (fast.ai's `from keras.layers.convolutional import *` then uses MaxPooling1D)
__all__ += ['K', 'Layer']
