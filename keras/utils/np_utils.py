"""Numpy helpers: one-hot encoding and normalization."""
import numpy as np


def to_categorical(y, num_classes=None, dtype='float32'):
    """One-hot encode a class vector (integers 0..num_classes-1).

    # Arguments
        y: array-like of integer class labels, any shape; a trailing axis of size 1
            is dropped (so `(n, 1)` labels give `(n, num_classes)`).
        num_classes: total number of classes; `max(y) + 1` when None.
        dtype: dtype of the result.

    # Returns
        An array of shape `y.shape + (num_classes,)` with a single 1 per label.

    # Raises
        ValueError: if a label is not an integer, is negative, or is not below
            `num_classes`.

    # Example
    ```python
    from keras.utils import to_categorical

    print(to_categorical([0, 2, 1], num_classes=3))
    # [[1. 0. 0.]
    #  [0. 0. 1.]
    #  [0. 1. 0.]]
    ```
    """
    y = np.asarray(y)
    if y.size and not np.issubdtype(y.dtype, np.integer):
        as_int = y.astype('int64')
        if np.issubdtype(y.dtype, np.number) and np.any(as_int != y):
            raise ValueError('to_categorical: class labels must be integers, got values '
                             'such as %r' % (y.ravel()[np.argmax(as_int.ravel() != y.ravel())],))
        y = as_int
    else:
        y = y.astype('int64')
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if num_classes is None:
        num_classes = int(np.max(y)) + 1 if y.size else 0
    num_classes = int(num_classes)
    if y.size:
        if y.min() < 0:
            raise ValueError('to_categorical: class labels must be >= 0, got %d' % y.min())
        if y.max() >= num_classes:
            raise ValueError('to_categorical: label %d is out of range for num_classes=%d '
                             '(labels must be in [0, num_classes))' % (y.max(), num_classes))
    n = y.shape[0]
    categorical = np.zeros((n, num_classes), dtype=dtype)
    categorical[np.arange(n), y] = 1
    return np.reshape(categorical, tuple(input_shape) + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Divide `x` by its `order`-norm along `axis` (zero norms are left unchanged).

    # Arguments
        x: NumPy array.
        axis: the axis along which the norms are computed.
        order: the order of the norm (2: L2).

    # Returns
        The normalized array.
    """
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
