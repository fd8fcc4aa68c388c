import gzip
import json
import os
import pickle
import struct

import numpy as np
import pytest

from keras.datasets import (mnist, fashion_mnist, cifar10, cifar100, imdb, reuters,
                            boston_housing)
from keras.utils.data_utils import DownloadError


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv('KERAS_HOME', str(tmp_path))
    (tmp_path / 'datasets').mkdir()
    return tmp_path


def test_mnist_sample_ships_with_keras(keras_home):
    (x_train, y_train), (x_test, y_test) = mnist.load_sample()
    assert x_train.shape == (8000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert y_train.shape == (8000,) and y_test.shape == (2000,)
    assert y_train.min() == 0 and y_train.max() == 9 and set(y_test) == set(range(10))
    # label counts of the MNIST test set
    counts = np.bincount(np.concatenate([y_train, y_test]))
    assert counts.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_train.max() == 255 and x_train.min() == 0


def test_mnist_load_data_reads_the_full_file_or_says_where_to_put_it(keras_home, monkeypatch):
    from keras.utils import data_utils
    # offline (the download fails) and no file: an error naming the file and the folder
    def offline(*args, **kwargs):
        raise OSError('network unreachable')
    monkeypatch.setattr(data_utils, 'urlopen', offline)
    with pytest.raises(DownloadError) as err:
        mnist.load_data()
    assert 'mnist.npz' in str(err.value) and str(keras_home / 'datasets') in str(err.value)
    # a file with the official layout in the cache is what load_data returns
    x = np.zeros((3, 28, 28), 'uint8')
    np.savez(str(keras_home / 'datasets' / 'mini.npz'), x_train=x, y_train=np.arange(3),
             x_test=x[:1], y_test=np.arange(1))
    (xt, yt), (xs, ys) = mnist.load_data('mini.npz')
    assert xt.shape == (3, 28, 28) and ys.tolist() == [0]
    (xt, _), _ = mnist.load_data(str(keras_home / 'datasets' / 'mini.npz'))
    assert xt.shape == (3, 28, 28)
    # a corrupt mnist.npz fails its md5 check instead of passing for the dataset
    (keras_home / 'datasets' / 'mnist.npz').write_bytes(b'garbage')
    with pytest.raises(DownloadError):
        mnist.load_data()


def _write_idx(path, arr):
    arr = np.asarray(arr, dtype='uint8')
    header = struct.pack('>BBBB', 0, 0, 0x08, arr.ndim)
    header += b''.join(struct.pack('>I', d) for d in arr.shape)
    with gzip.open(path, 'wb') as f:
        f.write(header + arr.tobytes())


def test_fashion_mnist_parses_cached_idx(keras_home):
    d = keras_home / 'datasets' / 'fashion-mnist'
    d.mkdir()
    rng = np.random.RandomState(0)
    x_train = rng.randint(0, 256, (5, 28, 28))
    x_test = rng.randint(0, 256, (2, 28, 28))
    _write_idx(d / 'train-images-idx3-ubyte.gz', x_train)
    _write_idx(d / 'train-labels-idx1-ubyte.gz', [1, 2, 3, 4, 5])
    _write_idx(d / 't10k-images-idx3-ubyte.gz', x_test)
    _write_idx(d / 't10k-labels-idx1-ubyte.gz', [9, 0])
    (a, b), (c, e) = fashion_mnist.load_data()
    np.testing.assert_array_equal(a, x_train)
    np.testing.assert_array_equal(c, x_test)
    assert b.tolist() == [1, 2, 3, 4, 5] and e.tolist() == [9, 0]
    assert a.dtype == np.uint8


def _cifar_batch(path, n, label_key, seed):
    rng = np.random.RandomState(seed)
    data = rng.randint(0, 256, (n, 3 * 32 * 32)).astype('uint8')
    labels = rng.randint(0, 10, n).tolist()
    with open(path, 'wb') as f:
        pickle.dump({b'data': data, label_key.encode(): labels, b'batch_label': b'x'}, f)
    return data, labels


def test_cifar10_parses_cached_folder(keras_home):
    folder = keras_home / 'datasets' / 'cifar-10-batches-py'
    folder.mkdir()
    batches = [_cifar_batch(folder / ('data_batch_%d' % i), 2, 'labels', i)
               for i in range(1, 6)]
    test_data, test_labels = _cifar_batch(folder / 'test_batch', 3, 'labels', 9)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and y_train.shape == (10, 1)
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1)
    expected = batches[1][0][0].reshape(3, 32, 32).transpose(1, 2, 0)
    np.testing.assert_array_equal(x_train[2], expected)
    assert y_train[:, 0].tolist() == sum((b[1] for b in batches), [])
    assert y_test[:, 0].tolist() == test_labels


def test_cifar100_label_modes(keras_home):
    folder = keras_home / 'datasets' / 'cifar-100-python'
    folder.mkdir()
    for name, n in (('train', 4), ('test', 2)):
        rng = np.random.RandomState(n)
        with open(folder / name, 'wb') as f:
            pickle.dump({b'data': rng.randint(0, 256, (n, 3072)).astype('uint8'),
                         b'fine_labels': list(range(n)),
                         b'coarse_labels': [7] * n}, f)
    (x, y), (xt, yt) = cifar100.load_data('fine')
    assert x.shape == (4, 32, 32, 3) and y[:, 0].tolist() == [0, 1, 2, 3]
    (_, y), _ = cifar100.load_data(label_mode='coarse')
    assert y[:, 0].tolist() == [7] * 4
    with pytest.raises(ValueError, match='label_mode'):
        cifar100.load_data('medium')


def _ragged(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def test_imdb_parsing(tmp_path):
    path = str(tmp_path / 'imdb.npz')
    np.savez(path, x_train=_ragged([[1, 2, 3], [4, 5], [6, 7, 8, 9]]),
             y_train=np.array([0, 1, 0]),
             x_test=_ragged([[10, 1], [2]]), y_test=np.array([1, 0]))
    (x, y), (xt, yt) = imdb.load_from_npz(path, seed=113)
    assert len(x) == 3 and len(xt) == 2 and x.dtype == object
    # each sequence: start_char then indices shifted by index_from=3
    pairs = {tuple(s): int(lab) for s, lab in zip(x, y)}
    assert pairs == {(1, 4, 5, 6): 0, (1, 7, 8): 1, (1, 9, 10, 11, 12): 0}
    # as in Keras 2.2, without num_words the largest index (13) counts as out of
    # vocabulary (num_words = max index, kept indices are < num_words)
    assert sorted(map(tuple, xt)) == [(1, 2, 4), (1, 5)]
    (x, _), (xt, _) = imdb.load_from_npz(path, num_words=8, oov_char=2)
    assert max(max(s) for s in x) < 8 and 2 in x[0] + x[1] + x[2]
    (x, _), _ = imdb.load_from_npz(path, num_words=8, oov_char=None, start_char=None,
                                   index_from=0)
    assert sorted(map(tuple, x)) == [(1, 2, 3), (4, 5), (6, 7)]
    (x, y), (xt, yt) = imdb.load_from_npz(path, maxlen=4)
    assert all(len(s) < 4 for s in x) and len(x) == len(y) == 1
    assert len(xt) == 2
    with pytest.raises(ValueError, match='maxlen'):
        imdb.load_from_npz(path, maxlen=1)


def test_reuters_parsing_and_split(tmp_path):
    path = str(tmp_path / 'reuters.npz')
    xs = _ragged([[i, i + 1] for i in range(10)])
    np.savez(path, x=xs, y=np.arange(10))
    (x, y), (xt, yt) = reuters.load_from_npz(path, test_split=0.2)
    assert len(x) == 8 and len(xt) == 2
    for s, lab in zip(list(x) + list(xt), list(y) + list(yt)):
        # the largest index (13) is out of vocabulary, as in Keras 2.2
        assert s == [1, lab + 3, lab + 4 if lab + 4 < 13 else 2]


def test_boston_parsing(tmp_path):
    path = str(tmp_path / 'b.npz')
    np.savez(path, x=np.arange(26, dtype='float64').reshape(2 * 1, 13).repeat(5, 0),
             y=np.arange(10, dtype='float64'))
    (x, y), (xt, yt) = boston_housing.load_from_npz(path, test_split=0.2, seed=113)
    assert x.shape == (8, 13) and xt.shape == (2, 13)
    assert sorted(np.concatenate([y, yt]).tolist()) == list(range(10))
    perm = np.arange(10)
    np.random.RandomState(113).shuffle(perm)
    np.testing.assert_array_equal(np.concatenate([y, yt]), perm)


@pytest.mark.parametrize('loader,fname', [
    (imdb.load_data, 'imdb.npz'), (reuters.load_data, 'reuters.npz'),
    (boston_housing.load_data, 'boston_housing.npz'),
    (imdb.get_word_index, 'imdb_word_index.json'),
    (cifar10.load_data, 'cifar-10-batches-py.tar.gz')])
def test_offline_loaders_fail_clearly(keras_home, loader, fname):
    with pytest.raises(DownloadError) as info:
        loader()
    msg = str(info.value)
    assert 'https://' in msg
    assert os.path.join(str(keras_home), 'datasets', fname) in msg


def test_loaders_through_get_file(keras_home, monkeypatch, tmp_path):
    path = str(tmp_path / 'r.npz')
    np.savez(path, x=_ragged([[1], [2], [3], [4], [5]]), y=np.arange(5))
    calls = []

    def fake_get_file(fname, origin, **kwargs):
        calls.append((fname, origin, kwargs.get('file_hash')))
        return path
    monkeypatch.setattr(reuters, 'get_file', fake_get_file)
    with pytest.warns(UserWarning, match='num_words'):
        (x, y), (xt, yt) = reuters.load_data(test_split=0.4, nb_words=100)
    assert len(x) == 3 and len(xt) == 2
    assert calls[0][2] == reuters.MD5
    with pytest.raises(TypeError):
        reuters.load_data(bogus=1)
    word_index = tmp_path / 'wi.json'
    word_index.write_text(json.dumps({'the': 1}))
    monkeypatch.setattr(imdb, 'get_file', lambda *a, **k: str(word_index))
    assert imdb.get_word_index() == {'the': 1}
