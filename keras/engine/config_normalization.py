"""Model configs written by other Keras versions (tf.keras 2.x, Keras 2.3) read as Keras 2.2.4
configs: nested object dicts, keys 2.2.4 does not know, renamed classes and arguments."""
import inspect

from .. import registry
from ..utils.generic_utils import get_custom_objects
from .base_layer import _BASE_KWARGS


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
