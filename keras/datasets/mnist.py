"""MNIST handwritten digits.

`load_data()` returns the full dataset (60,000 training and 10,000 test digits) as Keras
2.2.4 does: from `mnist.npz` in the Keras cache, downloading it when it is not there (and
failing with a `DownloadError` that names the file and where to put it when that is not
possible).  `load_sample()` works offline: it returns a sample shipped with this package,
the 10,000 digits of the MNIST test set (by Yann LeCun, Corinna Cortes and Christopher J.C.
Burges, CC BY-SA 3.0), split into 8,000 training and 2,000 test digits.
"""
import os

import numpy as np

from ..utils.data_utils import get_file
from ._idx import load_idx

MNIST_ORIGIN = 'https://s3.amazonaws.com/img-datasets/mnist.npz'
MNIST_MD5 = '8a61469f7ea1b51cbae51d4f78837e45'
_BUNDLED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            'data', 'mnist')
N_TRAIN_SAMPLE = 8000


def load_sample():
    """The MNIST sample bundled with the package, for use without network access.

    # Returns
        `(x_train, y_train), (x_test, y_test)`: the first 8,000 and the last 2,000 of the
        10,000 official MNIST test digits; images uint8 of shape (n, 28, 28), labels uint8
        in 0..9 of shape (n,).
    """
    x = load_idx(os.path.join(_BUNDLED_DIR, 't10k-images-idx3-ubyte.gz'))
    y = load_idx(os.path.join(_BUNDLED_DIR, 't10k-labels-idx1-ubyte.gz'))
    n = N_TRAIN_SAMPLE
    return (x[:n], y[:n]), (x[n:], y[n:])


def load_data(path='mnist.npz'):
    """Loads the MNIST dataset of 28x28 grayscale digits (60,000 + 10,000).

    The file is `path` in the Keras cache (`$KERAS_HOME/datasets/`, else
    `~/.keras/datasets/`; an absolute path is used as is).  When it is missing it is
    downloaded from https://s3.amazonaws.com/img-datasets/mnist.npz (md5
    8a61469f7ea1b51cbae51d4f78837e45); without network access this raises
    `keras.utils.data_utils.DownloadError` naming the exact path where a copy can be placed
    by hand.  For a small sample that needs no download use `load_sample()`.

    # Arguments
        path: name of the file in the Keras cache (or an absolute path).

    # Returns
        Tuple of numpy arrays: `(x_train, y_train), (x_test, y_test)`; images are uint8
        of shape (n, 28, 28), labels uint8 in 0..9 of shape (n,).
    """
    fpath = get_file(path, origin=MNIST_ORIGIN,
                     file_hash=MNIST_MD5 if path == 'mnist.npz' else None)
    with np.load(fpath, allow_pickle=False) as f:
        return (f['x_train'], f['y_train']), (f['x_test'], f['y_test'])
