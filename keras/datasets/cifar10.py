"""CIFAR-10: 32x32 color images in 10 classes."""
import os

import numpy as np

from .. import backend as K  # noqa: F401  (Keras 2.2.4's module imported it)
from ..utils.data_utils import get_file
from .cifar import load_batch

ORIGIN = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'


def _channels_last():
    from ..backend.config import image_data_format
    return image_data_format() == 'channels_last'


def load_from_folder(path):
    """Parse an extracted `cifar-10-batches-py` folder."""
    batches = [load_batch(os.path.join(path, 'data_batch_%d' % i)) for i in range(1, 6)]
    num_train_samples = sum(len(b[1]) for b in batches)
    x_train = np.empty((num_train_samples, 3, 32, 32), dtype='uint8')
    y_train = np.empty((num_train_samples,), dtype='uint8')
    start = 0
    for data, labels in batches:
        x_train[start:start + len(labels)] = data
        y_train[start:start + len(labels)] = labels
        start += len(labels)
    x_test, y_test = load_batch(os.path.join(path, 'test_batch'))
    x_test = np.asarray(x_test, dtype='uint8')
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test, dtype='uint8'), (len(y_test), 1))
    if _channels_last():
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)


def load_data():
    """Loads CIFAR10 (downloaded and extracted to the Keras cache).

    # Returns
        Tuple of numpy arrays: `(x_train, y_train), (x_test, y_test)`; images uint8
        (n, 32, 32, 3) with channels_last (else (n, 3, 32, 32)), labels uint8 (n, 1).
    """
    path = get_file('cifar-10-batches-py', origin=ORIGIN, untar=True)
    return load_from_folder(path)
