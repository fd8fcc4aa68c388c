"""Shared post-processing of the word-index datasets (IMDB, Reuters)."""
import warnings

import numpy as np

from ..preprocessing.sequence import _remove_long_seq


def legacy_kwargs(num_words, kwargs):
    if 'nb_words' in kwargs:
        warnings.warn('The `nb_words` argument in `load_data` has been renamed '
                      '`num_words`.')
        num_words = kwargs.pop('nb_words')
    if kwargs:
        raise TypeError('Unrecognized keyword arguments: %s' % sorted(kwargs))
    return num_words


def object_array(seqs):
    """1-D object array of lists (ragged sequences), as Keras returns them."""
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def process(parts, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """Shift indices, add the start mark, drop long sequences and map rare words.

    `parts`: list of (sequences, labels) pairs (e.g. train and test), processed with a
    common vocabulary cut; returns the list of processed (x, y) pairs.
    """
    processed = []
    for xs, labels in parts:
        xs = [list(x) for x in xs]
        if start_char is not None:
            xs = [[start_char] + [w + index_from for w in x] for x in xs]
        elif index_from:
            xs = [[w + index_from for w in x] for x in xs]
        labels = list(labels)
        if maxlen:
            xs, labels = _remove_long_seq(maxlen, xs, labels)
        processed.append((xs, labels))
    if maxlen and not any(xs for xs, _ in processed):
        raise ValueError('After filtering for sequences shorter than maxlen=%s, no sequence '
                         'was kept. Increase maxlen.' % (maxlen,))
    if not num_words:
        num_words = max(max(x) for xs, _ in processed for x in xs if x)
    out = []
    for xs, labels in processed:
        if oov_char is not None:
            xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
        else:
            xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
        out.append((object_array(xs), np.array(labels)))
    return out
