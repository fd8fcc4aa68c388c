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

The HDF5 layout and the weights live in `hdf5_format.py`, conversions of weights from
other Keras versions in `weight_conversion.py`, of model configs in
`config_normalization.py`; this module is Keras 2.2.4's `keras.engine.saving` on top of them.
"""
import json
import os
import warnings

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover - h5py is a dependency
    h5py = None

from .. import backend as K
from .. import registry
from .. import optimizers
from .hdf5_format import (_DictGroup, _SUFFIX, _get_string_attr, _open_for_read,
                          _require_attribute_list, _set_string_attr, _weight_file_name,
                          _write_atomically, _write_file_info, load_weights_from_hdf5_group,
                          load_weights_from_hdf5_group_by_name, save_attributes_to_hdf5_group,
                          save_weights_to_hdf5_group)
from .weight_conversion import _shape
from .hdf5_format import (  # noqa: F401  (Keras 2.2.4's keras.engine.saving names)
    HDF5_OBJECT_HEADER_LIMIT, load_attributes_from_hdf5_group)
from .weight_conversion import preprocess_weights_for_loading  # noqa: F401
from .config_normalization import normalize_model_config


from ..utils.generic_utils import CustomObjectScope
from .base_layer import _snake_case
from .network import Network, _json_default


def model_from_config(config, custom_objects=None):
    """Instantiate a model from its config dict {'class_name', 'config'}.

    # Arguments
        config: dictionary `{"class_name": ..., "config": ...}` (what `model.get_config()` gives
            with the class name).
        custom_objects: dictionary mapping the names of custom classes and functions to the
            objects.

    # Returns
        A Keras model (not compiled, new weights).

    # Raises
        TypeError: if `config` is a list (the config of a Keras 2 `Sequential` of an old
            format; `Sequential.from_config` reads it).
    """
    if isinstance(config, list):
        raise TypeError('`model_from_config` expects a dictionary, not a list. Maybe you meant '
                        'to use `Sequential.from_config(config)`?')
    deserialize = registry.lookup('layers.deserialize')
    config = normalize_model_config(config, custom_objects)
    with CustomObjectScope(custom_objects or {}):
        return deserialize(config, custom_objects=custom_objects)


def model_from_json(json_string, custom_objects=None):
    """Rebuild a model from `model.to_json()` output (Keras 2 / tf.keras JSON included).

    # Arguments
        json_string: the JSON string of `model.to_json()`.
        custom_objects: dictionary mapping the names of custom classes and functions to the
            objects.

    # Returns
        A Keras model (not compiled, new weights).

    # Raises
        ValueError: if `json_string` is not valid JSON.
    """
    if isinstance(json_string, bytes):
        json_string = json_string.decode('utf-8')
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as e:
        raise ValueError('model_from_json: json_string is not valid JSON (%s)' % e)
    return model_from_config(config, custom_objects=custom_objects)


def model_from_yaml(yaml_string, custom_objects=None):
    """Rebuild a model from `model.to_yaml()` output.

    # Arguments
        yaml_string: the YAML string of `model.to_yaml()`.
        custom_objects: dictionary mapping the names of custom classes and functions to the
            objects.

    # Returns
        A Keras model (not compiled, new weights).

    # Raises
        ImportError: if PyYAML is not installed.
    """
    try:
        import yaml
    except ImportError:
        raise ImportError('model_from_yaml requires PyYAML: pip install pyyaml')

    class Loader(yaml.SafeLoader):
        """The safe loader, which also reads the tuples Keras 2.2.4's `to_yaml` wrote
        (`!!python/tuple [null, 20, 3]`)."""

    Loader.add_constructor('tag:yaml.org,2002:python/tuple',
                           lambda loader, node: tuple(loader.construct_sequence(node)))
    config = yaml.load(yaml_string, Loader=Loader)
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
        'loss_weights': _saved_loss_weights(model.loss_weights),
    }


def _saved_loss_weights(weights):
    """Loss weights for the training config: variables (a KL weight a callback anneals)
    are saved as their current values."""
    from ..backend.scopes import VariableExpression

    def number(w):
        return float(K.get_value(w)) if isinstance(w, (K.Variable, VariableExpression)) else w
    if isinstance(weights, dict):
        return {name: number(w) for name, w in weights.items()}
    if isinstance(weights, list):
        return [number(w) for w in weights]
    return weights


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
        from ..utils.generic_utils import get_custom_objects
        if class_name in (custom_objects or {}) or class_name in get_custom_objects():
            # a custom loss class (Keras 2.2.4 serializes its instances): a new instance
            from .. import losses
            return losses.deserialize(loss, custom_objects=custom_objects)
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
        if getattr(model, '_compiled_trainable', None):
            # this model's slots, when its optimizer also serves other models (a GAN's)
            optimizer.build(model._trainable_vars)
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
    """Save a model to an HDF5 file that Keras 2 reads.

    The file holds the architecture, the weights, the training configuration and the
    optimizer state.

    # Arguments
        model: the Keras model.
        filepath: path of the file, an open `h5py.File`/`h5py.Group`, a writable binary
            stream (e.g. `io.BytesIO`), or a dict (in-memory copy of the same layout).
        overwrite: whether to silently overwrite an existing file (otherwise ask).
        include_optimizer: whether to save the optimizer state.

    # Raises
        TypeError: if `model` is not a Keras model.
        ImportError: if h5py is not installed.
        IOError: if the file's directory does not exist or the file cannot be written
            (a previous file at `filepath` is then left as it was).
    """
    if not isinstance(model, Network):
        raise TypeError('save_model: model must be a Keras model, got %r' % (model,))
    _write_atomically(filepath, overwrite, 'save_model',
                      lambda f: _serialize_model(model, f, include_optimizer))


def load_model(filepath, custom_objects=None, compile=True):
    """Load a model saved with `save_model` (ours, Keras 2 or tf.keras HDF5 files).

    # Arguments
        filepath: path of the file, an open `h5py.File`/`h5py.Group`, a binary stream
            holding the file (e.g. `io.BytesIO`), or a dict.
        custom_objects: dict mapping names to custom classes or functions.
        compile: whether to compile the model with the saved training configuration
            and restore the optimizer state.

    # Returns
        A Keras model (compiled when the file holds a training configuration and `compile` is
        True).

    # Raises
        TypeError: if `custom_objects` is not a dict.
        ImportError: if h5py is not installed.
        IOError: if the file does not exist or is not a readable HDF5 file.
        ValueError: if the file holds no model (e.g. a weights file written by
            `save_weights`) or a corrupt one.

    # Example
    ```python
    import os, tempfile
    import numpy as np
    from keras.models import Sequential, load_model
    from keras.layers import Dense

    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile('adam', 'mse')
    path = os.path.join(tempfile.mkdtemp(), 'model.h5')
    model.save(path)                  # architecture, weights, optimizer state
    restored = load_model(path)       # compiled, ready to train further
    x = np.random.random((4, 3))
    assert np.allclose(model.predict(x), restored.predict(x))
    ```
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
