"""Numpy helpers: one-hot encoding and normalization."""
import numpy as np


def to_categorical(y, num_classes=None, dtype='float32'):
    """One-hot encode a class vector (integers 0..num_classes-1).

    As in Keras 2.2.4, labels are converted with `np.array(y, dtype='int')` (a float label
    is truncated: 1.7 is class 1) and index the classes as NumPy indexes them, so a label
    of -1 is the last class (scripts storing -1 as a placeholder label relied on it).

    # Arguments
        y: array-like of integer class labels, any shape; a trailing axis of size 1
            is dropped (so `(n, 1)` labels give `(n, num_classes)`).
        num_classes: total number of classes; `max(y) + 1` when None.
        dtype: dtype of the result.

    # Returns
        An array of shape `y.shape + (num_classes,)` with a single 1 per label.

    # Raises
        ValueError: if a label is not in `[-num_classes, num_classes)`.

    # Example
    ```python
    from keras.utils import to_categorical

    print(to_categorical([0, 2, 1], num_classes=3))
    # [[1. 0. 0.]
    #  [0. 0. 1.]
    #  [0. 1. 0.]]
    ```
    """
    y = np.array(y, dtype='int')
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if not num_classes:
        num_classes = int(np.max(y)) + 1 if y.size else 0
    num_classes = int(num_classes)
    if y.size and (y.max() >= num_classes or y.min() < -num_classes):
        bad = y.max() if y.max() >= num_classes else y.min()
        raise ValueError('to_categorical: label %d is out of range for num_classes=%d '
                         '(labels must be in [0, num_classes), or negative from the last '
                         'class as NumPy indexes)' % (bad, num_classes))
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
