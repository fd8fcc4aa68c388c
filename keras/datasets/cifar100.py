"""CIFAR-100: 32x32 color images in 100 fine / 20 coarse classes."""
import os

import numpy as np

from .. import backend as K  # noqa: F401  (Keras 2.2.4's module imported it)
from ..utils.data_utils import get_file
from .cifar import load_batch
from .cifar10 import _channels_last

ORIGIN = 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz'


def load_from_folder(path, label_mode='fine'):
    """Parse an extracted `cifar-100-python` folder."""
    if label_mode not in ('fine', 'coarse'):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`, got %r'
                         % (label_mode,))
    x_train, y_train = load_batch(os.path.join(path, 'train'),
                                  label_key=label_mode + '_labels')
    x_test, y_test = load_batch(os.path.join(path, 'test'), label_key=label_mode + '_labels')
    y_train = np.reshape(np.asarray(y_train, dtype='uint8'), (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test, dtype='uint8'), (len(y_test), 1))
    x_train = np.asarray(x_train, dtype='uint8')
    x_test = np.asarray(x_test, dtype='uint8')
    if _channels_last():
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)


def load_data(label_mode='fine'):
    """Loads CIFAR100 (downloaded and extracted to the Keras cache).

    # Arguments
        label_mode: 'fine' (100 classes) or 'coarse' (20 super-classes).

    # Returns
        Tuple of numpy arrays: `(x_train, y_train), (x_test, y_test)`.
    """
    if label_mode not in ('fine', 'coarse'):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`, got %r'
                         % (label_mode,))
    path = get_file('cifar-100-python', origin=ORIGIN, untar=True)
    return load_from_folder(path, label_mode)
