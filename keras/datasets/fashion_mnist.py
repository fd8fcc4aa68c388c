"""Fashion-MNIST: 28x28 grayscale images of 10 kinds of clothing."""
import os

from ..utils.data_utils import get_file
from ._idx import load_idx

BASE_URL = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/'
FILES = ['train-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz',
         't10k-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz']


def load_data():
    """Loads the Fashion-MNIST dataset (downloaded to the Keras cache,
    `datasets/fashion-mnist/`).

    # Returns
        Tuple of numpy arrays: `(x_train, y_train), (x_test, y_test)`; images uint8
        (n, 28, 28), labels uint8 (n,).
    """
    dirname = os.path.join('datasets', 'fashion-mnist')
    paths = [get_file(fname, origin=BASE_URL + fname, cache_subdir=dirname)
             for fname in FILES]
    y_train = load_idx(paths[0])
    x_train = load_idx(paths[1]).reshape(len(y_train), 28, 28)
    y_test = load_idx(paths[2])
    x_test = load_idx(paths[3]).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
