"""Preprocessing of sequence data: padding, skip-grams, time-series batches."""
import json
import random

import numpy as np

from ..utils.data_utils import Sequence


def pad_sequences(sequences, maxlen=None, dtype='int32', padding='pre', truncating='pre',
                  value=0.):
    """Pad (and truncate) a list of sequences to a common length.

    # Arguments
        sequences: list of sequences (lists or arrays; the items may themselves be
            arrays of a common shape).
        maxlen: length of the result; the longest sequence when None.
        dtype: dtype of the result (strings and object allowed).
        padding: 'pre' or 'post': where the padding goes.
        truncating: 'pre' or 'post': which end of a longer sequence is cut off.
        value: padding value.

    # Returns
        Array of shape `(len(sequences), maxlen) + item_shape`.

    # Example
    ```python
    from keras.preprocessing.sequence import pad_sequences

    print(pad_sequences([[1, 2, 3], [4, 5]], maxlen=4))
    # [[0 1 2 3]
    #  [0 0 4 5]]
    print(pad_sequences([[1, 2, 3], [4, 5]], maxlen=2, padding='post', truncating='post'))
    # [[1 2]
    #  [4 5]]
    ```
    """
    if not hasattr(sequences, '__len__'):
        raise ValueError('pad_sequences: `sequences` must be a list of iterables, got %s'
                         % type(sequences).__name__)
    if padding not in ('pre', 'post'):
        raise ValueError('pad_sequences: padding must be "pre" or "post", got %r'
                         % (padding,))
    if truncating not in ('pre', 'post'):
        raise ValueError('pad_sequences: truncating must be "pre" or "post", got %r'
                         % (truncating,))
    lengths = []
    sample_shape = ()
    found_shape = False
    for x in sequences:
        try:
            lengths.append(len(x))
        except TypeError:
            raise ValueError('pad_sequences: `sequences` must be a list of iterables. '
                             'Found non-iterable: %r' % (x,))
        if not found_shape and len(x):
            sample_shape = np.asarray(x).shape[1:]
            found_shape = True
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    maxlen = int(maxlen)
    if maxlen < 0:
        raise ValueError('pad_sequences: maxlen must be >= 0, got %d' % maxlen)

    is_str_dtype = np.issubdtype(np.dtype(dtype), np.str_)
    if isinstance(value, str) and np.dtype(dtype) != object and not is_str_dtype:
        raise ValueError('pad_sequences: `dtype` %s is not compatible with the padding '
                         'value %r; use dtype=object for variable-length strings'
                         % (dtype, value))

    x = np.full((len(lengths), maxlen) + tuple(sample_shape), value, dtype=dtype)
    if maxlen == 0:
        return x
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = s[-maxlen:] if truncating == 'pre' else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != tuple(sample_shape):
            raise ValueError('pad_sequences: shape of sample %s of sequence at position %d '
                             'is different from expected shape %s'
                             % (trunc.shape[1:], idx, tuple(sample_shape)))
        if padding == 'post':
            x[idx, :len(trunc)] = trunc
        else:
            x[idx, -len(trunc):] = trunc
    return x


def make_sampling_table(size, sampling_factor=1e-5):
    """Word-rank based sampling probabilities for `skipgrams` (word2vec style).

    Entry i is the probability of keeping the i-th most common word, assuming a Zipf
    distribution of word frequencies.

    # Arguments
        size: the number of words (the vocabulary size).
        sampling_factor: the sampling factor of the word2vec formula.

    # Returns
        A 1-D array: the probability of keeping the word of each rank.
    """
    gamma = 0.577
    rank = np.arange(size, dtype='float64')
    if size:
        rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1. / (12. * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1., f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1., shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """Skip-gram couples `[word, context]` with labels (1 = true context, 0 = random).

    Index 0 is treated as padding and skipped.  `negative_samples` random couples per
    positive one are added (context drawn uniformly from 1..vocabulary_size-1).

    # Arguments
        sequence: a list of word indices (a sentence); index 0 is skipped.
        vocabulary_size: the vocabulary size (largest index + 1).
        window_size: the size of the window on each side of a word.
        negative_samples: float >= 0, the number of negative (random) couples per positive one.
        shuffle: whether to shuffle the couples.
        categorical: whether the labels are one-hot pairs `[0, 1]` / `[1, 0]` instead of
            integers.
        sampling_table: optional array: `sampling_table[i]` is the probability of keeping the
            word of index `i` (see `make_sampling_table`).
        seed: random seed of the final shuffle (as in Keras 2.2.4, the sampling and the
            negative couples draw from Python's global `random`, which the shuffle then
            leaves seeded with `seed`).

    # Returns
        couples, labels: lists (labels are [0, 1] / [1, 0] with categorical=True).
    """
    couples = []
    labels = []
    n = len(sequence)
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        for j in range(max(0, i - window_size), min(n, i + window_size + 1)):
            if j == i:
                continue
            wj = sequence[j]
            if not wj:
                continue
            couples.append([wi, wj])
            labels.append([0, 1] if categorical else 1)

    if negative_samples > 0 and couples:
        num_negative = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, vocabulary_size - 1)]
                    for i in range(num_negative)]
        labels += [[1, 0] if categorical else 0 for _ in range(num_negative)]

    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        # (couples and labels shuffled alike by reseeding, as Keras 2.2.4 did)
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels


def _remove_long_seq(maxlen, seq, label):
    """Keep the (sequence, label) pairs whose sequence is shorter than `maxlen`."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


class TimeseriesGenerator(Sequence):
    """Batches of temporal windows over a series (a `Sequence`).

    # Arguments
        data: indexable series of timesteps (list or array, first axis = time).
        targets: targets for each timestep, same length as `data`.
        length: window length in timesteps (before sub-sampling).
        sampling_rate: period between timesteps inside a window.
        stride: period between consecutive windows.
        start_index: the first timestep used (timesteps before it are ignored).
        end_index: the last timestep used (`None`: the last of `data`); only timesteps in
            `[start_index, end_index]` are used.
        shuffle: draw the window ends at random.
        reverse: return the timesteps of each window in reverse order.
        batch_size: windows per batch (except maybe the last one).

    Sample i of batch `b` is `data[j - length:j:sampling_rate]` with target
    `targets[j]`, for j = start_index + length + (b * batch_size + i) * stride.
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0,
                 end_index=None, shuffle=False, reverse=False, batch_size=128):
        if len(data) != len(targets):
            raise ValueError('TimeseriesGenerator: data and targets must have the same '
                             'length; got %d and %d' % (len(data), len(targets)))
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        self.start_index = start_index + length
        if end_index is None:
            end_index = len(data) - 1
        self.end_index = end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError('`start_index+length=%i > end_index=%i` is disallowed, as no '
                             'part of the sequence would be left to be used as current '
                             'step.' % (self.start_index, self.end_index))

    def __len__(self):
        """The number of batches."""
        return ((self.end_index - self.start_index + self.batch_size * self.stride)
                // (self.batch_size * self.stride))

    def __getitem__(self, index):
        """The batch number `index`: `(samples, targets)`, the samples of shape
        `(batch_size, length / sampling_rate, ...)`.

        # Arguments
            index: index of the batch.

        # Returns
            A tuple of arrays.
        """
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1,
                                     size=self.batch_size)
        else:
            if index < 0:
                index += len(self)
            if not 0 <= index < len(self):
                raise IndexError('TimeseriesGenerator: batch index %d out of range (%d '
                                 'batches)' % (index, len(self)))
            i = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(i, min(i + self.batch_size * self.stride, self.end_index + 1),
                             self.stride)
        # (float64 whatever the data's dtype: keras_preprocessing 1.0.5, which Keras 2.2.4
        # shipped, filled `np.empty` batches)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate]
                            for row in rows], dtype='float64')
        targets = np.array([self.targets[row] for row in rows], dtype='float64')
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def get_config(self):
        """The generator's configuration, including its data (as lists) and targets.

        # Returns
            A Python dictionary.
        """
        def jsonable(x):
            if isinstance(x, np.ndarray):
                return x.tolist()
            try:
                json.dumps(x)
                return x
            except TypeError:
                raise TypeError('TimeseriesGenerator.get_config: data of type %s is not '
                                'JSON serializable' % type(x).__name__)
        return {
            'data': jsonable(self.data),
            'targets': jsonable(self.targets),
            'length': self.length,
            'sampling_rate': self.sampling_rate,
            'stride': self.stride,
            'start_index': self.start_index - self.length,
            'end_index': self.end_index,
            'shuffle': self.shuffle,
            'reverse': self.reverse,
            'batch_size': self.batch_size,
        }

    def to_json(self, **kwargs):
        """The generator as a JSON string (reloaded by `timeseries_generator_from_json`).

        # Arguments
            **kwargs: passed to `json.dumps`.

        # Returns
            A JSON string.
        """
        return json.dumps({'class_name': self.__class__.__name__,
                           'config': self.get_config()}, **kwargs)


def timeseries_generator_from_json(json_string):
    """Rebuild a TimeseriesGenerator from `TimeseriesGenerator.to_json()`."""
    config = json.loads(json_string)['config']
    config['data'] = np.asarray(config['data'])
    config['targets'] = np.asarray(config['targets'])
    return TimeseriesGenerator(**config)
