import json
import random

import numpy as np
import pytest

from keras.preprocessing.sequence import (pad_sequences, make_sampling_table, skipgrams,
                                          TimeseriesGenerator)
from keras.preprocessing import sequence as sequence_module


def test_pad_sequences_basic():
    seqs = [[1], [1, 2], [1, 2, 3]]
    np.testing.assert_array_equal(pad_sequences(seqs),
                                  [[0, 0, 1], [0, 1, 2], [1, 2, 3]])
    np.testing.assert_array_equal(pad_sequences(seqs, padding='post'),
                                  [[1, 0, 0], [1, 2, 0], [1, 2, 3]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2),
                                  [[0, 1], [1, 2], [2, 3]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2, truncating='post'),
                                  [[0, 1], [1, 2], [1, 2]])
    np.testing.assert_array_equal(pad_sequences(seqs, value=-1),
                                  [[-1, -1, 1], [-1, 1, 2], [1, 2, 3]])
    assert pad_sequences(seqs).dtype == np.int32


def test_pad_sequences_dtypes_and_shapes():
    out = pad_sequences([[0.5, 1.5], [2.5]], dtype='float32', padding='post')
    np.testing.assert_allclose(out, [[0.5, 1.5], [2.5, 0.]])
    vec = pad_sequences([np.ones((2, 3)), np.ones((1, 3)), []], maxlen=3)
    assert vec.shape == (3, 3, 3)
    np.testing.assert_array_equal(vec[1, :2], 0)
    np.testing.assert_array_equal(vec[2], 0)
    strs = pad_sequences([['a', 'b'], ['c']], dtype=object, value='<pad>')
    assert strs.tolist() == [['a', 'b'], ['<pad>', 'c']]
    with pytest.raises(ValueError, match='dtype'):
        pad_sequences([['a']], value='x')
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    assert pad_sequences([]).shape == (0, 0)


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match='padding'):
        pad_sequences([[1]], padding='middle')
    with pytest.raises(ValueError, match='truncating'):
        pad_sequences([[1]], truncating='x')
    with pytest.raises(ValueError, match='non-iterable'):
        pad_sequences([1, 2])
    with pytest.raises(ValueError, match='shape'):
        pad_sequences([np.ones((2, 3)), np.ones((1, 4))])


def test_make_sampling_table():
    table = make_sampling_table(5, sampling_factor=0.1)
    rank = np.array([1, 1, 2, 3, 4], dtype=float)
    f = 0.1 * (rank * (np.log(rank) + 0.577) + 0.5 - 1. / (12. * rank))
    np.testing.assert_allclose(table, np.minimum(1., np.sqrt(f)))
    # frequent words (low rank) are sampled less often
    assert make_sampling_table(1000)[10] < make_sampling_table(1000)[-1] <= 1


def test_skipgrams():
    seq = [1, 2, 3, 0, 4]
    couples, labels = skipgrams(seq, vocabulary_size=5, window_size=1, negative_samples=0,
                                shuffle=False)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]]
    assert labels == [1, 1, 1, 1]
    random.seed(0)
    couples, labels = skipgrams(seq, 5, window_size=2, negative_samples=1., seed=7)
    assert len(couples) == len(labels) == 2 * labels.count(1)
    assert all(1 <= c[1] < 5 for c in couples)
    # couples and labels shuffled alike: every couple labelled 1 is a pair of the window
    positives, _ = skipgrams(seq, 5, window_size=2, negative_samples=0, shuffle=False)
    assert sorted(c for c, l in zip(couples, labels) if l == 1) == sorted(positives)
    # as in Keras 2.2.4, the negatives draw from Python's global `random` and `seed` seeds
    # the final shuffles, which leave the global generator seeded with it
    after = random.random()
    random.seed(7)
    random.shuffle(list(range(len(labels))))
    assert random.random() == after
    random.seed(0)
    assert skipgrams(seq, 5, window_size=2, negative_samples=1., seed=7) == (couples, labels)
    _, cat = skipgrams(seq, 5, window_size=1, categorical=True, shuffle=False)
    assert cat[0] == [0, 1] and cat[-1] == [1, 0]
    couples, _ = skipgrams(seq, 5, sampling_table=np.zeros(5), negative_samples=0)
    assert couples == []


def test_timeseries_generator():
    data = np.arange(50).reshape(50, 1)
    targets = np.arange(50) * 10
    gen = TimeseriesGenerator(data, targets, length=10, sampling_rate=2, batch_size=2)
    assert len(gen) == 20
    x, y = gen[0]
    np.testing.assert_array_equal(x, [[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]])
    np.testing.assert_array_equal(y, [100, 110])
    x, y = gen[-1]
    np.testing.assert_array_equal(y, [480, 490])

    gen = TimeseriesGenerator(data, targets, length=10, stride=3, start_index=5,
                              end_index=30, reverse=True, batch_size=4)
    x, y = gen[0]
    np.testing.assert_array_equal(y, [150, 180, 210, 240])
    np.testing.assert_array_equal(x[0, :, 0], np.arange(14, 4, -1))
    assert len(gen) == 2
    assert gen[1][1].tolist() == [270, 300]

    gen = TimeseriesGenerator(data, targets, length=3, shuffle=True, batch_size=5)
    x, y = gen[0]
    assert x.shape == (5, 3, 1)
    np.testing.assert_array_equal(x[:, -1, 0] + 1, y // 10)

    with pytest.raises(ValueError, match='start_index'):
        TimeseriesGenerator(data, targets, length=60)
    with pytest.raises(ValueError, match='same length'):
        TimeseriesGenerator(data, targets[:10], length=2)


def test_timeseries_generator_json():
    data = np.arange(20).reshape(10, 2)
    gen = TimeseriesGenerator(data, np.arange(10), length=2, batch_size=3)
    cfg = json.loads(gen.to_json())
    assert cfg['class_name'] == 'TimeseriesGenerator'
    gen2 = sequence_module.timeseries_generator_from_json(gen.to_json())
    np.testing.assert_array_equal(gen2[1][0], gen[1][0])


def test_timeseries_generator_batches_are_float64_as_keras_preprocessing_1_0_5s():
    # keras_preprocessing 1.0.5 (Keras 2.2.4's) filled `np.empty` batches: float64 samples
    # and targets whatever the data's dtype
    gen = TimeseriesGenerator(np.arange(20), np.arange(20), length=4, batch_size=4)
    x, y = gen[0]
    assert x.dtype == np.float64 and y.dtype == np.float64
    np.testing.assert_array_equal(x[1], [1, 2, 3, 4])
    np.testing.assert_array_equal(y, [4, 5, 6, 7])
