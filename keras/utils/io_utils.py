"""HDF5 helpers: HDF5Matrix (a dataset usable in place of a numpy array), H5Dict and
the overwrite prompt."""
import collections
import os
import sys

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover - h5py is a dependency
    h5py = None

# HDF5 refuses attributes larger than this many bytes in an object header.
HDF5_OBJECT_HEADER_LIMIT = 64512


def _require_h5py(what):
    if h5py is None:
        raise ImportError('%s requires h5py: pip install h5py' % what)


class HDF5Matrix(object):
    """Rows `start:end` of an HDF5 dataset, used in place of a numpy array.


    # Arguments
        datapath: path of the HDF5 file (opened read-only; files are shared between
            instances through `HDF5Matrix.refs`).
        dataset: name of the dataset in the file.
        start, end: first row and one past the last row (None: the end of the data).
        normalizer: function applied to every slice that is read.

    Indexing with an int, a slice (step 1 or None), or an increasing list/array of
    ints returns numpy arrays.
        start: the first row used.
        end: the end row (excluded; `None`: the end of the dataset).
    """

    refs = collections.defaultdict(int)

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        _require_h5py('HDF5Matrix')
        if datapath not in self.refs or not getattr(self.refs[datapath], 'id', None) \
                or not self.refs[datapath].id.valid:
            f = h5py.File(datapath, 'r')
            self.refs[datapath] = f
        else:
            f = self.refs[datapath]
        if dataset not in f:
            raise KeyError('HDF5Matrix: dataset %r not found in %s (datasets: %s)'
                           % (dataset, datapath, ', '.join(sorted(f.keys()))))
        self.data = f[dataset]
        n = self.data.shape[0]
        self.start = int(start)
        self.end = n if end is None else int(end)
        if not 0 <= self.start <= self.end <= n:
            raise ValueError('HDF5Matrix: need 0 <= start <= end <= %d (rows of %r), got '
                             'start=%r, end=%r' % (n, dataset, start, end))
        self.normalizer = normalizer
        if normalizer is not None:
            first = self.normalizer(self.data[0:1]) if n else None
            self._normalized_dtype = first.dtype if first is not None else self.data.dtype
            self._normalized_shape = first.shape[1:] if first is not None else \
                self.data.shape[1:]
        else:
            self._normalized_dtype = None
            self._normalized_shape = None

    def __len__(self):
        """The number of rows, `end - start`."""
        return self.end - self.start

    def _row(self, i):
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError('HDF5Matrix index %d out of range for %d rows' % (i, n))
        return i + self.start

    def __getitem__(self, key):
        """Reads rows of the dataset (an integer, a slice or a list of indices, relative to
        `start`), normalized when a `normalizer` was given.

        # Arguments
            key: the index.

        # Returns
            A NumPy array.

        # Raises
            IndexError: out of range.
        """
        if isinstance(key, slice):
            if key.stop is not None and key.stop > len(self):
                # Keras 2.2.4 refuses a slice that ends past the last row
                raise IndexError('HDF5Matrix: slice %r ends past the last row (%d rows)'
                                 % (key, len(self)))
            start, stop, step = key.indices(len(self))
            if step != 1:
                idx = np.arange(start, stop, step) + self.start
                out = self.data[list(idx)] if step > 0 else \
                    self.data[list(idx[::-1])][::-1]
            else:
                out = self.data[self.start + start:self.start + max(start, stop)]
        elif isinstance(key, (int, np.integer)):
            out = self.data[self._row(int(key))]
        elif isinstance(key, (list, tuple, range, np.ndarray)):
            idx = [self._row(int(i)) for i in np.asarray(list(key) if isinstance(key, range)
                                                          else key).ravel()]
            if idx and any(b <= a for a, b in zip(idx, idx[1:])):
                order = np.argsort(idx)
                uniq, inverse = np.unique(np.asarray(idx)[order], return_inverse=True)
                rows = self.data[list(uniq)]
                out = np.empty((len(idx),) + rows.shape[1:], rows.dtype)
                out[order] = rows[inverse]
            else:
                out = self.data[idx]
        else:
            raise TypeError('HDF5Matrix: unsupported index %r (use an int, a slice or a '
                             'list of ints)' % (key,))
        if self.normalizer is not None:
            return self.normalizer(out)
        return out

    @property
    def shape(self):
        inner = self._normalized_shape if self._normalized_shape is not None \
            else self.data.shape[1:]
        return (self.end - self.start,) + tuple(inner)

    @property
    def dtype(self):
        return self._normalized_dtype if self._normalized_dtype is not None \
            else self.data.dtype

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))


def ask_to_proceed_with_overwrite(filepath):
    """Ask on the terminal whether to overwrite `filepath`; True for yes.

    # Arguments
        filepath: the path of the file that would be overwritten.

    # Returns
        A boolean: whether the user agreed to overwrite the file.
    """
    # `six.moves.input` when six is loaded: Keras 2.2.4 read through it, and tests written
    # for it replace it
    read = getattr(sys.modules.get('six.moves'), 'input', None) or input
    overwrite = read('[WARNING] %s already exists - overwrite? [y/n]' % filepath)
    while overwrite.strip().lower() not in ('y', 'n'):
        overwrite = read('Enter "y" (overwrite) or "n" (cancel).')
    if overwrite.strip().lower() == 'n':
        return False
    print('[TIP] Next time specify overwrite=True!')
    return True


class H5Dict(object):
    """Dict-like view of an HDF5 group (or of a plain dict, for in-memory use).

    Numpy arrays are stored as datasets, other values (strings, numbers, lists) as
    attributes; a missing key read in a writable file creates a sub-group, returned
    as an H5Dict.  Lists too large for one attribute are split over `name0`, `name1`...

    # Arguments
        path: the path of an HDF5 file, an open `h5py.File` or `h5py.Group`, or a dictionary
            (in-memory use).
        mode: `"a"` (read and write), `"r"` (read only) or `"w"` (create, truncating).
    """

    def __init__(self, path, mode='a'):
        if isinstance(path, dict):
            self.data = path
            self._is_file = False
            self.read_only = False
            return
        _require_h5py('H5Dict')
        if isinstance(path, h5py.Group):
            self.data = path
            self._is_file = False
        elif isinstance(path, (str, os.PathLike)):
            self.data = h5py.File(path, mode)
            self._is_file = True
        else:
            raise TypeError('H5Dict: path must be a file path, an h5py Group or a dict, '
                            'got %s' % type(path).__name__)
        self.read_only = mode == 'r'

    @staticmethod
    def is_supported_type(path):
        return isinstance(path, (str, os.PathLike, dict)) or (
            h5py is not None and isinstance(path, h5py.Group))

    def __setitem__(self, attr, val):
        """Writes an entry (as an attribute for strings and small values, a dataset for arrays).

        # Arguments
            attr: the key.
            val: the value.

        # Raises
            ValueError: the dictionary is read-only.
            KeyError: a group or dataset of that name exists already.
        """
        if self.read_only:
            raise ValueError('H5Dict: cannot set %r in read-only mode' % (attr,))
        if isinstance(attr, bytes):
            attr = attr.decode('utf-8')
        if isinstance(self.data, dict):
            self.data[attr] = val
            return
        if attr in self.data:
            raise KeyError('H5Dict: cannot set %r: a group or dataset with that name '
                           'exists' % (attr,))
        if isinstance(val, np.ndarray) or type(val).__module__ == np.__name__:
            val = np.asarray(val)
            dataset = self.data.create_dataset(attr, val.shape, dtype=val.dtype)
            if val.shape:
                dataset[:] = val
            else:
                dataset[()] = val
        elif isinstance(val, (list, tuple)):
            # strings read back as strings, bytes as bytes (as Keras 2.2.4's h5dict)
            if val and all(isinstance(v, str) for v in val):
                arr = np.array(val, dtype=h5py.string_dtype('utf-8'))
                size = sum(len(v.encode('utf-8')) + 16 for v in val)
            else:
                arr = np.asarray(val)
                size = arr.nbytes
            if size > HDF5_OBJECT_HEADER_LIMIT:
                n_chunks = int(np.ceil(size / float(HDF5_OBJECT_HEADER_LIMIT)))
                for i, chunk in enumerate(np.array_split(arr, n_chunks)):
                    self.data.attrs['%s%d' % (attr, i)] = chunk
            else:
                self.data.attrs[attr] = arr
        else:
            self.data.attrs[attr] = val

    def __getitem__(self, attr):
        """Reads an entry: arrays and scalars as values, groups as `H5Dict`s; a missing key
        creates an empty group (as Keras 2.2.4's `h5dict`).

        # Arguments
            attr: the key.

        # Returns
            A value or an `H5Dict`.

        # Raises
            ValueError: the key is missing and the dictionary is read-only.
        """
        if isinstance(attr, bytes):
            attr = attr.decode('utf-8')
        if isinstance(self.data, dict):
            if attr in self.data:
                val = self.data[attr]
                return H5Dict(val) if isinstance(val, dict) else val
            if self.read_only:
                raise ValueError('H5Dict: cannot create group %r in read-only mode'
                                 % (attr,))
            self.data[attr] = {}
            return H5Dict(self.data[attr])
        if attr in self.data.attrs:
            val = self.data.attrs[attr]
            return _decode_attr(val)
        if attr in self.data:
            val = self.data[attr]
            if isinstance(val, h5py.Dataset):
                return np.asarray(val)
            sub = H5Dict(val)
            sub.read_only = self.read_only
            return sub
        if '%s0' % attr in self.data.attrs:
            chunks = []
            i = 0
            while '%s%d' % (attr, i) in self.data.attrs:
                chunks.extend(_decode_attr(self.data.attrs['%s%d' % (attr, i)]))
                i += 1
            return chunks
        if self.read_only:
            raise ValueError('H5Dict: %r not found (and groups cannot be created in '
                             'read-only mode)' % (attr,))
        return H5Dict(self.data.create_group(attr))

    def __len__(self):
        """The number of keys of this level."""
        if isinstance(self.data, dict):
            return len(self.data)
        return len(self.data) + len(self.data.attrs)

    def __iter__(self):
        """Iterates over the keys of this level."""
        return iter(self.data) if isinstance(self.data, dict) else \
            iter(list(self.data.attrs) + list(self.data))

    def iter(self):
        """Iterates over the keys of this level."""
        return self.__iter__()

    def __contains__(self, key):
        """Whether `key` is an attribute or a group/dataset of this level.

        # Arguments
            key: a string.
        """
        if isinstance(self.data, dict):
            return key in self.data
        return key in self.data or key in self.data.attrs

    def get(self, key, default=None):
        """The entry for `key`, or `default` when there is none.

        # Arguments
            key: the key.
            default: returned for a missing key.
        """
        if key in self:
            return self[key]
        return default

    def update(self, *args):
        """Writes every entry of a dictionary (`dict.update`).

        # Arguments
            *args: a dictionary or `(key, value)` pairs.
        """
        if isinstance(self.data, dict):
            self.data.update(*args)
            return
        for key, val in dict(*args).items():
            self[key] = val

    def close(self):
        """Closes the underlying HDF5 file if this dictionary opened it."""
        if not isinstance(self.data, dict) and self._is_file:
            if self.data.id.valid:
                self.data.close()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


def _decode_attr(val):
    if isinstance(val, bytes):
        return val.decode('utf-8')
    if isinstance(val, np.ndarray) and val.dtype.kind == 'S':
        return val.tolist()     # lists are written as bytes and read as bytes (Keras 2.2.4)
    if isinstance(val, np.ndarray) and val.dtype == object:
        return [v.decode('utf-8') if isinstance(v, bytes) else v for v in val.tolist()]
    return val


h5dict = H5Dict
