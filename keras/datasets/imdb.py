"""IMDB movie reviews, labelled by sentiment, as sequences of word indices."""
import json

import numpy as np

from ..utils.data_utils import get_file
from ._sequences import legacy_kwargs, process

ORIGIN = 'https://s3.amazonaws.com/text-datasets/imdb.npz'
MD5 = '599dadb1135973df5b59232a0e9a887c'
WORD_INDEX_ORIGIN = 'https://s3.amazonaws.com/text-datasets/imdb_word_index.json'
WORD_INDEX_MD5 = 'bfafd718b763782e994055a2d397834f'


def load_from_npz(fpath, num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
                  oov_char=2, index_from=3):
    """Parse an `imdb.npz` file (arrays x_train, y_train, x_test, y_test)."""
    with np.load(fpath, allow_pickle=True) as f:
        x_train, labels_train = f['x_train'], f['y_train']
        x_test, labels_test = f['x_test'], f['y_test']
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    (x_train, y_train), (x_test, y_test) = process(
        [(x_train, labels_train), (x_test, labels_test)], num_words, skip_top, maxlen,
        start_char, oov_char, index_from)
    return (x_train, y_train), (x_test, y_test)


def load_data(path='imdb.npz', num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the IMDB dataset (downloaded to the Keras cache).

    # Arguments
        path: file name in the cache (`~/.keras/datasets`).
        num_words: keep only words with index < num_words (others become `oov_char`).
        skip_top: also treat the `skip_top` most frequent words as out of vocabulary.
        maxlen: drop sequences of `maxlen` words or more.
        seed: seed of the shuffling.
        start_char: index marking the start of each sequence (None: no mark).
        oov_char: index of out-of-vocabulary words (None: drop them).
        index_from: word indices are shifted by this amount.

    # Returns
        Tuple of numpy arrays: `(x_train, y_train), (x_test, y_test)`; x are object
        arrays of lists of ints, y are 0/1 labels.
    """
    num_words = legacy_kwargs(num_words, kwargs)
    fpath = get_file(path, origin=ORIGIN, file_hash=MD5)
    return load_from_npz(fpath, num_words, skip_top, maxlen, seed, start_char, oov_char,
                         index_from)


def get_word_index(path='imdb_word_index.json'):
    """Dict word -> index (1 = most frequent) of the IMDB dataset (before index_from).

    # Arguments
        path: the file name in the Keras cache (`~/.keras/datasets/`).

    # Returns
        A dictionary word -> index.
    """
    fpath = get_file(path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_MD5)
    with open(fpath) as f:
        return json.load(f)
