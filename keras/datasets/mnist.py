"""MNIST handwritten digits.

Offline, `load_data()` returns a sample shipped with Keras: the 10,000 digits of the
MNIST test set (by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA
3.0), split into 8,000 training and 2,000 test digits.  The full dataset (60,000 +
10,000 digits) is used instead when `mnist.npz` is in the Keras cache.
"""
import os
import warnings

import numpy as np

from ..utils.data_utils import get_file, validate_file, _keras_home
from ._idx import load_idx

MNIST_ORIGIN = 'https://s3.amazonaws.com/img-datasets/mnist.npz'
MNIST_MD5 = '8a61469f7ea1b51cbae51d4f78837e45'
_BUNDLED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            'data', 'mnist')
N_TRAIN_BUNDLED = 8000


def _cached_path(path):
    return os.path.join(os.path.expanduser(_keras_home()), 'datasets', path)


def load_bundled():
    """The bundled sample: ((x_train, y_train), (x_test, y_test)) = first 8,000 / last
    2,000 of the 10,000 MNIST test digits (uint8, shapes (n, 28, 28) and (n,))."""
    x = load_idx(os.path.join(_BUNDLED_DIR, 't10k-images-idx3-ubyte.gz'))
    y = load_idx(os.path.join(_BUNDLED_DIR, 't10k-labels-idx1-ubyte.gz'))
    n = N_TRAIN_BUNDLED
    return (x[:n], y[:n]), (x[n:], y[n:])


def load_data(path='mnist.npz'):
    """Loads the MNIST dataset of 28x28 grayscale digits.

    Without network access this works out of the box: when no `mnist.npz` is in the
    Keras cache (`$KERAS_HOME/datasets/` or `~/.keras/datasets/`), the digits come from
    the sample bundled with Keras -- the 10,000 digits of the official MNIST test set,
    split into the first 8,000 as training data and the last 2,000 as test data.  When
    the full `mnist.npz` (60,000 + 10,000 digits, md5 8a61469f7ea1b51cbae51d4f78837e45,
    from https://s3.amazonaws.com/img-datasets/mnist.npz) is in the cache -- or `path`
    is an absolute path to it -- it is used instead.

    # Arguments
        path: name of the file in the Keras cache (or an absolute path).

    # Returns
        Tuple of numpy arrays: `(x_train, y_train), (x_test, y_test)`; images are uint8
        of shape (n, 28, 28), labels uint8 in 0..9 of shape (n,).
    """
    fpath = _cached_path(path)
    if os.path.isfile(fpath):
        if path == 'mnist.npz' and not validate_file(fpath, MNIST_MD5):
            warnings.warn('%s does not have the md5 hash of the MNIST dataset (%s); using '
                          'the bundled 10,000-digit sample instead.' % (fpath, MNIST_MD5))
            return load_bundled()
        fpath = get_file(path, origin=MNIST_ORIGIN,
                         file_hash=MNIST_MD5 if path == 'mnist.npz' else None)
        with np.load(fpath, allow_pickle=False) as f:
            return (f['x_train'], f['y_train']), (f['x_test'], f['y_test'])
    return load_bundled()
