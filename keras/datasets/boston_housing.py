"""Boston housing prices (regression): 13 features per house, price in k$."""
import numpy as np

from ..utils.data_utils import get_file

ORIGIN = 'https://s3.amazonaws.com/keras-datasets/boston_housing.npz'
SHA256 = 'f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5'


def load_from_npz(fpath, test_split=0.2, seed=113):
    """Parse a `boston_housing.npz` file (arrays x and y)."""
    with np.load(fpath) as f:
        x, y = f['x'], f['y']
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    idx = int(len(x) * (1 - test_split))
    return (np.array(x[:idx]), np.array(y[:idx])), (np.array(x[idx:]), np.array(y[idx:]))


def load_data(path='boston_housing.npz', test_split=0.2, seed=113):
    """Loads the Boston Housing dataset (downloaded to the Keras cache).

    # Arguments
        path: file name in the cache (`~/.keras/datasets`).
        test_split: fraction of the data reserved for the test set.
        seed: seed of the shuffling done before the split.

    # Returns
        Tuple of numpy arrays: `(x_train, y_train), (x_test, y_test)`.
    """
    if not 0 <= test_split < 1:
        raise ValueError('test_split must be in [0, 1), got %r' % (test_split,))
    fpath = get_file(path, origin=ORIGIN, file_hash=SHA256)
    return load_from_npz(fpath, test_split, seed)
