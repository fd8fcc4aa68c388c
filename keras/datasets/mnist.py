"""MNIST handwritten digits.

`load_data()` returns the full dataset (60,000 training and 10,000 test digits) from
`mnist.npz` in the Keras cache, downloading it when the network allows; offline, without the
file, it fails with an error that names the file and where to put it, as the other datasets
do. `load_sample()` works without network access: it returns the sample shipped with Keras,
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
N_TRAIN_BUNDLED = 8000


def load_sample():
    """The sample bundled with Keras, usable offline: ((x_train, y_train), (x_test, y_test)) =
    the first 8,000 / last 2,000 of the 10,000 MNIST test digits (uint8, shapes (n, 28, 28)
    and (n,))."""
    x = load_idx(os.path.join(_BUNDLED_DIR, 't10k-images-idx3-ubyte.gz'))
    y = load_idx(os.path.join(_BUNDLED_DIR, 't10k-labels-idx1-ubyte.gz'))
    n = N_TRAIN_BUNDLED
    return (x[:n], y[:n]), (x[n:], y[n:])


def load_data(path='mnist.npz'):
    """Loads the MNIST dataset of 28x28 grayscale digits (60,000 training, 10,000 test).

    The file `mnist.npz` (md5 8a61469f7ea1b51cbae51d4f78837e45, from
    https://s3.amazonaws.com/img-datasets/mnist.npz) is read from the Keras cache
    (`$KERAS_HOME/datasets/` or `~/.keras/datasets/`) or downloaded there; `path` may also be
    another file name in the cache or an absolute path. Without network access and without
    the file, a `DownloadError` names the file and where to put it. For a sample that needs
    neither, see `load_sample()`.

    # Arguments
        path: name of the file in the Keras cache (or an absolute path).

    # Returns
        Tuple of numpy arrays: `(x_train, y_train), (x_test, y_test)`; images are uint8
        of shape (n, 28, 28), labels uint8 in 0..9 of shape (n,).
    """
    if os.path.isabs(path) and os.path.isfile(path):
        fpath = path
    else:
        fpath = get_file(path, origin=MNIST_ORIGIN,
                         file_hash=MNIST_MD5 if path == 'mnist.npz' else None)
    with np.load(fpath, allow_pickle=False) as f:
        return (f['x_train'], f['y_train']), (f['x_test'], f['y_test'])
