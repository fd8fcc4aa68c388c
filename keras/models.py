"""Model classes and model-level (de)serialization."""
import json

from .engine.training import Model  # noqa: F401
from .engine.sequential import Sequential  # noqa: F401
from .engine.input_layer import Input  # noqa: F401


def model_from_config(config, custom_objects=None):
    """Instantiate a model from its config dict {'class_name', 'config'}."""
    if isinstance(config, list):
        raise TypeError('`model_from_config` expects a dictionary, not a list. Maybe you meant to '
                        'use `Sequential.from_config(config)`?')
    from .layers import deserialize
    return deserialize(config, custom_objects=custom_objects)


def model_from_json(json_string, custom_objects=None):
    """Rebuild a model from `model.to_json()` output (Keras 2 JSON files included)."""
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as e:
        raise ValueError('model_from_json: json_string is not valid JSON (%s)' % e)
    from .layers import deserialize
    return deserialize(config, custom_objects=custom_objects)


def model_from_yaml(yaml_string, custom_objects=None):
    try:
        import yaml
    except ImportError:
        raise ImportError('model_from_yaml requires PyYAML: pip install pyyaml')
    config = yaml.safe_load(yaml_string)
    from .layers import deserialize
    return deserialize(config, custom_objects=custom_objects)
