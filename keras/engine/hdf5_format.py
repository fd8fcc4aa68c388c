"""The Keras 2 HDF5 layout: the storage (h5py files and groups, or nested dicts that stand
in for them), attributes (long lists split over several), atomic writes to a path, and the
weights of layers (`save_weights_to_hdf5_group`, `load_weights_from_hdf5_group` by order
and `..._by_name`).

Weights (`save_weights`, and group `model_weights` of a model file): root attributes
`layer_names` (names of `model.layers`, weightless layers included), `backend`,
`keras_version`; one group per layer with attribute `weight_names` (`dense_1/kernel:0`, ...)
and one dataset per weight at the path given by its name. A nested model stores all its
weights in its own group. Attribute arrays larger than 64 KiB are split into `name0`,
`name1`, ... Writes to a path are atomic: the file is written next to the target under a
temporary name and moved into place only once complete.
"""
import contextlib
import os
import re
import uuid
import warnings

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover - h5py is a dependency
    h5py = None

from .. import backend as K
from .weight_conversion import _shape, preprocess_weights_for_loading


from ..utils import io_utils
from ..utils.io_utils import _require_h5py


from .network import Network


HDF5_OBJECT_HEADER_LIMIT = io_utils.HDF5_OBJECT_HEADER_LIMIT

# What we write in `backend`: Keras 2 readers only look at it to decide whether
# convolution kernels must be flipped (Theano); our kernels are laid out as the
# TensorFlow backend lays them out, so 'tensorflow' makes them read them as-is.
SAVED_BACKEND = 'tensorflow'


def _keras_version():
    from .._version import __version__
    return __version__


# ----------------------------------------------------------------------------- storage
class _DictGroup(object):
    """An in-memory stand-in for an h5py Group, backed by a plain dict.

    Children are stored under their names, attributes in the dict under '.attrs'.
    Paths with '/' create / traverse sub-groups as h5py does.
    """

    _ATTRS = '.attrs'

    def __init__(self, data):
        if not isinstance(data, dict):
            raise TypeError('expected a dict, got %s' % type(data).__name__)
        self._data = data
        data.setdefault(self._ATTRS, {})

    @property
    def attrs(self):
        return self._data[self._ATTRS]

    def _split(self, path):
        parts = [p for p in str(path).split('/') if p]
        if not parts:
            raise KeyError('empty path %r' % (path,))
        return parts

    def _walk(self, parts, create=False):
        node = self._data
        for part in parts:
            if part == self._ATTRS:
                raise KeyError('invalid name %r' % part)
            if part not in node:
                if not create:
                    raise KeyError(part)
                node[part] = {self._ATTRS: {}}
            node = node[part]
            if not isinstance(node, dict):
                raise KeyError('%r is a dataset, not a group' % part)
        return node

    def __contains__(self, path):
        try:
            self[path]
        except KeyError:
            return False
        return True

    def __getitem__(self, path):
        parts = self._split(path)
        parent = self._walk(parts[:-1])
        if parts[-1] not in parent or parts[-1] == self._ATTRS:
            raise KeyError(path)
        value = parent[parts[-1]]
        return _DictGroup(value) if isinstance(value, dict) else value

    def keys(self):
        return [k for k in self._data if k != self._ATTRS]

    def __iter__(self):
        return iter(self.keys())

    def create_group(self, path):
        parts = self._split(path)
        parent = self._walk(parts[:-1], create=True)
        if parts[-1] in parent:
            raise ValueError('Unable to create group %r (name already exists)' % path)
        parent[parts[-1]] = {self._ATTRS: {}}
        return _DictGroup(parent[parts[-1]])

    def create_dataset(self, path, data=None, **kwargs):
        parts = self._split(path)
        parent = self._walk(parts[:-1], create=True)
        if parts[-1] in parent:
            raise ValueError('Unable to create dataset %r (name already exists)' % path)
        parent[parts[-1]] = np.array(data, copy=True)
        return parent[parts[-1]]


def _is_h5_group(obj):
    return h5py is not None and isinstance(obj, h5py.Group)


def _as_group(obj):
    """Group-like view of an h5py Group, a dict or an H5Dict (None if unsupported)."""
    if _is_h5_group(obj):
        return obj
    if isinstance(obj, _DictGroup):
        return obj
    if isinstance(obj, dict):
        return _DictGroup(obj)
    if isinstance(obj, io_utils.H5Dict):
        return _as_group(obj.data)
    return None


def _is_binary_stream(obj):
    """A seekable binary file object (`io.BytesIO`, an open file): h5py reads and writes
    HDF5 images through these."""
    return all(hasattr(obj, name) for name in ('read', 'seek', 'tell')) and \
        not isinstance(obj, (str, bytes, os.PathLike))


def _check_path(filepath, argname='filepath'):
    if isinstance(filepath, bytes):
        filepath = filepath.decode('utf-8')
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError('%s: expected a file path (str), an h5py File/Group or a dict, got %r '
                        'of type %s' % (argname, filepath, type(filepath).__name__))
    return os.fspath(filepath)


@contextlib.contextmanager
def _open_for_read(filepath, what):
    group = _as_group(filepath)
    if group is not None:
        yield group
        return
    if _is_binary_stream(filepath):
        _require_h5py(what)
        with h5py.File(filepath, 'r') as f:
            yield f
        return
    path = _check_path(filepath)
    _require_h5py(what)
    if not os.path.exists(path):
        raise IOError('%s: no such file: %r' % (what, path))
    try:
        f = h5py.File(path, 'r')
    except OSError as e:
        raise IOError('%s: %r is not a readable HDF5 file (%s)' % (what, path, e))
    try:
        yield f
    finally:
        f.close()


_ERRNO_IN_MESSAGE = re.compile(r'errno\s*=\s*(\d+)')


def _write_error(what, path, error):
    """The OSError to raise when writing `path` failed with `error` (h5py reports failed
    writes as RuntimeErrors whose text carries the errno): names the file and the cause."""
    code = getattr(error, 'errno', None)
    if not code:
        match = _ERRNO_IN_MESSAGE.search(str(error))
        code = int(match.group(1)) if match else None
    cause = os.strerror(code) if code else str(error)
    return OSError(code or 0, '%s: could not write %s: %s (the previous file, if any, is '
                   'unchanged)' % (what, path, cause), path)


def _temporary_path(path):
    """A temporary file next to `path`, named with this process's id (so that a later save
    can tell the leftovers of a killed writer from those of a writer still running)."""
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, '.%s.%d-%s.tmp' % (name, os.getpid(), uuid.uuid4().hex))


def _remove_stale_temporaries(path):
    """Remove the temporary files of earlier writes of `path` whose process is gone."""
    directory, name = os.path.split(os.path.abspath(path))
    pattern = re.compile(r'^\.%s\.(\d+)-[0-9a-f]{32}\.tmp$' % re.escape(name))
    try:
        entries = os.listdir(directory)
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry)
        if not match or int(match.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
            continue                      # that writer is still running
        except ProcessLookupError:
            pass
        except OSError:
            continue                      # someone else's process: leave its file alone
        try:
            os.remove(os.path.join(directory, entry))
        except OSError:
            pass


def _write_atomically(filepath, overwrite, what, write_fn):
    """Run write_fn(group) on a fresh HDF5 file that replaces `filepath` only once complete.
    A failed write raises an OSError naming the file and the cause, leaves the previous file
    as it was and removes its temporary file."""
    group = _as_group(filepath)
    if group is not None:
        write_fn(group)
        return
    if _is_binary_stream(filepath):
        _require_h5py(what)
        with h5py.File(filepath, 'w') as f:
            write_fn(f)
            f.flush()
        return
    path = _check_path(filepath)
    _require_h5py(what)
    if not overwrite and os.path.isfile(path):
        if not io_utils.ask_to_proceed_with_overwrite(path):
            return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise IOError('%s: directory %r does not exist' % (what, directory))
    tmp = _temporary_path(path)
    try:
        try:
            with h5py.File(tmp, 'w') as f:
                write_fn(f)
                f.flush()
            os.replace(tmp, path)
        except (OSError, RuntimeError) as e:
            h5py_write_error = isinstance(e, RuntimeError) and _ERRNO_IN_MESSAGE.search(str(e))
            if not (isinstance(e, OSError) or h5py_write_error):
                raise
            raise _write_error(what, path, e) from e
    except BaseException:
        if os.path.exists(tmp):
            try:
                os.remove(tmp)
            except OSError:
                pass
        raise
    _remove_stale_temporaries(path)


# ----------------------------------------------------------------------------- attributes
def _to_str(value):
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode('utf-8')
    if isinstance(value, np.ndarray) and value.shape == ():
        return _to_str(value.item())
    return str(value)


def _to_str_list(value):
    if isinstance(value, (bytes, np.bytes_, str)):
        return [_to_str(value)]
    arr = np.asarray(value)
    if arr.size == 0:
        return []
    return [_to_str(v) for v in arr.ravel().tolist()]


def save_attributes_to_hdf5_group(group, name, data):
    """Store a list of strings as attribute `name`, split in chunks `name0`, `name1`, ... when
    it is larger than the HDF5 object header allows (Keras 2 layout)."""
    data = [d.encode('utf-8') if isinstance(d, str) else bytes(d) for d in data]
    too_large = [d for d in data if len(d) > HDF5_OBJECT_HEADER_LIMIT]
    if too_large:
        raise RuntimeError('The following attributes cannot be saved to HDF5 file because they '
                           'are larger than %d bytes: %s' % (HDF5_OBJECT_HEADER_LIMIT,
                                                             [d[:80] for d in too_large]))
    if not data:
        group.attrs[name] = np.asarray([], dtype='float64')
        return
    arr = np.asarray(data)
    n_chunks = 1
    chunks = [arr]
    while any(c.nbytes > HDF5_OBJECT_HEADER_LIMIT for c in chunks):
        n_chunks += 1
        chunks = np.array_split(arr, n_chunks)
    if n_chunks == 1:
        group.attrs[name] = arr
    else:
        for i, chunk in enumerate(chunks):
            group.attrs['%s%d' % (name, i)] = chunk


def load_attributes_from_hdf5_group(group, name):
    """Read a list of strings stored with `save_attributes_to_hdf5_group` (chunks joined;
    fixed-length bytes and variable-length strings both accepted)."""
    if name in group.attrs:
        return _to_str_list(group.attrs[name])
    if '%s0' % name in group.attrs:
        out = []
        i = 0
        while '%s%d' % (name, i) in group.attrs:
            out.extend(_to_str_list(group.attrs['%s%d' % (name, i)]))
            i += 1
        return out
    return None


def _group_path(group):
    return getattr(group, 'name', None) or '/'


def _require_attribute_list(group, name, what):
    data = load_attributes_from_hdf5_group(group, name)
    if data is None:
        raise ValueError('%s: the HDF5 group %r has no attribute %r; this is not a Keras weights '
                         'group (attributes found: %s)'
                         % (what, _group_path(group), name, sorted(group.attrs.keys()) or 'none'))
    return data


def _set_string_attr(group, name, text):
    """Write a string attribute as Keras 2.2.4 does (bytes), or as a variable-length string
    when it is too large for a fixed-length attribute."""
    raw = text.encode('utf-8')
    if len(raw) < HDF5_OBJECT_HEADER_LIMIT or not _is_h5_group(group):
        group.attrs[name] = np.bytes_(raw)
    else:
        group.attrs[name] = text


def _get_string_attr(group, name):
    if name not in group.attrs:
        return None
    return _to_str(group.attrs[name])


# ----------------------------------------------------------------------------- weights
def _layer_weights(layer):
    """A layer's weights in the order Keras 2 saves them: trainable, then non-trainable."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


_SUFFIX = re.compile(r':\d+$')


def _weight_file_name(name, index, used):
    """`name` (`param_<index>` when empty) with a `:0` suffix, made unique among `used`."""
    base = _SUFFIX.sub('', str(name) if name else 'param_%d' % index)
    candidate = base + ':0'
    i = 1
    while candidate in used:
        candidate = '%s_%d:0' % (base, i)
        i += 1
    used.add(candidate)
    return candidate


def _state_owners(layer, prefix=''):
    """(attribute prefix, layer) for `layer` and every layer nested inside it."""
    yield prefix, layer
    inner = list(getattr(layer, '_sublayers', []) or [])
    if isinstance(layer, Network):
        inner = [l for l in layer.layers if l not in inner] + inner
    for sub in inner:
        for item in _state_owners(sub, prefix + sub.name + '/'):
            yield item


def _save_layer_state(group, layer):
    """Hidden layer state that is not a weight (e.g. BatchNormalization's zero-debiasing
    step) goes into attributes of the layer's group; Keras 2 ignores them."""
    for prefix, owner in _state_owners(layer):
        getter = getattr(owner, '_get_saved_state', None)
        for key, value in (getter() if getter else {}).items():
            group.attrs[prefix + key] = value


def _load_layer_state(group, layer):
    """Restore what `_save_layer_state` wrote; absent attributes mean a fresh state."""
    for prefix, owner in _state_owners(layer):
        setter = getattr(owner, '_set_saved_state', None)
        if setter is None:
            continue
        state = {}
        for key in group.attrs:
            if key.startswith(prefix) and '/' not in key[len(prefix):] and key != 'weight_names':
                state[key[len(prefix):]] = group.attrs[key]
        setter(state)


def save_weights_to_hdf5_group(f, layers):
    """Write the weights of `layers` into HDF5 group `f` (Keras 2 layout)."""
    save_attributes_to_hdf5_group(f, 'layer_names', [layer.name for layer in layers])
    _write_file_info(f)
    for layer in layers:
        g = f.create_group(layer.name)
        variables = _layer_weights(layer)
        values = K.batch_get_value(variables)
        used = set()
        names = [_weight_file_name(getattr(v, 'name', None), i, used)
                 for i, v in enumerate(variables)]
        save_attributes_to_hdf5_group(g, 'weight_names', names)
        for name, value in zip(names, values):
            value = np.asarray(value)
            g.create_dataset(name, data=value)
        _save_layer_state(g, layer)


def _write_file_info(f):
    f.attrs['backend'] = np.bytes_(SAVED_BACKEND.encode('utf-8'))
    f.attrs['keras_version'] = np.bytes_(str(_keras_version()).encode('utf-8'))


def _read_file_info(f):
    version = _get_string_attr(f, 'keras_version')
    backend = _get_string_attr(f, 'backend')
    return (version if version is not None else '1'), backend


def _read_layer_group(f, name, what):
    if name not in f:
        raise ValueError('%s: the file lists layer %r in layer_names but has no group for it '
                         '(corrupt or truncated file)' % (what, name))
    g = f[name]
    weight_names = load_attributes_from_hdf5_group(g, 'weight_names')
    if weight_names is None:
        raise ValueError('%s: the group of layer %r has no attribute weight_names (corrupt or '
                         'non-Keras file)' % (what, name))
    values = []
    for wname in weight_names:
        if wname not in g:
            raise ValueError('%s: layer %r lists weight %r, but the file has no dataset %r in '
                             'its group (corrupt or truncated file)' % (what, name, wname, wname))
        values.append(np.asarray(g[wname]))
    return weight_names, values


def _fit_shape(variable, value, reshape):
    """value, reshaped when allowed and needed; None when the shapes do not agree."""
    shape = _shape(variable)
    if value.shape == shape:
        return value
    if reshape and value.size == int(np.prod(shape)):
        return np.reshape(value, shape)
    return None


def _load_layer(tuples, group, layer, values, reshape, skip_mismatch, count_mismatch,
                shape_mismatch):
    """Append to `tuples` the `(variable, value)` pairs loading `values` into the weights
    of `layer`, and restore the layer's hidden state from its `group`.

    On a mismatch, `count_mismatch(n_variables, n_values)` or `shape_mismatch(variable,
    value)` gives `(error message, warning)`: with `skip_mismatch` the warning is issued
    and the layer (state included) or the weight is skipped, else ValueError is raised.
    """
    variables = _layer_weights(layer)
    if len(values) != len(variables):
        msg, warning = count_mismatch(len(variables), len(values))
        if skip_mismatch:
            warnings.warn(warning, stacklevel=4)  # the caller of load_weights
            return
        raise ValueError(msg)
    for variable, value in zip(variables, values):
        fitted = _fit_shape(variable, value, reshape)
        if fitted is None:
            msg, warning = shape_mismatch(variable, value)
            if skip_mismatch:
                warnings.warn(warning, stacklevel=4)
                continue
            raise ValueError(msg)
        tuples.append((variable, fitted))
    _load_layer_state(group, layer)


def load_weights_from_hdf5_group(f, layers, reshape=False, skip_mismatch=False):
    """Load weights saved by `save_weights_to_hdf5_group` into `layers`, in topological order
    (layers without weights are skipped on both sides)."""
    what = 'load_weights'
    original_version, original_backend = _read_file_info(f)
    filtered_layers = [layer for layer in layers if _layer_weights(layer)]
    layer_names = _require_attribute_list(f, 'layer_names', what)
    saved = []
    for name in layer_names:
        weight_names, values = _read_layer_group(f, name, what)
        if values:
            saved.append((name, weight_names, values))
    if len(saved) != len(filtered_layers):
        raise ValueError('You are trying to load a weight file containing %d layers into a '
                         'model with %d layers (layers with weights in the file: %s; in the '
                         'model: %s).'
                         % (len(saved), len(filtered_layers), ', '.join(n for n, _, _ in saved),
                            ', '.join(l.name for l in filtered_layers)))
    tuples = []
    for k, ((name, weight_names, values), layer) in enumerate(zip(saved, filtered_layers)):
        values = preprocess_weights_for_loading(layer, values, original_version, original_backend,
                                                reshape=reshape)

        def count_mismatch(n_variables, n_values):
            msg = ('Layer #%d (named "%s" in the current model) was found to correspond to '
                   'layer %s in the save file. However the new layer %s expects %d weights, '
                   'but the saved weights have %d elements.'
                   % (k, layer.name, name, layer.name, n_variables, n_values))
            return msg, ('Skipping loading of weights for layer %s due to mismatch in number '
                         'of weights (%d vs %d). %s' % (layer.name, n_variables, n_values, msg))

        def shape_mismatch(variable, value):
            msg = ('Layer #%d (named "%s"), weight %s has shape %s, but the saved weight '
                   '(layer %s in the file) has shape %s.'
                   % (k, layer.name, variable.name, _shape(variable), name, value.shape))
            return msg, 'Skipping loading of a weight: ' + msg

        _load_layer(tuples, f[name], layer, values, reshape, skip_mismatch, count_mismatch,
                    shape_mismatch)
    K.batch_set_value(tuples)


def load_weights_from_hdf5_group_by_name(f, layers, skip_mismatch=False, reshape=False):
    """Load weights into the layers of `layers` that have the same name as a layer group in
    the file; layers without a group keep their values."""
    what = 'load_weights(by_name=True)'
    original_version, original_backend = _read_file_info(f)
    layer_names = _require_attribute_list(f, 'layer_names', what)
    index = {}
    for layer in layers:
        if layer.name:
            index.setdefault(layer.name, []).append(layer)
    tuples = []
    for k, name in enumerate(layer_names):
        if name not in index:
            continue
        weight_names, saved_values = _read_layer_group(f, name, what)
        for layer in index[name]:
            values = preprocess_weights_for_loading(layer, list(saved_values), original_version,
                                                    original_backend, reshape=reshape)

            def count_mismatch(n_variables, n_values):
                msg = ('Layer #%d (named "%s") expects %d weight(s), but the saved weights have '
                       '%d element(s).' % (k, layer.name, n_variables, n_values))
                return msg, ('Skipping loading of weights for layer %s due to mismatch in '
                             'number of weights (%d vs %d). %s'
                             % (layer.name, n_variables, n_values, msg))

            def shape_mismatch(variable, value):
                msg = ('Layer #%d (named "%s"), weight %s has shape %s, but the saved weight '
                       'has shape %s.' % (k, layer.name, variable.name, _shape(variable),
                                          value.shape))
                return msg, ('Skipping loading of weights for layer %s due to mismatch in '
                             'shape (%s vs %s).' % (layer.name, _shape(variable), value.shape))

            _load_layer(tuples, f[name], layer, values, reshape, skip_mismatch,
                        count_mismatch, shape_mismatch)
    weighted = [layer.name for layer in layers if layer.weights]
    if weighted and not any(name in index for name in layer_names):
        warnings.warn('%s: no layer of the model has the name of a layer in the file, so no '
                      'weights were loaded (the model\'s layers with weights: %s; the file\'s '
                      'layers: %s)' % (what, ', '.join(weighted[:10]),
                                        ', '.join(list(layer_names)[:10])), stacklevel=4)
    K.batch_set_value(tuples)
