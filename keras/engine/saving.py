"""Saving and loading models and weights in the Keras 2 HDF5 layout.

Files written here are read by Keras 2.2.4 (and tf.keras) and files written by
them load here.  Layout (see the Keras 2 documentation):

* weights (`save_weights`, and group `model_weights` of a model file): root
  attributes `layer_names` (names of `model.layers`, weightless layers
  included), `backend`, `keras_version`; one group per layer with attribute
  `weight_names` (`dense_1/kernel:0`, ...) and one dataset per weight at the
  path given by its name.  A nested model stores all its weights in its own
  group.  Attribute arrays larger than 64 KiB are split into `name0`,
  `name1`, ...
* model (`save_model`): root attributes `model_config` and `training_config`
  (JSON), group `model_weights`, group `optimizer_weights` (attribute
  `weight_names`, one dataset per optimizer weight).

Writes to a path are atomic: the file is written next to the target under a
temporary name and moved into place only once complete.
"""
import contextlib
import inspect
import json
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
from .. import registry
from .. import optimizers
from ..utils import io_utils
from ..utils.io_utils import _require_h5py
from ..utils.generic_utils import CustomObjectScope, get_custom_objects
from .base_layer import _BASE_KWARGS, _snake_case
from .network import Network, _json_default

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


def _write_atomically(filepath, overwrite, what, write_fn):
    """Run write_fn(group) on a fresh HDF5 file that replaces `filepath` only once complete."""
    group = _as_group(filepath)
    if group is not None:
        write_fn(group)
        return
    path = _check_path(filepath)
    _require_h5py(what)
    if not overwrite and os.path.isfile(path):
        if not io_utils.ask_to_proceed_with_overwrite(path):
            return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise IOError('%s: directory %r does not exist' % (what, directory))
    tmp = os.path.join(directory, '.%s.%s.tmp' % (os.path.basename(path), uuid.uuid4().hex))
    try:
        with h5py.File(tmp, 'w') as f:
            write_fn(f)
            f.flush()
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            try:
                os.remove(tmp)
            except OSError:
                pass
        raise


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


def _shape(variable):
    return tuple(int(d) for d in K.int_shape(variable))


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
        raise ValueError('You are trying to load a weight file containing %d layers with weights '
                         '(%s) into a model with %d layers with weights (%s).'
                         % (len(saved), ', '.join(n for n, _, _ in saved), len(filtered_layers),
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
    K.batch_set_value(tuples)


# ----------------------------------------------------------------------------- conversions
def _need_convert_kernel(original_backend):
    """Whether convolution kernels must be flipped (saved with Theano's convolution)."""
    if original_backend is None:
        return False
    uses_correlation = {'tensorflow': True, 'theano': False, 'cntk': True, 'jax': True}
    if original_backend not in uses_correlation:
        return False
    return uses_correlation[original_backend] != uses_correlation.get(K.backend(), True)


def _flip_kernel(kernel):
    """Rotate the spatial axes of a conv kernel by 180 degrees (Theano <-> TensorFlow)."""
    kernel = np.asarray(kernel)
    spatial = kernel.ndim - 2
    index = tuple([slice(None, None, -1)] * spatial + [slice(None), slice(None)])
    return np.copy(kernel[index])


def _split_gates(kernel, n_gates):
    return np.split(np.asarray(kernel), n_gates, axis=-1)


def _kernel_to_cudnn(block):
    # CuDNN keeps each gate's input kernel transposed and read back in row-major order.
    return block.T.reshape(block.shape)


def _kernel_from_cudnn(block):
    return block.T.reshape(block.shape, order='F')


def _convert_rnn_weights(layer, weights):
    """Convert a weight list saved by CuDNNLSTM/LSTM or CuDNNGRU/GRU(reset_after=True) into
    the layout of `layer` (Keras 2.2.4 rules; anything else is returned unchanged).

    Raises ValueError for GRU(reset_after=False) <-> CuDNNGRU or an unknown bias shape.
    """
    weights = [np.asarray(w) for w in weights]
    target = layer.__class__.__name__
    if target in ('LSTM', 'CuDNNLSTM') and len(weights) == 3:
        units = weights[1].shape[0]
        bias_shape = tuple(weights[2].shape)
        if bias_shape == (2 * units * 4,):
            source = 'CuDNNLSTM'
        elif bias_shape == (units * 4,):
            source = 'LSTM'
        else:
            raise ValueError('Layer %s: invalid LSTM bias shape %s for %d units (expected (%d,) '
                             'or (%d,))' % (layer.name, bias_shape, units, 4 * units, 8 * units))
        if source != target:
            from_cudnn = source == 'CuDNNLSTM'
            conv = _kernel_from_cudnn if from_cudnn else _kernel_to_cudnn
            kernel = np.concatenate([conv(b) for b in _split_gates(weights[0], 4)], axis=-1)
            recurrent = np.concatenate([b.T for b in _split_gates(weights[1], 4)], axis=-1)
            if from_cudnn:
                halves = np.split(weights[2], 2)
                bias = halves[0] + halves[1]
            else:
                bias = np.concatenate([0.5 * weights[2], 0.5 * weights[2]])
            weights = [kernel, recurrent, bias]
    if target in ('GRU', 'CuDNNGRU') and len(weights) == 3:
        units = weights[1].shape[0]
        bias_shape = tuple(weights[2].shape)
        if bias_shape == (2 * units * 3,):
            source = 'CuDNNGRU'
        elif bias_shape == (2, units * 3):
            source = 'GRU(reset_after=True)'
        elif bias_shape == (units * 3,):
            source = 'GRU(reset_after=False)'
        else:
            raise ValueError('Layer %s: invalid GRU bias shape %s for %d units'
                             % (layer.name, bias_shape, units))
        if target == 'CuDNNGRU':
            target_kind = 'CuDNNGRU'
        elif getattr(layer, 'reset_after', False):
            target_kind = 'GRU(reset_after=True)'
        else:
            target_kind = 'GRU(reset_after=False)'
        if source != target_kind:
            if 'GRU(reset_after=False)' in (source, target_kind):
                raise ValueError('Layer %s: weights of a %s are not compatible with a %s'
                                 % (layer.name, source, target_kind))
            from_cudnn = source == 'CuDNNGRU'
            conv = _kernel_from_cudnn if from_cudnn else _kernel_to_cudnn
            kernel = np.concatenate([conv(b) for b in _split_gates(weights[0], 3)], axis=-1)
            recurrent = np.concatenate([b.T for b in _split_gates(weights[1], 3)], axis=-1)
            bias = np.asarray(weights[2]).reshape((2, -1) if from_cudnn else (-1,))
            weights = [kernel, recurrent, bias]
    return weights


def _convert_keras1_weights(layer, weights):
    """Keras 1 weight layouts -> Keras 2 (as Keras 2.2.4 converts them)."""
    name = layer.__class__.__name__
    data_format = getattr(layer, 'data_format', 'channels_last')
    if name == 'Conv1D' and weights:
        shape = weights[0].shape
        if len(shape) == 4:
            # Keras 1 stored (filter_length, 1, input_dim, filters) or, older,
            # (filters, input_dim, filter_length, 1).
            if shape[:2] != (layer.kernel_size[0], 1) or shape[3] != layer.filters:
                weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
            weights[0] = weights[0][:, 0, :, :]
    elif name == 'Conv2D' and weights and data_format == 'channels_first':
        weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
    elif name == 'Conv2DTranspose' and weights:
        if data_format == 'channels_last':
            weights[0] = np.transpose(weights[0], (0, 1, 3, 2))
        else:
            weights[0] = np.transpose(weights[0], (2, 3, 0, 1))
    elif name == 'Conv3D' and weights and data_format == 'channels_first':
        weights[0] = np.transpose(weights[0], (2, 3, 4, 1, 0))
    elif name == 'GRU' and len(weights) == 9:
        # Keras 1: per gate (z, r, h) W, U, b.
        weights = [np.concatenate([weights[i], weights[i + 3], weights[i + 6]], axis=-1)
                   for i in range(3)]
    elif name in ('LSTM', 'ConvLSTM2D') and len(weights) == 12:
        # Keras 1 gate order i, c, f, o -> Keras 2 i, f, c, o.
        weights = [np.concatenate([weights[i], weights[i + 6], weights[i + 3], weights[i + 9]],
                                  axis=-1) for i in range(3)]
        if name == 'ConvLSTM2D' and data_format == 'channels_first':
            weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
            weights[1] = np.transpose(weights[1], (2, 3, 1, 0))
    return weights


def preprocess_weights_for_loading(layer, weights, original_keras_version=None,
                                   original_backend=None, reshape=False):
    """Convert saved weights to the layout `layer` expects.

    Handles nested models / Bidirectional / TimeDistributed (per sub-layer), Keras 1
    layouts, Theano conv kernels, and CuDNNLSTM/CuDNNGRU <-> LSTM/GRU(reset_after=True).
    """
    weights = [np.asarray(w) for w in weights]
    name = layer.__class__.__name__
    kwargs = dict(original_keras_version=original_keras_version,
                  original_backend=original_backend, reshape=reshape)
    if name == 'Bidirectional' and hasattr(layer, 'forward_layer'):
        half = len(weights) // 2
        return (preprocess_weights_for_loading(layer.forward_layer, weights[:half], **kwargs) +
                preprocess_weights_for_loading(layer.backward_layer, weights[half:], **kwargs))
    if name == 'TimeDistributed' and hasattr(layer, 'layer'):
        return preprocess_weights_for_loading(layer.layer, weights, **kwargs)
    if isinstance(layer, Network):
        converted = []
        rest = list(weights)
        for part in ('trainable', 'non_trainable'):
            for sub in layer.layers:
                if part == 'trainable':
                    n = len(sub.trainable_weights)
                else:
                    n = len(sub.non_trainable_weights)
                if n and rest:
                    converted.extend(preprocess_weights_for_loading(sub, rest[:n], **kwargs))
                    rest = rest[n:]
        return converted + rest

    if original_keras_version == '1':
        weights = _convert_keras1_weights(layer, weights)

    conv_layers = ('Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'ConvLSTM2D')
    if name in conv_layers and weights and getattr(layer, 'weights', None):
        target_shape = _shape(layer.weights[0])
        if _need_convert_kernel(original_backend):
            weights[0] = _flip_kernel(weights[0])
            if name == 'ConvLSTM2D' and len(weights) > 1:
                weights[1] = _flip_kernel(weights[1])
        if weights[0].shape != target_shape and not reshape and weights[0].ndim == 4:
            transposed = np.transpose(weights[0], (3, 2, 0, 1))
            if transposed.shape == target_shape:
                weights[0] = transposed
                if name == 'ConvLSTM2D' and len(weights) > 1:
                    weights[1] = np.transpose(weights[1], (3, 2, 0, 1))

    return _convert_rnn_weights(layer, weights)


# ----------------------------------------------------------------------------- model configs
# Config keys written by tf.keras that Keras 2.2 layers do not take, with the value that
# means the same as Keras 2.2 behaviour (None: any value is dropped).
_REFERENCE_ONLY_KEYS = {
    'groups': 1,
    'ragged': False,
    'optional': False,
    'time_major': False,
    'keepdims': False,
    'zero_output_for_mask': None,
    'autocast': None,
}
_DROPPED_ENTRY_KEYS = ('module', 'registered_name', 'build_config', 'compile_config',
                       'shared_object_id')
_MODEL_CLASS_NAMES = ('Model', 'Functional', 'Network', 'Sequential')


def _strip_object_dicts(obj):
    """Remove tf.keras bookkeeping keys from nested {'class_name', 'config'} dicts."""
    if isinstance(obj, dict):
        out = {}
        is_object = 'class_name' in obj and 'config' in obj
        for k, v in obj.items():
            if is_object and k in _DROPPED_ENTRY_KEYS:
                continue
            out[k] = _strip_object_dicts(v)
        return out
    if isinstance(obj, list):
        return [_strip_object_dicts(v) for v in obj]
    return obj


def _lookup_class(class_name, custom_objects):
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    if class_name in get_custom_objects():
        return get_custom_objects()[class_name]
    return getattr(registry.lookup('layers'), class_name, None)


def _accepted_kwargs(cls):
    names = set()
    for klass in inspect.getmro(cls):
        init = klass.__dict__.get('__init__')
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            continue
        names.update(p for p in params if p != 'self')
        if not any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values()):
            break
    return names | set(_BASE_KWARGS)


def _normalize_layer_config(class_name, config, custom_objects):
    config = dict(config)
    if isinstance(config.get('dtype'), dict):
        policy = config['dtype']
        config['dtype'] = (policy.get('config') or {}).get('name', 'float32')
    if isinstance(config.get('layer'), dict) and 'class_name' in config['layer']:
        config['layer'] = _normalize_entry(config['layer'], custom_objects)
    if isinstance(config.get('backward_layer'), dict) and 'class_name' in config['backward_layer']:
        config['backward_layer'] = _normalize_entry(config['backward_layer'], custom_objects)
    if class_name == 'BatchNormalization' and isinstance(config.get('axis'), (list, tuple)) \
            and len(config['axis']) == 1:
        config['axis'] = int(config['axis'][0])
    cls = _lookup_class(class_name, custom_objects)
    if cls is None or not inspect.isclass(cls):
        return config
    accepted = _accepted_kwargs(cls)
    if 'batch_shape' in config and 'batch_shape' not in accepted and \
            'batch_input_shape' in accepted:
        config['batch_input_shape'] = config.pop('batch_shape')
    for key in list(config):
        if key in accepted or key not in _REFERENCE_ONLY_KEYS:
            continue
        neutral = _REFERENCE_ONLY_KEYS[key]
        if neutral is not None and config[key] != neutral:
            raise ValueError('Layer %s (%s): config key %r=%r has no Keras 2.2 equivalent '
                             '(only %r can be loaded)' % (config.get('name'), class_name, key,
                                                          config[key], neutral))
        config.pop(key)
    return config


def _normalize_entry(entry, custom_objects):
    """Normalize one {'class_name', 'config', ...} layer entry (recursively)."""
    entry = dict(entry)
    for key in _DROPPED_ENTRY_KEYS:
        entry.pop(key, None)
    class_name = entry.get('class_name')
    config = entry.get('config')
    if class_name == 'Functional':
        entry['class_name'] = class_name = 'Model'
    is_network_config = isinstance(config, list) or (
        isinstance(config, dict) and isinstance(config.get('layers'), list) and
        (class_name in _MODEL_CLASS_NAMES or 'input_layers' in config))
    if is_network_config:
        if isinstance(config, list):  # Keras 2.0/2.1 Sequential: a list of layer entries
            config = {'layers': config}
        config = dict(config)
        config['layers'] = [_normalize_entry(l, custom_objects) for l in config['layers']]
        entry['config'] = _strip_object_dicts(config)
    elif isinstance(config, dict):
        entry['config'] = _normalize_layer_config(class_name, _strip_object_dicts(config),
                                                  custom_objects)
    return entry


def normalize_model_config(config, custom_objects=None):
    """Turn a model config written by Keras 2.x or tf.keras into one this Keras reads:
    'Functional' -> 'Model', tf.keras-only keys dropped (`module`, `registered_name`,
    `build_config`, `ragged`, `groups`=1, ...), dtype policies -> dtype names."""
    if not isinstance(config, dict) or 'class_name' not in config:
        raise ValueError('model config: expected a dict with "class_name" and "config", got %r'
                         % (str(config)[:200],))
    out = _normalize_entry(config, custom_objects)
    for key in ('keras_version', 'backend'):
        out.pop(key, None)
    return out


def model_from_config(config, custom_objects=None):
    """Instantiate a model from its config dict {'class_name', 'config'}."""
    if isinstance(config, list):
        raise TypeError('`model_from_config` expects a dictionary, not a list. Maybe you meant '
                        'to use `Sequential.from_config(config)`?')
    deserialize = registry.lookup('layers.deserialize')
    config = normalize_model_config(config, custom_objects)
    with CustomObjectScope(custom_objects or {}):
        return deserialize(config, custom_objects=custom_objects)


def model_from_json(json_string, custom_objects=None):
    """Rebuild a model from `model.to_json()` output (Keras 2 / tf.keras JSON included)."""
    if isinstance(json_string, bytes):
        json_string = json_string.decode('utf-8')
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as e:
        raise ValueError('model_from_json: json_string is not valid JSON (%s)' % e)
    return model_from_config(config, custom_objects=custom_objects)


def model_from_yaml(yaml_string, custom_objects=None):
    """Rebuild a model from `model.to_yaml()` output."""
    try:
        import yaml
    except ImportError:
        raise ImportError('model_from_yaml requires PyYAML: pip install pyyaml')
    config = yaml.safe_load(yaml_string)
    return model_from_config(config, custom_objects=custom_objects)


# ----------------------------------------------------------------------------- training config
def _training_config(model):
    return {
        'optimizer_config': {'class_name': model.optimizer.__class__.__name__,
                             'config': model.optimizer.get_config()},
        'loss': model.loss,
        'metrics': model.metrics,
        'weighted_metrics': getattr(model, 'weighted_metrics', None),
        'sample_weight_mode': model.sample_weight_mode,
        'loss_weights': model.loss_weights,
    }


def _convert_custom_objects(obj, custom_objects):
    if isinstance(obj, list):
        return [_convert_custom_objects(o, custom_objects) for o in obj]
    if isinstance(obj, dict) and not ('class_name' in obj and 'config' in obj):
        return {k: _convert_custom_objects(v, custom_objects) for k, v in obj.items()}
    if isinstance(obj, str) and custom_objects and obj in custom_objects:
        return custom_objects[obj]
    return obj


def _convert_loss(loss, custom_objects):
    """A loss from a training config: names as they are; tf.keras Loss objects -> functions."""
    if isinstance(loss, list):
        return [_convert_loss(l, custom_objects) for l in loss]
    if isinstance(loss, dict) and not ('class_name' in loss and 'config' in loss):
        return {k: _convert_loss(v, custom_objects) for k, v in loss.items()}
    if isinstance(loss, dict):
        class_name = loss['class_name']
        if custom_objects and class_name in custom_objects:
            return custom_objects[class_name]
        cfg = loss.get('config') or {}
        if cfg.get('from_logits') or cfg.get('label_smoothing'):
            raise ValueError('training_config: loss %s with from_logits/label_smoothing has no '
                             'Keras 2.2 equivalent; load with compile=False and compile the '
                             'model yourself' % (class_name,))
        fn_name = cfg.get('fn') or _snake_case(class_name)
        from .. import losses
        if getattr(losses, fn_name, None) is None:
            raise ValueError('training_config: unknown loss %r (no Keras 2.2 loss named %r); '
                             'pass it in custom_objects or load with compile=False'
                             % (class_name, fn_name))
        return fn_name
    return _convert_custom_objects(loss, custom_objects)


def _convert_metric(metric, output_name, custom_objects):
    if not isinstance(metric, dict):
        return _convert_custom_objects(metric, custom_objects)
    class_name = metric.get('class_name')
    cfg = metric.get('config') or {}
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    name = str(cfg.get('name', ''))
    if output_name and name.startswith(output_name + '_'):
        name = name[len(output_name) + 1:]
    if class_name == 'MeanMetricWrapper':
        fn = cfg.get('fn')
        if name in ('accuracy', 'acc', 'crossentropy', 'ce'):
            return name
        if isinstance(fn, str):
            return _convert_custom_objects(fn, custom_objects)
    from .. import metrics as metrics_module
    candidate = _snake_case(class_name or '')
    if getattr(metrics_module, candidate, None) is not None:
        return candidate
    warnings.warn('training_config: metric %s (%s) has no Keras 2.2 equivalent and is not '
                  'restored' % (class_name, name), stacklevel=4)
    return None


def _convert_metrics(metrics, output_names, custom_objects):
    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return {k: [m for m in (_convert_metric(x, k, custom_objects)
                                for x in (v if isinstance(v, list) else [v])) if m is not None]
                for k, v in metrics.items()}
    if isinstance(metrics, list) and metrics and all(isinstance(m, list) for m in metrics) \
            and len(metrics) == len(output_names):
        # tf.keras: one list per output.
        return {name: [m for m in (_convert_metric(x, name if len(output_names) > 1 else None,
                                                   custom_objects) for x in ms)
                       if m is not None]
                for name, ms in zip(output_names, metrics)}
    if isinstance(metrics, list):
        return [m for m in (_convert_metric(x, None, custom_objects) for x in metrics)
                if m is not None]
    return _convert_custom_objects(metrics, custom_objects)


def _compile_from_training_config(model, training_config, custom_objects):
    if 'optimizer_config' not in training_config:
        raise ValueError('training_config has no "optimizer_config" (keys: %s)'
                         % sorted(training_config))
    optimizer = optimizers.deserialize(training_config['optimizer_config'],
                                       custom_objects=custom_objects)
    loss = _convert_loss(training_config.get('loss'), custom_objects)
    names = model.output_names
    metrics = _convert_metrics(training_config.get('metrics'), names, custom_objects)
    weighted = _convert_metrics(training_config.get('weighted_metrics'), names, custom_objects)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics,
                  loss_weights=training_config.get('loss_weights'),
                  sample_weight_mode=training_config.get('sample_weight_mode'),
                  weighted_metrics=weighted)


def _optimizer_key(name, optimizer):
    name = _SUFFIX.sub('', str(name))
    parts = [p for p in name.split('/') if p]
    prefixes = {optimizer.__class__.__name__, 'training', 'optimizer'}
    while len(parts) > 1 and parts[0] in prefixes:
        parts = parts[1:]
    parts = [p for p in parts if not p.endswith('_cell')] or parts
    if parts in (['iter'], ['iterations']):
        return 'iterations'
    return '/'.join(parts)


def _load_optimizer_weights(model, group, what='load_model'):
    names = _require_attribute_list(group, 'weight_names', what)
    values = []
    for n in names:
        if n not in group:
            raise ValueError('%s: optimizer_weights lists %r but has no dataset for it (corrupt '
                             'file)' % (what, n))
        values.append(np.asarray(group[n]))
    if not model._compiled_trainable:
        model._collect_variables()
    optimizer = model.optimizer
    optimizer.build(model._trainable_vars)
    ours = list(optimizer.weights)
    if len(ours) == len(values) and all(_shape(v) == np.shape(x) for v, x in zip(ours, values)):
        optimizer.set_weights(values)
        return
    by_key = {}
    for n, v in zip(names, values):
        by_key.setdefault(_optimizer_key(n, optimizer), v)
    tuples = []
    missing = []
    used = set()
    iterations = getattr(optimizer, 'iterations', None)
    if isinstance(iterations, K.Variable) and all(v is not iterations for v in ours):
        # Keras 2.2 RMSprop/Adagrad/Adadelta do not list the counter among their weights,
        # but restoring it keeps the learning-rate decay schedule where it was.
        value = by_key.get('iterations')
        if value is not None and np.size(value) == 1:
            tuples.append((iterations, np.reshape(value, _shape(iterations))))
            used.add('iterations')
    for var in ours:
        key = _optimizer_key(var.name, optimizer)
        value = by_key.get(key)
        if value is not None and np.shape(value) == _shape(var):
            tuples.append((var, value))
            used.add(key)
        else:
            missing.append(var.name)
    if len(tuples) == len(used & {'iterations'}):
        warnings.warn('Error in loading the saved optimizer state: the file has %d optimizer '
                      'weights that do not match the %d weights of %s. As a result, your model is '
                      'starting with a freshly initialized optimizer.'
                      % (len(values), len(ours), optimizer.__class__.__name__), stacklevel=3)
        return
    K.batch_set_value(tuples)
    unused = [n for n in names if _optimizer_key(n, optimizer) not in used]
    if missing or unused:
        warnings.warn('The saved optimizer state was loaded partially: %d of %d %s weights '
                      'restored by name; left at their initial values: %s; not used from the '
                      'file: %s' % (len(ours) - len(missing), len(ours),
                                    optimizer.__class__.__name__, missing or 'none',
                                    unused or 'none'), stacklevel=3)


# ----------------------------------------------------------------------------- model files
def _model_config(model):
    try:
        config = model.get_config()
    except NotImplementedError:
        raise NotImplementedError('save_model: the model %r is a subclassed model without '
                                  'get_config(); only its weights can be saved '
                                  '(model.save_weights)' % (model.name,))
    return {'class_name': model.__class__.__name__, 'config': config}


def _serialize_model(model, f, include_optimizer=True):
    _write_file_info(f)
    _set_string_attr(f, 'model_config', json.dumps(_model_config(model), default=_json_default))
    weights_group = f.create_group('model_weights')
    save_weights_to_hdf5_group(weights_group, model.layers)
    optimizer = getattr(model, 'optimizer', None)
    if include_optimizer and optimizer is not None and getattr(model, '_is_compiled', False):
        if isinstance(optimizer, optimizers.TFOptimizer):
            warnings.warn('TensorFlow optimizers do not make it possible to access optimizer '
                          'attributes or optimizer state after instantiation. As a result, we '
                          'cannot save the optimizer as part of the model save file. You will '
                          'have to compile your model again after loading it.', stacklevel=3)
            return
        _set_string_attr(f, 'training_config',
                         json.dumps(_training_config(model), default=_json_default))
        variables = list(optimizer.weights)
        if variables:
            group = f.create_group('optimizer_weights')
            values = K.batch_get_value(variables)
            used = set()
            names = []
            prefix = optimizer.__class__.__name__
            for i, var in enumerate(variables):
                name = str(getattr(var, 'name', '') or 'param_%d' % i)
                if '/' not in name:
                    name = prefix + '/' + name
                names.append(_weight_file_name(name, i, used))
            save_attributes_to_hdf5_group(group, 'weight_names', names)
            for name, value in zip(names, values):
                group.create_dataset(name, data=np.asarray(value))


def _deserialize_model(f, custom_objects=None, compile=True, what='load_model'):
    custom_objects = dict(custom_objects or {})
    text = _get_string_attr(f, 'model_config')
    if text is None:
        found = sorted(f.attrs.keys())
        hint = ''
        if 'layer_names' in f.attrs:
            hint = ' It looks like a weights file (written by save_weights): rebuild the model ' \
                   'and call model.load_weights().'
        raise ValueError('No model found in config file: the file has no "model_config" '
                         'attribute (root attributes: %s).%s' % (found or 'none', hint))
    try:
        model_config = json.loads(text)
    except ValueError as e:
        raise ValueError('%s: the model_config attribute is not valid JSON (%s)' % (what, e))
    with CustomObjectScope(custom_objects):
        model = model_from_config(model_config, custom_objects=custom_objects)
        if 'model_weights' not in f:
            raise ValueError('%s: the file has a model_config but no "model_weights" group '
                             '(corrupt or truncated file)' % what)
        load_weights_from_hdf5_group(f['model_weights'], model.layers)
        if compile:
            text = _get_string_attr(f, 'training_config')
            if text is None:
                warnings.warn('No training configuration found in save file: the model was '
                              '*not* compiled. Compile it manually.', stacklevel=3)
                return model
            training_config = json.loads(text)
            _compile_from_training_config(model, training_config, custom_objects)
            if 'optimizer_weights' in f:
                _load_optimizer_weights(model, f['optimizer_weights'], what)
    return model


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Save a model (architecture, weights, training configuration, optimizer state) to an
    HDF5 file that Keras 2 reads.

    # Arguments
        model: the Keras model.
        filepath: path of the file, an open `h5py.File`/`h5py.Group`, or a dict
            (in-memory copy of the same layout).
        overwrite: whether to silently overwrite an existing file (otherwise ask).
        include_optimizer: whether to save the optimizer state.
    """
    if not isinstance(model, Network):
        raise TypeError('save_model: model must be a Keras model, got %r' % (model,))
    _write_atomically(filepath, overwrite, 'save_model',
                      lambda f: _serialize_model(model, f, include_optimizer))


def load_model(filepath, custom_objects=None, compile=True):
    """Load a model saved with `save_model` (ours, Keras 2 or tf.keras HDF5 files).

    # Arguments
        filepath: path of the file, an open `h5py.File`/`h5py.Group`, or a dict.
        custom_objects: dict mapping names to custom classes or functions.
        compile: whether to compile the model with the saved training configuration
            and restore the optimizer state.
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError('load_model: custom_objects must be a dict of name -> object, got %r'
                        % (custom_objects,))
    with _open_for_read(filepath, 'load_model') as f:
        return _deserialize_model(f, custom_objects, compile)


def save_weights(model, filepath, overwrite=True):
    """Save the weights of all layers of `model` (Keras 2 weights file)."""
    _write_atomically(filepath, overwrite, 'save_weights',
                      lambda f: save_weights_to_hdf5_group(f, model.layers))


def load_weights(model, filepath, by_name=False, skip_mismatch=False, reshape=False):
    """Load weights saved by `save_weights` (or the weights of a model file) into `model`.

    # Arguments
        by_name: match layers by name instead of by topological order.
        skip_mismatch: skip (with a warning) layers whose number of weights or weight
            shapes differ from the file instead of raising.
        reshape: reshape saved weights whose size matches but shape differs.
    """
    with _open_for_read(filepath, 'load_weights') as f:
        if 'layer_names' not in f.attrs and 'layer_names0' not in f.attrs:
            if 'model_weights' in f:
                f = f['model_weights']
            else:
                raise ValueError('load_weights: %r is not a Keras weights file: it has no '
                                 '"layer_names" attribute and no "model_weights" group (root '
                                 'attributes: %s; groups: %s)'
                                 % (filepath if isinstance(filepath, (str, os.PathLike))
                                    else type(filepath).__name__,
                                    sorted(f.attrs.keys()) or 'none',
                                    sorted(f.keys()) or 'none'))
        if by_name:
            load_weights_from_hdf5_group_by_name(f, model.layers, skip_mismatch=skip_mismatch,
                                                 reshape=reshape)
        else:
            load_weights_from_hdf5_group(f, model.layers, reshape=reshape,
                                         skip_mismatch=skip_mismatch)


# ----------------------------------------------------------------------------- pickling
def _layer_classes(model):
    classes = {}

    def visit(layer):
        classes.setdefault(layer.__class__.__name__, layer.__class__)
        for sub in list(getattr(layer, '_layers', None) or []) + \
                list(getattr(layer, '_sublayers', None) or []):
            visit(sub)
        inner = getattr(layer, 'layer', None)
        if inner is not None and hasattr(inner, 'get_config') and hasattr(inner, 'weights'):
            visit(inner)
    visit(model)
    return classes


def pickle_model(model):
    """The state of `model` (config, weights, training config, optimizer state) as a dict of
    picklable values, in the HDF5 layout."""
    state = {}
    _serialize_model(model, _DictGroup(state), include_optimizer=True)
    from .input_layer import InputLayer
    from .sequential import Sequential
    from .training import Model
    layers_module = registry.lookup('layers')
    classes = {}
    for name, cls in _layer_classes(model).items():
        # keras.models exports the engine's Model, Sequential, InputLayer
        if getattr(layers_module, name, None) is not cls and \
                cls not in (Model, Sequential, InputLayer):
            classes[name] = cls
    return {'keras_model_state': state, 'classes': classes}


def unpickle_model(state):
    """Inverse of `pickle_model`."""
    if not isinstance(state, dict) or 'keras_model_state' not in state:
        raise ValueError('unpickle_model: expected the dict produced by pickle_model, got %r'
                         % (type(state).__name__,))
    group = _DictGroup(state['keras_model_state'])
    return _deserialize_model(group, custom_objects=state.get('classes') or {},
                              compile='training_config' in group.attrs, what='unpickle_model')
