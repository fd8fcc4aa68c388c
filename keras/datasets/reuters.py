"""Reuters newswires, labelled by topic (46 topics), as sequences of word indices."""
import json

import numpy as np

from ..utils.data_utils import get_file
from ._sequences import legacy_kwargs, process

ORIGIN = 'https://s3.amazonaws.com/text-datasets/reuters.npz'
MD5 = '87aedbeb0cb229e378797a632c1997b6'
WORD_INDEX_ORIGIN = 'https://s3.amazonaws.com/text-datasets/reuters_word_index.json'
WORD_INDEX_MD5 = '4d44cc38712099c9e383dc6e5f11a921'


def load_from_npz(fpath, num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
                  start_char=1, oov_char=2, index_from=3):
    """Parse a `reuters.npz` file (arrays x and y)."""
    with np.load(fpath, allow_pickle=True) as f:
        xs, labels = f['x'], f['y']
    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    ((xs, labels),) = process([(xs, labels)], num_words, skip_top, maxlen, start_char,
                              oov_char, index_from)
    idx = int(len(xs) * (1 - test_split))
    return (xs[:idx], labels[:idx]), (xs[idx:], labels[idx:])


def load_data(path='reuters.npz', num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the Reuters newswire dataset (downloaded to the Keras cache).

    Arguments as for `keras.datasets.imdb.load_data`, plus `test_split`: the fraction
    of the (shuffled) data used as the test set.

    # Arguments
        path: the file name in the Keras cache (`~/.keras/datasets/`).
        num_words: keep only the `num_words` most frequent words (others become `oov_char`);
            `None`: all.
        skip_top: skip the most frequent words (they become `oov_char`).
        maxlen: drop the sequences longer than this (`None`: keep all).
        test_split: the fraction of the data used as the test set.
        seed: the seed of the shuffle of the data.
        start_char: the index marking the start of each sequence.
        oov_char: the index replacing the words that were cut out (`num_words`, `skip_top`).
        index_from: the offset added to the word indices.

    # Returns
        Tuple of numpy arrays: `(x_train, y_train), (x_test, y_test)`.
    """
    num_words = legacy_kwargs(num_words, kwargs)
    if not 0 <= test_split < 1:
        raise ValueError('test_split must be in [0, 1), got %r' % (test_split,))
    fpath = get_file(path, origin=ORIGIN, file_hash=MD5)
    return load_from_npz(fpath, num_words, skip_top, maxlen, test_split, seed, start_char,
                         oov_char, index_from)


def get_word_index(path='reuters_word_index.json'):
    """Dict word -> index of the Reuters dataset (before index_from).

    # Arguments
        path: the file name in the Keras cache (`~/.keras/datasets/`).

    # Returns
        A dictionary word -> index.
    """
    fpath = get_file(path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_MD5)
    with open(fpath) as f:
        return json.load(f)
