import sys

import h5py

import numpy as np
import pytest

from keras.utils import HDF5Matrix
from keras.utils.io_utils import H5Dict, ask_to_proceed_with_overwrite


@pytest.fixture
def h5file(tmp_path):
    path = str(tmp_path / 'data.h5')
    with h5py.File(path, 'w') as f:
        f['x'] = np.arange(40, dtype='float32').reshape(10, 4)
        f['y'] = np.arange(10)
    yield path
    for p in list(HDF5Matrix.refs):
        if p == path:
            HDF5Matrix.refs[p].close()
            del HDF5Matrix.refs[p]


def test_hdf5matrix_slicing(h5file):
    full = np.arange(40, dtype='float32').reshape(10, 4)
    m = HDF5Matrix(h5file, 'x', start=2, end=8)
    assert len(m) == 6
    assert m.shape == (6, 4)
    assert m.ndim == 2 and m.size == 24 and m.dtype == np.float32
    np.testing.assert_array_equal(m[0], full[2])
    np.testing.assert_array_equal(m[-1], full[7])
    np.testing.assert_array_equal(m[1:3], full[3:5])
    np.testing.assert_array_equal(m[:], full[2:8])
    np.testing.assert_array_equal(m[[0, 2, 5]], full[[2, 4, 7]])
    np.testing.assert_array_equal(m[np.array([4, 1, 1])], full[[6, 3, 3]])
    with pytest.raises(IndexError):
        m[6]
    # Keras 2.2.4: a slice ending past the last row, or an index list past it, is an
    # IndexError; a range works as a list; other keys are a TypeError
    with pytest.raises(IndexError):
        m[5:7]
    with pytest.raises(IndexError):
        m[range(5, 7)]
    np.testing.assert_array_equal(m[range(1, 3)], full[3:5])
    with pytest.raises(TypeError):
        m[None]


def test_hdf5matrix_normalizer_and_errors(h5file):
    m = HDF5Matrix(h5file, 'x', normalizer=lambda a: a / 2.)
    np.testing.assert_allclose(m[1], [2., 2.5, 3., 3.5])
    y = HDF5Matrix(h5file, 'y')
    assert y.shape == (10,)
    with pytest.raises(KeyError, match='nope'):
        HDF5Matrix(h5file, 'nope')
    with pytest.raises(ValueError):
        HDF5Matrix(h5file, 'x', start=5, end=20)


def test_h5dict_roundtrip(tmp_path):
    path = str(tmp_path / 'd.h5')
    d = H5Dict(path, mode='w')
    d['weights'] = np.arange(6).reshape(2, 3)
    d['name'] = 'model'
    d['names'] = ['a', 'bb']
    d['group']['inner'] = np.float32(1.5)
    assert 'name' in d and 'group' in d
    d.close()
    r = H5Dict(path, mode='r')
    np.testing.assert_array_equal(r['weights'], np.arange(6).reshape(2, 3))
    assert r['name'] == 'model'
    assert r['names'] == ['a', 'bb']
    assert float(r['group']['inner']) == 1.5
    assert r.get('missing', 7) == 7
    with pytest.raises(ValueError):
        r['x'] = 1
    r.close()
    mem = H5Dict({})
    mem['a'] = 1
    assert mem['a'] == 1 and len(mem) == 1


def _answer(monkeypatch, fn):
    # the prompt reads through six.moves.input once six is loaded (TensorFlow loads it)
    monkeypatch.setattr('builtins.input', fn)
    moves = sys.modules.get('six.moves')
    if moves is not None:
        monkeypatch.setattr(moves, 'input', fn, raising=False)


def test_ask_to_proceed(monkeypatch):
    answers = iter(['maybe', 'y'])
    _answer(monkeypatch, lambda prompt='': next(answers))
    assert ask_to_proceed_with_overwrite('f.h5') is True
    _answer(monkeypatch, lambda prompt='': 'n')
    assert ask_to_proceed_with_overwrite('f.h5') is False


def test_h5dict_lists_of_bytes_and_of_strings_round_trip(tmp_path):
    from keras.utils.io_utils import h5dict
    for path in (str(tmp_path / 'a.h5'), {}):
        f = h5dict(path, mode='w')
        f['x'] = 'abcd'
        f['y'] = [b'efg', b'hij', b'klmn']
        f['s'] = ['a', 'bb']
        f.close()
        f = h5dict(path, mode='r')
        assert (f['x'], f['y'], f['s']) == ('abcd', [b'efg', b'hij', b'klmn'], ['a', 'bb'])
        f.close()


def test_ask_to_proceed_reads_through_six_moves_when_loaded(monkeypatch):
    import sys
    import types
    from keras.utils.io_utils import ask_to_proceed_with_overwrite
    answers = iter(['maybe', 'n'])
    moves = types.ModuleType('six.moves')
    moves.input = lambda prompt='': next(answers)
    monkeypatch.setitem(sys.modules, 'six.moves', moves)
    assert ask_to_proceed_with_overwrite('/nonexistent/file') is False
